"""The ledger's invariants on the production engine."""

import pytest
from django.db import IntegrityError, connection, transaction

from estates import services
from tests.factories import EstateFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_running_on_postgresql():
    assert connection.vendor == "postgresql"


def test_unique_name_per_community_is_enforced_by_the_database(estate_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        EstateFactory(community=estate_a.community, name=estate_a.name)


def test_negative_floor_area_is_refused_by_the_database(estate_a):
    from estates.models import Estate

    with pytest.raises(IntegrityError), transaction.atomic():
        Estate.objects.filter(pk=estate_a.pk).update(floor_area=-1)


def test_scoped_list_and_audit_on_postgresql(clerk_a, hq_staff, estate_a, estate_b):
    from estates.models import Estate

    assert list(Estate.objects.visible_to(clerk_a)) == [estate_a]
    services.update_estate(estate_a, actor=hq_staff, values={"household_count": 99})
    estate_a.refresh_from_db()
    assert estate_a.household_count == 99
