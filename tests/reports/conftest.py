"""Fixtures of this app's tests: the roll-up's frozen instant; the Tuesday cycle's
reporting week, brief, photos in a temporary MEDIA_ROOT, and frozen clocks in
Asia/Shanghai."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.inspections.factories import image_bytes

SHANGHAI = ZoneInfo("Asia/Shanghai")
#: a Thursday afternoon in Zhengzhou; every roll-up test runs at this instant
NOW = datetime(2026, 11, 19, 15, 0, tzinfo=SHANGHAI)
#: A Tuesday; its report covers 2013-07-02 … 2013-07-08 and is due at 12:00 that day.
WEEK = date(2013, 7, 9)

BRIEF = {
    "progress": "友爱小区完成上下水改造，和平家属院路面整修过半。",
    "problems": "个别住户对车棚选址有异议。",
    "next_plan": "完成路灯安装，启动垃圾池修建。",
    "coordination": "请协调供电公司尽快完成变压器增容。",
}


def at(*args):
    """A frozen clock at a wall-clock time in Asia/Shanghai."""
    return time_machine.travel(datetime(*args, tzinfo=SHANGHAI), tick=False)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def week():
    return WEEK


@pytest.fixture
def brief():
    return dict(BRIEF)


@pytest.fixture
def jpeg():
    def _make(name="photo.jpg", **kwargs):
        return SimpleUploadedFile(name, image_bytes(**kwargs), content_type="image/jpeg")

    return _make


@pytest.fixture
def submitted(clerk_a, street_a, brief):
    """A factory: clerk1's report for a week, submitted at a Shanghai wall-clock time."""
    from reports import services

    def _submit(week=WEEK, when=(2013, 7, 8, 16, 0)):
        with at(*when):
            report = services.save_report_draft(
                actor=clerk_a, street_office=street_a, week=week, values=brief
            )
            return services.submit_report(report, actor=clerk_a)

    return _submit


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def today(frozen):
    return NOW.date()
