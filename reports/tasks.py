"""Celery tasks of this app. Each takes ids or plain values, is idempotent and calls a
service (``reports.services``) that tests call directly."""

from celery import shared_task
from django.utils import timezone

from reports.services import execute_rollup, request_rollup, run_pack_job
from reports.weekly_pack import freeze_last_week


@shared_task(name="reports.run_rollup", acks_late=True)
def run_rollup(run_id: int) -> dict:
    """Execute a queued roll-up run (a re-delivered task finds it done and stops)."""
    run = execute_rollup(run_id)
    return {"run": run.pk, "status": run.status, "units": run.units, "rows": run.rows}


@shared_task(name="reports.rollup_tick", acks_late=True)
def rollup_tick() -> None:
    """Beat, every ROLLUP_INTERVAL_MINUTES: queue an incremental run."""
    request_rollup(trigger="beat")


@shared_task(acks_late=True)
def build_meeting_pack(pack_id: int) -> None:
    """Build a queued meeting pack (a re-delivered task finds it done and stops)."""
    run_pack_job(pack_id)


@shared_task(name="reports.freeze_weekly_packs", acks_late=True)
def freeze_weekly_packs() -> int:
    """Beat, Tuesday 01:00: freeze the finished week's pack of every unit (a second run
    reads what the first stored)."""
    return freeze_last_week(timezone.localdate())
