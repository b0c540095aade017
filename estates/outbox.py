"""Work handed to Celery so that a sick broker loses nothing and nothing runs twice.

The row is the outbox: a job (an export, a roll-up run, an outside delivery) is saved
first, in the caller's transaction; its task is published after the commit by
``enqueue_on_commit``. A broker that refuses or hangs (bounded by the broker timeouts in
settings) is logged and the request answers at once ("已排队，稍后开始"); the row stays
queued. The beat's sweep (``estates.requeue_stale_jobs``, every minute) asks each app's
``outbox.py`` for rows queued too long and publishes them again. A task may therefore be
delivered more than once: every task claims its row under a lock (or an update on the
state) and does nothing when the row is not queued any more.

An app's ``outbox.py`` defines ``stale(now) -> [(task, [ids])]``, or
``[(task, [ids], sent)]`` with ``sent(pk)`` called for each id the broker took."""

import logging

from django.db import transaction
from django.utils import timezone
from kombu.exceptions import KombuError

from estates.hooks import app_modules

logger = logging.getLogger(__name__)

try:  # the Redis transport's own errors, when it is installed
    from redis.exceptions import RedisError
except ImportError:  # pragma: no cover
    RedisError = OSError

#: What a sick broker raises on publish: refused, reset, timed out.
BROKER_ERRORS = (KombuError, RedisError, OSError, TimeoutError)


def publish(task, pk) -> bool:
    """Publish ``task(pk)`` now; False (logged) when the broker does not take it."""
    try:
        task.delay(pk)
    except BROKER_ERRORS:
        logger.warning("任务 %s(%s) 未能入队，由定时任务稍后重发", task.name, pk, exc_info=True)
        return False
    return True


def enqueue_on_commit(task, pk, *, sent=None) -> None:
    """Publish ``task(pk)`` once the current transaction commits; ``sent()`` is called
    when the broker took it (e.g. to stamp the row's ``enqueued_at``)."""

    def send():
        if publish(task, pk) and sent is not None:
            sent()

    transaction.on_commit(send)


def requeue_stale(now=None) -> int:
    """Publish again every row an app reports as queued too long; the number published."""
    now = now or timezone.now()
    published = 0
    for module in app_modules("outbox"):
        for task, ids, *mark in module.stale(now):
            for pk in ids:
                if publish(task, pk):
                    published += 1
                    if mark:
                        mark[0](pk)
    return published


def stale(now):
    """Export jobs queued too long: never published (the broker was down when they were
    asked for), published long ago and not started (the message was lost), or left
    "running" longer than any export runs (its worker died; put back in the queue)."""
    from datetime import timedelta

    from django.conf import settings
    from django.db.models import Q

    from estates.models import ExportJob
    from estates.tasks import run_export

    abandoned = ExportJob.objects.filter(
        status=ExportJob.Status.RUNNING,
        started_at__lt=now - timedelta(hours=settings.EXPORT_ABANDONED_HOURS),
    )
    requeued = list(abandoned.values_list("pk", flat=True)[:100])
    ExportJob.objects.filter(pk__in=requeued, status=ExportJob.Status.RUNNING).update(
        status=ExportJob.Status.QUEUED, started_at=None, enqueued_at=now
    )
    never_sent = Q(enqueued_at__isnull=True, created_at__lt=now - timedelta(seconds=30))
    lost = Q(enqueued_at__lt=now - timedelta(minutes=settings.OUTBOX_RESEND_MINUTES))
    ids = list(
        ExportJob.objects.filter(never_sent | lost, status=ExportJob.Status.QUEUED)
        .exclude(pk__in=requeued)
        .order_by("created_at")
        .values_list("pk", flat=True)[:500]
    )

    def sent(pk):
        ExportJob.objects.filter(pk=pk).update(enqueued_at=timezone.now())

    return [(run_export, requeued + ids, sent), stale_imports(now)]


def stale_imports(now):
    """Ledger import jobs queued too long (never published, or the message was lost), or
    left checking or writing longer than any import runs: their worker died, and since
    the rows are written in one transaction nothing of them was kept, so they go back to
    the queue and start again."""
    from datetime import timedelta

    from django.conf import settings
    from django.db.models import Q

    from estates.models import ImportJob
    from estates.tasks import run_import

    running = (ImportJob.Status.CHECKING, ImportJob.Status.WRITING)
    abandoned = ImportJob.objects.filter(
        status__in=running,
        started_at__lt=now - timedelta(hours=settings.EXPORT_ABANDONED_HOURS),
    )
    requeued = list(abandoned.values_list("pk", flat=True)[:100])
    ImportJob.objects.filter(pk__in=requeued, status__in=running).update(
        status=ImportJob.Status.QUEUED,
        started_at=None,
        enqueued_at=now,
        rows_read=0,
        rows_to_write=0,
        rows_written=0,
    )
    never_sent = Q(enqueued_at__isnull=True, created_at__lt=now - timedelta(seconds=30))
    lost = Q(enqueued_at__lt=now - timedelta(minutes=settings.OUTBOX_RESEND_MINUTES))
    ids = list(
        ImportJob.objects.filter(never_sent | lost, status=ImportJob.Status.QUEUED)
        .exclude(pk__in=requeued)
        .order_by("created_at")
        .values_list("pk", flat=True)[:500]
    )

    def sent(pk):
        ImportJob.objects.filter(pk=pk).update(enqueued_at=timezone.now())

    return (run_import, requeued + ids, sent)
