"""The one re-check loop (``services._recheck``) behind hazards' 复查 and quality
feedback's 复查: a failure counts once, by ``F()`` in the locked transition."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from estates.models import AuditEvent
from inspections import services
from inspections.models import Hazard, QualityInspection
from tests.inspections.factories import HazardFactory

pytestmark = pytest.mark.django_db


def _deadline(days=3):
    return timezone.localdate() + timedelta(days=days)


@pytest.fixture
def rectified(site_a, clerk_a, contractor, jpeg):
    hazard = HazardFactory(estate=site_a, reported_by=clerk_a)
    services.notify_hazard(
        hazard,
        actor=clerk_a,
        contractor=contractor,
        notified_person="李工",
        notified_via=Hazard.NotifiedVia.PHONE,
        deadline=_deadline(),
    )
    services.record_rectification(hazard, actor=clerk_a, note="已整改", photos=[jpeg()])
    return Hazard.objects.get(pk=hazard.pk)


@pytest.fixture
def responded(inspector, clerk_a, site_a):
    inspection = services.record_quality_inspection(
        actor=inspector,
        estate=site_a,
        values={"rating": "basic", "findings": "路面不平"},
        requirements=[("返修路面", _deadline(7))],
    )
    services.respond_quality(inspection, actor=clerk_a, note="已返修")
    return QualityInspection.objects.get(pk=inspection.pk)


def _fail_hazard(hazard, clerk):
    return services.reinspect_hazard(
        hazard, actor=clerk, passed=False, note="护栏高度不足", new_deadline=_deadline(5)
    )


def test_each_failed_hazard_reinspection_counts_once(rectified, clerk_a, jpeg):
    _fail_hazard(rectified, clerk_a)
    services.record_rectification(rectified, actor=clerk_a, note="再次整改", photos=[jpeg()])
    _fail_hazard(rectified, clerk_a)
    rectified.refresh_from_db()
    assert rectified.reinspection_failures == 2
    failures = AuditEvent.objects.filter(
        object_id=rectified.pk, action="transition", summary__startswith="复查不合格"
    ).order_by("id")
    counts = [event.changes["reinspection_failures"]["new"] for event in failures]
    assert counts == ["1", "2"]


def test_the_count_comes_from_the_row_not_the_callers_copy(rectified, clerk_a):
    rectified.reinspection_failures = 7  # a stale copy in memory, never saved
    returned = _fail_hazard(rectified, clerk_a)
    assert returned.reinspection_failures == 1
    assert Hazard.objects.get(pk=rectified.pk).reinspection_failures == 1


def test_the_counter_is_incremented_in_the_update_itself(rectified, clerk_a):
    with CaptureQueriesContext(connection) as queries:
        _fail_hazard(rectified, clerk_a)
    updates = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "inspections_hazard"')]
    assert len(updates) == 1
    assert (
        '"reinspection_failures" = ("inspections_hazard"."reinspection_failures" + 1)'
        in (updates[0])
    )


def test_a_passed_reinspection_does_not_count(rectified, clerk_a):
    services.reinspect_hazard(rectified, actor=clerk_a, passed=True, note="合格")
    rectified.refresh_from_db()
    assert rectified.status == Hazard.Status.VERIFIED and rectified.reinspection_failures == 0


def test_a_refused_reinspection_changes_nothing(rectified, clerk_a):
    _fail_hazard(rectified, clerk_a)  # now notified: not waiting for a re-check
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        _fail_hazard(rectified, clerk_a)
    assert "不能执行此操作" in exc.value.message_dict["status"][0]
    rectified.refresh_from_db()
    assert rectified.reinspection_failures == 1 and rectified.status == Hazard.Status.NOTIFIED
    assert AuditEvent.objects.count() == events


def test_each_failed_quality_recheck_counts_once(responded, inspector, clerk_a):
    for _ in range(2):
        services.recheck_quality(
            responded, actor=inspector, passed=False, note="仍不平", new_deadline=_deadline()
        )
        services.respond_quality(responded, actor=clerk_a, note="再次返修")
    responded.refresh_from_db()
    assert responded.recheck_failures == 2
    assert responded.status == QualityInspection.Status.RESPONDED


def test_hazard_and_quality_rechecks_share_one_loop(rectified, responded, clerk_a, inspector):
    with mock.patch.object(services, "_recheck", wraps=services._recheck) as loop:
        _fail_hazard(rectified, clerk_a)
        services.recheck_quality(responded, actor=inspector, passed=True, note="合格")
    counters = [call.args[1].counter for call in loop.call_args_list]
    assert counters == ["reinspection_failures", "recheck_failures"]
