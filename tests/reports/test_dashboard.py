"""The dashboards read the snapshots: a change shows after the next run and not before;
a street office sees only itself; the query count does not grow with the district."""

from datetime import timedelta

import pytest
from django.urls import reverse

from reports import services
from reports.models import RollupRun
from tests.factories import CommunityFactory, EstateFactory
from tests.inspections.factories import under_construction
from tests.reports.data import build_district

pytestmark = pytest.mark.django_db
URL = reverse("reports:dashboard")


def _run():
    run = services.request_rollup(trigger="test", enqueue=False)
    return services.execute_rollup(run.pk)


def _figure(html: str, key: str) -> str:
    marker = f'data-figure="{key}">'
    start = html.index(marker) + len(marker)
    return html[start : html.index("<", start)]


def test_a_filed_patrol_shows_after_the_next_run_and_not_before(
    frozen, login, hq_staff, clerk_a, estate_a, today
):
    from inspections import services as inspections

    under_construction(estate_a, start=today - timedelta(days=2))
    _run()
    client = login(hq_staff)
    assert _figure(client.get(URL).content.decode(), "patrols_filed") == "0"

    frozen.shift(timedelta(minutes=1))
    inspections.file_patrol(actor=clerk_a, estate=estate_a, values={"patrollers": "王建国"})
    # Within the beat interval the dashboard shows the last run's figure.
    assert _figure(client.get(URL).content.decode(), "patrols_filed") == "0"

    frozen.shift(timedelta(minutes=1))
    _run()
    assert _figure(client.get(URL).content.decode(), "patrols_filed") == "1"


def test_a_stale_dashboard_is_recomputed_in_process_without_redis(
    frozen, login, hq_staff, estate_a, settings, today
):
    settings.REDIS_URL = ""
    under_construction(estate_a, start=today - timedelta(days=2))
    response = login(hq_staff).get(URL)
    assert _figure(response.content.decode(), "patrols_due") == "1"
    run = RollupRun.objects.get()
    assert (run.trigger, run.status) == ("dashboard", RollupRun.Status.DONE)


def test_a_change_to_a_works_item_shows_after_the_next_run(
    frozen, login, hq_staff, estate_a, today
):
    from tests.works.factories import approved_item
    from works import services as works_services
    from works.models import EstateWorksItem

    item = approved_item(estate_a, status=EstateWorksItem.Status.TENDERED)
    _run()
    client = login(hq_staff)
    assert _figure(client.get(URL).content.decode(), "phase_tendered") == "1"
    # Started through the service (history and audit event written): not shown before
    # the next run, shown after it.
    frozen.shift(timedelta(minutes=1))
    works_services.start_item(item, actor=hq_staff, on=today)
    assert _figure(client.get(URL).content.decode(), "phase_tendered") == "1"
    frozen.shift(timedelta(minutes=1))
    _run()
    html = client.get(URL).content.decode()
    assert _figure(html, "phase_tendered") == "0"
    assert _figure(html, "phase_under_construction") == "1"


def test_the_street_dashboard_shows_only_its_own_figures(
    frozen, login, clerk_a, estate_a, estate_a2, estate_b, street_b, today
):
    under_construction(estate_a)
    under_construction(estate_b)
    under_construction(EstateFactory(community=CommunityFactory(street_office=street_b)))
    _run()
    client = login(clerk_a)
    html = client.get(URL).content.decode()
    assert "林山寨街道办事处 · 工作驾驶舱" in html
    assert _figure(html, "patrols_due") == "1"
    assert "建设路" not in html
    # Its communities are the rows.
    assert estate_a.community.name in html and estate_a2.community.name in html
    assert client.get(URL, {"unit": f"street_office-{street_b.pk}"}).status_code == 404
    assert client.get(URL, {"unit": "district-1"}).status_code == 404


def test_the_api_is_scoped_to_the_caller(
    frozen, api_as, clerk_a, hq_staff, estate_a, estate_b, street_b
):
    under_construction(estate_a)
    under_construction(estate_b)
    _run()
    body = api_as(clerk_a).get("/api/dashboard/").json()
    assert body["unit"]["name"] == "林山寨街道办事处"
    assert body["figures"]["patrols_due"]["value"] == 1
    assert body["figures"]["patrols_due"]["computed_at"]
    assert all("建设路" not in row["unit"]["name"] for row in body["rows"])
    assert (
        api_as(clerk_a).get("/api/dashboard/", {"unit": f"street_office-{street_b.pk}"}).status_code
        == 404
    )
    district = api_as(hq_staff).get("/api/dashboard/").json()
    assert district["figures"]["patrols_due"]["value"] == 2
    assert {row["unit"]["name"] for row in district["rows"]} >= {
        "林山寨街道办事处",
        "建设路街道办事处",
    }


def test_anonymous_and_roleless_users_see_no_dashboard(client, login, outsider):
    assert client.get(URL).status_code == 302
    assert login(outsider).get(URL).status_code == 404


@pytest.mark.parametrize("path", ["reports:dashboard", "reports:league", "home"])
def test_query_count_does_not_grow_with_the_district(
    frozen, path, login, hq_staff, today, django_assert_num_queries
):
    client = login(hq_staff)
    build_district(11, estates=5, user=hq_staff, today=today)
    _run()
    client.get(reverse(path))  # warm caches (content types, sessions)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(reverse(path))
    small = len(small)  # now: the connection's query log is bounded, its indexes shift
    build_district(12, estates=40, user=hq_staff, today=today)
    frozen.shift(timedelta(minutes=1))
    run = services.request_rollup(
        kind=RollupRun.Kind.DATES, date_from=today, date_to=today, enqueue=False
    )
    services.execute_rollup(run.pk)
    # A minute on, this request refreshes the session's expiry (estates.sessions): one
    # save, not part of the page's count.
    client.get(reverse(path))
    with django_assert_num_queries(small):
        client.get(reverse(path))
