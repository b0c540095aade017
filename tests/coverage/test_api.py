"""The API: scoped like the pages, writes through the services, the role matrix."""

from datetime import timedelta

import pytest
from django.utils import timezone

from coverage import services
from coverage.models import ManagementArrangement, Reinspection, ServiceAssessment
from tests.coverage.factories import renovate
from tests.factories import EstateFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
Mode = ManagementArrangement.Mode
ARRANGEMENTS = "/api/management-arrangements/"
ASSESSMENTS = "/api/service-assessments/"
REINSPECTIONS = "/api/reinspections/"


def _arrangement(estate, actor, start=None):
    return services.record_arrangement(
        estate,
        actor=actor,
        values={
            "mode": Mode.COMMUNITY,
            "start_date": start or TODAY - timedelta(days=10),
            "responsible_name": "甲",
        },
    )


def test_anonymous_gets_nothing(api, estate_a):
    for url in (ARRANGEMENTS, ASSESSMENTS, REINSPECTIONS):
        assert api.get(url).status_code in (401, 403)


def test_lists_are_scoped(api_as, clerk_a, hq_staff, estate_a, estate_b):
    _arrangement(estate_a, hq_staff)
    _arrangement(estate_b, hq_staff)
    data = api_as(clerk_a).get(ARRANGEMENTS).json()
    assert [row["estate"] for row in data["results"]] == [estate_a.pk]
    assert data["results"][0]["in_force"] is True


def test_another_streets_arrangement_is_a_404(api_as, clerk_b, hq_staff, estate_a):
    a = _arrangement(estate_a, hq_staff)
    assert api_as(clerk_b).get(f"{ARRANGEMENTS}{a.pk}/").status_code == 404


def test_a_clerk_records_an_arrangement_which_ends_the_previous(api_as, clerk_a, estate_a, company):
    first = _arrangement(estate_a, clerk_a)
    response = api_as(clerk_a).post(
        ARRANGEMENTS,
        {
            "estate": estate_a.pk,
            "mode": Mode.PROFESSIONAL,
            "company": company.pk,
            "start_date": TODAY.isoformat(),
            "term_months": 24,
            "monthly_fee": "0.50",
            "responsible_name": "孙经理",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["provider"] == company.name
    first.refresh_from_db()
    assert first.ended_on == TODAY - timedelta(days=1)


def test_a_clerk_cannot_record_on_another_streets_compound(api_as, clerk_b, estate_a):
    response = api_as(clerk_b).post(
        ARRANGEMENTS,
        {
            "estate": estate_a.pk,
            "mode": Mode.COMMUNITY,
            "start_date": TODAY.isoformat(),
            "responsible_name": "甲",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "不在您的管辖范围内" in str(response.json()["estate"])
    assert not ManagementArrangement.objects.exists()


@pytest.mark.parametrize("persona", ["hq_leader", "inspector", "community_lead_a"])
def test_read_only_roles_cannot_record_an_arrangement(persona, request, api_as, estate_a):
    response = api_as(request.getfixturevalue(persona)).post(
        ARRANGEMENTS,
        {
            "estate": estate_a.pk,
            "mode": Mode.COMMUNITY,
            "start_date": TODAY.isoformat(),
            "responsible_name": "甲",
        },
        format="json",
    )
    assert response.status_code == 403
    assert not ManagementArrangement.objects.exists()


def test_a_service_error_is_a_400_naming_the_field(api_as, clerk_a, estate_a, nothing_changed):
    with nothing_changed(estate_a):
        response = api_as(clerk_a).post(
            ARRANGEMENTS,
            {
                "estate": estate_a.pk,
                "mode": Mode.PROFESSIONAL,
                "start_date": TODAY.isoformat(),
                "responsible_name": "甲",
            },
            format="json",
        )
    assert response.status_code == 400
    assert "物业服务企业" in str(response.json()["company"])


def test_arrangements_are_never_updated_or_deleted(api_as, hq_staff, estate_a, nothing_changed):
    a = _arrangement(estate_a, hq_staff)
    client = api_as(hq_staff)
    with nothing_changed(a):
        edited = client.patch(f"{ARRANGEMENTS}{a.pk}/", {"mode": "logistics"})
        deleted = client.delete(f"{ARRANGEMENTS}{a.pk}/")
    assert edited.status_code == 405 and deleted.status_code == 405


def test_ending_an_arrangement(api_as, clerk_a, clerk_b, hq_staff, estate_a):
    a = _arrangement(estate_a, hq_staff)
    body = {"ended_on": TODAY.isoformat(), "reason": "撤场"}
    assert api_as(clerk_b).post(f"{ARRANGEMENTS}{a.pk}/end/", body).status_code == 404
    response = api_as(clerk_a).post(f"{ARRANGEMENTS}{a.pk}/end/", body)
    assert response.status_code == 200
    assert response.json()["ended_on"] == TODAY.isoformat()


def test_a_clerk_assesses_and_an_inspector_verifies(api_as, clerk_a, inspector, estate_a):
    response = api_as(clerk_a).post(
        ASSESSMENTS, {"estate": estate_a.pk, "item": "有日常维修", "met": True, "note": "有"}
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert response.json()["verification"] == "pending"
    assert api_as(clerk_a).post(f"{ASSESSMENTS}{pk}/verify/", {"verified": True}).status_code == 403
    response = api_as(inspector).post(f"{ASSESSMENTS}{pk}/verify/", {"verified": True})
    assert response.status_code == 200
    assert ServiceAssessment.objects.get(pk=pk).verification == "verified"


def test_an_item_outside_the_target_is_a_400(api_as, clerk_a, estate_a, nothing_changed):
    with nothing_changed(estate_a):
        response = api_as(clerk_a).post(
            ASSESSMENTS, {"estate": estate_a.pk, "item": "有停车管理", "met": True, "note": "有"}
        )
    assert response.status_code == 400
    assert "四有" in str(response.json()["item"])


def test_assessments_are_filtered_by_verification(api_as, clerk_a, hq_staff, estate_a):
    a = services.assess_item(estate_a, actor=clerk_a, item="有日常维修", met=True, note="有")
    services.assess_item(estate_a, actor=clerk_a, item="有垃圾清运", met=True, note="有")
    services.verify_assessment(a, actor=hq_staff, verified=True)
    data = api_as(hq_staff).get(ASSESSMENTS + "?verification=pending").json()
    assert [row["item"] for row in data["results"]] == ["有垃圾清运"]


def test_an_inspector_records_a_reinspection_and_the_street_follows_up(
    api_as, inspector, clerk_a, clerk_b, estate_a
):
    renovate(estate_a)
    response = api_as(inspector).post(
        REINSPECTIONS,
        {
            "estate": estate_a.pk,
            "inspected_on": TODAY.isoformat(),
            "findings": "杂物",
            "relapsed_items": ["有清扫保洁"],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "relapsed"
    pk = response.json()["id"]
    body = {"done_on": TODAY.isoformat(), "note": "已清理"}
    assert api_as(inspector).post(f"{REINSPECTIONS}{pk}/follow-up/", body).status_code == 403
    assert api_as(clerk_b).post(f"{REINSPECTIONS}{pk}/follow-up/", body).status_code == 404
    response = api_as(clerk_a).post(f"{REINSPECTIONS}{pk}/follow-up/", body)
    assert response.status_code == 200
    assert Reinspection.objects.get(pk=pk).status == "rectified"


def test_a_clerk_cannot_record_a_reinspection(api_as, clerk_a, estate_a, nothing_changed):
    renovate(estate_a)
    with nothing_changed(estate_a):
        response = api_as(clerk_a).post(
            REINSPECTIONS, {"estate": estate_a.pk, "inspected_on": TODAY.isoformat()}, format="json"
        )
    assert response.status_code == 403


def test_overdue_reinspections_filter(api_as, hq_staff, estate_a, estate_b):
    Reinspection.objects.create(estate=estate_a, due_on=TODAY - timedelta(days=3))
    Reinspection.objects.create(estate=estate_b, due_on=TODAY + timedelta(days=3))
    data = api_as(hq_staff).get(REINSPECTIONS + "?overdue=true").json()
    assert [row["estate"] for row in data["results"]] == [estate_a.pk]


@pytest.mark.parametrize("count", [2, 20])
def test_list_query_counts_do_not_grow(
    count, api_as, hq_staff, community_a, django_assert_num_queries
):
    for _ in range(count):
        estate = EstateFactory(community=community_a)
        _arrangement(estate, hq_staff)
        services.assess_item(estate, actor=hq_staff, item="有日常维修", met=True, note="有")
        Reinspection.objects.create(estate=estate, due_on=TODAY)
    client = api_as(hq_staff)
    for url in (ARRANGEMENTS, ASSESSMENTS, REINSPECTIONS):
        with django_assert_num_queries(2):  # count + page
            assert len(client.get(url).json()["results"]) == count


def test_a_relapsed_item_outside_the_target_is_a_400(api_as, inspector, estate_a):
    renovate(estate_a)
    response = api_as(inspector).post(
        REINSPECTIONS,
        {
            "estate": estate_a.pk,
            "inspected_on": TODAY.isoformat(),
            "findings": "乱",
            "relapsed_items": ["有停车管理"],
        },
        format="json",
    )
    assert response.status_code == 400
    assert "有停车管理" in str(response.json()["relapsed_items"])
    assert not Reinspection.objects.exists()
