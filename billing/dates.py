"""Billing days are Indian days: a bill expires at 23:59:59 IST, a due date passes at midnight IST."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.utils import timezone

IST = ZoneInfo("Asia/Kolkata")
END_OF_DAY = time(23, 59, 59)


def ist_date(moment: datetime) -> date:
    return timezone.localtime(moment, IST).date()


def ist_day_end(day: date) -> datetime:
    return datetime.combine(day, END_OF_DAY, tzinfo=IST)


def ist_day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=IST)
