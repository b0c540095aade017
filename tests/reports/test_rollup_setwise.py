"""The set-wise roll-up: weekly reports and action items as figures on a hand-built
fixture; an incremental run that recomputes some street offices (and carries the district
forward) equals a full one; the number of queries a day takes does not grow with the
number of units; the weekly pack carries the league and the dashboard's charts."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reports import rollup, services
from reports.models import RollupRun, Snapshot
from reports.units import all_units
from tests.factories import CommunityFactory, EstateFactory, StreetOfficeFactory
from tests.reports.conftest import BRIEF, at
from tests.reports.data import build_district

pytestmark = pytest.mark.django_db

WEEK = date(2013, 7, 9)  # a Tuesday: reports due at 12:00


def _stored(on, *keys):
    rows = Snapshot.objects.filter(date=on, item=0, metric__in=keys)
    return {(r.unit_kind, r.unit_id, r.metric): r.value for r in rows}


def _run_dates(start, end):
    run = services.request_rollup(
        kind=RollupRun.Kind.DATES, date_from=start, date_to=end, enqueue=False
    )
    return services.execute_rollup(run.pk)


@pytest.fixture
def cycle(hq_staff, clerk_a, clerk_b, street_a, street_b):
    """林山寨 reports on time, 建设路 late, a third street office not at all; three action
    items: one of 林山寨 overdue from 07-11, one of 建设路 closed on 07-11, one the HQ
    office keeps, overdue from 07-11."""
    silent = StreetOfficeFactory(name="须水街道办事处")
    for clerk, office, when in (
        (clerk_a, street_a, (2013, 7, 8, 16, 0)),
        (clerk_b, street_b, (2013, 7, 9, 15, 30)),
    ):
        with at(*when):
            report = services.save_report_draft(
                actor=clerk, street_office=office, week=WEEK, values=dict(BRIEF)
            )
            services.submit_report(report, actor=clerk)
    with at(2013, 7, 9, 16, 0):
        meeting = services.record_meeting(
            actor=hq_staff, values={"date": WEEK, "chair": "王主任", "attendees": "各街道"}
        )
        deadline = date(2013, 7, 10)
        services.assign_action_item(
            meeting, actor=hq_staff, title="路灯", assignee=street_a, deadline=deadline
        )
        closed = services.assign_action_item(
            meeting, actor=hq_staff, title="车棚", assignee=street_b, deadline=date(2013, 7, 20)
        )
        services.assign_action_item(
            meeting, actor=hq_staff, title="协调供电", assignee=None, deadline=deadline
        )
    with at(2013, 7, 11, 9, 0):
        services.close_action_item(closed, actor=hq_staff)
    with at(2013, 7, 12, 20, 0):
        _run_dates(date(2013, 7, 8), date(2013, 7, 12))
    return silent


WEEKLY = ("weekly_on_time", "weekly_late", "weekly_missing")
ACTIONS = ("actions_open", "actions_overdue")


def test_weekly_reports_on_time_late_and_missing_per_street_office(cycle, street_a, street_b):
    stored = _stored(date(2013, 7, 12), *WEEKLY)
    assert [stored[("street_office", street_a.pk, k)] for k in WEEKLY] == [1, 0, 0]
    assert [stored[("street_office", street_b.pk, k)] for k in WEEKLY] == [0, 1, 0]
    assert [stored[("street_office", cycle.pk, k)] for k in WEEKLY] == [0, 0, 1]
    district = street_a.district_id
    assert [stored[("district", district, k)] for k in WEEKLY] == [1, 1, 1]


def test_the_week_before_counts_every_street_office_missing(cycle, street_a):
    # 07-08 falls in the week due 07-02, for which nothing was submitted.
    stored = _stored(date(2013, 7, 8), *WEEKLY)
    assert [stored[("district", street_a.district_id, k)] for k in WEEKLY] == [0, 0, 3]


def test_action_items_open_and_overdue_and_the_district_counts_the_hq_office(
    cycle, street_a, street_b
):
    on_10, on_12 = _stored(date(2013, 7, 10), *ACTIONS), _stored(date(2013, 7, 12), *ACTIONS)
    district = ("district", street_a.district_id)
    # 07-10: all three open, none overdue (the deadline day is not late).
    assert [on_10[(*district, k)] for k in ACTIONS] == [3, 0]
    assert on_10[("street_office", street_b.pk, "actions_open")] == 1
    # 07-12: 建设路's was closed on 07-11; 林山寨's and the HQ office's are overdue.
    assert [on_12[("street_office", street_a.pk, k)] for k in ACTIONS] == [1, 1]
    assert [on_12[("street_office", street_b.pk, k)] for k in ACTIONS] == [0, 0]
    assert [on_12[(*district, k)] for k in ACTIONS] == [2, 2]


def test_a_day_before_the_records_existed_counts_nothing(cycle, street_a):
    stored = _stored(date(2013, 7, 9), *ACTIONS)
    # The meeting was at 16:00 on 07-09: its items count from the end of that day.
    assert stored[("district", street_a.district_id, "actions_open")] == 3
    _run_dates(date(2013, 7, 8), date(2013, 7, 8))
    assert (
        _stored(date(2013, 7, 8), *ACTIONS)[("district", street_a.district_id, "actions_open")] == 0
    )


def _full(today):
    return {
        (r.unit_kind, r.unit_id, r.metric, r.item): r.value
        for r in rollup.compute(all_units(), [today], now=timezone.now())
    }


def _all_stored(today):
    return {
        (s.unit_kind, s.unit_id, s.metric, s.item): s.value
        for s in Snapshot.objects.filter(date=today)
    }


def test_incremental_of_some_street_offices_equals_full(hq_staff, clerk_a, street_a, frozen, today):
    from inspections import services as inspections
    from tests.inspections.factories import under_construction
    from works import services as works
    from works.models import EstateWorksItem

    offices, _ = build_district(12, estates=30, user=hq_staff, today=today)
    estate = EstateFactory(community=CommunityFactory(street_office=street_a))
    under_construction(estate, start=today - timedelta(days=3))
    tendered = EstateWorksItem.objects.filter(
        estate__community__street_office=offices[0],
        status=EstateWorksItem.Status.TENDERED,
        applicable=True,
    ).first()
    services.execute_rollup(services.request_rollup(trigger="test", enqueue=False).pk)
    frozen.shift(timedelta(minutes=10))
    inspections.file_patrol(
        actor=clerk_a, estate=estate, values={"patrollers": "王建国", "findings": "正常"}
    )
    works.start_item(tendered, actor=hq_staff, on=today)
    frozen.shift(timedelta(minutes=10))
    run = services.execute_rollup(services.request_rollup(trigger="test", enqueue=False).pk)
    assert run.status == RollupRun.Status.DONE
    # Two street offices, their changed communities and the district, not every unit.
    assert run.units == 5 < len(all_units())
    assert _all_stored(today) == _full(today)


def _day_queries(today):
    with CaptureQueriesContext(connection) as queries:
        rollup.compute(all_units(), [today], now=timezone.now())
    return len(queries.captured_queries)


def test_the_queries_of_a_day_do_not_grow_with_the_number_of_units(hq_staff, today):
    build_district(21, estates=10, user=hq_staff, today=today)
    small = _day_queries(today)
    for n in range(6):
        community = CommunityFactory(street_office=StreetOfficeFactory(name=f"增补{n}街道办事处"))
        EstateFactory(community=community)
    assert len(all_units()) >= 10 + 12
    assert _day_queries(today) == small
