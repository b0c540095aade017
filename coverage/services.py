"""State changes of long-term management. Each function is atomic, takes the acting user
as ``actor=`` and writes its audit events in the same transaction; the pages, the API,
the management command and the Celery task all come through here.

Who may do what:
- arrangements and item assessments: the compound's street office (clerk, lead) and the
  HQ office;
- verifying assessments: HQ office staff and inspectors;
- re-inspections (回头看): HQ office staff and inspectors; the follow-up of a relapse:
  the compound's street office;
- leaders and community leads read only."""

from datetime import date, timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from coverage.models import (
    REINSPECTION_INTERVAL_DAYS,
    ManagementArrangement,
    Reinspection,
    ServiceAssessment,
)
from coverage.queries import renovated
from estates import audit
from estates.guards import ensure_writable, require
from estates.models import AuditEvent, Estate
from estates.photos import check_and_reencode

ARRANGEMENT_FIELDS = (
    "mode",
    "company",
    "provider_name",
    "start_date",
    "term_months",
    "monthly_fee",
    "responsible_name",
    "responsible_phone",
    "notes",
)


# --- permissions ------------------------------------------------------------------------
def can_record_arrangement(user, estate: Estate | None = None) -> bool:
    if user.is_hq_staff:
        return True
    if user.is_street_staff:
        return estate is None or user.owns_street_office(estate.community.street_office_id)
    return False


can_assess = can_record_arrangement


def can_verify(user) -> bool:
    return user.is_hq_staff or user.is_inspector


def can_record_reinspection(user) -> bool:
    return user.is_hq_staff or user.is_inspector


def can_follow_up(user, reinspection: Reinspection | None = None) -> bool:
    if not user.is_street_staff:
        return False
    return reinspection is None or user.owns_street_office(
        reinspection.estate.community.street_office_id
    )


def _lock_estate(estate: Estate) -> Estate:
    # Serialises writers of one compound's arrangements/assessments.
    estate = Estate.objects.select_for_update().select_related("community").get(pk=estate.pk)
    ensure_writable(estate.pk)
    return estate


# --- arrangements -----------------------------------------------------------------------
@transaction.atomic
def record_arrangement(estate: Estate, *, actor, values: dict) -> ManagementArrangement:
    """Record a new arrangement; the open one (if any) ends the day before it starts."""
    require(can_record_arrangement(actor, estate))
    estate = _lock_estate(estate)
    arrangement = ManagementArrangement(
        estate=estate,
        created_by=actor,
        **{k: v for k, v in values.items() if k in ARRANGEMENT_FIELDS},
    )
    mode = ManagementArrangement.Mode
    if not (arrangement.provider_name or "").strip():
        if arrangement.mode == mode.LOGISTICS:
            arrangement.provider_name = estate.owning_unit
        elif arrangement.mode == mode.COMMUNITY:
            arrangement.provider_name = estate.community.name
    arrangement.expires_on = arrangement.compute_expiry()
    arrangement.full_clean(exclude=["estate"])

    previous = (
        ManagementArrangement.objects.select_for_update()
        .filter(estate=estate, ended_on__isnull=True)
        .first()
    )
    if previous is not None:
        if arrangement.start_date <= previous.start_date:
            raise ValidationError(
                {
                    "start_date": f"起始日期须晚于现行安排的起始日期"
                    f"（{previous.start_date:%Y-%m-%d}）"
                }
            )
        previous.ended_on = arrangement.start_date - timedelta(days=1)
        previous.end_reason = "由新的管理安排接替"
        previous.save(update_fields=["ended_on", "end_reason"])
        audit.record(
            previous,
            actor=actor,
            action=AuditEvent.Action.TRANSITION,
            changes={"ended_on": {"label": "终止日期", "old": "", "new": str(previous.ended_on)}},
            summary="由新的管理安排接替",
        )
    arrangement.save()
    audit.record(
        arrangement,
        actor=actor,
        action=AuditEvent.Action.CREATE,
        changes={
            name: {
                "label": str(ManagementArrangement._meta.get_field(name).verbose_name),
                "old": "",
                "new": value,
            }
            for name, value in audit.snapshot(arrangement, ARRANGEMENT_FIELDS).items()
            if value != ""
        },
        summary=f"登记物业管理安排：{arrangement.get_mode_display()}",
    )
    audit.record(
        estate,
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        summary=f"物业管理安排：{arrangement.get_mode_display()}·{arrangement.provider_label}"
        f"（{arrangement.start_date:%Y-%m-%d}起）",
    )
    return arrangement


@transaction.atomic
def end_arrangement(
    arrangement: ManagementArrangement, *, actor, ended_on: date, reason: str
) -> ManagementArrangement:
    """End an open arrangement without a successor (the company withdrew, the unit
    handed over...). ``ended_on`` is its last day in force."""
    require(can_record_arrangement(actor, arrangement.estate))
    ensure_writable(arrangement.estate_id)
    if not (reason or "").strip():
        raise ValidationError({"end_reason": "请填写终止原因"})
    arrangement = ManagementArrangement.objects.select_for_update().get(pk=arrangement.pk)
    if arrangement.ended_on is not None:
        raise ValidationError("该管理安排已终止")
    if ended_on < arrangement.start_date:
        raise ValidationError({"ended_on": "终止日期不能早于起始日期"})
    arrangement.ended_on = ended_on
    arrangement.end_reason = reason.strip()
    arrangement.save(update_fields=["ended_on", "end_reason"])
    audit.record(
        arrangement,
        actor=actor,
        action=AuditEvent.Action.TRANSITION,
        changes={"ended_on": {"label": "终止日期", "old": "", "new": str(ended_on)}},
        summary=f"终止管理安排：{arrangement.end_reason}",
    )
    return arrangement


# --- service target ---------------------------------------------------------------------
@transaction.atomic
def assess_item(
    estate: Estate, *, actor, item: str, met: bool, note: str = "", photo=None
) -> ServiceAssessment:
    """The street office's assessment of one target item (met or not, with evidence).
    Creates the item's row or updates it; either way it goes (back) to HQ for
    verification."""
    require(can_assess(actor, estate))
    estate = _lock_estate(estate)
    if item not in estate.target_items:
        raise ValidationError({"item": f"「{item}」不是该小区（{estate.target_name}）的服务目标项"})
    note = (note or "").strip()
    if met and not note and photo is None:
        raise ValidationError({"note": "评定为达到时，请填写情况说明或上传照片作为佐证"})
    if not met and not note:
        raise ValidationError({"note": "评定为未达到时，请说明原因"})
    # Checked and re-encoded by content (EXIF dropped, bombs refused); served only by
    # views.AssessmentPhotoView, which checks the viewer's scope.
    stored_photo = None
    if photo is not None:
        checked = check_and_reencode(photo, field="photo")
        stored_photo = ContentFile(checked.content, name="evidence.jpg")

    assessment = ServiceAssessment.objects.filter(estate=estate, item=item).first()
    fields = ("met", "note", "photo", "verification")
    if assessment is None:
        assessment = ServiceAssessment(estate=estate, item=item)
        before = None
    else:
        before = audit.snapshot(assessment, fields)
    assessment.met = met
    assessment.note = note
    assessment.assessed_by = actor
    assessment.assessed_at = timezone.now()
    assessment.verification = ServiceAssessment.Verification.PENDING
    assessment.verified_by = None
    assessment.verified_at = None
    assessment.verification_note = ""
    assessment.full_clean(exclude=["estate", "photo"])
    if stored_photo is not None:
        # Written only once everything else is valid; a replaced photo's file is kept
        # (evidence is never deleted).
        assessment.photo.save(stored_photo.name, stored_photo, save=False)
    assessment.save()
    if before is None:
        audit.record(
            assessment,
            actor=actor,
            action=AuditEvent.Action.CREATE,
            summary=f"评定「{item}」：{'达到' if met else '未达到'}",
        )
    else:
        audit.record(
            assessment,
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            changes=audit.diff(assessment, before),
            summary=f"重新评定「{item}」：{'达到' if met else '未达到'}",
        )
    return assessment


@transaction.atomic
def verify_assessment(
    assessment: ServiceAssessment, *, actor, verified: bool, note: str = ""
) -> ServiceAssessment:
    """HQ checks a pending assessment: confirmed (已核验) or sent back (核验未通过)."""
    require(can_verify(actor), "只有指挥部办公室或质量检查员可以核验")
    assessment = (
        ServiceAssessment.objects.select_for_update().select_related("estate").get(pk=assessment.pk)
    )
    ensure_writable(assessment.estate_id)
    if assessment.verification != ServiceAssessment.Verification.PENDING:
        raise ValidationError({"verification": "该项已核验，须街道重新评定后才能再次核验"})
    if assessment.item not in assessment.estate.target_items:
        raise ValidationError(
            {
                "item": f"「{assessment.item}」已不在该小区当前的服务目标"
                f"（{assessment.estate.target_name}）中"
            }
        )
    note = (note or "").strip()
    if not verified and not note:
        raise ValidationError({"verification_note": "核验未通过时，请填写核验意见"})
    before = audit.snapshot(assessment, ("verification", "verification_note"))
    assessment.verification = (
        ServiceAssessment.Verification.VERIFIED
        if verified
        else ServiceAssessment.Verification.REJECTED
    )
    assessment.verification_note = note
    assessment.verified_by = actor
    assessment.verified_at = timezone.now()
    assessment.save(
        update_fields=["verification", "verification_note", "verified_by", "verified_at"]
    )
    audit.record(
        assessment,
        actor=actor,
        action=AuditEvent.Action.TRANSITION,
        changes=audit.diff(assessment, before),
        summary=f"核验「{assessment.item}」：{assessment.get_verification_display()}",
    )
    return assessment


# --- re-inspections (回头看) ------------------------------------------------------------
def _is_renovated(estate: Estate) -> bool:
    return Estate.objects.filter(renovated(), pk=estate.pk).exists()


@transaction.atomic
def record_reinspection(
    estate: Estate,
    *,
    actor,
    inspected_on: date,
    findings: str = "",
    relapsed_items=(),
    next_due_on: date | None = None,
) -> Reinspection:
    """Record a re-inspection of a renovated compound: fills in the one that is due (or
    a new one), marks the items found no longer met as not met (verified by the
    inspector), and schedules the next one."""
    require(can_record_reinspection(actor), "只有指挥部办公室或质量检查员可以登记回头看")
    estate = _lock_estate(estate)
    if not _is_renovated(estate):
        raise ValidationError({"estate": "该小区尚未完成整治，不需回头看"})
    today = timezone.localdate()
    if inspected_on > today:
        raise ValidationError({"inspected_on": "检查日期不能晚于今天"})
    items = list(dict.fromkeys(relapsed_items or ()))
    outside = [i for i in items if i not in estate.target_items]
    if outside:
        raise ValidationError(
            {
                "relapsed_items": f"不属于该小区服务目标（{estate.target_name}）的项："
                f"{'、'.join(outside)}"
            }
        )
    findings = (findings or "").strip()
    if items and not findings:
        raise ValidationError({"findings": "发现反弹时，请填写检查情况"})
    next_due_on = next_due_on or inspected_on + timedelta(days=REINSPECTION_INTERVAL_DAYS)
    if next_due_on <= inspected_on:
        raise ValidationError({"next_due_on": "下次回头看日期须晚于本次检查日期"})

    reinspection = (
        Reinspection.objects.select_for_update()
        .filter(estate=estate, status=Reinspection.Status.DUE)
        .first()
    ) or Reinspection(estate=estate, due_on=inspected_on)
    reinspection.inspected_on = inspected_on
    reinspection.inspected_by = actor
    reinspection.findings = findings or "未发现反弹"
    reinspection.relapsed_items = items
    reinspection.status = Reinspection.Status.RELAPSED if items else Reinspection.Status.PASSED
    reinspection.save()
    audit.record(
        reinspection,
        actor=actor,
        action=AuditEvent.Action.TRANSITION,
        changes={
            "status": {"label": "状态", "old": "待回头看", "new": reinspection.get_status_display()}
        },
        summary=f"回头看：{reinspection.get_status_display()}"
        + (f"（{'、'.join(items)}）" if items else ""),
    )
    now = timezone.now()
    for item in items:
        assessment, _created = ServiceAssessment.objects.get_or_create(
            estate=estate,
            item=item,
            defaults={"met": False, "assessed_at": now, "assessed_by": actor},
        )
        assessment.met = False
        assessment.note = f"回头看发现不再达到：{findings}"[:300]
        assessment.assessed_by = actor
        assessment.assessed_at = now
        assessment.verification = ServiceAssessment.Verification.VERIFIED
        assessment.verified_by = actor
        assessment.verified_at = now
        assessment.verification_note = f"{inspected_on:%Y-%m-%d} 回头看"
        assessment.save()
        audit.record(
            assessment,
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            summary=f"回头看发现「{item}」不再达到",
        )
    Reinspection.objects.create(estate=estate, due_on=next_due_on)
    return reinspection


@transaction.atomic
def record_follow_up(
    reinspection: Reinspection, *, actor, note: str, done_on: date
) -> Reinspection:
    """The street office reports the relapse rectified (relapsed → rectified). The items
    themselves go back to HQ through a fresh assessment of each."""
    reinspection = (
        Reinspection.objects.select_for_update()
        .select_related("estate__community")
        .get(pk=reinspection.pk)
    )
    require(can_follow_up(actor, reinspection), "只有本街道办事处可以登记整改情况")
    ensure_writable(reinspection.estate_id)
    if reinspection.status != Reinspection.Status.RELAPSED:
        raise ValidationError({"status": "只有反弹待整改的回头看才能登记整改"})
    note = (note or "").strip()
    if not note:
        raise ValidationError({"follow_up_note": "请填写整改情况"})
    if done_on > timezone.localdate():
        raise ValidationError({"follow_up_on": "整改完成日期不能晚于今天"})
    if done_on < reinspection.inspected_on:
        raise ValidationError({"follow_up_on": "整改完成日期不能早于检查日期"})
    reinspection.status = Reinspection.Status.RECTIFIED
    reinspection.follow_up_note = note
    reinspection.follow_up_on = done_on
    reinspection.follow_up_by = actor
    reinspection.save(update_fields=["status", "follow_up_note", "follow_up_on", "follow_up_by"])
    audit.record(
        reinspection,
        actor=actor,
        action=AuditEvent.Action.TRANSITION,
        changes={"status": {"label": "状态", "old": "反弹待整改", "new": "已整改"}},
        summary=f"整改完成：{note}"[:200],
    )
    return reinspection


@transaction.atomic
def schedule_reinspections(*, actor=None, interval_days: int = REINSPECTION_INTERVAL_DAYS) -> int:
    """Give every renovated compound without a re-inspection due one: due
    ``interval_days`` after its works finished. Idempotent (the one-due-per-compound
    constraint); returns how many were scheduled. Run weekly by the Celery beat."""
    estates = (
        Estate.objects.active()
        .filter(renovated())
        .exclude(reinspections__status=Reinspection.Status.DUE)
        .annotate(finished=Max("works_items__actual_finish"))
        .values_list("pk", "finished")
    )
    today = timezone.localdate()
    rows = [
        Reinspection(estate_id=pk, due_on=(finished or today) + timedelta(days=interval_days))
        for pk, finished in estates
    ]
    created = Reinspection.objects.bulk_create(rows, batch_size=2000)
    content_type = ContentType.objects.get_for_model(Reinspection)
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                content_type=content_type,
                object_id=r.pk,
                actor=actor if actor is not None and actor.is_authenticated else None,
                action=AuditEvent.Action.CREATE,
                summary=f"安排回头看，应检日期 {r.due_on:%Y-%m-%d}",
            )
            for r in created
            if r.pk is not None
        ],
        batch_size=2000,
    )
    return len(created)
