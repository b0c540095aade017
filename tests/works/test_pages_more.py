"""Home panels, the compound section, the directory and campaign pages."""

from datetime import date

import pytest
from django.urls import reverse

from estates.models import Campaign
from tests.works.factories import approved_item, make_uscc
from works import services
from works.models import Company

pytestmark = pytest.mark.django_db


@pytest.fixture
def this_year(estate_a, estate_a2, estate_b):
    """Put the fixture compounds into a campaign of today's year (the home panel's)."""
    year = date.today().year
    campaign = Campaign.objects.create(year=year, **Campaign.defaults_for_year(year))
    for estate in (estate_a, estate_a2, estate_b):
        estate.campaign = campaign
        estate.save()
    return campaign


def test_street_home_panel_shows_budget_in_wan_and_overdue(
    login, hq_staff, clerk_a, this_year, estate_a
):
    approved_item(estate_a, 1, budget=1234567)
    services.set_schedule(
        estate_a,
        actor=hq_staff,
        planned_start=date(2000, 1, 1),
        planned_finish=date(2000, 2, 1),
    )
    # HQ's home reads the district from the snapshots (tests/reports/test_home_district.py)
    content = login(clerk_a).get(reverse("home")).content.decode()
    assert "123.46" in content  # 1,234,567 yuan in 万元
    assert "逾期小区" in content
    assert "待报送工程范围" in content


def test_street_home_panel_counts_drafts(login, clerk_a, this_year, estate_a, estate_b):
    content = login(clerk_a).get(reverse("home")).content.decode()
    assert "待报送工程范围" in content
    assert 'scope_status=draft">2<' in content  # estate_a and estate_a2, not estate_b


def test_scope_status_filter(login, hq_staff, estate_a, estate_b, clerk_a):
    services.save_scope(estate_a, actor=clerk_a, rows={1: {"applicable": True, "quantity": 3}})
    services.submit_scope(estate_a, actor=clerk_a)
    content = login(hq_staff).get(reverse("works:list") + "?scope_status=submitted").content
    assert estate_a.name in content.decode()
    assert estate_b.name not in content.decode()


def test_estate_section_query_count_is_constant(login, hq_staff, estate_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(hq_staff)
    approved_item(estate_a, 1)
    url = reverse("estates:detail", args=[estate_a.pk])
    client.get(url)  # warms the content-type cache
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for number in range(2, 13):
        approved_item(estate_a, number)
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(small) == len(large)


def test_hq_adds_company_with_valid_code(login, hq_staff):
    response = login(hq_staff).post(
        reverse("works:company-create"),
        {"name": "郑州测试监理有限公司", "role": "supervisor", "credit_code": make_uscc(5)},
    )
    assert response.status_code == 302
    assert Company.objects.get(name="郑州测试监理有限公司").role == "supervisor"


def test_bad_credit_code_is_shown_on_the_field(login, hq_staff):
    response = login(hq_staff).post(
        reverse("works:company-create"),
        {"name": "坏代码公司", "role": "contractor", "credit_code": "91410102MA0000000X"},
    )
    assert response.status_code == 200
    assert "统一社会信用代码" in response.content.decode()
    assert not Company.objects.filter(name="坏代码公司").exists()


def test_clerk_cannot_add_company(login, clerk_a):
    assert login(clerk_a).get(reverse("works:company-create")).status_code == 403


def test_hq_edits_campaign_milestones(login, hq_staff, estate_a):
    campaign = estate_a.campaign
    response = login(hq_staff).post(
        reverse("works:campaign-edit", args=[campaign.pk]),
        {
            "name": campaign.name,
            "tender_deadline": "2013-06-30",
            "construction_start_deadline": "2013-08-10",
            "construction_finish_deadline": "2013-09-30",
            "acceptance_start": "2013-10-01",
            "acceptance_end": "2013-11-30",
        },
    )
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.construction_start_deadline == date(2013, 8, 10)


def test_clerk_cannot_edit_campaign(login, clerk_a, estate_a):
    url = reverse("works:campaign-edit", args=[estate_a.campaign_id])
    assert login(clerk_a).get(url).status_code == 403


def test_nav_shows_tenders_to_hq_only(login, hq_staff, clerk_a):
    assert "招投标" in login(hq_staff).get(reverse("home")).content.decode()
    from works.nav import items_for

    pages = [page.label for item in items_for(clerk_a) for page in (item, *item.children)]
    assert "施工合同" in pages
    assert "招投标" not in pages


def test_anonymous_is_sent_to_login(client, estate_a):
    response = client.get(reverse("works:sheet", args=[estate_a.pk]))
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_anonymous_api_is_refused(api, item_a):
    assert api.get("/api/estate-works/").status_code in (401, 403)


def test_outsider_sees_nothing(login, api_as, outsider, item_a, estate_a, awarded):
    assert login(outsider).get(reverse("works:sheet", args=[estate_a.pk])).status_code == 404
    api = api_as(outsider)
    assert api.get("/api/estate-works/").json()["results"] == []
    assert api.get("/api/contracts/").json()["count"] == 0
    assert api.get("/api/companies/").json()["count"] == 0


def test_works_list_totals_per_street_and_district(login, hq_staff, item_a, item_a2, item_b):
    from works.queries import district_totals

    content = login(hq_staff).get(reverse("works:list")).content.decode()
    # item_a 180,000 + item_a2 18,000 in 林山寨; item_b 18,000 in 建设路: 21.60 万元 in all
    assert "19.80" in content
    assert "1.80" in content
    assert "21.60" in content
    from estates.models import Estate

    assert district_totals(Estate.objects.all(), date(2013, 1, 1))["item_count"] == 3
