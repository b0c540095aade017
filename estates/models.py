"""Organisation (district → street office → community), people and roles, campaigns, the
twelve works items, the compound ledger (台账), and the audit trail every app writes to."""

from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

from estates.scoping import ScopedQuerySet, company_estate_ids

phone_validator = RegexValidator(
    r"^[0-9\-\s()+]{7,20}$", "请输入有效的电话号码（7–20 位数字，可含 - 和空格）"
)

# The service targets of the source document, in its order (see DOMAIN.md).
EIGHT_HAVES = (
    "有物管用房",
    "有公共保洁",
    "有秩序维护",
    "有停车管理",
    "有设施维保",
    "有绿化养护",
    "有道路保养",
    "有房屋维修",
)
FOUR_HAVES = ("有清扫保洁", "有垃圾清运", "有秩序维护", "有日常维修")


class District(models.Model):
    """The district government running the campaign (中原区)."""

    name = models.CharField("名称", max_length=50, unique=True)

    class Meta:
        verbose_name = verbose_name_plural = "区"

    def __str__(self):
        return self.name


class StreetOfficeQuerySet(ScopedQuerySet):
    street_office_lookup = "pk"


class StreetOffice(models.Model):
    """A street office (街道办事处): patrols its compounds, files records, signs acceptance."""

    district = models.ForeignKey(District, on_delete=models.PROTECT, verbose_name="区")
    name = models.CharField("名称", max_length=50, unique=True)
    short_name = models.CharField("简称", max_length=20)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    objects = StreetOfficeQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "街道办事处"
        ordering = ["sort_order", "id"]

    def __str__(self):
        return self.name


class CommunityQuerySet(ScopedQuerySet):
    street_office_lookup = "street_office"
    community_lookup = "pk"


class Community(models.Model):
    """A community (社区) under a street office; its lead countersigns acceptance."""

    street_office = models.ForeignKey(
        StreetOffice,
        on_delete=models.PROTECT,
        related_name="communities",
        verbose_name="街道办事处",
    )
    name = models.CharField("名称", max_length=50)

    objects = CommunityQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "社区"
        ordering = ["street_office__sort_order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["street_office", "name"], name="community_name_unique_in_street"
            )
        ]

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    HQ_LEADER = "hq_leader", "指挥部领导"
    HQ_STAFF = "hq_staff", "指挥部办公室"
    HQ_INSPECTOR = "hq_inspector", "指挥部质量检查员"
    STREET_CLERK = "street_clerk", "街道办事处工作人员"
    STREET_LEAD = "street_lead", "街道办事处负责人"
    COMMUNITY_LEAD = "community_lead", "社区负责人"
    CONTRACTOR = "contractor", "施工单位现场负责人"
    SUPERVISOR = "supervisor", "监理工程师"


HQ_ROLES = (Role.HQ_LEADER, Role.HQ_STAFF, Role.HQ_INSPECTOR)
STREET_ROLES = (Role.STREET_CLERK, Role.STREET_LEAD)
#: People of a company in the directory; tied to it by ``works.CompanyAccount`` and seeing
#: only the compounds of that company's contracts.
COMPANY_ROLES = (Role.CONTRACTOR, Role.SUPERVISOR)


class User(AbstractUser):
    """A person using the system. The role fixes what they may do; the street office or
    community fixes which rows they see (``ScopedQuerySet.visible_to``).

    HQ roles see the whole district; street roles their street office; a community lead
    their community. A user with no role sees nothing (an account being set up)."""

    role = models.CharField("角色", max_length=20, choices=Role.choices, blank=True)
    display_name = models.CharField("姓名", max_length=30, blank=True)
    phone = models.CharField("电话", max_length=20, blank=True, validators=[phone_validator])
    street_office = models.ForeignKey(
        StreetOffice,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name="所属街道办事处",
    )
    community = models.ForeignKey(
        Community,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name="所属社区",
    )

    objects = UserManager()

    class Meta:
        verbose_name = verbose_name_plural = "用户"
        constraints = [
            models.CheckConstraint(
                name="user_street_role_has_street_office",
                condition=~Q(role__in=[r.value for r in STREET_ROLES])
                | Q(street_office__isnull=False),
            ),
            models.CheckConstraint(
                name="user_community_lead_has_community",
                condition=~Q(role=Role.COMMUNITY_LEAD) | Q(community__isnull=False),
            ),
        ]

    def __str__(self):
        return self.display_name or self.username

    def clean(self):
        super().clean()
        if self.role in STREET_ROLES and not self.street_office_id:
            raise ValidationError({"street_office": "街道办事处角色必须指定所属街道办事处"})
        if self.role == Role.COMMUNITY_LEAD and not self.community_id:
            raise ValidationError({"community": "社区负责人必须指定所属社区"})

    # Role predicates: the vocabulary every permission check is written in.
    @property
    def is_hq(self) -> bool:
        return self.role in HQ_ROLES

    @property
    def is_hq_staff(self) -> bool:
        return self.role == Role.HQ_STAFF

    @property
    def is_hq_leader(self) -> bool:
        return self.role == Role.HQ_LEADER

    @property
    def is_inspector(self) -> bool:
        return self.role == Role.HQ_INSPECTOR

    @property
    def is_street_staff(self) -> bool:
        return self.role in STREET_ROLES

    @property
    def is_community_lead(self) -> bool:
        return self.role == Role.COMMUNITY_LEAD

    @property
    def is_company_staff(self) -> bool:
        return self.role in COMPANY_ROLES

    @property
    def is_contractor(self) -> bool:
        return self.role == Role.CONTRACTOR

    @property
    def is_supervisor(self) -> bool:
        return self.role == Role.SUPERVISOR

    def owns_street_office(self, street_office_id) -> bool:
        """Whether this is a person of street office ``street_office_id`` (its clerk or
        lead): the one answer to "is this my street office?"."""
        return bool(
            self.is_street_staff
            and self.street_office_id
            and self.street_office_id == street_office_id
        )

    def owns_community(self, community_id) -> bool:
        """Whether this is the lead of community ``community_id``."""
        return bool(
            self.is_community_lead and self.community_id and self.community_id == community_id
        )

    @cached_property
    def company_id(self):
        """The company of a contractor's or supervision firm's person (``works.CompanyAccount``,
        reached by its reverse one-to-one name), or None."""
        if not self.is_company_staff:
            return None
        account = getattr(self, "company_account", None)
        return account.company_id if account is not None else None

    @property
    def scope_label(self) -> str:
        if self.is_hq:
            return "全区"
        if self.is_company_staff:
            account = getattr(self, "company_account", None)
            return str(account.company) if account is not None else "无"
        if self.is_street_staff and self.street_office_id:
            return self.street_office.name
        if self.is_community_lead and self.community_id:
            return self.community.name
        return "无"


class CampaignQuerySet(models.QuerySet):
    def current(self, day):
        """The campaign of ``day``'s year, else the latest before it (None before any
        campaign exists): the batch pages and figures default to."""
        return self.filter(year__lte=day.year).order_by("-year").first()


class Campaign(models.Model):
    """One year's batch of the campaign, with the milestones of the source document.

    Defaults follow the 2013 plan: tendering in the first half, construction started by
    31 July, finished by 30 September, acceptance in October and November."""

    year = models.PositiveSmallIntegerField(
        "年度", unique=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    name = models.CharField("名称", max_length=60)
    tender_deadline = models.DateField("预算及招投标完成")
    construction_start_deadline = models.DateField("开工截止")
    construction_finish_deadline = models.DateField("完工截止")
    acceptance_start = models.DateField("验收开始")
    acceptance_end = models.DateField("验收截止")

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "整治批次"
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                name="campaign_milestones_in_order",
                condition=Q(tender_deadline__lte=models.F("construction_start_deadline"))
                & Q(construction_start_deadline__lte=models.F("construction_finish_deadline"))
                & Q(construction_finish_deadline__lte=models.F("acceptance_start"))
                & Q(acceptance_start__lte=models.F("acceptance_end")),
            )
        ]

    def __str__(self):
        return self.name

    def clean(self):
        dates = [
            self.tender_deadline,
            self.construction_start_deadline,
            self.construction_finish_deadline,
            self.acceptance_start,
            self.acceptance_end,
        ]
        if all(dates) and dates != sorted(dates):
            raise ValidationError(
                "各节点日期须依次为：招投标完成 ≤ 开工 ≤ 完工 ≤ 验收开始 ≤ 验收截止"
            )

    @classmethod
    def defaults_for_year(cls, year: int) -> dict:
        from datetime import date

        return {
            "name": f"{year}年度老旧小区整治改造",
            "tender_deadline": date(year, 6, 30),
            "construction_start_deadline": date(year, 7, 31),
            "construction_finish_deadline": date(year, 9, 30),
            "acceptance_start": date(year, 10, 1),
            "acceptance_end": date(year, 11, 30),
        }


class WorksItem(models.Model):
    """One of the twelve works items (工作内容) of the source document; reference data
    created by a migration, labels exactly as the document words them."""

    number = models.PositiveSmallIntegerField("序号", unique=True)
    name = models.CharField("工作内容", max_length=80, unique=True)
    short_name = models.CharField("简称", max_length=20)
    default_unit = models.CharField("默认计量单位", max_length=10)

    class Meta:
        verbose_name = verbose_name_plural = "工作内容"
        ordering = ["number"]

    def __str__(self):
        return f"{self.number}. {self.name}"


class EstateQuerySet(ScopedQuerySet):
    street_office_lookup = "community__street_office"
    community_lookup = "community"

    def for_company(self, company_id):
        return self.filter(pk__in=company_estate_ids(company_id))

    def active(self):
        return self.filter(archived_at__isnull=True)

    def with_org(self):
        return self.select_related("community__street_office", "campaign")


class Estate(models.Model):
    """A row of the ledger (台账): an old compound or a scattered building/courtyard.

    The condition class sets the target: good infrastructure → 八有, large gap → 四有.
    Users never delete a compound; HQ archives it (``archived_at``), and every change is
    an ``AuditEvent`` written by ``estates.services``."""

    class Kind(models.TextChoices):
        COMPOUND = "compound", "小区"
        SCATTERED = "scattered", "零星楼院"

    class ConditionClass(models.TextChoices):
        GOOD = "good", "基础设施较好"
        GAP = "gap", "基础设施差距较大"

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="estates", verbose_name="社区"
    )
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="estates",
        verbose_name="整治批次",
    )
    name = models.CharField("名称", max_length=80)
    address = models.CharField("地址", max_length=200)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices, default=Kind.COMPOUND)
    build_year = models.PositiveSmallIntegerField(
        "建成年份",
        null=True,
        blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2100)],
    )
    # Required facts of the ledger: no default, so a form or import that leaves one out
    # is refused by name instead of recording a silent 0.
    building_count = models.PositiveIntegerField("楼栋数", validators=[MinValueValidator(1)])
    household_count = models.PositiveIntegerField("户数", validators=[MinValueValidator(1)])
    floor_area = models.DecimalField(
        "建筑面积（㎡）",
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    owning_unit = models.CharField("产权单位", max_length=100, blank=True)
    condition_class = models.CharField(
        "基础设施状况", max_length=10, choices=ConditionClass.choices, default=ConditionClass.GAP
    )
    street_contact_name = models.CharField("街道办事处责任人", max_length=30, blank=True)
    street_contact_phone = models.CharField(
        "街道责任人电话", max_length=20, blank=True, validators=[phone_validator]
    )
    community_contact_name = models.CharField("社区责任人", max_length=30, blank=True)
    community_contact_phone = models.CharField(
        "社区责任人电话", max_length=20, blank=True, validators=[phone_validator]
    )
    notes = models.TextField("备注", max_length=2000, blank=True)
    # Optional position for the map (WGS-84 degrees, as a phone or a map picker gives
    # them); both or neither, checked in the database and in ``clean``.
    latitude = models.DecimalField(
        "纬度",
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("-90")), MaxValueValidator(Decimal("90"))],
        help_text="−90 至 90，如 34.746600",
    )
    longitude = models.DecimalField(
        "经度",
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("-180")), MaxValueValidator(Decimal("180"))],
        help_text="−180 至 180，如 113.625400",
    )
    # The compound's own date of entering the ledger (an import carries the original
    # date); 本周新增 counts by it, not by when the row was created.
    registered_on = models.DateField("纳入台账日期", default=timezone.localdate)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    archived_at = models.DateTimeField("归档时间", null=True, blank=True)

    objects = EstateQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "小区"
        ordering = ["community__street_office__sort_order", "community__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "name"], name="estate_name_unique_in_community"
            ),
            models.CheckConstraint(
                name="estate_floor_area_not_negative", condition=Q(floor_area__gte=0)
            ),
            models.CheckConstraint(
                name="estate_build_year_plausible",
                condition=Q(build_year__isnull=True) | Q(build_year__range=(1900, 2100)),
            ),
            models.CheckConstraint(
                name="estate_coordinates_both_or_neither_in_range",
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__range=(-90, 90), longitude__range=(-180, 180)),
            ),
        ]
        indexes = [
            # The ledger list filters by community and campaign and sorts by name.
            models.Index(fields=["campaign", "community"], name="estate_campaign_community"),
            # A street office's (or community's) compounds, read from the index alone:
            # its scope wherever rows are reached through compounds (the tenders and
            # contracts of its compounds), the count of its works list and ledger (on
            # the ledger: ``archived_at`` null), the compounds whose items its works
            # totals add up and the campaign its overdue test needs
            # (``works.queries.office_totals``); a scan of every compound otherwise.
            models.Index(
                fields=["community", "archived_at", "campaign", "id"],
                name="estate_by_community",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if (self.latitude is None) != (self.longitude is None):
            missing = "latitude" if self.latitude is None else "longitude"
            raise ValidationError({missing: "经度和纬度须同时填写（或都不填）"})

    @property
    def has_coordinates(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    def validate_constraints(self, exclude=None):
        # Name the field and the community when a name is taken, instead of Django's
        # generic "包含 社区 和 名称 的 小区 已经存在".
        try:
            super().validate_constraints(exclude)
        except ValidationError as exc:
            errors = exc.update_error_dict({})
            for error in errors.pop(NON_FIELD_ERRORS, []):
                if getattr(error, "code", None) in ("unique", "unique_together"):
                    message = f"{self.community}已有名为「{self.name}」的小区"
                    errors.setdefault("name", []).append(ValidationError(message, code="unique"))
                else:
                    errors.setdefault(NON_FIELD_ERRORS, []).append(error)
            raise ValidationError(errors) from exc

    @property
    def street_office(self):
        return self.community.street_office

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def target_name(self) -> str:
        return "八有" if self.condition_class == self.ConditionClass.GOOD else "四有"

    @property
    def target_items(self) -> tuple[str, ...]:
        return EIGHT_HAVES if self.condition_class == self.ConditionClass.GOOD else FOUR_HAVES

    @property
    def target_standard(self) -> str:
        if self.condition_class == self.ConditionClass.GOOD:
            return "美化、亮化、绿化、净化、整洁、通畅"
        return "灯亮、路平、水通、安全"


class AuditEvent(models.Model):
    """Who changed what, when: one row per change to a government record, written in the
    same transaction as the change by the service that made it. Never edited or deleted."""

    class Action(models.TextChoices):
        CREATE = "create", "创建"
        UPDATE = "update", "修改"
        ARCHIVE = "archive", "归档"
        RESTORE = "restore", "恢复"
        IMPORT = "import", "导入"
        TRANSITION = "transition", "状态变更"
        AMEND = "amend", "更正"

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="操作人",
    )
    at = models.DateTimeField("时间", default=timezone.now)
    action = models.CharField("操作", max_length=20, choices=Action.choices)
    summary = models.CharField("摘要", max_length=200, blank=True)
    #: {field name: {"label": verbose name, "old": display value, "new": display value}}
    changes = models.JSONField("变更内容", default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "操作记录"
        ordering = ["-at", "-id"]
        indexes = [
            # The history panel of a detail page: one object's events, newest first.
            models.Index(fields=["content_type", "object_id", "-at"], name="audit_object_at"),
            # The incremental roll-up: "what changed since the last run" (reports.rollup).
            models.Index(fields=["at"], name="audit_at"),
        ]

    def __str__(self):
        return f"{self.get_action_display()} {self.content_type.model}#{self.object_id}"


class Topic(models.TextChoices):
    """What a message is about; a user chooses per topic which reach them outside the app."""

    PATROL = "patrol", "每日巡查"
    HAZARD = "hazard", "安全隐患"
    QUALITY = "quality", "质量反馈"
    WORKS = "works", "工程量与进度"
    WEEKLY_REPORT = "weekly_report", "街道周报"
    ACTION_ITEM = "action_item", "督办事项"
    ACCEPTANCE = "acceptance", "竣工验收"
    COVERAGE = "coverage", "物业管理覆盖"


class Message(models.Model):
    """An in-app message (站内消息): something assigned to the user, a change of state that
    concerns them, or a reminder before or after a deadline.

    Written in the same transaction as the change that causes it, so it exists exactly when
    the change does. ``key`` names a reminder (“hazard-due:17:2026-12-04”): one message per
    recipient per key is a constraint, so a reminder job run twice sends each reminder once."""

    class Kind(models.TextChoices):
        ASSIGNED = "assigned", "新任务"
        CHANGED = "changed", "状态变更"
        REMINDER = "reminder", "到期提醒"
        OVERDUE = "overdue", "逾期提醒"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="messages",
        verbose_name="接收人",
    )
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    topic = models.CharField("事项", max_length=20, choices=Topic.choices)
    title = models.CharField("标题", max_length=100)
    body = models.CharField("内容", max_length=500, blank=True)
    link = models.CharField("办理地址", max_length=300, blank=True)
    key = models.CharField("提醒标识", max_length=150, blank=True)
    created_at = models.DateTimeField("时间", default=timezone.now)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "站内消息"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"],
                condition=~Q(key=""),
                name="message_once_per_recipient_key",
            ),
        ]
        indexes = [
            # The message list and the unread badge in the navigation: one user's messages.
            models.Index(fields=["recipient", "read_at", "-created_at"], name="message_inbox"),
        ]

    def __str__(self):
        return self.title


class NotificationPreference(models.Model):
    """Which topics reach a user outside the app (e-mail, the street office's group robot).
    No row means the default: in-app only."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="notification_preferences",
        verbose_name="用户",
    )
    topic = models.CharField("事项", max_length=20, choices=Topic.choices)
    by_email = models.BooleanField("电子邮件", default=False)
    by_webhook = models.BooleanField("工作群机器人", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "提醒方式"
        constraints = [
            models.UniqueConstraint(fields=["user", "topic"], name="preference_once_per_topic"),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_topic_display()}"


class Delivery(models.Model):
    """A message sent over an outside channel: an outbox row written with the message,
    sent after commit by a task and retried with back-off by a periodic sweep. The in-app
    message and the action that caused it never wait for it.

    pending → sent, or pending → failed after ``MAX_ATTEMPTS``."""

    MAX_ATTEMPTS = 6

    class Channel(models.TextChoices):
        EMAIL = "email", "电子邮件"
        WEBHOOK = "webhook", "工作群机器人"

    class Status(models.TextChoices):
        PENDING = "pending", "待发送"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败"

    message = models.ForeignKey(
        Message, on_delete=models.PROTECT, related_name="deliveries", verbose_name="消息"
    )
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    #: the e-mail address, or the street office's short name for its group robot
    target = models.CharField("发送对象", max_length=254)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试", default=timezone.now)
    last_error = models.CharField("最近错误", max_length=300, blank=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "外部提醒"
        constraints = [
            models.UniqueConstraint(
                fields=["message", "channel"], name="delivery_once_per_channel"
            ),
        ]
        indexes = [
            # The sweep: pending deliveries that are due.
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due"),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} → {self.target}"


class ExportJob(models.Model):
    """An export too large to build inside a request, built by a Celery worker.

    Status moves queued → running → done, or → failed (with the reason). The finished file
    is served only to the user who asked for it, and built within that user's scope."""

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "生成中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    kind = models.CharField("报表", max_length=40)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="申请人"
    )
    params = models.CharField("筛选条件", max_length=1000, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.QUEUED)
    created_at = models.DateTimeField("申请时间", auto_now_add=True)
    #: When the broker last took its task (``estates.outbox``); None: not yet.
    enqueued_at = models.DateTimeField("入队时间", null=True, blank=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    row_count = models.PositiveIntegerField("行数", null=True, blank=True)
    file = models.FileField("文件", upload_to="exports/%Y/%m/", blank=True)
    filename = models.CharField("文件名", max_length=200, blank=True)
    error = models.CharField("失败原因", max_length=500, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "导出任务"
        ordering = ["-created_at", "-id"]
        indexes = [
            # "My exports": one user's jobs, newest first.
            models.Index(fields=["owner", "-created_at"], name="export_owner_created"),
        ]

    def __str__(self):
        return f"{self.kind}#{self.pk}"

    def get_absolute_url(self):
        # The jobs' pages are the top floor's (reports reads everything); by name only.
        return reverse("reports:export-detail", args=[self.pk])

    @property
    def is_pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class ImportJobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Its owner's jobs; HQ (which reads everything) sees every job."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        return self if user.is_hq else self.filter(owner=user)


class ImportJob(models.Model):
    """A ledger import (``estates.importing``) too large to run inside a request, run by
    a Celery worker from the stored upload.

    Status moves queued → checking (every row read and checked; ``rows_read`` of
    ``rows_total`` committed as it goes) → writing (one transaction: every row or none;
    ``rows_written`` is reported from a second connection where the database allows
    it) → done, or → refused (the file's problems in ``errors``, nothing written) or
    failed (an unexpected error, nothing written). Only its owner and HQ see it."""

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        CHECKING = "checking", "检查中"
        WRITING = "writing", "写入中"
        DONE = "done", "已导入"
        REFUSED = "refused", "未导入（文件有误）"
        FAILED = "failed", "未导入（出错）"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="上传人"
    )
    file = models.FileField("文件", upload_to="imports/%Y/%m/")
    filename = models.CharField("文件名", max_length=200)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.QUEUED)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    #: When the broker last took its task (``estates.outbox``); None: not yet.
    enqueued_at = models.DateTimeField("入队时间", null=True, blank=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    #: Rows of the sheet below its header, as the file declares them (None: not known yet).
    rows_total = models.PositiveIntegerField("总行数", null=True, blank=True)
    rows_read = models.PositiveIntegerField("已检查行数", default=0)
    #: Rows that passed the check and are being written (set when writing starts).
    rows_to_write = models.PositiveIntegerField("待写入行数", default=0)
    rows_written = models.PositiveIntegerField("已写入行数", default=0)
    created = models.PositiveIntegerField("新增", default=0)
    updated = models.PositiveIntegerField("更新", default=0)
    unchanged = models.PositiveIntegerField("未变化", default=0)
    #: [{"row": 12 or None, "column": "户数", "message": "…"}], at most 201.
    errors = models.JSONField("问题", default=list, blank=True)
    error = models.CharField("失败原因", max_length=500, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "台账导入任务"
        ordering = ["-created_at", "-id"]
        indexes = [
            # "My imports" and the sweep: one user's jobs newest first; jobs by status.
            models.Index(fields=["owner", "-created_at"], name="import_owner_created"),
            models.Index(fields=["status", "created_at"], name="import_status_created"),
        ]

    def __str__(self):
        return f"台账导入#{self.pk}"

    def get_absolute_url(self):
        return reverse("estates:import-job", args=[self.pk])

    @property
    def is_pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.CHECKING, self.Status.WRITING)

    @property
    def percent(self) -> int:
        """How far the job is, 0–100: checking counts for the first half, writing for the
        second (writing takes most of the time, but checking is what a user waits on to
        learn whether the file is good)."""
        if self.status == self.Status.DONE:
            return 100
        total = self.rows_total or 0
        if not total:
            return 0
        if self.status == self.Status.WRITING:
            return 50 + min(50, self.rows_written * 50 // max(self.rows_to_write, 1))
        return min(50, self.rows_read * 50 // total)
