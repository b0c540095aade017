"""The ledger list, the home page and the API keep a constant number of queries as the
number of compounds grows."""

import pytest

from tests.factories import EstateFactory

pytestmark = pytest.mark.django_db


def make_estates(community, n):
    for _ in range(n):
        EstateFactory(community=community)


@pytest.mark.parametrize("rows", [2, 20])
def test_ledger_page_query_count(login, django_assert_num_queries, hq_staff, community_a, rows):
    make_estates(community_a, rows)
    client = login(hq_staff)
    # session, user, filter choices (street offices, communities, campaigns), count,
    # totals, page of rows; no session save (savepoint, update, release: 3 more while
    # every request saved it), the log-in saved it under a minute ago (estates.sessions)
    with django_assert_num_queries(8):
        response = client.get("/estates/")
    assert len(response.context["page_obj"]) == rows


@pytest.mark.parametrize("rows", [2, 20])
def test_clerk_ledger_page_query_count(
    login, django_assert_num_queries, clerk_a, community_a, rows
):
    make_estates(community_a, rows)
    client = login(clerk_a)
    # as HQ's, plus the clerk's street office named in the top bar
    with django_assert_num_queries(9):
        response = client.get("/estates/")
    assert len(response.context["page_obj"]) == rows


@pytest.mark.parametrize("rows", [2, 20])
def test_estate_api_query_count(api_as, django_assert_num_queries, clerk_a, community_a, rows):
    make_estates(community_a, rows)
    client = api_as(clerk_a)
    with django_assert_num_queries(2):  # count, page (force_authenticate skips auth queries)
        response = client.get("/api/estates/")
    assert response.json()["count"] == rows


@pytest.mark.parametrize("rows", [2, 20])
def test_detail_page_query_count(login, django_assert_num_queries, hq_staff, community_a, rows):
    make_estates(community_a, rows)
    estate = EstateFactory(community=community_a)
    client = login(hq_staff)
    client.post(f"/estates/{estate.pk}/archive/", {"reason": "测试"})
    # 4 for the page itself (session, user, the compound, its audit trail; no session
    # save), plus each app's section (works: 3 and 1 for its acceptance form,
    # inspections: 3, coverage: 3)
    with django_assert_num_queries(14):
        client.get(f"/estates/{estate.pk}/")


@pytest.mark.parametrize("rows", [2, 20])
def test_export_query_count(login, django_assert_num_queries, hq_staff, community_a, rows):
    make_estates(community_a, rows)
    client = login(hq_staff)
    with django_assert_num_queries(4):  # session, user, count, rows (no session save)
        response = client.get("/estates/export.xlsx")
    assert response.status_code == 200
