"""Indian mobile numbers: validated, normalised to ten digits, and masked wherever they are written to a log."""

import re

# Ten digits starting 6-9 (the TRAI mobile series), optionally written with the +91 country code.
_MOBILE = re.compile(r"(?:\+91)?([6-9][0-9]{9})")

# The same rule for a stored (already normalised) number, as a database regular expression.
MOBILE_NUMBER_PATTERN = r"^[6-9][0-9]{9}$"
MOBILE_NUMBER_RULE = "an Indian mobile number is 10 digits starting 6-9, optionally preceded by +91"


def mobile_normalize(raw: object) -> str | None:
    """The ten-digit number `raw` spells, or None when it is not an Indian mobile number."""
    if not isinstance(raw, str):
        return None
    match = _MOBILE.fullmatch(raw.strip())
    return match.group(1) if match else None


def mobile_mask(raw: object) -> str:
    """All but the last four characters hidden: what logs and lists may show of a number."""
    text = "" if raw is None else str(raw)
    if len(text) <= 4:
        return "*" * len(text)
    return "*" * (len(text) - 4) + text[-4:]
