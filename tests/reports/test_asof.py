"""Every figure of the weekly pack true as of its date.

A district with events before and after the end of the week of 2–8 July 2013 (meeting
9 July): a hazard closed after it, one reported after it, a compound finished after it,
a back-dated finish entered after it, a verification after it. Each expected figure is
computed in this module from the raw rows and the fixture's own timeline, never by the
code under test. Time is frozen with time-machine."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from coverage import services as coverage_services
from estates.asof import Period, Scope, end_of
from estates.models import Estate, WorksItem
from inspections.models import Hazard
from reports.weekly_pack import build_pack, week_of
from tests.factories import EstateFactory, record_state
from tests.inspections.factories import ContractorFactory, HazardFactory, PatrolRecordFactory
from tests.works.factories import EstateWorksItemFactory
from works import services as works_services
from works.models import EstateWorksItem, WorksItemHistory

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
S, H = EstateWorksItem.Status, Hazard.Status
START, END, MEETING = date(2013, 7, 2), date(2013, 7, 8), date(2013, 7, 9)


def at(month, day, hour=10):
    return datetime(2013, month, day, hour, 0, tzinfo=SH)


def _item(estate, number, *, status, start=None, finish=None, budget="10000.00"):
    return EstateWorksItemFactory(
        estate=estate,
        works_item=WorksItem.objects.get(number=number),
        status=status,
        actual_start=start,
        actual_finish=finish,
        percent_complete=100 if finish else 40,
        budget=Decimal(budget),
    )


def _move(hazard, status, **values):
    """A hazard's move as its service makes it: fields set, state recorded now."""
    for name, value in values.items():
        setattr(hazard, name, value)
    if hazard.contractor_id is None:
        hazard.contractor = ContractorFactory()
    hazard.status = status
    hazard.save()
    record_state(hazard)


@pytest.fixture
def district(time_machine, community_a, community_b, hq_staff, clerk_a, clerk_b):
    """The timeline (all times Asia/Shanghai):

    20 Jun  a1, a2 (林山寨), b1 (建设路) entered; each has item 1 under construction
            since 20 Jun; a1 has item 2 planned.
    25 Jun  hazard h_closed_later (a1) reported and notified, deadline 30 Jun.
    28 Jun  hazard h_verified (a2) reported, rectified 28 Jun, re-inspected 29 Jun
            (复查合格, never closed off).
    3 Jul   hazard h_overdue (b1) reported, notified with deadline 5 Jul;
            hazard h_closed_in_week (a2) reported, closed off 6 Jul.
    4 Jul   a1 item 1 finished on 4 Jul (entered that day).
    8 Jul   a1 item 2 (under construction) notified with deadline 8 Jul (due that day,
            not overdue); a1 assessed for all four 四有 items.
    --- end of the week (8 Jul 24:00) ---
    9 Jul   hazard h_after (a1) reported; a1's four assessments verified by HQ.
    10 Jul  a2 item 1 finished on 10 Jul; b1 item 1 finished *back-dated* to 5 Jul;
            h_closed_later rectified, verified and closed off.
    """
    traveller = time_machine
    traveller.move_to(at(6, 20), tick=False)
    a1 = EstateFactory(community=community_a, name="甲一院", condition_class="gap")
    a2 = EstateFactory(community=community_a, name="甲二院", condition_class="gap")
    b1 = EstateFactory(community=community_b, name="乙一院", condition_class="gap")
    items = {
        "a1": _item(a1, 1, status=S.UNDER_CONSTRUCTION, start=date(2013, 6, 20)),
        "a1_2": _item(a1, 2, status=S.TENDERED),
        "a2": _item(a2, 1, status=S.UNDER_CONSTRUCTION, start=date(2013, 6, 20)),
        "b1": _item(b1, 1, status=S.UNDER_CONSTRUCTION, start=date(2013, 6, 20)),
    }
    hazards = {}

    traveller.move_to(at(6, 25), tick=False)
    hazards["closed_later"] = HazardFactory(estate=a1, reported_by=clerk_a)
    _move(hazards["closed_later"], H.NOTIFIED, deadline=date(2013, 6, 30), notified_at=at(6, 25))

    traveller.move_to(at(6, 28), tick=False)
    hazards["verified"] = HazardFactory(estate=a2, reported_by=clerk_a)
    _move(hazards["verified"], H.NOTIFIED, deadline=date(2013, 7, 1), notified_at=at(6, 28))
    _move(hazards["verified"], H.RECTIFIED, rectified_at=at(6, 28))
    traveller.move_to(at(6, 29), tick=False)
    _move(hazards["verified"], H.VERIFIED, verified_at=at(6, 29))

    traveller.move_to(at(7, 3), tick=False)
    hazards["overdue"] = HazardFactory(estate=b1, reported_by=clerk_b)
    _move(hazards["overdue"], H.NOTIFIED, deadline=date(2013, 7, 5), notified_at=at(7, 3))
    hazards["closed_in_week"] = HazardFactory(estate=a2, reported_by=clerk_a)
    _move(hazards["closed_in_week"], H.NOTIFIED, deadline=date(2013, 7, 9), notified_at=at(7, 3))
    traveller.move_to(at(7, 6), tick=False)
    _move(
        hazards["closed_in_week"],
        H.CLOSED,
        rectified_at=at(7, 6),
        verified_at=at(7, 6),
        closed_at=at(7, 6),
    )

    traveller.move_to(at(7, 4), tick=False)
    works_services.finish_item(items["a1"], actor=clerk_a, on=date(2013, 7, 4))
    traveller.move_to(at(7, 8), tick=False)
    works_services.start_item(items["a1_2"], actor=clerk_a, on=date(2013, 7, 8))
    hazards["due_today"] = HazardFactory(estate=a1, reported_by=clerk_a)
    _move(hazards["due_today"], H.NOTIFIED, deadline=date(2013, 7, 8), notified_at=at(7, 8))
    assessments = [
        coverage_services.assess_item(a1, actor=clerk_a, item=item, met=True, note="已落实")
        for item in a1.target_items
    ]
    return {
        "estates": {"a1": a1, "a2": a2, "b1": b1},
        "items": items,
        "hazards": hazards,
        "assessments": assessments,
        "traveller": traveller,
    }


def events_after_the_week(district, hq_staff, clerk_a, clerk_b):
    """What happens after the week (see ``district``)."""
    traveller, e, i, h = (district[k] for k in ("traveller", "estates", "items", "hazards"))
    traveller.move_to(at(7, 9), tick=False)
    HazardFactory(estate=e["a1"], reported_by=clerk_a)
    for assessment in district["assessments"]:
        coverage_services.verify_assessment(assessment, actor=hq_staff, verified=True)
    traveller.move_to(at(7, 10), tick=False)
    works_services.finish_item(i["a2"], actor=clerk_a, on=date(2013, 7, 10))
    works_services.finish_item(i["b1"], actor=clerk_b, on=date(2013, 7, 5))  # back-dated
    later = Hazard.objects.get(pk=h["closed_later"].pk)
    _move(later, H.RECTIFIED, rectified_at=at(7, 10))
    _move(later, H.VERIFIED, verified_at=at(7, 10))
    _move(later, H.CLOSED, closed_at=at(7, 10))


# --- the independent answers ------------------------------------------------------------


def hazard_status_at(hazard, moment):
    """A hazard's status at ``moment`` from its own timestamps (no re-inspection rounds in
    this fixture)."""
    status = H.OPEN
    for reached, stamp in (
        (H.NOTIFIED, hazard.notified_at),
        (H.RECTIFIED, hazard.rectified_at),
        (H.VERIFIED, hazard.verified_at),
        (H.CLOSED, hazard.closed_at),
    ):
        if stamp is not None and stamp < moment:
            status = reached
    return status


def expected_hazards(office, day):
    moment = end_of(day)
    rows = [
        h
        for h in Hazard.objects.all()
        if h.estate.community.street_office_id == office.pk and h.reported_at < moment
    ]
    open_ = [h for h in rows if hazard_status_at(h, moment) != H.CLOSED]
    overdue = [
        h
        for h in open_
        if hazard_status_at(h, moment) in (H.OPEN, H.NOTIFIED)
        and h.deadline is not None
        and h.deadline < day
    ]
    return len(open_), len(overdue)


def row(pack, title_start, office):
    section = next(s for s in pack.sections if s.title.startswith(title_start))
    return dict(
        zip((c.header for c in section.columns), section.row_for(office.pk).cells, strict=True)
    )


def past_pack(user):
    return build_pack(Scope.for_user(user), Period(START, END, date(2013, 7, 17)))


def comparable(pack):
    return [(s.title, [r.cells for r in s.rows], s.totals, s.all_notes()) for s in pack.sections]


# --- the figures -------------------------------------------------------------------------


def test_hazards_are_counted_as_they_stood_at_the_end_of_the_week(
    district, hq_staff, clerk_a, clerk_b, street_a, street_b
):
    events_after_the_week(district, hq_staff, clerk_a, clerk_b)
    district["traveller"].move_to(at(7, 17), tick=False)
    pack = past_pack(hq_staff)
    a, b = row(pack, "三", street_a), row(pack, "三", street_b)
    # 林山寨: closed_later (closed after the week), verified (复查合格, not closed off),
    # due_today (deadline 8 Jul: not yet overdue); h_after is not yet reported.
    assert (a["未销号隐患"], a["其中逾期"]) == expected_hazards(street_a, END) == (3, 1)
    assert (b["未销号隐患"], b["其中逾期"]) == expected_hazards(street_b, END) == (1, 1)
    assert (a["新发现隐患"], a["本周销号"]) == (2, 1)  # closed_in_week, due_today; its close


def test_works_are_counted_as_recorded_by_the_end_of_the_week(
    district, hq_staff, clerk_a, clerk_b, street_a, street_b
):
    events_after_the_week(district, hq_staff, clerk_a, clerk_b)
    district["traveller"].move_to(at(7, 17), tick=False)
    pack = past_pack(hq_staff)
    a, b = row(pack, "二", street_a), row(pack, "二", street_b)
    moment = end_of(END)
    known = [h for h in WorksItemHistory.objects.all() if h.valid_from < moment]
    finished_in_week = [
        h
        for h in known
        if (h.valid_to is None or h.valid_to >= moment)
        and h.actual_finish is not None
        and START <= h.actual_finish <= END
    ]
    # Only a1's item 1 (finished 4 Jul, entered that day); b1's back-dated finish was
    # entered on 10 Jul and a2 finished on 10 Jul.
    assert len(finished_in_week) == 1
    assert (a["本周完工项"], b["本周完工项"]) == (1, 0)
    assert (a["施工中"], a["已完工"], b["施工中"], b["已完工"]) == (2, 0, 1, 0)
    assert a["本周开工项"] == 1  # a1 item 2 started 8 Jul


def test_today_the_same_functions_give_todays_state(
    district, hq_staff, clerk_a, clerk_b, street_a, street_b
):
    events_after_the_week(district, hq_staff, clerk_a, clerk_b)
    district["traveller"].move_to(at(7, 17), tick=False)
    pack = build_pack(
        Scope.for_user(hq_staff), Period(date(2013, 7, 16), date(2013, 7, 22), date(2013, 7, 17))
    )
    a, b = row(pack, "二", street_a), row(pack, "二", street_b)
    assert (a["施工中"], a["已完工"], b["已完工"]) == (1, 1, 1)
    a = row(pack, "三", street_a)
    assert (a["未销号隐患"], a["其中逾期"]) == expected_hazards(street_a, date(2013, 7, 17))


def test_target_verified_after_the_week_is_not_met_in_it(
    district, hq_staff, clerk_a, clerk_b, street_a
):
    events_after_the_week(district, hq_staff, clerk_a, clerk_b)
    district["traveller"].move_to(at(7, 17), tick=False)
    past = row(past_pack(hq_staff), "四", street_a)
    later = row(
        build_pack(
            Scope.for_user(hq_staff), Period(date(2013, 7, 9), date(2013, 7, 15), date(2013, 7, 17))
        ),
        "四",
        street_a,
    )
    assert past["目标达成"] == 0
    assert later["目标达成"] == 1


def test_a_past_pack_is_the_same_before_and_after_todays_changes(
    district, hq_staff, clerk_a, clerk_b
):
    district["traveller"].move_to(at(7, 9, 8), tick=False)
    before = comparable(past_pack(hq_staff))
    events_after_the_week(district, hq_staff, clerk_a, clerk_b)
    district["traveller"].move_to(at(7, 17), tick=False)
    Estate.objects.filter(pk=district["estates"]["a2"].pk).update(archived_at=at(7, 17))
    EstateFactory(community=district["estates"]["a1"].community, registered_on=date(2013, 7, 3))
    after = comparable(past_pack(hq_staff))
    assert after == before


def test_new_this_week_counts_by_the_ledger_date_not_the_import(
    district, hq_staff, community_a, street_a
):
    district["traveller"].move_to(at(7, 3), tick=False)
    EstateFactory(community=community_a, registered_on=date(2013, 7, 3))  # new this week
    EstateFactory(community=community_a, registered_on=date(2010, 5, 1))  # imported now
    district["traveller"].move_to(at(7, 10), tick=False)
    r = row(past_pack(hq_staff), "一", street_a)
    assert (r["小区/楼院"], r["本周新增"]) == (4, 1)


# --- the period ---------------------------------------------------------------------------


def test_the_default_pack_is_the_last_complete_week(login, hq_staff, time_machine):
    time_machine.move_to(at(7, 10), tick=False)  # a Wednesday
    body = login(hq_staff).get("/reports/weekly/").content.decode()
    assert "2013年07月09日周例会" in body
    assert "统计截止：2013年07月08日 24:00" in body
    assert "本周尚未结束" not in body


def test_the_running_week_is_marked_and_counts_every_due_day_so_far(
    login, hq_staff, clerk_a, community_a, time_machine
):
    time_machine.move_to(at(6, 20), tick=False)
    estate_a = EstateFactory(community=community_a)
    EstateWorksItemFactory(
        estate=estate_a, status=S.UNDER_CONSTRUCTION, actual_start=date(2013, 6, 20)
    )
    for day in (2, 3):  # filed Tuesday and Wednesday; Thursday not yet
        time_machine.move_to(at(7, day, 9), tick=False)
        PatrolRecordFactory(estate=estate_a, date=date(2013, 7, day), filed_by=clerk_a)
    time_machine.move_to(
        at(
            7,
            4,
            15,
        ),
        tick=False,
    )
    body = login(hq_staff).get("/reports/weekly/?meeting=2013-07-09").content.decode()
    assert "本周尚未结束（截至 2013年7月4日 15:00）" in body
    response = login(hq_staff).get("/reports/weekly.xlsx?meeting=2013-07-09")
    sheet = load_workbook(BytesIO(response.content))["巡查与隐患"]
    office = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "林山寨街道办事处")
    # Due: Tuesday, Wednesday, Thursday (3); filed 2; missing 1 (today, not yet filed).
    assert office[1:5] == (3, 2, 1, 66.7)


def test_a_meeting_after_the_running_week_opens_the_running_week(login, hq_staff, time_machine):
    time_machine.move_to(at(7, 4), tick=False)
    body = login(hq_staff).get("/reports/weekly/?meeting=2013-08-20").content.decode()
    assert "2013年07月09日周例会" in body


# --- rounding -----------------------------------------------------------------------------


def test_money_total_is_the_exact_sum_with_the_rounding_note(
    login, hq_staff, community_a, community_b, time_machine
):
    time_machine.move_to(at(6, 20), tick=False)
    # Each street office 50.00 元 = 0.005 万元: rows show 0.01, the total is 0.01.
    for community in (community_a, community_b):
        EstateWorksItemFactory(estate=EstateFactory(community=community), budget=Decimal("50"))
    time_machine.move_to(at(7, 10), tick=False)
    pack = build_pack(Scope.for_user(hq_staff), week_of(MEETING, date(2013, 7, 10)))
    section = next(s for s in pack.sections if s.title.startswith("二"))
    money = [c.header for c in section.columns].index("工程预算（万元）")
    assert [section.display_rows()[i][money] for i in range(2)] == ["0.01", "0.01"]
    assert section.totals[money] == Decimal("100") / 10000
    assert section.display_totals()[money] == "0.01"
    assert "因四舍五入，合计可能与分项之和略有差异。" in section.all_notes()
    response = login(hq_staff).get("/reports/weekly.xlsx?meeting=2013-07-09")
    sheet = load_workbook(BytesIO(response.content))["工程进度"]
    total = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "合计")
    assert Decimal(str(total[money])) == Decimal("0.01")


def test_total_percentage_is_from_the_summed_parts(
    hq_staff, clerk_a, community_a, community_b, time_machine
):
    time_machine.move_to(at(6, 20), tick=False)
    a = [EstateFactory(community=community_a) for _ in range(3)]
    b = EstateFactory(community=community_b)
    for estate in (*a, b):
        EstateWorksItemFactory(
            estate=estate,
            status=S.UNDER_CONSTRUCTION,
            actual_start=date(2013, 7, 8),
            actual_finish=date(2013, 7, 8),
        )
    time_machine.move_to(at(7, 8, 12), tick=False)
    PatrolRecordFactory(estate=a[0], date=date(2013, 7, 8), filed_by=clerk_a)
    PatrolRecordFactory(estate=b, date=date(2013, 7, 8), filed_by=clerk_a)
    time_machine.move_to(at(7, 10), tick=False)
    pack = build_pack(Scope.for_user(hq_staff), week_of(MEETING, date(2013, 7, 10)))
    section = next(s for s in pack.sections if s.title.startswith("三"))
    rates = [r.cells[4] for r in section.rows]
    assert rates == [Decimal("33.3"), Decimal("100.0")]
    # 2 filed of 4 due: 50.0, not the mean of the rows' rates (66.7).
    assert section.totals[1:5] == (4, 2, 2, Decimal("50.0"))


def test_percentages_round_half_up():
    from estates.asof import percent

    assert percent(1, 8) == Decimal("12.5")
    assert percent(5, 16) == Decimal("31.3")  # 31.25 → 31.3 (banker's rounding: 31.2)
    assert percent(0, 0) is None


# --- what it costs ------------------------------------------------------------------------


@pytest.mark.parametrize("size", [2, 12])
def test_pack_query_count_does_not_grow_with_the_district(
    size, hq_staff, clerk_a, community_a, community_b, time_machine, django_assert_num_queries
):
    time_machine.move_to(at(6, 20), tick=False)
    for n in range(size):
        estate = EstateFactory(community=community_a if n % 2 else community_b)
        EstateWorksItemFactory(
            estate=estate, status=S.UNDER_CONSTRUCTION, actual_start=date(2013, 6, 20)
        )
        HazardFactory(estate=estate, reported_by=clerk_a)
    time_machine.move_to(at(7, 10), tick=False)
    scope = Scope.for_user(hq_staff)
    list(scope.street_offices)  # the scope's own query, made by the view
    with django_assert_num_queries(26):
        build_pack(scope, week_of(MEETING, date(2013, 7, 10)))


def test_a_service_change_is_in_the_history(estate_a, clerk_a, time_machine):
    time_machine.move_to(at(7, 1), tick=False)
    item = EstateWorksItemFactory(estate=estate_a, status=S.TENDERED)
    time_machine.move_to(at(7, 5), tick=False)
    works_services.start_item(item, actor=clerk_a, on=date(2013, 7, 3))
    rows = list(WorksItemHistory.objects.filter(item=item).order_by("valid_from"))
    assert [(r.status, r.valid_from, r.valid_to) for r in rows] == [
        (S.TENDERED, at(7, 1), at(7, 5)),
        (S.UNDER_CONSTRUCTION, at(7, 5), None),
    ]
    assert rows[1].actual_start == date(2013, 7, 3)


def test_unchanged_state_adds_no_history_row(estate_a, time_machine):
    time_machine.move_to(at(7, 1), tick=False)
    item = EstateWorksItemFactory(estate=estate_a)
    time_machine.move_to(at(7, 2), tick=False)
    record_state(item)
    assert WorksItemHistory.objects.filter(item=item).count() == 1
    assert timedelta(0) < end_of(date(2013, 7, 1)) - at(7, 1)
