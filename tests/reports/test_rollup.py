"""The roll-up: every figure equals an answer computed here from the raw rows; running
it twice leaves the same rows; an incremental run equals a full one; one run at a time."""

from datetime import timedelta

import pytest
from django.utils import timezone

from reports import rollup, services
from reports.figures import BY_KEY, FIGURES, SOURCES
from reports.models import RollupRun, Snapshot
from reports.units import all_units
from tests.reports.data import build_district, expected

pytestmark = pytest.mark.django_db


def _stored(on):
    return {
        (s.unit_kind, s.unit_id, s.metric, s.item): s.value
        for s in Snapshot.objects.filter(date=on)
    }


def _run(kind=RollupRun.Kind.INCREMENTAL, **dates):
    run = services.request_rollup(kind=kind, trigger="test", enqueue=False, **dates)
    return services.execute_rollup(run.pk)


def _assert_figures_match(today):
    stored = _stored(today)
    units = all_units()
    assert len(units) > 3
    for unit in units:
        answer = expected(unit.kind, unit.id, today)
        for figure in FIGURES:
            if figure.key not in answer:
                continue
            value = stored[(unit.kind, unit.id, figure.key, 0)]
            want = answer[figure.key]
            assert value == (None if want is None else want), (unit, figure.key, value, want)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_figure_equals_the_raw_rows_on_random_data(seed, hq_staff, today):
    build_district(seed, estates=40, user=hq_staff, today=today)
    run = _run()
    assert run.status == RollupRun.Status.DONE
    _assert_figures_match(today)


def test_per_item_rows_add_up_to_the_unit_row(hq_staff, today):
    build_district(7, estates=30, user=hq_staff, today=today)
    _run()
    stored = _stored(today)
    for unit in all_units():
        for figure in (f for f in FIGURES if f.per_item):
            items = [
                v
                for (k, i, m, n), v in stored.items()
                if (k, i, m) == (*unit.key, figure.key) and n
            ]
            assert len(items) == 12
            assert sum(items) == stored[(*unit.key, figure.key, 0)]


def test_running_twice_leaves_the_same_rows(hq_staff, today):
    build_district(4, estates=25, user=hq_staff, today=today)
    _run(RollupRun.Kind.DATES, date_from=today, date_to=today)
    first = _stored(today)
    count = Snapshot.objects.count()
    _run(RollupRun.Kind.DATES, date_from=today, date_to=today)
    assert Snapshot.objects.count() == count
    assert _stored(today) == first


def test_incremental_equals_full_after_changes(hq_staff, clerk_a, street_a, frozen, today):
    from inspections import services as inspections
    from tests.factories import CommunityFactory, EstateFactory
    from tests.inspections.factories import under_construction

    build_district(5, estates=25, user=hq_staff, today=today)
    estate = EstateFactory(community=CommunityFactory(street_office=street_a))
    under_construction(estate, start=today - timedelta(days=3))
    _run()
    frozen.shift(timedelta(minutes=10))
    inspections.file_patrol(
        actor=clerk_a, estate=estate, values={"patrollers": "王建国", "findings": "正常"}
    )
    frozen.shift(timedelta(minutes=10))
    run = _run()
    assert run.status == RollupRun.Status.DONE
    # Only the changed street office, its community and the district were recomputed.
    assert run.units == 3
    incremental = _stored(today)
    full = {
        (r.unit_kind, r.unit_id, r.metric, r.item): r.value
        for r in rollup.compute(all_units(), [today], now=timezone.now())
    }
    assert incremental == full
    assert incremental[("street_office", street_a.pk, "patrols_filed", 0)] == 1


def test_incremental_run_with_no_change_writes_nothing(hq_staff, today):
    build_district(6, estates=10, user=hq_staff, today=today)
    _run()
    run = _run()
    assert (run.status, run.units, run.rows) == (RollupRun.Status.DONE, 0, 0)


def test_a_run_while_another_runs_is_skipped_and_changes_nothing(hq_staff, today):
    build_district(8, estates=5, user=hq_staff, today=today)
    from django.utils import timezone

    running = RollupRun.objects.create(
        kind="incremental", status="running", started_at=timezone.now()
    )
    run = _run()
    assert run.status == RollupRun.Status.SKIPPED
    assert Snapshot.objects.count() == 0
    running.refresh_from_db()
    assert running.status == RollupRun.Status.RUNNING


def test_a_run_abandoned_by_its_worker_frees_the_lock(hq_staff, frozen, settings):
    from django.utils import timezone

    stuck = RollupRun.objects.create(
        kind="incremental", status="running", started_at=timezone.now()
    )
    frozen.shift(timedelta(seconds=settings.ROLLUP_LOCK_SECONDS + 1))
    run = _run()
    stuck.refresh_from_db()
    assert stuck.status == RollupRun.Status.FAILED
    assert run.status == RollupRun.Status.DONE


def test_a_redelivered_task_does_not_run_again(hq_staff, today):
    from reports.tasks import run_rollup

    run = _run()
    rows = Snapshot.objects.count()
    result = run_rollup(run.pk)
    assert result["status"] == RollupRun.Status.DONE
    assert Snapshot.objects.count() == rows
    assert RollupRun.objects.filter(status="running").count() == 0


def test_past_days_are_kept_so_a_trend_is_a_read(hq_staff, frozen, today):
    build_district(9, estates=10, user=hq_staff, today=today)
    _run(RollupRun.Kind.DATES, date_from=today - timedelta(days=2), date_to=today)
    assert sorted(Snapshot.objects.values_list("date", flat=True).distinct()) == [
        today - timedelta(days=2),
        today - timedelta(days=1),
        today,
    ]
    unit = all_units()[0]
    series = rollup.read_series(unit, ["coverage_estates"], [today - timedelta(days=2), today])
    assert len(series["coverage_estates"]) == 2


def test_every_source_key_is_catalogued():
    from reports.figures import check_catalogue

    check_catalogue()
    assert all(f.definition for f in FIGURES) and BY_KEY


def test_the_command_runs_a_range_and_refuses_bad_input(hq_staff, today, capsys):
    from django.core.management import CommandError, call_command

    call_command(
        "rollup", "--from", (today - timedelta(days=1)).isoformat(), "--to", today.isoformat()
    )
    assert "完成（指定日期）" in capsys.readouterr().out
    assert Snapshot.objects.filter(date=today - timedelta(days=1)).exists()
    with pytest.raises(CommandError, match="日期格式"):
        call_command("rollup", "--date", "2026-13-01")
    with pytest.raises(CommandError, match="不能晚于"):
        call_command("rollup", "--from", "2026-11-19", "--to", "2026-11-01")


def test_an_incremental_run_after_patrols_recomputes_only_what_reads_them(
    hq_staff, clerk_a, street_a, frozen, today
):
    from inspections import services as inspections
    from reports.figures import sources_reading
    from tests.factories import CommunityFactory, EstateFactory
    from tests.inspections.factories import under_construction

    build_district(5, estates=25, user=hq_staff, today=today)
    estate = EstateFactory(community=CommunityFactory(street_office=street_a))
    under_construction(estate, start=today - timedelta(days=3))
    first = services.execute_rollup(services.request_rollup(trigger="t", enqueue=False).pk)
    frozen.shift(timedelta(minutes=10))
    inspections.file_patrol(
        actor=clerk_a, estate=estate, values={"patrollers": "王建国", "findings": "正常"}
    )
    frozen.shift(timedelta(minutes=10))
    run = services.execute_rollup(services.request_rollup(trigger="t", enqueue=False).pk)
    assert run.status == RollupRun.Status.DONE
    recomputed = {s.name for s in sources_reading({"inspections.patrolrecord"})}
    assert recomputed == {"patrol_filing", "weekly_figures", "action_figures"}
    moved = set(
        Snapshot.objects.filter(date=today, computed_at=run.started_at).values_list(
            "metric", flat=True
        )
    )
    kept = Snapshot.objects.filter(date=today, computed_at=first.started_at)
    assert "patrols_filed" in moved and "hazards_open" not in moved
    assert kept.filter(metric="hazards_open").exists()
    # The stored rows are still every figure as a full computation gives it.
    full = {
        (r.unit_kind, r.unit_id, r.metric, r.item): r.value
        for r in rollup.compute(all_units(), [today], now=timezone.now())
    }
    stored = {
        (s.unit_kind, s.unit_id, s.metric, s.item): s.value
        for s in Snapshot.objects.filter(date=today)
    }
    assert stored == full
    assert stored[("street_office", street_a.pk, "patrols_filed", 0)] == 1


def test_a_change_to_a_model_no_source_declares_recomputes_every_source():
    from reports.figures import sources_reading

    assert sources_reading({"works.supervisionnote"}) == SOURCES
    assert sources_reading(set()) == tuple(s for s in SOURCES if s.clock)


def test_write_chunks_end_with_a_day_and_keep_every_row():
    from datetime import date
    from itertools import pairwise

    from reports.rollup import Row, chunks

    days = [date(2026, 11, 1) + timedelta(days=i) for i in range(5)]
    rows = [Row("district", 1, day, "estates", n, None) for day in days for n in range(3)]
    found = list(chunks(rows, size=4))
    assert [len(c) for c in found] == [6, 6, 3]
    assert [r for c in found for r in c] == rows
    assert all(c[-1].date != n[0].date for c, n in pairwise(found))
