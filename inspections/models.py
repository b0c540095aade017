"""Daily safety patrols (每日巡查记录), the hazards they find (安全隐患) and their
rectification, the missed-patrol register, and HQ's quality inspections (质量检查与反馈).

Records are never edited or deleted once filed: a patrol record is corrected by an
amendment; hazards and quality inspections move through their states one service each
(``inspections.services``), every move written to the audit trail."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from estates.asof import HistoryRow
from estates.models import Estate, StreetOffice
from estates.scoping import ScopedQuerySet, company_estate_ids
from works.models import Company, EstateWorksItem


class CheckResult(models.TextChoices):
    OK = "ok", "合格"
    ISSUE = "issue", "存在问题"
    NOT_APPLICABLE = "na", "不涉及"


#: The site-safety checklist of a patrol, in the order the form shows it.
CHECKLIST = (
    ("fencing_signs", "围挡与警示标志"),
    ("temporary_power", "临时用电"),
    ("fire_safety", "消防安全"),
    ("work_at_height", "高处作业"),
    ("material_stacking", "材料堆放"),
    ("trenches_openings", "沟槽与孔洞"),
    ("protective_equipment", "安全防护用品"),
    ("resident_passage", "居民通行"),
)
CHECKLIST_FIELDS = tuple(name for name, _ in CHECKLIST)


class PatrolRecordQuerySet(ScopedQuerySet):
    street_office_lookup = "street_office"
    community_lookup = "estate__community"

    def with_related(self):
        return self.select_related("estate__community", "street_office", "filed_by")


def _checklist_field(label):
    return models.CharField(
        label, max_length=5, choices=CheckResult.choices, default=CheckResult.OK
    )


class PatrolRecord(models.Model):
    """One street office's safety patrol of one compound under construction on one day.

    Filed once (``services.file_patrol``) and never edited: a correction is a
    ``PatrolAmendment`` with a reason, and the original stays as filed. ``street_office``
    is the office accountable on that day, copied from the compound when filed."""

    # No index of their own on ``estate``, ``street_office`` or ``date``: the unique
    # (estate, date), the (street office, date) and the (date DESC, id) indexes below lead
    # with each, and every filing wrote eight indexes of a table of millions of rows.
    estate = models.ForeignKey(
        Estate,
        on_delete=models.PROTECT,
        related_name="patrols",
        verbose_name="小区",
        db_index=False,
    )
    street_office = models.ForeignKey(
        StreetOffice,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="街道办事处",
        db_index=False,
    )
    date = models.DateField("巡查日期")
    time = models.TimeField("巡查时间")
    patrollers = models.CharField("巡查人员", max_length=100)
    contractor_staff = models.CharField("施工方现场人员", max_length=100, blank=True)
    fencing_signs = _checklist_field("围挡与警示标志")
    temporary_power = _checklist_field("临时用电")
    fire_safety = _checklist_field("消防安全")
    work_at_height = _checklist_field("高处作业")
    material_stacking = _checklist_field("材料堆放")
    trenches_openings = _checklist_field("沟槽与孔洞")
    protective_equipment = _checklist_field("安全防护用品")
    resident_passage = _checklist_field("居民通行")
    findings = models.TextField("巡查情况", max_length=2000, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="填报人"
    )
    filed_at = models.DateTimeField("填报时间", default=timezone.now)

    objects = PatrolRecordQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "每日巡查记录"
        ordering = ["-date", "street_office__sort_order", "estate__name"]
        constraints = [
            # The source requires one patrol per compound per day; concurrent submissions
            # from two phones must not produce two records.
            models.UniqueConstraint(fields=["estate", "date"], name="patrol_one_per_estate_day"),
        ]
        indexes = [
            # The compliance board and the daily PDF: one street office's records by day.
            models.Index(fields=["street_office", "date"], name="patrol_street_date"),
            # HQ's API list of patrols (ORDER BY date DESC, id LIMIT 51): the index's own
            # order, so no sort of a day's records (37,000 at nation scale); and HQ's
            # patrol records list, newest day first (ORDER BY date DESC ... LIMIT), read
            # day by day instead of sorting millions of rows (nation scale: 53 s → 0.4 s).
            models.Index(fields=["-date", "id"], name="patrol_date_desc_id"),
        ]

    def __str__(self):
        return f"{self.estate} {self.date:%Y-%m-%d} 巡查"

    def checklist(self):
        """[(label, value, display)] in form order, as filed."""
        return [
            (label, getattr(self, name), getattr(self, f"get_{name}_display")())
            for name, label in CHECKLIST
        ]

    @property
    def issue_count(self) -> int:
        return sum(getattr(self, name) == CheckResult.ISSUE for name in CHECKLIST_FIELDS)


class PatrolAmendmentQuerySet(ScopedQuerySet):
    street_office_lookup = "record__street_office"
    community_lookup = "record__estate__community"


class PatrolAmendment(models.Model):
    """A correction of a filed patrol record: the reason and the corrected values
    (``changes`` = {field: {"label", "old", "new"}}). The record itself is not touched."""

    record = models.ForeignKey(
        PatrolRecord, on_delete=models.PROTECT, related_name="amendments", verbose_name="巡查记录"
    )
    reason = models.CharField("更正原因", max_length=200)
    changes = models.JSONField("更正内容", default=dict)
    amended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="更正人"
    )
    amended_at = models.DateTimeField("更正时间", default=timezone.now)

    objects = PatrolAmendmentQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "巡查记录更正"
        ordering = ["amended_at", "id"]
        constraints = [
            models.CheckConstraint(name="patrol_amendment_has_reason", condition=~Q(reason="")),
        ]

    def __str__(self):
        return f"{self.record} 更正"


class HazardQuerySet(ScopedQuerySet):
    street_office_lookup = "street_office"
    community_lookup = "estate__community"

    def for_company(self, company_id):
        """A contractor sees the hazards notified to it; a supervision firm those of the
        compounds it supervises (once notified: an open hazard is the street office's)."""
        return self.filter(
            Q(contractor_id=company_id)
            | Q(estate_id__in=company_estate_ids(company_id), contractor__isnull=False)
        )

    def with_related(self):
        return self.select_related("estate__community", "street_office", "contractor")

    def overdue(self, today=None):
        today = today or timezone.localdate()
        return self.filter(status__in=Hazard.OPEN_STATES, deadline__lt=today)


class Hazard(models.Model):
    """A safety hazard found on a compound, reported to its contractor and pushed to
    rectification.

    open → notified (contractor told: who, how, when; deadline) → rectified (what was
    done, photo) → verified (re-inspection 复查 passed) → closed. A failed re-inspection
    sends a rectified hazard back to notified (with a new deadline). Open or notified past
    the deadline is overdue and shows on HQ's board. One service per move."""

    class Category(models.TextChoices):
        FENCING_SIGNS = "fencing_signs", "围挡与警示标志"
        TEMPORARY_POWER = "temporary_power", "临时用电"
        FIRE_SAFETY = "fire_safety", "消防安全"
        WORK_AT_HEIGHT = "work_at_height", "高处作业"
        MATERIAL_STACKING = "material_stacking", "材料堆放"
        TRENCHES_OPENINGS = "trenches_openings", "沟槽与孔洞"
        PROTECTIVE_EQUIPMENT = "protective_equipment", "安全防护用品"
        RESIDENT_PASSAGE = "resident_passage", "居民通行"
        OTHER = "other", "其他"

    class Severity(models.TextChoices):
        GENERAL = "general", "一般隐患"
        MAJOR = "major", "重大隐患"

    class Status(models.TextChoices):
        OPEN = "open", "待通知"
        NOTIFIED = "notified", "已通知整改"
        RECTIFIED = "rectified", "已整改待复查"
        VERIFIED = "verified", "复查合格"
        CLOSED = "closed", "已销号"

    class NotifiedVia(models.TextChoices):
        ON_SITE = "on_site", "现场告知"
        PHONE = "phone", "电话"
        WRITTEN = "written", "书面通知"
        MESSAGE = "message", "短信/微信"

    OPEN_STATES = (Status.OPEN, Status.NOTIFIED)

    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="hazards", verbose_name="小区"
    )
    street_office = models.ForeignKey(
        StreetOffice, on_delete=models.PROTECT, related_name="+", verbose_name="街道办事处"
    )
    patrol = models.ForeignKey(
        PatrolRecord,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hazards",
        verbose_name="巡查记录",
    )
    category = models.CharField("类别", max_length=25, choices=Category.choices)
    severity = models.CharField(
        "等级", max_length=10, choices=Severity.choices, default=Severity.GENERAL
    )
    description = models.TextField("隐患描述", max_length=1000)
    location = models.CharField("具体位置", max_length=100)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    deadline = models.DateField("整改期限", null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="发现人"
    )
    reported_at = models.DateTimeField("发现时间", default=timezone.now)
    contractor = models.ForeignKey(
        Company,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="告知施工单位",
    )
    notified_person = models.CharField("被告知人", max_length=30, blank=True)
    notified_via = models.CharField(
        "告知方式", max_length=10, choices=NotifiedVia.choices, blank=True
    )
    notified_at = models.DateTimeField("告知时间", null=True, blank=True)
    rectification_note = models.TextField("整改情况", max_length=1000, blank=True)
    rectified_at = models.DateTimeField("整改完成时间", null=True, blank=True)
    supervisor_note = models.TextField("监理确认意见", max_length=1000, blank=True)
    supervisor_confirmed_at = models.DateTimeField("监理确认时间", null=True, blank=True)
    supervisor_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="确认监理",
    )
    reinspection_note = models.TextField("复查意见", max_length=1000, blank=True)
    reinspection_failures = models.PositiveSmallIntegerField("复查不合格次数", default=0)
    verified_at = models.DateTimeField("复查合格时间", null=True, blank=True)
    closed_at = models.DateTimeField("销号时间", null=True, blank=True)

    objects = HazardQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "安全隐患"
        ordering = ["-reported_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="hazard_notified_has_contractor",
                condition=Q(status="open")
                | (Q(contractor__isnull=False) & Q(notified_at__isnull=False)),
            ),
            models.CheckConstraint(
                name="hazard_past_open_has_deadline",
                condition=Q(status="open") | Q(deadline__isnull=False),
            ),
        ]
        indexes = [
            # The hazard list and HQ's escalation: open/notified hazards past their deadline.
            models.Index(fields=["status", "deadline"], name="hazard_status_deadline"),
            # 我的待办 (inspections.todo): hazards to notify, oldest report first, and to
            # close, oldest verification first; the first rows of a step without sorting
            # every hazard in that state (12,000 at nation scale, `manage.py bench`).
            models.Index(fields=["status", "reported_at"], name="hazard_status_reported"),
            models.Index(fields=["status", "verified_at"], name="hazard_status_verified"),
            # HQ's API list of hazards, newest report first (ORDER BY reported_at DESC, id
            # DESC LIMIT 50): read from the index's end instead of sorting every hazard.
            models.Index(fields=["reported_at", "id"], name="hazard_reported_id"),
        ]

    def __str__(self):
        return f"{self.estate} · {self.get_category_display()}"

    @property
    def is_overdue(self) -> bool:
        return (
            self.status in self.OPEN_STATES
            and self.deadline is not None
            and self.deadline < timezone.localdate()
        )


class HazardHistory(HistoryRow):
    """The states of one hazard over time (``estates.asof``): opened when it is reported
    and at every move (notified, rectified, re-inspected, closed), so a figure for a past
    day reads its status and deadline of that day, through failed re-inspections too."""

    OWNER = "hazard"
    TRACKED = ("status", "deadline")

    hazard = models.ForeignKey(
        Hazard, on_delete=models.PROTECT, related_name="history", verbose_name="安全隐患"
    )
    # Denormalised from the hazard so the figures group by compound without a join.
    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    status = models.CharField("状态", max_length=10, choices=Hazard.Status.choices)
    deadline = models.DateField("整改期限", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "安全隐患历史"
        ordering = ["hazard", "valid_from", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["hazard"],
                condition=Q(valid_to__isnull=True),
                name="hazard_history_one_open",
            ),
        ]
        indexes = [
            # Figures as of a day: the hazard rows valid at a moment.
            models.Index(fields=["valid_from", "valid_to"], name="hazard_hist_valid"),
        ]

    @classmethod
    def extra_values(cls, record) -> dict:
        return {"estate_id": record.estate_id}

    def __str__(self):
        return f"{self.hazard_id} {self.status} @{self.valid_from:%Y-%m-%d %H:%M}"


def reconstructed_hazard_states(hazard):
    """The states a hazard went through, rebuilt from its timestamps for hazards that
    predate their history: reported (no deadline unless one was set at once), notified,
    rectified, verified, closed at their recorded times, with today's deadline from the
    notification on. Re-inspection rounds before the history existed are not known."""
    S = Hazard.Status
    order = [S.OPEN, S.NOTIFIED, S.RECTIFIED, S.VERIFIED, S.CLOSED]
    reached = order.index(hazard.status)
    first_deadline = hazard.deadline if hazard.notified_at is None else None
    states = [(hazard.reported_at, {"status": S.OPEN, "deadline": first_deadline})]
    for level, (status, moment) in enumerate(
        [
            (S.NOTIFIED, hazard.notified_at),
            (S.RECTIFIED, hazard.rectified_at),
            (S.VERIFIED, hazard.verified_at),
            (S.CLOSED, hazard.closed_at),
        ],
        start=1,
    ):
        if reached >= level and moment is not None:
            states.append(
                (max(moment, states[-1][0]), {"status": status, "deadline": hazard.deadline})
            )
    kept = {}
    for moment, values in states:
        kept[moment] = values
    return list(kept.items())


class QualityInspectionQuerySet(ScopedQuerySet):
    street_office_lookup = "street_office"
    community_lookup = "estate__community"

    def for_company(self, company_id):
        # Quality feedback concerns the works of the compound: its companies answer it.
        return self.filter(estate_id__in=company_estate_ids(company_id))

    def with_related(self):
        return self.select_related(
            "estate__community",
            "street_office",
            "inspector",
            "contractor",
            "works_item__works_item",
        )


class QualityInspection(models.Model):
    """HQ's quality inspection of a compound (optionally of one works item): findings, a
    rating and required rectifications, sent as feedback to the street office and the
    contractor.

    sent (feedback sent, rectification required) → responded (street office/contractor
    reply) → closed (HQ re-check passed). A failed re-check sends it back to sent. An
    inspection with no required rectification is closed when recorded."""

    class Rating(models.TextChoices):
        EXCELLENT = "excellent", "优良"
        PASS = "pass", "合格"
        BASIC = "basic", "基本合格"
        FAIL = "fail", "不合格"

    class Status(models.TextChoices):
        SENT = "sent", "待整改"
        RESPONDED = "responded", "已回复待复查"
        CLOSED = "closed", "已闭环"

    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="quality_inspections", verbose_name="小区"
    )
    street_office = models.ForeignKey(
        StreetOffice, on_delete=models.PROTECT, related_name="+", verbose_name="街道办事处"
    )
    works_item = models.ForeignKey(
        EstateWorksItem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="工程项目",
    )
    inspected_on = models.DateField("检查日期")
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="检查人"
    )
    contractor = models.ForeignKey(
        Company,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="施工单位",
    )
    findings = models.TextField("检查情况", max_length=2000)
    rating = models.CharField("评定", max_length=10, choices=Rating.choices)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.SENT)
    deadline = models.DateField("整改期限", null=True, blank=True)
    response_note = models.TextField("整改回复", max_length=1000, blank=True)
    responded_at = models.DateTimeField("回复时间", null=True, blank=True)
    recheck_note = models.TextField("复查意见", max_length=1000, blank=True)
    recheck_failures = models.PositiveSmallIntegerField("复查不合格次数", default=0)
    closed_at = models.DateTimeField("闭环时间", null=True, blank=True)
    created_at = models.DateTimeField("录入时间", default=timezone.now)

    objects = QualityInspectionQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "质量检查"
        ordering = ["-inspected_on", "-id"]
        constraints = [
            models.CheckConstraint(
                name="quality_open_has_deadline",
                condition=Q(status="closed") | Q(deadline__isnull=False),
            ),
        ]
        indexes = [
            # The quality list: open inspections by deadline (overdue first).
            models.Index(fields=["status", "deadline"], name="quality_status_deadline"),
            # HQ's API list of quality inspections (ORDER BY inspected_on DESC, id DESC).
            models.Index(fields=["inspected_on", "id"], name="quality_inspected_id"),
        ]

    def __str__(self):
        return f"{self.estate} {self.inspected_on:%Y-%m-%d} 质量检查"

    @property
    def is_overdue(self) -> bool:
        return (
            self.status == self.Status.SENT
            and self.deadline is not None
            and self.deadline < timezone.localdate()
        )


class QualityRequirementQuerySet(ScopedQuerySet):
    street_office_lookup = "inspection__street_office"
    community_lookup = "inspection__estate__community"

    def for_company(self, company_id):
        return self.filter(inspection__estate_id__in=company_estate_ids(company_id))


class QualityRequirement(models.Model):
    """One required rectification of a quality inspection, with its deadline."""

    inspection = models.ForeignKey(
        QualityInspection,
        on_delete=models.PROTECT,
        related_name="requirements",
        verbose_name="质量检查",
    )
    description = models.CharField("整改要求", max_length=200)
    deadline = models.DateField("整改期限")

    objects = QualityRequirementQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "整改要求"
        ordering = ["deadline", "id"]

    def __str__(self):
        return self.description


class PhotoQuerySet(ScopedQuerySet):
    street_office_lookup = "estate__community__street_office"
    community_lookup = "estate__community"

    def for_company(self, company_id):
        # The photos of what the company sees: its hazards and the quality feedback.
        return self.filter(
            Q(hazard__in=Hazard.objects.for_company(company_id))
            | Q(inspection__estate_id__in=company_estate_ids(company_id))
        )


class Photo(models.Model):
    """A photo taken on site, re-encoded on upload and stored under a random name outside
    the static root; served only by ``PhotoView`` to users who can see its compound."""

    class Kind(models.TextChoices):
        PATROL = "patrol", "巡查照片"
        HAZARD = "hazard", "隐患照片"
        RECTIFICATION = "rectification", "整改照片"
        QUALITY = "quality", "质量检查照片"

    public_id = models.UUIDField("编号", default=uuid.uuid4, unique=True, editable=False)
    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="+", verbose_name="小区"
    )
    kind = models.CharField("类型", max_length=15, choices=Kind.choices)
    patrol = models.ForeignKey(
        PatrolRecord, on_delete=models.PROTECT, null=True, blank=True, related_name="photos"
    )
    hazard = models.ForeignKey(
        Hazard, on_delete=models.PROTECT, null=True, blank=True, related_name="photos"
    )
    inspection = models.ForeignKey(
        QualityInspection, on_delete=models.PROTECT, null=True, blank=True, related_name="photos"
    )
    file = models.FileField("文件", max_length=200)
    content_type = models.CharField("格式", max_length=20, default="image/jpeg")
    width = models.PositiveIntegerField("宽")
    height = models.PositiveIntegerField("高")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="上传人"
    )
    uploaded_at = models.DateTimeField("上传时间", default=timezone.now)

    objects = PhotoQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "现场照片"
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(
                name="photo_has_owner",
                condition=Q(patrol__isnull=False)
                | Q(hazard__isnull=False)
                | Q(inspection__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.public_id}"


class MissedPatrolQuerySet(ScopedQuerySet):
    street_office_lookup = "street_office"
    community_lookup = "estate__community"


class MissedPatrol(models.Model):
    """The missed-patrol register: a compound under construction on ``date`` without a
    filed record. Written by ``services.record_missed_patrols`` (the daily job) for days
    that are over; the street office named is the one accountable (拒不上报者追究责任)."""

    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="missed_patrols", verbose_name="小区"
    )
    street_office = models.ForeignKey(
        StreetOffice, on_delete=models.PROTECT, related_name="+", verbose_name="街道办事处"
    )
    date = models.DateField("应巡查日期")
    recorded_at = models.DateTimeField("登记时间", default=timezone.now)

    objects = MissedPatrolQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "未巡查登记"
        ordering = ["-date", "street_office__sort_order", "estate__name"]
        constraints = [
            # The job is re-run freely; a miss is registered once.
            models.UniqueConstraint(fields=["estate", "date"], name="missed_patrol_once"),
        ]
        indexes = [
            # The compliance board: misses per street office per day.
            models.Index(fields=["street_office", "date"], name="missed_street_date"),
            # HQ's register and its API list, newest day first (ORDER BY date DESC, street
            # office, compound LIMIT 51): the first day's rows only, sorted incrementally,
            # instead of joining and sorting all 800,000 (nation: 1.0 s → 28 ms).
            models.Index(fields=["date"], name="missed_date"),
        ]

    def __str__(self):
        return f"{self.estate} {self.date:%Y-%m-%d} 未巡查"


class MissedPatrolRun(models.Model):
    """One run of the missed-patrol job for one day: when, by whom (or the scheduler),
    how many compounds were due and how many misses it registered."""

    date = models.DateField("巡查日期")
    due = models.PositiveIntegerField("应巡查小区数", default=0)
    created = models.PositiveIntegerField("新登记未巡查数", default=0)
    ran_at = models.DateTimeField("运行时间", default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="操作人",
    )

    class Meta:
        verbose_name = verbose_name_plural = "未巡查登记运行记录"
        ordering = ["-ran_at", "-id"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} 未巡查登记"
