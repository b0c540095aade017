"""Fixtures of the inspections tests: compounds under construction, a contractor, photos
kept in a temporary MEDIA_ROOT."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.inspections.factories import ContractorFactory, image_bytes, under_construction


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def site_a(estate_a):
    """estate_a (林山寨) under construction today."""
    under_construction(estate_a)
    return estate_a


@pytest.fixture
def site_b(estate_b):
    """estate_b (建设路) under construction today."""
    under_construction(estate_b)
    return estate_b


@pytest.fixture
def contractor(db):
    return ContractorFactory(name="河南宏达建设工程有限公司")


@pytest.fixture
def jpeg():
    def _make(name="site.jpg", **kwargs):
        return SimpleUploadedFile(name, image_bytes(**kwargs), content_type="image/jpeg")

    return _make


PATROL_VALUES = {
    "patrollers": "王建国、李秀英",
    "contractor_staff": "张工（安全员）",
    "findings": "围挡完好，3号楼东侧沟槽未设护栏。",
}


@pytest.fixture
def patrol_values():
    return dict(PATROL_VALUES)
