"""The demo data: idempotent, with the promised logins."""

import random
from datetime import date

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory

from estates.demo import seed_estates, seed_organisation
from estates.models import Community, Estate, StreetOffice, User

pytestmark = pytest.mark.django_db


def counts():
    return (
        StreetOffice.objects.count(),
        Community.objects.count(),
        Estate.objects.count(),
        User.objects.count(),
    )


def test_seed_demo_is_idempotent(demo_district):
    first = counts()
    call_command("seed_demo", "--quiet", "--scale", "60")
    assert counts() == first
    assert first[0] == 14
    assert 40 <= first[1] <= 45
    assert first[2] == 60


def test_demo_logins_and_their_scopes(demo_district):
    request = RequestFactory().post("/accounts/login/")
    clerk = authenticate(request, username="clerk1", password="zhongyuan2013")
    assert clerk.street_office.name == "林山寨街道办事处"
    assert set(
        Estate.objects.visible_to(clerk).values_list("community__street_office__name", flat=True)
    ) == {"林山寨街道办事处"}
    assert (
        authenticate(request, username="clerk2", password="zhongyuan2013").street_office.short_name
        == "建设路"
    )
    assert (
        authenticate(
            request, username="community1", password="zhongyuan2013"
        ).community.street_office.short_name
        == "林山寨"
    )
    assert authenticate(request, username="hq", password="zhongyuan2013").is_hq_staff
    assert authenticate(request, username="leader", password="zhongyuan2013").is_hq_leader
    assert authenticate(request, username="inspector", password="zhongyuan2013").is_inspector


def test_scale_grows_the_ledger_with_unique_names():
    """Past 2,000 compounds the names take a 号院 number; the ledger (the part of
    ``--scale`` that grows with it) reaches the count with no name twice in a community.
    The ledger alone is seeded: the other apps' demo data grow with it and are tested at
    the demo's own scale."""
    seed_organisation()
    seed_estates(random.Random(7), date(2026, 12, 3), count=2600)
    names = list(Estate.objects.values_list("community_id", "name"))
    assert len(names) == 2600 and len(set(names)) == 2600
    assert any(name.endswith("号院") for _, name in names)
