"""The rules of long-term management, through the services every entry point calls."""

from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from PIL import Image

from coverage import services
from coverage.models import (
    ManagementArrangement,
    Reinspection,
    ServiceAssessment,
    add_months,
)
from coverage.selectors import estate_coverage
from estates.models import EIGHT_HAVES, FOUR_HAVES, AuditEvent, Estate
from tests.coverage.factories import make_company, renovate, verify_all
from works.models import Company, EstateWorksItem

pytestmark = pytest.mark.django_db
Mode = ManagementArrangement.Mode
TODAY = timezone.localdate()


def arrangement_values(**overrides):
    values = {
        "mode": Mode.COMMUNITY,
        "start_date": TODAY - timedelta(days=30),
        "term_months": 12,
        "responsible_name": "赵书记",
    }
    values.update(overrides)
    return values


def _audit(obj):
    return AuditEvent.objects.filter(object_id=obj.pk, content_type__model=obj._meta.model_name)


# --- the target follows the condition class ---------------------------------------------
def test_a_good_compound_targets_the_eight_haves(good_estate_a):
    coverage = estate_coverage(good_estate_a, TODAY)
    assert [r.item for r in coverage.rows] == list(EIGHT_HAVES)


def test_a_large_gap_compound_targets_the_four_haves(estate_a):
    coverage = estate_coverage(estate_a, TODAY)
    assert [r.item for r in coverage.rows] == list(FOUR_HAVES)


def test_an_item_outside_the_target_cannot_be_assessed(estate_a, clerk_a):
    with pytest.raises(ValidationError) as exc:
        services.assess_item(estate_a, actor=clerk_a, item="有停车管理", met=True, note="有")
    assert "不是该小区（四有）的服务目标项" in str(exc.value.message_dict["item"])
    assert not ServiceAssessment.objects.exists()


def test_after_a_class_change_the_old_targets_items_no_longer_count(estate_a, clerk_a, hq_staff):
    verify_all(estate_a, clerk=clerk_a, hq=hq_staff)
    assert estate_coverage(estate_a, TODAY).target_met

    Estate.objects.filter(pk=estate_a.pk).update(condition_class=Estate.ConditionClass.GOOD)
    estate_a.refresh_from_db()
    coverage = estate_coverage(estate_a, TODAY)

    assert not coverage.target_met
    # 有秩序维护 is in both targets; the other three 四有 items are now stray.
    assert coverage.met_count == 1
    assert sorted(a.item for a in coverage.stray) == sorted(
        ["有清扫保洁", "有垃圾清运", "有日常维修"]
    )


def test_an_assessment_of_an_item_no_longer_in_the_target_cannot_be_verified(
    estate_a, clerk_a, hq_staff
):
    a = services.assess_item(estate_a, actor=clerk_a, item="有垃圾清运", met=True, note="日清")
    Estate.objects.filter(pk=estate_a.pk).update(condition_class=Estate.ConditionClass.GOOD)
    with pytest.raises(ValidationError) as exc:
        services.verify_assessment(a, actor=hq_staff, verified=True)
    assert "已不在该小区当前的服务目标" in str(exc.value)


# --- attainment requires every item verified --------------------------------------------
def test_every_item_verified_met_meets_the_target(estate_a, clerk_a, hq_staff):
    verify_all(estate_a, clerk=clerk_a, hq=hq_staff)
    coverage = estate_coverage(estate_a, TODAY)
    assert coverage.target_met
    assert coverage.met_count == 4


def test_one_item_still_pending_does_not_meet_the_target(estate_a, clerk_a, hq_staff):
    for item in FOUR_HAVES[:3]:
        a = services.assess_item(estate_a, actor=clerk_a, item=item, met=True, note="好")
        services.verify_assessment(a, actor=hq_staff, verified=True)
    services.assess_item(estate_a, actor=clerk_a, item=FOUR_HAVES[3], met=True, note="好")
    coverage = estate_coverage(estate_a, TODAY)
    assert coverage.met_count == 3
    assert not coverage.target_met


def test_a_rejected_item_does_not_count(estate_a, clerk_a, hq_staff):
    verify_all(estate_a, clerk=clerk_a, hq=hq_staff)
    a = services.assess_item(estate_a, actor=clerk_a, item=FOUR_HAVES[0], met=True, note="好")
    services.verify_assessment(a, actor=hq_staff, verified=False, note="现场无保洁员")
    a.refresh_from_db()
    assert a.verification == ServiceAssessment.Verification.REJECTED
    assert a.verification_note == "现场无保洁员"
    assert not estate_coverage(estate_a, TODAY).target_met


def test_an_item_verified_as_not_met_does_not_count(estate_a, clerk_a, hq_staff):
    verify_all(estate_a, clerk=clerk_a, hq=hq_staff)
    a = services.assess_item(
        estate_a, actor=clerk_a, item=FOUR_HAVES[1], met=False, note="无人清运"
    )
    services.verify_assessment(a, actor=hq_staff, verified=True)
    assert not estate_coverage(estate_a, TODAY).target_met


def test_reassessing_sends_a_verified_item_back_to_pending(estate_a, clerk_a, hq_staff):
    a = services.assess_item(estate_a, actor=clerk_a, item="有日常维修", met=True, note="有")
    services.verify_assessment(a, actor=hq_staff, verified=True)
    services.assess_item(estate_a, actor=clerk_a, item="有日常维修", met=True, note="维修队")
    a.refresh_from_db()
    assert a.verification == ServiceAssessment.Verification.PENDING
    assert a.verified_by is None
    assert ServiceAssessment.objects.count() == 1
    assert _audit(a).filter(action=AuditEvent.Action.UPDATE).count() == 1


def test_met_without_evidence_is_refused(estate_a, clerk_a):
    with pytest.raises(ValidationError) as exc:
        services.assess_item(estate_a, actor=clerk_a, item="有日常维修", met=True)
    assert "note" in exc.value.message_dict


def test_a_verified_item_cannot_be_verified_twice(estate_a, clerk_a, hq_staff):
    a = services.assess_item(estate_a, actor=clerk_a, item="有日常维修", met=True, note="有")
    services.verify_assessment(a, actor=hq_staff, verified=True)
    with pytest.raises(ValidationError):
        services.verify_assessment(a, actor=hq_staff, verified=True)


def test_rejecting_needs_a_reason(estate_a, clerk_a, inspector):
    a = services.assess_item(estate_a, actor=clerk_a, item="有日常维修", met=True, note="有")
    with pytest.raises(ValidationError) as exc:
        services.verify_assessment(a, actor=inspector, verified=False)
    assert "verification_note" in exc.value.message_dict


def test_a_street_clerk_cannot_verify(estate_a, clerk_a):
    a = services.assess_item(estate_a, actor=clerk_a, item="有日常维修", met=True, note="有")
    with pytest.raises(PermissionDenied):
        services.verify_assessment(a, actor=clerk_a, verified=True)
    a.refresh_from_db()
    assert a.verification == ServiceAssessment.Verification.PENDING


def test_another_street_cannot_assess(estate_a, clerk_b):
    with pytest.raises(PermissionDenied):
        services.assess_item(estate_a, actor=clerk_b, item="有日常维修", met=True, note="有")
    assert not ServiceAssessment.objects.exists()


# --- arrangements: a new one closes the previous -----------------------------------------
def test_a_new_arrangement_ends_the_previous_the_day_before(estate_a, clerk_a, company):
    first = services.record_arrangement(estate_a, actor=clerk_a, values=arrangement_values())
    start = TODAY - timedelta(days=5)
    second = services.record_arrangement(
        estate_a,
        actor=clerk_a,
        values=arrangement_values(mode=Mode.PROFESSIONAL, company=company, start_date=start),
    )
    first.refresh_from_db()
    assert first.ended_on == start - timedelta(days=1)
    assert first.end_reason == "由新的管理安排接替"
    assert second.ended_on is None
    assert ManagementArrangement.objects.filter(estate=estate_a).count() == 2
    assert first.mode == Mode.COMMUNITY  # the old record is kept as it was
    assert _audit(first).filter(action=AuditEvent.Action.TRANSITION).exists()
    assert _audit(second).filter(action=AuditEvent.Action.CREATE).exists()
    assert not first.in_force_on(TODAY) and second.in_force_on(TODAY)


def test_a_new_arrangement_must_start_after_the_current_one(estate_a, clerk_a):
    services.record_arrangement(estate_a, actor=clerk_a, values=arrangement_values())
    with pytest.raises(ValidationError) as exc:
        services.record_arrangement(
            estate_a,
            actor=clerk_a,
            values=arrangement_values(start_date=TODAY - timedelta(days=40)),
        )
    assert "start_date" in exc.value.message_dict
    assert ManagementArrangement.objects.filter(ended_on__isnull=True).count() == 1


def test_the_database_refuses_two_open_arrangements(estate_a):
    ManagementArrangement.objects.create(
        estate=estate_a, mode=Mode.COMMUNITY, start_date=TODAY, responsible_name="甲"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        ManagementArrangement.objects.create(
            estate=estate_a, mode=Mode.COMMUNITY, start_date=TODAY, responsible_name="乙"
        )


def test_a_professional_arrangement_needs_a_property_company(estate_a, clerk_a):
    with pytest.raises(ValidationError) as exc:
        services.record_arrangement(
            estate_a, actor=clerk_a, values=arrangement_values(mode=Mode.PROFESSIONAL)
        )
    assert "company" in exc.value.message_dict


def test_a_contractor_is_not_a_property_company(estate_a, clerk_a):
    contractor = make_company("某建筑公司", role=Company.Role.CONTRACTOR, n=2)
    with pytest.raises(ValidationError) as exc:
        services.record_arrangement(
            estate_a,
            actor=clerk_a,
            values=arrangement_values(mode=Mode.PROFESSIONAL, company=contractor),
        )
    assert "不是物业服务企业" in str(exc.value)


def test_the_term_gives_the_expiry_date(estate_a, clerk_a):
    a = services.record_arrangement(
        estate_a,
        actor=clerk_a,
        values=arrangement_values(start_date=date(2024, 1, 31), term_months=1),
    )
    assert a.expires_on == date(2024, 2, 28)
    assert add_months(date(2024, 1, 31), 13) == date(2025, 2, 28)


def test_logistics_takes_the_owning_unit_and_community_the_community(estate_a, clerk_a):
    Estate.objects.filter(pk=estate_a.pk).update(owning_unit="郑州电缆厂")
    estate_a.refresh_from_db()
    a = services.record_arrangement(
        estate_a, actor=clerk_a, values=arrangement_values(mode=Mode.LOGISTICS)
    )
    assert a.provider_name == "郑州电缆厂"
    b = services.record_arrangement(
        estate_a, actor=clerk_a, values=arrangement_values(start_date=TODAY)
    )
    assert b.provider_name == estate_a.community.name


def test_an_expired_or_future_arrangement_is_not_in_force(estate_a, clerk_a):
    a = services.record_arrangement(
        estate_a,
        actor=clerk_a,
        values=arrangement_values(start_date=TODAY - timedelta(days=400), term_months=12),
    )
    assert not a.in_force_on(TODAY)
    assert not ManagementArrangement.objects.in_force_on(TODAY).exists()
    assert ManagementArrangement.objects.in_force_on(TODAY - timedelta(days=100)).exists()


def test_ending_an_arrangement_needs_a_reason_and_keeps_the_row(estate_a, clerk_a):
    a = services.record_arrangement(estate_a, actor=clerk_a, values=arrangement_values())
    with pytest.raises(ValidationError):
        services.end_arrangement(a, actor=clerk_a, ended_on=TODAY, reason=" ")
    services.end_arrangement(a, actor=clerk_a, ended_on=TODAY, reason="物业公司撤场")
    a.refresh_from_db()
    assert a.ended_on == TODAY and a.end_reason == "物业公司撤场"
    assert not a.in_force_on(TODAY + timedelta(days=1))


def test_another_street_cannot_record_an_arrangement(estate_a, clerk_b, hq_leader, inspector):
    for user in (clerk_b, hq_leader, inspector):
        with pytest.raises(PermissionDenied):
            services.record_arrangement(estate_a, actor=user, values=arrangement_values())
    assert not ManagementArrangement.objects.exists()


def test_a_bad_fee_is_refused_naming_the_field(estate_a, clerk_a):
    with pytest.raises(ValidationError) as exc:
        services.record_arrangement(
            estate_a, actor=clerk_a, values=arrangement_values(monthly_fee=Decimal("-1"))
        )
    assert "monthly_fee" in exc.value.message_dict


# --- re-inspections ---------------------------------------------------------------------
def test_a_relapse_marks_the_items_not_met_and_schedules_the_next(
    renovated_a, clerk_a, hq_staff, inspector
):
    verify_all(renovated_a, clerk=clerk_a, hq=hq_staff)
    r = services.record_reinspection(
        renovated_a,
        actor=inspector,
        inspected_on=TODAY,
        findings="楼道堆放杂物",
        relapsed_items=["有清扫保洁"],
    )
    assert r.status == Reinspection.Status.RELAPSED
    a = ServiceAssessment.objects.get(estate=renovated_a, item="有清扫保洁")
    assert not a.met and a.verification == ServiceAssessment.Verification.VERIFIED
    assert not estate_coverage(renovated_a, TODAY).target_met
    due = Reinspection.objects.get(estate=renovated_a, status=Reinspection.Status.DUE)
    assert due.due_on == TODAY + timedelta(days=90)


def test_a_clean_reinspection_passes(renovated_a, inspector):
    r = services.record_reinspection(renovated_a, actor=inspector, inspected_on=TODAY)
    assert r.status == Reinspection.Status.PASSED
    assert r.findings == "未发现反弹"


def test_the_due_reinspection_is_the_one_recorded(renovated_a, inspector):
    services.schedule_reinspections()
    due = Reinspection.objects.get(estate=renovated_a)
    r = services.record_reinspection(renovated_a, actor=inspector, inspected_on=TODAY)
    assert r.pk == due.pk
    assert Reinspection.objects.filter(estate=renovated_a).count() == 2


def test_a_compound_not_yet_renovated_is_not_reinspected(estate_a, inspector):
    with pytest.raises(ValidationError) as exc:
        services.record_reinspection(estate_a, actor=inspector, inspected_on=TODAY)
    assert "尚未完成整治" in str(exc.value)


def test_a_compound_with_works_still_in_progress_is_not_renovated(estate_a, inspector):
    renovate(estate_a)
    renovate_item = EstateWorksItem.objects.get(estate=estate_a)
    EstateWorksItem.objects.create(
        estate=estate_a,
        works_item_id=renovate_item.works_item_id + 1,
        status=EstateWorksItem.Status.UNDER_CONSTRUCTION,
    )
    with pytest.raises(ValidationError):
        services.record_reinspection(estate_a, actor=inspector, inspected_on=TODAY)


def test_a_completed_but_not_yet_accepted_compound_is_renovated(estate_a, inspector):
    renovate(estate_a, status=EstateWorksItem.Status.COMPLETED)
    r = services.record_reinspection(estate_a, actor=inspector, inspected_on=TODAY)
    assert r.status == Reinspection.Status.PASSED


def test_a_relapse_needs_findings_and_items_of_the_target(renovated_a, inspector):
    with pytest.raises(ValidationError) as exc:
        services.record_reinspection(
            renovated_a, actor=inspector, inspected_on=TODAY, relapsed_items=["有清扫保洁"]
        )
    assert "findings" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.record_reinspection(
            renovated_a,
            actor=inspector,
            inspected_on=TODAY,
            findings="乱",
            relapsed_items=["有停车管理"],
        )
    assert "relapsed_items" in exc.value.message_dict
    assert not Reinspection.objects.exists()


def test_street_staff_cannot_record_a_reinspection(renovated_a, clerk_a):
    with pytest.raises(PermissionDenied):
        services.record_reinspection(renovated_a, actor=clerk_a, inspected_on=TODAY)


def test_the_street_office_records_the_follow_up(renovated_a, clerk_a, clerk_b, inspector):
    r = services.record_reinspection(
        renovated_a,
        actor=inspector,
        inspected_on=TODAY,
        findings="乱",
        relapsed_items=["有日常维修"],
    )
    with pytest.raises(PermissionDenied):
        services.record_follow_up(r, actor=clerk_b, note="已整改", done_on=TODAY)
    with pytest.raises(PermissionDenied):
        services.record_follow_up(r, actor=inspector, note="已整改", done_on=TODAY)
    services.record_follow_up(r, actor=clerk_a, note="已落实维修队", done_on=TODAY)
    r.refresh_from_db()
    assert r.status == Reinspection.Status.RECTIFIED
    assert r.follow_up_by == clerk_a
    with pytest.raises(ValidationError):
        services.record_follow_up(r, actor=clerk_a, note="再次", done_on=TODAY)


def test_scheduling_reinspections_is_idempotent(renovated_a, estate_b):
    assert services.schedule_reinspections() == 1
    assert services.schedule_reinspections() == 0
    due = Reinspection.objects.get()
    assert due.estate == renovated_a
    assert due.due_on == date.today() - timedelta(days=100) + timedelta(days=90)


# --- photos -----------------------------------------------------------------------------
def _image(fmt="PNG", size=(40, 30), mode="RGB"):
    buffer = BytesIO()
    Image.new(mode, size, "red").save(buffer, fmt)
    return buffer.getvalue()


def test_a_photo_is_reencoded_under_a_random_name(estate_a, clerk_a, media_root):
    upload = SimpleUploadedFile("友爱小区.png", _image("PNG"), content_type="image/png")
    a = services.assess_item(estate_a, actor=clerk_a, item="有日常维修", met=True, photo=upload)
    assert a.photo.name.startswith("coverage/evidence/") and a.photo.name.endswith(".jpg")
    assert "友爱" not in a.photo.name
    with Image.open(a.photo.path) as stored:
        assert stored.format == "JPEG"
    assert str(media_root) in a.photo.path


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<?php echo 1; ?>", "不是有效的图片"),
        (_image("GIF"), "不支持的图片格式（GIF）"),
        (_image("PNG")[:60], "损坏"),
    ],
)
def test_a_bad_photo_is_refused_and_nothing_is_saved(estate_a, clerk_a, content, message):
    upload = SimpleUploadedFile("x.jpg", content, content_type="image/jpeg")
    with pytest.raises(ValidationError) as exc:
        services.assess_item(estate_a, actor=clerk_a, item="有日常维修", met=True, photo=upload)
    assert message in str(exc.value.message_dict["photo"])
    assert not ServiceAssessment.objects.exists()


def test_a_photo_with_too_many_pixels_is_refused(estate_a, clerk_a, monkeypatch):
    monkeypatch.setattr("estates.photos.MAX_PIXELS", 100)
    upload = SimpleUploadedFile("x.png", _image("PNG", size=(20, 20)))
    with pytest.raises(ValidationError) as exc:
        services.assess_item(estate_a, actor=clerk_a, item="有日常维修", met=True, photo=upload)
    assert "像素过大" in str(exc.value)


def test_a_truncated_photo_is_refused_even_after_weasyprint_is_loaded(estate_a, clerk_a):
    import estates.pdf  # noqa: F401  (WeasyPrint flips Pillow's truncated-image switch)

    upload = SimpleUploadedFile("x.png", _image("PNG")[:60], content_type="image/png")
    with pytest.raises(ValidationError) as exc:
        services.assess_item(estate_a, actor=clerk_a, item="有日常维修", met=True, photo=upload)
    assert "损坏" in str(exc.value.message_dict["photo"])
