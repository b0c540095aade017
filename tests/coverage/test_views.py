"""The pages: who sees what, who may write, the forms calling the services, the export,
the scoped photo view, the home panel and the compound section, query counts pinned."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from PIL import Image

from coverage import services
from coverage.models import ManagementArrangement, Reinspection, ServiceAssessment
from tests.coverage.factories import renovate
from tests.factories import EstateFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
Mode = ManagementArrangement.Mode


def _png():
    buffer = BytesIO()
    Image.new("RGB", (30, 20), "green").save(buffer, "PNG")
    buffer.seek(0)
    buffer.name = "photo.png"
    return buffer


# --- reading ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "persona", ["hq_staff", "hq_leader", "inspector", "clerk_a", "community_lead_a"]
)
def test_every_role_sees_the_overview(persona, request, login, estate_a):
    response = login(request.getfixturevalue(persona)).get(reverse("coverage:overview"))
    assert response.status_code == 200
    assert "物业管理覆盖率" in response.content.decode()


def test_hq_overview_lists_street_offices_and_a_street_its_communities(
    login, hq_staff, clerk_a, estate_a, estate_b
):
    page = login(hq_staff).get(reverse("coverage:overview")).content.decode()
    assert "林山寨街道办事处" in page and "建设路街道办事处" in page
    page = login(clerk_a).get(reverse("coverage:overview")).content.decode()
    assert "林山寨社区" in page and "建设路" not in page.split("<main")[1]


def test_the_ledger_is_scoped(login, clerk_a, estate_a, estate_b):
    page = login(clerk_a).get(reverse("coverage:ledger")).content.decode()
    assert estate_a.name in page and estate_b.name not in page


def test_the_ledger_filters_compounds_without_an_arrangement(login, hq_staff, estate_a, estate_b):
    services.record_arrangement(
        estate_a,
        actor=hq_staff,
        values={"mode": Mode.COMMUNITY, "start_date": TODAY, "responsible_name": "甲"},
    )
    page = login(hq_staff).get(reverse("coverage:ledger") + "?mode=none").content.decode()
    assert estate_b.name in page and estate_a.name not in page


def test_another_streets_compound_is_a_404(login, clerk_b, estate_a):
    client = login(clerk_b)
    assert client.get(reverse("coverage:estate", args=[estate_a.pk])).status_code == 404
    response = client.post(
        reverse("coverage:assess", args=[estate_a.pk]),
        {"item": "有日常维修", "met": "1", "note": "有"},
    )
    assert response.status_code == 404
    assert not ServiceAssessment.objects.exists()


@pytest.mark.parametrize("count", [2, 20])
def test_the_ledger_query_count_does_not_grow(
    count, login, hq_staff, community_a, django_assert_max_num_queries
):
    for _ in range(count):
        estate = EstateFactory(community=community_a)
        renovate(estate)
        services.record_arrangement(
            estate,
            actor=hq_staff,
            values={"mode": Mode.COMMUNITY, "start_date": TODAY, "responsible_name": "甲"},
        )
    client = login(hq_staff)
    # session + user, count, page, filter choices (street offices, communities), nav
    with django_assert_max_num_queries(9):
        response = client.get(reverse("coverage:ledger"))
    assert response.content.decode().count("社区介入") >= count


@pytest.mark.parametrize("count", [2, 20])
def test_the_overview_query_count_does_not_grow(
    count, login, hq_staff, community_a, django_assert_max_num_queries
):
    for n in range(count):
        estate = EstateFactory(community=community_a)
        renovate(estate)
        Reinspection.objects.create(estate=estate, due_on=TODAY - timedelta(days=n + 1))
    client = login(hq_staff)
    # session, user, figures (2), expiring, overdue, session save (3 with savepoints)
    with django_assert_max_num_queries(9):
        response = client.get(reverse("coverage:overview"))
    assert "回头看逾期的小区" in response.content.decode()


# --- writing ----------------------------------------------------------------------------
def test_a_clerk_records_an_arrangement_through_the_form(login, clerk_a, estate_a, company):
    response = login(clerk_a).post(
        reverse("coverage:arrangement-create", args=[estate_a.pk]),
        {
            "mode": Mode.PROFESSIONAL,
            "company": company.pk,
            "start_date": TODAY.isoformat(),
            "term_months": "36",
            "monthly_fee": "0.45",
            "responsible_name": "孙经理",
            "responsible_phone": "13800000000",
        },
    )
    assert response.status_code == 302
    arrangement = ManagementArrangement.objects.get(estate=estate_a)
    assert arrangement.company == company and arrangement.created_by == clerk_a
    page = login(clerk_a).get(response.url).content.decode()
    assert company.name in page and "孙经理" in page


def test_a_bad_arrangement_form_shows_the_error_on_the_field(login, clerk_a, estate_a):
    response = login(clerk_a).post(
        reverse("coverage:arrangement-create", args=[estate_a.pk]),
        {"mode": Mode.PROFESSIONAL, "start_date": TODAY.isoformat(), "responsible_name": "甲"},
    )
    assert response.status_code == 200
    assert "专业化物业公司进驻须选择物业服务企业" in response.content.decode()
    assert not ManagementArrangement.objects.exists()


@pytest.mark.parametrize("persona", ["hq_leader", "inspector", "community_lead_a"])
def test_read_only_roles_cannot_record_an_arrangement(persona, request, login, estate_a):
    client = login(request.getfixturevalue(persona))
    url = reverse("coverage:arrangement-create", args=[estate_a.pk])
    assert client.get(url).status_code == 403
    response = client.post(
        url, {"mode": Mode.COMMUNITY, "start_date": TODAY.isoformat(), "responsible_name": "甲"}
    )
    assert response.status_code == 403
    assert not ManagementArrangement.objects.exists()


def test_a_clerk_assesses_with_a_photo_and_hq_verifies(login, clerk_a, hq_staff, estate_a):
    response = login(clerk_a).post(
        reverse("coverage:assess", args=[estate_a.pk]),
        {"item": "有日常维修", "met": "1", "note": "维修队", "photo": _png()},
    )
    assert response.status_code == 302
    assessment = ServiceAssessment.objects.get()
    assert assessment.photo and assessment.verification == "pending"
    response = login(hq_staff).post(
        reverse("coverage:verify", args=[assessment.pk]), {"decision": "verify"}
    )
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.verification == "verified" and assessment.verified_by == hq_staff


def test_a_clerk_cannot_verify(login, clerk_a, estate_a):
    a = services.assess_item(estate_a, actor=clerk_a, item="有日常维修", met=True, note="有")
    response = login(clerk_a).post(reverse("coverage:verify", args=[a.pk]), {"decision": "verify"})
    assert response.status_code == 403
    a.refresh_from_db()
    assert a.verification == "pending"


def test_an_invalid_assessment_is_a_message_not_a_500(login, clerk_a, estate_a):
    response = login(clerk_a).post(
        reverse("coverage:assess", args=[estate_a.pk]),
        {"item": "有日常维修", "met": "1", "note": "", "photo": BytesIO(b"not an image")},
        follow=True,
    )
    assert response.status_code == 200
    assert "不是有效的图片" in response.content.decode()
    assert not ServiceAssessment.objects.exists()


def test_the_reinspection_form_records_a_relapse(login, inspector, estate_a):
    renovate(estate_a)
    response = login(inspector).post(
        reverse("coverage:reinspect", args=[estate_a.pk]),
        {"inspected_on": TODAY.isoformat(), "relapsed_items": ["有清扫保洁"], "findings": "杂物"},
    )
    assert response.status_code == 302
    assert Reinspection.objects.get(status="relapsed").relapsed_items == ["有清扫保洁"]


def test_the_reinspection_form_refuses_an_unrenovated_compound(login, inspector, estate_a):
    response = login(inspector).post(
        reverse("coverage:reinspect", args=[estate_a.pk]), {"inspected_on": TODAY.isoformat()}
    )
    assert response.status_code == 200
    assert "尚未完成整治" in response.content.decode()


def test_a_clerk_cannot_open_the_reinspection_form(login, clerk_a, estate_a):
    assert login(clerk_a).get(reverse("coverage:reinspect", args=[estate_a.pk])).status_code == 403


def test_the_street_office_records_the_follow_up(login, clerk_a, inspector, estate_a):
    renovate(estate_a)
    r = services.record_reinspection(
        estate_a, actor=inspector, inspected_on=TODAY, findings="乱", relapsed_items=["有日常维修"]
    )
    response = login(clerk_a).post(
        reverse("coverage:follow-up", args=[r.pk]),
        {"done_on": TODAY.isoformat(), "note": "已整改"},
    )
    assert response.status_code == 302
    r.refresh_from_db()
    assert r.status == "rectified"


def test_csrf_is_enforced_on_the_assessment(clerk_a, estate_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(clerk_a)
    response = client.post(
        reverse("coverage:assess", args=[estate_a.pk]),
        {"item": "有日常维修", "met": "1", "note": "有"},
    )
    assert response.status_code == 403
    assert not ServiceAssessment.objects.exists()


# --- photos -----------------------------------------------------------------------------
def test_the_photo_is_served_only_inside_the_scope(login, clerk_a, clerk_b, hq_leader, estate_a):
    login(clerk_a).post(
        reverse("coverage:assess", args=[estate_a.pk]),
        {"item": "有日常维修", "met": "1", "photo": _png()},
    )
    url = reverse("coverage:photo", args=[ServiceAssessment.objects.get().pk])
    response = login(hq_leader).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content)[:3] == b"\xff\xd8\xff"
    assert login(clerk_b).get(url).status_code == 404


def test_media_is_not_publicly_routed(client, clerk_a, estate_a, login):
    login(clerk_a).post(
        reverse("coverage:assess", args=[estate_a.pk]),
        {"item": "有日常维修", "met": "1", "photo": _png()},
    )
    name = ServiceAssessment.objects.get().photo.name
    assert client.get(f"/media/{name}").status_code == 404


# --- export, home, compound section -----------------------------------------------------
def test_the_export_is_the_scoped_ledger(login, clerk_a, hq_staff, estate_a, estate_b):
    services.record_arrangement(
        estate_a,
        actor=hq_staff,
        values={"mode": Mode.COMMUNITY, "start_date": TODAY, "responsible_name": "赵书记"},
    )
    response = login(clerk_a).get(reverse("coverage:export"))
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][0] == "中原区老旧小区物业管理覆盖台账"
    assert "林山寨街道办事处" in rows[1][0]
    data = [r for r in rows[3:] if isinstance(r[0], int)]
    assert len(data) == 1
    assert data[0][3] == estate_a.name and data[0][7] == "社区介入" and data[0][9] == "赵书记"


def test_the_home_panel_shows_the_figures(login, clerk_a, estate_a):
    page = login(clerk_a).get(reverse("home")).content.decode()
    assert "物业管理覆盖与长效管理" in page and "服务目标达成率" in page


def test_hq_home_has_no_live_panel(hq_staff, estate_a):
    """HQ's district-wide figures come from the roll-up's snapshots (reports.home)."""
    from coverage.home import panels

    assert panels(hq_staff) == []


@pytest.mark.parametrize("count", [2, 20])
def test_the_home_panel_takes_three_queries(count, clerk_a, community_a, django_assert_num_queries):
    from coverage.home import panels

    for _ in range(count):
        EstateFactory(community=community_a)
    # no snapshot yet (one query says so), then the live figures' two
    with django_assert_num_queries(3):
        [panel] = panels(clerk_a)
    assert panel["totals"]["estates"] == count and panel["figures"]["snapshot_at"] is None


def test_the_compound_page_shows_the_coverage_section(login, hq_staff, estate_a):
    services.record_arrangement(
        estate_a,
        actor=hq_staff,
        values={"mode": Mode.COMMUNITY, "start_date": TODAY, "responsible_name": "赵书记"},
    )
    page = login(hq_staff).get(reverse("estates:detail", args=[estate_a.pk])).content.decode()
    assert "物业管理与长效管理" in page and "社区介入" in page and "0/4 项核验达到" in page


@pytest.mark.parametrize("count", [1, 8])
def test_the_compound_section_takes_three_queries(
    count, hq_staff, clerk_a, good_estate_a, django_assert_num_queries
):
    from coverage.estate_page import sections as estate_sections

    for item in good_estate_a.target_items[:count]:
        services.assess_item(good_estate_a, actor=clerk_a, item=item, met=True, note="有")
    with django_assert_num_queries(3):
        [section] = estate_sections(hq_staff, good_estate_a)
        assert len(section["coverage"].rows) == 8
        assert section["coverage"].current is None


def test_a_community_lead_reads_only_their_community(login, community_lead_a, estate_a, estate_a2):
    client = login(community_lead_a)
    assert client.get(reverse("coverage:estate", args=[estate_a.pk])).status_code == 200
    assert client.get(reverse("coverage:estate", args=[estate_a2.pk])).status_code == 404
    page = client.get(reverse("coverage:estate", args=[estate_a.pk])).content.decode()
    assert "登记管理安排" not in page and "提交评定" not in page


def test_reinspection_card_does_not_ask_an_accepted_compound_to_finish_first(
    login, hq_staff, estate_a
):
    from tests.works.factories import EstateWorksItemFactory
    from works.models import EstateWorksItem

    EstateWorksItemFactory(estate=estate_a, applicable=True, status=EstateWorksItem.Status.ACCEPTED)
    html = login(hq_staff).get(f"/coverage/compounds/{estate_a.pk}/").content.decode()
    assert "完成整治后方可登记" not in html
    assert "可以登记回头看" in html


def test_reinspection_card_says_an_unfinished_compound_must_finish_first(login, hq_staff, estate_a):
    from tests.works.factories import EstateWorksItemFactory
    from works.models import EstateWorksItem

    EstateWorksItemFactory(
        estate=estate_a, applicable=True, status=EstateWorksItem.Status.UNDER_CONSTRUCTION
    )
    html = login(hq_staff).get(f"/coverage/compounds/{estate_a.pk}/").content.decode()
    assert "小区完成整治后方可登记" in html
