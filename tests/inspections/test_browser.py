"""At phone size: clerk1 files today's patrol with one hazard and a photo; HQ then sees
it on the compliance board and in the hazard list. And a dropped connection keeps the
half-filled form."""

import os

import pytest

from inspections.models import Hazard, PatrolRecord
from tests.inspections.factories import image_bytes

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


def _login(page, base, username, password):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_clerk_files_on_a_phone_and_hq_sees_it(
    page, browser, live_server, clerk_a, hq_staff, site_a, password, tmp_path
):
    photo = tmp_path / "site.jpg"
    photo.write_bytes(image_bytes(size=(800, 600)))
    page.set_viewport_size(PHONE)
    _login(page, live_server.url, "clerk1", password)

    page.click("text=去填报今日巡查")
    page.click("text=填报巡查")
    page.fill("#id_patrollers", "王建国、李秀英")
    page.fill("#id_contractor_staff", "张工")
    page.click("fieldset:has-text('沟槽与孔洞') >> text=存在问题")
    page.set_input_files("#id_photos", str(photo))
    page.check("#id_hazard_found")
    page.select_option("#id_hazard_category", "trenches_openings")
    page.fill("#id_hazard_location", "3号楼东侧")
    page.fill("#id_hazard_description", "沟槽未设护栏")
    page.set_input_files("#id_hazard_photos", str(photo))
    page.click("text=提交巡查记录")
    page.wait_for_selector("text=已提交")
    assert "今天的巡查记录" in page.content()
    assert page.locator(".photo-grid img").count() == 2

    record = PatrolRecord.objects.get()
    assert record.trenches_openings == "issue"
    assert record.hazards.get().status == Hazard.Status.OPEN

    # HQ on a desktop, in a browser context of its own.
    page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    _login(page, live_server.url, "hq", password)
    page.goto(f"{live_server.url}/inspections/compliance/")
    row = page.locator("tr:has-text('林山寨')")
    assert "1/1" in row.inner_text()
    page.goto(f"{live_server.url}/inspections/hazards/")
    assert "沟槽与孔洞" in page.content() and site_a.name in page.content()


def test_half_filled_form_survives_a_reload(page, live_server, clerk_a, site_a, password):
    page.set_viewport_size(PHONE)
    _login(page, live_server.url, "clerk1", password)
    url = f"{live_server.url}/inspections/patrols/new/{site_a.pk}/"
    page.goto(url)
    page.fill("#id_patrollers", "王建国")
    page.click("fieldset:has-text('消防安全') >> text=存在问题")
    page.goto(url)  # the connection dropped; the clerk opens the form again
    assert page.is_visible("#draft-notice")
    assert page.input_value("#id_patrollers") == "王建国"
    assert page.is_checked("fieldset:has-text('消防安全') input[value=issue]")
