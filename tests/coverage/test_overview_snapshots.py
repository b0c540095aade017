"""The coverage overview reads its figures from the roll-up's snapshots of the user's unit
(the district by street office for HQ, a street office by community), each with its
snapshot time; live only before the first roll-up. The numbers equal an answer computed
here from the raw rows."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from coverage.models import ManagementArrangement, Reinspection
from coverage.selectors import SNAPSHOT_KEYS
from estates.asof import percent
from estates.models import StreetOffice
from reports import services
from reports.models import RollupRun
from reports.units import home_unit
from tests.factories import EstateFactory
from tests.reports.conftest import NOW
from tests.reports.data import build_district, expected

pytestmark = pytest.mark.django_db


@pytest.fixture
def frozen():
    # the roll-up's tests' instant (tests/reports/conftest.py): a Thursday afternoon
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def today(frozen):
    return NOW.date()


def _run():
    today = timezone.localdate()
    run = services.request_rollup(
        kind=RollupRun.Kind.DATES, date_from=today, date_to=today, enqueue=False
    )
    run = services.execute_rollup(run.pk)
    assert run.status == RollupRun.Status.DONE
    return run


def _pct(part, whole):
    return float(percent(part, whole)) if whole else 0.0


def _assert_row_is_the_answer(row, answer):
    for key, metric in SNAPSHOT_KEYS.items():
        assert row[key] == answer[metric], (row.get("name"), key)
    assert row["covered_pct"] == _pct(answer["coverage_covered"], answer["coverage_estates"])
    assert row["target_met_pct"] == _pct(answer["coverage_target_met"], answer["coverage_estates"])
    assert row["renovated_covered_pct"] == _pct(
        answer["coverage_renovated_covered"], answer["coverage_renovated"]
    )


@pytest.mark.parametrize("seed", [1, 2])
def test_hq_overview_equals_the_raw_rows(seed, frozen, login, hq_staff, today):
    build_district(seed, estates=40, user=hq_staff, today=today)
    _run()
    figures = login(hq_staff).get(reverse("coverage:overview")).context["figures"]
    assert figures["snapshot_at"] is not None and figures["on"] == today
    # the random district has cases of every column
    assert all(figures["totals"][k] for k in ("covered", "expiring", "overdue", "target_met"))
    district = home_unit(hq_staff)
    _assert_row_is_the_answer(figures["totals"], expected("district", district.id, today))
    offices = list(StreetOffice.objects.order_by("sort_order", "pk").values_list("pk", flat=True))
    assert [row["id"] for row in figures["rows"]] == offices
    for row in figures["rows"]:
        _assert_row_is_the_answer(row, expected("street_office", row["id"], today))
    modes = {m["mode"]: m["count"] for m in figures["modes"]}
    assert modes == {m: figures["totals"][f"mode_{m}"] for m in ManagementArrangement.Mode.values}


def test_a_street_office_overview_is_its_communities_from_the_snapshots(
    frozen, login, hq_staff, clerk_a, street_a, today
):
    build_district(3, estates=30, user=hq_staff, today=today)
    _run()
    figures = login(clerk_a).get(reverse("coverage:overview")).context["figures"]
    assert figures["by"] == "community" and figures["snapshot_at"] is not None
    _assert_row_is_the_answer(figures["totals"], expected("street_office", street_a.pk, today))
    for row in figures["rows"]:
        _assert_row_is_the_answer(row, expected("community", row["id"], today))


def test_a_change_shows_after_the_next_run_with_its_snapshot_time(
    frozen, login, hq_staff, community_a, today
):
    estate = EstateFactory(community=community_a)
    _run()
    client = login(hq_staff)
    page = client.get(reverse("coverage:overview"))
    assert page.context["figures"]["totals"]["overdue"] == 0
    assert "快照 " in page.content.decode()
    Reinspection.objects.create(estate=estate, due_on=today - timedelta(days=3))
    assert client.get(reverse("coverage:overview")).context["figures"]["totals"]["overdue"] == 0
    frozen.shift(timedelta(minutes=5))
    _run()
    page = client.get(reverse("coverage:overview"))
    assert page.context["figures"]["totals"]["overdue"] == 1
    # the list beside the figures is live (50 rows at most)
    assert [r.estate_id for r in page.context["overdue"]] == [estate.pk]


def test_before_the_first_roll_up_the_overview_is_live(login, hq_staff, community_a):
    estate = EstateFactory(community=community_a)
    Reinspection.objects.create(estate=estate, due_on=timezone.localdate() - timedelta(days=3))
    figures = login(hq_staff).get(reverse("coverage:overview")).context["figures"]
    assert figures["snapshot_at"] is None and figures["totals"]["overdue"] == 1


@pytest.mark.parametrize("offices", [2, 12])
def test_the_snapshot_overview_query_count_does_not_grow(
    offices, frozen, login, hq_staff, today, django_assert_num_queries
):
    from tests.factories import CommunityFactory, StreetOfficeFactory

    for n in range(offices):
        community = CommunityFactory(street_office=StreetOfficeFactory(name=f"测试{n}街道办事处"))
        for _ in range(2):
            Reinspection.objects.create(
                estate=EstateFactory(community=community), due_on=today - timedelta(days=1)
            )
    _run()
    client = login(hq_staff)
    # session, user; the district, its street offices, the last day, the snapshots (4);
    # the expiring and overdue lists (2)
    with django_assert_num_queries(8):
        response = client.get(reverse("coverage:overview"))
    assert len(response.context["figures"]["rows"]) == StreetOffice.objects.count()
    assert response.context["figures"]["totals"]["overdue"] == 2 * offices


@pytest.mark.parametrize("count", [2, 20])
def test_the_street_home_panel_reads_the_snapshots(
    count, frozen, clerk_a, community_a, django_assert_num_queries
):
    from coverage.home import panels

    for _ in range(count):
        Reinspection.objects.create(
            estate=EstateFactory(community=community_a),
            due_on=timezone.localdate() - timedelta(days=1),
        )
    _run()
    clerk_a.refresh_from_db()
    # the street office, the last day, its communities, the snapshots
    with django_assert_num_queries(4):
        [panel] = panels(clerk_a)
    assert panel["figures"]["snapshot_at"] is not None
    assert (panel["totals"]["estates"], panel["totals"]["overdue"]) == (count, count)
