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


def _number(value) -> str:
    return format(value.normalize(), "f") if hasattr(value, "normalize") else str(value)


def allowed(field) -> str:
    """What a form field accepts, in words: 大于 0 的整数, 0 至 100 之间的数 …"""
    from django import forms

    if isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField):
        # DecimalField and FloatField are IntegerFields to Django: test for them.
        whole = not isinstance(field, forms.DecimalField | forms.FloatField)
        kind = "整数" if whole else "数"
        low, high = field.min_value, field.max_value
        if high is not None and high >= 10**9:
            high = None  # the storage's own range: not worth saying
        if low is not None and high is not None:
            text = f"{_number(low)} 至 {_number(high)} 之间的{kind}"
        elif low is not None:
            if (whole and low == 1) or (not whole and 0 < low < 1):
                text = f"大于 0 的{kind}"
            elif low == 0:
                text = f"不小于 0 的{kind}"
            else:
                text = f"不小于 {_number(low)} 的{kind}"
        elif high is not None:
            text = f"不大于 {_number(high)} 的{kind}"
        else:
            text = kind
        places = getattr(field, "decimal_places", None)
        if not whole and places:
            text += f"（最多 {places} 位小数）"
        return text
    if isinstance(field, forms.DateField):
        return "日期（如 2026-12-03）"
    if isinstance(field, forms.TimeField):
        return "时间（如 09:30）"
    return ""


#: Django's generic codes, replaced by a sentence naming what the field accepts.
_FORMAT_CODES = {"required", "invalid", "min_value", "max_value", "max_digits"}
_FORMAT_CODES |= {"max_decimal_places", "max_whole_digits"}


def _sentence(field, code, message) -> str:
    from django import forms

    wanted = allowed(field)
    if wanted and code in _FORMAT_CODES:
        return f"请填写{wanted}"
    if code == "required":
        if isinstance(field, forms.FileField):
            return "必填，请选择文件"
        if isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
            return "必填，请选择一项"
        limit = getattr(field, "max_length", None)
        return f"必填（不超过 {limit} 字）" if limit else "必填"
    if code == "invalid_choice":
        return "所选项不在可选范围内，请重新选择"
    return message


@register.filter
def named_errors(bound_field) -> list[str]:
    """Each error of a bound field as ``户数：请填写大于 0 的整数``: it names the field and
    says what the field accepts (Django's generic "该字段是必填项。" names neither)."""
    label = str(bound_field.label)
    out = []
    for error in bound_field.errors.as_data():
        for message, code in _messages(error):
            text = _sentence(bound_field.field, code, message)
            out.append(text if label in text else f"{label}：{text}")
    return out


def _messages(error):
    if hasattr(error, "error_list") and len(error.error_list) > 1:
        for item in error.error_list:
            yield from _messages(item)
        return
    item = error.error_list[0] if hasattr(error, "error_list") else error
    message = item.message % item.params if item.params else item.message
    yield str(message), item.code


@register.simple_tag
def error_fields(form) -> list:
    """The bound fields that carry an error, in the form's order (for the summary)."""
    return [form[name] for name in form.fields if name in form.errors]


@register.filter
def cell(value):
    """A table cell: numbers with thousands separators (99,246), None as blank."""
    from decimal import Decimal

    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | Decimal | float):
        return formats.number_format(value, use_l10n=True, force_grouping=True)
    return value
