"""The works pages: role limits, scope (404 outside), amounts hidden, exports, and
query counts pinned at 2 rows and at 20."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from estates.models import WorksItem
from tests.factories import EstateFactory
from tests.works.factories import CompanyFactory, approved_item
from works import services
from works.models import EstateScope, EstateWorksItem, ScheduleEntry, TenderPackage

pytestmark = pytest.mark.django_db


def make_rows(community, n, hq_staff, contractor, supervisor, start=0):
    """``n`` compounds of ``community``, each with two approved items, tendered in one
    package, one item started, and a schedule row."""
    items = []
    for index in range(start, start + n):
        estate = EstateFactory(community=community, name=f"批量小区{index}")
        items += [approved_item(estate, 1), approved_item(estate, 2)]
        services.set_schedule(
            estate, actor=hq_staff, planned_start=date(2013, 7, 1), planned_finish=date(2013, 9, 1)
        )
    package = services.create_package(
        actor=hq_staff,
        campaign=items[0].estate.campaign,
        number=f"P-{start}",
        name="批量",
        control_price=Decimal("9999999"),
        bid_opening_date=date(2013, 6, 1),
        works_items=items,
    )
    bid = services.record_bid(package, actor=hq_staff, contractor=contractor, amount="1000")
    services.award_package(
        package,
        actor=hq_staff,
        bid=bid,
        number=f"HT-{start}",
        supervisor=supervisor,
        signed_on=date(2013, 6, 5),
        planned_start=date(2013, 7, 1),
        planned_finish=date(2013, 9, 1),
    )
    for item in items[::2]:
        services.start_item(item, actor=hq_staff, on=date(2013, 7, 2))
    return items


def count_queries(django_assert_max_num_queries, client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return len(ctx.captured_queries)


# --- works sheet -------------------------------------------------------------------------
def test_sheet_shows_contractor_and_contract(login, hq_staff, awarded, estate_a):
    response = login(hq_staff).get(reverse("works:sheet", args=[estate_a.pk]))
    content = response.content.decode()
    assert "郑州市第一市政工程有限公司" in content
    assert "ZYHT-2013-001" in content
    assert "420,000.00 元" in content


def test_contract_amount_hidden_from_community_lead(login, community_lead_a, awarded, estate_a):
    response = login(community_lead_a).get(reverse("works:sheet", args=[estate_a.pk]))
    content = response.content.decode()
    assert "ZYHT-2013-001" in content
    assert "420,000.00" not in content
    assert "合同金额" not in content


def test_clerk_of_other_street_gets_404_on_sheet(login, clerk_b, item_a, estate_a):
    response = login(clerk_b).get(reverse("works:sheet", args=[estate_a.pk]))
    assert response.status_code == 404


def test_clerk_of_other_street_gets_404_on_transition(login, clerk_b, awarded, item_a):
    response = login(clerk_b).post(reverse("works:transition", args=[item_a.pk, "start"]))
    assert response.status_code == 404
    item_a.refresh_from_db()
    assert item_a.status == EstateWorksItem.Status.TENDERED


def test_clerk_starts_own_item_from_sheet(login, clerk_a, awarded, item_a):
    response = login(clerk_a).post(
        reverse("works:transition", args=[item_a.pk, "start"]), {"on": "2013-07-03"}
    )
    assert response.status_code == 302
    item_a.refresh_from_db()
    assert (item_a.status, item_a.actual_start) == ("under_construction", date(2013, 7, 3))


def test_refused_move_shows_message(login, clerk_a, awarded, item_a):
    response = login(clerk_a).post(
        reverse("works:transition", args=[item_a.pk, "finish"]), follow=True
    )
    assert "未开工的项目不能完工" in response.content.decode()


def test_there_is_no_plain_accept_move(login, clerk_a, awarded, item_a):
    services.start_item(item_a, actor=clerk_a, on=date(2013, 7, 1))
    services.finish_item(item_a, actor=clerk_a, on=date(2013, 9, 1))
    response = login(clerk_a).post(reverse("works:transition", args=[item_a.pk, "accept"]))
    assert response.status_code == 404
    item_a.refresh_from_db()
    assert item_a.status == EstateWorksItem.Status.COMPLETED


def test_transition_needs_csrf_token(clerk_a, awarded, item_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(clerk_a)
    response = client.post(reverse("works:transition", args=[item_a.pk, "start"]))
    assert response.status_code == 403
    item_a.refresh_from_db()
    assert item_a.status == EstateWorksItem.Status.TENDERED


def test_community_lead_cannot_move_items(
    login, community_lead_a, awarded, item_a, nothing_changed
):
    with nothing_changed(item_a):
        response = login(community_lead_a).post(
            reverse("works:transition", args=[item_a.pk, "start"])
        )
    assert response.status_code == 403


def test_clerk_drafts_scope_through_the_form(login, clerk_a, estate_a):
    data = {"scope-TOTAL_FORMS": "12", "scope-INITIAL_FORMS": "12"}
    for i, item in enumerate(WorksItem.objects.order_by("number")):
        data |= {
            f"scope-{i}-number": item.number,
            f"scope-{i}-quantity": "120" if item.number == 3 else "0",
            f"scope-{i}-unit": item.default_unit,
            f"scope-{i}-budget": "312000.50" if item.number == 3 else "0",
            f"scope-{i}-notes": "",
        }
    data["scope-2-applicable"] = "on"
    response = login(clerk_a).post(reverse("works:scope-edit", args=[estate_a.pk]), data)
    assert response.status_code == 302
    row = EstateWorksItem.objects.get(estate=estate_a, applicable=True)
    assert (row.works_item.number, row.budget) == (3, Decimal("312000.50"))


def test_clerk_cannot_open_approved_scope_form(login, clerk_a, item_a, estate_a):
    response = login(clerk_a).get(reverse("works:scope-edit", args=[estate_a.pk]))
    assert response.status_code == 403


def test_submit_and_approve_buttons(login, clerk_a, hq_staff, estate_a):
    services.save_scope(estate_a, actor=clerk_a, rows={1: {"applicable": True, "quantity": 5}})
    login(clerk_a).post(reverse("works:scope-action", args=[estate_a.pk, "submit"]))
    assert EstateScope.objects.get(estate=estate_a).status == "submitted"
    response = login(hq_staff).post(reverse("works:scope-action", args=[estate_a.pk, "approve"]))
    assert response.status_code == 302
    assert EstateScope.objects.get(estate=estate_a).status == "approved"


def test_estate_detail_shows_works_section(login, hq_staff, awarded, estate_a):
    content = login(hq_staff).get(reverse("estates:detail", args=[estate_a.pk])).content.decode()
    assert "工程量及预算" in content
    assert "郑州市第一市政工程有限公司" in content
    assert reverse("works:sheet", args=[estate_a.pk]) in content


# --- tenders -----------------------------------------------------------------------------
def test_clerk_cannot_open_tender_form(login, clerk_a):
    assert login(clerk_a).get(reverse("works:tender-create")).status_code == 403


def test_clerk_cannot_record_bid_on_page(login, clerk_a, make_package, item_a, contractor):
    package = make_package(item_a)
    response = login(clerk_a).post(
        reverse("works:tender-action", args=[package.pk, "bid"]),
        {"contractor": contractor.pk, "amount": "100"},
    )
    assert response.status_code == 403
    assert package.bids.count() == 0


def test_clerk_of_other_street_gets_404_on_tender(login, clerk_b, make_package, item_a):
    package = make_package(item_a)
    assert login(clerk_b).get(reverse("works:tender", args=[package.pk])).status_code == 404


def test_bid_above_control_price_shows_message(login, hq_staff, make_package, item_a, contractor):
    package = make_package(item_a, control_price="1000")
    response = login(hq_staff).post(
        reverse("works:tender-action", args=[package.pk, "bid"]),
        {"contractor": contractor.pk, "amount": "1000.01"},
    )
    assert "高于招标控制价" in response.content.decode()
    assert package.bids.count() == 0


def test_hq_creates_package_on_page(login, hq_staff, item_a, item_a2):
    response = login(hq_staff).post(
        reverse("works:tender-create") + f"?campaign={item_a.estate.campaign_id}",
        {
            "number": "ZY-NEW-1",
            "name": "林山寨一标段",
            "control_price": "300000",
            "bid_opening_date": "2013-06-10",
            "works_items": [item_a.pk, item_a2.pk],
        },
    )
    package = TenderPackage.objects.get(number="ZY-NEW-1")
    assert response.status_code == 302
    assert set(package.package_items.values_list("works_item", flat=True)) == {
        item_a.pk,
        item_a2.pk,
    }


# --- schedule ----------------------------------------------------------------------------
def test_schedule_marks_overdue(login, hq_staff, item_a, estate_a, street_a):
    content = (
        login(hq_staff)
        .get(reverse("works:schedule") + f"?street_office={street_a.pk}&campaign=")
        .content.decode()
    )
    assert estate_a.name in content
    assert "招投标逾期" in content


def test_clerk_edits_own_schedule(login, clerk_a, estate_a, street_a):
    from estates.models import Campaign

    campaign = Campaign.objects.current(date.today())
    estate_a.campaign = campaign
    estate_a.save()
    response = login(clerk_a).post(
        reverse("works:schedule-edit", args=[street_a.pk]),
        {
            "schedule-TOTAL_FORMS": "1",
            "schedule-INITIAL_FORMS": "1",
            "schedule-0-estate": estate_a.pk,
            "schedule-0-planned_start": "2013-07-01",
            "schedule-0-planned_finish": "2013-09-10",
        },
    )
    assert response.status_code == 302
    entry = ScheduleEntry.objects.get(estate=estate_a)
    assert entry.planned_finish == date(2013, 9, 10)


def test_clerk_cannot_edit_other_street_schedule(login, clerk_b, street_a):
    response = login(clerk_b).get(reverse("works:schedule-edit", args=[street_a.pk]))
    assert response.status_code == 404


# --- exports -----------------------------------------------------------------------------
def test_works_sheet_export(login, hq_staff, awarded, item_a):
    response = login(hq_staff).get(reverse("works:export"))
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "中原区老旧小区物业基础设施整治改造工程量及预算表"
    body = [r for r in rows[3:] if isinstance(r[0], int)]
    assert {r[3] for r in body} == {"友爱小区", "和平家属院"}
    assert {r[11] for r in body} == {"ZYHT-2013-001"}
    total = next(r for r in rows if r[0] == "合计")
    assert Decimal(str(total[7])) == Decimal("198000")


def test_schedule_export_lists_overdue(login, hq_staff, item_a):
    response = login(hq_staff).get(reverse("works:schedule-export") + "?campaign=")
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[2][:4] == ("序号", "街道办事处", "社区", "小区名称")
    assert any("招投标逾期" in str(row[-1]) for row in rows[3:])


def test_clerk_export_contains_only_own_street(login, clerk_b, item_a, item_b):
    response = login(clerk_b).get(reverse("works:export"))
    values = {
        c
        for row in load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True)
        for c in row
    }
    assert item_b.estate.name in values
    assert item_a.estate.name not in values


# --- query counts ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "url",
    [
        reverse("works:list"),
        reverse("works:schedule") + "?campaign=",
        reverse("works:tenders"),
        reverse("works:contracts"),
        reverse("works:companies"),
        reverse("works:campaigns"),
        reverse("home"),
    ],
)
def test_page_query_count_does_not_grow(
    url, login, hq_staff, community_a, contractor, supervisor, django_assert_max_num_queries
):
    client = login(hq_staff)
    make_rows(community_a, 2, hq_staff, contractor, supervisor)
    client.get(url)  # the first visit of home stores the to-do count in the session
    small = count_queries(django_assert_max_num_queries, client, url)
    make_rows(community_a, 18, hq_staff, contractor, supervisor, start=100)
    for _ in range(5):
        CompanyFactory()
    large = count_queries(django_assert_max_num_queries, client, url)
    assert small == large
    # The home page carries every app's panels and the to-do (one query per group).
    assert large <= 36


def test_office_schedule_query_count(
    login, hq_staff, community_a, street_a, contractor, supervisor
):
    client = login(hq_staff)
    url = reverse("works:schedule") + f"?street_office={street_a.pk}&campaign="
    make_rows(community_a, 2, hq_staff, contractor, supervisor)
    small = count_queries(None, client, url)
    make_rows(community_a, 18, hq_staff, contractor, supervisor, start=100)
    assert count_queries(None, client, url) == small <= 12


def test_sheet_query_count(login, hq_staff, community_a, contractor, supervisor):
    client = login(hq_staff)
    items = make_rows(community_a, 2, hq_staff, contractor, supervisor)
    url = reverse("works:sheet", args=[items[0].estate_id])
    small = count_queries(None, client, url)
    for number in range(3, 13):
        approved_item(items[0].estate, number)
    assert count_queries(None, client, url) == small <= 13  # 1 for the acceptance form
