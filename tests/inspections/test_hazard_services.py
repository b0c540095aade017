from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from estates.models import AuditEvent
from inspections import services
from inspections.models import Hazard, Photo
from tests.inspections.factories import ContractorFactory, HazardFactory

pytestmark = pytest.mark.django_db
S = Hazard.Status


@pytest.fixture
def hazard(site_a, clerk_a):
    return HazardFactory(estate=site_a, reported_by=clerk_a)


def _deadline(days=3):
    return timezone.localdate() + timedelta(days=days)


def _notify(hazard, actor, contractor):
    return services.notify_hazard(
        hazard,
        actor=actor,
        contractor=contractor,
        notified_person="李工",
        notified_via=Hazard.NotifiedVia.PHONE,
        deadline=_deadline(),
    )


def _moves(hazard):
    return list(
        AuditEvent.objects.filter(object_id=hazard.pk, action="transition")
        .order_by("at", "id")
        .values_list("summary", flat=True)
    )


def test_full_cycle_open_to_closed(hazard, clerk_a, hq_staff, contractor, jpeg):
    _notify(hazard, clerk_a, contractor)
    hazard.refresh_from_db()
    assert hazard.status == S.NOTIFIED and hazard.contractor == contractor
    assert hazard.notified_person == "李工" and hazard.notified_at is not None
    services.record_rectification(hazard, actor=clerk_a, note="已加设护栏", photos=[jpeg()])
    hazard.refresh_from_db()
    assert hazard.status == S.RECTIFIED
    assert Photo.objects.filter(hazard=hazard, kind=Photo.Kind.RECTIFICATION).count() == 1
    services.reinspect_hazard(hazard, actor=clerk_a, passed=True, note="护栏牢固")
    hazard.refresh_from_db()
    assert hazard.status == S.VERIFIED and hazard.verified_at is not None
    services.close_hazard(hazard, actor=hq_staff)  # HQ closes off (销号)
    hazard.refresh_from_db()
    assert hazard.status == S.CLOSED and hazard.closed_at is not None
    assert len(_moves(hazard)) == 4


def test_failed_reinspection_sends_it_back_with_a_new_deadline(hazard, clerk_a, contractor, jpeg):
    _notify(hazard, clerk_a, contractor)
    services.record_rectification(hazard, actor=clerk_a, note="已整改", photos=[jpeg()])
    services.reinspect_hazard(
        hazard, actor=clerk_a, passed=False, note="护栏高度不足", new_deadline=_deadline(5)
    )
    hazard.refresh_from_db()
    assert hazard.status == S.NOTIFIED
    assert hazard.deadline == _deadline(5)
    assert hazard.reinspection_failures == 1
    assert hazard.rectified_at is None
    assert "复查不合格" in _moves(hazard)[-1]


def test_failed_reinspection_needs_a_new_deadline(hazard, clerk_a, contractor, jpeg):
    _notify(hazard, clerk_a, contractor)
    services.record_rectification(hazard, actor=clerk_a, note="已整改", photos=[jpeg()])
    with pytest.raises(ValidationError) as exc:
        services.reinspect_hazard(hazard, actor=clerk_a, passed=False, note="不合格")
    assert "new_deadline" in exc.value.message_dict
    hazard.refresh_from_db()
    assert hazard.status == S.RECTIFIED


@pytest.mark.parametrize(
    "status, move",
    [
        (S.OPEN, "rectify"),
        (S.OPEN, "reinspect"),
        (S.OPEN, "close"),
        (S.NOTIFIED, "notify"),
        (S.NOTIFIED, "reinspect"),
        (S.NOTIFIED, "close"),
        (S.RECTIFIED, "notify"),
        (S.RECTIFIED, "rectify"),
        (S.RECTIFIED, "close"),
        (S.VERIFIED, "notify"),
        (S.VERIFIED, "rectify"),
        (S.VERIFIED, "reinspect"),
        (S.CLOSED, "notify"),
        (S.CLOSED, "rectify"),
        (S.CLOSED, "reinspect"),
        (S.CLOSED, "close"),
    ],
)
def test_refused_moves(site_a, clerk_a, hq_staff, contractor, jpeg, status, move):
    extra = {}
    if status != S.OPEN:
        extra = {
            "contractor": contractor,
            "notified_at": timezone.now(),
            "deadline": _deadline(),
            "notified_person": "李工",
        }
    hazard = HazardFactory(estate=site_a, reported_by=clerk_a, status=status, **extra)
    calls = {
        "notify": lambda: _notify(hazard, clerk_a, contractor),
        "rectify": lambda: services.record_rectification(
            hazard, actor=clerk_a, note="x", photos=[jpeg()]
        ),
        "reinspect": lambda: services.reinspect_hazard(
            hazard, actor=clerk_a, passed=True, note="x"
        ),
        "close": lambda: services.close_hazard(hazard, actor=hq_staff),
    }
    with pytest.raises(ValidationError) as exc:
        calls[move]()
    assert "不能执行此操作" in exc.value.message_dict["status"][0]
    hazard.refresh_from_db()
    assert hazard.status == status
    assert not _moves(hazard)
    assert not Photo.objects.filter(hazard=hazard).exists()


def test_notify_needs_a_contractor_company(hazard, clerk_a):
    supervisor = ContractorFactory(role="supervisor")
    with pytest.raises(ValidationError) as exc:
        _notify(hazard, clerk_a, supervisor)
    assert "施工单位" in exc.value.message_dict["contractor"][0]


def test_rectification_needs_a_photo(hazard, clerk_a, contractor):
    _notify(hazard, clerk_a, contractor)
    with pytest.raises(ValidationError) as exc:
        services.record_rectification(hazard, actor=clerk_a, note="已整改", photos=[])
    assert "照片" in exc.value.message_dict["photos"][0]


def test_other_street_and_community_lead_cannot_move(hazard, clerk_b, community_lead_a, contractor):
    for user in (clerk_b, community_lead_a):
        with pytest.raises(PermissionDenied):
            _notify(hazard, user, contractor)
    hazard.refresh_from_db()
    assert hazard.status == S.OPEN


def test_hq_staff_may_step_in(hazard, hq_staff, contractor):
    _notify(hazard, hq_staff, contractor)
    hazard.refresh_from_db()
    assert hazard.status == S.NOTIFIED


def test_overdue_marking(site_a, clerk_a, contractor):
    late = HazardFactory(
        estate=site_a,
        reported_by=clerk_a,
        status=S.NOTIFIED,
        contractor=contractor,
        notified_at=timezone.now(),
        deadline=timezone.localdate() - timedelta(days=1),
    )
    on_time = HazardFactory(
        estate=site_a,
        reported_by=clerk_a,
        status=S.NOTIFIED,
        contractor=contractor,
        notified_at=timezone.now(),
        deadline=timezone.localdate(),
    )
    assert late.is_overdue and not on_time.is_overdue
    assert list(Hazard.objects.overdue()) == [late]
