"""Fixtures of the coverage tests: a property company, renovated compounds, and uploads
kept out of the real MEDIA_ROOT."""

import pytest

from estates.models import Estate
from tests.coverage.factories import make_company, renovate


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def company(db):
    return make_company()


@pytest.fixture
def renovated_a(estate_a):
    return renovate(estate_a)


@pytest.fixture
def good_estate_a(estate_a):
    Estate.objects.filter(pk=estate_a.pk).update(condition_class=Estate.ConditionClass.GOOD)
    estate_a.refresh_from_db()
    return estate_a
