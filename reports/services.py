"""State changes of this app: roll-up runs and the league table's weights."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from estates import audit
from estates.models import AuditEvent
from reports import rollup
from reports.models import LeagueWeights, RollupRun
from reports.units import all_units

logger = logging.getLogger(__name__)


# --- the roll-up ---------------------------------------------------------------------------
@transaction.atomic
def request_rollup(
    *,
    actor=None,
    kind=RollupRun.Kind.INCREMENTAL,
    date_from=None,
    date_to=None,
    trigger="beat",
    enqueue=True,
) -> RollupRun:
    """Queue a roll-up run; a worker executes it once this transaction commits (in-process
    at once when there is no Redis). ``enqueue=False``: the caller executes it itself
    (``manage.py rollup``)."""
    from reports.tasks import run_rollup

    if kind == RollupRun.Kind.DATES:
        if date_from is None or date_to is None:
            raise ValidationError({"date_from": "请指定起止日期"})
        if date_to < date_from:
            raise ValidationError({"date_to": "截止日期不能早于起始日期"})
        if (date_to - date_from).days > settings.ROLLUP_HISTORY_MAX_DAYS:
            raise ValidationError(
                {"date_to": f"一次最多汇总 {settings.ROLLUP_HISTORY_MAX_DAYS} 天"}
            )
    run = RollupRun.objects.create(
        kind=kind,
        date_from=date_from,
        date_to=date_to,
        trigger=trigger,
        requested_by=actor if actor is not None and actor.is_authenticated else None,
    )
    if enqueue:
        transaction.on_commit(lambda: run_rollup.delay(run.pk))
    return run


def _release_abandoned(now) -> None:
    """A run "running" for longer than ROLLUP_LOCK_SECONDS lost its worker: fail it so
    the lock is free again."""
    cutoff = now - timedelta(seconds=settings.ROLLUP_LOCK_SECONDS)
    RollupRun.objects.filter(status=RollupRun.Status.RUNNING, started_at__lt=cutoff).update(
        status=RollupRun.Status.FAILED, finished_at=now, error="超时未完成（计算进程中断）"
    )


def last_finished_run(kinds=(RollupRun.Kind.INCREMENTAL, RollupRun.Kind.FULL)):
    return (
        RollupRun.objects.filter(status=RollupRun.Status.DONE, kind__in=kinds)
        .order_by("-started_at", "-id")
        .first()
    )


def _plan(run: RollupRun, today):
    if run.kind == RollupRun.Kind.INCREMENTAL:
        previous = last_finished_run()
        run.changes_since = previous.started_at if previous else None
        return rollup.plan_incremental(run.changes_since, today)
    if run.kind == RollupRun.Kind.FULL:
        run.date_from, run.date_to = rollup.history_start(today), today
    units = all_units()
    return rollup.Plan([(day, units) for day in rollup.days_between(run.date_from, run.date_to)])


def execute_rollup(run_id: int) -> RollupRun:
    """Execute a queued run. One run at a time: a run that finds another running is
    skipped (the next beat picks its changes up). A run that is not queued any more (a
    re-delivered task) is left as it is."""
    now = timezone.now()
    _release_abandoned(now)
    try:
        with transaction.atomic():
            claimed = RollupRun.objects.filter(pk=run_id, status=RollupRun.Status.QUEUED).update(
                status=RollupRun.Status.RUNNING, started_at=now
            )
    except IntegrityError:
        RollupRun.objects.filter(pk=run_id, status=RollupRun.Status.QUEUED).update(
            status=RollupRun.Status.SKIPPED, finished_at=timezone.now(), error="另一次汇总正在进行"
        )
        return RollupRun.objects.get(pk=run_id)
    run = RollupRun.objects.get(pk=run_id)
    if not claimed:
        return run
    try:
        plan = _plan(run, timezone.localdate(now))
        rows = 0
        for day, units in plan.steps:
            rows += rollup.write(rollup.compute(units, [day]), computed_at=now)
    except Exception as exc:  # the run shows it failed; the log has the detail
        logger.exception("roll-up run %s failed", run_id)
        RollupRun.objects.filter(pk=run_id).update(
            status=RollupRun.Status.FAILED,
            finished_at=timezone.now(),
            error=f"汇总失败：{type(exc).__name__}: {exc}"[:500],
        )
        run.refresh_from_db()
        return run
    run.status, run.finished_at = RollupRun.Status.DONE, timezone.now()
    run.units, run.rows = plan.unit_count, rows
    run.save(
        update_fields=[
            "status",
            "finished_at",
            "units",
            "rows",
            "changes_since",
            "date_from",
            "date_to",
        ]
    )
    return run


def is_stale(now=None) -> bool:
    """No finished run yet, or the last one started more than one beat interval ago."""
    now = now or timezone.now()
    previous = last_finished_run(kinds=RollupRun.Kind.values)
    if previous is None:
        return True
    return previous.started_at < now - timedelta(minutes=settings.ROLLUP_INTERVAL_MINUTES)


def ensure_fresh(*, actor=None) -> RollupRun | None:
    """With no Redis (no worker, no beat), a dashboard opened on stale snapshots runs the
    incremental roll-up in-process first. With Redis the beat keeps them fresh and the
    page shows each figure's time."""
    if settings.REDIS_URL or not is_stale():
        return None
    run = request_rollup(actor=actor, trigger="dashboard", enqueue=False)
    return execute_rollup(run.pk)


# --- the league table's weights ---------------------------------------------------------------
def can_set_league_weights(user) -> bool:
    return user.is_authenticated and user.is_hq_staff


@transaction.atomic
def set_league_weights(*, actor, values: dict) -> dict:
    """HQ office staff set the weights of the league table's components; audited.
    Returns the changes (empty when nothing changed)."""
    if not can_set_league_weights(actor):
        raise PermissionDenied("只有指挥部办公室可以设置排名通报权重")
    weights, _ = LeagueWeights.objects.select_for_update().get_or_create(pk=1)
    before = audit.snapshot(weights, LeagueWeights.FIELDS)
    for name in LeagueWeights.FIELDS:
        if name in values:
            setattr(weights, name, values[name])
    weights.full_clean()
    changes = audit.diff(weights, before)
    if not changes:
        return {}
    weights.save()
    audit.record(
        weights,
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        changes=changes,
        summary="修改排名通报权重",
    )
    return changes
