"""In a real browser, the whole completion acceptance: clerk1 opens the form of a
completed compound and fills it in, lead1 and community1 each sign with their password,
clerk1 submits, HQ fails it with one rectification, the fix is recorded, the second round
is signed and submitted, HQ passes it, and the compound shows as accepted on the ledger
and the works sheet."""

import os
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import PASSWORD
from works.models import AcceptanceForm, EstateWorksItem

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def login(browser, base, username):
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    return page


def sign(browser, base, username, url):
    page = login(browser, base, username)
    page.goto(url)
    page.fill("#sign-form input[name=password]", PASSWORD)
    page.click("#sign-form button[type=submit]")
    page.wait_for_selector("text=已签字")
    page.context.close()


def test_full_acceptance_in_the_browser(
    browser, live_server, completed_a, clerk_a, street_lead_a, community_lead_a, hq_staff, item_a
):
    base = live_server.url
    clerk = login(browser, base, "clerk1")
    clerk.goto(f"{base}/works/sheets/{completed_a.pk}/")
    clerk.click("text=发起竣工验收")
    clerk.wait_for_selector("text=请填写验收单")
    url = clerk.url
    clerk.fill("#id_round-acceptance_date", (timezone.localdate() - timedelta(days=1)).isoformat())
    clerk.fill("#id_round-street_participants", "王干事、孙主任")
    clerk.fill("#id_round-community_participants", "赵书记")
    clerk.fill("#id_round-takeover_opinion", "同意接管")
    clerk.select_option("#id_items-0-result", "pass")
    clerk.click("text=保存验收单")
    clerk.wait_for_selector("text=已保存验收单")
    clerk.click("button:has-text('送签')")
    clerk.wait_for_selector("text=已送签")

    sign(browser, base, "lead1", url)
    sign(browser, base, "community1", url)

    clerk.goto(url)
    assert clerk.locator(".sign-box.signed").count() == 2
    clerk.click("text=报送指挥部")
    clerk.wait_for_selector("text=验收单已报送指挥部")

    hq = login(browser, base, "hq")
    hq.goto(url)
    hq.fill("#id_fail_conclusion", "上下水井盖缺失")
    hq.select_option("#id_rect-0-works_item", str(item_a.pk))
    hq.fill("#id_rect-0-description", "补装井盖 2 处")
    hq.fill("#id_rect-0-deadline", (timezone.localdate() + timedelta(days=7)).isoformat())
    hq.click("text=验收不通过，下发整改")
    hq.wait_for_selector("text=已下发 1 项整改要求")
    form = AcceptanceForm.objects.get()
    assert form.status == AcceptanceForm.Status.FAILED

    clerk.goto(url)
    clerk.fill(".rectifications input[name=note]", "已补装井盖，监理复核合格")
    clerk.click("text=登记整改")
    clerk.wait_for_selector("text=已登记整改情况")
    clerk.click("text=发起第 2 轮验收")
    clerk.wait_for_selector("text=已发起第 2 轮验收")
    clerk.click("button:has-text('送签')")
    clerk.wait_for_selector("text=已送签")
    sign(browser, base, "lead1", url)
    sign(browser, base, "community1", url)
    clerk.goto(url)
    clerk.click("text=报送指挥部")
    clerk.wait_for_selector("text=验收单已报送指挥部")

    hq.goto(url)
    hq.click("#pass-form button[type=submit]")
    hq.wait_for_selector("text=验收通过：该小区各工程项目已验收")
    assert "第 1 轮" in hq.inner_text("#earlier-rounds")
    assert "补装井盖 2 处" in hq.inner_text("#earlier-rounds")

    hq.goto(f"{base}/estates/?q={completed_a.name}")
    row = hq.locator(f"tr:has-text('{completed_a.name}')")
    assert "已验收" in row.inner_text()
    hq.goto(f"{base}/works/sheets/{completed_a.pk}/")
    assert "已验收" in hq.inner_text("#works-sheet")
    item_a.refresh_from_db()
    assert item_a.status == EstateWorksItem.Status.ACCEPTED
