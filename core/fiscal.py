"""Financial years. India's runs 1 April to 31 March; a tenant may start its year in another month."""

from datetime import date


def financial_year_start(day: date, *, start_month: int = 4) -> int:
    """The calendar year in which the financial year containing `day` began."""
    if not 1 <= start_month <= 12:
        raise ValueError(f"start_month must be 1 to 12, not {start_month}")
    return day.year if day.month >= start_month else day.year - 1


def financial_year_label(day: date, *, start_month: int = 4, pattern: str = "yyyy-yy") -> str:
    """`2026-27` for 1 Apr 2026 … 31 Mar 2027 (patterns yyyy-yy, yy-yy, yyyy-yyyy, yyyy)."""
    first = financial_year_start(day, start_month=start_month)
    last = first + 1 if start_month != 1 else first
    labels = {
        "yyyy-yy": f"{first}-{last % 100:02d}",
        "yy-yy": f"{first % 100:02d}-{last % 100:02d}",
        "yyyy-yyyy": f"{first}-{last}",
        "yyyy": f"{first}",
    }
    if pattern not in labels:
        raise ValueError(f"unknown financial-year pattern '{pattern}' (use one of {', '.join(labels)})")
    return labels[pattern]
