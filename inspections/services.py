"""State changes of patrols, hazards, quality inspections and the missed-patrol register.

Each function is atomic, takes the acting user as ``actor=``, writes its audit event in
the same transaction and refuses an illegal move with a ``ValidationError`` naming the
field. The pages, the API, the management command and the Celery task all come here."""

import functools
from dataclasses import dataclass
from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import DateField, Exists, OuterRef, Q, Value
from django.urls import reverse
from django.utils import timezone

from estates import audit
from estates import photos as photo_files
from estates.guards import ensure_estate_writable, ensure_writable, require
from estates.models import STREET_ROLES, AuditEvent, Estate, Message, Topic, User
from estates.notify import notify
from estates.scoping import company_estate_ids
from inspections.models import (
    CHECKLIST_FIELDS,
    Hazard,
    MissedPatrol,
    MissedPatrolRun,
    PatrolAmendment,
    PatrolRecord,
    Photo,
    QualityInspection,
    QualityRequirement,
)
from works.models import Company, Contract
from works.queries import estates_under_construction, works_in_progress

#: What a clerk writes on a patrol record (and may later correct by an amendment).
PATROL_FIELDS = ("time", "patrollers", "contractor_staff", *CHECKLIST_FIELDS, "findings")
HAZARD_FIELDS = ("category", "severity", "description", "location", "deadline")


# --- who may do what ------------------------------------------------------------------
def can_file_patrol(user, estate: Estate | None = None) -> bool:
    """Street staff file patrols, for their own street office's compounds only."""
    if estate is None:
        return bool(user.is_street_staff)
    return user.owns_street_office(estate.community.street_office_id)


def can_amend_patrol(user, record: PatrolRecord) -> bool:
    return user.owns_street_office(record.street_office_id)


def can_report_hazard(user, estate: Estate | None = None) -> bool:
    return can_file_patrol(user, estate)


#: Each move of a hazard: the state it starts from and who may make it.
HAZARD_MOVES = {
    "notify": Hazard.Status.OPEN,
    "rectify": Hazard.Status.NOTIFIED,
    "confirm": Hazard.Status.RECTIFIED,
    "reinspect": Hazard.Status.RECTIFIED,
    "close": Hazard.Status.VERIFIED,
}


def hazard_movers_q(user, move: str) -> Q:
    """The hazards ``user`` may move by ``move``, as a filter: the one rule that the
    services, the pages, the API and the to-do list all read.

    The street office pushes its own hazards and HQ office staff may step in; the
    contractor records its own rectification; a supervision engineer may confirm a
    rectification on the compounds the firm supervises before the re-inspection; only HQ
    (office or quality inspector) closes a hazard off (销号)."""
    nothing = Q(pk__in=[])
    if user is None or not user.is_authenticated or not user.is_active:
        return nothing
    if move == "confirm":
        if user.is_supervisor and user.company_id:
            return Q(
                estate_id__in=company_estate_ids(user.company_id), supervisor_confirmed_at=None
            )
        return nothing
    if move == "close":
        # HQ closes off (销号) once the street office's re-inspection passed: the office
        # or its quality inspector signs off, so no street office closes its own case
        # with nobody else involved (HQ supervises safety and quality; DOMAIN.md).
        return Q() if (user.is_hq_staff or user.is_inspector) else nothing
    if user.is_hq_staff:
        return Q()
    if user.is_street_staff and user.street_office_id:
        return Q(street_office_id=user.street_office_id)
    if move == "rectify" and user.is_contractor and user.company_id:
        return Q(contractor_id=user.company_id)
    return nothing


def can_move_hazard(user, hazard: Hazard, move: str | None = None) -> bool:
    """Whether ``user`` may make ``move`` (default: the move its state is waiting for)."""
    move = move or next_hazard_move(hazard, user)
    if move is None:
        return False
    return Hazard.objects.filter(hazard_movers_q(user, move), pk=hazard.pk).exists()


def next_hazard_move(hazard: Hazard, user=None) -> str | None:
    """The move a hazard's state waits for; for a supervision engineer a rectified hazard
    waits for their confirmation."""
    if user is not None and user.is_authenticated and user.is_supervisor:
        return "confirm" if hazard.status == Hazard.Status.RECTIFIED else None
    return next(
        (m for m, state in HAZARD_MOVES.items() if state == hazard.status and m != "confirm"), None
    )


def can_inspect_quality(user) -> bool:
    return bool(user.is_inspector or user.is_hq_staff)


def quality_movers_q(user, move: str) -> Q:
    """The quality inspections ``user`` may move by ``move`` (``respond``: answer HQ's
    feedback; ``recheck``: HQ's re-check), as a filter read by the services and the to-do
    list alike. The street office answers; so may the companies working on the compound
    (their own account of the rectification). HQ's inspectors and office staff re-check."""
    nothing = Q(pk__in=[])
    if user is None or not user.is_authenticated or not user.is_active:
        return nothing
    if move == "recheck":
        return Q() if can_inspect_quality(user) else nothing
    if user.is_street_staff and user.street_office_id:
        return Q(street_office_id=user.street_office_id)
    if user.is_company_staff and user.company_id:
        return Q(estate_id__in=company_estate_ids(user.company_id))
    return nothing


def can_respond_quality(user, inspection: QualityInspection) -> bool:
    return QualityInspection.objects.filter(
        quality_movers_q(user, "respond"), pk=inspection.pk
    ).exists()


def can_recheck_quality(user, inspection: QualityInspection | None = None) -> bool:
    return can_inspect_quality(user)


# --- helpers --------------------------------------------------------------------------
def _store_photos(checked, *, actor, estate, kind, **owner) -> list[Photo]:
    return [
        Photo.objects.create(
            estate=estate,
            kind=kind,
            file=photo_files.store(item, "inspections"),
            width=item.width,
            height=item.height,
            uploaded_by=actor,
            **owner,
        )
        for item in checked
    ]


def _require_value(value, field, message):
    if value in (None, "") or (isinstance(value, str) and not value.strip()):
        raise ValidationError({field: message})


@dataclass(frozen=True)
class RecheckLoop:
    """One re-check loop: the state waiting for the re-check, where a pass and a failure
    lead, the note's field, the failure counter, and what each outcome also sets."""

    waiting: str
    passed_to: str
    failed_to: str
    note_field: str
    counter: str
    passed_stamp: str
    passed_summary: str = "复查合格"
    cleared_on_failure: tuple = ()


def _recheck(obj, loop: RecheckLoop, *, actor, passed: bool, note: str, new_deadline):
    """The re-check loop shared by hazards (street office's 复查) and quality feedback
    (HQ's 复查): from ``loop.waiting``, a pass moves on and stamps its time; a failure sends
    the case back with a new deadline and adds one to ``loop.counter``, incremented with
    ``F()`` in the locked transition (``audit.transition``), so concurrent re-checks count
    each failure exactly once."""
    _require_value(note, loop.note_field, "请填写复查意见")
    note_value = {loop.note_field: note.strip()}
    if passed:
        return audit.transition(
            obj,
            actor=actor,
            allowed_from=(loop.waiting,),
            to=loop.passed_to,
            summary=loop.passed_summary,
            **{loop.passed_stamp: timezone.now()},
            **note_value,
        )
    _require_value(new_deadline, "new_deadline", "复查不合格时请重新确定整改期限")
    if new_deadline < timezone.localdate():
        raise ValidationError({"new_deadline": "新的整改期限不能早于今天"})
    return audit.transition(
        obj,
        actor=actor,
        allowed_from=(loop.waiting,),
        to=loop.failed_to,
        summary="复查不合格，退回重新整改",
        increment=(loop.counter,),
        deadline=new_deadline,
        **dict.fromkeys(loop.cleared_on_failure),
        **note_value,
    )


HAZARD_RECHECK = RecheckLoop(
    waiting=Hazard.Status.RECTIFIED,
    passed_to=Hazard.Status.VERIFIED,
    failed_to=Hazard.Status.NOTIFIED,
    note_field="reinspection_note",
    counter="reinspection_failures",
    passed_stamp="verified_at",
    # The next round starts afresh: a new rectification, confirmed again by supervision.
    cleared_on_failure=("rectified_at", "supervisor_confirmed_at", "supervisor_confirmed_by"),
)
QUALITY_RECHECK = RecheckLoop(
    waiting=QualityInspection.Status.RESPONDED,
    passed_to=QualityInspection.Status.CLOSED,
    failed_to=QualityInspection.Status.SENT,
    note_field="recheck_note",
    counter="recheck_failures",
    passed_stamp="closed_at",
    passed_summary="复查合格，整改闭环",
)


# --- who is told (站内消息, sent in the same transaction as the change) --------------------
def company_people(company_ids):
    """The active accounts of the companies ``company_ids`` (their site managers or
    supervision engineers), in one query, each with its ``company_account`` loaded, so a
    caller can group them by ``user.company_account.company_id``."""
    ids = [pk for pk in company_ids if pk is not None]
    return User.objects.filter(is_active=True, company_account__company_id__in=ids).select_related(
        "company_account"
    )


def people_by_company(company_ids) -> dict:
    """``{company_id: [user, ...]}`` of ``company_people`` (one query)."""
    grouped = {}
    for user in company_people(company_ids):
        grouped.setdefault(user.company_account.company_id, []).append(user)
    return grouped


def company_ids_of(estate):
    """The contractors and supervision firms of the compound's live contracts."""
    rows = Contract.objects.filter(
        package__package_items__works_item__estate=estate, package__package_items__is_active=True
    ).values_list("contractor_id", "supervisor_id")
    return {company for row in rows for company in row}


def street_people(street_office_id):
    return User.objects.filter(
        is_active=True, role__in=STREET_ROLES, street_office_id=street_office_id
    )


def _tell(users, hazard_or_inspection, *, topic, kind, title, body=""):
    if isinstance(hazard_or_inspection, Hazard):
        link = reverse("inspections:hazard-detail", args=[hazard_or_inspection.pk])
    else:
        link = reverse("inspections:quality-detail", args=[hazard_or_inspection.pk])
    notify(users, topic=topic, kind=kind, title=title, body=body, link=link)


def _tell_contractor(hazard, *, title, body):
    """Assign the hazard's rectification to the people of the contractor it was notified to."""
    _tell(
        company_people([hazard.contractor_id]),
        hazard,
        topic=Topic.HAZARD,
        kind=Message.Kind.ASSIGNED,
        title=title,
        body=body,
    )


def patrol_url(record_pk) -> str:
    return reverse("inspections:patrol-detail", args=[record_pk])


class DuplicatePatrol(ValidationError):
    """A second record for a compound and day; ``existing`` is the record already filed."""

    def __init__(self, existing: PatrolRecord):
        self.existing = existing
        super().__init__(
            {
                "estate": ValidationError(
                    f"{existing.estate.name} {existing.date:%Y-%m-%d} 的巡查记录已经提交"
                    f"（{existing.filed_by} {timezone.localtime(existing.filed_at):%H:%M}），"
                    f"不能重复填报；如需更正请在该记录上提交更正：{patrol_url(existing.pk)}",
                    code="duplicate",
                )
            }
        )


# --- patrols --------------------------------------------------------------------------
def for_filing(on: date):
    """The compounds as a filing reads one, in one query: its community (the street
    office accountable, and the page's crumbs), ``archived_at``, ``due`` (a works item in
    progress on ``on``, so a patrol is due: the rule of
    ``works.queries.estates_under_construction``, whose other condition, not archived,
    the filing checks first with its own message) and ``filing_day`` (``on``). The caller
    scopes it (``visible_to``). A caller that looks the compound up anyway (the API's
    ``estate`` field, the filing form's page) reads it from here and hands it to
    ``file_patrol``, which then does not read it again."""
    return _filing_read(on).all()


@functools.lru_cache(maxsize=2)
def _filing_read(on: date):
    # Built once a day per process (callers get a clone): resolving the annotation's
    # subquery cost about as much as running the query.
    return Estate.objects.select_related("community").annotate(
        due=works_in_progress(on), filing_day=Value(on, output_field=DateField())
    )


def file_patrol(*, actor, estate: Estate, values: dict, photos=(), hazards=()) -> PatrolRecord:
    """File today's patrol of ``estate`` with its photos and the hazards found.

    ``hazards`` is a list of dicts of ``HAZARD_FIELDS`` plus ``photos``. The record
    returned carries ``new_photos`` and ``new_hazards``: what this filing stored, so a
    caller can answer without reading them back.

    The one write every clerk makes every day, so it runs only the queries it needs: one
    read of the compound (``for_filing``; none when the caller passes the row it read
    from there today), then in one transaction the insert and its audit event (and the
    photos' and hazards' rows). Its ``archived_at`` is as fresh as ``ensure_writable``'s
    own read would be (neither locks the row). A second record for the day is refused by
    the unique constraint (no read beforehand), with the same message: the transaction
    is rolled back first and the record filed is read after, so the insert needs no
    savepoint of its own."""
    today = timezone.localdate()
    if getattr(estate, "filing_day", None) != today:
        estate = for_filing(today).get(pk=estate.pk)
    try:
        return _file_patrol(
            actor=actor, estate=estate, values=values, photos=photos, hazards=hazards, today=today
        )
    except IntegrityError:
        existing = (
            PatrolRecord.objects.select_related("estate", "filed_by")
            .filter(estate=estate, date=today)
            .first()
        )
        if existing is None:
            raise
        raise DuplicatePatrol(existing) from None


@transaction.atomic
def _file_patrol(*, actor, estate, values, photos, hazards, today) -> PatrolRecord:
    require(can_file_patrol(actor, estate), "只能为本街道办事处管辖的小区填报巡查记录")
    ensure_estate_writable(estate)
    if not estate.due:
        raise ValidationError({"estate": f"{estate.name} 今天不在施工期内，无需填报巡查记录"})
    # Everything is checked before the first write, so a refusal leaves no stored file.
    checked = photo_files.check_uploads(photos, field="photos")
    found = [
        (
            _new_hazard(actor=actor, estate=estate, patrol=None, values=hazard_values),
            photo_files.check_uploads(hazard_values.get("photos"), field="hazard_photos"),
        )
        for hazard_values in hazards
    ]
    record = PatrolRecord(
        estate=estate,
        street_office_id=estate.community.street_office_id,
        date=today,
        filed_by=actor,
        **{k: v for k, v in values.items() if k in PATROL_FIELDS},
    )
    if record.time is None:
        record.time = timezone.localtime().time().replace(second=0, microsecond=0)
    # The foreign keys were just read (the compound, its street office, the actor): no
    # need for full_clean to look each of them up again; the one-per-day rule is the
    # constraint's, at the insert.
    record.full_clean(exclude=["estate", "street_office", "filed_by"], validate_constraints=False)
    record.save()
    audit.record(
        record,
        actor=actor,
        action=AuditEvent.Action.CREATE,
        summary=f"填报 {today:%Y-%m-%d} 巡查记录，发现隐患 {len(hazards)} 处",
    )
    record.new_photos = _store_photos(
        checked, actor=actor, estate=estate, kind=Photo.Kind.PATROL, patrol=record
    )
    record.new_hazards = []
    for hazard, checked_hazard_photos in found:
        hazard.patrol = record
        record.new_hazards.append(
            _save_hazard(hazard, actor=actor, checked_photos=checked_hazard_photos)
        )
    return record


def corrected_values(record: PatrolRecord) -> dict:
    """The record's values after its amendments, in order (the original is unchanged)."""
    values = {name: getattr(record, name) for name in PATROL_FIELDS}
    for amendment in record.amendments.all():
        for name, change in amendment.changes.items():
            values[name] = change["value"]
    return values


def _display(record, name, value):
    field = PatrolRecord._meta.get_field(name)
    if field.choices:
        return dict(field.choices).get(value, value)
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return "" if value is None else str(value)


@transaction.atomic
def amend_patrol(record: PatrolRecord, *, actor, reason: str, values: dict) -> PatrolAmendment:
    """Correct a filed record: the amendment holds the reason and the corrected values;
    the record stays exactly as filed."""
    record = PatrolRecord.objects.select_for_update().get(pk=record.pk)
    require(can_amend_patrol(actor, record), "只有本街道办事处的工作人员可以更正巡查记录")
    ensure_writable(record.estate_id)
    reason = (reason or "").strip()
    _require_value(reason, "reason", "请填写更正原因")
    current = corrected_values(record)
    changes = {}
    for name, value in values.items():
        if name not in PATROL_FIELDS or value == current[name]:
            continue
        if isinstance(value, time):
            stored = value.strftime("%H:%M:%S")
            if stored == str(current[name]):
                continue
        else:
            stored = value
        changes[name] = {
            "label": str(PatrolRecord._meta.get_field(name).verbose_name),
            "old": _display(record, name, current[name]),
            "new": _display(record, name, value),
            "value": stored,
        }
    if not changes:
        raise ValidationError({"reason": "没有更正任何内容：请修改需要更正的项目"})
    if "patrollers" in changes and not str(changes["patrollers"]["value"]).strip():
        raise ValidationError({"patrollers": "巡查人员不能为空"})
    amendment = PatrolAmendment.objects.create(
        record=record, reason=reason, changes=changes, amended_by=actor
    )
    audit.record(
        record,
        actor=actor,
        action=AuditEvent.Action.AMEND,
        changes={
            k: {"label": v["label"], "old": v["old"], "new": v["new"]} for k, v in changes.items()
        },
        summary=f"更正：{reason}",
    )
    return amendment


# --- hazards --------------------------------------------------------------------------
def _new_hazard(*, actor, estate, patrol, values) -> Hazard:
    """A validated, unsaved hazard of ``estate`` (read by the caller) found by ``actor``."""
    hazard = Hazard(
        estate=estate,
        street_office_id=estate.community.street_office_id,
        patrol=patrol,
        reported_by=actor,
        **{k: v for k, v in values.items() if k in HAZARD_FIELDS},
    )
    # The compound, its street office, the actor and the patrol are rows the caller has
    # in hand: full_clean need not look each of them up again.
    hazard.full_clean(exclude=["estate", "street_office", "reported_by", "patrol"])
    if hazard.deadline is not None and hazard.deadline < timezone.localdate():
        raise ValidationError({"deadline": "整改期限不能早于今天"})
    return hazard


def _save_hazard(hazard, *, actor, checked_photos) -> Hazard:
    """Save a hazard validated by ``_new_hazard``, with its audit event and photos."""
    hazard.save()
    audit.record(
        hazard,
        actor=actor,
        action=AuditEvent.Action.CREATE,
        summary=f"发现{hazard.get_severity_display()}：{hazard.get_category_display()}",
    )
    _store_photos(
        checked_photos, actor=actor, estate=hazard.estate, kind=Photo.Kind.HAZARD, hazard=hazard
    )
    return hazard


def _create_hazard(*, actor, estate, patrol, values, checked_photos):
    hazard = _new_hazard(actor=actor, estate=estate, patrol=patrol, values=values)
    return _save_hazard(hazard, actor=actor, checked_photos=checked_photos)


@transaction.atomic
def report_hazard(*, actor, patrol: PatrolRecord, values: dict, photos=()) -> Hazard:
    """Add a hazard found on a filed patrol (a record may carry any number)."""
    patrol = PatrolRecord.objects.select_related("estate__community").get(pk=patrol.pk)
    require(can_report_hazard(actor, patrol.estate), "只有本街道办事处的工作人员可以报告隐患")
    ensure_writable(patrol.estate_id)
    checked = photo_files.check_uploads(photos, field="photos")
    return _create_hazard(
        actor=actor, estate=patrol.estate, patrol=patrol, values=values, checked_photos=checked
    )


def _check_hazard_actor(actor, hazard, move):
    require(can_move_hazard(actor, hazard, move), "您不能对该隐患进行这一步操作")
    ensure_writable(hazard.estate_id)


@transaction.atomic
def notify_hazard(
    hazard: Hazard,
    *,
    actor,
    contractor: Company,
    notified_person: str,
    notified_via: str,
    deadline: date,
    notified_at: datetime | None = None,
) -> Hazard:
    """open → notified: the contractor was told (who, how, when) and given a deadline."""
    _check_hazard_actor(actor, hazard, "notify")
    if contractor is None:
        raise ValidationError({"contractor": "请选择告知的施工单位"})
    if contractor.role != Company.Role.CONTRACTOR or not contractor.is_active:
        raise ValidationError({"contractor": "请选择有效的施工单位"})
    _require_value(notified_person, "notified_person", "请填写被告知人")
    _require_value(notified_via, "notified_via", "请选择告知方式")
    _require_value(deadline, "deadline", "请填写整改期限")
    notified_at = notified_at or timezone.now()
    if notified_at > timezone.now():
        raise ValidationError({"notified_at": "告知时间不能晚于现在"})
    if deadline < timezone.localdate(notified_at):
        raise ValidationError({"deadline": "整改期限不能早于告知日期"})
    hazard = audit.transition(
        hazard,
        actor=actor,
        allowed_from=(Hazard.Status.OPEN,),
        to=Hazard.Status.NOTIFIED,
        summary=f"已告知施工单位 {contractor.name}（{notified_person}）整改",
        contractor=contractor,
        notified_person=notified_person.strip(),
        notified_via=notified_via,
        notified_at=notified_at,
        deadline=deadline,
    )
    _tell_contractor(
        hazard,
        title=f"新的安全隐患待整改：{hazard.estate.name}",
        body=f"{hazard.get_category_display()}（{hazard.location}），整改期限 "
        f"{hazard.deadline:%Y年%-m月%-d日}。请整改后在系统中登记整改情况并上传照片。",
    )
    return hazard


@transaction.atomic
def record_rectification(hazard: Hazard, *, actor, note: str, photos=()) -> Hazard:
    """notified → rectified: what the contractor did, with a photo."""
    _check_hazard_actor(actor, hazard, "rectify")
    _require_value(note, "rectification_note", "请填写整改情况")
    checked = photo_files.check_uploads(photos, field="photos", required="请上传整改后的照片")
    hazard = audit.transition(
        hazard,
        actor=actor,
        allowed_from=(Hazard.Status.NOTIFIED,),
        to=Hazard.Status.RECTIFIED,
        summary="施工单位已整改，待复查",
        rectification_note=note.strip(),
        rectified_at=timezone.now(),
    )
    _store_photos(
        checked, actor=actor, estate=hazard.estate, kind=Photo.Kind.RECTIFICATION, hazard=hazard
    )
    _tell(
        street_people(hazard.street_office_id),
        hazard,
        topic=Topic.HAZARD,
        kind=Message.Kind.CHANGED,
        title=f"隐患已整改，待复查：{hazard.estate.name}",
        body=f"{hazard.get_category_display()}（{hazard.location}）：{hazard.rectification_note[:100]}",
    )
    return hazard


@transaction.atomic
def confirm_rectification(hazard: Hazard, *, actor, note: str) -> Hazard:
    """A supervision engineer confirms (or remarks on) a rectification before the street
    office re-inspects it. The state stays 已整改待复查; the confirmation is recorded once."""
    _check_hazard_actor(actor, hazard, "confirm")
    _require_value(note, "supervisor_note", "请填写监理确认意见")
    hazard = Hazard.objects.select_for_update().get(pk=hazard.pk)
    if hazard.status != Hazard.Status.RECTIFIED or hazard.supervisor_confirmed_at:
        raise ValidationError("该隐患当前不需要监理确认")
    hazard.supervisor_note = note.strip()
    hazard.supervisor_confirmed_at = timezone.now()
    hazard.supervisor_confirmed_by = actor
    hazard.full_clean()
    hazard.save(
        update_fields=["supervisor_note", "supervisor_confirmed_at", "supervisor_confirmed_by"]
    )
    audit.record(hazard, actor=actor, action=AuditEvent.Action.UPDATE, summary="监理已确认整改")
    return hazard


@transaction.atomic
def reinspect_hazard(
    hazard: Hazard, *, actor, passed: bool, note: str, new_deadline: date | None = None
) -> Hazard:
    """rectified → verified (复查合格), or back to notified with a new deadline."""
    _check_hazard_actor(actor, hazard, "reinspect")
    hazard = _recheck(
        hazard,
        HAZARD_RECHECK,
        actor=actor,
        passed=passed,
        note=note,
        new_deadline=new_deadline,
    )
    if passed:
        return hazard
    _tell_contractor(
        hazard,
        title=f"隐患复查不合格，请重新整改：{hazard.estate.name}",
        body=f"复查意见：{hazard.reinspection_note[:100]}；"
        f"新的整改期限 {hazard.deadline:%Y年%-m月%-d日}。",
    )
    return hazard


@transaction.atomic
def close_hazard(hazard: Hazard, *, actor) -> Hazard:
    """verified → closed (销号)."""
    _check_hazard_actor(actor, hazard, "close")
    return audit.transition(
        hazard,
        actor=actor,
        allowed_from=(Hazard.Status.VERIFIED,),
        to=Hazard.Status.CLOSED,
        summary="隐患销号",
        closed_at=timezone.now(),
    )


# --- quality inspections --------------------------------------------------------------
@transaction.atomic
def record_quality_inspection(
    *,
    actor,
    estate: Estate,
    values: dict,
    requirements=(),
    photos=(),
) -> QualityInspection:
    """HQ records an inspection; with required rectifications it is sent as feedback
    (status sent, deadline the earliest requirement's), without it is closed."""
    require(can_inspect_quality(actor), "只有指挥部质量检查员或指挥部办公室可以录入质量检查")
    estate = Estate.objects.with_org().get(pk=estate.pk)
    ensure_writable(estate.pk)
    works_item = values.get("works_item")
    if works_item is not None and works_item.estate_id != estate.pk:
        raise ValidationError({"works_item": "所选工程项目不属于该小区"})
    contractor = values.get("contractor")
    if contractor is not None and contractor.role != Company.Role.CONTRACTOR:
        raise ValidationError({"contractor": "请选择施工单位"})
    requirements = [(d.strip(), dl) for d, dl in requirements if d and d.strip()]
    for description, deadline in requirements:
        if deadline is None:
            raise ValidationError({"requirements": f"整改要求「{description}」缺少整改期限"})
    if values.get("rating") == QualityInspection.Rating.FAIL and not requirements:
        raise ValidationError({"requirements": "评定为不合格时须提出整改要求"})
    checked = photo_files.check_uploads(photos, field="photos")
    inspection = QualityInspection(
        estate=estate,
        street_office_id=estate.community.street_office_id,
        works_item=works_item,
        inspected_on=values.get("inspected_on") or timezone.localdate(),
        inspector=actor,
        contractor=contractor,
        findings=values.get("findings", ""),
        rating=values.get("rating", ""),
        status=QualityInspection.Status.SENT if requirements else QualityInspection.Status.CLOSED,
        deadline=min((dl for _, dl in requirements), default=None),
    )
    if inspection.inspected_on > timezone.localdate():
        raise ValidationError({"inspected_on": "检查日期不能晚于今天"})
    if inspection.status == QualityInspection.Status.CLOSED:
        inspection.closed_at = timezone.now()
    inspection.full_clean()
    inspection.save()
    QualityRequirement.objects.bulk_create(
        QualityRequirement(inspection=inspection, description=d[:200], deadline=dl)
        for d, dl in requirements
    )
    audit.record(
        inspection,
        actor=actor,
        action=AuditEvent.Action.CREATE,
        summary=f"质量检查（{inspection.get_rating_display()}），整改要求 {len(requirements)} 项",
    )
    _store_photos(
        checked, actor=actor, estate=estate, kind=Photo.Kind.QUALITY, inspection=inspection
    )
    if requirements:
        companies = company_people(company_ids_of(estate)).select_related(None)
        _tell(
            street_people(inspection.street_office_id).union(companies),
            inspection,
            topic=Topic.QUALITY,
            kind=Message.Kind.ASSIGNED,
            title=f"质量反馈待整改：{estate.name}",
            body=f"指挥部质量检查提出整改要求 {len(requirements)} 项，最早期限 "
            f"{inspection.deadline:%Y年%-m月%-d日}。",
        )
    return inspection


@transaction.atomic
def respond_quality(inspection: QualityInspection, *, actor, note: str) -> QualityInspection:
    """sent → responded: the street office reports what the contractor rectified."""
    require(
        can_respond_quality(actor, inspection), "只有该小区所属街道办事处的工作人员可以回复整改情况"
    )
    ensure_writable(inspection.estate_id)
    _require_value(note, "response_note", "请填写整改回复")
    return audit.transition(
        inspection,
        actor=actor,
        allowed_from=(QualityInspection.Status.SENT,),
        to=QualityInspection.Status.RESPONDED,
        summary="街道办事处回复整改情况",
        response_note=note.strip(),
        responded_at=timezone.now(),
    )


@transaction.atomic
def recheck_quality(
    inspection: QualityInspection,
    *,
    actor,
    passed: bool,
    note: str,
    new_deadline: date | None = None,
) -> QualityInspection:
    """responded → closed when HQ's re-check passes, else back to sent with a deadline."""
    require(can_recheck_quality(actor, inspection), "只有指挥部质量检查员或指挥部办公室可以复查")
    ensure_writable(inspection.estate_id)
    return _recheck(
        inspection,
        QUALITY_RECHECK,
        actor=actor,
        passed=passed,
        note=note,
        new_deadline=new_deadline,
    )


# --- the missed-patrol register -------------------------------------------------------
@transaction.atomic
def record_missed_patrols(day: date, *, actor=None) -> MissedPatrolRun:
    """Register every compound under construction on ``day`` without a filed record.

    Only days that are over (before today): today's patrols may still be filed.
    Idempotent: misses already registered are left as they are; weekends count like
    any day (the source requires a patrol every day)."""
    if day >= timezone.localdate():
        raise ValidationError({"date": f"{day:%Y-%m-%d} 尚未结束，只能登记已过去日期的未巡查情况"})
    due = estates_under_construction(day)
    missing = (
        due.annotate(
            filed=Exists(PatrolRecord.objects.filter(estate=OuterRef("pk"), date=day)),
            registered=Exists(MissedPatrol.objects.filter(estate=OuterRef("pk"), date=day)),
        )
        .filter(filed=False, registered=False)
        .values_list("pk", "community__street_office_id")
    )
    now = timezone.now()
    rows = [
        MissedPatrol(estate_id=pk, street_office_id=street_id, date=day, recorded_at=now)
        for pk, street_id in missing
    ]
    # ignore_conflicts: two runs racing for the same day register each miss once.
    MissedPatrol.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    run = MissedPatrolRun.objects.create(
        date=day, due=due.count(), created=len(rows), actor=actor, ran_at=now
    )
    audit.record(
        run,
        actor=actor,
        action=AuditEvent.Action.CREATE,
        summary=f"登记 {day:%Y-%m-%d} 未巡查 {len(rows)} 个小区（应巡查 {run.due} 个）",
    )
    return run
