from celery import shared_task

from estates.services import run_export_job


# The name it had in ``reports`` keeps jobs queued before the move runnable.
@shared_task(name="reports.tasks.run_export", acks_late=True)
def run_export(job_id: int) -> None:
    run_export_job(job_id)
