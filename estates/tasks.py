"""Celery tasks of the foundation: export jobs, outside deliveries of messages, and the
reminder run."""

from celery import shared_task
from django.utils import timezone

from estates import importing, notify
from estates.services import run_export_job


@shared_task(name="estates.send_delivery")
def send_delivery(delivery_id: int) -> str:
    """Send one outside delivery (e-mail or group robot); safe to run twice."""
    return notify.deliver(delivery_id)


@shared_task(name="estates.send_due_deliveries")
def send_due_deliveries() -> int:
    """The sweep: every pending delivery whose time has come, oldest first. Catches what
    a sick broker never carried and retries failed attempts with back-off."""
    ids = notify.due_delivery_ids()
    for pk in ids:
        notify.deliver(pk)
    return len(ids)


@shared_task(name="estates.send_reminders")
def send_reminders() -> int:
    """Every app's reminders that are due now; each is sent once (keyed messages)."""
    return notify.send_due(timezone.now())


@shared_task(name="estates.requeue_stale_jobs")
def requeue_stale_jobs() -> int:
    """The outbox sweep (every minute): publish again each job queued too long."""
    from estates import outbox

    return outbox.requeue_stale()


# The name it had in ``reports`` keeps jobs queued before the move runnable.
@shared_task(name="reports.tasks.run_export", acks_late=True)
def run_export(job_id: int) -> None:
    run_export_job(job_id)


@shared_task(name="estates.run_import", acks_late=True)
def run_import(job_id: int) -> str:
    """Check and write one ledger import job; a second delivery finds it claimed."""
    return importing.run_import_job(job_id).status
