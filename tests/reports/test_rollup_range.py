"""The roll-up over many days reads each source's records once (``Source.range``, the
``*_range`` variants beside the as-of figures): on generated data with history, changes
entered day after day and back-dated ones, every source's range variant gives what its
as-of functions give on each day, at every level, and the stored rows of a run over the
days equal the rows computed day by day and an answer counted here from the raw rows."""

import random
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from coverage.models import ArrangementHistory, ManagementArrangement, Reinspection
from estates.models import Estate
from inspections.models import Hazard, HazardHistory, MissedPatrol, MissedPatrolRun, PatrolRecord
from reports import rollup, services
from reports.figures import SOURCES, Day, Ranges
from reports.models import RollupRun, Snapshot
from reports.units import Kind, all_units
from tests.conftest import rolled_back
from tests.factories import UserFactory, record_state
from tests.reports.conftest import SHANGHAI
from tests.reports.data import _hazard, build_district
from works.models import AcceptanceForm, AcceptanceStatusChange, EstateWorksItem, WorksItemHistory

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

S = EstateWorksItem.Status
#: the history: built on the first day, changed on each of the following ones
FIRST = datetime(2026, 11, 1, 10, 0, tzinfo=SHANGHAI)
DAYS = 12


def _moment(day, rng):
    return datetime.combine(day, time(rng.randint(7, 22), rng.randint(0, 59)), tzinfo=SHANGHAI)


def _change_a_day(rng, day, user):
    """Changes entered on ``day`` as the services leave them: works items moved on (some
    finishes back-dated), budgets revised, items dropped from scope; hazards notified,
    closed, re-dated; patrols filed (some for earlier days), misses registered; an
    arrangement ended back-dated; a re-inspection finding a relapse; an acceptance form
    moving; now and then a compound archived."""
    items = list(EstateWorksItem.objects.order_by("pk"))
    for item in rng.sample(items, min(len(items), 6)):
        order = list(S.values)
        item.status = order[min(order.index(item.status) + rng.choice([0, 1, 1, 2]), 4)]
        if item.status in (S.UNDER_CONSTRUCTION, S.COMPLETED, S.ACCEPTED):
            item.actual_start = item.actual_start or day - timedelta(days=rng.randint(0, 5))
        if item.status in (S.COMPLETED, S.ACCEPTED):
            finish = day - timedelta(days=rng.randint(0, 3))
            item.actual_finish = item.actual_finish or max(finish, item.actual_start)
        if rng.random() < 0.2:
            item.budget = Decimal(rng.randint(0, 900000)) / 100
        if rng.random() < 0.1:
            item.applicable = not item.applicable
        item.save()
        record_state(item)
    hazards = list(
        Hazard.objects.exclude(status=Hazard.Status.CLOSED)
        .filter(contractor__isnull=False)
        .order_by("pk")
    )
    for hazard in rng.sample(hazards, min(len(hazards), 3)):
        if rng.random() < 0.5:
            hazard.status, hazard.closed_at = Hazard.Status.CLOSED, timezone.now()
        else:
            hazard.status = Hazard.Status.NOTIFIED
            hazard.deadline = day + timedelta(days=rng.randint(-4, 4))
        hazard.save()
        record_state(hazard)
    estates = list(Estate.objects.filter(archived_at__isnull=True).order_by("pk"))
    if estates:
        _hazard(rng, rng.choice(estates), user, day)
    for estate in rng.sample(estates, min(len(estates), 8)):
        on = day - timedelta(days=rng.choice([0, 0, 0, 1, 2]))
        if not PatrolRecord.objects.filter(estate=estate, date=on).exists():
            PatrolRecord.objects.create(
                estate=estate,
                street_office=estate.community.street_office,
                date=on,
                time=time(9, 30),
                patrollers="王建国",
                filed_by=user,
            )
    yesterday = day - timedelta(days=1)
    for estate in rng.sample(estates, min(len(estates), 3)):
        if not PatrolRecord.objects.filter(estate=estate, date=yesterday).exists():
            MissedPatrol.objects.get_or_create(
                estate=estate, date=yesterday, street_office=estate.community.street_office
            )
    MissedPatrolRun.objects.get_or_create(date=yesterday, defaults={"actor": user})
    arrangement = ManagementArrangement.objects.filter(ended_on__isnull=True).order_by("?").first()
    if arrangement is not None and rng.random() < 0.5:
        arrangement.ended_on = day - timedelta(days=rng.randint(0, 6))
        arrangement.save()
        record_state(arrangement)
    if estates and rng.random() < 0.5:
        estate = rng.choice(estates)
        rectified = rng.random() < 0.5
        Reinspection.objects.create(
            estate=estate,
            due_on=day - timedelta(days=rng.randint(0, 3)),
            status=Reinspection.Status.RECTIFIED if rectified else Reinspection.Status.RELAPSED,
            inspected_on=day - timedelta(days=rng.randint(0, 2)),
            inspected_by=user,
            follow_up_on=day + timedelta(days=rng.randint(-1, 3)) if rectified else None,
            follow_up_by=user if rectified else None,
        )
    if estates and rng.random() < 0.6:
        estate = rng.choice(estates)
        form, _ = AcceptanceForm.objects.get_or_create(
            estate=estate,
            defaults={"opened_at": timezone.now(), "status_changed_at": timezone.now()},
        )
        # The figures read the status changes (the form's own row keeps its draft).
        status = rng.choice(list(AcceptanceForm.Status.values))
        AcceptanceStatusChange.objects.create(
            form=form, round_number=1, status=status, at=timezone.now()
        )
    if rng.random() < 0.5:
        _contract(rng, day)
    if estates and rng.random() < 0.15:
        estate = rng.choice(estates)
        estate.archived_at = timezone.now()
        estate.save(update_fields=["archived_at"])


def _contract(rng, day):
    """A tender package over a few compound-items not in one yet, awarded with a contract
    signed on ``day`` or a few days before (entered late)."""
    from tests.works.factories import CompanyFactory
    from works.models import Bid, Contract, TenderPackage, TenderPackageItem

    free = list(
        EstateWorksItem.objects.filter(estate__campaign__isnull=False)
        .exclude(package_items__is_active=True)
        .order_by("pk")
    )
    if not free:
        return
    number = TenderPackage.objects.count() + 1
    package = TenderPackage.objects.create(
        campaign=free[0].estate.campaign,
        number=f"ZY-{number:03d}",
        name="标段",
        control_price=Decimal("900000"),
        bid_opening_date=day,
    )
    for item in rng.sample(free, min(len(free), 3)):
        TenderPackageItem.objects.create(package=package, works_item=item, is_active=True)
    contractor = CompanyFactory()
    bid = Bid.objects.create(package=package, contractor=contractor, amount=Decimal("420000.50"))
    Contract.objects.create(
        package=package,
        winning_bid=bid,
        number=f"HT-{number:03d}",
        contractor=contractor,
        supervisor=CompanyFactory(supervisor=True),
        amount=bid.amount,
        signed_on=day - timedelta(days=rng.randint(0, 4)),
        planned_start=day,
        planned_finish=day + timedelta(days=60),
    )


@pytest.fixture(scope="module")
def history(django_db_setup, django_db_blocker):
    """A district built on 11-01 and changed on each of the next ``DAYS`` days (time
    frozen at each change), once for the module (``rolled_back``; about 4 s to build) and
    with time frozen at the run's moment through its tests; returns (the days, the
    run's moment)."""
    import time_machine

    rng = random.Random(16)
    with rolled_back(django_db_blocker), time_machine.travel(FIRST, tick=False) as traveller:
        hq_staff = UserFactory(username="hq", hq_staff=True)
        build_district(16, estates=45, user=hq_staff, today=FIRST.date())
        for n in range(1, DAYS + 1):
            day = FIRST.date() + timedelta(days=n)
            traveller.move_to(_moment(day, rng))
            _change_a_day(rng, day, hq_staff)
        now = datetime.combine(day, time(23, 30), tzinfo=SHANGHAI)
        traveller.move_to(now)
        days = [FIRST.date() - timedelta(days=2) + timedelta(days=i) for i in range(DAYS + 3)]
        yield days, now


def test_the_history_has_changes_on_many_days(history):
    first_days = {
        timezone.localdate(v) for v in WorksItemHistory.objects.values_list("valid_from", flat=True)
    }
    assert len(first_days) >= DAYS
    assert HazardHistory.objects.filter(valid_to__isnull=False).exists()
    assert ArrangementHistory.objects.filter(valid_to__isnull=False).exists()
    assert Estate.objects.filter(archived_at__isnull=False).exists()


def _levels(source):
    levels = [Kind.COMMUNITY, Kind.STREET_OFFICE]
    return [*levels[levels.index(source.finest) :], None]


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.name)
def test_each_source_over_the_days_equals_its_as_of_functions_on_each_day(source, history):
    days, now = history
    units = all_units()
    ranges = Ranges(days, now=now)
    for by in _levels(source):
        for on in days:
            plain = Day(on, units, now=now)
            ranged = Day(on, units, now=now, ranges=ranges)
            scope = plain.scope(campaign=source.campaign)
            expected = source.fn(scope, on, by, now)
            got = ranged._values(source, ranged.scope(campaign=source.campaign), by)
            assert _clean(got) == _clean(expected), (source.name, by, on)


def _clean(values):
    """Results compared as numbers: a unit or works item whose figures are all zero is
    the same as one left out (the per-day queries group only rows that exist)."""
    if isinstance(values, dict):
        cleaned = {k: _clean(v) for k, v in values.items()}
        return {k: v for k, v in cleaned.items() if v not in (0, {}, None, [])}
    if isinstance(values, list):
        return sorted(values)
    return values


def _rows(rows):
    return {(r.unit_kind, r.unit_id, r.date, r.metric, r.item): r.value for r in rows}


def test_rows_over_the_days_equal_the_rows_computed_day_by_day(history):
    days, now = history
    units = all_units()
    ranged = _rows(rollup.compute(units, days, now=now, ranges=True))
    daily = _rows(rollup.compute(units, days, now=now, ranges=False))
    assert ranged == daily
    # The data reach every kind of figure: each of these is non-zero on some day.
    seen = {metric for (_k, _u, _d, metric, _i), value in daily.items() if value}
    assert seen >= {
        "phase_under_construction",
        "estates_overdue",
        "budget_contracted",
        "contracts",
        "patrols_due",
        "hazards_overdue",
        "hazard_close_days_median",
        "quality_sent",
        "coverage_covered",
        "coverage_target_met",
        "coverage_relapsed",
        "coverage_mode_community",
        "coverage_expiring",
        "coverage_overdue",
        "acceptance_submitted",
        "weekly_missing",
        "actions_overdue",
    }


def test_rows_with_the_history_shared_between_sources_equal_the_rows_day_by_day(history):
    # As a run over every unit on PostgreSQL computes them: each source's range variant
    # reads the works items' history of every compound once for them all.
    from estates.ranges import sharing

    days, now = history
    units = all_units()
    with sharing():
        shared = _rows(rollup.compute(units, days, now=now, ranges=True))
    assert shared == _rows(rollup.compute(units, days, now=now, ranges=False))


def test_the_sources_sharing_the_history_read_it_once(history):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from estates.ranges import sharing

    days, now = history
    table = WorksItemHistory._meta.db_table
    with sharing(), CaptureQueriesContext(connection) as queries:
        rollup.compute(all_units(), days, now=now, ranges=True)
    # Not counted: the grouped read of budgets by works item, which only one source makes.
    reads = [q for q in queries if table in q["sql"] and "GROUP BY" not in q["sql"]]
    assert len(reads) == 1


def test_a_dates_run_stores_what_the_raw_rows_give(history):
    days, now = history
    run = services.request_rollup(
        kind=RollupRun.Kind.DATES, date_from=days[0], date_to=days[-1], enqueue=False
    )
    assert services.execute_rollup(run.pk).status == RollupRun.Status.DONE
    stored = {
        (s.unit_kind, s.unit_id, s.date, s.metric): s.value for s in Snapshot.objects.filter(item=0)
    }
    district = next(u for u in all_units() if u.kind == Kind.DISTRICT)
    for on in days:
        answer = _raw_answer(on, now)
        for metric, value in answer.items():
            assert stored[(district.kind, district.id, on, metric)] == value, (on, metric)


def _raw_answer(on, now) -> dict:
    """Some figures of the whole district on ``on``, counted here from the raw rows and
    history rows in plain Python (never through the app's queries)."""
    end = datetime.combine(on + timedelta(days=1), time.min, tzinfo=SHANGHAI)

    def in_force(row):
        return row.valid_from < end and (row.valid_to is None or row.valid_to >= end)

    ledger = {
        e.pk: e
        for e in Estate.objects.all()
        if e.created_at < end and (e.archived_at is None or e.archived_at >= end)
    }
    items = [h for h in WorksItemHistory.objects.all() if in_force(h) and h.applicable]
    hazards = [h for h in HazardHistory.objects.all() if in_force(h)]
    campaign_estates = {pk for pk, e in ledger.items() if e.campaign_id is not None}
    campaign_items = [i for i in items if i.estate_id in campaign_estates]
    statuses = {}
    for i in items:
        statuses.setdefault(i.estate_id, []).append(i.status)
    renovated = {
        pk
        for pk in ledger
        if statuses.get(pk) and all(s in (S.COMPLETED, S.ACCEPTED) for s in statuses[pk])
    }
    arrangements = [
        a
        for a in ArrangementHistory.objects.all()
        if in_force(a)
        and a.start_date <= on
        and (a.expires_on is None or a.expires_on >= on)
        and (a.ended_on is None or a.ended_on >= on)
    ]
    covered = {a.estate_id for a in arrangements} & set(ledger)
    closed = [h for h in Hazard.objects.all() if h.closed_at is not None and h.closed_at < end]
    return {
        "estates": len(campaign_estates),
        "items_total": len(campaign_items),
        "items_completed": sum(i.status in (S.COMPLETED, S.ACCEPTED) for i in campaign_items),
        "budget": sum((i.budget for i in campaign_items), Decimal("0")),
        "patrols_filed": sum(
            1 for p in PatrolRecord.objects.all() if p.date == on and p.filed_at < end
        ),
        "patrols_missed": MissedPatrol.objects.filter(date=on).count(),
        "hazards_open": sum(h.status != Hazard.Status.CLOSED for h in hazards),
        "hazards_overdue": sum(
            h.status in Hazard.OPEN_STATES and h.deadline is not None and h.deadline < on
            for h in hazards
        ),
        "hazards_closed": len(closed),
        "coverage_estates": len(ledger),
        "coverage_covered": len(covered),
        "coverage_renovated": len(renovated),
        "coverage_renovated_covered": len(renovated & covered),
    }
