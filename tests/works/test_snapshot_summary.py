"""HQ's works list and district schedule read their district-wide figures from the
roll-up's snapshots (labelled with the snapshot's day and time), in a number of queries
that does not grow with the district; a filter, another campaign or a street office's
own view is computed live from the rows."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from reports.models import Snapshot
from reports.units import Kind
from tests.works.test_views import count_queries, make_rows

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def snapshots(time_machine, street_a, street_b):
    """The roll-up's rows of 2013-08-04 (computed at 23:50 that night) for both offices."""
    time_machine.move_to(datetime(2013, 8, 5, 9, 30, tzinfo=SH), tick=False)
    values = {
        street_a: {
            "estates": 701,
            "estates_overdue": 17,
            "items_total": 4321,
            "items_started": 900,
            "items_completed": 333,
            "budget": "12345678.00",
        },
        street_b: {
            "estates": 12,
            "estates_overdue": 0,
            "items_total": 60,
            "items_started": 6,
            "items_completed": 5,
            "budget": "50000.00",
        },
    }
    for office, figures in values.items():
        for metric, value in figures.items():
            Snapshot.objects.create(
                date=date(2013, 8, 4),
                unit_kind=Kind.STREET_OFFICE,
                unit_id=office.pk,
                metric=metric,
                value=value,
                computed_at=datetime(2013, 8, 4, 23, 50, tzinfo=SH),
            )


def _totals(response):
    return {row["community__street_office"]: row for row in response.context["totals"]}


def test_hq_works_list_summary_is_the_snapshot(snapshots, login, hq_staff, street_a, street_b):
    response = login(hq_staff).get(reverse("works:list"))
    rows = _totals(response)
    page = response.content.decode()

    assert (rows[street_a.pk]["estate_count"], rows[street_a.pk]["overdue_count"]) == (701, 17)
    assert rows[street_a.pk]["item_count"] == 4321
    assert response.context["district"]["estate_count"] == 713
    assert 'data-source="snapshot"' in page
    assert "截至 2013年8月4日" in page
    assert "计算时间：2013年8月4日 23:50" in page
    assert "1,234.57" in page  # 12,345,678 元 in 万元


def test_the_snapshot_summary_shows_its_figures_definitions(snapshots, login, hq_staff):
    from reports.figures import BY_KEY

    page = login(hq_staff).get(reverse("works:list")).content.decode()

    assert BY_KEY["estates_overdue"].definition in page
    assert BY_KEY["items_total"].definition in page


def test_a_filtered_list_is_summed_live(
    snapshots, login, hq_staff, street_a, community_a, contractor, supervisor
):
    make_rows(community_a, 2, hq_staff, contractor, supervisor)

    response = login(hq_staff).get(reverse("works:list") + f"?street_office={street_a.pk}")

    assert list(_totals(response)) == [street_a.pk]
    assert _totals(response)[street_a.pk]["estate_count"] == 2
    assert 'data-source="live"' in response.content.decode()


def test_a_street_office_sees_its_own_live_summary(
    snapshots, login, clerk_a, hq_staff, street_a, community_a, contractor, supervisor
):
    make_rows(community_a, 3, hq_staff, contractor, supervisor)

    response = login(clerk_a).get(reverse("works:list"))

    assert _totals(response)[street_a.pk]["estate_count"] == 3
    assert "现状" in response.content.decode()


def test_without_a_roll_up_hq_sums_live(login, hq_staff, community_a, contractor, supervisor):
    make_rows(community_a, 2, hq_staff, contractor, supervisor)

    response = login(hq_staff).get(reverse("works:list"))

    assert response.context["district"]["estate_count"] == 2
    assert "snapshot" not in response.context


def test_hq_district_schedule_reads_the_snapshot(
    snapshots, login, hq_staff, street_a, community_a, contractor, supervisor
):
    make_rows(community_a, 2, hq_staff, contractor, supervisor)

    response = login(hq_staff).get(reverse("works:schedule"))
    rows = {r["community__street_office"]: r for r in response.context["rows"]}
    page = response.content.decode()

    assert response.context["level"] == "district"
    assert (rows[street_a.pk]["estate_count"], rows[street_a.pk]["overdue_count"]) == (701, 17)
    assert "已完工 333/4321 项" in page
    assert "计算时间：2013年8月4日 23:50" in page
    # The plan bar is the compounds' own schedule; no district-wide actual bar.
    bar = rows[street_a.pk]["planned_bar"]
    assert (bar.start, bar.end) == (date(2013, 7, 1), date(2013, 9, 1))
    assert rows[street_a.pk]["actual_bar"] is None


def test_every_campaign_schedule_is_computed_live(snapshots, login, hq_staff, street_a):
    response = login(hq_staff).get(reverse("works:schedule") + "?campaign=")

    assert "snapshot" not in response.context
    assert all("percent" in row for row in response.context["rows"])


@pytest.mark.parametrize("url", [reverse("works:list"), reverse("works:schedule")])
def test_snapshot_pages_query_count_does_not_grow(
    url, snapshots, login, hq_staff, community_a, contractor, supervisor
):
    client = login(hq_staff)
    make_rows(community_a, 2, hq_staff, contractor, supervisor)
    small = count_queries(None, client, url)
    make_rows(community_a, 18, hq_staff, contractor, supervisor, start=100)
    large = count_queries(None, client, url)

    assert small == large
    assert "snapshot" in client.get(url).context


@pytest.mark.parametrize("login_as", ["clerk_a", "hq_staff"])
def test_live_list_query_count_does_not_grow(
    login_as, request, login, hq_staff, community_a, street_a, contractor, supervisor
):
    client = login(request.getfixturevalue(login_as))
    url = reverse("works:list") + f"?street_office={street_a.pk}"
    make_rows(community_a, 2, hq_staff, contractor, supervisor)
    small = count_queries(None, client, url)
    make_rows(community_a, 18, hq_staff, contractor, supervisor, start=100)

    assert count_queries(None, client, url) == small
