"""In a real browser: HQ records a compound's management arrangement and verifies its
service-target items, and the coverage figures change."""

import os
from datetime import timedelta

import pytest
from django.utils import timezone

from coverage import services
from tests.factories import PASSWORD

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _figure(page, name):
    return page.locator(f"main [data-figure='{name}']").first.inner_text()


def test_hq_records_an_arrangement_verifies_the_items_and_the_figures_change(
    page, live_server, hq_staff, clerk_a, estate_a, estate_b
):
    for item in estate_a.target_items:
        services.assess_item(estate_a, actor=clerk_a, item=item, met=True, note=f"{item}已落实")

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", hq_staff.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/coverage/")
    assert _figure(page, "covered_pct") == "0.0%"
    assert _figure(page, "target_met_pct") == "0.0%"

    page.goto(f"{live_server.url}/coverage/compounds/{estate_a.pk}/")
    page.click("text=登记管理安排")
    page.select_option("#id_mode", "community")
    start = timezone.localdate() - timedelta(days=3)
    page.fill("#id_start_date", start.isoformat())
    page.fill("#id_term_months", "36")
    page.fill("#id_responsible_name", "赵书记")
    page.fill("#id_responsible_phone", "13812345678")
    page.click("button:has-text('保存')")
    page.wait_for_url(f"{live_server.url}/coverage/compounds/{estate_a.pk}/")
    assert "已登记物业管理安排：社区介入" in page.inner_text(".messages")
    assert "赵书记" in page.inner_text("#arrangement")

    for _ in estate_a.target_items:
        with page.expect_navigation():
            page.locator(".verify-form button[value=verify]").first.click()
    assert "4/4 项核验达到" in page.inner_text("#target")
    assert "目标达成" in page.inner_text("#target")

    page.goto(f"{live_server.url}/coverage/")
    # Two compounds in the district, one now covered and meeting its target.
    assert _figure(page, "covered_pct") == "50.0%"
    assert _figure(page, "target_met_pct") == "50.0%"
