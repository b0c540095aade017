"""State changes of completion acceptance (工程竣工验收单): opening a form, filling in a
round, the two leads' signatures, submission to HQ, HQ's pass or fail with
rectifications, recording fixes and opening the next round.

Like ``works.services`` (and kept beside it so that module stays about progress and
tendering): each function is atomic, takes the acting user as ``actor=``, writes its
audit event in the same transaction, refuses a forbidden actor with ``PermissionDenied``
and a bad value or an illegal move with a ``ValidationError`` naming the field. Passing
a form is the only way a works item becomes accepted."""

import hashlib
import json
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone

from estates import audit, photos
from estates.guards import ensure_writable, require
from estates.models import AuditEvent, Estate
from works import services
from works.models import (
    AcceptanceForm,
    AcceptanceItem,
    AcceptancePhoto,
    AcceptanceRectification,
    AcceptanceRound,
    AcceptanceSignature,
    AcceptanceStatusChange,
    EstateWorksItem,
    TenderPackageItem,
)

Status = AcceptanceForm.Status
ItemStatus = EstateWorksItem.Status
Slot = AcceptanceSignature.Slot
Result = AcceptanceItem.Result
Action = AuditEvent.Action

#: Round fields the street office fills in (everything else is fixed at opening).
ROUND_FIELDS = (
    "acceptance_date",
    "takeover_opinion",
    "street_participants",
    "community_participants",
    "contractor_participants",
    "supervisor_participants",
)
ITEM_FIELDS = ("done_quantity", "result", "note")
MAX_RECTIFICATIONS = 50
MAX_PHOTOS_PER_ROUND = 24


# --- who may do what ---------------------------------------------------------------------
def can_prepare(user, estate) -> bool:
    """Open, fill in, send for signatures, submit, record fixes, open the next round: the
    compound's own street office (which organises the takeover acceptance)."""
    return user.owns_street_office(estate.community.street_office_id)


def can_record_fix(user, rectification) -> bool:
    """The compound's street office records a fix; so does the contractor of the
    rectified works item's contract, with its own account."""
    if can_prepare(user, rectification.round.form.estate):
        return True
    return bool(
        user.is_contractor
        and user.company_id
        and rectification.works_item.package_items.filter(
            is_active=True, package__contract__contractor_id=user.company_id
        ).exists()
    )


def can_decide(user) -> bool:
    """HQ's inspection acceptance: an HQ inspector or HQ office staff."""
    return user.is_hq_staff or user.is_inspector


def signature_slot(user, estate) -> str | None:
    """The signature box ``user`` signs for ``estate``, or None: the lead of the compound's
    street office, or the lead of the compound's own community."""
    if user.role == Slot.STREET and user.owns_street_office(estate.community.street_office_id):
        return Slot.STREET
    if user.role == Slot.COMMUNITY and user.owns_community(estate.community_id):
        return Slot.COMMUNITY
    return None


# --- reading -----------------------------------------------------------------------------
def rounds_of(form):
    """Every round of a form, newest first, with what a page or the PDF shows of each."""
    return (
        AcceptanceRound.objects.filter(form=form)
        .select_related("submitted_by", "decided_by")
        .prefetch_related(
            "items",
            "photos",
            Prefetch(
                "signatures",
                queryset=AcceptanceSignature.objects.order_by("signed_at", "id"),
            ),
            Prefetch(
                "rectifications",
                queryset=AcceptanceRectification.objects.select_related(
                    "works_item__works_item", "fixed_by"
                ),
            ),
        )
        .order_by("-number")
    )


def current_round(form) -> AcceptanceRound:
    """The latest round (read from the rows, so a stale ``form`` object still answers)."""
    return AcceptanceRound.objects.filter(form=form).order_by("-number").first()


def live_signatures(round_):
    return round_.signatures.filter(voided_at__isnull=True)


def fingerprint(round_) -> str:
    """sha256 of everything a round says: the compound, the round number, the fields the
    street office filled in, every item row and the photos. Any change changes it."""
    form = round_.form
    content = {
        "estate": [form.estate_id, form.estate.name],
        "round": round_.number,
        **{name: str(getattr(round_, name) or "") for name in ROUND_FIELDS},
        "items": [
            [
                item.works_item_id,
                item.number,
                item.name,
                str(item.planned_quantity),
                str(item.done_quantity),
                item.unit,
                item.contractor_name,
                item.supervisor_name,
                item.result,
                item.note,
            ]
            for item in AcceptanceItem.objects.filter(round=round_).order_by("number", "id")
        ],
        "photos": sorted(
            AcceptancePhoto.objects.filter(round=round_).values_list("file", flat=True)
        ),
    }
    data = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(data.encode()).hexdigest()


# --- internals ---------------------------------------------------------------------------
def _locked_form(form) -> AcceptanceForm:
    return (
        AcceptanceForm.objects.select_for_update()
        .select_related("estate__community__street_office")
        .get(pk=form.pk)
    )


def _move(form, to, *, actor, summary, changes=None):
    """Set the form's status, append the status history row and the audit event: the one
    path of every move of a form."""
    now = timezone.now()
    before = audit.snapshot(form, ["status", "round_number"])
    form.status, form.status_changed_at = to, now
    if to == Status.PASSED:
        form.passed_at = now
    form.save()
    AcceptanceStatusChange.objects.create(
        form=form, round_number=form.round_number, status=to, at=now, actor=actor
    )
    audit.record(
        form,
        actor=actor,
        action=Action.TRANSITION,
        changes={**audit.diff(form, before), **(changes or {})},
        summary=summary,
    )
    return form


def _wrong_status(form, verb) -> ValidationError:
    return ValidationError({"status": f"验收单当前为「{form.get_status_display()}」，不能{verb}"})


def _contracts_by_item(estate):
    """{compound-item id: (contractor name, supervisor name)} of the active contracts."""
    rows = TenderPackageItem.objects.filter(
        works_item__estate=estate, is_active=True, package__contract__isnull=False
    ).values_list(
        "works_item_id",
        "package__contract__contractor__name",
        "package__contract__supervisor__name",
    )
    return {item_id: (contractor, supervisor) for item_id, contractor, supervisor in rows}


def _void_signatures(round_, *, reason):
    return live_signatures(round_).update(voided_at=timezone.now(), void_reason=reason[:200])


# --- opening -----------------------------------------------------------------------------
@transaction.atomic
def open_form(estate: Estate, *, actor) -> AcceptanceForm:
    """The street office opens the acceptance form of a compound whose approved scope is
    entirely completed; round 1 lists every applicable works item."""
    estate = Estate.objects.select_for_update().select_related("community").get(pk=estate.pk)
    require(can_prepare(actor, estate), "只有本街道办事处可以发起该小区的竣工验收")
    ensure_writable(estate.pk)
    if AcceptanceForm.objects.filter(estate=estate).exists():
        raise ValidationError({"estate": f"{estate.name}已有竣工验收单，请在原验收单上办理"})
    if services.scope_status(estate) != services.EstateScope.Status.APPROVED:
        raise ValidationError({"estate": f"{estate.name}的工程范围尚未经指挥部审定"})
    items = list(
        EstateWorksItem.objects.select_for_update()
        .filter(estate=estate, applicable=True)
        .select_related("works_item")
        .order_by("works_item__number")
    )
    if not items:
        raise ValidationError({"estate": f"{estate.name}没有需要实施的工程项目"})
    unfinished = [i for i in items if i.status != ItemStatus.COMPLETED]
    if unfinished:
        names = "、".join(
            f"{i.works_item.short_name}（{i.get_status_display()}）" for i in unfinished
        )
        raise ValidationError({"estate": f"以下工程项目尚未完工，不能发起竣工验收：{names}"})
    now = timezone.now()
    form = AcceptanceForm(estate=estate, opened_by=actor, opened_at=now, status_changed_at=now)
    try:
        with transaction.atomic():
            form.save()
    except IntegrityError as exc:  # opened concurrently
        raise ValidationError({"estate": f"{estate.name}已有竣工验收单"}) from exc
    round_ = AcceptanceRound.objects.create(form=form, number=1, created_at=now)
    companies = _contracts_by_item(estate)
    AcceptanceItem.objects.bulk_create(
        AcceptanceItem(
            round=round_,
            works_item=item,
            number=item.works_item.number,
            name=item.works_item.name,
            planned_quantity=item.quantity,
            done_quantity=item.quantity,
            unit=item.unit,
            contractor_name=companies.get(item.pk, ("", ""))[0],
            supervisor_name=companies.get(item.pk, ("", ""))[1],
        )
        for item in items
    )
    AcceptanceStatusChange.objects.create(
        form=form, round_number=1, status=Status.DRAFT, at=now, actor=actor
    )
    audit.record(
        form,
        actor=actor,
        action=Action.CREATE,
        summary=f"发起竣工验收：{estate.name}，{len(items)} 个工程项目",
    )
    return form


# --- filling in --------------------------------------------------------------------------
def _clean_done(value, label):
    try:
        value = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({"done_quantity": f"{label}：完成工程量须为数字"}) from None
    if not value.is_finite() or value < 0 or value >= Decimal("1e10"):
        raise ValidationError({"done_quantity": f"{label}：完成工程量须在 0 到 99 亿之间"})
    return value.quantize(Decimal("0.01"))


@transaction.atomic
def update_round(form: AcceptanceForm, *, actor, values: dict, items: dict | None = None) -> dict:
    """Change the current round's content (``values`` of ``ROUND_FIELDS``; ``items`` maps
    a works-item number to ``ITEM_FIELDS``). Allowed before submission; a change while
    awaiting signatures voids every signature given and returns the form to draft.
    Returns the changes (audited when non-empty)."""
    form = _locked_form(form)
    require(can_prepare(actor, form.estate), "只有本街道办事处可以填写验收单")
    ensure_writable(form.estate_id)
    if not form.is_open_for_street:
        raise _wrong_status(form, "修改（已报送的轮次不再改动，整改后发起新一轮）")
    round_ = AcceptanceRound.objects.select_for_update().get(form=form, number=form.round_number)
    before = audit.snapshot(round_, ROUND_FIELDS)
    for name, value in values.items():
        if name in ROUND_FIELDS:
            setattr(round_, name, value.strip() if isinstance(value, str) else value)
    if len(round_.takeover_opinion) > 1000:
        raise ValidationError({"takeover_opinion": "社区接管意见不超过 1000 字"})
    if round_.acceptance_date and round_.acceptance_date > timezone.localdate():
        raise ValidationError({"acceptance_date": "验收日期不能晚于今天"})
    round_.full_clean(exclude=["form"])
    changes = audit.diff(round_, before)
    rows = {row.number: row for row in AcceptanceItem.objects.filter(round=round_)}
    changed_rows = []
    for number, data in (items or {}).items():
        row = rows.get(int(number))
        if row is None:
            raise ValidationError({"items": f"第 {number} 项不在本验收单中"})
        label = f"第 {row.number} 项（{row.name[:12]}）"
        row_before = audit.snapshot(row, ITEM_FIELDS)
        if "done_quantity" in data and data["done_quantity"] not in (None, ""):
            row.done_quantity = _clean_done(data["done_quantity"], label)
        if "result" in data:
            if data["result"] not in Result.values:
                raise ValidationError({"result": f"{label}：验收结果只能是合格或不合格"})
            row.result = data["result"]
        if "note" in data:
            note = (data["note"] or "").strip()
            if len(note) > 200:
                raise ValidationError({"note": f"{label}：说明不超过 200 字"})
            row.note = note
        try:
            row.full_clean(exclude=["round", "works_item"])
        except ValidationError as exc:
            raise ValidationError({"items": f"{label}：{'；'.join(exc.messages)}"}) from exc
        row_changes = audit.diff(row, row_before)
        if row_changes:
            changed_rows.append(row)
            for name, change in row_changes.items():
                changes[f"item{row.number}_{name}"] = {
                    **change,
                    "label": f"第 {row.number} 项{change['label']}",
                }
    if not changes:
        return {}
    round_.save()
    for row in changed_rows:
        row.save()
    _after_change(form, round_, actor=actor, changes=changes, summary="修改验收单内容")
    return changes


def _after_change(form, round_, *, actor, changes, summary):
    """A change to a round's content: audit it, and void the signatures given so far."""
    voided = _void_signatures(round_, reason=f"签字后验收单内容被修改（{actor}）")
    if form.status == Status.AWAITING_SIGNATURES:
        _move(
            form,
            Status.DRAFT,
            actor=actor,
            summary=f"{summary}，已有签字作废，退回草稿" if voided else f"{summary}，退回草稿",
            changes=changes,
        )
    else:
        audit.record(form, actor=actor, action=Action.UPDATE, changes=changes, summary=summary)


@transaction.atomic
def add_photos(form: AcceptanceForm, *, actor, uploads, item_number: int | None = None) -> int:
    """Attach site photos to the current round (re-encoded; bad files refused by name).
    Like any change, it voids the signatures given so far."""
    form = _locked_form(form)
    require(can_prepare(actor, form.estate), "只有本街道办事处可以上传验收照片")
    ensure_writable(form.estate_id)
    if not form.is_open_for_street:
        raise _wrong_status(form, "上传照片")
    round_ = AcceptanceRound.objects.get(form=form, number=form.round_number)
    uploads = list(uploads)
    if round_.photos.count() + len(uploads) > MAX_PHOTOS_PER_ROUND:
        raise ValidationError({"photos": f"每轮验收最多 {MAX_PHOTOS_PER_ROUND} 张照片"})
    item = None
    if item_number:
        item = AcceptanceItem.objects.filter(round=round_, number=item_number).first()
        if item is None:
            raise ValidationError({"item": f"第 {item_number} 项不在本验收单中"})
    checked = photos.check_uploads(uploads, required="请选择照片")
    now = timezone.now()
    for photo in checked:
        AcceptancePhoto.objects.create(
            round=round_,
            item=item,
            file=photos.store(photo, "acceptance"),
            width=photo.width,
            height=photo.height,
            uploaded_by=actor,
            uploaded_at=now,
        )
    _after_change(
        form,
        round_,
        actor=actor,
        changes={},
        summary=f"上传验收照片 {len(checked)} 张",
    )
    return len(checked)


def _check_complete(round_):
    missing = []
    if not round_.acceptance_date:
        missing.append(("acceptance_date", "请填写验收日期"))
    if not round_.takeover_opinion.strip():
        missing.append(("takeover_opinion", "请填写社区接管意见"))
    if not (round_.street_participants.strip() and round_.community_participants.strip()):
        missing.append(("street_participants", "请填写街道办事处和社区的参加人员"))
    pending = [i.number for i in round_.items.all() if i.result == Result.PENDING]
    if pending:
        numbers = "、".join(str(n) for n in pending)
        missing.append(("result", f"第 {numbers} 项未填写验收结果"))
    if missing:
        raise ValidationError({field: message for field, message in missing})


@transaction.atomic
def send_for_signatures(form: AcceptanceForm, *, actor) -> AcceptanceForm:
    """draft → awaiting_signatures, once the round is filled in completely."""
    form = _locked_form(form)
    require(can_prepare(actor, form.estate), "只有本街道办事处可以送签验收单")
    ensure_writable(form.estate_id)
    if form.status != Status.DRAFT:
        raise _wrong_status(form, "送签")
    _check_complete(current_round(form))
    return _move(
        form,
        Status.AWAITING_SIGNATURES,
        actor=actor,
        summary=f"第 {form.round_number} 轮验收单送签",
    )


# --- signatures --------------------------------------------------------------------------
@transaction.atomic
def sign(form: AcceptanceForm, *, actor, password: str) -> AcceptanceSignature:
    """The street office's lead or the compound's community lead signs the current round
    with their own account, re-entering their password. Records name, role, time and the
    content's fingerprint."""
    form = _locked_form(form)
    estate = form.estate
    slot = signature_slot(actor, estate)
    require(
        slot is not None,
        "只有本街道办事处负责人和本小区所在社区的负责人可以签字",
    )
    ensure_writable(estate.pk)
    if form.status != Status.AWAITING_SIGNATURES:
        raise _wrong_status(form, "签字")
    if not password or len(password) > 128 or not actor.check_password(password):
        raise ValidationError({"password": "密码不正确，签字未完成"})
    round_ = AcceptanceRound.objects.select_for_update().get(form=form, number=form.round_number)
    if live_signatures(round_).filter(slot=slot).exists():
        raise ValidationError({"password": f"{Slot(slot).label}已在本轮签字"})
    unit = estate.community.street_office.name if slot == Slot.STREET else estate.community.name
    signature = AcceptanceSignature.objects.create(
        round=round_,
        slot=slot,
        signer=actor,
        signer_name=str(actor)[:60],
        signer_role=Slot(slot).label,
        signer_unit=unit[:60],
        signed_at=timezone.now(),
        fingerprint=fingerprint(round_),
    )
    audit.record(
        form,
        actor=actor,
        action=Action.UPDATE,
        summary=f"第 {round_.number} 轮签字：{signature.signer_role} {signature.signer_name}"
        f"（指纹 {signature.fingerprint[:12]}）",
    )
    return signature


@transaction.atomic
def submit(form: AcceptanceForm, *, actor) -> AcceptanceForm:
    """awaiting_signatures → submitted: both signatures present and both on the content
    as it stands; the round is frozen with its fingerprint."""
    form = _locked_form(form)
    require(can_prepare(actor, form.estate), "只有本街道办事处可以报送验收单")
    ensure_writable(form.estate_id)
    if form.status != Status.AWAITING_SIGNATURES:
        raise _wrong_status(form, "报送")
    round_ = AcceptanceRound.objects.select_for_update().get(form=form, number=form.round_number)
    current = fingerprint(round_)
    signed = {s.slot: s for s in live_signatures(round_)}
    missing = [Slot(slot).label for slot in Slot.values if slot not in signed]
    if missing:
        raise ValidationError({"signatures": f"尚缺{'、'.join(missing)}签字，不能报送指挥部"})
    stale = [s.signer_role for s in signed.values() if s.fingerprint != current]
    if stale:
        raise ValidationError({"signatures": f"{'、'.join(stale)}签字后内容已变化，请重新签字"})
    round_.submitted_at, round_.submitted_by, round_.fingerprint = timezone.now(), actor, current
    round_.save(update_fields=["submitted_at", "submitted_by", "fingerprint"])
    return _move(
        form,
        Status.SUBMITTED,
        actor=actor,
        summary=f"第 {round_.number} 轮验收单报送指挥部（指纹 {current[:12]}）",
    )


# --- HQ's inspection acceptance -----------------------------------------------------------
def _decide(form, round_, *, actor, outcome, conclusion):
    round_.outcome = outcome
    round_.hq_conclusion = conclusion
    round_.decided_at, round_.decided_by = timezone.now(), actor
    round_.decided_by_name = f"{actor}（{actor.get_role_display()}）"[:60]
    round_.save(
        update_fields=["outcome", "hq_conclusion", "decided_at", "decided_by", "decided_by_name"]
    )


def _submitted_form(form, actor, verb):
    form = _locked_form(form)
    require(can_decide(actor), "只有指挥部质量检查员或指挥部办公室可以检查验收")
    ensure_writable(form.estate_id)
    if form.status != Status.SUBMITTED:
        raise _wrong_status(form, verb)
    return form, AcceptanceRound.objects.select_for_update().get(
        form=form, number=form.round_number
    )


@transaction.atomic
def pass_form(form: AcceptanceForm, *, actor, conclusion: str = "") -> AcceptanceForm:
    """submitted → passed: HQ accepts; every applicable works item of the compound moves
    completed → accepted, so the compound is in the accepted phase. The only way there."""
    form, round_ = _submitted_form(form, actor, "验收通过")
    conclusion = (conclusion or "").strip() or "经检查验收，工程质量合格，同意通过竣工验收。"
    if len(conclusion) > 1000:
        raise ValidationError({"conclusion": "验收意见不超过 1000 字"})
    failing = [str(i.number) for i in round_.items.all() if i.result != Result.PASS]
    if failing:
        raise ValidationError(
            {"conclusion": f"第 {'、'.join(failing)} 项验收结果为不合格，不能通过"}
        )
    items = list(
        EstateWorksItem.objects.select_for_update()
        .filter(estate=form.estate, applicable=True)
        .select_related("estate__community", "works_item")
    )
    not_completed = [i for i in items if i.status != ItemStatus.COMPLETED]
    if not_completed:
        names = "、".join(i.works_item.short_name for i in not_completed)
        raise ValidationError({"status": f"{names}当前不是「已完工」，不能验收通过"})
    _decide(
        form, round_, actor=actor, outcome=AcceptanceRound.Outcome.PASSED, conclusion=conclusion
    )
    for item in items:
        before = audit.snapshot(item, services._PROGRESS_FIELDS)
        item.status = ItemStatus.ACCEPTED
        services._save_transition(
            item,
            before,
            actor=actor,
            summary=f"竣工验收通过（第 {round_.number} 轮）：{item.works_item.short_name}",
        )
    return _move(form, Status.PASSED, actor=actor, summary=f"第 {round_.number} 轮验收通过")


def _clean_rectifications(form, round_, rectifications):
    rows = list(rectifications or [])
    if not rows:
        raise ValidationError({"rectifications": "验收不通过须列出至少一项整改要求"})
    if len(rows) > MAX_RECTIFICATIONS:
        raise ValidationError({"rectifications": f"整改要求不超过 {MAX_RECTIFICATIONS} 项"})
    by_number = {
        item.works_item.works_item.number: item.works_item
        for item in round_.items.select_related("works_item__works_item")
    }
    by_id = {item.pk: item for item in by_number.values()}
    today = timezone.localdate()
    cleaned = []
    for index, row in enumerate(rows, start=1):
        label = f"第 {index} 项整改要求"
        works_item = row.get("works_item")
        works_item = by_id.get(getattr(works_item, "pk", works_item))
        if works_item is None:
            raise ValidationError({"rectifications": f"{label}：工程项目不在本验收单中"})
        description = (row.get("description") or "").strip()
        if not description:
            raise ValidationError({"rectifications": f"{label}：请填写整改内容"})
        if len(description) > 200:
            raise ValidationError({"rectifications": f"{label}：整改内容不超过 200 字"})
        deadline = row.get("deadline")
        if not isinstance(deadline, date):
            raise ValidationError({"rectifications": f"{label}：请填写整改期限"})
        if deadline < today:
            raise ValidationError({"rectifications": f"{label}：整改期限不能早于今天"})
        rectification = AcceptanceRectification(
            round=round_, works_item=works_item, description=description, deadline=deadline
        )
        try:
            rectification.full_clean(exclude=["round", "works_item"])
        except ValidationError as exc:
            raise ValidationError(
                {"rectifications": f"{label}：{'；'.join(exc.messages)}"}
            ) from exc
        cleaned.append(rectification)
    return cleaned


@transaction.atomic
def fail_form(form: AcceptanceForm, *, actor, conclusion: str, rectifications) -> AcceptanceForm:
    """submitted → failed: HQ refuses the round with rectifications, each
    ``{"works_item": compound-item or id, "description": ..., "deadline": date}``. The
    form goes back to the street office; the compound stays completed."""
    form, round_ = _submitted_form(form, actor, "验收不通过")
    conclusion = (conclusion or "").strip()
    if not conclusion:
        raise ValidationError({"conclusion": "请填写验收意见（不通过的原因）"})
    if len(conclusion) > 1000:
        raise ValidationError({"conclusion": "验收意见不超过 1000 字"})
    rows = _clean_rectifications(form, round_, rectifications)
    AcceptanceRectification.objects.bulk_create(rows)
    _decide(
        form, round_, actor=actor, outcome=AcceptanceRound.Outcome.FAILED, conclusion=conclusion
    )
    return _move(
        form,
        Status.FAILED,
        actor=actor,
        summary=f"第 {round_.number} 轮验收不通过：{len(rows)} 项整改要求",
    )


@transaction.atomic
def record_fix(rectification: AcceptanceRectification, *, actor, note: str):
    """Record the contractor's fix of one rectification; the first fix moves the form
    failed → rectifying."""
    rectification = (
        AcceptanceRectification.objects.select_for_update()
        .select_related("round__form", "works_item__works_item")
        .get(pk=rectification.pk)
    )
    form = _locked_form(rectification.round.form)
    require(
        can_record_fix(actor, rectification),
        "只有本街道办事处或该项目的施工单位可以登记整改情况",
    )
    ensure_writable(form.estate_id)
    if form.status not in (Status.FAILED, Status.RECTIFYING):
        raise _wrong_status(form, "登记整改")
    if rectification.round.number != form.round_number:
        raise ValidationError({"rectification": "只能登记当前轮次的整改要求"})
    if rectification.is_fixed:
        raise ValidationError({"note": "该项整改已登记"})
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "请填写整改情况"})
    if len(note) > 500:
        raise ValidationError({"note": "整改情况不超过 500 字"})
    rectification.fix_note, rectification.fixed_at, rectification.fixed_by = (
        note,
        timezone.now(),
        actor,
    )
    rectification.full_clean(exclude=["round", "works_item", "fixed_by"])
    rectification.save(update_fields=["fix_note", "fixed_at", "fixed_by"])
    summary = f"登记整改：{rectification.works_item.works_item.short_name}：{note[:60]}"
    if form.status == Status.FAILED:
        _move(form, Status.RECTIFYING, actor=actor, summary=summary)
    else:
        audit.record(form, actor=actor, action=Action.UPDATE, summary=summary)
    return rectification


@transaction.atomic
def open_next_round(form: AcceptanceForm, *, actor) -> AcceptanceRound:
    """rectifying → draft of round n+1, once every rectification's fix is recorded. The
    new round starts from the previous one's content and photos, without signatures;
    the previous round stays as it was."""
    form = _locked_form(form)
    require(can_prepare(actor, form.estate), "只有本街道办事处可以发起新一轮验收")
    ensure_writable(form.estate_id)
    if form.status not in (Status.FAILED, Status.RECTIFYING):
        raise _wrong_status(form, "发起新一轮验收")
    previous = AcceptanceRound.objects.get(form=form, number=form.round_number)
    open_fixes = previous.rectifications.filter(fixed_at__isnull=True).count()
    if open_fixes:
        raise ValidationError({"rectifications": f"尚有 {open_fixes} 项整改未登记整改情况"})
    now = timezone.now()
    round_ = AcceptanceRound.objects.create(
        form=form,
        number=previous.number + 1,
        created_at=now,
        **{name: getattr(previous, name) for name in ROUND_FIELDS},
    )
    item_map = {}
    for item in previous.items.all():
        old_pk = item.pk
        item.pk, item.round = None, round_
        item.save()
        item_map[old_pk] = item
    for photo in previous.photos.all():
        AcceptancePhoto.objects.create(
            round=round_,
            item=item_map.get(photo.item_id),
            file=photo.file.name,
            width=photo.width,
            height=photo.height,
            uploaded_by=photo.uploaded_by,
            uploaded_at=photo.uploaded_at,
        )
    form.round_number = round_.number
    _move(form, Status.DRAFT, actor=actor, summary=f"整改完成，发起第 {round_.number} 轮验收")
    return round_
