"""State changes of works: scopes and their approval, the company directory, tendering
and contracts, item progress, the progress schedule and campaign milestones.

Each function is atomic, takes the acting user as ``actor=``, writes its audit event in
the same transaction, and refuses illegal moves with a ``ValidationError`` naming the
field. Role rules that no view may forget raise ``PermissionDenied`` here too. The pages,
the API, the demo loader and the commands all come through here."""

from datetime import date
from decimal import Decimal

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from estates import audit
from estates.guards import ensure_writable, require
from estates.models import AuditEvent, Campaign, Estate, Role, User, WorksItem
from works.models import (
    Bid,
    Company,
    CompanyAccount,
    Contract,
    EstateScope,
    EstateWorksItem,
    ScheduleEntry,
    SupervisionNote,
    TenderPackage,
    TenderPackageItem,
    company_items_q,
)

Status = EstateWorksItem.Status
Action = AuditEvent.Action

#: Scope fields a user may set on a compound-item; status and dates move by transitions.
SCOPE_FIELDS = ("applicable", "quantity", "unit", "budget", "notes")
COMPANY_FIELDS = ("name", "role", "credit_code", "contact_name", "contact_phone", "address")
CAMPAIGN_FIELDS = (
    "name",
    "tender_deadline",
    "construction_start_deadline",
    "construction_finish_deadline",
    "acceptance_start",
    "acceptance_end",
)


# --- who may do what ---------------------------------------------------------------------
def can_see_amounts(user) -> bool:
    """Contract and bid amounts: HQ and street offices (scope limits them to their own
    compounds); never community leads."""
    return user.is_hq or user.is_street_staff


def can_manage_tenders(user) -> bool:
    """Tenders, bids, contracts, the company directory and campaign dates: HQ office."""
    return user.is_hq_staff


def can_approve_scope(user) -> bool:
    """HQ office approves (or returns) a scope; leadership reads only."""
    return user.is_hq_staff


def can_edit_scope(user, estate, scope_status=None) -> bool:
    """HQ office edits any scope; the street office edits its own while it is a draft."""
    if user.is_hq_staff:
        return True
    status = scope_status or EstateScope.Status.DRAFT
    return (
        user.owns_street_office(estate.community.street_office_id)
        and status == EstateScope.Status.DRAFT
    )


def can_submit_scope(user, estate) -> bool:
    return user.is_hq_staff or user.owns_street_office(estate.community.street_office_id)


def can_report_progress(user, estate) -> bool:
    """Start, progress and finish are recorded by HQ office or the compound's own street
    office (which supervises on site). Acceptance is ``works.acceptance``."""
    return user.is_hq_staff or user.owns_street_office(estate.community.street_office_id)


def can_edit_schedule(user, estate=None) -> bool:
    if user.is_hq_staff:
        return True
    return user.is_street_staff and (
        estate is None or user.owns_street_office(estate.community.street_office_id)
    )


def _money(value) -> str:
    return f"{Decimal(value):,.2f}"


# --- scope and its approval --------------------------------------------------------------
def scope_status(estate) -> str:
    scope = EstateScope.objects.filter(estate=estate).only("status").first()
    return scope.status if scope else EstateScope.Status.DRAFT


def ensure_scope_rows(estate: Estate) -> None:
    """Every compound's works sheet has all twelve rows; missing ones are added as "not
    applicable" (bulk, no audit: they carry no decision yet)."""
    have = set(
        EstateWorksItem.objects.filter(estate=estate).values_list("works_item_id", flat=True)
    )
    EstateWorksItem.objects.bulk_create(
        EstateWorksItem(estate=estate, works_item=item, applicable=False, unit=item.default_unit)
        for item in WorksItem.objects.exclude(pk__in=have)
    )
    EstateScope.objects.get_or_create(estate=estate)


@transaction.atomic
def update_works_item(item: EstateWorksItem, *, actor, values: dict) -> dict:
    """Change one compound-item's scope; returns the changes (audited when non-empty)."""
    item = (
        EstateWorksItem.objects.select_for_update()
        .select_related("estate__community", "works_item")
        .get(pk=item.pk)
    )
    require(
        can_edit_scope(actor, item.estate, scope_status(item.estate)),
        "工程范围已报送或审定，只能由指挥部办公室修改",
    )
    ensure_writable(item.estate_id)
    before = audit.snapshot(item, SCOPE_FIELDS)
    for name, value in values.items():
        if name in SCOPE_FIELDS:
            setattr(item, name, value)
    if not item.applicable and item.status != Status.PLANNED:
        raise ValidationError(
            {"applicable": f"「{item.works_item.short_name}」已招标，不能改为不实施"}
        )
    if not item.applicable and item.package_items.filter(is_active=True).exists():
        raise ValidationError(
            {"applicable": f"「{item.works_item.short_name}」已在招标标段中，不能改为不实施"}
        )
    if item.applicable and item.quantity <= 0:
        raise ValidationError(
            {"quantity": f"「{item.works_item.short_name}」需要实施，请填写计划工程量"}
        )
    item.full_clean()
    changes = audit.diff(item, before)
    if changes:
        item.save()
        audit.record(
            item,
            actor=actor,
            action=Action.UPDATE,
            changes=changes,
            summary=f"修改工程范围：{item.works_item.short_name}",
        )
    return changes


@transaction.atomic
def save_scope(estate: Estate, *, actor, rows: dict) -> int:
    """Apply ``{works item number: values}`` to a compound's sheet; returns the number of
    rows changed. All or nothing: one bad row leaves the sheet as it was."""
    ensure_writable(estate.pk)
    ensure_scope_rows(estate)
    changed = 0
    items = EstateWorksItem.objects.filter(estate=estate).select_related("works_item")
    by_number = {item.works_item.number: item for item in items}
    for number, values in rows.items():
        try:
            if update_works_item(by_number[number], actor=actor, values=values):
                changed += 1
        except ValidationError as exc:
            label = by_number[number].works_item.short_name
            raise ValidationError(f"第 {number} 项（{label}）：{'；'.join(exc.messages)}") from exc
    return changed


def _transition_scope(estate, *, actor, to, allowed_from, summary, **changes):
    """Move ``estate``'s scope (its rows made sure of first) through ``audit.transition``."""
    ensure_writable(estate.pk)
    ensure_scope_rows(estate)
    scope = EstateScope.objects.get(estate=estate)
    return audit.transition(
        scope, actor=actor, allowed_from=allowed_from, to=to, summary=summary, **changes
    )


@transaction.atomic
def submit_scope(estate: Estate, *, actor) -> EstateScope:
    """The street office sends its draft scope to HQ for approval."""
    require(can_submit_scope(actor, estate))
    if not EstateWorksItem.objects.filter(estate=estate, applicable=True).exists():
        raise ValidationError({"applicable": "至少选择一项需要实施的工作内容后才能报送"})
    return _transition_scope(
        estate,
        actor=actor,
        to=EstateScope.Status.SUBMITTED,
        allowed_from=[EstateScope.Status.DRAFT],
        submitted_at=timezone.now(),
        summary="报送工程范围",
    )


@transaction.atomic
def approve_scope(estate: Estate, *, actor) -> EstateScope:
    require(can_approve_scope(actor), "只有指挥部办公室可以审定工程范围")
    return _transition_scope(
        estate,
        actor=actor,
        to=EstateScope.Status.APPROVED,
        allowed_from=[EstateScope.Status.SUBMITTED],
        approved_at=timezone.now(),
        approved_by=actor,
        summary="审定工程范围",
    )


@transaction.atomic
def return_scope(estate: Estate, *, actor, reason: str) -> EstateScope:
    """HQ sends a submitted scope back to the street office as a draft."""
    require(can_approve_scope(actor), "只有指挥部办公室可以退回工程范围")
    if not (reason or "").strip():
        raise ValidationError({"reason": "请填写退回原因"})
    return _transition_scope(
        estate,
        actor=actor,
        to=EstateScope.Status.DRAFT,
        allowed_from=[EstateScope.Status.SUBMITTED],
        submitted_at=None,
        summary=f"退回工程范围：{reason.strip()}",
    )


# --- company directory -------------------------------------------------------------------
def _clean_company(company):
    company.credit_code = (company.credit_code or "").strip().upper()
    company.full_clean()


@transaction.atomic
def create_company(*, actor, values: dict) -> Company:
    require(can_manage_tenders(actor), "只有指挥部办公室可以维护单位名录")
    company = Company(**{k: v for k, v in values.items() if k in COMPANY_FIELDS})
    _clean_company(company)
    company.save()
    audit.record(company, actor=actor, action=Action.CREATE, summary=f"新增单位 {company.name}")
    return company


@transaction.atomic
def update_company(company: Company, *, actor, values: dict) -> dict:
    require(can_manage_tenders(actor), "只有指挥部办公室可以维护单位名录")
    company = Company.objects.select_for_update().get(pk=company.pk)
    before = audit.snapshot(company, (*COMPANY_FIELDS, "is_active"))
    for name, value in values.items():
        if name in COMPANY_FIELDS or name == "is_active":
            setattr(company, name, value)
    _clean_company(company)
    changes = audit.diff(company, before)
    if changes:
        company.save()
        audit.record(
            company, actor=actor, action=Action.UPDATE, changes=changes, summary="修改单位信息"
        )
    return changes


# --- tendering ---------------------------------------------------------------------------
@transaction.atomic
def create_package(
    *,
    actor,
    campaign: Campaign,
    number: str,
    name: str,
    control_price,
    bid_opening_date: date,
    works_items,
) -> TenderPackage:
    """A tender package over approved, applicable, still-planned compound-items of the
    package's campaign, none of them already in another active package."""
    require(can_manage_tenders(actor), "只有指挥部办公室可以组织招标")
    ids = [getattr(item, "pk", item) for item in works_items]
    if not ids:
        raise ValidationError({"works_items": "请至少选择一个小区工程项目"})
    items = list(
        EstateWorksItem.objects.select_for_update()
        .filter(pk__in=ids)
        .select_related("estate", "works_item")
    )
    if len(items) != len(set(ids)):
        raise ValidationError({"works_items": "所选工程项目不存在"})
    ensure_writable(*{item.estate_id for item in items})
    approved = set(
        EstateScope.objects.filter(
            estate__in={i.estate_id for i in items}, status=EstateScope.Status.APPROVED
        ).values_list("estate_id", flat=True)
    )
    taken = dict(
        TenderPackageItem.objects.filter(works_item__in=items, is_active=True).values_list(
            "works_item_id", "package__number"
        )
    )
    for item in items:
        label = f"{item.estate.name}·{item.works_item.short_name}"
        if not item.applicable:
            raise ValidationError({"works_items": f"{label} 不在工程范围内"})
        if item.estate_id not in approved:
            raise ValidationError({"works_items": f"{label}：该小区的工程范围尚未经指挥部审定"})
        if item.estate.campaign_id != campaign.pk:
            raise ValidationError({"works_items": f"{label} 不属于{campaign.name}"})
        if item.status != Status.PLANNED:
            raise ValidationError({"works_items": f"{label} 已{item.get_status_display()}"})
        if item.pk in taken:
            raise ValidationError(
                {"works_items": f"{label} 已在有效标段 {taken[item.pk]} 中，不能重复招标"}
            )
    package = TenderPackage(
        campaign=campaign,
        number=(number or "").strip(),
        name=(name or "").strip(),
        control_price=control_price,
        bid_opening_date=bid_opening_date,
    )
    package.full_clean()
    package.save()
    try:
        with transaction.atomic():
            TenderPackageItem.objects.bulk_create(
                TenderPackageItem(package=package, works_item=item) for item in items
            )
    except IntegrityError as exc:  # a concurrent package took one of the items first
        raise ValidationError(
            {"works_items": "所选工程项目已被另一个有效标段占用，请刷新后重试"}
        ) from exc
    audit.record(
        package,
        actor=actor,
        action=Action.CREATE,
        summary=f"新建标段 {package.number}：{len(items)} 个工程项目，"
        f"控制价 {_money(control_price)} 元",
    )
    return package


def _open_package(package) -> TenderPackage:
    package = TenderPackage.objects.select_for_update().get(pk=package.pk)
    if package.status != TenderPackage.Status.OPEN:
        raise ValidationError({"status": f"标段{package.get_status_display()}，不能再操作"})
    return package


@transaction.atomic
def record_bid(package: TenderPackage, *, actor, contractor: Company, amount) -> Bid:
    """Record a bidder's amount at the opening. Above the control price it is refused."""
    require(can_manage_tenders(actor), "只有指挥部办公室可以录入投标报价")
    package = _open_package(package)
    if contractor.role != Company.Role.CONTRACTOR or not contractor.is_active:
        raise ValidationError({"contractor": f"{contractor.name} 不是有效的施工单位"})
    amount = Decimal(amount)
    if amount <= 0:
        raise ValidationError({"amount": "投标报价须大于 0"})
    if amount > package.control_price:
        raise ValidationError(
            {
                "amount": f"投标报价 {_money(amount)} 元高于招标控制价 "
                f"{_money(package.control_price)} 元，不予接受"
            }
        )
    if Bid.objects.filter(package=package, contractor=contractor).exists():
        raise ValidationError({"contractor": f"{contractor.name} 已在本标段投标"})
    bid = Bid(package=package, contractor=contractor, amount=amount)
    bid.full_clean()
    bid.save()
    audit.record(
        package,
        actor=actor,
        action=Action.UPDATE,
        summary=f"录入投标：{contractor.name} {_money(amount)} 元",
    )
    return bid


@transaction.atomic
def award_package(
    package: TenderPackage,
    *,
    actor,
    bid: Bid,
    number: str,
    supervisor: Company,
    signed_on: date,
    planned_start: date,
    planned_finish: date,
) -> Contract:
    """Award the package to ``bid``: the contract's amount is the winning bid, it covers
    exactly the package's compound-items, and each of them moves planned → tendered."""
    require(can_manage_tenders(actor), "只有指挥部办公室可以定标签约")
    package = _open_package(package)
    if bid.package_id != package.pk:
        raise ValidationError({"bid": "中标报价不属于本标段"})
    if supervisor.role != Company.Role.SUPERVISOR or not supervisor.is_active:
        raise ValidationError({"supervisor": f"{supervisor.name} 不是有效的监理单位"})
    if planned_start and planned_finish and planned_finish < planned_start:
        raise ValidationError({"planned_finish": "计划完工日期不能早于计划开工日期"})
    ensure_writable(
        *TenderPackageItem.objects.filter(package=package, is_active=True).values_list(
            "works_item__estate_id", flat=True
        )
    )
    contract = Contract(
        package=package,
        winning_bid=bid,
        number=(number or "").strip(),
        contractor=bid.contractor,
        supervisor=supervisor,
        amount=bid.amount,
        signed_on=signed_on,
        planned_start=planned_start,
        planned_finish=planned_finish,
    )
    contract.full_clean()
    contract.save()
    items = list(
        EstateWorksItem.objects.select_for_update()
        .filter(package_items__package=package, package_items__is_active=True)
        .select_related("works_item")
    )
    for item in items:
        if item.status != Status.PLANNED:
            raise ValidationError({"status": f"{item} 已{item.get_status_display()}，不能再次定标"})
        before = audit.snapshot(item, ["status"])
        item.status = Status.TENDERED
        item.save(update_fields=["status"])
        audit.record(
            item,
            actor=actor,
            action=Action.TRANSITION,
            changes=audit.diff(item, before),
            summary=f"定标：合同 {contract.number}，施工单位 {contract.contractor.name}",
        )
    package.status = TenderPackage.Status.AWARDED
    package.save(update_fields=["status"])
    audit.record(
        package,
        actor=actor,
        action=Action.TRANSITION,
        summary=f"定标：{bid.contractor.name} 中标，合同 {contract.number}",
    )
    audit.record(
        contract,
        actor=actor,
        action=Action.CREATE,
        summary=f"签订合同 {contract.number}（{len(items)} 个工程项目）",
    )
    return contract


@transaction.atomic
def cancel_package(package: TenderPackage, *, actor, reason: str) -> TenderPackage:
    """Withdraw an open package; its compound-items may then go into another one."""
    require(can_manage_tenders(actor), "只有指挥部办公室可以撤销标段")
    if not (reason or "").strip():
        raise ValidationError({"reason": "请填写撤销原因"})
    package = _open_package(package)
    package.status = TenderPackage.Status.CANCELLED
    package.save(update_fields=["status"])
    package.package_items.update(is_active=False)
    audit.record(
        package, actor=actor, action=Action.TRANSITION, summary=f"撤销标段：{reason.strip()}"
    )
    return package


# --- progress of a compound-item ---------------------------------------------------------
def _wrong_status(item, field, rule) -> ValidationError:
    name, status = item.works_item.short_name, item.get_status_display()
    return ValidationError({field: f"「{name}」当前为「{status}」，{rule}"})


def _locked_item(item) -> EstateWorksItem:
    return (
        EstateWorksItem.objects.select_for_update()
        .select_related("estate__community", "works_item")
        .get(pk=item.pk)
    )


def _not_future(day: date, field: str, label: str):
    if day is None:
        raise ValidationError({field: f"请填写{label}"})
    if day > timezone.localdate():
        raise ValidationError({field: f"{label}不能晚于今天"})


def _save_transition(item, before, *, actor, summary):
    item.full_clean()
    item.save()
    audit.record(
        item,
        actor=actor,
        action=Action.TRANSITION,
        changes=audit.diff(item, before),
        summary=summary,
    )
    return item


_PROGRESS_FIELDS = ["status", "percent_complete", "actual_start", "actual_finish"]


@transaction.atomic
def start_item(item: EstateWorksItem, *, actor, on: date) -> EstateWorksItem:
    """tendered → under_construction, with the actual start date."""
    item = _locked_item(item)
    require(can_report_progress(actor, item.estate))
    ensure_writable(item.estate_id)
    if item.status != Status.TENDERED:
        raise _wrong_status(item, "status", "只有已招标的项目才能开工")
    _not_future(on, "actual_start", "实际开工日期")
    before = audit.snapshot(item, _PROGRESS_FIELDS)
    item.status, item.actual_start = Status.UNDER_CONSTRUCTION, on
    return _save_transition(
        item, before, actor=actor, summary=f"开工：{item.works_item.short_name}"
    )


@transaction.atomic
def report_progress(item: EstateWorksItem, *, actor, percent: int) -> EstateWorksItem:
    """The percent complete of an item under construction (0–99; 100 is finishing)."""
    item = _locked_item(item)
    require(can_report_progress(actor, item.estate))
    ensure_writable(item.estate_id)
    if item.status != Status.UNDER_CONSTRUCTION:
        raise ValidationError(
            {"percent_complete": f"「{item.works_item.short_name}」不在施工中，不能填报进度"}
        )
    if percent is None or not 0 <= int(percent) <= 99:
        raise ValidationError({"percent_complete": "完成比例须在 0–99 之间；全部完成请办理完工"})
    before = audit.snapshot(item, _PROGRESS_FIELDS)
    item.percent_complete = int(percent)
    return _save_transition(
        item, before, actor=actor, summary=f"填报进度：{item.works_item.short_name}"
    )


@transaction.atomic
def finish_item(item: EstateWorksItem, *, actor, on: date) -> EstateWorksItem:
    """under_construction → completed, with the actual finish date (never before start)."""
    item = _locked_item(item)
    require(can_report_progress(actor, item.estate))
    ensure_writable(item.estate_id)
    if item.status != Status.UNDER_CONSTRUCTION:
        raise _wrong_status(item, "status", "未开工的项目不能完工")
    _not_future(on, "actual_finish", "实际完工日期")
    if on < item.actual_start:
        raise ValidationError(
            {"actual_finish": f"实际完工日期不能早于实际开工日期 {item.actual_start}"}
        )
    before = audit.snapshot(item, _PROGRESS_FIELDS)
    item.status, item.actual_finish, item.percent_complete = Status.COMPLETED, on, 100
    return _save_transition(
        item, before, actor=actor, summary=f"完工：{item.works_item.short_name}"
    )


TRANSITIONS = {
    "start": start_item,
    "progress": report_progress,
    "finish": finish_item,
}
# Acceptance is not a move of one item: ``works.acceptance.pass_form`` accepts every
# item of a compound when HQ passes its completion acceptance form.


# --- schedule and campaign milestones ----------------------------------------------------
@transaction.atomic
def set_schedule(
    estate: Estate, *, actor, planned_start: date, planned_finish: date
) -> ScheduleEntry:
    """Set a compound's planned start and finish in its street office's schedule."""
    require(can_edit_schedule(actor, estate), "只能编制本街道办事处小区的进度计划")
    ensure_writable(estate.pk)
    if planned_start is None:
        raise ValidationError({"planned_start": "请填写计划开工日期"})
    if planned_finish is None:
        raise ValidationError({"planned_finish": "请填写计划完工日期"})
    if planned_finish < planned_start:
        raise ValidationError(
            {"planned_finish": f"{estate.name}：计划完工日期不能早于计划开工日期"}
        )
    entry = ScheduleEntry.objects.select_for_update().filter(estate=estate).first()
    created = entry is None
    entry = entry or ScheduleEntry(estate=estate)
    before = (
        audit.snapshot(entry, ["planned_start", "planned_finish"])
        if not created
        else {"planned_start": "", "planned_finish": ""}
    )
    entry.planned_start, entry.planned_finish = planned_start, planned_finish
    changes = audit.diff(entry, before)
    if changes:
        entry.save()
        audit.record(
            entry,
            actor=actor,
            action=Action.CREATE if created else Action.UPDATE,
            changes=changes,
            summary=f"进度计划：{estate.name}",
        )
    return entry


@transaction.atomic
def update_campaign(campaign: Campaign, *, actor, values: dict) -> dict:
    """HQ sets a campaign's milestone dates (defaults follow the source document)."""
    require(can_manage_tenders(actor), "只有指挥部办公室可以设置整治批次节点")
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    before = audit.snapshot(campaign, CAMPAIGN_FIELDS)
    for name, value in values.items():
        if name in CAMPAIGN_FIELDS:
            setattr(campaign, name, value)
    campaign.full_clean()
    changes = audit.diff(campaign, before)
    if changes:
        campaign.save()
        audit.record(
            campaign, actor=actor, action=Action.UPDATE, changes=changes, summary="修改批次节点"
        )
    return changes


@transaction.atomic
def save_schedule(*, actor, rows) -> int:
    """Apply ``[(estate, planned_start, planned_finish)]`` from a street office's schedule
    form; all or nothing. Returns the number of compounds whose dates changed."""
    changed = 0
    for estate, planned_start, planned_finish in rows:
        before = (
            ScheduleEntry.objects.filter(estate=estate)
            .values_list("planned_start", "planned_finish")
            .first()
        )
        if before == (planned_start, planned_finish):
            continue
        set_schedule(
            estate, actor=actor, planned_start=planned_start, planned_finish=planned_finish
        )
        changed += 1
    return changed


# --- company accounts and supervision -----------------------------------------------------
ACCOUNT_ROLE = {
    Company.Role.CONTRACTOR: Role.CONTRACTOR,
    Company.Role.SUPERVISOR: Role.SUPERVISOR,
}


def supervises(user, estate) -> bool:
    """A supervision engineer whose firm supervises a live contract on ``estate``."""
    return bool(
        user.is_supervisor
        and user.company_id
        and EstateWorksItem.objects.filter(
            company_items_q(user.company_id),
            estate=estate,
            package_items__package__contract__supervisor_id=user.company_id,
        ).exists()
    )


@transaction.atomic
def create_company_account(
    company: Company, *, actor, username: str, display_name: str, password: str, phone: str = ""
):
    """HQ office staff open an account for a contractor's site manager or a supervision
    engineer; the company's category fixes the role."""
    require(can_manage_tenders(actor), "只有指挥部办公室可以开设单位账号")
    role = ACCOUNT_ROLE.get(company.role)
    if role is None:
        raise ValidationError({"company": "只有施工单位和监理单位可以开设账号"})
    if not company.is_active:
        raise ValidationError({"company": "该单位已停用，不能开设账号"})
    username = (username or "").strip()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": f"用户名 {username} 已被使用"})
    user = User(
        username=username,
        display_name=(display_name or "").strip(),
        phone=(phone or "").strip(),
        role=role,
    )
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    user.full_clean()
    user.save()
    CompanyAccount.objects.create(user=user, company=company)
    audit.record(
        user, actor=actor, action=Action.CREATE, summary=f"为 {company.name} 开设账号 {username}"
    )
    audit.record(company, actor=actor, action=Action.UPDATE, summary=f"开设账号 {username}")
    return user


@transaction.atomic
def add_supervision_note(estate, *, actor, text: str, works_item=None) -> SupervisionNote:
    """A supervision engineer's note on the works of a compound their firm supervises."""
    require(supervises(actor, estate), "只有承担该小区监理的监理工程师可以填写监理意见")
    ensure_writable(estate.pk)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "监理意见：请填写内容"})
    if works_item is not None and works_item.estate_id != estate.pk:
        raise ValidationError({"works_item": "工程项目：不属于该小区"})
    note = SupervisionNote(
        estate=estate, works_item=works_item, author=actor, company_id=actor.company_id, text=text
    )
    note.full_clean()
    note.save()
    audit.record(note, actor=actor, action=Action.CREATE, summary="填写监理意见")
    return note
