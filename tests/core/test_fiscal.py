from datetime import date

import pytest

from core.fiscal import financial_year_label, financial_year_start


def test_last_day_of_march_belongs_to_the_year_that_began_the_april_before():
    # given the last day of the Indian financial year 2026-27
    day = date(2027, 3, 31)

    # when its year is asked for
    start = financial_year_start(day)

    # then it began in 2026
    assert start == 2026


def test_first_of_april_begins_a_new_financial_year():
    # given the first day of April
    day = date(2027, 4, 1)

    # when its year is asked for
    start = financial_year_start(day)

    # then it is the year that starts that day
    assert start == 2027


@pytest.mark.parametrize(
    ("pattern", "label"),
    [("yyyy-yy", "2026-27"), ("yy-yy", "26-27"), ("yyyy-yyyy", "2026-2027"), ("yyyy", "2026")],
)
def test_label_follows_the_pattern(pattern, label):
    # given a day in the financial year 2026-27
    day = date(2026, 11, 15)

    # when it is labelled with the pattern
    text = financial_year_label(day, pattern=pattern)

    # then the label is written that way
    assert text == label


def test_label_of_a_year_ending_in_a_new_century_keeps_two_digits():
    # given a day in the financial year that ends in 2100
    day = date(2099, 6, 1)

    # when it is labelled short
    text = financial_year_label(day, pattern="yyyy-yy")

    # then the closing year is written as two digits
    assert text == "2099-00"


def test_unknown_pattern_is_refused():
    # given a pattern no label is written in
    pattern = "yy"

    # when a day is labelled with it
    # then it is refused, naming the pattern
    with pytest.raises(ValueError, match="'yy'"):
        financial_year_label(date(2026, 4, 1), pattern=pattern)


@pytest.mark.parametrize(
    ("day", "label"),
    [(date(2027, 1, 1), "2027"), (date(2027, 12, 31), "2027"), (date(2026, 12, 31), "2026")],
)
def test_year_starting_in_january_is_the_calendar_year(day, label):
    # given a tenant whose financial year starts in January
    start_month = 1

    # when a day is labelled
    text = financial_year_label(day, start_month=start_month, pattern="yyyy")

    # then the label is the calendar year
    assert text == label


def test_year_starting_in_january_opens_and_closes_in_the_same_year():
    # given a tenant whose financial year starts in January
    day = date(2027, 5, 1)

    # when the year is labelled with both ends
    text = financial_year_label(day, start_month=1, pattern="yyyy-yyyy")

    # then both ends are the same calendar year
    assert text == "2027-2027"


def test_year_starting_in_july_turns_over_on_the_first_of_july():
    # given a tenant whose financial year starts in July
    june_end, july_start = date(2027, 6, 30), date(2027, 7, 1)

    # when both days are labelled
    labels = [financial_year_label(day, start_month=7) for day in (june_end, july_start)]

    # then 30 June closes 2026-27 and 1 July opens 2027-28
    assert labels == ["2026-27", "2027-28"]


@pytest.mark.parametrize("start_month", [0, 13])
def test_start_month_outside_the_calendar_is_refused(start_month):
    # given a start month that is no month
    # when a year is asked for
    # then it is refused
    with pytest.raises(ValueError, match="start_month"):
        financial_year_start(date(2027, 1, 1), start_month=start_month)
