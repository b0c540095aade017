"""State changes of this app: roll-up runs and the league table's weights; the Tuesday
cycle (weekly reports, meetings, action items, issued meeting packs)."""

import hashlib
import logging
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from estates import audit, outbox
from estates import photos as photo_files
from estates.guards import require
from estates.models import AuditEvent, Role
from estates.validators import strip_control_characters
from reports import rollup
from reports.cycle import checksum, compile_statistics
from reports.models import (
    BRIEF_FIELDS,
    ActionItem,
    ActionItemReply,
    LeagueWeights,
    Meeting,
    MeetingPack,
    ReportPhoto,
    RollupRun,
    WeeklyReport,
)
from reports.units import all_units
from reports.weekly_pack import TUESDAY

logger = logging.getLogger(__name__)


# --- the roll-up ---------------------------------------------------------------------------
@transaction.atomic
def request_rollup(
    *,
    actor=None,
    kind=RollupRun.Kind.INCREMENTAL,
    date_from=None,
    date_to=None,
    trigger="beat",
    enqueue=True,
) -> RollupRun:
    """Queue a roll-up run; a worker executes it once this transaction commits (in-process
    at once when there is no Redis). ``enqueue=False``: the caller executes it itself
    (``manage.py rollup``)."""
    from reports.tasks import run_rollup

    if kind == RollupRun.Kind.DATES:
        if date_from is None or date_to is None:
            raise ValidationError({"date_from": "请指定起止日期"})
        if date_to < date_from:
            raise ValidationError({"date_to": "截止日期不能早于起始日期"})
        if (date_to - date_from).days > settings.ROLLUP_HISTORY_MAX_DAYS:
            raise ValidationError(
                {"date_to": f"一次最多汇总 {settings.ROLLUP_HISTORY_MAX_DAYS} 天"}
            )
    run = RollupRun.objects.create(
        kind=kind,
        date_from=date_from,
        date_to=date_to,
        trigger=trigger,
        requested_by=actor if actor is not None and actor.is_authenticated else None,
    )
    if enqueue:
        # A sick broker leaves the run queued; the outbox sweep sends it again.
        outbox.enqueue_on_commit(run_rollup, run.pk)
    return run


def _release_abandoned(now) -> None:
    """A run "running" for longer than ROLLUP_LOCK_SECONDS lost its worker: fail it so
    the lock is free again."""
    cutoff = now - timedelta(seconds=settings.ROLLUP_LOCK_SECONDS)
    RollupRun.objects.filter(status=RollupRun.Status.RUNNING, started_at__lt=cutoff).update(
        status=RollupRun.Status.FAILED, finished_at=now, error="超时未完成（计算进程中断）"
    )


def last_finished_run(kinds=(RollupRun.Kind.INCREMENTAL, RollupRun.Kind.FULL)):
    return (
        RollupRun.objects.filter(status=RollupRun.Status.DONE, kind__in=kinds)
        .order_by("-started_at", "-id")
        .first()
    )


def _plan(run: RollupRun, today):
    if run.kind == RollupRun.Kind.INCREMENTAL:
        previous = last_finished_run()
        run.changes_since = previous.started_at if previous else None
        return rollup.plan_incremental(run.changes_since, today)
    if run.kind == RollupRun.Kind.FULL:
        run.date_from, run.date_to = rollup.history_start(today), today
    units = all_units()
    return rollup.Plan([(day, units) for day in rollup.days_between(run.date_from, run.date_to)])


def execute_rollup(run_id: int) -> RollupRun:
    """Execute a queued run. One run at a time: a run that finds another running is
    skipped (the next beat picks its changes up). A run that is not queued any more (a
    re-delivered task) is left as it is."""
    now = timezone.now()
    _release_abandoned(now)
    try:
        with transaction.atomic():
            claimed = RollupRun.objects.filter(pk=run_id, status=RollupRun.Status.QUEUED).update(
                status=RollupRun.Status.RUNNING, started_at=now
            )
    except IntegrityError:
        RollupRun.objects.filter(pk=run_id, status=RollupRun.Status.QUEUED).update(
            status=RollupRun.Status.SKIPPED, finished_at=timezone.now(), error="另一次汇总正在进行"
        )
        return RollupRun.objects.get(pk=run_id)
    run = RollupRun.objects.get(pk=run_id)
    if not claimed:
        return run
    try:
        plan = _plan(run, timezone.localdate(now))
        rows = rollup.run_plan(plan, now=now)
    except Exception as exc:  # the run shows it failed; the log has the detail
        logger.exception("roll-up run %s failed", run_id)
        RollupRun.objects.filter(pk=run_id).update(
            status=RollupRun.Status.FAILED,
            finished_at=timezone.now(),
            error=f"汇总失败：{type(exc).__name__}: {exc}"[:500],
        )
        run.refresh_from_db()
        return run
    run.status, run.finished_at = RollupRun.Status.DONE, timezone.now()
    run.units, run.rows = plan.unit_count, rows
    run.save(
        update_fields=[
            "status",
            "finished_at",
            "units",
            "rows",
            "changes_since",
            "date_from",
            "date_to",
        ]
    )
    return run


def is_stale(now=None) -> bool:
    """No finished run yet, or the last one started more than one beat interval ago."""
    now = now or timezone.now()
    previous = last_finished_run(kinds=RollupRun.Kind.values)
    if previous is None:
        return True
    return previous.started_at < now - timedelta(minutes=settings.ROLLUP_INTERVAL_MINUTES)


def ensure_fresh(*, actor=None) -> RollupRun | None:
    """With no Redis (no worker, no beat), a dashboard opened on stale snapshots runs the
    incremental roll-up in-process first. With Redis the beat keeps them fresh and the
    page shows each figure's time."""
    if settings.REDIS_URL or not is_stale():
        return None
    run = request_rollup(actor=actor, trigger="dashboard", enqueue=False)
    return execute_rollup(run.pk)


# --- the league table's weights ---------------------------------------------------------------
def can_set_league_weights(user) -> bool:
    return user.is_authenticated and user.is_hq_staff


@transaction.atomic
def set_league_weights(*, actor, values: dict) -> dict:
    """HQ office staff set the weights of the league table's components; audited.
    Returns the changes (empty when nothing changed)."""
    require(can_set_league_weights(actor), "只有指挥部办公室可以设置排名通报权重")
    weights, _ = LeagueWeights.objects.select_for_update().get_or_create(pk=1)
    before = audit.snapshot(weights, LeagueWeights.FIELDS)
    for name in LeagueWeights.FIELDS:
        if name in values:
            setattr(weights, name, values[name])
    weights.full_clean()
    changes = audit.diff(weights, before)
    if not changes:
        return {}
    weights.save()
    audit.record(
        weights,
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        changes=changes,
        summary="修改排名通报权重",
    )
    return changes


# === The Tuesday cycle ===================================================================
# Weekly reports, meetings, action items and issued meeting packs. Each function below is
# atomic, takes ``actor=``, writes its audit event in the same transaction and refuses an
# illegal move with a ValidationError naming the field (a forbidden one: PermissionDenied).


def clean_text(value) -> str:
    """User text as stored: control characters (which no spreadsheet or PDF can hold)
    dropped, surrounding space trimmed."""
    return strip_control_characters(str(value or "")).strip()


# --- who may do what ------------------------------------------------------------------
def _own_street(user, street_office_id) -> bool:
    return bool(user.is_street_staff and user.street_office_id == street_office_id)


def can_write_report(user, street_office_id=None) -> bool:
    """A clerk (street_clerk) of the street office writes and submits its report."""
    if user.role != Role.STREET_CLERK:
        return False
    return street_office_id is None or user.street_office_id == street_office_id


def can_sign_report(user, report: WeeklyReport) -> bool:
    """The street office's lead signs off, with their own account."""
    return user.role == Role.STREET_LEAD and user.street_office_id == report.street_office_id


def can_manage_cycle(user) -> bool:
    """The HQ office receives and returns reports, records meetings, assigns and closes
    action items, and issues the pack."""
    return bool(user.is_hq_staff)


def can_reply_item(user, item: ActionItem) -> bool:
    return item.assignee_id is not None and _own_street(user, item.assignee_id)


def refuse(message):
    raise PermissionDenied(message)


def _store_photos(checked, *, actor, **owner):
    for item in checked:
        ReportPhoto.objects.create(
            file=photo_files.store(item, "reports"),
            width=item.width,
            height=item.height,
            uploaded_by=actor,
            **owner,
        )


# --- weekly reports -------------------------------------------------------------------
def _brief_values(values: dict) -> dict:
    return {name: clean_text(values.get(name, "")) for name in BRIEF_FIELDS}


@transaction.atomic
def save_report_draft(*, actor, street_office, week: date, values: dict, photos=()) -> WeeklyReport:
    """Create or update the current draft of ``street_office``'s report due on ``week``
    (a Tuesday). Only a draft is written; a submitted report changes only by revision."""
    if not can_write_report(actor, street_office.pk):
        refuse("只有本街道办事处的工作人员可以填写周报")
    if week.weekday() != TUESDAY:
        raise ValidationError({"week": "周报按例会日期（周二）填报，请选择周二"})
    checked = photo_files.check_uploads(photos)
    report = (
        WeeklyReport.objects.select_for_update()
        .filter(street_office=street_office, week=week, is_current=True)
        .first()
    )
    brief = _brief_values(values)
    if report is None:
        report = WeeklyReport(street_office=street_office, week=week, created_by=actor, **brief)
        report.full_clean(validate_constraints=False)
        try:
            with transaction.atomic():
                report.save()
        except IntegrityError:
            raise ValidationError(
                {"week": f"{street_office} {week:%Y-%m-%d} 的周报已由他人创建，请刷新后再填写"}
            ) from None
        audit.record(report, actor=actor, action=AuditEvent.Action.CREATE, summary="填写周报草稿")
    else:
        if report.status != WeeklyReport.Status.DRAFT:
            raise ValidationError(
                {"status": f"周报当前为「{report.get_status_display()}」，不能再修改"}
            )
        before = audit.snapshot(report, BRIEF_FIELDS)
        for name, value in brief.items():
            setattr(report, name, value)
        report.full_clean(validate_constraints=False)
        report.save()
        changes = audit.diff(report, before)
        if changes:
            audit.record(
                report,
                actor=actor,
                action=AuditEvent.Action.UPDATE,
                changes=changes,
                summary="修改周报草稿",
            )
    _store_photos(checked, actor=actor, report=report)
    return report


@transaction.atomic
def submit_report(report: WeeklyReport, *, actor) -> WeeklyReport:
    """draft → submitted. Compiles the statistics now and freezes them with a checksum;
    later changes to the data never change a submitted report."""
    if not can_write_report(actor, report.street_office_id):
        refuse("只有本街道办事处的工作人员可以提交周报")
    if not report.is_current:
        raise ValidationError({"status": "这是已被修订的旧版本，不能提交"})
    if not (report.progress or report.problems or report.next_plan or report.coordination):
        raise ValidationError({"progress": "请至少填写「本周工作进展」后再提交"})
    now = timezone.now()
    statistics = compile_statistics(
        report.street_office, report.week, today=timezone.localdate(now)
    )
    return audit.transition(
        report,
        validate_constraints=False,
        actor=actor,
        allowed_from=(WeeklyReport.Status.DRAFT,),
        to=WeeklyReport.Status.SUBMITTED,
        summary="提交周报",
        statistics=statistics,
        statistics_sha256=checksum(statistics),
        compiled_at=now,
        submitted_by=actor,
        submitted_at=now,
        first_submitted_at=report.first_submitted_at or now,
    )


@transaction.atomic
def sign_report(report: WeeklyReport, *, actor) -> WeeklyReport:
    """submitted → signed, by the street office's lead."""
    if not can_sign_report(actor, report):
        refuse("只有本街道办事处负责人可以签发周报")
    return audit.transition(
        report,
        validate_constraints=False,
        actor=actor,
        allowed_from=(WeeklyReport.Status.SUBMITTED,),
        to=WeeklyReport.Status.SIGNED,
        summary="签发周报",
        signed_by=actor,
        signed_at=timezone.now(),
    )


@transaction.atomic
def receive_report(report: WeeklyReport, *, actor) -> WeeklyReport:
    """signed → received, by the HQ office."""
    if not can_manage_cycle(actor):
        refuse("只有指挥部办公室可以接收周报")
    return audit.transition(
        report,
        validate_constraints=False,
        actor=actor,
        allowed_from=(WeeklyReport.Status.SIGNED,),
        to=WeeklyReport.Status.RECEIVED,
        summary="接收周报",
        received_by=actor,
        received_at=timezone.now(),
    )


@transaction.atomic
def return_report(report: WeeklyReport, *, actor, reason: str) -> WeeklyReport:
    """submitted/signed → returned, by the HQ office, with a reason."""
    if not can_manage_cycle(actor):
        refuse("只有指挥部办公室可以退回周报")
    reason = clean_text(reason)
    if not reason:
        raise ValidationError({"reason": "请填写退回原因"})
    if len(reason) > 500:
        raise ValidationError({"reason": "退回原因不超过 500 字"})
    return audit.transition(
        report,
        validate_constraints=False,
        actor=actor,
        allowed_from=(WeeklyReport.Status.SUBMITTED, WeeklyReport.Status.SIGNED),
        to=WeeklyReport.Status.RETURNED,
        summary=f"退回周报：{reason}",
        returned_by=actor,
        returned_at=timezone.now(),
        return_reason=reason,
    )


@transaction.atomic
def revise_report(report: WeeklyReport, *, actor) -> WeeklyReport:
    """A returned report → a new version in draft, with the brief and photos carried
    over. The returned version stays as it was, readable, no longer current."""
    if not can_write_report(actor, report.street_office_id):
        refuse("只有本街道办事处的工作人员可以修订周报")
    old = WeeklyReport.objects.select_for_update().get(pk=report.pk)
    if old.status != WeeklyReport.Status.RETURNED or not old.is_current:
        raise ValidationError({"status": "只有被退回的当前版本可以修订"})
    old.is_current = False
    old.save(update_fields=["is_current", "updated_at"])
    new = WeeklyReport.objects.create(
        street_office=old.street_office,
        week=old.week,
        version=old.version + 1,
        previous=old,
        created_by=actor,
        first_submitted_at=old.first_submitted_at,
        **{name: getattr(old, name) for name in BRIEF_FIELDS},
    )
    for photo in old.photos.all():
        ReportPhoto.objects.create(
            report=new,
            file=photo.file.name,
            width=photo.width,
            height=photo.height,
            uploaded_by=photo.uploaded_by,
            uploaded_at=photo.uploaded_at,
        )
    audit.record(
        new,
        actor=actor,
        action=AuditEvent.Action.AMEND,
        summary=f"修订被退回的周报，第 {old.version} 版保留",
    )
    return new


# --- meetings and action items --------------------------------------------------------
MEETING_FIELDS = ("date", "chair", "attendees", "minutes")


@transaction.atomic
def record_meeting(*, actor, values: dict, meeting: Meeting | None = None) -> Meeting:
    """Record a weekly meeting (or correct one already recorded)."""
    if not can_manage_cycle(actor):
        refuse("只有指挥部办公室可以记录周例会")
    values = {
        name: (clean_text(values[name]) if name != "date" else values[name])
        for name in MEETING_FIELDS
        if name in values
    }
    if meeting is None:
        meeting = Meeting(recorded_by=actor, **values)
        before = None
    else:
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        before = audit.snapshot(meeting, MEETING_FIELDS)
        for name, value in values.items():
            setattr(meeting, name, value)
    if meeting.date and Meeting.objects.filter(date=meeting.date).exclude(pk=meeting.pk).exists():
        raise ValidationError({"date": f"{meeting.date:%Y-%m-%d} 已有周例会记录"})
    meeting.full_clean(exclude=["week"])
    meeting.save()
    if before is None:
        audit.record(meeting, actor=actor, action=AuditEvent.Action.CREATE, summary="记录周例会")
    else:
        audit.record(
            meeting,
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            changes=audit.diff(meeting, before),
            summary="修改周例会记录",
        )
    return meeting


@transaction.atomic
def assign_action_item(
    meeting: Meeting, *, actor, title: str, assignee, deadline: date
) -> ActionItem:
    """A new action item of ``meeting`` for a street office (``assignee``) or the HQ
    office itself (``assignee=None``)."""
    if not can_manage_cycle(actor):
        refuse("只有指挥部办公室可以交办督办事项")
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    title = clean_text(title)
    if not title:
        raise ValidationError({"title": "请填写督办事项内容"})
    if deadline is None:
        raise ValidationError({"deadline": "请填写办理期限"})
    if deadline < meeting.date:
        raise ValidationError({"deadline": "办理期限不能早于会议日期"})
    number = (meeting.action_items.aggregate(n=Max("number"))["n"] or 0) + 1
    item = ActionItem(
        meeting=meeting,
        number=number,
        title=title,
        assignee=assignee,
        deadline=deadline,
        created_by=actor,
    )
    item.full_clean()
    item.save()
    audit.record(
        item,
        actor=actor,
        action=AuditEvent.Action.CREATE,
        summary=f"交办督办事项：{item.assignee_name}，{deadline:%Y-%m-%d} 前",
    )
    return item


@transaction.atomic
def reply_action_item(item: ActionItem, *, actor, text: str, photos=()) -> ActionItemReply:
    """open → replied: the street office says what was done, with photos."""
    if not can_reply_item(actor, item):
        refuse("只有责任街道办事处的工作人员可以回复督办事项")
    text = clean_text(text)
    if not text:
        raise ValidationError({"text": "请填写办理情况"})
    if len(text) > 4000:
        raise ValidationError({"text": "办理情况不超过 4000 字"})
    checked = photo_files.check_uploads(photos)
    audit.transition(
        item,
        validate_constraints=False,
        actor=actor,
        allowed_from=(ActionItem.Status.OPEN,),
        to=ActionItem.Status.REPLIED,
        summary="回复督办事项",
    )
    reply = ActionItemReply.objects.create(item=item, text=text, replied_by=actor)
    _store_photos(checked, actor=actor, reply=reply)
    return reply


def _settle_reply(item, outcome, note):
    reply = item.replies.filter(outcome=ActionItemReply.Outcome.PENDING).order_by("-pk").first()
    if reply is not None:
        reply.outcome, reply.outcome_note = outcome, note
        reply.save(update_fields=["outcome", "outcome_note"])


@transaction.atomic
def close_action_item(item: ActionItem, *, actor, note: str = "") -> ActionItem:
    """open/replied → closed, by the HQ office."""
    if not can_manage_cycle(actor):
        refuse("只有指挥部办公室可以确认办结")
    note = clean_text(note)[:500]
    item = audit.transition(
        item,
        validate_constraints=False,
        actor=actor,
        allowed_from=(ActionItem.Status.OPEN, ActionItem.Status.REPLIED),
        to=ActionItem.Status.CLOSED,
        summary="确认督办事项办结",
        closed_by=actor,
        closed_at=timezone.now(),
        hq_note=note,
    )
    _settle_reply(item, ActionItemReply.Outcome.ACCEPTED, note)
    return item


@transaction.atomic
def send_back_action_item(item: ActionItem, *, actor, note: str) -> ActionItem:
    """replied → open: HQ is not satisfied with the reply and says why."""
    if not can_manage_cycle(actor):
        refuse("只有指挥部办公室可以退回督办事项")
    note = clean_text(note)
    if not note:
        raise ValidationError({"note": "请填写退回意见"})
    item = audit.transition(
        item,
        validate_constraints=False,
        actor=actor,
        allowed_from=(ActionItem.Status.REPLIED,),
        to=ActionItem.Status.OPEN,
        summary=f"退回督办事项：{note}",
        hq_note=note[:500],
    )
    _settle_reply(item, ActionItemReply.Outcome.SENT_BACK, note[:500])
    return item


@transaction.atomic
def reopen_action_item(item: ActionItem, *, actor, note: str) -> ActionItem:
    """closed → open: HQ reopens an item closed too early."""
    if not can_manage_cycle(actor):
        refuse("只有指挥部办公室可以重新打开督办事项")
    note = clean_text(note)
    if not note:
        raise ValidationError({"note": "请填写重新打开的原因"})
    return audit.transition(
        item,
        validate_constraints=False,
        actor=actor,
        allowed_from=(ActionItem.Status.CLOSED,),
        to=ActionItem.Status.OPEN,
        summary=f"重新打开督办事项：{note}",
        closed_by=None,
        closed_at=None,
        hq_note=note[:500],
    )


# --- the issued meeting pack ----------------------------------------------------------
@transaction.atomic
def issue_pack(meeting: Meeting, *, actor, request_key: str) -> MeetingPack:
    """Queue a new numbered version of ``meeting``'s pack. One click, one pack: a second
    request with the same ``request_key`` (a double submit, a retried request) returns the
    pack the first one made."""
    if not can_manage_cycle(actor):
        refuse("只有指挥部办公室可以印发例会材料")
    request_key = clean_text(request_key)
    if not request_key or len(request_key) > 64:
        raise ValidationError({"request_key": "请求标识无效，请刷新页面后重试"})
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    existing = MeetingPack.objects.filter(request_key=request_key).first()
    if existing is not None:
        if existing.meeting_id != meeting.pk:
            raise ValidationError({"request_key": "请求标识已被使用，请刷新页面后重试"})
        return existing
    version = (meeting.packs.aggregate(n=Max("version"))["n"] or 0) + 1
    try:
        with transaction.atomic():
            pack = MeetingPack.objects.create(
                meeting=meeting, version=version, request_key=request_key, requested_by=actor
            )
    except IntegrityError:
        # Two requests with one key at the same instant: the unique key decides.
        return MeetingPack.objects.get(request_key=request_key)
    audit.record(
        pack,
        actor=actor,
        action=AuditEvent.Action.CREATE,
        summary=f"印发{meeting}例会材料（第 {version} 版）",
    )
    from estates.outbox import enqueue_on_commit
    from reports.tasks import build_meeting_pack

    # A sick broker leaves the pack queued (the page says so) instead of failing the request.
    enqueue_on_commit(build_meeting_pack, pack.pk)
    return pack


def _progress(pack_id, progress, step):
    MeetingPack.objects.filter(pk=pack_id).update(progress=progress, step=step)


def run_pack_job(pack_id: int) -> MeetingPack:
    """Compile, freeze and render a queued pack. A job runs once: a pack that is not
    queued (running elsewhere, done, failed) is left as it is."""
    from reports import meeting_pack

    with transaction.atomic():
        pack = MeetingPack.objects.select_for_update().select_related("meeting").get(pk=pack_id)
        if pack.status != MeetingPack.Status.QUEUED:
            return pack
        pack.status, pack.started_at = MeetingPack.Status.RUNNING, timezone.now()
        pack.progress, pack.step = 5, "汇总数据"
        pack.save(update_fields=["status", "started_at", "progress", "step"])
    try:
        compiled_at = timezone.now()
        content = meeting_pack.compile_content(pack.meeting, version=pack.version, at=compiled_at)
        _progress(pack_id, 35, "生成 Excel")
        xlsx = meeting_pack.render_xlsx(content)
        _progress(pack_id, 60, "生成 PDF")
        pdf = meeting_pack.render_pdf(content)
        _progress(pack_id, 90, "保存文件")
    except Exception as exc:  # the user sees the job failed; the log has the detail
        logger.exception("meeting pack %s failed", pack_id)
        MeetingPack.objects.filter(pk=pack_id).update(
            status=MeetingPack.Status.FAILED,
            finished_at=timezone.now(),
            error=f"生成失败：{type(exc).__name__}",
        )
        pack.refresh_from_db()
        return pack
    with transaction.atomic():
        pack = MeetingPack.objects.select_for_update().get(pk=pack_id)
        pack.xlsx.save(f"{pack.basename}.xlsx", ContentFile(xlsx), save=False)
        pack.pdf.save(f"{pack.basename}.pdf", ContentFile(pdf), save=False)
        pack.xlsx_sha256 = hashlib.sha256(xlsx).hexdigest()
        pack.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
        pack.content, pack.content_sha256 = content, checksum(content)
        pack.compiled_at = compiled_at
        pack.status, pack.progress, pack.step = MeetingPack.Status.DONE, 100, "已完成"
        pack.finished_at = timezone.now()
        pack.save()
        audit.record(
            pack,
            actor=pack.requested_by,
            action=AuditEvent.Action.TRANSITION,
            summary=f"例会材料第 {pack.version} 版已生成（PDF {pack.pdf_sha256[:12]}…）",
        )
    return pack
