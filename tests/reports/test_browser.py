"""In a browser: HQ opens the command dashboard, follows a figure to its list and finds
the same number there; clerk1 on a phone sees 林山寨 only."""

import os

import pytest

from tests.factories import CommunityFactory, EstateFactory
from tests.works.factories import approved_item
from works.models import EstateWorksItem

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, base, username, password):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_hq_follows_a_figure_to_the_same_number_and_clerk1_sees_only_linshanzhai(
    page, browser, live_server, hq_staff, clerk_a, street_a, street_b, password
):
    # Three overdue compounds (the 2013 campaign's milestones are long past), two of 林山寨.
    for office, n in ((street_a, 2), (street_b, 1)):
        community = CommunityFactory(street_office=office)
        for _ in range(n):
            approved_item(EstateFactory(community=community), status=EstateWorksItem.Status.PLANNED)

    page.set_viewport_size({"width": 1366, "height": 900})
    _login(page, live_server.url, "hq", password)
    page.goto(f"{live_server.url}/reports/dashboard/")
    figure = page.locator('[data-figure="estates_overdue"]')
    assert figure.inner_text() == "3"
    figure.click()
    page.wait_for_url("**/works/sheets/**")
    assert page.locator("#totals tfoot td").last.inner_text() == "3"

    clerk = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    _login(clerk, live_server.url, "clerk1", password)
    clerk.goto(f"{live_server.url}/reports/dashboard/")
    text = clerk.locator("main").inner_text()
    assert "林山寨街道办事处 · 工作驾驶舱" in text
    assert clerk.locator('[data-figure="estates_overdue"]').inner_text() == "2"
    assert "建设路" not in text
