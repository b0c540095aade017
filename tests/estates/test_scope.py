"""The scope matrix of the ledger: anonymous, each role, own versus other street office,
on every page and endpoint."""

import pytest

from estates.models import AuditEvent, Estate

pytestmark = pytest.mark.django_db

ESTATE_FORM = {
    "name": "新建小区",
    "address": "中原区新路 1 号",
    "kind": "compound",
    "building_count": "3",
    "household_count": "90",
    "floor_area": "6000",
    "condition_class": "gap",
    "campaign": "none",
}


def names(response):
    return {e.name for e in response.context["page_obj"]}


# --- list -------------------------------------------------------------------------------
def test_anonymous_is_sent_to_login(client, estate_a):
    response = client.get("/estates/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("persona", ["hq_staff", "hq_leader", "inspector"])
def test_hq_roles_list_every_street(request, login, persona, estate_a, estate_b):
    response = login(request.getfixturevalue(persona)).get("/estates/")
    assert names(response) == {"友爱小区", "纺织小区"}


def test_clerk_lists_only_own_street(login, clerk_a, estate_a, estate_a2, estate_b):
    response = login(clerk_a).get("/estates/")
    assert names(response) == {"友爱小区", "和平家属院"}


def test_clerk_filtering_on_other_street_finds_nothing(login, clerk_a, estate_a, estate_b):
    response = login(clerk_a).get(f"/estates/?community={estate_b.community_id}")
    assert names(response) == {"友爱小区"}  # an invalid choice is ignored, scope stays
    assert "纺织小区" not in response.content.decode()


def test_community_lead_lists_only_own_community(login, community_lead_a, estate_a, estate_a2):
    response = login(community_lead_a).get("/estates/")
    assert names(response) == {"友爱小区"}


def test_user_without_role_lists_nothing(login, outsider, estate_a):
    response = login(outsider).get("/estates/")
    assert names(response) == set()


# --- detail -----------------------------------------------------------------------------
def test_clerk_opens_own_compound(login, clerk_a, estate_a):
    response = login(clerk_a).get(f"/estates/{estate_a.pk}/")
    assert response.status_code == 200
    assert "友爱小区" in response.content.decode()


def test_clerk_gets_404_on_other_street_compound(login, clerk_a, estate_b):
    assert login(clerk_a).get(f"/estates/{estate_b.pk}/").status_code == 404


def test_community_lead_gets_404_on_neighbouring_community(login, community_lead_a, estate_a2):
    assert login(community_lead_a).get(f"/estates/{estate_a2.pk}/").status_code == 404


# --- create -----------------------------------------------------------------------------
def test_clerk_creates_compound_in_own_community(login, clerk_a, community_a):
    response = login(clerk_a).post("/estates/new/", {**ESTATE_FORM, "community": community_a.pk})
    estate = Estate.objects.get(name="新建小区")
    assert response.status_code == 302
    assert response["Location"] == f"/estates/{estate.pk}/"
    assert estate.community == community_a


def test_clerk_cannot_create_in_other_street_community(login, clerk_a, community_b):
    response = login(clerk_a).post("/estates/new/", {**ESTATE_FORM, "community": community_b.pk})
    assert response.status_code == 200
    assert "community" in response.context["form"].errors
    assert not Estate.objects.filter(name="新建小区").exists()


@pytest.mark.parametrize("persona", ["hq_leader", "inspector", "community_lead_a", "outsider"])
def test_read_only_roles_cannot_open_create_form(request, login, persona, community_a):
    client = login(request.getfixturevalue(persona))
    assert client.get("/estates/new/").status_code == 403
    response = client.post("/estates/new/", {**ESTATE_FORM, "community": community_a.pk})
    assert response.status_code == 403
    assert not Estate.objects.filter(name="新建小区").exists()


# --- edit -------------------------------------------------------------------------------
def test_clerk_edits_own_compound(login, clerk_a, estate_a):
    data = {**ESTATE_FORM, "name": "友爱小区", "community": estate_a.community_id}
    data["household_count"] = "130"
    response = login(clerk_a).post(f"/estates/{estate_a.pk}/edit/", data)
    assert response.status_code == 302
    estate_a.refresh_from_db()
    assert estate_a.household_count == 130


def test_clerk_gets_404_editing_other_street_compound(login, clerk_a, estate_b):
    data = {**ESTATE_FORM, "community": estate_b.community_id}
    assert login(clerk_a).post(f"/estates/{estate_b.pk}/edit/", data).status_code == 404
    estate_b.refresh_from_db()
    assert estate_b.name == "纺织小区"


def test_clerk_cannot_move_compound_into_other_street(login, clerk_a, estate_a, community_b):
    data = {**ESTATE_FORM, "name": "友爱小区", "community": community_b.pk}
    response = login(clerk_a).post(f"/estates/{estate_a.pk}/edit/", data)
    assert response.status_code == 200
    estate_a.refresh_from_db()
    assert estate_a.community_id != community_b.pk


def test_leader_gets_403_editing_visible_compound(login, hq_leader, estate_a):
    data = {**ESTATE_FORM, "community": estate_a.community_id}
    assert login(hq_leader).post(f"/estates/{estate_a.pk}/edit/", data).status_code == 403
    assert not AuditEvent.objects.exists()


# --- archive ------------------------------------------------------------------------------
def test_clerk_cannot_archive(login, clerk_a, estate_a):
    response = login(clerk_a).post(f"/estates/{estate_a.pk}/archive/", {"reason": "重复"})
    assert response.status_code == 403
    estate_a.refresh_from_db()
    assert estate_a.archived_at is None


def test_hq_archives_and_compound_leaves_the_list_but_stays(login, hq_staff, estate_a):
    client = login(hq_staff)
    client.post(f"/estates/{estate_a.pk}/archive/", {"reason": "重复录入"})
    estate_a.refresh_from_db()
    assert estate_a.archived_at is not None
    assert names(client.get("/estates/")) == set()
    assert names(client.get("/estates/?archived=true")) == {"友爱小区"}


def test_overdue_compound_is_marked_in_the_ledger(login, hq_staff, estate_a, estate_a2):
    from datetime import date

    from estates.models import WorksItem
    from works.models import EstateWorksItem

    # The 2013 campaign's start deadline (31 July) passed with the item never started.
    EstateWorksItem.objects.create(estate=estate_a, works_item=WorksItem.objects.get(number=2))
    assert estate_a.campaign.construction_start_deadline < date.today()
    response = login(hq_staff).get("/estates/")
    overdue = {e.name for e in response.context["page_obj"] if e.is_overdue}
    assert overdue == {"友爱小区"}
    assert "逾期" in response.content.decode()
