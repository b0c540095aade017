"""Works: the company directory; each compound's scope among the twelve works items with
its budget, approval and progress; tender packages, bids and contracts; and each street
office's progress schedule; completion acceptance forms (工程竣工验收单) with their
rounds, signatures and rectifications. State changes live in ``works.services`` and
``works.acceptance``; a compound's phase (``Phase``) is derived from its items by the
expressions and figures in ``works.queries``."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from estates.asof import HistoryRow, start_of
from estates.models import Estate, WorksItem
from estates.scoping import ScopedQuerySet, company_estate_ids
from works.validators import validate_uscc


class DirectoryQuerySet(models.QuerySet):
    """The company directory is district-wide reference data: every user with a role
    reads it; HQ office staff keep it."""

    def visible_to(self, user):
        if user is None or not user.is_authenticated or not user.is_active or not user.role:
            return self.none()
        return self


class Company(models.Model):
    """A company in the directory: contractor, supervision firm or property manager."""

    class Role(models.TextChoices):
        CONTRACTOR = "contractor", "施工单位"
        SUPERVISOR = "supervisor", "监理单位"
        PROPERTY_MANAGER = "property_manager", "物业服务企业"

    name = models.CharField("单位名称", max_length=100, unique=True)
    role = models.CharField("类别", max_length=20, choices=Role.choices)
    credit_code = models.CharField(
        "统一社会信用代码", max_length=18, unique=True, validators=[validate_uscc]
    )
    contact_name = models.CharField("联系人", max_length=30, blank=True)
    contact_phone = models.CharField("联系电话", max_length=20, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    is_active = models.BooleanField("有效", default=True)

    objects = DirectoryQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "单位名录"
        ordering = ["role", "name"]

    def __str__(self):
        return self.name


def company_items_q(company_id, prefix="") -> Q:
    """Compound-items under a live contract of the company (as contractor or supervisor)."""
    contract = f"{prefix}package_items__package__contract__"
    return Q(**{f"{prefix}package_items__is_active": True}) & (
        Q(**{f"{contract}contractor_id": company_id})
        | Q(**{f"{contract}supervisor_id": company_id})
    )


class Phase(models.TextChoices):
    """A compound's phase, derived from the statuses of its applicable works items (never
    stored): 未定范围 with none, 已验收 when all are accepted, 已完工 when all are completed
    or accepted, 施工中 once any has started, 已招标 when none is still planned, else 计划.
    It moves forward as items move (and back when an item is reopened); the expressions
    that compute it are ``works.queries.with_progress``, ``phase_case`` and
    ``phase_from_ranks``."""

    NO_SCOPE = "no_scope", "未定范围"
    PLANNED = "planned", "计划"
    TENDERED = "tendered", "已招标"
    UNDER_CONSTRUCTION = "under_construction", "施工中"
    COMPLETED = "completed", "已完工"
    ACCEPTED = "accepted", "已验收"


class EstateWorksItemQuerySet(ScopedQuerySet):
    street_office_lookup = "estate__community__street_office"
    community_lookup = "estate__community"

    def for_company(self, company_id):
        # Only the items of the company's own contracts, not the rest of the compound.
        inside = EstateWorksItem.objects.filter(company_items_q(company_id)).values("pk")
        return self.filter(pk__in=inside)


class EstateWorksItem(models.Model):
    """One of the twelve works items for one compound: whether it applies, how much, for
    what budget, and how far it has got.

    Status moves planned → tendered → under_construction → completed (one service each
    in ``works.services``) → accepted (only ``works.acceptance.pass_form``, when HQ
    passes the compound's completion acceptance form); nothing else writes ``status``."""

    class Status(models.TextChoices):
        PLANNED = "planned", "计划"
        TENDERED = "tendered", "已招标"
        UNDER_CONSTRUCTION = "under_construction", "施工中"
        COMPLETED = "completed", "已完工"
        ACCEPTED = "accepted", "已验收"

    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="works_items", verbose_name="小区"
    )
    works_item = models.ForeignKey(
        WorksItem, on_delete=models.PROTECT, related_name="+", verbose_name="工作内容"
    )
    applicable = models.BooleanField("需要实施", default=True)
    quantity = models.DecimalField(
        "计划工程量",
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    unit = models.CharField("单位", max_length=10, blank=True)
    budget = models.DecimalField(
        "工程预算（元）",
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    notes = models.CharField("备注", max_length=200, blank=True)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.PLANNED)
    percent_complete = models.PositiveSmallIntegerField(
        "完成比例（%）", default=0, validators=[MaxValueValidator(100)]
    )
    actual_start = models.DateField("实际开工", null=True, blank=True)
    actual_finish = models.DateField("实际完工", null=True, blank=True)

    objects = EstateWorksItemQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "小区工程项目"
        ordering = ["estate", "works_item__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["estate", "works_item"], name="estate_works_item_unique"
            ),
            models.CheckConstraint(
                name="estate_works_item_amounts_not_negative",
                condition=Q(quantity__gte=0) & Q(budget__gte=0),
            ),
            models.CheckConstraint(
                name="estate_works_item_percent_range", condition=Q(percent_complete__lte=100)
            ),
            models.CheckConstraint(
                name="estate_works_item_finish_after_start",
                condition=Q(actual_finish__isnull=True)
                | (Q(actual_start__isnull=False) & Q(actual_finish__gte=models.F("actual_start"))),
            ),
        ]
        indexes = [
            # "Compounds under construction on day D" (patrol lists, the missed-patrol job).
            models.Index(fields=["actual_start", "actual_finish"], name="works_item_active_span"),
            # "Compounds with an applicable item still in these statuses" (the overdue and
            # phase conditions, ``works.queries._items_with``): over a whole district
            # PostgreSQL hashes the compounds of such items, read here by status instead
            # of scanning every item (``/api/estate-works/?overdue=true``, the overdue
            # filters, the roll-up).
            models.Index(
                fields=["status", "estate"],
                condition=Q(applicable=True),
                name="works_item_applicable_status",
            ),
        ]

    def __str__(self):
        return f"{self.estate} · {self.works_item.short_name}"


class WorksItemHistory(HistoryRow):
    """The states of one compound-item over time (``estates.asof``): every service that
    changes an item's scope, budget, status, progress or dates opens a new row. Figures
    read the row valid at the end of their day, so a change entered later (a back-dated
    finish) never alters a past figure."""

    OWNER = "item"
    TRACKED = (
        "applicable",
        "budget",
        "status",
        "percent_complete",
        "actual_start",
        "actual_finish",
    )

    item = models.ForeignKey(
        EstateWorksItem, on_delete=models.PROTECT, related_name="history", verbose_name="工程项目"
    )
    # Denormalised from the item so the figures group by compound without a join.
    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    applicable = models.BooleanField("需要实施")
    budget = models.DecimalField("工程预算（元）", max_digits=14, decimal_places=2)
    status = models.CharField("状态", max_length=20, choices=EstateWorksItem.Status.choices)
    percent_complete = models.PositiveSmallIntegerField("完成比例（%）")
    actual_start = models.DateField("实际开工", null=True, blank=True)
    actual_finish = models.DateField("实际完工", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "工程项目历史"
        ordering = ["item", "valid_from", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(valid_to__isnull=True),
                name="works_item_history_one_open",
            ),
        ]
        indexes = [
            # Figures as of a day: the rows of a compound valid at a moment.
            models.Index(fields=["estate", "valid_from", "valid_to"], name="works_hist_estate"),
        ]

    @classmethod
    def extra_values(cls, record) -> dict:
        return {"estate_id": record.estate_id}

    def __str__(self):
        return f"{self.item_id} {self.status} @{self.valid_from:%Y-%m-%d %H:%M}"


def reconstructed_item_states(item, *, created_at, tendered_on=None, accepted_at=None):
    """The states a compound-item went through, rebuilt from its current row for items
    that predate their history (data migration, demo data): its scope from
    ``created_at``, tendered on ``tendered_on`` (the contract's signing; else its start),
    started and finished on its actual dates (percent 0 at the start, its current
    percent while under construction, 100 when finished), accepted at ``accepted_at``
    (else at the finish). Budget and applicability are today's throughout."""
    S = EstateWorksItem.Status
    order = [S.PLANNED, S.TENDERED, S.UNDER_CONSTRUCTION, S.COMPLETED, S.ACCEPTED]
    reached = order.index(item.status)
    base = {"applicable": item.applicable, "budget": item.budget}
    states = [
        (
            created_at,
            {
                **base,
                "status": S.PLANNED,
                "percent_complete": 0,
                "actual_start": None,
                "actual_finish": None,
            },
        ),
    ]

    def add(moment, **values):
        moment = max(moment, states[-1][0])
        states.append((moment, {**states[-1][1], **values}))

    if reached >= 1:
        day = tendered_on or item.actual_start
        add(start_of(day) if day else created_at, status=S.TENDERED)
    if reached >= 2 and item.actual_start:
        percent = item.percent_complete if item.status == S.UNDER_CONSTRUCTION else 0
        add(
            start_of(item.actual_start),
            status=S.UNDER_CONSTRUCTION,
            percent_complete=percent,
            actual_start=item.actual_start,
        )
    if reached >= 3 and item.actual_finish:
        add(
            start_of(item.actual_finish),
            status=S.COMPLETED,
            percent_complete=100,
            actual_finish=item.actual_finish,
        )
    if reached >= 4:
        add(accepted_at or states[-1][0], status=S.ACCEPTED)
    # Equal moments: keep the last state of each moment (a zero-length state is never
    # in force and would only clutter the history).
    kept = {}
    for moment, values in states:
        kept[moment] = values
    return list(kept.items())


class ThroughItemsQuerySet(ScopedQuerySet):
    """Rows reached from compound-items through a tender package. A package may group
    compounds of several street offices: a street office sees the package (and its bids
    and contract) when at least one of its compounds is in it, without duplicates."""

    def visible_to(self, user):
        if user is not None and user.is_authenticated and user.is_active and user.is_hq:
            return self
        if user is not None and user.is_authenticated and user.is_company_staff:
            return ScopedQuerySet.visible_to(self, user)
        # Filter through the many-valued lookup in a subquery so rows are not repeated.
        inside = ScopedQuerySet.visible_to(type(self)(self.model, using=self._db), user)
        return self.filter(pk__in=inside.values("pk"))


class TenderPackageQuerySet(ThroughItemsQuerySet):
    street_office_lookup = "package_items__works_item__estate__community__street_office"
    community_lookup = "package_items__works_item__estate__community"


class BidQuerySet(ThroughItemsQuerySet):
    street_office_lookup = "package__package_items__works_item__estate__community__street_office"
    community_lookup = "package__package_items__works_item__estate__community"


class ContractQuerySet(ThroughItemsQuerySet):
    street_office_lookup = "package__package_items__works_item__estate__community__street_office"
    community_lookup = "package__package_items__works_item__estate__community"

    def for_company(self, company_id):
        return self.filter(Q(contractor_id=company_id) | Q(supervisor_id=company_id))


class TenderPackage(models.Model):
    """A tender package (标段) run by HQ: compound-items grouped under one control price.

    Status moves open → awarded (``works.services.award_package``, which signs the
    contract and marks every item tendered) or open → cancelled
    (``cancel_package``, which frees its items for another package). An awarded
    package is never reopened."""

    class Status(models.TextChoices):
        OPEN = "open", "招标中"
        AWARDED = "awarded", "已定标"
        CANCELLED = "cancelled", "已撤销"

    campaign = models.ForeignKey(
        "estates.Campaign", on_delete=models.PROTECT, related_name="+", verbose_name="整治批次"
    )
    number = models.CharField("标段编号", max_length=40, unique=True)
    name = models.CharField("标段名称", max_length=100)
    control_price = models.DecimalField(
        "招标控制价（元）",
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    bid_opening_date = models.DateField("开标日期")
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = TenderPackageQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "招标标段"
        ordering = ["-bid_opening_date", "-id"]
        constraints = [
            models.CheckConstraint(
                name="tender_control_price_positive", condition=Q(control_price__gt=0)
            ),
        ]
        indexes = [
            # The tenders list and ``/api/tenders/``: a page of the newest bid openings,
            # read in index order instead of sorting every package.
            models.Index(fields=["-bid_opening_date", "-id"], name="tender_newest_first"),
        ]

    def __str__(self):
        return f"{self.number} {self.name}"


class TenderPackageItem(models.Model):
    """A compound-item in a tender package. ``is_active`` mirrors "the package is not
    cancelled" so the database itself keeps a compound-item in at most one live package."""

    package = models.ForeignKey(
        TenderPackage,
        on_delete=models.PROTECT,
        related_name="package_items",
        verbose_name="标段",
    )
    works_item = models.ForeignKey(
        EstateWorksItem,
        on_delete=models.PROTECT,
        related_name="package_items",
        verbose_name="小区工程项目",
    )
    is_active = models.BooleanField("有效", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "标段工程项目"
        ordering = ["package", "works_item__estate__name", "works_item__works_item__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["works_item"],
                condition=Q(is_active=True),
                name="works_item_in_one_active_package",
                violation_error_message="该工程项目已在另一个有效标段中",
            ),
            models.UniqueConstraint(fields=["package", "works_item"], name="package_item_unique"),
        ]

    def __str__(self):
        return f"{self.package.number} · {self.works_item}"


class Bid(models.Model):
    """A bidder's amount at the bid opening. Never above the package's control price
    (checked by ``works.services.record_bid``: the rule spans two tables)."""

    package = models.ForeignKey(
        TenderPackage, on_delete=models.PROTECT, related_name="bids", verbose_name="标段"
    )
    contractor = models.ForeignKey(
        Company, on_delete=models.PROTECT, related_name="bids", verbose_name="投标单位"
    )
    amount = models.DecimalField("投标报价（元）", max_digits=14, decimal_places=2)
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    objects = BidQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "投标报价"
        ordering = ["package", "amount"]
        constraints = [
            models.UniqueConstraint(fields=["package", "contractor"], name="bid_one_per_bidder"),
            models.CheckConstraint(name="bid_amount_positive", condition=Q(amount__gt=0)),
        ]

    def __str__(self):
        return f"{self.contractor} {self.amount}"


class Contract(models.Model):
    """The construction contract an award produces. It covers exactly its package's
    compound-items (``package.package_items``) and its amount equals the winning bid;
    both are fixed by ``works.services.award_package``, the only writer."""

    package = models.OneToOneField(
        TenderPackage, on_delete=models.PROTECT, related_name="contract", verbose_name="标段"
    )
    winning_bid = models.OneToOneField(
        Bid, on_delete=models.PROTECT, related_name="contract", verbose_name="中标报价"
    )
    number = models.CharField("合同编号", max_length=40, unique=True)
    contractor = models.ForeignKey(
        Company, on_delete=models.PROTECT, related_name="contracts", verbose_name="施工单位"
    )
    supervisor = models.ForeignKey(
        Company,
        on_delete=models.PROTECT,
        related_name="supervised_contracts",
        verbose_name="监理单位",
    )
    amount = models.DecimalField("合同金额（元）", max_digits=14, decimal_places=2)
    signed_on = models.DateField("签订日期")
    planned_start = models.DateField("计划开工")
    planned_finish = models.DateField("计划完工")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = ContractQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "施工合同"
        ordering = ["-signed_on", "-id"]
        indexes = [
            # The contracts list and ``/api/contracts/``: a page of the latest signed,
            # read in index order instead of sorting every contract.
            models.Index(fields=["-signed_on", "-id"], name="contract_newest_first"),
        ]
        constraints = [
            models.CheckConstraint(name="contract_amount_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(
                name="contract_finish_after_start",
                condition=Q(planned_finish__gte=models.F("planned_start")),
            ),
            models.CheckConstraint(
                name="contract_contractor_is_not_supervisor",
                condition=~Q(contractor=models.F("supervisor")),
            ),
        ]

    def __str__(self):
        return self.number


class SupervisionNoteQuerySet(ScopedQuerySet):
    street_office_lookup = "estate__community__street_office"
    community_lookup = "estate__community"

    def for_company(self, company_id):
        return self.filter(estate_id__in=company_estate_ids(company_id))


class EstateScopeQuerySet(ScopedQuerySet):
    street_office_lookup = "estate__community__street_office"
    community_lookup = "estate__community"


class EstateScope(models.Model):
    """The approval state of one compound's scope (its twelve works-item rows).

    Status moves draft → submitted (the street office, ``submit_scope``) → approved
    (HQ, ``approve_scope``); HQ may send a submitted scope back to draft
    (``return_scope``). While draft the owning street office edits the rows; once
    submitted or approved only HQ office staff change them, each change audited."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "已报送"
        APPROVED = "approved", "已审定"

    estate = models.OneToOneField(
        Estate, on_delete=models.PROTECT, related_name="works_scope", verbose_name="小区"
    )
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)
    approved_at = models.DateTimeField("审定时间", null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="审定人",
    )

    objects = EstateScopeQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "工程范围审定"
        constraints = [
            models.CheckConstraint(
                name="estate_scope_approved_has_approver",
                condition=~Q(status="approved")
                | (Q(approved_at__isnull=False) & Q(approved_by__isnull=False)),
            ),
        ]

    def __str__(self):
        return f"{self.estate} · {self.get_status_display()}"


class ScheduleEntryQuerySet(ScopedQuerySet):
    street_office_lookup = "estate__community__street_office"
    community_lookup = "estate__community"


class ScheduleEntry(models.Model):
    """A row of a street office's progress schedule (工程进度计划安排表): the planned
    start and finish of one compound. Written by ``works.services.set_schedule``."""

    estate = models.OneToOneField(
        Estate, on_delete=models.PROTECT, related_name="works_schedule", verbose_name="小区"
    )
    planned_start = models.DateField("计划开工")
    planned_finish = models.DateField("计划完工")
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ScheduleEntryQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "工程进度计划"
        constraints = [
            models.CheckConstraint(
                name="schedule_finish_after_start",
                condition=Q(planned_finish__gte=models.F("planned_start")),
            ),
        ]

    def __str__(self):
        return f"{self.estate} {self.planned_start}–{self.planned_finish}"


# --- completion acceptance (工程竣工验收单) ------------------------------------------------
class AcceptanceFormQuerySet(ScopedQuerySet):
    street_office_lookup = "estate__community__street_office"
    community_lookup = "estate__community"

    def for_company(self, company_id):
        # The forms of the compounds a company worked on: it records its fixes there.
        return self.filter(estate_id__in=company_estate_ids(company_id))


class AcceptanceForm(models.Model):
    """A compound's completion acceptance (工程竣工验收单) and its rounds: the street office
    opens it once every works item of the approved scope is completed, both leads sign
    the round, the street office submits it, HQ passes or fails it. One per compound.

    Status (``works.acceptance`` holds one service per move):
    draft → awaiting_signatures (``send_for_signatures``) → submitted (``submit``, both
    signatures present) → passed (``pass_form``: every item and the compound accepted) or
    failed (``fail_form``, with rectifications) → rectifying (``record_fix``, the first
    fix recorded) → draft of the next round (``open_next_round``, every fix recorded).
    A change while awaiting signatures voids them and returns to draft
    (``update_round``). ``passed`` is final. ``migrated`` marks records created by the
    data migration for compounds accepted before forms existed."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        AWAITING_SIGNATURES = "awaiting_signatures", "待签字"
        SUBMITTED = "submitted", "已报送指挥部"
        PASSED = "passed", "验收通过"
        FAILED = "failed", "验收未通过"
        RECTIFYING = "rectifying", "整改中"

    estate = models.OneToOneField(
        Estate, on_delete=models.PROTECT, related_name="acceptance_form", verbose_name="小区"
    )
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.DRAFT)
    round_number = models.PositiveSmallIntegerField("当前轮次", default=1)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="发起人",
    )
    opened_at = models.DateTimeField("发起时间")
    status_changed_at = models.DateTimeField("状态变更时间")
    passed_at = models.DateTimeField("验收通过时间", null=True, blank=True)
    migrated = models.BooleanField(
        "迁移记录", default=False, help_text="启用验收单前已验收的小区，由数据迁移补记"
    )

    objects = AcceptanceFormQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "工程竣工验收单"
        ordering = ["-status_changed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="acceptance_passed_has_time",
                condition=~Q(status="passed") | Q(passed_at__isnull=False),
            ),
            models.CheckConstraint(
                name="acceptance_round_positive", condition=Q(round_number__gte=1)
            ),
        ]
        indexes = [
            # The acceptance list: forms by state, oldest change first ("waiting on HQ").
            models.Index(fields=["status", "status_changed_at"], name="acceptance_status_at"),
        ]

    def __str__(self):
        return f"{self.estate} 工程竣工验收单"

    @property
    def is_open_for_street(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.AWAITING_SIGNATURES)


class AcceptanceRoundQuerySet(ScopedQuerySet):
    street_office_lookup = "form__estate__community__street_office"
    community_lookup = "form__estate__community"


class AcceptanceRound(models.Model):
    """One round (version) of an acceptance form: what the street office and community
    found on site, signed by both leads and judged by HQ. A submitted round is frozen
    (``fingerprint`` is the sha256 of its content at submission); the next round is a
    new row and earlier ones stay readable."""

    class Outcome(models.TextChoices):
        PENDING = "pending", "未结论"
        PASSED = "passed", "通过"
        FAILED = "failed", "不通过"

    form = models.ForeignKey(
        AcceptanceForm, on_delete=models.PROTECT, related_name="rounds", verbose_name="验收单"
    )
    number = models.PositiveSmallIntegerField("轮次")
    acceptance_date = models.DateField("验收日期", null=True, blank=True)
    takeover_opinion = models.TextField("社区接管意见", max_length=1000, blank=True)
    street_participants = models.CharField("街道办事处参加人员", max_length=200, blank=True)
    community_participants = models.CharField("社区参加人员", max_length=200, blank=True)
    contractor_participants = models.CharField("施工单位参加人员", max_length=200, blank=True)
    supervisor_participants = models.CharField("监理单位参加人员", max_length=200, blank=True)
    created_at = models.DateTimeField("创建时间")
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="报送人",
    )
    fingerprint = models.CharField("内容指纹（报送时）", max_length=64, blank=True)
    outcome = models.CharField(
        "指挥部结论", max_length=10, choices=Outcome.choices, default=Outcome.PENDING
    )
    hq_conclusion = models.TextField("指挥部验收意见", max_length=1000, blank=True)
    decided_at = models.DateTimeField("结论时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="验收人",
    )
    decided_by_name = models.CharField("验收人姓名", max_length=60, blank=True)

    objects = AcceptanceRoundQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "验收轮次"
        ordering = ["form", "number"]
        constraints = [
            models.UniqueConstraint(fields=["form", "number"], name="acceptance_round_unique"),
            models.CheckConstraint(
                name="acceptance_round_decided_after_submitted",
                condition=Q(outcome="pending") | Q(submitted_at__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.form.estate} 第 {self.number} 轮"

    @property
    def is_frozen(self) -> bool:
        return self.submitted_at is not None


class AcceptanceItemQuerySet(ScopedQuerySet):
    street_office_lookup = "round__form__estate__community__street_office"
    community_lookup = "round__form__estate__community"


class AcceptanceItem(models.Model):
    """A works item of the scope as the round records it: planned and done quantity, the
    contractor and supervision firm of its contract (names as of opening, so a signed
    round never changes when the directory does), and the result with a note."""

    class Result(models.TextChoices):
        PENDING = "", "未填写"
        PASS = "pass", "合格"
        FAIL = "fail", "不合格"

    round = models.ForeignKey(
        AcceptanceRound, on_delete=models.PROTECT, related_name="items", verbose_name="轮次"
    )
    works_item = models.ForeignKey(
        EstateWorksItem, on_delete=models.PROTECT, related_name="+", verbose_name="工程项目"
    )
    number = models.PositiveSmallIntegerField("序号")
    name = models.CharField("工作内容", max_length=80)
    planned_quantity = models.DecimalField("计划工程量", max_digits=12, decimal_places=2)
    done_quantity = models.DecimalField(
        "完成工程量",
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    unit = models.CharField("单位", max_length=10, blank=True)
    contractor_name = models.CharField("施工单位", max_length=100, blank=True)
    supervisor_name = models.CharField("监理单位", max_length=100, blank=True)
    result = models.CharField("验收结果", max_length=4, choices=Result.choices, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)

    objects = AcceptanceItemQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "验收项目"
        ordering = ["round", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "works_item"], name="acceptance_item_unique_in_round"
            ),
            models.CheckConstraint(
                name="acceptance_item_done_not_negative", condition=Q(done_quantity__gte=0)
            ),
        ]

    def __str__(self):
        return f"{self.number}. {self.name}"


class AcceptancePhotoQuerySet(ScopedQuerySet):
    street_office_lookup = "round__form__estate__community__street_office"
    community_lookup = "round__form__estate__community"


class AcceptancePhoto(models.Model):
    """A photo of the acceptance on site, re-encoded on upload (``estates.photos``) and
    served only to users who can see the compound. The next round keeps the file."""

    public_id = models.UUIDField("编号", default=uuid.uuid4, unique=True, editable=False)
    round = models.ForeignKey(
        AcceptanceRound, on_delete=models.PROTECT, related_name="photos", verbose_name="轮次"
    )
    item = models.ForeignKey(
        AcceptanceItem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="photos",
        verbose_name="验收项目",
    )
    file = models.FileField("文件", max_length=200)
    width = models.PositiveIntegerField("宽")
    height = models.PositiveIntegerField("高")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="上传人"
    )
    uploaded_at = models.DateTimeField("上传时间")

    objects = AcceptancePhotoQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "验收照片"
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return f"验收照片 {self.public_id}"


class AcceptanceSignature(models.Model):
    """A lead's signature on one round, given with their own account and password at the
    moment of signing: name, role and time as they were, and the sha256 fingerprint of
    the round's content then. A change to the round voids it (``voided_at``); a voided
    signature is kept, never deleted."""

    class Slot(models.TextChoices):
        STREET = "street_lead", "街道办事处负责人"
        COMMUNITY = "community_lead", "社区负责人"

    round = models.ForeignKey(
        AcceptanceRound, on_delete=models.PROTECT, related_name="signatures", verbose_name="轮次"
    )
    slot = models.CharField("签字栏", max_length=20, choices=Slot.choices)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="签字人"
    )
    signer_name = models.CharField("签字人姓名", max_length=60)
    signer_role = models.CharField("签字人职务", max_length=60)
    signer_unit = models.CharField("签字人单位", max_length=60)
    signed_at = models.DateTimeField("签字时间")
    fingerprint = models.CharField("内容指纹", max_length=64)
    voided_at = models.DateTimeField("作废时间", null=True, blank=True)
    void_reason = models.CharField("作废原因", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "验收签字"
        ordering = ["round", "signed_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "slot"],
                condition=Q(voided_at__isnull=True),
                name="acceptance_one_live_signature_per_slot",
            ),
        ]

    def __str__(self):
        return f"{self.get_slot_display()} {self.signer_name}"


class AcceptanceRectificationQuerySet(ScopedQuerySet):
    street_office_lookup = "round__form__estate__community__street_office"
    community_lookup = "round__form__estate__community"

    def for_company(self, company_id):
        return self.filter(round__form__estate_id__in=company_estate_ids(company_id))


class AcceptanceRectification(models.Model):
    """A rectification HQ requires when it fails a round: which works item, what to fix,
    by when; and the contractor's fix as the street office records it."""

    round = models.ForeignKey(
        AcceptanceRound,
        on_delete=models.PROTECT,
        related_name="rectifications",
        verbose_name="轮次",
    )
    works_item = models.ForeignKey(
        EstateWorksItem, on_delete=models.PROTECT, related_name="+", verbose_name="工程项目"
    )
    description = models.CharField("整改要求", max_length=200)
    deadline = models.DateField("整改期限")
    fix_note = models.CharField("整改情况", max_length=500, blank=True)
    fixed_at = models.DateTimeField("整改登记时间", null=True, blank=True)
    fixed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="登记人",
    )

    objects = AcceptanceRectificationQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "验收整改要求"
        ordering = ["round", "deadline", "id"]
        constraints = [
            models.CheckConstraint(
                name="acceptance_fix_has_note",
                condition=Q(fixed_at__isnull=True) | ~Q(fix_note=""),
            ),
        ]

    def __str__(self):
        return self.description

    @property
    def is_fixed(self) -> bool:
        return self.fixed_at is not None


class AcceptanceStatusChange(models.Model):
    """The history of a form's status: one row per move, so every figure reads a form's
    state on any past day (``works.acceptance_queries``)."""

    form = models.ForeignKey(
        AcceptanceForm,
        on_delete=models.PROTECT,
        related_name="status_changes",
        verbose_name="验收单",
    )
    round_number = models.PositiveSmallIntegerField("轮次")
    status = models.CharField("状态", max_length=20, choices=AcceptanceForm.Status.choices)
    at = models.DateTimeField("时间")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="操作人",
    )

    class Meta:
        verbose_name = verbose_name_plural = "验收单状态记录"
        ordering = ["form", "at", "id"]
        indexes = [
            # "A form's state on day D": its latest change at or before D.
            models.Index(fields=["form", "at"], name="acceptance_change_form_at"),
        ]

    def __str__(self):
        return f"{self.form_id} {self.get_status_display()} {self.at:%Y-%m-%d}"


class CompanyAccount(models.Model):
    """Ties a contractor's site manager (施工单位现场负责人) or a supervision engineer
    (监理工程师) to their company in the directory. Created by HQ office staff
    (``works.services.create_company_account``); the company decides what the person sees:
    the compounds of its contracts, and within them only what concerns the works."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="company_account",
        verbose_name="账号",
    )
    company = models.ForeignKey(
        Company, on_delete=models.PROTECT, related_name="accounts", verbose_name="单位"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "单位账号"
        ordering = ["company", "user__username"]

    def __str__(self):
        return f"{self.company} · {self.user}"


class SupervisionNote(models.Model):
    """A supervision engineer's note (监理意见) on a compound's works: what was seen on
    site, for the street office and HQ to read. Never edited; a correction is a new note."""

    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="supervision_notes", verbose_name="小区"
    )
    works_item = models.ForeignKey(
        "EstateWorksItem",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervision_notes",
        verbose_name="工程项目",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="监理"
    )
    company = models.ForeignKey(
        Company, on_delete=models.PROTECT, related_name="supervision_notes", verbose_name="监理单位"
    )
    text = models.TextField("监理意见", max_length=2000)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    objects = SupervisionNoteQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "监理意见"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.estate} · {self.author}"
