"""Phase and overdue: one definition in works.queries, checked against the milestones."""

from datetime import date

import pytest

from estates.models import Estate
from tests.works.factories import accepted_by_form, approved_item
from works import services
from works.models import Phase
from works.queries import (
    estates_under_construction,
    overdue_estates,
    overdue_labels,
    with_progress,
)

pytestmark = pytest.mark.django_db


def progress(estate, day):
    return with_progress(Estate.objects.filter(pk=estate.pk), day).get()


def test_planned_compound_is_overdue_after_tender_deadline(item_a, estate_a):
    row = progress(estate_a, date(2013, 7, 1))
    assert row.phase == Phase.PLANNED
    assert row.is_overdue and overdue_labels(row) == ["招投标逾期"]
    assert not progress(estate_a, date(2013, 6, 30)).is_overdue


def test_tendered_compound_is_overdue_after_start_deadline(awarded, estate_a):
    assert progress(estate_a, date(2013, 7, 31)).is_overdue is False
    row = progress(estate_a, date(2013, 8, 1))
    assert row.phase == Phase.TENDERED
    assert overdue_labels(row) == ["未按期开工"]


def test_missed_planned_start_is_overdue_before_campaign_deadline(awarded, estate_a, hq_staff):
    services.set_schedule(
        estate_a, actor=hq_staff, planned_start=date(2013, 7, 5), planned_finish=date(2013, 8, 30)
    )
    assert overdue_labels(progress(estate_a, date(2013, 7, 6))) == ["未按期开工"]


def test_started_compound_is_under_construction_and_on_time(awarded, item_a, estate_a, clerk_a):
    services.start_item(item_a, actor=clerk_a, on=date(2013, 7, 10))
    row = progress(estate_a, date(2013, 8, 10))
    assert row.phase == Phase.UNDER_CONSTRUCTION
    assert not row.is_overdue
    assert row.first_start == date(2013, 7, 10)


def test_unfinished_after_finish_deadline_is_overdue(awarded, item_a, estate_a, clerk_a):
    services.start_item(item_a, actor=clerk_a, on=date(2013, 7, 10))
    assert overdue_labels(progress(estate_a, date(2013, 10, 1))) == ["未按期完工"]


def test_accepted_compound_is_never_overdue(awarded, item_a, estate_a, clerk_a):
    services.start_item(item_a, actor=clerk_a, on=date(2013, 7, 10))
    services.finish_item(item_a, actor=clerk_a, on=date(2013, 9, 1))
    assert progress(estate_a, date(2013, 10, 5)).phase == Phase.COMPLETED
    accepted_by_form(estate_a)
    row = progress(estate_a, date(2014, 1, 1))
    assert (row.phase, row.is_overdue, row.percent) == (Phase.ACCEPTED, False, 100)


def test_completed_but_not_accepted_is_overdue_after_acceptance_period(
    awarded, item_a, estate_a, clerk_a
):
    services.start_item(item_a, actor=clerk_a, on=date(2013, 7, 10))
    services.finish_item(item_a, actor=clerk_a, on=date(2013, 9, 1))
    assert overdue_labels(progress(estate_a, date(2013, 12, 1))) == ["验收逾期"]


def test_compound_without_scope_is_not_overdue(estate_b):
    row = progress(estate_b, date(2014, 1, 1))
    assert (row.phase, row.is_overdue, row.budget_total) == (Phase.NO_SCOPE, False, 0)


def test_overdue_estates_lists_only_overdue(item_a, item_b, estate_a, estate_b, hq_staff):
    services.set_schedule(
        estate_b, actor=hq_staff, planned_start=date(2013, 5, 1), planned_finish=date(2013, 6, 1)
    )
    assert set(overdue_estates(date(2013, 5, 2))) == {estate_b}


def test_budget_totals_only_applicable_items(estate_a):
    approved_item(estate_a, 1, budget=1000)
    approved_item(estate_a, 2, budget=500, applicable=False)
    assert progress(estate_a, date(2013, 1, 1)).budget_total == 1000


def test_estates_under_construction_keeps_its_meaning(awarded, item_a, estate_a, clerk_a):
    services.start_item(item_a, actor=clerk_a, on=date(2013, 7, 10))
    assert list(estates_under_construction(date(2013, 7, 10))) == [estate_a]
    assert list(estates_under_construction(date(2013, 7, 9))) == []


def test_phase_case_matches_with_progress(awarded, item_a, item_a2, item_b, clerk_a):
    from works.queries import phase_case, phase_counts

    services.start_item(item_a, actor=clerk_a, on=date(2013, 7, 10))
    day = date(2013, 8, 1)
    expected = {e.pk: e.phase for e in with_progress(Estate.objects.all(), day)}
    actual = dict(Estate.objects.annotate(phase=phase_case()).values_list("pk", "phase"))
    assert actual == expected
    counts = phase_counts(Estate.objects.all())
    assert (counts[Phase.UNDER_CONSTRUCTION], counts[Phase.TENDERED], counts[Phase.PLANNED]) == (
        1,
        1,
        1,
    )


def test_street_office_totals(item_a, item_a2, item_b, street_a, hq_staff, estate_a):
    from works.queries import street_office_totals

    services.set_schedule(
        estate_a, actor=hq_staff, planned_start=date(2013, 7, 1), planned_finish=date(2013, 9, 1)
    )
    rows = {
        r["community__street_office"]: r
        for r in street_office_totals(Estate.objects.all(), date(2013, 7, 2))
    }
    row = rows[street_a.pk]
    assert (row["estate_count"], row["item_count"], row["overdue_count"]) == (2, 2, 2)
    assert row["budget_total"] == 180000 + 18000
    assert row["planned_start"] == date(2013, 7, 1)
