"""Property: the works figures as of any day equal a brute-force count from the events.

Hypothesis draws random works histories: compound-items started and finished through
the services (``start_item``, ``finish_item``), each move entered at a random moment on
or after the date it reports (so a finish may be back-dated by days). For random days
and weeks the figures of ``works.queries`` must equal what this module derives from the
drawn events alone: a move counts for day D only when it was *entered* before the end
of D, whatever date it reports."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from estates.asof import Period, Scope
from estates.models import Campaign, WorksItem
from tests.factories import EstateFactory
from tests.works.factories import EstateWorksItemFactory
from works import queries, services
from works.models import EstateWorksItem, Phase

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
S = EstateWorksItem.Status
BASE = date(2013, 7, 1)
SETTINGS = settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
#: The fixture's campaign: start by BASE+8, finish by BASE+20, acceptance by BASE+26.
START_BY, FINISH_BY, ACCEPT_BY = (BASE + timedelta(days=n) for n in (8, 20, 26))


def moment(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=SH)


def end_of(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=SH)


@dataclass
class DrawnItem:
    estate: int
    number: int
    start: date | None = None
    start_entered: datetime | None = None
    finish: date | None = None
    finish_entered: datetime | None = None

    def at(self, day: date):
        """(status, actual_start, actual_finish, percent) as recorded by the end of day."""
        started = self.start_entered is not None and self.start_entered < end_of(day)
        finished = self.finish_entered is not None and self.finish_entered < end_of(day)
        if finished:
            return S.COMPLETED, self.start, self.finish, 100
        if started:
            return S.UNDER_CONSTRUCTION, self.start, None, 0
        return S.TENDERED, None, None, 0


@st.composite
def works_histories(draw):
    items, used = [], set()
    for _ in range(draw(st.integers(1, 7))):
        estate, number = draw(st.integers(0, 3)), draw(st.integers(1, 4))
        if (estate, number) in used:
            continue
        used.add((estate, number))
        drawn = DrawnItem(estate, number)
        if draw(st.booleans()) or draw(st.booleans()):
            drawn.start = BASE + timedelta(days=draw(st.integers(0, 20)))
            entered = drawn.start + timedelta(days=draw(st.integers(0, 5)))
            drawn.start_entered = moment(entered, draw(st.integers(8, 20)))
            if draw(st.booleans()):
                drawn.finish = drawn.start + timedelta(days=draw(st.integers(0, 12)))
                # Entered on or after the finish date and after the start's entry: a
                # lag of several days is a back-dated finish.
                day = max(drawn.finish, drawn.start_entered.date()) + timedelta(
                    days=draw(st.integers(0, 6))
                )
                at = moment(day, draw(st.integers(8, 20)))
                drawn.finish_entered = max(at, drawn.start_entered + timedelta(minutes=5))
        items.append(drawn)
    return items


@pytest.fixture
def compounds(community_a, community_b):
    campaign = Campaign.objects.create(
        year=2013,
        name="2013年度",
        tender_deadline=BASE,
        construction_start_deadline=START_BY,
        construction_finish_deadline=FINISH_BY,
        acceptance_start=FINISH_BY + timedelta(days=1),
        acceptance_end=ACCEPT_BY,
    )
    with time_machine.travel(moment(BASE - timedelta(days=10), 9), tick=False):
        return [
            EstateFactory(community=community, campaign=campaign)
            for community in (community_a, community_a, community_b, community_b)
        ]


def enter(history, estates, clerks):
    """Create the items (tendered) before the campaign, then make every move through
    the services at the moment it was entered, in time order."""
    with time_machine.travel(moment(BASE - timedelta(days=5), 9), tick=False):
        rows = [
            EstateWorksItemFactory(
                estate=estates[d.estate],
                works_item=WorksItem.objects.get(number=d.number),
                status=S.TENDERED,
            )
            for d in history
        ]
    moves = []
    for row, drawn in zip(rows, history, strict=True):
        if drawn.start_entered:
            moves.append((drawn.start_entered, 0, row, services.start_item, drawn.start))
        if drawn.finish_entered:
            moves.append((drawn.finish_entered, 1, row, services.finish_item, drawn.finish))
    for at, _, row, move, day in sorted(moves, key=lambda m: (m[0], m[1], m[2].pk)):
        with time_machine.travel(at, tick=False):
            move(row, actor=clerks[row.estate.community.street_office_id], on=day)


def expected_phase(states):
    if not states:
        return Phase.NO_SCOPE
    statuses = [status for status, *_ in states]
    if all(s == S.COMPLETED for s in statuses):
        return Phase.COMPLETED
    if any(s in (S.UNDER_CONSTRUCTION, S.COMPLETED) for s in statuses):
        return Phase.UNDER_CONSTRUCTION
    return Phase.TENDERED


def expected_overdue(states, day):
    """The fixture's milestones passed (the day itself not late) with an item behind."""
    statuses = [status for status, *_ in states]
    if not statuses:
        return False
    not_started = any(s == S.TENDERED for s in statuses)
    not_finished = any(s != S.COMPLETED for s in statuses)
    return (
        (day > START_BY and not_started)
        or (day > FINISH_BY and not_finished)
        or day > ACCEPT_BY  # nothing is accepted in these histories
    )


@pytest.fixture
def clerks(clerk_a, clerk_b, street_a, street_b):
    return {street_a.pk: clerk_a, street_b.pk: clerk_b}


days = st.integers(-2, 36).map(lambda n: BASE + timedelta(days=n))


def _started(estate, number, on):
    return DrawnItem(estate, number, start=on, start_entered=moment(on, 9))


@SETTINGS
@given(history=works_histories(), day=days)
# Each milestone's day (not late) and the day after it (late), whatever the draw gives.
@example(history=[DrawnItem(0, 1), _started(1, 1, BASE)], day=START_BY)
@example(history=[DrawnItem(0, 1), _started(1, 1, BASE)], day=START_BY + timedelta(days=1))
@example(history=[_started(2, 2, BASE)], day=FINISH_BY + timedelta(days=1))
@example(history=[_started(3, 3, BASE)], day=ACCEPT_BY)
def test_phases_overdue_and_progress_as_of_a_day_match_the_events(compounds, clerks, history, day):
    with transaction.atomic():
        enter(history, compounds, clerks)
        scope = Scope.district()
        states = {i: [d.at(day) for d in history if d.estate == i] for i in range(4)}

        phases = dict.fromkeys(Phase.values, 0)
        for i in range(4):
            phases[expected_phase(states[i])] += 1
        assert queries.estate_phases(scope, day) == phases

        overdue = sum(expected_overdue(states[i], day) for i in range(4))
        assert queries.overdue_count(scope, day) == overdue
        # The home panel's one read gives the same counts and lists the late by name.
        late = sorted(
            (compounds[i].name, compounds[i].pk)
            for i in range(4)
            if expected_overdue(states[i], day)
        )
        assert queries.standing_on(scope, day) == (phases, [pk for _, pk in late])

        all_states = [s for i in range(4) for s in states[i]]
        assert queries.progress_points(scope, day) == {
            "items": len(all_states),
            "points": sum(percent for *_, percent in all_states),
        }

        building = {
            compounds[i].pk
            for i in range(4)
            for status, start, finish, _ in states[i]
            if start is not None and start <= day and (finish is None or finish >= day)
        }
        assert set(queries.estates_under_construction_on(day).values_list("pk", flat=True)) == (
            building
        )
        transaction.set_rollback(True)


@SETTINGS
@given(history=works_histories(), start=days, today_after=st.integers(0, 10))
def test_items_started_and_finished_in_a_week_match_the_events(
    compounds, clerks, history, start, today_after
):
    period = Period(start, start + timedelta(days=6), start + timedelta(days=today_after))
    offices = [e.community.street_office_id for e in compounds]
    with transaction.atomic():
        enter(history, compounds, clerks)
        scope = Scope.district()

        def count(field):
            counts = {}
            for drawn in history:
                recorded = dict(zip(("start", "finish"), drawn.at(period.as_of)[1:3], strict=True))
                value = recorded[field]
                if value is not None and period.start <= value <= period.as_of:
                    office = offices[drawn.estate]
                    counts[office] = counts.get(office, 0) + 1
            return counts

        started = queries.items_started(scope, period, by="street_office")
        finished = queries.items_finished(scope, period, by="street_office")
        assert {k: v for k, v in started.items() if v} == count("start")
        assert {k: v for k, v in finished.items() if v} == count("finish")
        transaction.set_rollback(True)
