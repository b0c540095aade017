"""HQ's hazard list: overdue hazards first, then the newest report first, read as two
index-ordered queries (``inspections.views.OverdueFirst``); the pages hold exactly the
order an answer sorted here from the raw rows gives, across the boundary between the
two parts, with the filters applied, and the query count does not grow."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from inspections.models import Hazard
from tests.inspections.factories import ContractorFactory, HazardFactory

pytestmark = pytest.mark.django_db


def _random_hazards(rng, site, clerk, n):
    contractor = ContractorFactory()
    now, today = timezone.now(), timezone.localdate()
    made = []
    for _ in range(n):
        status = rng.choice(list(Hazard.Status.values))
        made.append(
            HazardFactory(
                estate=site,
                reported_by=clerk,
                status=status,
                contractor=contractor if status != Hazard.Status.OPEN else None,
                notified_at=now if status != Hazard.Status.OPEN else None,
                reported_at=now - timedelta(hours=rng.randint(0, 400)),
                # only a hazard not yet notified may have no deadline
                deadline=None
                if status == Hazard.Status.OPEN and rng.random() < 0.5
                else today + timedelta(days=rng.randint(-6, 6)),
            )
        )
    return made


def _answer(hazards):
    today = timezone.localdate()

    def overdue(h):
        return h.status in Hazard.OPEN_STATES and h.deadline is not None and h.deadline < today

    ordered = sorted(hazards, key=lambda h: (h.reported_at, h.pk), reverse=True)
    return [h.pk for h in ordered if overdue(h)] + [h.pk for h in ordered if not overdue(h)]


def _page_ids(client, query=""):
    ids, page = [], 1
    while True:
        page_obj = client.get(f"/inspections/hazards/?page={page}{query}").context["page_obj"]
        ids += [h.pk for h in page_obj.object_list]
        if not page_obj.has_next():
            return ids
        page += 1


@pytest.mark.parametrize("seed", [1, 2])
def test_pages_hold_the_order_sorted_from_the_raw_rows(seed, login, hq_staff, clerk_a, site_a):
    hazards = _random_hazards(random.Random(seed), site_a, clerk_a, 120)
    answer = _answer(hazards)
    assert len(answer) == 120
    assert _page_ids(login(hq_staff)) == answer


def test_a_filter_applies_to_both_parts(login, hq_staff, clerk_a, site_a):
    hazards = _random_hazards(random.Random(5), site_a, clerk_a, 70)
    wanted = [h for h in hazards if h.status == Hazard.Status.NOTIFIED]
    ids = _page_ids(login(hq_staff), f"&status={Hazard.Status.NOTIFIED}")
    assert ids == _answer(wanted)


@pytest.mark.parametrize("rows", [3, 30])
def test_the_hazard_list_query_count_does_not_grow(
    rows, login, hq_staff, clerk_a, site_a, django_assert_num_queries
):
    today = timezone.localdate()
    contractor = ContractorFactory()
    for n in range(rows):  # some overdue, some not: the page reads both parts
        HazardFactory(
            estate=site_a,
            reported_by=clerk_a,
            status=Hazard.Status.NOTIFIED,
            contractor=contractor,
            notified_at=timezone.now(),
            deadline=today + timedelta(days=-1 if n % 2 else 3),
        )
    client = login(hq_staff)
    client.get("/inspections/hazards/")
    # session, user, filter choices (2), totals, count, overdue count, the two parts
    with django_assert_num_queries(9):
        response = client.get("/inspections/hazards/")
    assert len(response.context["page_obj"].object_list) == rows
