from decimal import Decimal

from django import template

register = template.Library()
WAN = Decimal("10000")


@register.filter
def figure_value(value) -> str:
    """A snapshot value as a dashboard shows it: money in 万元 (two decimals), days to
    one decimal, counts as integers with separators; "—" when there is none."""
    if value is None or value.value is None:
        return "—"
    if value.unit == "元":
        return f"{value.value / WAN:,.2f}万"
    if value.unit == "天":
        return f"{value.value:,.1f}"
    return f"{int(value.value):,}"


@register.filter
def num(value) -> str:
    """A plain Decimal from a snapshot: an integer when whole, "—" when None."""
    if value is None:
        return "—"
    if value == value.to_integral():
        return f"{int(value):,}"
    return f"{value:,.1f}"


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def add_days(day, days):
    from datetime import timedelta

    return day + timedelta(days=int(days)) if day else day
