import pytest

from notifications.phones import mobile_mask, mobile_normalize


@pytest.mark.parametrize("raw", ["9876543210", "6000000000", " 7123456789 "])
def test_ten_digits_starting_6_to_9_are_a_mobile_number(raw):
    assert mobile_normalize(raw) == raw.strip()


def test_plus_91_is_dropped_from_the_number():
    assert mobile_normalize("+919876543210") == "9876543210"


@pytest.mark.parametrize(
    "raw",
    [
        "5876543210",  # starts below 6
        "987654321",  # nine digits
        "98765432100",  # eleven digits
        "919876543210",  # country code without +
        "+91 9876543210",  # space inside
        "98765-43210",
        "+449876543210",
        "९८७६५४३२१०",  # Devanagari digits
        "",
        None,
        9876543210,  # not text
    ],
)
def test_anything_else_is_not_a_mobile_number(raw):
    assert mobile_normalize(raw) is None


def test_mask_hides_all_but_the_last_four_characters():
    assert mobile_mask("9876543210") == "******3210"
    assert mobile_mask("+919876543210") == "*********3210"
    assert mobile_mask("123") == "***"
    assert mobile_mask(None) == ""
