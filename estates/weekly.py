"""The ledger's section of the weekly pack: compounds by street office."""

from django.db.models import Count, Q, Sum

from estates.models import Estate, StreetOffice
from estates.xlsx import Column, Sheet


def sections(user, start, end):
    active = Q(communities__estates__archived_at__isnull=True)
    prefix = "communities__estates__"
    offices = (
        StreetOffice.objects.visible_to(user)
        .annotate(
            estates=Count(prefix + "id", filter=active),
            households=Sum(prefix + "household_count", filter=active),
            good=Count(
                prefix + "id",
                filter=active & Q(**{prefix + "condition_class": Estate.ConditionClass.GOOD}),
            ),
            scattered=Count(
                prefix + "id", filter=active & Q(**{prefix + "kind": Estate.Kind.SCATTERED})
            ),
            added=Count(
                prefix + "id",
                filter=active & Q(**{prefix + "created_at__date__range": (start, end)}),
            ),
        )
        .order_by("sort_order")
    )
    rows = [
        (
            office.name,
            office.estates,
            office.households or 0,
            office.good,
            office.estates - office.good,
            office.scattered,
            office.added,
        )
        for office in offices
    ]
    return [
        Sheet(
            title="一、整治范围（小区台账）",
            sheet_name="台账概况",
            columns=(
                Column("街道办事处", 20),
                Column("小区/楼院", 10, "int", total=True),
                Column("户数", 10, "int", total=True),
                Column("八有目标", 10, "int", total=True),
                Column("四有目标", 10, "int", total=True),
                Column("零星楼院", 10, "int", total=True),
                Column("本周新增", 10, "int", total=True),
            ),
            rows=rows,
        )
    ]
