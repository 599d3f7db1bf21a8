"""The MT940 parser against real banks' sample files (golden counts as ../shared/mt940-samples/SOURCES.md lists
them for mt-940 5.1.1) and against the traps the library has."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from bridge.parsers.mt940 import StatementRejected, parse_statement

SAMPLES = Path(settings.BASE_DIR).parent / "shared" / "mt940-samples"

# file: (blocks, entries by mark, blocks whose :60F: + entries = :62F:)
GOLDEN = {
    "WoLpH-mt940/ASNB/0708271685_09022020_164516.940.txt": (31, {"D": 5, "C": 3}, 31),
    "WoLpH-mt940/betterplace/sepa_mt9401.sta": (26, {"C": 41, "D": 54, "RC": 2}, 26),
    "WoLpH-mt940/betterplace/sepa_snippet.sta": (2, {"C": 8, "D": 3}, 1),
    "WoLpH-mt940/betterplace/with_binary_character.sta": (2, {"C": 3, "D": 1}, 2),
    "WoLpH-mt940/cmxl/mt940.sta": (3, {"D": 9, "C": 7}, 3),
    "WoLpH-mt940/jejik/abnamro.sta": (2, {"D": 10}, 0),
    "WoLpH-mt940/jejik/ing.sta": (1, {"D": 5, "C": 2}, 0),
    "WoLpH-mt940/jejik/knab.sta": (2, {"C": 2, "D": 1}, 1),
    "WoLpH-mt940/jejik/postfinance.sta": (2, {"C": 3, "D": 1}, 1),
    "WoLpH-mt940/jejik/rabobank-iban.sta": (2, {"D": 4}, 2),
    "WoLpH-mt940/jejik/sns.sta": (2, {"D": 2}, 2),
    "WoLpH-mt940/jejik/triodos.sta": (1, {"D": 2}, 0),
    "WoLpH-mt940/mBank/mt940.sta": (1, {"C": 3}, 1),
    "WoLpH-mt940/mBank/mt942.sta": (1, {"C": 3}, 0),
    "WoLpH-mt940/sberbank/171011_01234945.sta": (1, {"D": 3}, 1),
    "WoLpH-mt940/self-provided/february_30.sta": (1, {"D": 1}, 1),
    "WoLpH-mt940/self-provided/gv_codes.sta": (1, {"D": 2}, 0),
    "WoLpH-mt940/self-provided/raiffeisen-cmi.sta": (1, {"C": 1, "D": 6}, 0),
    "sandermarechal-jejik-mt940/deutschebank.txt": (1, {"D": 1}, 0),
    "sandermarechal-jejik-mt940/ing-dos.txt": (1, {"D": 5, "C": 2}, 0),
    "sandermarechal-jejik-mt940/sparkasse2.txt": (1, {"RD": 1}, 0),
    "sandermarechal-jejik-mt940/volksbankenraiffeisenbanken.txt": (8, {"C": 12}, 8),
    "svenstaro-mt940-rs/full/bugs/issue-51.sta": (1, {"D": 3}, 0),
    "svenstaro-mt940-rs/full/danskebank/MT940_DK_Example.sta": (15, {"D": 81, "C": 8}, 15),
    "svenstaro-mt940-rs/full/danskebank/MT940_FI_Example.sta": (1, {"C": 1, "D": 5}, 1),
    "svenstaro-mt940-rs/full/sparkasse/buxtehude.sta": (1, {"D": 3}, 0),
}
REJECTED = {
    # A fragment with no :20: line: there is no statement block in it.
    "WoLpH-mt940/self-provided/sparkassen.sta": "NOT_MT940",
}

needs_samples = pytest.mark.skipif(not SAMPLES.is_dir(), reason=f"MT940 sample files not found at {SAMPLES}")


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def marks_of(parsed) -> dict[str, int]:
    marks: dict[str, int] = {}
    for block in parsed.blocks:
        for entry in block.entries:
            marks[entry.mark] = marks.get(entry.mark, 0) + 1
    return marks


@needs_samples
def test_every_sample_file_has_a_golden_expectation():
    files = {str(path.relative_to(SAMPLES)) for path in SAMPLES.rglob("*") if path.is_file() and path.suffix != ".md"}

    assert files == set(GOLDEN) | set(REJECTED)


@needs_samples
@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_sample_file_parses_to_its_golden_counts(name):
    blocks, marks, balanced = GOLDEN[name]

    parsed = parse_statement(sample(name))

    assert len(parsed.blocks) == blocks
    assert marks_of(parsed) == marks
    assert sum(1 for block in parsed.blocks if block.balance_ok) == balanced
    assert parsed.unreadable_count == 0


@needs_samples
@pytest.mark.parametrize("name", sorted(REJECTED))
def test_sample_file_without_a_statement_is_rejected_with_a_reason(name):
    with pytest.raises(StatementRejected) as refused:
        parse_statement(sample(name))

    assert refused.value.code == REJECTED[name]
    assert ":20:" in refused.value.message


@needs_samples
def test_rc_reversal_of_a_credit_is_negative():
    parsed = parse_statement(sample("WoLpH-mt940/betterplace/sepa_mt9401.sta"))

    reversals = [entry.amount for block in parsed.blocks for entry in block.entries if entry.mark == "RC"]

    assert reversals == [Decimal("-204.88"), Decimal("-204.88")]


@needs_samples
def test_rd_reversal_of_a_debit_is_positive():
    parsed = parse_statement(sample("sandermarechal-jejik-mt940/sparkasse2.txt"))

    assert parsed.blocks[0].entries[0].amount == Decimal("1027.25")


@needs_samples
def test_funds_code_d_is_not_read_as_a_mark():
    parsed = parse_statement(sample("svenstaro-mt940-rs/full/sparkasse/buxtehude.sta"))

    assert {entry.mark for entry in parsed.blocks[0].entries} == {"D"}
    assert all(entry.amount < 0 for entry in parsed.blocks[0].entries)


@needs_samples
def test_a_wide_customer_reference_is_read_not_refused():
    parsed = parse_statement(sample("WoLpH-mt940/ASNB/0708271685_09022020_164516.940.txt"))

    references = [entry.customer_reference for block in parsed.blocks for entry in block.entries]

    assert any(len(reference) > 16 for reference in references)


@needs_samples
def test_a_dos_file_is_read_with_the_encoding_asked_for():
    parsed = parse_statement(sample("WoLpH-mt940/self-provided/raiffeisen-cmi.sta"), encoding="cp852")

    narratives = " ".join(line for entry in parsed.blocks[0].entries for line in entry.narratives)
    assert parsed.encoding == "cp852"
    assert "összevont utánvét" in narratives


@needs_samples
def test_a_file_that_is_not_utf8_falls_back_to_the_configured_encoding():
    parsed = parse_statement(sample("WoLpH-mt940/self-provided/raiffeisen-cmi.sta"), fallback_encoding="cp852")

    assert parsed.encoding == "cp852"


@needs_samples
def test_thirtieth_of_february_is_read_as_its_last_day():
    parsed = parse_statement(sample("WoLpH-mt940/self-provided/february_30.sta"))

    assert parsed.blocks[0].entries[0].value_date.isoformat() == "2016-02-29"


GOOD_BLOCK = """:20:STMT-1
:25:123456789012
:28C:7/1
:60F:C261120INR1000,00
:61:2611201120D100,50NTRFDISB-1//SB1
:86:/DISB/DISB-1
:61:2611201120D200,00NTRFDISB-2//SB2
:86:/DISB/DISB-2
:62F:C261120INR699,50
-
"""


def test_entries_keep_their_position_in_the_file_and_narratives():
    parsed = parse_statement(GOOD_BLOCK.encode())

    entries = parsed.blocks[0].entries
    assert [entry.sequence for entry in entries] == [1, 2]
    assert entries[0].narratives == ("/DISB/DISB-1",)
    assert entries[1].bank_reference == "SB2"
    assert parsed.blocks[0].balance_ok is True


def test_a_bad_line_is_kept_as_unreadable_and_the_rest_of_the_file_is_read():
    text = GOOD_BLOCK.replace(":61:2611201120D200,00NTRFDISB-2//SB2", ":61:garbage line")

    parsed = parse_statement(text.encode())

    block = parsed.blocks[0]
    assert [entry.sequence for entry in block.entries] == [1]
    assert [(line.sequence, line.text) for line in block.unreadable] == [(2, "garbage line")]
    assert block.balance_ok is False


def test_a_block_with_an_impossible_balance_date_is_kept_with_its_error():
    broken = GOOD_BLOCK.replace(":20:STMT-1", ":20:STMT-2").replace(":62F:C261120", ":62F:C261131")

    parsed = parse_statement((GOOD_BLOCK + broken).encode())

    assert parsed.blocks[0].error == ""
    assert parsed.blocks[1].error != ""
    assert parsed.blocks[1].entries == ()
    assert parsed.entry_count == 2


def test_a_file_with_no_readable_block_is_rejected():
    broken = GOOD_BLOCK.replace(":62F:C261120", ":62F:C261131")

    with pytest.raises(StatementRejected) as refused:
        parse_statement(broken.encode())

    assert refused.value.code == "UNREADABLE_STATEMENT"


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "EMPTY_FILE"),
        (b"%PDF-1.7\n\x00\x01binary", "NOT_MT940"),
        (b"name,amount\nRam,100\n", "NOT_MT940"),
        (b":20:ONLY-A-REFERENCE\n", "NOT_MT940"),
    ],
)
def test_what_is_not_mt940_is_rejected_with_a_reason(content, code):
    with pytest.raises(StatementRejected) as refused:
        parse_statement(content)

    assert refused.value.code == code


def test_a_byte_order_mark_does_not_hide_the_first_block():
    parsed = parse_statement(b"\xef\xbb\xbf" + GOOD_BLOCK.encode())

    assert parsed.blocks[0].transaction_reference == "STMT-1"


def test_an_encoding_the_file_is_not_in_is_refused():
    with pytest.raises(StatementRejected) as refused:
        parse_statement("ü".encode("latin-1") + GOOD_BLOCK.encode(), encoding="utf-8")

    assert refused.value.code == "UNDECODABLE"
