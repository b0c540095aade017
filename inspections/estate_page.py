"""This app's section on a compound's detail page (``estates.hooks``: ``estate_page``)."""

from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone

from inspections import services
from inspections.models import Hazard, MissedPatrol, PatrolRecord


def sections(user, estate):
    since = timezone.localdate() - timedelta(days=30)
    patrols = (
        PatrolRecord.objects.visible_to(user)
        .filter(estate=estate)
        .select_related("filed_by")
        .order_by("-date")[:7]
    )
    hazards = (
        Hazard.objects.visible_to(user)
        .filter(estate=estate)
        .exclude(status__in=(Hazard.Status.VERIFIED, Hazard.Status.CLOSED))
        .order_by("deadline")
    )
    missed = MissedPatrol.objects.visible_to(user).aggregate(
        n=Count("pk", filter=Q(estate=estate, date__gte=since))
    )["n"]
    return [
        {
            "template": "inspections/_estate_section.html",
            "estate_id": estate.pk,
            "patrols": patrols,
            "hazards": hazards,
            "missed": missed,
            "can_file": services.can_file_patrol(user, estate),
        }
    ]
