"""This app's part of 我的待办: service assessments to verify (HQ, ``can_verify``) and
re-inspections (回头看) due to record (HQ, ``can_record_reinspection``) or relapses to
follow up (the street office, ``can_follow_up``)."""

from django.db.models import F
from django.urls import reverse

from coverage import services
from coverage.models import Reinspection, ServiceAssessment
from estates.tasklist import Source


def _assessment(obj):
    return (
        f"{obj.estate.name} · 目标评定待核验",
        obj.estate.community.name,
        reverse("coverage:estate", args=[obj.estate_id]),
    )


def _reinspection(obj):
    return (
        f"{obj.estate.name} · 回头看",
        obj.get_status_display(),
        reverse("coverage:estate", args=[obj.estate_id]),
    )


def sources(user, today):
    if services.can_verify(user):
        yield Source(
            "assessment-verify",
            "目标评定待核验",
            ServiceAssessment.objects.visible_to(user)
            .filter(verification=ServiceAssessment.Verification.PENDING)
            .select_related("estate__community")
            .annotate(todo_since=F("assessed_at")),
            "todo_since",
            _assessment,
        )
    reinspections = Reinspection.objects.visible_to(user).select_related("estate__community")
    if services.can_record_reinspection(user):
        yield Source(
            "reinspection-due",
            "回头看待检查",
            reinspections.filter(status=Reinspection.Status.DUE, due_on__lte=today),
            "due_on",
            _reinspection,
            reverse("coverage:reinspections"),
        )
    if services.can_follow_up(user):
        yield Source(
            "reinspection-follow-up",
            "回头看反弹待整改",
            reinspections.filter(status=Reinspection.Status.RELAPSED),
            "due_on",
            _reinspection,
            reverse("coverage:reinspections"),
        )
