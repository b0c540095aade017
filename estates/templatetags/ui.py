"""Filters every template has (a builtin, see TEMPLATES in settings): one way to write a
time, and audit values written as the user reads them."""

import re
from datetime import date, datetime

from django import template
from django.utils import formats, timezone

register = template.Library()

# What str(datetime) wrote into audit rows before values were formatted at the source.
_RAW_DATETIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)?$"
)


@register.filter(expects_localtime=False)
def when(value):
    """A time as ``2026年12月2日 21:26`` in the site's time zone; a date as ``2026年12月2日``."""
    if value in (None, ""):
        return ""
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return formats.date_format(value, "DATETIME_FORMAT")
    if isinstance(value, date):
        return formats.date_format(value, "DATE_FORMAT")
    return value


@register.filter
def audit_value(value):
    """An audit trail value; raw ISO times left by older rows are shown like any time."""
    if isinstance(value, str) and _RAW_DATETIME.match(value):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
        if timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed, timezone.get_current_timezone())
        return when(parsed)
    return value
