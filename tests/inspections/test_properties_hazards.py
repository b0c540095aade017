"""Property: the hazard figures as of any day equal a brute-force count from the events.

Hypothesis draws random hazard histories (reported, notified with a deadline, rectified,
re-inspected passing or failing with a new deadline, closed off) at random times over
four weeks in two street offices; each move is saved at its moment with time frozen
there, the way the services save it (state and history in one go). For random days
and weeks the figures of ``inspections.queries`` must equal what this module counts
from the drawn events alone: the last event before the end of the day gives a hazard's
status and deadline then."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from estates.asof import Period, Scope
from inspections import queries
from inspections.models import Hazard
from tests.factories import EstateFactory, record_state
from tests.inspections.factories import ContractorFactory, HazardFactory

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
H = Hazard.Status
BASE = date(2013, 7, 1)
SETTINGS = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def moment(day_offset: int, hour: int) -> datetime:
    return datetime.combine(BASE + timedelta(days=day_offset), time(hour), tzinfo=SH)


@dataclass
class DrawnHazard:
    estate: int
    reported: datetime
    #: (moment, status, deadline) in time order, the report first
    states: list = field(default_factory=list)


@st.composite
def hazard_histories(draw):
    hazards = []
    for _ in range(draw(st.integers(1, 6))):
        day = draw(st.integers(0, 20))
        reported = moment(day, draw(st.integers(8, 20)))
        drawn = DrawnHazard(estate=draw(st.integers(0, 2)), reported=reported)
        drawn.states.append((drawn.reported, H.OPEN, None))
        status, deadline = H.OPEN, None
        for _ in range(draw(st.integers(0, 6))):
            day += draw(st.integers(0, 4))
            at = moment(day, draw(st.integers(8, 20)))
            if at <= drawn.states[-1][0]:  # the same day, earlier hour: just after
                at = drawn.states[-1][0] + timedelta(minutes=5)
            if status == H.OPEN:
                status, deadline = H.NOTIFIED, at.date() + timedelta(days=draw(st.integers(0, 6)))
            elif status == H.NOTIFIED:
                status = H.RECTIFIED
            elif status == H.RECTIFIED:
                if draw(st.booleans()):
                    status = H.VERIFIED
                else:  # failed re-inspection: back to notified with a new deadline
                    status = H.NOTIFIED
                    deadline = at.date() + timedelta(days=draw(st.integers(0, 5)))
            elif status == H.VERIFIED:
                status = H.CLOSED
            else:
                break
            drawn.states.append((at, status, deadline))
        hazards.append(drawn)
    return hazards


def state_at(drawn: DrawnHazard, day: date):
    """(status, deadline) recorded by the end of ``day``, or None before the report."""
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=SH)
    found = None
    for at, status, deadline in drawn.states:
        if at < end:
            found = (status, deadline)
    return found


def local_range(period: Period):
    start = datetime.combine(period.start, time.min, tzinfo=SH)
    end = datetime.combine(period.as_of + timedelta(days=1), time.min, tzinfo=SH)
    return start, end


def by_office(drawn_hazards, offices, keep):
    counts = {}
    for drawn in drawn_hazards:
        if keep(drawn):
            office = offices[drawn.estate]
            counts[office] = counts.get(office, 0) + 1
    return counts


def nonzero(result):
    return {unit: n for unit, n in result.items() if n}


@pytest.fixture
def compounds(community_a, community_b):
    with time_machine.travel(moment(-10, 9), tick=False):
        estates = [
            EstateFactory(community=community_a, name="甲一院"),
            EstateFactory(community=community_a, name="甲二院"),
            EstateFactory(community=community_b, name="乙一院"),
        ]
    return estates


def enter(drawn_hazards, estates, reporter):
    """Save every drawn move at its moment, in time order across hazards."""
    contractor = ContractorFactory()
    moves = []
    for index, drawn in enumerate(drawn_hazards):
        for at, status, deadline in drawn.states:
            moves.append((at, index, status, deadline))
    records = {}
    for at, index, status, deadline in sorted(moves, key=lambda m: (m[0], m[1])):
        with time_machine.travel(at, tick=False):
            if index not in records:
                records[index] = HazardFactory(
                    estate=estates[drawn_hazards[index].estate], reported_by=reporter
                )
                continue
            hazard = records[index]
            hazard.status, hazard.deadline, hazard.contractor = status, deadline, contractor
            stamp = {
                H.NOTIFIED: "notified_at",
                H.RECTIFIED: "rectified_at",
                H.VERIFIED: "verified_at",
                H.CLOSED: "closed_at",
            }[status]
            setattr(hazard, stamp, at)
            hazard.save()
            record_state(hazard)


days = st.integers(-2, 30).map(lambda n: BASE + timedelta(days=n))


@SETTINGS
@given(history=hazard_histories(), day=days)
def test_hazard_states_as_of_a_day_match_the_events(compounds, clerk_a, history, day):
    offices = [e.community.street_office_id for e in compounds]
    with transaction.atomic():
        enter(history, compounds, clerk_a)
        scope = Scope.district()

        def counted(keep):
            return by_office(history, offices, lambda d: (s := state_at(d, day)) and keep(*s))

        expected_open = counted(lambda status, deadline: status != H.CLOSED)
        expected_overdue = counted(
            lambda status, deadline: (
                status in (H.OPEN, H.NOTIFIED) and deadline is not None and deadline < day
            )
        )
        expected_awaiting = counted(lambda status, deadline: status == H.RECTIFIED)

        assert nonzero(queries.open_hazards(scope, day, by="street_office")) == expected_open
        assert nonzero(queries.overdue_hazards(scope, day, by="street_office")) == expected_overdue
        assert (
            nonzero(queries.hazards_awaiting_check(scope, day, by="street_office"))
            == expected_awaiting
        )
        assert queries.open_hazards(scope, day) == sum(expected_open.values())
        transaction.set_rollback(True)


@SETTINGS
@given(history=hazard_histories(), start=days, today_after=st.integers(0, 10))
def test_hazards_found_and_closed_in_a_week_match_the_events(
    compounds, clerk_a, history, start, today_after
):
    offices = [e.community.street_office_id for e in compounds]
    period = Period(start, start + timedelta(days=6), start + timedelta(days=today_after))
    low, high = local_range(period)
    with transaction.atomic():
        enter(history, compounds, clerk_a)
        scope = Scope.district()
        found = by_office(history, offices, lambda d: low <= d.reported < high)
        closed = by_office(
            history,
            offices,
            lambda d: any(s == H.CLOSED and low <= at < high for at, s, _ in d.states),
        )
        assert nonzero(queries.hazards_found(scope, period, by="street_office")) == found
        assert nonzero(queries.hazards_closed(scope, period, by="street_office")) == closed
        transaction.set_rollback(True)
