"""The ``nothing_changed`` fixture that refused-write tests lean on catches a write."""

import pytest

from tests.factories import StreetOfficeFactory

pytestmark = pytest.mark.django_db


def test_it_catches_a_new_row(nothing_changed, estate_a):
    with pytest.raises(AssertionError, match="rows added or removed"), nothing_changed():
        StreetOfficeFactory(name="秦岭路街道办事处", short_name="秦岭路")


def test_it_catches_a_changed_row(nothing_changed, estate_a):
    with pytest.raises(AssertionError, match="changed a row"), nothing_changed(estate_a):
        type(estate_a).objects.filter(pk=estate_a.pk).update(notes="改过")


def test_it_passes_when_nothing_is_written(nothing_changed, estate_a):
    with nothing_changed(estate_a):
        type(estate_a).objects.filter(pk=estate_a.pk).exists()
