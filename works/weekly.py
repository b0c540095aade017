"""Works progress in the weekly pack: phases, overdue compounds and budget by street
office, with the items started and finished during the week."""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Q

from estates.models import Estate, StreetOffice
from estates.xlsx import Column, Sheet
from works.models import EstateWorksItem
from works.queries import Phase, phase_case, street_office_totals

WAN = Decimal("10000")


def sections(user, start, end):
    estates = Estate.objects.visible_to(user).active()
    phases = defaultdict(dict)
    for row in (
        estates.order_by()
        .annotate(phase=phase_case())
        .values("community__street_office", "phase")
        .annotate(n=Count("id"))
    ):
        phases[row["community__street_office"]][row["phase"]] = row["n"]
    totals = {row["community__street_office"]: row for row in street_office_totals(estates, end)}
    week = {
        row["estate__community__street_office"]: row
        for row in EstateWorksItem.objects.visible_to(user)
        .filter(applicable=True, estate__archived_at__isnull=True)
        .values("estate__community__street_office")
        .annotate(
            started=Count("pk", filter=Q(actual_start__range=(start, end))),
            finished=Count("pk", filter=Q(actual_finish__range=(start, end))),
        )
        .order_by()
    }
    rows = []
    for office in StreetOffice.objects.visible_to(user).order_by("sort_order"):
        p, t, w = phases.get(office.pk, {}), totals.get(office.pk, {}), week.get(office.pk, {})
        rows.append(
            (
                office.name,
                t.get("estate_count", 0),
                p.get(Phase.PLANNED, 0) + p.get(Phase.NO_SCOPE, 0),
                p.get(Phase.TENDERED, 0),
                p.get(Phase.UNDER_CONSTRUCTION, 0),
                p.get(Phase.COMPLETED, 0),
                p.get(Phase.ACCEPTED, 0),
                t.get("overdue_count", 0),
                w.get("started", 0),
                w.get("finished", 0),
                round(float(t.get("percent") or 0), 1),
                ((t.get("budget_total") or Decimal(0)) / WAN).quantize(Decimal("0.01")),
            )
        )
    return [
        Sheet(
            title="二、工程进度（开工、竣工情况）",
            sheet_name="工程进度",
            columns=(
                Column("街道办事处", 20),
                Column("小区数", 8, "int", total=True),
                Column("未招标", 8, "int", total=True),
                Column("已招标", 8, "int", total=True),
                Column("施工中", 8, "int", total=True),
                Column("已完工", 8, "int", total=True),
                Column("已验收", 8, "int", total=True),
                Column("逾期小区", 9, "int", total=True),
                Column("本周开工项", 10, "int", total=True),
                Column("本周完工项", 10, "int", total=True),
                Column("平均完成（%）", 11, "decimal"),
                Column("工程预算（万元）", 13, "money", total=True),
            ),
            rows=rows,
            notes=["逾期：未按批次节点或进度计划完成招标、开工、完工或验收的小区（统计周期末）。"],
        )
    ]
