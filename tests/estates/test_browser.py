"""In Debian's Chromium against the live server: HQ filters the ledger to one street
office; clerk1 sees only 林山寨's compounds."""

import os

import pytest

from tests.factories import EstateFactory

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, username, password):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def ledger_names(page):
    return set(page.locator("table.table tbody td[data-label=小区名称] > a").all_inner_texts())


@pytest.fixture
def ledger(community_a, community_b):
    EstateFactory(community=community_a, name="友爱小区")
    EstateFactory(community=community_a, name="红旗家属院")
    EstateFactory(community=community_b, name="纺织小区")


def test_hq_filters_the_ledger_to_one_street_office(page, live_server, ledger, hq_staff, password):
    log_in(page, live_server, "hq", password)
    page.click("nav.mainnav >> text=小区台账")
    assert ledger_names(page) == {"友爱小区", "红旗家属院", "纺织小区"}
    page.select_option("#id_street_office", label="建设路街道办事处")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**street_office=*")
    assert ledger_names(page) == {"纺织小区"}
    assert "共 1 个小区" in page.inner_text("p.summary")


def test_clerk_sees_only_own_street(page, live_server, ledger, clerk_a, password):
    log_in(page, live_server, "clerk1", password)
    page.goto(f"{live_server.url}/estates/")
    assert ledger_names(page) == {"友爱小区", "红旗家属院"}
    options = page.locator("#id_street_office option").all_inner_texts()
    assert "建设路街道办事处" not in options
