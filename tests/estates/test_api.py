"""The ledger API: token login, scope exactly as the pages, writes through the service."""

import pytest
from rest_framework.test import APIClient

from estates.models import AuditEvent, Estate

pytestmark = pytest.mark.django_db

PAYLOAD = {
    "name": "接口小区",
    "address": "中原区接口路 2 号",
    "kind": "compound",
    "building_count": 2,
    "household_count": 80,
    "floor_area": "5200",
    "condition_class": "good",
}


def ids(response):
    return {row["id"] for row in response.json()["results"]}


def test_token_login_returns_a_token_that_authenticates(api, clerk_a, estate_a, password):
    response = api.post("/api/auth/token/", {"username": "clerk1", "password": password})
    assert response.status_code == 200
    token = response.json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert ids(client.get("/api/estates/")) == {estate_a.pk}


def test_token_login_with_wrong_password_is_refused(api, clerk_a):
    response = api.post("/api/auth/token/", {"username": "clerk1", "password": "wrong-password"})
    assert response.status_code == 400
    assert "token" not in response.json()


def test_anonymous_gets_401(api, estate_a):
    assert api.get("/api/estates/").status_code in (401, 403)


def test_estate_carries_street_office_and_community_ids(api_as, hq_staff, estate_a):
    row = api_as(hq_staff).get(f"/api/estates/{estate_a.pk}/").json()
    assert row["street_office"] == estate_a.community.street_office_id
    assert row["community"] == estate_a.community_id
    assert row["target"] == "四有"


def test_clerk_lists_only_own_street(api_as, clerk_a, estate_a, estate_a2, estate_b):
    assert ids(api_as(clerk_a).get("/api/estates/")) == {estate_a.pk, estate_a2.pk}


def test_community_lead_lists_only_own_community(api_as, community_lead_a, estate_a, estate_a2):
    assert ids(api_as(community_lead_a).get("/api/estates/")) == {estate_a.pk}


def test_filter_by_street_office(api_as, hq_staff, estate_a, estate_b):
    response = api_as(hq_staff).get(
        f"/api/estates/?street_office={estate_b.community.street_office_id}"
    )
    assert ids(response) == {estate_b.pk}


def test_clerk_gets_404_on_other_street_estate(api_as, clerk_a, estate_b, nothing_changed):
    assert api_as(clerk_a).get(f"/api/estates/{estate_b.pk}/").status_code == 404
    with nothing_changed(estate_b):
        response = api_as(clerk_a).patch(f"/api/estates/{estate_b.pk}/", {"notes": "x"})
    assert response.status_code == 404


def test_clerk_creates_in_own_community(api_as, clerk_a, community_a):
    response = api_as(clerk_a).post("/api/estates/", {**PAYLOAD, "community": community_a.pk})
    assert response.status_code == 201
    estate = Estate.objects.get(pk=response.json()["id"])
    assert estate.community == community_a
    assert AuditEvent.objects.filter(object_id=estate.pk, action="create").exists()


def test_create_pointing_at_other_street_community_is_refused(api_as, clerk_a, community_b):
    response = api_as(clerk_a).post("/api/estates/", {**PAYLOAD, "community": community_b.pk})
    assert response.status_code == 400
    assert "不在您的管辖范围内" in response.json()["community"][0]
    assert not Estate.objects.filter(name="接口小区").exists()


@pytest.mark.parametrize("persona", ["hq_leader", "inspector", "community_lead_a"])
def test_read_only_roles_get_403_on_create(request, api_as, persona, community_a):
    response = api_as(request.getfixturevalue(persona)).post(
        "/api/estates/", {**PAYLOAD, "community": community_a.pk}
    )
    assert response.status_code == 403
    assert not Estate.objects.filter(name="接口小区").exists()


def test_leader_gets_403_on_update(api_as, hq_leader, estate_a, nothing_changed):
    with nothing_changed(estate_a):
        response = api_as(hq_leader).patch(f"/api/estates/{estate_a.pk}/", {"notes": "x"})
    assert response.status_code == 403


def test_duplicate_name_in_community_is_a_400_naming_the_field(
    api_as, hq_staff, estate_a, nothing_changed
):
    with nothing_changed(estate_a):
        response = api_as(hq_staff).post(
            "/api/estates/", {**PAYLOAD, "name": "友爱小区", "community": estate_a.community_id}
        )
    assert response.status_code == 400
    assert "已有名为「友爱小区」的小区" in response.json()["name"][0]


def test_negative_households_is_a_400(api_as, hq_staff, community_a, nothing_changed):
    with nothing_changed():
        response = api_as(hq_staff).post(
            "/api/estates/", {**PAYLOAD, "household_count": -5, "community": community_a.pk}
        )
    assert response.status_code == 400
    assert "household_count" in response.json()


def test_patch_writes_audit_with_old_and_new(api_as, clerk_a, estate_a):
    response = api_as(clerk_a).patch(f"/api/estates/{estate_a.pk}/", {"household_count": 150})
    assert response.status_code == 200
    assert response.json()["household_count"] == 150
    event = AuditEvent.objects.get(object_id=estate_a.pk)
    assert event.actor == clerk_a
    assert event.changes["household_count"] == {"label": "户数", "old": "120", "new": "150"}


def test_delete_is_not_offered(api_as, hq_staff, estate_a):
    assert api_as(hq_staff).delete(f"/api/estates/{estate_a.pk}/").status_code == 405
    assert Estate.objects.filter(pk=estate_a.pk).exists()


def test_street_offices_scoped(api_as, clerk_a, street_b):
    rows = api_as(clerk_a).get("/api/street-offices/").json()["results"]
    assert [r["name"] for r in rows] == ["林山寨街道办事处"]


def test_communities_scoped(api_as, clerk_a, community_a, community_b):
    rows = api_as(clerk_a).get("/api/communities/").json()["results"]
    assert [r["id"] for r in rows] == [community_a.pk]


def test_works_items_are_the_twelve(api_as, clerk_a):
    rows = api_as(clerk_a).get("/api/works-items/").json()
    assert [r["number"] for r in rows] == list(range(1, 13))
    assert rows[0]["name"] == "改造、疏通上下水"
    assert rows[11]["name"] == "安装邮政信报箱"


def test_schema_and_docs_are_served_without_external_assets(client, hq_staff):
    client.force_login(hq_staff)
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in docs
    assert "cdn" not in docs.lower() and "https://" not in docs
