"""Roll-up runs for the outbox sweep (``estates.outbox``): a run still queued after a
roll-up interval never reached a worker (the broker was down); publish it again. A run
is claimed by an update on its state, so a second delivery does nothing."""

from datetime import timedelta

from django.conf import settings


def stale(now):
    from reports.models import RollupRun
    from reports.tasks import run_rollup

    cutoff = now - timedelta(minutes=settings.ROLLUP_INTERVAL_MINUTES)
    ids = list(
        RollupRun.objects.filter(status=RollupRun.Status.QUEUED, created_at__lt=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:50]
    )
    return [(run_rollup, ids)]
