"""In a real browser: HQ creates a tender package for two compound-items, records two
bids, awards it, and both compounds' works sheets show the contractor and contract."""

import os

import pytest

from tests.factories import PASSWORD

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_hq_tenders_awards_and_sheets_show_contract(
    page, live_server, hq_staff, item_a, item_a2, contractor, contractor2, supervisor
):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", hq_staff.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")

    page.goto(f"{live_server.url}/works/tenders/new/?campaign={item_a.estate.campaign_id}")
    page.fill("#id_number", "ZY2013-01-001")
    page.fill("#id_name", "林山寨街道一标段")
    page.fill("#id_control_price", "300000")
    page.fill("#id_bid_opening_date", "2013-06-10")
    page.check(f"input[name=works_items][value='{item_a.pk}']")
    page.check(f"input[name=works_items][value='{item_a2.pk}']")
    page.click("text=创建标段")
    page.wait_for_selector("text=已新建标段 ZY2013-01-001")
    assert page.locator("#package-items tbody tr").count() == 2

    for company, amount in ((contractor, "286000"), (contractor2, "279500.50")):
        page.select_option("#bid-form #id_contractor", str(company.pk))
        page.fill("#bid-form #id_amount", amount)
        page.click("#bid-form button[type=submit]")
        page.wait_for_selector("text=已录入投标报价")
    assert page.locator("#bids tbody tr").count() == 2

    page.select_option("#id_bid", label=f"{contractor2.name}（报价 279,500.50 元）")
    page.fill("#id_number", "ZYHT2013-001")
    page.select_option("#id_supervisor", str(supervisor.pk))
    page.fill("#id_signed_on", "2013-06-20")
    page.fill("#id_planned_start", "2013-07-01")
    page.fill("#id_planned_finish", "2013-09-20")
    page.click("text=定标并签订合同")
    page.wait_for_selector("text=已定标并签订合同")
    assert "279,500.50 元（等于中标报价）" in page.inner_text("#contract")

    for item in (item_a, item_a2):
        page.goto(f"{live_server.url}/works/sheets/{item.estate_id}/")
        sheet = page.inner_text("#works-sheet")
        assert contractor2.name in sheet
        assert "合同 ZYHT2013-001" in sheet
        assert "已招标" in sheet
