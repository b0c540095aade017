"""Acceptance figures, each a function of (scope, day) read from the records' history,
checked against answers computed here from the raw rows, with time frozen."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from estates.models import Estate
from tests.factories import EstateFactory
from tests.works.factories import approved_item, filled_in, signed_and_submitted
from works import acceptance
from works.acceptance_queries import (
    acceptance_overdue,
    completed_without_form,
    forms_by_state,
    street_office_rows,
    waiting_on_hq,
)
from works.models import AcceptanceForm, AcceptanceStatusChange, EstateWorksItem

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
Status = AcceptanceForm.Status


def at(day, hour=10):
    return datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def completed_estate(community, name, finished=date(2013, 9, 20)):
    estate = EstateFactory(community=community, name=name)
    item = approved_item(estate, 1)
    EstateWorksItem.objects.filter(pk=item.pk).update(
        status="completed",
        percent_complete=100,
        actual_start=date(2013, 7, 1),
        actual_finish=finished,
    )
    return estate


def state_on(form, day):
    """The raw answer: the status of the form's last change on or before ``day``."""
    changes = [
        c
        for c in AcceptanceStatusChange.objects.filter(form=form)
        if c.at.astimezone(SHANGHAI).date() <= day
    ]
    return max(changes, key=lambda c: (c.at, c.id)).status if changes else None


@pytest.fixture
def history(community_a, clerk_a, street_lead_a, community_lead_a, hq_staff):
    """Three compounds of street A: one submitted on 10-08 and passed on 10-20, one
    submitted on 10-09 and still waiting, one completed without a form."""
    passed = completed_estate(community_a, "甲小区")
    waiting = completed_estate(community_a, "乙小区")
    completed_estate(community_a, "丙小区")
    with time_machine.travel(at(date(2013, 10, 8)), tick=False):
        form_p = acceptance.open_form(passed, actor=clerk_a)
        filled_in(form_p, clerk_a)
        signed_and_submitted(form_p, clerk_a, street_lead_a, community_lead_a)
    with time_machine.travel(at(date(2013, 10, 9)), tick=False):
        form_w = acceptance.open_form(waiting, actor=clerk_a)
        filled_in(form_w, clerk_a)
        signed_and_submitted(form_w, clerk_a, street_lead_a, community_lead_a)
    with time_machine.travel(at(date(2013, 10, 20)), tick=False):
        acceptance.pass_form(form_p, actor=hq_staff)
    return form_p, form_w


def test_forms_by_state_reads_the_history(history):
    estates = Estate.objects.all()
    for day in (date(2013, 10, 7), date(2013, 10, 8), date(2013, 10, 15), date(2013, 10, 21)):
        expected = dict.fromkeys(Status.values, 0)
        for form in AcceptanceForm.objects.all():
            state = state_on(form, day)
            if state:
                expected[state] += 1
        assert forms_by_state(estates, day) == expected, day
    assert forms_by_state(estates, date(2013, 10, 15))[Status.SUBMITTED] == 2


def test_completed_without_form(history):
    estates = Estate.objects.all()
    day = date(2013, 10, 8)
    expected = {
        e.name
        for e in Estate.objects.all()
        if all(
            i.actual_finish and i.actual_finish <= day
            for i in e.works_items.filter(applicable=True)
        )
        and not AcceptanceForm.objects.filter(
            estate=e, opened_at__lt=at(day + timedelta(days=1), 0)
        ).exists()
    }
    assert expected == {"乙小区", "丙小区"}
    assert set(completed_without_form(estates, day).values_list("name", flat=True)) == expected
    assert (
        set(completed_without_form(estates, date(2013, 9, 19)).values_list("name", flat=True))
        == set()
    )


def test_waiting_on_hq_more_than_n_days(history):
    form_p, form_w = history
    estates = Estate.objects.all()
    # On 10-17 both have waited 8 and 9 days; on 10-21 form_p has been passed.
    assert set(waiting_on_hq(estates, date(2013, 10, 17), 7)) == {form_p, form_w}
    assert set(waiting_on_hq(estates, date(2013, 10, 17), 8)) == {form_p}
    assert set(waiting_on_hq(estates, date(2013, 10, 21), 7)) == {form_w}
    assert set(waiting_on_hq(estates, date(2013, 10, 10), 7)) == set()


def test_overdue_against_the_acceptance_milestone(history):
    estates = Estate.objects.all()
    # The campaign's acceptance ends 2013-11-30 (the source document's calendar).
    assert set(acceptance_overdue(estates, date(2013, 11, 30))) == set()
    assert set(acceptance_overdue(estates, date(2013, 12, 1)).values_list("name", flat=True)) == {
        "乙小区",
        "丙小区",
    }


def test_street_office_rows_add_up(history, street_a):
    rows, total = street_office_rows(Estate.objects.all(), date(2013, 10, 17), 7)
    [row] = rows
    assert row["name"] == street_a.name
    assert row["states"][Status.SUBMITTED] == 2
    assert (row["without_form"], row["waiting"], row["overdue"]) == (1, 2, 0)
    assert total["state_list"] == row["state_list"]
