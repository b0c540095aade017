"""The whole Tuesday cycle in a browser: clerk1 writes and submits this week's report,
lead1 signs it off, HQ receives it, records the meeting with an action item for 林山寨,
issues the pack, watches its progress bar and downloads both files; clerk1 replies."""

import hashlib
import os
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook

from reports.models import ActionItem, MeetingPack, WeeklyReport
from tests.reports.conftest import BRIEF

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _page(browser, base, username, password, **viewport):
    page = browser.new_context(viewport=viewport or {"width": 1366, "height": 900}).new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    return page


def test_the_tuesday_cycle_end_to_end(
    browser, live_server, clerk_a, street_lead_a, hq_staff, estate_a, estate_b, password
):
    base = live_server.url
    # clerk1, on a phone: from the home panel to the form, then submit.
    clerk = _page(browser, base, "clerk1", password, width=390, height=844)
    clerk.click("text=填写本周周报")
    for name, value in BRIEF.items():
        clerk.fill(f"#id_{name}", value)
    clerk.click("button:has-text('提交周报')")
    clerk.wait_for_selector("text=周报已提交")
    report = WeeklyReport.objects.get()
    assert report.status == WeeklyReport.Status.SUBMITTED and report.statistics_sha256

    lead = _page(browser, base, "lead1", password)
    lead.click("text=签发本周周报")
    lead.click("button:has-text('签发周报')")
    lead.wait_for_selector("text=已签发")
    report.refresh_from_db()
    assert report.signed_by == street_lead_a

    hq = _page(browser, base, "hq", password)
    hq.goto(f"{base}/reports/weekly-reports/")
    hq.click(f"a[href='/reports/weekly-reports/{report.pk}/']")
    hq.click("button:has-text('接收周报')")
    hq.wait_for_selector("text=已接收")
    report.refresh_from_db()
    assert report.status == WeeklyReport.Status.RECEIVED

    hq.goto(f"{base}/reports/meetings/new/")
    hq.fill("#id_chair", "指挥部办公室 王主任")
    hq.fill("#id_attendees", "各街道办事处分管负责人")
    hq.fill("#id_minutes", "通报本周进度，部署督办事项。")
    hq.click("button:has-text('保存')")
    hq.wait_for_selector("text=已保存周例会记录")
    hq.fill("#id_title", "林山寨街道清理友爱小区楼道堆积物")
    hq.select_option("#id_assignee", label="林山寨街道办事处")
    hq.fill("#id_deadline", (report.week + timedelta(days=4)).isoformat())
    hq.click("button:has-text('交办')")
    hq.wait_for_selector("text=已交办第 1 项")
    item = ActionItem.objects.get()

    hq.click("button:has-text('印发例会材料')")
    progress = hq.locator("progress#pack-progress")
    progress.wait_for()
    hq.wait_for_function(
        "() => document.querySelector('#pack-progress').getAttribute('value') === '100'"
    )
    pack = MeetingPack.objects.get()
    assert pack.status == MeetingPack.Status.DONE
    with hq.expect_download() as download:
        hq.click("text=下载 Excel")
    xlsx = Path(download.value.path()).read_bytes()
    assert hashlib.sha256(xlsx).hexdigest() == pack.xlsx_sha256
    assert "督办事项" in load_workbook(BytesIO(xlsx)).sheetnames
    pdf_url = hq.locator("a:has-text('下载 PDF')").get_attribute("href")
    pdf = hq.request.get(f"{base}{pdf_url}")
    assert pdf.ok and pdf.body()[:5] == b"%PDF-"
    assert hashlib.sha256(pdf.body()).hexdigest() == pack.pdf_sha256

    clerk.goto(f"{base}/reports/action-items/")
    clerk.click("text=林山寨街道清理友爱小区楼道堆积物")
    clerk.fill("#id_text", "已组织社区清理堆积物 6 车。")
    clerk.click("button:has-text('回复')")
    clerk.wait_for_selector("text=已回复")
    item.refresh_from_db()
    assert item.status == ActionItem.Status.REPLIED
    assert item.replies.get().text == "已组织社区清理堆积物 6 车。"
