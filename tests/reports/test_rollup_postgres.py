"""The roll-up's PostgreSQL write path (``COPY`` into a temporary table, one upsert of the
rows that are new, changed or today's) and a run over several days on the production
engine."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from reports import rollup, services
from reports.models import RollupRun, Snapshot
from reports.rollup import Row
from reports.units import all_units
from tests.reports.conftest import NOW, SHANGHAI
from tests.reports.data import build_district

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def _stored():
    return {
        (s.unit_kind, s.unit_id, s.date, s.metric, s.item): (s.value, s.computed_at)
        for s in Snapshot.objects.all()
    }


def test_running_on_postgresql():
    assert connection.vendor == "postgresql"


def test_a_rewrite_changes_new_and_changed_rows_and_every_row_of_today(frozen, today):
    past = today - timedelta(days=3)
    first = datetime(2026, 11, 19, 10, 0, tzinfo=SHANGHAI)
    rows = [
        Row("district", 1, past, "estates", 0, Decimal("5.00")),
        Row("district", 1, past, "hazards_open", 0, Decimal("2.00")),
        Row("district", 1, past, "hazard_close_days_median", 0, None),
        Row("district", 1, today, "estates", 0, Decimal("6.00")),
    ]
    assert rollup.write(rows, computed_at=first) == 4
    again = [
        rows[0],
        Row("district", 1, past, "hazards_open", 0, Decimal("3.00")),
        rows[2],
        rows[3],
        Row("district", 1, past, "budget", 4, Decimal("10.50")),
    ]
    assert rollup.write(again, computed_at=NOW) == 5
    stored = _stored()
    assert len(stored) == 5
    assert stored[("district", 1, past, "estates", 0)] == (Decimal("5.00"), first)
    assert stored[("district", 1, past, "hazard_close_days_median", 0)] == (None, first)
    assert stored[("district", 1, past, "hazards_open", 0)] == (Decimal("3.00"), NOW)
    assert stored[("district", 1, past, "budget", 4)] == (Decimal("10.50"), NOW)
    assert stored[("district", 1, today, "estates", 0)] == (Decimal("6.00"), NOW)


def test_a_run_over_days_stores_the_rows_computed_day_by_day(hq_staff, frozen, today):
    build_district(5, estates=25, user=hq_staff, today=today)
    days = [today - timedelta(days=i) for i in range(4)]
    run = services.request_rollup(
        kind=RollupRun.Kind.DATES, date_from=days[-1], date_to=today, enqueue=False
    )
    assert services.execute_rollup(run.pk).status == RollupRun.Status.DONE
    daily = rollup.compute(all_units(), days, now=timezone.now(), ranges=False)
    stored = {key: value for key, (value, _at) in _stored().items()}
    assert stored == {(r.unit_kind, r.unit_id, r.date, r.metric, r.item): r.value for r in daily}


@pytest.mark.django_db(transaction=True)
def test_a_run_outside_a_transaction_reads_on_two_connections_and_stores_the_same(
    hq_staff, frozen, today, monkeypatch
):
    from reports import figures

    build_district(6, estates=20, user=hq_staff, today=today)
    threads = set()
    original = figures.Day.compute

    def compute(self, source):
        import threading

        threads.add(threading.get_ident())
        return original(self, source)

    monkeypatch.setattr(figures.Day, "compute", compute)
    days = [today - timedelta(days=i) for i in range(3)]
    run = services.request_rollup(
        kind=RollupRun.Kind.DATES, date_from=days[-1], date_to=today, enqueue=False
    )
    assert services.execute_rollup(run.pk).status == RollupRun.Status.DONE
    assert len(threads) >= 2
    daily = rollup.compute(all_units(), days, now=timezone.now(), ranges=False)
    stored = {key: value for key, (value, _at) in _stored().items()}
    assert stored == {(r.unit_kind, r.unit_id, r.date, r.metric, r.item): r.value for r in daily}


def test_rows_of_days_taken_for_new_that_are_stored_already_are_upserted(
    frozen, today, monkeypatch
):
    # As if another writer stored some of the days' rows between the check and the insert:
    # the plain insert meets the unique key and the chunk is upserted instead.
    past = today - timedelta(days=2)
    first = datetime(2026, 11, 19, 10, 0, tzinfo=SHANGHAI)
    stored = [
        Row("district", 1, past, "estates", 0, Decimal("5.00")),
        Row("district", 1, past, "hazards_open", 0, Decimal("2.00")),
    ]
    rollup.write(stored, computed_at=first)
    monkeypatch.setattr(rollup, "_any_stored", lambda cursor, first, last: False)
    again = [
        stored[0],
        Row("district", 1, past, "hazards_open", 0, Decimal("4.00")),
        Row("district", 1, past, "contracts", 0, Decimal("1.00")),
    ]
    assert rollup.write(again, computed_at=NOW) == 3
    assert _stored() == {
        ("district", 1, past, "estates", 0): (Decimal("5.00"), first),
        ("district", 1, past, "hazards_open", 0): (Decimal("4.00"), NOW),
        ("district", 1, past, "contracts", 0): (Decimal("1.00"), NOW),
    }
