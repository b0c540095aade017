"""Patrols, hazards and quality feedback in the weekly pack, by street office.

The source document holds a street office accountable for unfiled daily records, so the
pack shows each office's filed and missed patrol records for the week side by side."""

from django.db.models import Count, Q

from estates.models import StreetOffice
from estates.xlsx import Column, Sheet
from inspections.models import Hazard, MissedPatrol, PatrolRecord, QualityInspection

CLOSED = (Hazard.Status.VERIFIED, Hazard.Status.CLOSED)


def _by_office(queryset, **aggregates):
    rows = queryset.values("street_office_id").annotate(**aggregates).order_by()
    return {row.pop("street_office_id"): row for row in rows}


def sections(user, start, end):
    week = Q(date__range=(start, end))
    filed = _by_office(PatrolRecord.objects.visible_to(user).filter(week), n=Count("pk"))
    missed = _by_office(MissedPatrol.objects.visible_to(user).filter(week), n=Count("pk"))
    hazards = _by_office(
        Hazard.objects.visible_to(user),
        found=Count("pk", filter=Q(reported_at__date__range=(start, end))),
        closed=Count("pk", filter=Q(closed_at__date__range=(start, end))),
        open=Count("pk", filter=~Q(status__in=CLOSED)),
        overdue=Count("pk", filter=Q(status__in=Hazard.OPEN_STATES, deadline__lt=end)),
    )
    quality = _by_office(
        QualityInspection.objects.visible_to(user),
        inspected=Count("pk", filter=Q(inspected_on__range=(start, end))),
        pending=Count("pk", filter=~Q(status=QualityInspection.Status.CLOSED)),
    )
    rows = []
    for office in StreetOffice.objects.visible_to(user).order_by("sort_order"):
        done = filed.get(office.pk, {}).get("n", 0)
        missing = missed.get(office.pk, {}).get("n", 0)
        due = done + missing
        h = hazards.get(office.pk, {})
        q = quality.get(office.pk, {})
        rows.append(
            (
                office.name,
                due,
                done,
                missing,
                round(done * 100 / due, 1) if due else None,
                h.get("found", 0),
                h.get("closed", 0),
                h.get("open", 0),
                h.get("overdue", 0),
                q.get("inspected", 0),
                q.get("pending", 0),
            )
        )
    return [
        Sheet(
            title="三、每日安全巡查、安全隐患与质量检查",
            sheet_name="巡查与隐患",
            columns=(
                Column("街道办事处", 20),
                Column("应报巡查记录", 11, "int", total=True),
                Column("已报", 8, "int", total=True),
                Column("未报", 8, "int", total=True),
                Column("报送率（%）", 10, "decimal"),
                Column("新发现隐患", 10, "int", total=True),
                Column("本周销号", 9, "int", total=True),
                Column("未销号隐患", 10, "int", total=True),
                Column("其中逾期", 9, "int", total=True),
                Column("质量检查（次）", 12, "int", total=True),
                Column("待闭环反馈", 10, "int", total=True),
            ),
            rows=rows,
            notes=[
                "应报 = 已报 + 未报；未报为每日任务登记的在施小区未报送巡查记录（含周末）。",
                "未销号隐患、其中逾期、待闭环反馈为统计周期末的状态。",
            ],
        )
    ]
