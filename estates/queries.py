"""The ledger's figures (``figure(scope, on)`` or ``figure(scope, period)``, see
``estates.asof``), each with its written definition in ``DEFINITIONS``."""

from datetime import date

from django.db.models import Count, Q, Sum

from estates.asof import Period, as_scope, end_of, grouped, one
from estates.models import Estate

DEFINITIONS = {
    "estates": "小区/楼院：统计截止日终了时在台账中（已录入、未归档）的小区和零星楼院数。",
    "households": "户数：上述小区和楼院的户数之和（按台账现登记户数）。",
    "eight_haves": "八有目标：上述小区中基础设施较好、整治目标为八有的个数；四有目标为其余个数"
    "（按台账现登记的基础设施状况）。",
    "scattered": "零星楼院：上述小区和楼院中类型为零星楼院的个数。",
    "registered": "本周新增：纳入台账日期在统计周期内、统计截止日终了时已录入的小区和楼院数"
    "（按纳入台账日期，不按导入或录入时间）。",
}


def in_ledger_on(on: date) -> Q:
    """A compound in the ledger at the end of ``on``: entered before then and not archived
    by then."""
    moment = end_of(on)
    return Q(created_at__lt=moment) & (Q(archived_at__isnull=True) | Q(archived_at__gte=moment))


def ledger_estates(scope, on: date):
    """The compounds of ``scope`` in the ledger at the end of ``on``."""
    return as_scope(scope).estates.filter(in_ledger_on(on))


def ledger_figures(scope, on: date, *, by=None):
    """``{"estates", "households", "eight_haves", "four_haves", "scattered"}`` at the end
    of ``on`` (see ``DEFINITIONS``), or ``{unit_id: {...}}``. One query."""
    good = Q(condition_class=Estate.ConditionClass.GOOD)
    result = grouped(
        ledger_estates(scope, on),
        "",
        by,
        estates=Count("pk"),
        households=Sum("household_count"),
        eight_haves=Count("pk", filter=good),
        four_haves=Count("pk", filter=~good),
        scattered=Count("pk", filter=Q(kind=Estate.Kind.SCATTERED)),
    )
    clean = lambda row: {k: v or 0 for k, v in row.items()}  # noqa: E731
    return clean(result) if by is None else {unit: clean(row) for unit, row in result.items()}


def registered(scope, period: Period, *, by=None):
    """本周新增 (see ``DEFINITIONS``)."""
    rows = ledger_estates(scope, period.as_of).filter(
        registered_on__range=(period.start, period.as_of)
    )
    return one(grouped(rows, "", by, n=Count("pk")), "n", by)
