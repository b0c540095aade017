"""The top floor's part of ``manage.py bench``: the weekly pack and the dashboards'
roll-up (full, and incremental after patrols are filed)."""

from django.db import transaction
from django.utils import timezone

from estates.bench import Figure, timed

CASES = [
    ("weekly pack page (HQ)", "hq", "/reports/weekly/"),
    ("weekly pack page (clerk)", "clerk1", "/reports/weekly/"),
    ("weekly pack Excel (HQ)", "hq", "/reports/weekly.xlsx"),
    ("weekly pack PDF (HQ)", "hq", "/reports/weekly.pdf"),
    ("weekly pack Excel (clerk)", "clerk1", "/reports/weekly.xlsx"),
    ("weekly pack PDF (clerk)", "clerk1", "/reports/weekly.pdf"),
]

#: Patrols filed before the incremental run (about a beat interval's worth at a city).
FILED_BEFORE_INCREMENTAL = 20


def _run(kind, **dates):
    from reports.models import RollupRun
    from reports.services import execute_rollup, request_rollup

    run = request_rollup(kind=kind, trigger="manual", enqueue=False, **dates)
    seconds, run = timed(execute_rollup, run.pk)
    if run.status != RollupRun.Status.DONE:
        raise RuntimeError(f"roll-up {kind} ended {run.status}: {run.error}")
    return seconds, run


def jobs(data):
    """The roll-up of today for every unit (it also leaves the snapshots the dashboards
    read, so the bench runs it before the pages); the full rebuild (every day since the
    first record: measured with ``--full-rollup``, otherwise estimated from the one day);
    then the incremental run after patrols of several street offices were filed (filed
    and rolled up in one transaction that is rolled back)."""
    from reports import rollup
    from reports.models import RollupRun

    # A bench interrupted mid-run leaves its run "running" (the lock): release it.
    RollupRun.objects.filter(status=RollupRun.Status.RUNNING).update(
        status=RollupRun.Status.FAILED, finished_at=timezone.now(), error="压测中断"
    )
    today = timezone.localdate()
    seconds, run = _run(RollupRun.Kind.DATES, date_from=today, date_to=today)
    yield Figure(
        "roll-up, one day (all units)",
        f"{seconds:.1f} s",
        n=1,
        note=f"{run.units} units, {run.rows:,} rows",
    )
    days = len(rollup.days_between(rollup.history_start(today), today))
    if data.extra.get("full_rollup"):
        full, run = _run(RollupRun.Kind.FULL)
        value, note = f"{full:.1f} s", f"{run.units} units × {days} days, {run.rows:,} rows"
    else:
        full = seconds * days
        value, note = f"≈ {full:.0f} s", f"estimated: {days} days × the one day (--full-rollup)"
    yield Figure("roll-up, full", value, n=1, target="≤ 60 s", met=full <= 60, note=note)
    with transaction.atomic():
        filed = _file_some(FILED_BEFORE_INCREMENTAL)
        seconds, run = _run(RollupRun.Kind.INCREMENTAL)
        transaction.set_rollback(True)
    yield Figure(
        "roll-up, incremental",
        f"{seconds:.2f} s",
        n=1,
        target="≤ 5 s",
        met=seconds <= 5,
        note=f"after {filed} patrols filed: {run.units} units, {run.rows:,} rows",
    )


def _file_some(count):
    from estates.benchmarks import bench_clerks
    from inspections import services
    from works.queries import estates_under_construction

    today = timezone.localdate()
    clerks = bench_clerks()
    targets = (
        estates_under_construction(today)
        .exclude(patrols__date=today)
        .order_by("?")
        .values_list("pk", "community__street_office_id")[:count]
    )
    from estates.models import Estate

    filed = 0
    for estate_id, office_id in targets:
        services.file_patrol(
            actor=clerks[office_id],
            estate=Estate(pk=estate_id),
            values={"patrollers": "王建国、陈海燕", "findings": "围挡完好。"},
        )
        filed += 1
    return filed
