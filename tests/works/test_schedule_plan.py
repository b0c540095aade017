"""A contract's planned start and finish fill the schedule's plan bars where the street
office has not set its own plan."""

from datetime import date

import pytest
from django.urls import reverse

from works import services

pytestmark = pytest.mark.django_db


def office_rows(client, street):
    url = reverse("works:schedule") + f"?street_office={street.pk}&campaign="
    response = client.get(url)
    return {e.name: e for e in response.context["rows"]}, response.content.decode()


def test_contract_dates_fill_a_missing_plan(login, hq_staff, awarded, estate_a, street_a):
    rows, html = office_rows(login(hq_staff), street_a)
    bar = rows[estate_a.name].planned_bar
    assert (bar.start, bar.end) == (date(2013, 7, 1), date(2013, 9, 20))
    assert rows[estate_a.name].plan_from_contract is True
    assert "合同工期 2013-07-01 至 2013-09-20" in html


def test_the_street_office_plan_wins_over_the_contract(
    login, hq_staff, clerk_a, awarded, estate_a, street_a
):
    services.set_schedule(
        estate_a, actor=clerk_a, planned_start=date(2013, 7, 10), planned_finish=date(2013, 9, 1)
    )
    rows, _ = office_rows(login(hq_staff), street_a)
    bar = rows[estate_a.name].planned_bar
    assert (bar.start, bar.end) == (date(2013, 7, 10), date(2013, 9, 1))
    assert rows[estate_a.name].plan_from_contract is False


def test_no_contract_and_no_plan_draws_no_plan_bar(login, hq_staff, item_b, estate_b, street_b):
    rows, _ = office_rows(login(hq_staff), street_b)
    assert rows[estate_b.name].planned_bar is None


def test_district_rows_take_the_contract_plan_too(login, hq_staff, awarded, street_a):
    response = login(hq_staff).get(reverse("works:schedule") + "?campaign=")
    row = next(r for r in response.context["rows"] if r["community__street_office"] == street_a.pk)
    assert (row["planned_start"], row["planned_finish"]) == (date(2013, 7, 1), date(2013, 9, 20))
