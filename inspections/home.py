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
    today = timezone.localdate()
    totals = queries.filing_totals(user, today)
    hazards = queries.hazard_totals(user, today)
    if user.is_hq:
        yesterday = today - timedelta(days=1)
        return [
            {
                "template": "inspections/_home_hq.html",
                "order": 30,
                "totals": totals,
                "rate": round(totals["filed"] * 100 / totals["due"]) if totals["due"] else None,
                "hazards": hazards,
                "yesterday": yesterday,
                "misses": list(queries.misses_by_street_office(user, yesterday)),
            }
        ]
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
