"""This app's part of 我的待办: patrols still to file today, each step of a hazard, quality
feedback to answer or re-check. Every source is the rule the services check
(``can_file_patrol``, ``hazard_movers_q``, ``quality_movers_q``) applied to the rows in the
state that waits for that step."""

from django.db.models import DateField, Value
from django.urls import reverse

from estates.tasklist import Source
from inspections import services
from inspections.models import Hazard, QualityInspection
from inspections.queries import todays_patrol_list

HAZARD_STEPS = (
    ("notify", "隐患待告知施工单位", "reported_at"),
    ("rectify", "隐患待整改", "deadline"),
    ("confirm", "整改待监理确认", "deadline"),
    ("reinspect", "隐患待复查", "deadline"),
    ("close", "隐患待销号", "verified_at"),
)


def _hazard(obj):
    return (
        f"{obj.estate.name} · {obj.get_category_display()}",
        obj.location,
        reverse("inspections:hazard-detail", args=[obj.pk]),
    )


def _quality(obj):
    return (
        f"{obj.estate.name} · 质量反馈",
        obj.findings[:60],
        reverse("inspections:quality-detail", args=[obj.pk]),
    )


def _patrol(obj):
    return (
        obj.name,
        obj.community.name,
        reverse("inspections:patrol-create", args=[obj.pk]),
    )


def sources(user, today):
    if services.can_file_patrol(user):
        yield Source(
            "patrol",
            "今日待巡查",
            todays_patrol_list(user, today)
            .filter(record_id=None)
            .annotate(todo_day=Value(today, output_field=DateField())),
            "todo_day",
            _patrol,
            reverse("inspections:today"),
        )
    hazards = Hazard.objects.visible_to(user).select_related("estate")
    for move, label, deadline in HAZARD_STEPS:
        waiting = hazards.filter(status=services.HAZARD_MOVES[move]).filter(
            services.hazard_movers_q(user, move)
        )
        yield Source(
            f"hazard-{move}",
            label,
            waiting,
            deadline,
            _hazard,
            reverse("inspections:hazard-list") + f"?status={services.HAZARD_MOVES[move]}",
        )
    inspections = QualityInspection.objects.visible_to(user).select_related("estate")
    for move, label, state in (
        ("respond", "质量反馈待回复", QualityInspection.Status.SENT),
        ("recheck", "质量反馈待复查", QualityInspection.Status.RESPONDED),
    ):
        yield Source(
            f"quality-{move}",
            label,
            inspections.filter(status=state).filter(services.quality_movers_q(user, move)),
            "deadline",
            _quality,
            reverse("inspections:quality-list") + f"?status={state}",
        )
