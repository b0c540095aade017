from celery import shared_task

from reports.services import run_pack_job


@shared_task(acks_late=True)
def build_meeting_pack(pack_id: int) -> None:
    run_pack_job(pack_id)
