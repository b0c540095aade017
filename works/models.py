"""Works: the company directory, and each compound's scope among the twelve works items
with its budget and progress."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from estates.models import Estate, WorksItem
from estates.scoping import ScopedQuerySet
from works.validators import validate_uscc


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

    class Meta:
        verbose_name = verbose_name_plural = "单位名录"
        ordering = ["role", "name"]

    def __str__(self):
        return self.name


class EstateWorksItemQuerySet(ScopedQuerySet):
    street_office_lookup = "estate__community__street_office"
    community_lookup = "estate__community"


class EstateWorksItem(models.Model):
    """One of the twelve works items for one compound: whether it applies, how much, for
    what budget, and how far it has got.

    Status moves planned → tendered → under_construction → completed → accepted, one
    service each in ``works.services``; nothing else writes ``status``."""

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
        ]

    def __str__(self):
        return f"{self.estate} · {self.works_item.short_name}"
