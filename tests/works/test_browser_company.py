"""The contractor in the loop, in a real browser: a clerk reports a hazard and notifies the
contractor; ``contractor1`` on a phone finds it in its to-do and records the rectification
with a photo; the clerk finds the re-inspection in their to-do and passes it."""

import os
from datetime import timedelta

import pytest
from django.utils import timezone

from inspections import services as inspections
from inspections.models import Hazard
from tests.inspections.factories import image_bytes, under_construction
from works import services

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
GOOD_PASSWORD = "Zy-site-2026!manager"


def _login(page, base, username, password):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_contractor_rectifies_on_a_phone_and_the_clerk_passes_it(
    page, browser, live_server, awarded, clerk_a, hq_staff, contractor, password, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    photo = tmp_path / "site.jpg"
    photo.write_bytes(image_bytes(size=(800, 600)))
    estate = awarded.package.package_items.first().works_item.estate
    under_construction(estate, number=5)
    services.create_company_account(
        contractor,
        actor=hq_staff,
        username="contractor1",
        display_name="张工",
        password=GOOD_PASSWORD,
    )
    record = inspections.file_patrol(actor=clerk_a, estate=estate, values={"patrollers": "王建国"})

    # The clerk reports the hazard on the day's record and tells the contractor.
    _login(page, live_server.url, "clerk1", password)
    page.goto(f"{live_server.url}/inspections/patrols/{record.pk}/hazards/new/")
    page.select_option("#id_category", "trenches_openings")
    page.fill("#id_location", "3号楼东侧")
    page.fill("#id_description", "沟槽未设护栏")
    page.set_input_files("#id_photos", str(photo))
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    hazard = Hazard.objects.get()
    page.goto(f"{live_server.url}/inspections/hazards/{hazard.pk}/")
    page.select_option("#id_contractor", str(contractor.pk))
    page.fill("#id_notified_person", "张工")
    page.select_option("#id_notified_via", "phone")
    page.fill("#id_deadline", (timezone.localdate() + timedelta(days=3)).isoformat())
    page.click(".action-card button[type=submit]")
    page.wait_for_selector("text=已完成")
    assert Hazard.objects.get().status == Hazard.Status.NOTIFIED

    # contractor1 on a phone: the hazard waits in its to-do on the home page.
    phone = browser.new_context(viewport=PHONE).new_page()
    _login(phone, live_server.url, "contractor1", GOOD_PASSWORD)
    todo = phone.locator(".todo")
    assert "隐患待整改" in todo.inner_text()
    phone.click(f".todo a[href='/inspections/hazards/{hazard.pk}/']")
    phone.fill("#id_rectification_note", "已加设护栏和警示灯")
    phone.set_input_files("#id_photos", str(photo))
    phone.click(".action-card button[type=submit]")
    phone.wait_for_selector("text=已完成")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert Hazard.objects.get().status == Hazard.Status.RECTIFIED

    # The clerk finds the re-inspection in the to-do and passes it.
    page.goto(f"{live_server.url}/reports/todo/")
    assert "隐患待复查" in page.content()
    page.click(f"a[href='/inspections/hazards/{hazard.pk}/']")
    page.check("input[name=passed][value='1']")
    page.fill("#id_note", "复查合格")
    page.click(".action-card button[type=submit]")
    page.wait_for_selector("text=已完成")
    hazard.refresh_from_db()
    assert hazard.status == Hazard.Status.VERIFIED
    assert hazard.photos.filter(kind="rectification", uploaded_by__username="contractor1").exists()
