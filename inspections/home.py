"""This app's panels on the home page.

Each is a fixed number of aggregate queries whatever the number of compounds."""

from datetime import timedelta

from django.utils import timezone

from inspections import queries, services
from inspections.models import MissedPatrol, QualityInspection

#: Compounds still to patrol listed by name on a street office's panel; the rest a link.
LISTED = 8


def panels(user):
    if not user.role or user.is_company_staff:
        return []
    # HQ's district-wide figures come from the roll-up's snapshots (reports.home): this
    # live aggregate over every compound took seconds at nation scale.
    if user.is_hq:
        return []
    today = timezone.localdate()
    totals = queries.filing_totals(user, today)
    hazards = queries.hazard_totals(user, today)
    todo = list(queries.todays_patrol_list(user, today).filter(record_id__isnull=True)[:LISTED])
    return [
        {
            "template": "inspections/_home_street.html",
            "order": 5,
            "today": today,
            "totals": totals,
            "pending": totals["due"] - totals["filed"],
            "todo": todo,
            "todo_more": max(totals["due"] - totals["filed"] - len(todo), 0),
            "hazards": hazards,
            "can_file": services.can_file_patrol(user),
            "quality_open": QualityInspection.objects.visible_to(user)
            .filter(status=QualityInspection.Status.SENT)
            .count(),
            "missed_yesterday": MissedPatrol.objects.visible_to(user)
            .filter(date=today - timedelta(days=1))
            .count(),
        }
    ]
