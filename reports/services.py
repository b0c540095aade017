"""State changes of export jobs."""

import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from reports import exports
from reports.models import ExportJob
from reports.xlsx import workbook_bytes

logger = logging.getLogger(__name__)


@transaction.atomic
def request_export(*, actor, kind: str, params: str) -> ExportJob:
    """Queue an export; the worker picks it up once this transaction commits."""
    from reports.tasks import run_export

    exports.spec(kind)  # unknown kinds fail here, in the request, not in the worker
    job = ExportJob.objects.create(kind=kind, owner=actor, params=params)
    transaction.on_commit(lambda: run_export.delay(job.pk))
    return job


def run_export_job(job_id: int) -> ExportJob:
    """Build the file of a queued job. Idempotent: a finished job is left as it is."""
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().select_related("owner").get(pk=job_id)
        if job.status in (ExportJob.Status.DONE, ExportJob.Status.FAILED):
            return job
        job.status, job.started_at = ExportJob.Status.RUNNING, timezone.now()
        job.save(update_fields=["status", "started_at"])
    try:
        workbook, filename, rows = exports.build(job.kind, job.owner, job.params)
        content = workbook_bytes(workbook)
    except Exception as exc:  # the user sees the job failed; the log has the detail
        logger.exception("export job %s failed", job_id)
        ExportJob.objects.filter(pk=job_id).update(
            status=ExportJob.Status.FAILED,
            finished_at=timezone.now(),
            error=f"生成失败：{type(exc).__name__}",
        )
        job.refresh_from_db()
        return job
    job.file.save(f"{job.kind}-{job.pk}.xlsx", ContentFile(content), save=False)
    job.filename, job.row_count = filename, rows
    job.status, job.finished_at = ExportJob.Status.DONE, timezone.now()
    job.save(update_fields=["file", "filename", "row_count", "status", "finished_at"])
    return job
