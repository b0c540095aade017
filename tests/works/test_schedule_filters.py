"""The schedule's query parameters (``works.filtersets.ScheduleFilterSet``): defaults,
scope, and bad values answered with a Chinese message naming the parameter, never a 500."""

from datetime import date

import pytest
import time_machine
from django.test import RequestFactory
from django.urls import reverse

from estates.models import Campaign
from tests.factories import CampaignFactory
from works.filtersets import ScheduleFilterSet

pytestmark = pytest.mark.django_db
TODAY = date(2026, 12, 3)


def _filters(user, **params):
    request = RequestFactory().get("/works/schedule/", params)
    request.user = user
    return ScheduleFilterSet(request.GET, request=request)


def _page(login, user, query):
    response = login(user).get(reverse("works:schedule") + query)
    assert response.status_code == 200
    return response.context, response.content.decode()


@time_machine.travel(TODAY, tick=False)
def test_no_campaign_parameter_means_the_current_campaign(hq_staff):
    CampaignFactory(year=2025)
    CampaignFactory(year=2026)
    current = Campaign.objects.current(TODAY)
    assert current is not None and current.year == 2026
    assert _filters(hq_staff).selection()["campaign"] == current


def test_an_empty_campaign_means_every_campaign(hq_staff):
    assert _filters(hq_staff, campaign="").selection()["campaign"] is None


def test_a_chosen_campaign_is_taken(hq_staff):
    campaign = CampaignFactory(year=2014)
    assert _filters(hq_staff, campaign=campaign.pk).selection()["campaign"] == campaign


@pytest.mark.parametrize("value", ["abc", "0", "-3", "99999999999999999999999", "12345678"])
def test_a_bad_campaign_is_named_and_the_page_falls_back(login, hq_staff, estate_a, value):
    context, content = _page(login, hq_staff, f"?campaign={value}")
    assert "整治批次：所选项不在可选范围内，请重新选择" in content
    assert context["campaign"] is None and context["level"] == "district"
    assert estate_a.community.street_office.name in content  # the district rows still shown


@pytest.mark.parametrize("value", ["x1", "99999999999999999999999", "987654"])
def test_a_bad_street_office_is_named_and_the_page_shows_the_district(login, hq_staff, value):
    context, content = _page(login, hq_staff, f"?street_office={value}&campaign=")
    assert "街道办事处：所选项不在可选范围内，请重新选择" in content
    assert context["office"] is None and context["level"] == "district"


def test_a_bad_overdue_value_is_ignored(login, hq_staff, street_a, estate_a):
    context, content = _page(login, hq_staff, f"?street_office={street_a.pk}&campaign=&overdue=yes")
    assert context["overdue_only"] is False and estate_a.name in content


def test_a_street_office_sees_its_own_schedule_whatever_it_asks(
    login, clerk_b, street_a, street_b, estate_a, estate_b
):
    context, content = _page(login, clerk_b, f"?street_office={street_a.pk}&campaign=")
    assert context["office"] == street_b and context["level"] == "office"
    assert estate_b.name in content and estate_a.name not in content


def test_a_community_lead_sees_its_street_office(login, community_lead_a, street_a, estate_a):
    context, content = _page(login, community_lead_a, "?campaign=")
    assert context["office"] == street_a and estate_a.name in content


def test_overdue_only_keeps_the_overdue_compounds(login, hq_staff, street_a, item_a, estate_a2):
    # item_a's compound missed the tender milestone; estate_a2 has no works items at all.
    context, _ = _page(login, hq_staff, f"?street_office={street_a.pk}&campaign=&overdue=true")
    names = {estate.name for estate in context["rows"]}
    assert item_a.estate.name in names and estate_a2.name not in names
    assert context["overdue_only"] is True
