"""Amounts in words the Indian way (lakh, crore), as receipts print them: "Rupees One Lakh Five Hundred Only"."""

from decimal import Decimal

from num2words import num2words

CRORE = 10**7
# num2words' Indian English stops below a thousand crore; larger amounts count their crores in words.
WORDS_LIMIT = 1000 * CRORE


def _words(number: int) -> str:
    if number >= WORDS_LIMIT:
        crores, rest = divmod(number, CRORE)
        return f"{_words(crores)} Crore" + (f" {_words(rest)}" if rest else "")
    # num2words writes "one lakh, twenty-three thousand, four hundred and fifty-six"; receipts drop the commas.
    return num2words(number, lang="en_IN").replace(",", "").title()


def amount_in_words(amount: Decimal) -> str:
    rupees, paise = divmod(int(amount.quantize(Decimal("0.01")) * 100), 100)
    text = f"Rupees {_words(rupees)}"
    if paise:
        text += f" And {_words(paise)} Paise"
    return f"{text} Only"
