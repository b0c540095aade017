"""Long-term management (长效管理) of renovated compounds: who manages each compound
(management arrangements, with their history), whether it meets its service target
(八有 or 四有, item by item, verified by HQ), and the periodic re-inspections (回头看)
that catch a relapse (前治后乱).

The service target always follows the compound's *current* condition class
(``Estate.target_items``): assessments of items outside the current target are kept
but do not count."""

import calendar
import uuid
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from estates.asof import HistoryRow, backfill_history, start_of
from estates.models import EIGHT_HAVES, FOUR_HAVES, Estate
from estates.scoping import ScopedQuerySet
from works.models import Company

#: Every item label of either target, in the source document's order (有秩序维护 is in both).
ALL_TARGET_ITEMS = tuple(dict.fromkeys(EIGHT_HAVES + FOUR_HAVES))
TARGET_ITEM_CHOICES = [(label, label) for label in ALL_TARGET_ITEMS]

#: How often a renovated compound is looked at again (回头看), in days.
REINSPECTION_INTERVAL_DAYS = 90
#: An arrangement "expires soon" when its term ends within this many days.
EXPIRY_WARNING_DAYS = 60


def add_months(start: date, months: int) -> date:
    """``start`` moved ``months`` calendar months on (31 Jan + 1 month → 28/29 Feb)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


class ArrangementQuerySet(ScopedQuerySet):
    street_office_lookup = "estate__community__street_office"
    community_lookup = "estate__community"

    def in_force_on(self, day: date):
        """Arrangements in force on ``day``: started, term not run out, not ended."""
        return self.filter(
            Q(start_date__lte=day),
            Q(expires_on__isnull=True) | Q(expires_on__gte=day),
            Q(ended_on__isnull=True) | Q(ended_on__gte=day),
        )

    def with_related(self):
        return self.select_related("estate__community__street_office", "company", "created_by")


class ManagementArrangement(models.Model):
    """Who manages a compound from a start date: a professional property company
    (专业化物业公司进驻), the owning work unit (后勤式管理) or the community (社区介入).

    Arrangements are never overwritten: recording a new one ends the open one the day
    before the new one starts (``coverage.services.record_arrangement``); an open
    arrangement may also be ended on its own (``end_arrangement``). Open → ended is the
    only transition, and ``ended_on`` is the last day it was in force."""

    class Mode(models.TextChoices):
        PROFESSIONAL = "professional", "专业化物业公司进驻"
        LOGISTICS = "logistics", "后勤式管理"
        COMMUNITY = "community", "社区介入"

    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="arrangements", verbose_name="小区"
    )
    mode = models.CharField("管理模式", max_length=20, choices=Mode.choices)
    company = models.ForeignKey(
        Company,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="arrangements",
        verbose_name="物业服务企业",
        help_text="专业化物业公司进驻时必填，从单位名录中选择",
    )
    provider_name = models.CharField(
        "管理单位",
        max_length=100,
        blank=True,
        help_text="后勤式管理填产权单位，社区介入填社区；留空则自动填写",
    )
    start_date = models.DateField("起始日期")
    term_months = models.PositiveSmallIntegerField(
        "期限（月）",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
        help_text="留空表示长期",
    )
    expires_on = models.DateField("到期日期", null=True, blank=True, editable=False)
    monthly_fee = models.DecimalField(
        "物业服务费（元/㎡·月）",
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="无收费的留空",
    )
    responsible_name = models.CharField("责任人", max_length=30)
    responsible_phone = models.CharField("责任人电话", max_length=20, blank=True)
    notes = models.CharField("备注", max_length=200, blank=True)
    ended_on = models.DateField("终止日期", null=True, blank=True)
    end_reason = models.CharField("终止原因", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="登记人",
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    objects = ArrangementQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "物业管理安排"
        ordering = ["estate", "-start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["estate"],
                condition=Q(ended_on__isnull=True),
                name="arrangement_one_open_per_estate",
            ),
            models.CheckConstraint(
                name="arrangement_professional_has_company",
                condition=~Q(mode="professional") | Q(company__isnull=False),
            ),
            models.CheckConstraint(
                name="arrangement_fee_not_negative",
                condition=Q(monthly_fee__isnull=True) | Q(monthly_fee__gte=0),
            ),
            models.CheckConstraint(
                name="arrangement_term_positive",
                condition=Q(term_months__isnull=True) | Q(term_months__gte=1),
            ),
            models.CheckConstraint(
                name="arrangement_ends_after_start",
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("start_date")),
            ),
            models.CheckConstraint(
                name="arrangement_expires_after_start",
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=models.F("start_date")),
            ),
        ]
        indexes = [
            # "The arrangement in force on day D" per compound (coverage figures, the
            # ledger's current-arrangement subquery).
            models.Index(fields=["estate", "start_date"], name="arrangement_estate_start"),
            # "Arrangements expiring within 60 days".
            models.Index(fields=["expires_on"], name="arrangement_expires_on"),
        ]

    def __str__(self):
        return f"{self.estate} · {self.get_mode_display()}（{self.start_date}起）"

    def clean(self):
        super().clean()
        if self.mode == self.Mode.PROFESSIONAL:
            if not self.company_id:
                raise ValidationError({"company": "专业化物业公司进驻须选择物业服务企业"})
            if self.company.role != Company.Role.PROPERTY_MANAGER:
                raise ValidationError({"company": "所选单位不是物业服务企业"})
        elif self.company_id:
            raise ValidationError({"company": "只有专业化物业公司进驻才选择物业服务企业"})
        if self.mode == self.Mode.LOGISTICS and not (self.provider_name or "").strip():
            raise ValidationError({"provider_name": "后勤式管理须填写管理单位（产权单位）"})
        if self.ended_on and self.start_date and self.ended_on < self.start_date:
            raise ValidationError({"ended_on": "终止日期不能早于起始日期"})

    def compute_expiry(self):
        """The last day of the term (start + term months − 1 day); None when open-ended."""
        if self.term_months and self.start_date:
            return add_months(self.start_date, self.term_months) - timedelta(days=1)
        return None

    @property
    def provider_label(self) -> str:
        return self.company.name if self.company_id else self.provider_name

    @property
    def is_open(self) -> bool:
        return self.ended_on is None

    def in_force_on(self, day: date) -> bool:
        return (
            self.start_date <= day
            and (self.expires_on is None or self.expires_on >= day)
            and (self.ended_on is None or self.ended_on >= day)
        )


class AssessmentQuerySet(ScopedQuerySet):
    street_office_lookup = "estate__community__street_office"
    community_lookup = "estate__community"

    def verified_met(self):
        return self.filter(met=True, verification=ServiceAssessment.Verification.VERIFIED)

    def with_related(self):
        return self.select_related("estate__community__street_office", "assessed_by", "verified_by")


def evidence_path(instance, filename):
    # Random names: the file name never reveals the compound or the uploader, and two
    # uploads never collide. The stored file is our re-encoded JPEG (see photos.py).
    return f"coverage/evidence/{uuid.uuid4().hex}.jpg"


class ArrangementHistory(HistoryRow):
    """The states of one arrangement over time (``estates.asof``): opened when it is
    recorded and again when it is ended (by hand or by its successor), so the figures for
    a past day read the arrangement as it was recorded then; an ending entered later with
    a back-dated last day never changes a past figure."""

    OWNER = "arrangement"
    TRACKED = ("mode", "start_date", "expires_on", "ended_on")

    arrangement = models.ForeignKey(
        ManagementArrangement,
        on_delete=models.PROTECT,
        related_name="history",
        verbose_name="管理安排",
    )
    # Denormalised from the arrangement so the figures filter by compound without a join.
    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    mode = models.CharField("管理模式", max_length=20, choices=ManagementArrangement.Mode.choices)
    start_date = models.DateField("起始日期")
    expires_on = models.DateField("到期日期", null=True, blank=True)
    ended_on = models.DateField("终止日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "管理安排历史"
        ordering = ["arrangement", "valid_from", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["arrangement"],
                condition=Q(valid_to__isnull=True),
                name="arrangement_history_one_open",
            ),
        ]
        indexes = [
            # Coverage figures as of a day: a compound's arrangements valid at a moment.
            models.Index(
                fields=["estate", "valid_from", "valid_to"], name="arrangement_hist_estate"
            ),
        ]

    @classmethod
    def extra_values(cls, record) -> dict:
        return {"estate_id": record.estate_id}

    def __str__(self):
        return f"{self.arrangement_id} {self.ended_on or '—'} @{self.valid_from:%Y-%m-%d %H:%M}"


class ServiceAssessment(models.Model):
    """One item of a compound's service target (e.g. 有公共保洁), as the street office
    assessed it (met or not, with a note and a photo as evidence) and as HQ verified it.

    One row per compound and item; re-assessing updates the row (the audit trail keeps
    every version). Verification moves pending → verified | rejected; a re-assessment
    sends it back to pending. A re-inspection that finds the item no longer met sets it
    to not met, verified by the inspector. The compound meets its target when every item
    of its *current* target is met and verified."""

    class Verification(models.TextChoices):
        PENDING = "pending", "待核验"
        VERIFIED = "verified", "已核验"
        REJECTED = "rejected", "核验未通过"

    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="service_assessments", verbose_name="小区"
    )
    item = models.CharField("目标项", max_length=10, choices=TARGET_ITEM_CHOICES)
    met = models.BooleanField("是否达到")
    note = models.CharField("情况说明", max_length=300, blank=True)
    photo = models.FileField("照片", upload_to=evidence_path, blank=True, max_length=200)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="评定人",
    )
    assessed_at = models.DateTimeField("评定时间")
    verification = models.CharField(
        "核验状态", max_length=10, choices=Verification.choices, default=Verification.PENDING
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="核验人",
    )
    verified_at = models.DateTimeField("核验时间", null=True, blank=True)
    verification_note = models.CharField("核验意见", max_length=300, blank=True)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "服务目标评定"
        ordering = ["estate", "id"]
        indexes = [
            # 我的待办 (coverage.todo): assessments awaiting HQ's verification, oldest
            # first, without sorting every pending one (4,400 at nation scale).
            models.Index(fields=["verification", "assessed_at"], name="assessment_pending_since"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["estate", "item"], name="assessment_one_per_item"),
            models.CheckConstraint(
                name="assessment_item_known",
                condition=Q(item__in=ALL_TARGET_ITEMS),
            ),
            models.CheckConstraint(
                name="assessment_verified_has_verifier",
                condition=Q(verification="pending") | Q(verified_by__isnull=False),
            ),
        ]
        # The figures' "items verified met" subquery is served by the unique index
        # (estate, item).

    def __str__(self):
        return f"{self.estate} · {self.item}"

    @property
    def is_verified_met(self) -> bool:
        return self.met and self.verification == self.Verification.VERIFIED


class AssessmentHistory(HistoryRow):
    """The states of one target item's assessment over time (``estates.asof``): each
    assessment (pending), each verification, each re-assessment that sends the item back
    to HQ. 目标达成 for a past day reads the state of that day, so a verified item
    re-assessed later still counts as verified on the days it was."""

    OWNER = "assessment"
    TRACKED = ("met", "verification")

    assessment = models.ForeignKey(
        ServiceAssessment,
        on_delete=models.PROTECT,
        related_name="history",
        verbose_name="目标评定",
    )
    # Denormalised from the assessment so the figures count by compound and item alone.
    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    item = models.CharField("目标项", max_length=10, choices=TARGET_ITEM_CHOICES)
    met = models.BooleanField("是否达到")
    verification = models.CharField(
        "核验", max_length=10, choices=ServiceAssessment.Verification.choices
    )

    class Meta:
        verbose_name = verbose_name_plural = "目标评定历史"
        ordering = ["assessment", "valid_from", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment"],
                condition=Q(valid_to__isnull=True),
                name="assessment_history_one_open",
            ),
        ]
        indexes = [
            # 目标达成 as of a day: a compound's verified items valid at a moment.
            models.Index(
                fields=["estate", "valid_from", "valid_to"], name="assessment_hist_estate"
            ),
        ]

    @classmethod
    def extra_values(cls, record) -> dict:
        return {"estate_id": record.estate_id, "item": record.item}

    def __str__(self):
        return f"{self.assessment_id} {self.verification} @{self.valid_from:%Y-%m-%d %H:%M}"


def backfill_coverage_history(arrangements, arrangement_history, assessments, assessment_history):
    """History for arrangements and assessments that have none (the migration that adds
    it, demo data), rebuilt from their own times (the models may be a migration's):

    - an arrangement open from when it was recorded; its ending known from when its
      successor was recorded, else from the day after its last day;
    - an assessment pending from when it was assessed; verified or sent back from when
      HQ checked it."""
    successor_recorded = {}
    previous = {}
    for row in arrangements.objects.order_by("estate_id", "start_date", "pk").only(
        "pk", "estate_id", "created_at"
    ):
        if row.estate_id in previous:
            successor_recorded[previous[row.estate_id]] = row.created_at
        previous[row.estate_id] = row.pk

    def arrangement_states(row):
        values = {
            "mode": row.mode,
            "start_date": row.start_date,
            "expires_on": row.expires_on,
            "ended_on": None,
        }
        if row.ended_on is None:
            return [(row.created_at, values)]
        known = successor_recorded.get(row.pk) or start_of(row.ended_on + timedelta(days=1))
        if known <= row.created_at:
            return [(row.created_at, {**values, "ended_on": row.ended_on})]
        return [(row.created_at, values), (known, {**values, "ended_on": row.ended_on})]

    def assessment_states(row):
        pending = {"met": row.met, "verification": ServiceAssessment.Verification.PENDING}
        checked = {"met": row.met, "verification": row.verification}
        if row.verification == ServiceAssessment.Verification.PENDING or row.verified_at is None:
            return [(row.assessed_at, pending)]
        if row.verified_at <= row.assessed_at:
            return [(row.assessed_at, checked)]
        return [(row.assessed_at, pending), (row.verified_at, checked)]

    backfill_history(
        arrangement_history,
        "arrangement",
        arrangements.objects.order_by("pk").iterator(chunk_size=2000),
        arrangement_states,
        lambda row: {"estate_id": row.estate_id},
    )
    backfill_history(
        assessment_history,
        "assessment",
        assessments.objects.order_by("pk").iterator(chunk_size=2000),
        assessment_states,
        lambda row: {"estate_id": row.estate_id, "item": row.item},
    )


class ReinspectionQuerySet(ScopedQuerySet):
    street_office_lookup = "estate__community__street_office"
    community_lookup = "estate__community"

    def overdue_on(self, day: date):
        return self.filter(status=Reinspection.Status.DUE, due_on__lt=day)

    def with_related(self):
        return self.select_related(
            "estate__community__street_office", "inspected_by", "follow_up_by"
        )


class Reinspection(models.Model):
    """A re-inspection (回头看) of a renovated compound: is it still managed and does it
    still meet its target, or has it relapsed (前治后乱)?

    due → passed (no relapse) | relapsed (items no longer met), recorded by HQ staff or an
    inspector; relapsed → rectified, the follow-up recorded by the compound's street
    office. Recording one schedules the next (``REINSPECTION_INTERVAL_DAYS`` later)."""

    class Status(models.TextChoices):
        DUE = "due", "待回头看"
        PASSED = "passed", "未反弹"
        RELAPSED = "relapsed", "反弹待整改"
        RECTIFIED = "rectified", "已整改"

    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="reinspections", verbose_name="小区"
    )
    due_on = models.DateField("应检日期")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DUE)
    inspected_on = models.DateField("检查日期", null=True, blank=True)
    inspected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="检查人",
    )
    findings = models.TextField("检查情况", max_length=2000, blank=True)
    #: labels of the target items found no longer met
    relapsed_items = models.JSONField("不再达到的目标项", default=list, blank=True)
    follow_up_note = models.TextField("整改情况", max_length=1000, blank=True)
    follow_up_on = models.DateField("整改完成日期", null=True, blank=True)
    follow_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="整改登记人",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = ReinspectionQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "回头看"
        ordering = ["-due_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["estate"], condition=Q(status="due"), name="reinspection_one_due_per_estate"
            ),
            models.CheckConstraint(
                name="reinspection_done_has_date",
                condition=Q(status="due") | Q(inspected_on__isnull=False),
            ),
            models.CheckConstraint(
                name="reinspection_rectified_has_date",
                condition=~Q(status="rectified") | Q(follow_up_on__isnull=False),
            ),
        ]
        indexes = [
            # "Compounds overdue for re-inspection": open ones by due date.
            models.Index(fields=["status", "due_on"], name="reinspection_status_due"),
            # The compound page's "last re-inspection".
            models.Index(fields=["estate", "inspected_on"], name="reinspection_estate_done"),
        ]

    def __str__(self):
        return f"{self.estate} · 回头看（{self.due_on}）"

    @property
    def is_relapsed(self) -> bool:
        return self.status == self.Status.RELAPSED
