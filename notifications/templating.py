"""SMS text templates: `{placeholder}` substitution with str.format_map's syntax, minus everything that could hurt.

Templates are edited by administrators, so only bare names are allowed: no attribute or index access
(`{amount.__class__}` would reach into Python objects), no conversions and no format specs. A placeholder the
context does not supply is refused by name, never rendered as an empty string. Values are written the way an
SMS reader expects them: Decimal amounts with two places (never through float), dates day-month-year in IST."""

import datetime
import string
from collections.abc import Mapping
from decimal import Decimal

from django.utils import timezone

from core.errors import ApplicationError
from core.money import quantize

_FORMATTER = string.Formatter()


def placeholders_of(text: str) -> list[str]:
    """The placeholder names a template uses, in order of first appearance; refuses anything but `{name}`."""
    names: list[str] = []
    for name in _fields(text):
        if name not in names:
            names.append(name)
    return names


def text_render(text: str, context: Mapping[str, object]) -> str:
    """`text` with every `{name}` replaced from `context`. `{{` and `}}` stand for literal braces."""
    parts = []
    for literal, name, _spec, _conversion in _parsed(text):
        parts.append(literal)
        if name is None:
            continue
        if name not in context or context[name] is None:
            raise ApplicationError(
                "SMS_PLACEHOLDER_MISSING", f"{name}: the SMS template needs a value for {{{name}}}", field=name
            )
        parts.append(value_format(context[name], name=name))
    return "".join(parts)


def value_format(value: object, *, name: str) -> str:
    """One context value as SMS text."""
    if isinstance(value, bool | float):
        # A float has already lost paise; a bool in an SMS is a caller's mistake.
        raise ApplicationError(
            "SMS_PLACEHOLDER_INVALID", f"{name}: {type(value).__name__} is not an SMS value", field=name
        )
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ApplicationError("SMS_PLACEHOLDER_INVALID", f"{name}: amounts must be finite", field=name)
        return f"{quantize(value):f}"
    if isinstance(value, datetime.datetime):
        moment = timezone.localtime(value) if timezone.is_aware(value) else value
        return moment.strftime("%d-%m-%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d-%m-%Y")
    if isinstance(value, int | str):
        return str(value)
    raise ApplicationError("SMS_PLACEHOLDER_INVALID", f"{name}: {type(value).__name__} is not an SMS value", field=name)


def _fields(text: str):
    for _literal, name, _spec, _conversion in _parsed(text):
        if name is not None:
            yield name


def _parsed(text: str):
    try:
        pieces = list(_FORMATTER.parse(text))
    except ValueError as exc:
        raise ApplicationError("SMS_TEMPLATE_INVALID", f"text: {exc} (write a literal brace as {{{{ or }}}})") from None
    for literal, name, spec, conversion in pieces:
        if name is not None and (not name.isidentifier() or spec or conversion):
            shown = name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
            raise ApplicationError(
                "SMS_TEMPLATE_INVALID",
                f"text: '{{{shown}}}' is not a placeholder; use a bare name such as {{amount}}",
                field="text",
            )
        yield literal, name, spec, conversion
