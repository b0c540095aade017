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
from django.utils import timezone

from estates.scoping import ScopedQuerySet

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


HQ_ROLES = (Role.HQ_LEADER, Role.HQ_STAFF, Role.HQ_INSPECTOR)
STREET_ROLES = (Role.STREET_CLERK, Role.STREET_LEAD)


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
    def scope_label(self) -> str:
        if self.is_hq:
            return "全区"
        if self.is_street_staff and self.street_office_id:
            return self.street_office.name
        if self.is_community_lead and self.community_id:
            return self.community.name
        return "无"


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
    building_count = models.PositiveIntegerField("楼栋数", default=0)
    household_count = models.PositiveIntegerField("户数", default=0)
    floor_area = models.DecimalField(
        "建筑面积（㎡）",
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
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
        ]
        indexes = [
            # The ledger list filters by community and campaign and sorts by name.
            models.Index(fields=["campaign", "community"], name="estate_campaign_community"),
        ]

    def __str__(self):
        return self.name

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
        ]

    def __str__(self):
        return f"{self.get_action_display()} {self.content_type.model}#{self.object_id}"
