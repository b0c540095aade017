"""The API lists of millions of rows (patrol records, the missed-patrol register) page
without counting: ``next``/``previous`` links and no ``count``, the same order and
filters as before, and a fixed number of queries whatever the number of rows."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.inspections.factories import MissedPatrolFactory, PatrolRecordFactory

pytestmark = pytest.mark.django_db


def _patrols(site, clerk, days):
    today = timezone.localdate()
    return [
        PatrolRecordFactory(estate=site, filed_by=clerk, date=today - timedelta(days=n))
        for n in range(days)
    ]


def test_patrols_page_by_next_links_without_a_count(api_as, hq_leader, clerk_a, site_a):
    records = _patrols(site_a, clerk_a, 52)  # a page is 50
    client = api_as(hq_leader)
    first = client.get("/api/patrols/").json()
    assert "count" not in first and first["previous"] is None and len(first["results"]) == 50
    second = client.get(first["next"]).json()
    assert second["next"] is None and second["previous"]
    seen = [r["id"] for page in (first, second) for r in page["results"]]
    # newest day first, as before
    assert seen == [r.pk for r in records]


def test_a_page_past_the_end_is_a_404(api_as, hq_leader, clerk_a, site_a):
    _patrols(site_a, clerk_a, 2)
    response = api_as(hq_leader).get("/api/patrols/?page=3")
    assert response.status_code == 200 and response.json()["results"] == []
    assert api_as(hq_leader).get("/api/patrols/?page=x").status_code == 404


def test_the_missed_register_pages_without_a_count(api_as, hq_leader, site_a, site_b):
    today = timezone.localdate()
    older = MissedPatrolFactory(estate=site_a, date=today - timedelta(days=3))
    newer = MissedPatrolFactory(estate=site_b, date=today - timedelta(days=1))
    body = api_as(hq_leader).get("/api/missed-patrols/").json()
    assert "count" not in body
    assert [r["id"] for r in body["results"]] == [newer.pk, older.pk]


def test_the_list_filters_still_apply(api_as, hq_leader, clerk_a, site_a):
    records = _patrols(site_a, clerk_a, 3)
    day = records[1].date.isoformat()
    body = api_as(hq_leader).get(f"/api/patrols/?date={day}").json()
    assert [r["id"] for r in body["results"]] == [records[1].pk]


@pytest.mark.parametrize("rows", [2, 20])
def test_the_patrol_list_query_count_does_not_grow(
    rows, api_as, hq_leader, clerk_a, site_a, django_assert_num_queries
):
    _patrols(site_a, clerk_a, rows)
    client = api_as(hq_leader)
    # the page (one row more than shown, no COUNT), its photos, amendments, hazards
    with django_assert_num_queries(4):
        body = client.get("/api/patrols/").json()
    assert len(body["results"]) == rows


@pytest.mark.parametrize("rows", [2, 20])
def test_the_missed_list_query_count_does_not_grow(
    rows, api_as, hq_leader, site_a, django_assert_num_queries
):
    today = timezone.localdate()
    for n in range(rows):
        MissedPatrolFactory(estate=site_a, date=today - timedelta(days=n + 1))
    with django_assert_num_queries(1):  # the page, no COUNT
        body = api_as(hq_leader).get("/api/missed-patrols/").json()
    assert len(body["results"]) == rows
