"""The works list's and the schedule's figures computed the fast way give exactly the
numbers of their definitions: each is compared with an answer worked out here from the
raw rows (time frozen), not with the code's own output."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from estates.models import Estate, WorksItem
from tests.factories import EstateFactory
from tests.works.factories import CompanyFactory, EstateWorksItemFactory
from works import services
from works.models import (
    Contract,
    EstateScope,
    EstateWorksItem,
    Phase,
    ScheduleEntry,
    TenderPackageItem,
)
from works.queries import office_totals, sum_totals, with_progress_per_row
from works.sheets import DISTRICT_ESTATES

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
DAY = date(2013, 8, 5)
Status = EstateWorksItem.Status


@pytest.fixture
def district(time_machine, community_a, community_a2, community_b, hq_staff):
    """Compounds in two street offices at every stage: not started, under way, finished,
    accepted, one item not applicable, one with no scope, one planned by its contract
    only, one archived (not on the list)."""
    time_machine.move_to(datetime(2013, 8, 5, 10, 0, tzinfo=SH), tick=False)

    def estate(community, *items, schedule=None):
        made = EstateFactory(community=community)
        for number, (status, percent, budget, start, finish, applicable) in enumerate(items, 1):
            EstateWorksItemFactory(
                estate=made,
                works_item=WorksItem.objects.get(number=number),
                status=status,
                percent_complete=percent,
                budget=Decimal(budget),
                actual_start=start,
                actual_finish=finish,
                applicable=applicable,
            )
        if schedule:
            ScheduleEntry.objects.create(
                estate=made, planned_start=schedule[0], planned_finish=schedule[1]
            )
        return made

    july, sept = date(2013, 7, 1), date(2013, 9, 1)
    planned = (Status.PLANNED, 0, "1000.50", None, None, True)
    tendered = (Status.TENDERED, 0, "2000", None, None, True)
    running = (Status.UNDER_CONSTRUCTION, 40, "3000", date(2013, 7, 20), None, True)
    done = (Status.COMPLETED, 100, "4000", date(2013, 7, 5), date(2013, 8, 1), True)
    accepted = (Status.ACCEPTED, 100, "500", date(2013, 7, 2), date(2013, 7, 30), True)
    skipped = (Status.PLANNED, 0, "99999", None, None, False)
    estate(community_a, planned, tendered, skipped, schedule=(july, sept))
    estate(community_a, running, done, schedule=(date(2013, 8, 10), date(2013, 9, 20)))
    estate(community_a2, accepted, accepted)
    estate(community_a2)  # no scope
    estate(community_b, done, skipped, schedule=(date(2013, 6, 20), date(2013, 8, 2)))
    late_b = estate(community_b, planned, planned)
    archived = estate(community_b, planned)
    archived.archived_at = datetime(2013, 8, 1, tzinfo=SH)
    archived.save()
    # A contract's plan for the compound without a schedule entry.
    EstateScope.objects.create(
        estate=late_b,
        status=EstateScope.Status.APPROVED,
        approved_at=datetime(2013, 5, 1, tzinfo=SH),
        approved_by=hq_staff,
    )
    package = services.create_package(
        actor=hq_staff,
        campaign=late_b.campaign,
        number="ZY-FAST-1",
        name="测试",
        control_price=Decimal("9000"),
        bid_opening_date=date(2013, 6, 1),
        works_items=list(late_b.works_items.all()),
    )
    bid = services.record_bid(
        package, actor=hq_staff, contractor=CompanyFactory(), amount=Decimal("8000")
    )
    services.award_package(
        package,
        actor=hq_staff,
        bid=bid,
        number="HT-FAST-1",
        supervisor=CompanyFactory(supervisor=True),
        signed_on=date(2013, 6, 5),
        planned_start=date(2013, 7, 3),
        planned_finish=date(2013, 9, 25),
    )
    EstateWorksItem.objects.filter(estate=late_b, works_item__number=2).update(
        status=Status.UNDER_CONSTRUCTION, percent_complete=40, actual_start=date(2013, 7, 28)
    )


# --- the answers from raw rows --------------------------------------------------------
def _items(estate):
    return [i for i in EstateWorksItem.objects.filter(estate=estate) if i.applicable]


def _plan(estate):
    entry = ScheduleEntry.objects.filter(estate=estate).first()
    if entry:
        return entry.planned_start, entry.planned_finish
    packages = TenderPackageItem.objects.filter(
        is_active=True, works_item__estate=estate
    ).values_list("package_id", flat=True)
    contracts = list(Contract.objects.filter(package_id__in=packages))
    if not contracts:
        return None, None
    return min(c.planned_start for c in contracts), max(c.planned_finish for c in contracts)


def _reasons(estate, day):
    """The overdue reasons of ``DEFINITIONS["overdue"]``, worked out by hand: a milestone
    or planned date before ``day`` with an applicable item not yet at that stage."""
    order = list(Status.values)
    ranks = [order.index(i.status) for i in _items(estate)]
    entry = ScheduleEntry.objects.filter(estate=estate).first()
    c = estate.campaign

    def passed(*days):
        return any(d is not None and d < day for d in days)

    def behind(stage):
        return any(r < order.index(stage) for r in ranks)

    return {
        "tender": passed(c.tender_deadline) and behind(Status.TENDERED),
        "start": passed(c.construction_start_deadline, entry and entry.planned_start)
        and behind(Status.UNDER_CONSTRUCTION),
        "finish": passed(c.construction_finish_deadline, entry and entry.planned_finish)
        and behind(Status.COMPLETED),
        "acceptance": passed(c.acceptance_end) and behind(Status.ACCEPTED),
    }


def _phase(estate):
    statuses = [i.status for i in _items(estate)]
    if not statuses:
        return Phase.NO_SCOPE
    if all(s == Status.ACCEPTED for s in statuses):
        return Phase.ACCEPTED
    if all(s in (Status.COMPLETED, Status.ACCEPTED) for s in statuses):
        return Phase.COMPLETED
    if any(s in (Status.UNDER_CONSTRUCTION, Status.COMPLETED, Status.ACCEPTED) for s in statuses):
        return Phase.UNDER_CONSTRUCTION
    if Status.PLANNED not in statuses:
        return Phase.TENDERED
    return Phase.PLANNED


def _expected_offices(day):
    rows = {}
    for estate in Estate.objects.filter(archived_at__isnull=True).select_related(
        "community", "campaign"
    ):
        row = rows.setdefault(
            estate.community.street_office_id,
            {"estates": 0, "overdue": 0, "items": [], "plans": []},
        )
        row["estates"] += 1
        row["overdue"] += any(_reasons(estate, day).values())
        row["items"] += _items(estate)
        row["plans"].append(_plan(estate))
    return rows


def test_office_totals_are_the_figures_of_the_raw_rows(district):
    expected = _expected_offices(DAY)
    rows = {r["community__street_office"]: r for r in office_totals(DISTRICT_ESTATES, DAY)}

    assert set(rows) == set(expected)
    for office, want in expected.items():
        row, items = rows[office], want["items"]
        starts = [p[0] for p in want["plans"] if p[0]]
        finishes = [p[1] for p in want["plans"] if p[1]]
        assert row["estate_count"] == want["estates"]
        assert row["overdue_count"] == want["overdue"]
        assert row["item_count"] == len(items)
        assert row["budget_total"] == sum((i.budget for i in items), Decimal(0))
        assert row["percent"] == pytest.approx(
            sum(i.percent_complete for i in items) / len(items) if items else 0.0
        )
        assert row["first_start"] == min(
            (i.actual_start for i in items if i.actual_start), default=None
        )
        assert row["last_finish"] == max(
            (i.actual_finish for i in items if i.actual_finish), default=None
        )
        assert row["planned_start"] == min(starts, default=None)
        assert row["planned_finish"] == max(finishes, default=None)


def test_the_total_row_is_the_whole_of_the_raw_rows(district):
    items = [i for e in Estate.objects.filter(archived_at__isnull=True) for i in _items(e)]
    estates = Estate.objects.filter(archived_at__isnull=True)

    total = sum_totals(office_totals(DISTRICT_ESTATES, DAY))

    assert total["estate_count"] == estates.count() == 6
    assert total["overdue_count"] == sum(any(_reasons(e, DAY).values()) for e in estates)
    assert total["item_count"] == len(items)
    assert total["budget_total"] == sum((i.budget for i in items), Decimal(0))
    assert total["percent"] == pytest.approx(sum(i.percent_complete for i in items) / len(items))


def test_office_totals_of_one_street_office_leave_the_others_out(district, street_a):
    rows = office_totals(DISTRICT_ESTATES.filter(community__street_office=street_a), DAY)

    assert [r["community__street_office"] for r in rows] == [street_a.pk]
    assert rows[0]["estate_count"] == 4


@pytest.mark.parametrize("day", [DAY, date(2013, 7, 25), date(2013, 12, 1)])
def test_per_row_progress_is_each_compounds_raw_rows(district, day):
    estates = Estate.objects.filter(archived_at__isnull=True)

    found = {e.pk: e for e in with_progress_per_row(estates, day)}

    for estate in estates:
        row, items, reasons = found[estate.pk], _items(estate), _reasons(estate, day)
        assert row.item_count == len(items)
        assert row.budget_total == sum((i.budget for i in items), Decimal(0))
        assert row.percent == pytest.approx(
            sum(i.percent_complete for i in items) / len(items) if items else 0.0
        )
        assert row.first_start == min(
            (i.actual_start for i in items if i.actual_start), default=None
        )
        assert row.phase == _phase(estate)
        assert {k: getattr(row, f"overdue_{k}") for k in reasons} == reasons
        assert row.is_overdue == any(reasons.values())


def test_the_fixture_covers_every_reason_and_phase(district):
    """The comparisons above mean something: the data set has each case."""
    estates = Estate.objects.filter(archived_at__isnull=True)
    phases = {_phase(e) for e in estates}
    late = {k for e in estates for k, v in _reasons(e, DAY).items() if v}
    late_later = {
        k for e in estates for k, v in _reasons(e, DAY + timedelta(days=120)).items() if v
    }

    assert phases == {
        Phase.NO_SCOPE,
        Phase.PLANNED,
        Phase.UNDER_CONSTRUCTION,
        Phase.ACCEPTED,
        Phase.COMPLETED,
    }
    assert {"tender", "start"} <= late
    assert {"finish", "acceptance"} <= late_later


@pytest.mark.parametrize("value", ["true", "false"])
def test_api_overdue_filter_is_the_items_of_overdue_compounds(district, api_as, hq_staff, value):
    estates = Estate.objects.all()  # the API lists archived compounds' items too
    late = {e.pk for e in estates if any(_reasons(e, DAY).values())}
    expected = {
        i.pk for i in EstateWorksItem.objects.all() if (i.estate_id in late) == (value == "true")
    }

    found = api_as(hq_staff).get("/api/estate-works/", {"overdue": value, "page_size": 100}).json()

    assert found["next"] is None  # one page holds them all
    assert {r["id"] for r in found["results"]} == expected
    assert {r["estate_overdue"] for r in found["results"]} == {value == "true"}


def test_api_list_flags_each_item_by_its_compound(district, api_as, hq_staff):
    late = {e.pk for e in Estate.objects.all() if any(_reasons(e, DAY).values())}

    found = api_as(hq_staff).get("/api/estate-works/").json()["results"]

    assert found and {r["id"]: r["estate_overdue"] for r in found} == {
        r["id"]: r["estate"] in late for r in found
    }
    assert {r["estate_overdue"] for r in found} == {True, False}
