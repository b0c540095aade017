"""Money in the units users expect: yuan with thousands separators, or 万元."""

from decimal import ROUND_HALF_UP, Decimal

from django import template

register = template.Library()


@register.filter
def wan(value, places=2):
    """Yuan → 万元 with ``places`` decimals ("12.35")."""
    if value in (None, ""):
        return ""
    # Rounded half up (as the weekly pack rounds), not Python's default half to even.
    step = Decimal(1).scaleb(-int(places))
    amount = (Decimal(value) / Decimal(10000)).quantize(step, rounding=ROUND_HALF_UP)
    return f"{amount:,.{int(places)}f}"


@register.filter
def yuan(value):
    if value in (None, ""):
        return ""
    return f"{Decimal(value):,.2f}"


@register.filter
def get_attr(obj, name):
    return getattr(obj, name, "")


@register.filter
def overdue_labels(row):
    """The reasons a ``with_progress`` row is overdue, as labels."""
    from works.queries import overdue_labels as labels

    return labels(row)


@register.filter
def phase_label(phase):
    from works.queries import phase_label as label

    return label(phase)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None
