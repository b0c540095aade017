"""This app's reminders (see ``estates.reminders``): patrols not filed by the set hour,
and hazards whose rectification deadline is tomorrow or has passed."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from estates.models import STREET_ROLES, Message, Topic, User
from estates.notify import Reminder
from inspections.models import Hazard, PatrolRecord
from inspections.services import people_by_company
from works.queries import estates_under_construction


def _street_staff(office_ids):
    return User.objects.filter(
        is_active=True, role__in=STREET_ROLES, street_office_id__in=office_ids
    )


def unfiled_patrols(now: datetime):
    """After ``NOTIFY_PATROL_HOUR`` (local), each street office with compounds under
    construction still lacking today's record: one reminder per staff member per day."""
    local = timezone.localtime(now)
    if local.hour < settings.NOTIFY_PATROL_HOUR:
        return
    day = local.date()
    filed = PatrolRecord.objects.filter(estate=OuterRef("pk"), date=day)
    unfiled = (
        estates_under_construction(day)
        .filter(~Exists(filed))
        .values("community__street_office_id")
        .annotate(n=Count("pk"))
    )
    counts = {row["community__street_office_id"]: row["n"] for row in unfiled}
    staff_by_office = {}
    for user in _street_staff(counts):
        staff_by_office.setdefault(user.street_office_id, []).append(user)
    for office_id, n in counts.items():
        yield Reminder(
            recipients=staff_by_office.get(office_id, []),
            topic=Topic.PATROL,
            kind=Message.Kind.REMINDER,
            title=f"今日还有 {n} 个在施小区未提交巡查记录",
            body=f"请在今天结束前提交 {day:%-m月%-d日} 的安全巡查记录。",
            link=reverse("inspections:today"),
            key=f"patrol-unfiled:{office_id}:{day.isoformat()}",
        )


def hazard_deadlines(now: datetime):
    """A notified hazard due tomorrow (提醒) and one past its deadline (逾期): told once per
    deadline to the street office's staff (and to the contractor's people, where they have
    accounts)."""
    today = timezone.localtime(now).date()
    tomorrow = today + timedelta(days=1)
    hazards = (
        Hazard.objects.filter(status__in=Hazard.OPEN_STATES, deadline__lte=tomorrow)
        .select_related("estate")
        .order_by("deadline", "pk")
    )
    hazards = list(hazards)
    staff_by_office = {}
    for user in _street_staff({h.street_office_id for h in hazards}):
        staff_by_office.setdefault(user.street_office_id, []).append(user)
    contractors = people_by_company({h.contractor_id for h in hazards})
    for hazard in hazards:
        overdue = hazard.deadline < today
        when = "今天" if hazard.deadline == today else "明天"
        link = reverse("inspections:hazard-detail", args=[hazard.pk])
        recipients = staff_by_office.get(hazard.street_office_id, []) + contractors.get(
            hazard.contractor_id, []
        )
        yield Reminder(
            recipients=recipients,
            topic=Topic.HAZARD,
            kind=Message.Kind.OVERDUE if overdue else Message.Kind.REMINDER,
            title=(
                f"隐患已逾期未整改：{hazard.estate.name}"
                if overdue
                else f"隐患{when}到整改期限：{hazard.estate.name}"
            ),
            body=f"{hazard.get_category_display()}（{hazard.location}），整改期限 "
            f"{hazard.deadline:%Y年%-m月%-d日}。",
            link=link,
            key=f"hazard-{'overdue' if overdue else 'due'}:{hazard.pk}:{hazard.deadline}",
        )


def due(now: datetime):
    yield from unfiled_patrols(now)
    yield from hazard_deadlines(now)
