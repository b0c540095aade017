"""Celery tasks of this app. Each takes plain values, is idempotent and calls a service."""

from datetime import date, timedelta

from celery import shared_task
from django.utils import timezone

from inspections import services


@shared_task(name="inspections.record_missed_patrols")
def record_missed_patrols(day: str | None = None) -> dict:
    """Register the missed patrols of ``day`` (ISO date; default yesterday). Run daily
    after midnight by beat; re-running it changes nothing."""
    target = date.fromisoformat(day) if day else timezone.localdate() - timedelta(days=1)
    run = services.record_missed_patrols(target)
    return {"date": target.isoformat(), "due": run.due, "created": run.created}
