"""The SQL that matters most, on PostgreSQL (run by `make test`'s PostgreSQL pass): the
partial unique index on active package items, and the grouped phase/overdue queries,
which PostgreSQL checks more strictly than SQLite (GROUP BY, boolean CASE)."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from estates.models import Estate
from works import services
from works.models import TenderPackage, TenderPackageItem
from works.queries import phase_counts, street_office_totals, with_progress

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_partial_unique_index_on_postgres(make_package, item_a):
    first = make_package(item_a)
    second = TenderPackage.objects.create(
        campaign=first.campaign,
        number="PG-2",
        name="x",
        control_price=1,
        bid_opening_date=date(2013, 6, 1),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        TenderPackageItem.objects.create(package=second, works_item=item_a)


def test_progress_queries_on_postgres(awarded, item_a, item_b, clerk_a, hq_staff, street_a):
    services.start_item(item_a, actor=clerk_a, on=date(2013, 7, 10))
    day = date(2013, 8, 2)
    rows = {e.pk: e for e in with_progress(Estate.objects.all(), day)}
    assert rows[item_a.estate_id].phase == "under_construction"
    assert rows[item_b.estate_id].is_overdue is True
    counts = phase_counts(Estate.objects.all())
    assert counts["under_construction"] == 1
    totals = {
        r["community__street_office"]: r for r in street_office_totals(Estate.objects.all(), day)
    }
    assert totals[street_a.pk]["estate_count"] == 2
