from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from estates.models import AuditEvent
from inspections import services
from inspections.models import QualityInspection
from works.models import EstateWorksItem

pytestmark = pytest.mark.django_db
S = QualityInspection.Status


def _deadline(days=7):
    return timezone.localdate() + timedelta(days=days)


def _record(actor, estate, requirements=(("返修路面", None),), **values):
    requirements = [(d, dl or _deadline()) for d, dl in requirements]
    return services.record_quality_inspection(
        actor=actor,
        estate=estate,
        values={"rating": "basic", "findings": "路面不平", **values},
        requirements=requirements,
    )


def test_inspection_with_requirements_is_sent(inspector, site_a, contractor):
    inspection = _record(inspector, site_a, contractor=contractor)
    inspection.refresh_from_db()
    assert inspection.status == S.SENT
    assert inspection.deadline == _deadline()
    assert inspection.street_office_id == site_a.community.street_office_id
    assert AuditEvent.objects.filter(object_id=inspection.pk, action="create").exists()


def test_inspection_without_requirements_is_closed(inspector, site_a):
    inspection = _record(inspector, site_a, requirements=(), rating="excellent")
    assert inspection.status == S.CLOSED and inspection.closed_at is not None


def test_fail_rating_needs_requirements(inspector, site_a):
    with pytest.raises(ValidationError) as exc:
        _record(inspector, site_a, requirements=(), rating="fail")
    assert "整改要求" in exc.value.message_dict["requirements"][0]
    assert not QualityInspection.objects.exists()


def test_works_item_must_belong_to_the_compound(inspector, site_a, site_b):
    other = EstateWorksItem.objects.get(estate=site_b)
    with pytest.raises(ValidationError) as exc:
        _record(inspector, site_a, works_item=other)
    assert "不属于该小区" in exc.value.message_dict["works_item"][0]


def test_per_works_item(inspector, site_a):
    item = EstateWorksItem.objects.get(estate=site_a)
    assert _record(inspector, site_a, works_item=item).works_item == item


def test_only_hq_inspector_or_staff_record(clerk_a, hq_leader, hq_staff, site_a):
    for user in (clerk_a, hq_leader):
        with pytest.raises(PermissionDenied):
            _record(user, site_a)
    assert _record(hq_staff, site_a).status == S.SENT


def test_response_and_passed_recheck_close_it(inspector, clerk_a, site_a):
    inspection = _record(inspector, site_a)
    services.respond_quality(inspection, actor=clerk_a, note="已返修")
    services.recheck_quality(inspection, actor=inspector, passed=True, note="合格")
    inspection.refresh_from_db()
    assert inspection.status == S.CLOSED and inspection.recheck_note == "合格"


def test_failed_recheck_sends_it_back(inspector, clerk_a, site_a):
    inspection = _record(inspector, site_a)
    services.respond_quality(inspection, actor=clerk_a, note="已返修")
    services.recheck_quality(
        inspection, actor=inspector, passed=False, note="仍不平", new_deadline=_deadline(3)
    )
    inspection.refresh_from_db()
    assert inspection.status == S.SENT
    assert inspection.deadline == _deadline(3) and inspection.recheck_failures == 1


def test_refused_moves(inspector, clerk_a, site_a):
    inspection = _record(inspector, site_a)
    with pytest.raises(ValidationError) as exc:
        services.recheck_quality(inspection, actor=inspector, passed=True, note="x")
    assert "不能执行此操作" in exc.value.message_dict["status"][0]
    services.respond_quality(inspection, actor=clerk_a, note="已返修")
    with pytest.raises(ValidationError):
        services.respond_quality(inspection, actor=clerk_a, note="again")
    inspection.refresh_from_db()
    assert inspection.status == S.RESPONDED


def test_other_street_cannot_respond(inspector, clerk_b, site_a):
    inspection = _record(inspector, site_a)
    with pytest.raises(PermissionDenied):
        services.respond_quality(inspection, actor=clerk_b, note="x")
    inspection.refresh_from_db()
    assert inspection.status == S.SENT


def test_overdue(inspector, site_a):
    inspection = _record(inspector, site_a)
    QualityInspection.objects.filter(pk=inspection.pk).update(
        deadline=timezone.localdate() - timedelta(days=1)
    )
    inspection.refresh_from_db()
    assert inspection.is_overdue
