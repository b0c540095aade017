"""State changes of the organisation and the ledger. Each function is atomic, takes the
acting user as ``actor=`` and writes its audit event in the same transaction. The pages,
the API, the importer and the management commands all come through here."""

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone

from estates import audit, exports, outbox
from estates.guards import ensure_writable, require
from estates.models import AuditEvent, Estate, ExportJob, Message, NotificationPreference, Topic
from estates.xlsx import workbook_bytes

logger = logging.getLogger(__name__)

#: Ledger fields a user may set; everything the form, the API and the importer write.
ESTATE_FIELDS = (
    "community",
    "campaign",
    "name",
    "address",
    "kind",
    "build_year",
    "building_count",
    "household_count",
    "floor_area",
    "owning_unit",
    "condition_class",
    "street_contact_name",
    "street_contact_phone",
    "community_contact_name",
    "community_contact_phone",
    "notes",
    "latitude",
    "longitude",
)


def can_edit_estate(user, estate: Estate | None = None) -> bool:
    """HQ office staff edit the whole ledger; a street office keeps its own compounds."""
    if user.is_hq_staff:
        return True
    if user.is_street_staff:
        return estate is None or user.owns_street_office(estate.community.street_office_id)
    return False


def can_archive_estate(user) -> bool:
    return user.is_hq_staff


def _check_scope(user, estate: Estate):
    # After the save the compound must still be inside the actor's own scope: a clerk
    # cannot move a compound (or create one) into another street office.
    if not Estate.objects.visible_to(user).filter(pk=estate.pk).exists():
        raise ValidationError({"community": "只能选择本街道办事处的社区"})


@transaction.atomic
def create_estate(*, actor, values: dict, action=AuditEvent.Action.CREATE) -> Estate:
    require(can_edit_estate(actor), "只有指挥部办公室或街道办事处可以新增小区")
    estate = Estate(**{k: v for k, v in values.items() if k in ESTATE_FIELDS})
    estate.full_clean()
    estate.save()
    _check_scope(actor, estate)
    audit.record(
        estate,
        actor=actor,
        action=action,
        changes={
            name: {"label": label, "old": "", "new": value}
            for name, label, value in _labelled(estate)
            if value != ""
        },
        summary=f"新增小区 {estate.name}",
    )
    return estate


@transaction.atomic
def update_estate(estate: Estate, *, actor, values: dict, action=AuditEvent.Action.UPDATE) -> dict:
    """Apply ``values``; returns the changes (empty when nothing changed, and then no
    audit event is written)."""
    estate = Estate.objects.select_for_update().select_related("community").get(pk=estate.pk)
    require(can_edit_estate(actor, estate), "只能修改本街道办事处的小区")
    before = audit.snapshot(estate, ESTATE_FIELDS)
    for name, value in values.items():
        if name in ESTATE_FIELDS:
            setattr(estate, name, value)
    estate.full_clean()
    changes = audit.diff(estate, before)
    if not changes:
        return {}
    ensure_writable(estate.pk)
    estate.save()
    _check_scope(actor, estate)
    audit.record(estate, actor=actor, action=action, changes=changes, summary="修改台账信息")
    return changes


@transaction.atomic
def archive_estate(estate: Estate, *, actor, reason: str) -> Estate:
    require(can_archive_estate(actor), "只有指挥部办公室可以归档小区")
    if not reason.strip():
        raise ValidationError({"reason": "请填写归档原因"})
    estate = Estate.objects.select_for_update().get(pk=estate.pk)
    if estate.archived_at is not None:
        raise ValidationError("该小区已归档")
    estate.archived_at = timezone.now()
    estate.save(update_fields=["archived_at", "updated_at"])
    audit.record(estate, actor=actor, action=AuditEvent.Action.ARCHIVE, summary=reason.strip())
    return estate


@transaction.atomic
def restore_estate(estate: Estate, *, actor) -> Estate:
    require(can_archive_estate(actor), "只有指挥部办公室可以恢复小区")
    estate = Estate.objects.select_for_update().get(pk=estate.pk)
    if estate.archived_at is None:
        raise ValidationError("该小区未归档")
    estate.archived_at = None
    estate.save(update_fields=["archived_at", "updated_at"])
    audit.record(estate, actor=actor, action=AuditEvent.Action.RESTORE, summary="恢复台账")
    return estate


def _labelled(estate):
    values = audit.snapshot(estate, ESTATE_FIELDS)
    for name in ESTATE_FIELDS:
        yield name, str(Estate._meta.get_field(name).verbose_name), values[name]


# --- messages ---------------------------------------------------------------------------
def mark_messages_read(user, ids=None) -> int:
    """Mark the user's unread messages (or those of ``ids``) read; returns how many.
    Reading is not a change to a government record, so it leaves no audit event."""
    unread = Message.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())


@transaction.atomic
def set_notification_preferences(user, choices: dict, *, actor) -> None:
    """``choices``: {topic: {"by_email": bool, "by_webhook": bool}} for every topic."""
    if actor.pk != user.pk:
        raise PermissionDenied("只能设置自己的提醒方式")
    before = {
        p.topic: p for p in NotificationPreference.objects.select_for_update().filter(user=user)
    }
    changes = {}
    for topic, wanted in choices.items():
        label = Topic(topic).label
        pref = before.get(topic) or NotificationPreference(user=user, topic=topic)
        old = {"by_email": pref.by_email, "by_webhook": pref.by_webhook}
        if old == wanted and pref.pk:
            continue
        pref.by_email, pref.by_webhook = wanted["by_email"], wanted["by_webhook"]
        pref.save()
        if old != wanted:
            changes[topic] = {"label": label, "old": _channels(old), "new": _channels(wanted)}
    if changes:
        audit.record(
            user,
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            changes=changes,
            summary="修改提醒方式",
        )


def _channels(flags: dict) -> str:
    names = [
        name for key, name in (("by_email", "电子邮件"), ("by_webhook", "工作群")) if flags[key]
    ]
    return "、".join(names) or "仅站内"


# --- export jobs ------------------------------------------------------------------------
@transaction.atomic
def request_export(*, actor, kind: str, params: str) -> ExportJob:
    """Queue an export; the worker picks it up once this transaction commits."""
    from estates.tasks import run_export

    exports.spec(kind)  # unknown kinds fail here, in the request, not in the worker
    job = ExportJob.objects.create(kind=kind, owner=actor, params=params)
    # A broker that refuses or hangs leaves the job queued for the sweep (estates.outbox).
    outbox.enqueue_on_commit(
        run_export,
        job.pk,
        sent=lambda: ExportJob.objects.filter(pk=job.pk, enqueued_at__isnull=True).update(
            enqueued_at=timezone.now()
        ),
    )
    return job


def run_export_job(job_id: int) -> ExportJob:
    """Build the file of a queued job, once: the job is claimed under its row lock, and a
    task delivered twice (the sweep, a re-delivery) finds it running or done and leaves."""
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().select_related("owner").get(pk=job_id)
        if job.status != ExportJob.Status.QUEUED:
            return job
        job.status, job.started_at = ExportJob.Status.RUNNING, timezone.now()
        job.save(update_fields=["status", "started_at"])
    try:
        kind = exports.spec(job.kind)
        built, filename, rows = kind.build(job.owner, QueryDict(job.params))
        content = built if kind.media == "pdf" else workbook_bytes(built)
    except Exception as exc:  # the user sees the job failed; the log has the detail
        logger.exception("export job %s failed", job_id)
        ExportJob.objects.filter(pk=job_id).update(
            status=ExportJob.Status.FAILED,
            finished_at=timezone.now(),
            error=f"生成失败：{type(exc).__name__}",
        )
        job.refresh_from_db()
        return job
    job.file.save(f"{job.kind}-{job.pk}.{kind.media}", ContentFile(content), save=False)
    job.filename, job.row_count = filename, rows
    job.status, job.finished_at = ExportJob.Status.DONE, timezone.now()
    job.save(update_fields=["file", "filename", "row_count", "status", "finished_at"])
    return job
