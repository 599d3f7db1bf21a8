from decimal import Decimal

from django import template

from core.money import format_inr

register = template.Library()


@register.filter
def inr(value):
    """`{{ amount|inr }}`: Indian digit grouping (25,00,000.00); anything not an amount is shown as it is."""
    if isinstance(value, Decimal | int):
        return format_inr(Decimal(value))
    return value
