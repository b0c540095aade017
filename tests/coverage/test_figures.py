"""Coverage figures against a fixture whose answer is worked out by hand below, and the
query count of the figures pinned: two queries, whatever the number of compounds."""

from datetime import timedelta

import pytest
from django.utils import timezone

from coverage import services
from coverage.models import ManagementArrangement, Reinspection
from coverage.queries import coverage_figures
from estates.models import Estate
from tests.coverage.factories import renovate, verify_all
from tests.factories import EstateFactory

pytestmark = pytest.mark.django_db
Mode = ManagementArrangement.Mode
D = timezone.localdate()
GOOD, GAP = Estate.ConditionClass.GOOD, Estate.ConditionClass.GAP


def arrange(estate, actor, *, mode=Mode.COMMUNITY, start, term=None, company=None):
    return services.record_arrangement(
        estate,
        actor=actor,
        values={
            "mode": mode,
            "company": company,
            "provider_name": "产权单位" if mode == Mode.LOGISTICS else "",
            "start_date": start,
            "term_months": term,
            "responsible_name": "责任人",
        },
    )


@pytest.fixture
def district(community_a, community_a2, community_b, hq_staff, inspector, company):
    """Seven live compounds and one archived one; the expected figures are in the
    comments and in ``test_the_figures_match_the_hand_count``."""
    e = {}
    # 林山寨 (street A)
    e[1] = EstateFactory(community=community_a, name="一号院", condition_class=GAP)
    renovate(e[1])
    # professional, started 30 days ago for 2 months → in force, expires within 60 days
    arrange(
        e[1], hq_staff, mode=Mode.PROFESSIONAL, company=company, start=D - timedelta(30), term=2
    )
    verify_all(e[1], clerk=hq_staff, hq=hq_staff)  # target met (4/4)
    Reinspection.objects.create(estate=e[1], due_on=D - timedelta(days=1))  # overdue

    e[2] = EstateFactory(community=community_a, name="二号院", condition_class=GOOD)
    arrange(e[2], hq_staff, mode=Mode.LOGISTICS, start=D - timedelta(100))  # long-term
    verify_all(e[2], clerk=hq_staff, hq=hq_staff)
    last = e[2].service_assessments.get(item="有房屋维修")
    services.assess_item(e[2], actor=hq_staff, item=last.item, met=True, note="待核")  # 7/8

    e[3] = EstateFactory(community=community_a2, name="三号院", condition_class=GAP)
    renovate(e[3])
    arrange(e[3], hq_staff, start=D - timedelta(400), term=12)  # expired ~35 days ago
    services.record_reinspection(
        e[3], actor=inspector, inspected_on=D, findings="垃圾满溢", relapsed_items=["有垃圾清运"]
    )  # relapsed; its next one is due in 90 days

    e[4] = EstateFactory(community=community_a2, name="四号院", condition_class=GAP)
    a4 = arrange(e[4], hq_staff, start=D - timedelta(300))
    services.end_arrangement(a4, actor=hq_staff, ended_on=D - timedelta(1), reason="撤场")

    e[5] = EstateFactory(community=community_a, name="五号院（已归档）")
    arrange(e[5], hq_staff, start=D - timedelta(10))
    Estate.objects.filter(pk=e[5].pk).update(archived_at=timezone.now())

    # 建设路 (street B)
    e[6] = EstateFactory(community=community_b, name="六号院", condition_class=GAP)
    arrange(e[6], hq_staff, start=D + timedelta(10))  # not yet started

    e[7] = EstateFactory(community=community_b, name="七号院", condition_class=GAP)
    renovate(e[7])
    arrange(e[7], hq_staff, start=D - timedelta(50))
    verify_all(e[7], clerk=hq_staff, hq=hq_staff)
    Reinspection.objects.create(estate=e[7], due_on=D + timedelta(days=1))  # not overdue

    e[8] = EstateFactory(community=community_b, name="八号院", condition_class=GAP)
    verify_all(e[8], clerk=hq_staff, hq=hq_staff)
    Estate.objects.filter(pk=e[8].pk).update(condition_class=GOOD)  # now 八有: 1/8
    return e


def _row(figures, name):
    return next(r for r in figures["rows"] if r["name"] == name)


def test_the_figures_match_the_hand_count(district, hq_staff, street_a, street_b):
    f = coverage_figures(hq_staff, on=D)
    a = _row(f, street_a.name)
    assert (a["estates"], a["covered"], a["covered_pct"]) == (4, 2, 50.0)
    assert (a["mode_professional"], a["mode_logistics"], a["mode_community"]) == (1, 1, 0)
    assert (a["renovated"], a["renovated_covered"], a["renovated_covered_pct"]) == (2, 1, 50.0)
    assert (a["target_met"], a["expiring"], a["overdue"], a["relapsed"]) == (1, 1, 1, 1)
    b = _row(f, street_b.name)
    assert (b["estates"], b["covered"], b["mode_community"]) == (3, 1, 1)
    assert (b["renovated"], b["renovated_covered"], b["target_met"]) == (1, 1, 1)
    assert (b["expiring"], b["overdue"], b["relapsed"]) == (0, 0, 0)
    t = f["totals"]
    assert (t["estates"], t["covered"], t["covered_pct"]) == (7, 3, 42.9)
    assert (t["target_met"], t["target_met_pct"]) == (2, 28.6)
    assert [(m["mode"], m["count"], m["pct"]) for m in f["modes"]] == [
        ("professional", 1, 33.3),
        ("logistics", 1, 33.3),
        ("community", 1, 33.3),
    ]


def test_the_figures_on_an_earlier_date(community_a, hq_staff, time_machine):
    # 200 days ago two compounds were under management, both registered at their start:
    # one with a 12-month term from 400 days ago, one from 300 days ago ended yesterday.
    # A third arrangement, back-dated today to 250 days ago, was not known then.
    now = timezone.now()
    time_machine.move_to(now - timedelta(days=400), tick=False)
    first = EstateFactory(community=community_a, name="三号院")
    late = EstateFactory(community=community_a, name="八号院")
    arrange(first, hq_staff, start=timezone.localdate(), term=12)
    time_machine.move_to(now - timedelta(days=300), tick=False)
    second = EstateFactory(community=community_a, name="四号院")
    ended = arrange(second, hq_staff, start=timezone.localdate())
    time_machine.move_to(now, tick=False)
    services.end_arrangement(ended, actor=hq_staff, ended_on=D - timedelta(1), reason="撤场")
    arrange(late, hq_staff, start=D - timedelta(days=250))

    t = coverage_figures(hq_staff, on=D - timedelta(days=200))["totals"]
    assert (t["estates"], t["covered"], t["mode_community"]) == (3, 2, 2)


def test_a_street_office_sees_its_own_figures_by_community(district, clerk_a, community_a):
    f = coverage_figures(clerk_a, on=D)
    assert f["by"] == "community"
    assert {r["name"] for r in f["rows"]} == {"林山寨社区", "林山寨东社区"}
    assert f["totals"]["estates"] == 4
    assert _row(f, community_a.name)["covered"] == 2


def test_a_community_lead_sees_their_community(district, community_lead_a):
    f = coverage_figures(community_lead_a, on=D)
    assert [r["name"] for r in f["rows"]] == ["林山寨社区"]
    assert (f["totals"]["estates"], f["totals"]["covered"]) == (2, 2)


def test_an_outsider_sees_nothing(district, outsider):
    f = coverage_figures(outsider, on=D)
    assert f["rows"] == [] and f["totals"]["estates"] == 0


def test_a_queryset_can_be_given_instead_of_a_user(district, street_b):
    f = coverage_figures(Estate.objects.filter(community__street_office=street_b), on=D)
    assert [r["name"] for r in f["rows"]] == [street_b.name]
    assert f["totals"]["covered"] == 1


def _grow(community, count, actor):
    for n in range(count):
        estate = EstateFactory(community=community)
        renovate(estate)
        arrange(estate, actor, start=D - timedelta(days=n + 1), term=1 + n % 3)
        Reinspection.objects.create(estate=estate, due_on=D - timedelta(days=n % 2))


@pytest.mark.parametrize("count", [2, 20])
def test_the_figures_take_two_queries_whatever_the_number_of_compounds(
    count, community_a, community_b, hq_staff, clerk_a, django_assert_num_queries
):
    _grow(community_a, count, hq_staff)
    _grow(community_b, count, hq_staff)
    with django_assert_num_queries(2):
        f = coverage_figures(hq_staff, on=D)
    assert f["totals"]["estates"] == 2 * count
    with django_assert_num_queries(2):
        assert coverage_figures(clerk_a, on=D)["totals"]["covered"] == count


@pytest.mark.postgres
def test_the_figures_match_the_hand_count_on_postgresql(
    district, hq_staff, street_a, street_b, time_machine
):
    # The same SQL (FILTER clauses over correlated subqueries) on the production database.
    test_the_figures_match_the_hand_count(district, hq_staff, street_a, street_b)
    test_the_figures_on_an_earlier_date(district[1].community, hq_staff, time_machine)


@pytest.mark.postgres
def test_the_constraints_hold_on_postgresql(estate_a, hq_staff):
    from django.db import IntegrityError, transaction

    ManagementArrangement.objects.create(
        estate=estate_a, mode=Mode.COMMUNITY, start_date=D, responsible_name="甲"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        ManagementArrangement.objects.create(
            estate=estate_a, mode=Mode.COMMUNITY, start_date=D, responsible_name="乙"
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Reinspection.objects.create(estate=estate_a, due_on=D)
        Reinspection.objects.create(estate=estate_a, due_on=D)


def test_the_figures_sheet_for_the_weekly_pack(district, hq_staff, street_a):
    from io import BytesIO

    from openpyxl import load_workbook

    from coverage.export import figures_sheet
    from estates.xlsx import build_workbook, workbook_bytes

    workbook = build_workbook(figures_sheet(coverage_figures(hq_staff, on=D), unit="指挥部办公室"))
    rows = list(load_workbook(BytesIO(workbook_bytes(workbook))).active.iter_rows(values_only=True))
    assert rows[0][0] == "物业管理覆盖情况统计表"
    row_a = next(r for r in rows if r[1] == street_a.name)
    assert row_a[2:5] == (4, 2, 50)
    total = next(r for r in rows if r[0] == "合计")
    assert total[2:4] == (7, 3)
