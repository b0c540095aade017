"""The works API: scoped like the pages, transitions as actions, amounts hidden from
community leads, service rules answered as 400 with the field's message."""

from datetime import date

import pytest
from django.urls import reverse

from estates.models import Estate
from tests.factories import EstateFactory
from tests.works.test_views import make_rows
from works.models import EstateWorksItem, TenderPackage

pytestmark = pytest.mark.django_db


def test_estate_works_list_is_scoped(api_as, clerk_b, item_a, item_b):
    data = api_as(clerk_b).get("/api/estate-works/").json()
    assert [row["id"] for row in data["results"]] == [item_b.pk]


def test_estate_works_filters(api_as, hq_staff, item_a, item_a2, item_b, street_a):
    api = api_as(hq_staff)
    by_street = api.get("/api/estate-works/", {"street_office": street_a.pk}).json()
    assert {r["id"] for r in by_street["results"]} == {item_a.pk, item_a2.pk}
    by_item = api.get("/api/estate-works/", {"works_item": item_b.works_item_id}).json()
    assert [r["id"] for r in by_item["results"]] == [item_b.pk]
    by_status = api.get("/api/estate-works/", {"status": "tendered"}).json()
    assert by_status["results"] == []


def test_estate_works_overdue_filter(api_as, hq_staff, item_a, item_b, estate_b):
    # Both compounds are still planned long after the 2013 tendering deadline; once
    # estate_b leaves the campaign it has no milestone to miss.
    overdue = api_as(hq_staff).get("/api/estate-works/", {"overdue": "true"}).json()
    assert {r["id"] for r in overdue["results"]} == {item_a.pk, item_b.pk}
    Estate.objects.filter(pk=estate_b.pk).update(campaign=None)
    overdue = api_as(hq_staff).get("/api/estate-works/", {"overdue": "true"}).json()
    assert {r["id"] for r in overdue["results"]} == {item_a.pk}
    on_time = api_as(hq_staff).get("/api/estate-works/", {"overdue": "false"}).json()
    assert {r["id"] for r in on_time["results"]} == {item_b.pk}
    assert on_time["results"][0]["estate_overdue"] is False
    assert overdue["results"][0]["estate_overdue"] is True


def test_other_street_item_is_404(api_as, clerk_b, awarded, item_a, nothing_changed):
    api = api_as(clerk_b)
    assert api.get(f"/api/estate-works/{item_a.pk}/").status_code == 404
    with nothing_changed(item_a):
        started = api.post(f"/api/estate-works/{item_a.pk}/start/")
    assert started.status_code == 404


def test_start_action_moves_status(api_as, clerk_a, awarded, item_a):
    response = api_as(clerk_a).post(
        f"/api/estate-works/{item_a.pk}/start/", {"on": "2013-07-02"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "under_construction"
    item_a.refresh_from_db()
    assert item_a.actual_start == date(2013, 7, 2)


def test_refused_move_is_400_with_message(api_as, clerk_a, awarded, item_a, nothing_changed):
    with nothing_changed(item_a):
        response = api_as(clerk_a).post(f"/api/estate-works/{item_a.pk}/finish/", format="json")
    assert response.status_code == 400
    assert "未开工的项目不能完工" in response.json()["status"][0]


def test_status_cannot_be_written_directly(api_as, hq_staff, item_a):
    response = api_as(hq_staff).patch(
        f"/api/estate-works/{item_a.pk}/", {"status": "accepted", "notes": "改"}, format="json"
    )
    assert response.status_code == 200
    item_a.refresh_from_db()
    assert (item_a.status, item_a.notes) == ("planned", "改")


def test_clerk_cannot_write_budget_of_approved_scope(api_as, clerk_a, item_a):
    response = api_as(clerk_a).patch(
        f"/api/estate-works/{item_a.pk}/", {"budget": "1.00"}, format="json"
    )
    assert response.status_code == 403
    item_a.refresh_from_db()
    assert item_a.budget == 180000


def test_clerk_cannot_create_tender(api_as, clerk_a, item_a):
    response = api_as(clerk_a).post(
        "/api/tenders/",
        {
            "campaign": item_a.estate.campaign_id,
            "number": "X",
            "name": "x",
            "control_price": "1000",
            "bid_opening_date": "2013-06-01",
            "works_items": [item_a.pk],
        },
        format="json",
    )
    assert response.status_code == 403
    assert not TenderPackage.objects.exists()


def test_clerk_cannot_post_bid(api_as, clerk_a, make_package, item_a, contractor):
    package = make_package(item_a)
    response = api_as(clerk_a).post(
        f"/api/tenders/{package.pk}/bid/",
        {"contractor": contractor.pk, "amount": "10"},
        format="json",
    )
    assert response.status_code == 403
    assert package.bids.count() == 0


def test_hq_runs_a_tender_through_the_api(
    api_as, hq_staff, item_a, item_a2, contractor, supervisor
):
    api = api_as(hq_staff)
    created = api.post(
        "/api/tenders/",
        {
            "campaign": item_a.estate.campaign_id,
            "number": "ZY-API-1",
            "name": "接口标段",
            "control_price": "500000",
            "bid_opening_date": "2013-06-01",
            "works_items": [item_a.pk, item_a2.pk],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    package_id = created.json()["id"]
    too_high = api.post(
        f"/api/tenders/{package_id}/bid/",
        {"contractor": contractor.pk, "amount": "500000.01"},
        format="json",
    )
    assert too_high.status_code == 400
    assert "高于招标控制价" in too_high.json()["amount"][0]
    bid = api.post(
        f"/api/tenders/{package_id}/bid/",
        {"contractor": contractor.pk, "amount": "450000"},
        format="json",
    ).json()
    contract = api.post(
        f"/api/tenders/{package_id}/award/",
        {
            "bid": bid["id"],
            "number": "HT-API-1",
            "supervisor": supervisor.pk,
            "signed_on": "2013-06-05",
            "planned_start": "2013-07-01",
            "planned_finish": "2013-09-01",
        },
        format="json",
    )
    assert contract.status_code == 201, contract.json()
    assert contract.json()["amount"] == "450000.00"
    assert sorted(contract.json()["works_items"]) == sorted([item_a.pk, item_a2.pk])
    assert EstateWorksItem.objects.filter(status="tendered").count() == 2


def test_item_in_active_package_is_refused_by_api(
    api_as, hq_staff, make_package, item_a, nothing_changed
):
    make_package(item_a)
    with nothing_changed(item_a):
        response = api_as(hq_staff).post(
            "/api/tenders/",
            {
                "campaign": item_a.estate.campaign_id,
                "number": "ZY-2",
                "name": "重复",
                "control_price": "1000",
                "bid_opening_date": "2013-06-01",
                "works_items": [item_a.pk],
            },
            format="json",
        )
    assert response.status_code == 400
    assert "不能重复招标" in response.json()["works_items"][0]


def test_contract_amount_hidden_from_community_lead(api_as, community_lead_a, awarded):
    data = api_as(community_lead_a).get("/api/contracts/").json()
    assert data["results"][0]["number"] == "ZYHT-2013-001"
    assert "amount" not in data["results"][0]
    tenders = api_as(community_lead_a).get("/api/tenders/").json()["results"]
    assert "control_price" not in tenders[0]
    assert "amount" not in tenders[0]["bids"][0]


def test_contract_visible_to_owning_street_with_amount(api_as, clerk_a, awarded):
    data = api_as(clerk_a).get("/api/contracts/").json()
    assert data["results"][0]["amount"] == "420000.00"


def test_contract_hidden_from_other_street(api_as, clerk_b, awarded):
    api = api_as(clerk_b)
    assert api.get("/api/contracts/").json()["count"] == 0
    assert api.get(f"/api/contracts/{awarded.pk}/").status_code == 404


def test_companies_readable_by_all_writable_by_hq(
    api_as, clerk_a, hq_staff, contractor, nothing_changed
):
    assert api_as(clerk_a).get("/api/companies/").json()["count"] == 1
    with nothing_changed(contractor):
        denied = api_as(clerk_a).post(
            "/api/companies/",
            {"name": "x", "role": "contractor", "credit_code": "x"},
            format="json",
        )
        bad = api_as(hq_staff).post(
            "/api/companies/",
            {"name": "丙公司", "role": "contractor", "credit_code": "91410102MA00000000"},
            format="json",
        )
    assert denied.status_code == 403
    assert bad.status_code == 400
    assert "校验位" in bad.json()["credit_code"][0]


def test_campaigns_endpoint(api_as, clerk_a, hq_staff, item_a):
    campaign = item_a.estate.campaign
    data = api_as(clerk_a).get("/api/campaigns/").json()["results"]
    assert data[0]["construction_start_deadline"] == "2013-07-31"
    assert data[0]["overdue_estates"] == 1
    assert (
        api_as(clerk_a)
        .patch(f"/api/campaigns/{campaign.pk}/", {"name": "x"}, format="json")
        .status_code
        == 403
    )
    response = api_as(hq_staff).patch(
        f"/api/campaigns/{campaign.pk}/", {"acceptance_end": "2013-12-15"}, format="json"
    )
    assert response.status_code == 200
    campaign.refresh_from_db()
    assert campaign.acceptance_end == date(2013, 12, 15)


@pytest.mark.parametrize(
    "url", ["/api/estate-works/", "/api/tenders/", "/api/contracts/", "/api/campaigns/"]
)
def test_api_list_query_count_does_not_grow(
    url, api_as, hq_staff, community_a, contractor, supervisor
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api = api_as(hq_staff)
    make_rows(community_a, 2, hq_staff, contractor, supervisor)
    with CaptureQueriesContext(connection) as small:
        assert api.get(url).status_code == 200
    make_rows(community_a, 18, hq_staff, contractor, supervisor, start=100)
    with CaptureQueriesContext(connection) as large:
        assert api.get(url).status_code == 200
    assert len(small) == len(large) <= 6


def test_reverse_names():
    assert reverse("estate-works-start", args=[1]) == "/api/estate-works/1/start/"


def test_api_has_no_plain_accept_action(api_as, clerk_a, awarded, item_a):
    response = api_as(clerk_a).post(f"/api/estate-works/{item_a.pk}/accept/")
    assert response.status_code == 404
    item_a.refresh_from_db()
    assert item_a.status == "tendered"


def test_estate_works_pages_by_next_links_without_a_count(api_as, hq_staff, estate_a):
    from estates.models import WorksItem
    from tests.works.factories import EstateWorksItemFactory

    rows = [
        EstateWorksItemFactory(estate=estate_a, works_item=item)
        for item in WorksItem.objects.order_by("number")
    ]
    rows += [
        EstateWorksItemFactory(estate=EstateFactory(community=estate_a.community), works_item=item)
        for _ in range(4)
        for item in WorksItem.objects.order_by("number")
    ]  # 60 rows: a page is 50
    api = api_as(hq_staff)
    first = api.get("/api/estate-works/").json()
    assert "count" not in first and first["previous"] is None and len(first["results"]) == 50
    second = api.get(first["next"]).json()
    assert second["next"] is None and len(second["results"]) == len(rows) - 50
    seen = [r["id"] for page in (first, second) for r in page["results"]]
    assert sorted(seen) == sorted(r.pk for r in rows)
