"""The roll-up's snapshots and runs, and the league table's weights; the Tuesday cycle:
street offices' weekly reports (街道周报), the weekly meeting (周例会) with its action
items (督办事项), and the issued meeting pack (例会材料)."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from estates.models import StreetOffice
from estates.scoping import ScopedQuerySet


class Snapshot(models.Model):
    """One figure of one unit on one day, as the roll-up computed it (``reports.rollup``).

    Narrow rows (unit × day × figure [× works item]) so one table serves a community, a
    street office, a district and, summed over districts, a city or a province; a trend
    is a read of past rows, never a recomputation. ``item`` is the works item's number
    (1–12) for figures kept per works item and 0 for the whole unit, so the unique key has
    no NULL in it and the upsert (``bulk_create(update_conflicts=True)``) is idempotent
    on SQLite and PostgreSQL alike. ``value`` is exact (counts, yuan to the fen, days to
    two decimals); NULL when the figure has no value (a median of nothing)."""

    class UnitKind(models.TextChoices):
        PROVINCE = "province", "省"
        CITY = "city", "市"
        DISTRICT = "district", "区"
        STREET_OFFICE = "street_office", "街道办事处"
        COMMUNITY = "community", "社区"

    date = models.DateField("日期")
    unit_kind = models.CharField("单位层级", max_length=20, choices=UnitKind.choices)
    unit_id = models.PositiveBigIntegerField("单位编号")
    metric = models.CharField("指标", max_length=40)
    item = models.PositiveSmallIntegerField("工作内容序号", default=0)
    value = models.DecimalField("数值", max_digits=18, decimal_places=2, null=True, blank=True)
    computed_at = models.DateTimeField("计算时间")

    class Meta:
        verbose_name = verbose_name_plural = "统计快照"
        constraints = [
            # One value per unit, day, figure and works item. Its index, the kind and the
            # day first, serves every read: the dashboard ("these units on one day"), the
            # league table ("every street office on these days"), trends ("one unit on
            # these days"), the latest day of a kind (``rollup.latest_date``); and a
            # rebuild inserts its days at the end of each kind's range (with the unit
            # first, 3.2 million rows went into the middle of 58 units' ranges, and a
            # second index on the kind and day cost another third of each insert).
            models.UniqueConstraint(
                fields=["unit_kind", "date", "unit_id", "metric", "item"], name="snapshot_unique"
            ),
        ]

    def __str__(self):
        return f"{self.unit_kind}#{self.unit_id} {self.date} {self.metric}={self.value}"


class RollupRun(models.Model):
    """One run of the roll-up: what it covered, when, and how it ended.

    Status moves queued → running → done | failed, or queued → skipped (another run was
    running: one run at a time is held by the partial unique index on ``running``). A
    run left ``running`` longer than ``ROLLUP_LOCK_SECONDS`` (a worker killed) is marked
    failed by the next run, which then takes the lock."""

    class Kind(models.TextChoices):
        INCREMENTAL = "incremental", "增量"
        DATES = "dates", "指定日期"
        FULL = "full", "全量重建"

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "计算中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"
        SKIPPED = "skipped", "已跳过"

    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.QUEUED)
    date_from = models.DateField("起始日期", null=True, blank=True)
    date_to = models.DateField("截止日期", null=True, blank=True)
    trigger = models.CharField("触发方式", max_length=20, default="command")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="申请人",
    )
    created_at = models.DateTimeField("申请时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    #: for an incremental run: the start of the last finished run it continues from
    changes_since = models.DateTimeField("变更起点", null=True, blank=True)
    units = models.PositiveIntegerField("计算单位数", default=0)
    rows = models.PositiveIntegerField("写入行数", default=0)
    error = models.CharField("失败原因", max_length=500, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "统计汇总运行记录"
        ordering = ["-created_at", "-id"]
        constraints = [
            # The lock: at most one run computes at a time, whatever the number of workers.
            models.UniqueConstraint(
                fields=["status"], condition=models.Q(status="running"), name="rollup_one_running"
            ),
        ]
        indexes = [
            # "The last finished run" (freshness, the next incremental run's start).
            models.Index(fields=["status", "-started_at"], name="rollup_status_started"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}#{self.pk} {self.get_status_display()}"


class LeagueWeights(models.Model):
    """The weights HQ gives the components of the street-office league table (排名通报),
    one row (pk 1), changed only through ``reports.services.set_league_weights``
    (audited). A component's weight is 0–100; a street office's score is the weighted
    mean of the components that have a value."""

    progress = models.PositiveSmallIntegerField(
        "进度（按计划）", default=25, validators=[MaxValueValidator(100)]
    )
    patrol = models.PositiveSmallIntegerField(
        "巡查填报", default=20, validators=[MaxValueValidator(100)]
    )
    hazard = models.PositiveSmallIntegerField(
        "隐患整改时效", default=15, validators=[MaxValueValidator(100)]
    )
    weekly = models.PositiveSmallIntegerField(
        "周报按时报送", default=10, validators=[MaxValueValidator(100)]
    )
    acceptance = models.PositiveSmallIntegerField(
        "竣工验收", default=15, validators=[MaxValueValidator(100)]
    )
    coverage = models.PositiveSmallIntegerField(
        "物业管理覆盖", default=15, validators=[MaxValueValidator(100)]
    )
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    FIELDS = ("progress", "patrol", "hazard", "weekly", "acceptance", "coverage")

    class Meta:
        verbose_name = verbose_name_plural = "排名通报权重"
        constraints = [
            models.CheckConstraint(name="league_weights_singleton", condition=models.Q(pk=1)),
            models.CheckConstraint(
                name="league_weights_in_range",
                condition=models.Q(progress__lte=100)
                & models.Q(patrol__lte=100)
                & models.Q(hazard__lte=100)
                & models.Q(weekly__lte=100)
                & models.Q(acceptance__lte=100)
                & models.Q(coverage__lte=100),
            ),
        ]

    def __str__(self):
        return "排名通报权重"

    def clean(self):
        if not any(getattr(self, name) for name in self.FIELDS):
            raise ValidationError({"progress": "至少一项权重须大于 0"})

    @classmethod
    def current(cls) -> "LeagueWeights":
        return cls.objects.filter(pk=1).first() or cls(pk=1)

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.FIELDS}


# === The Tuesday cycle ===============================================================
def takes_part_in_cycle(user) -> bool:
    """HQ, the street offices and the communities; not companies, not accounts without a
    role."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return bool(user.is_hq or user.is_street_staff or user.is_community_lead)


class WeeklyReportQuerySet(ScopedQuerySet):
    street_office_lookup = "street_office"

    def current(self):
        return self.filter(is_current=True)

    def with_related(self):
        return self.select_related(
            "street_office", "created_by", "submitted_by", "signed_by", "received_by"
        )


BRIEF_FIELDS = ("progress", "problems", "next_plan", "coordination")
BRIEF_MAX_CHARS = 4000


def _brief_field(label):
    return models.TextField(
        label,
        blank=True,
        max_length=BRIEF_MAX_CHARS,
        validators=[MaxLengthValidator(BRIEF_MAX_CHARS)],
    )


class WeeklyReport(models.Model):
    """A street office's weekly report (街道周报) for one reporting week: the statistics
    compiled from the data (统计报表) and the information brief written by the clerk
    (信息简报). ``week`` is the Tuesday the report is due; it covers the seven days before.

    Status moves:

    - draft → submitted (a clerk of the street office; the statistics are frozen now)
    - submitted → signed (the street office's lead, with their own account)
    - signed → received (HQ office), or submitted/signed → returned (HQ office, with a reason)
    - returned → a *new version* in draft (``services.revise_report``); the returned row
      stays as it was, readable, no longer current.

    One current report per street office per week is a database constraint; every version
    keeps its own number. Lateness is measured from the first submission of the week
    (``first_submitted_at``), which a revision carries over."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "已提交待签发"
        SIGNED = "signed", "已签发"
        RECEIVED = "received", "指挥部已接收"
        RETURNED = "returned", "已退回"

    street_office = models.ForeignKey(
        StreetOffice,
        on_delete=models.PROTECT,
        related_name="weekly_reports",
        verbose_name="街道办事处",
    )
    week = models.DateField("例会日期（周二）")
    version = models.PositiveSmallIntegerField("版本", default=1)
    is_current = models.BooleanField("当前版本", default=True)
    previous = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="revision",
        verbose_name="上一版本",
    )
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    progress = _brief_field("本周工作进展")
    problems = _brief_field("存在问题")
    next_plan = _brief_field("下周工作计划")
    coordination = _brief_field("需指挥部协调事项")
    #: The statistics as submitted (see ``services.compile_statistics``); empty in a draft.
    statistics = models.JSONField("统计报表", default=dict, blank=True)
    statistics_sha256 = models.CharField("统计报表校验值", max_length=64, blank=True)
    compiled_at = models.DateTimeField("统计时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="填报人"
    )
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="提交人",
    )
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    first_submitted_at = models.DateTimeField("首次提交时间", null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="签发人",
    )
    signed_at = models.DateTimeField("签发时间", null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="接收人",
    )
    received_at = models.DateTimeField("接收时间", null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="退回人",
    )
    returned_at = models.DateTimeField("退回时间", null=True, blank=True)
    return_reason = models.CharField("退回原因", max_length=500, blank=True)

    objects = WeeklyReportQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "街道周报"
        ordering = ["-week", "street_office__sort_order", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["street_office", "week"],
                condition=Q(is_current=True),
                name="weekly_report_one_current_per_week",
            ),
            models.UniqueConstraint(
                fields=["street_office", "week", "version"], name="weekly_report_version_unique"
            ),
            models.CheckConstraint(
                name="weekly_report_submitted_is_frozen",
                condition=Q(status="draft") | ~Q(statistics_sha256=""),
            ),
        ]
        indexes = [
            # The HQ board: every street office's current report over a range of weeks.
            models.Index(fields=["week", "is_current"], name="weekly_report_week_current"),
        ]

    def __str__(self):
        return f"{self.street_office} {self.week:%Y-%m-%d} 周报（第{self.version}版）"

    @property
    def period_start(self):
        return self.week - timedelta(days=7)

    @property
    def period_end(self):
        return self.week - timedelta(days=1)

    @property
    def period(self) -> str:
        return f"{self.period_start:%Y年%m月%d日}—{self.period_end:%m月%d日}"


class ReportPhotoQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A photo is seen by whoever sees its report or its action item."""
        reports = WeeklyReport.objects.visible_to(user).values("pk")
        items = ActionItem.objects.visible_to(user).values("pk")
        return self.filter(Q(report__in=reports) | Q(reply__item__in=items))


class ReportPhoto(models.Model):
    """A photo attached to a weekly report's brief or to a reply to an action item;
    checked and re-encoded by ``estates.photos`` and served only within scope."""

    public_id = models.UUIDField("编号", default=uuid.uuid4, unique=True, editable=False)
    report = models.ForeignKey(
        WeeklyReport, on_delete=models.PROTECT, null=True, blank=True, related_name="photos"
    )
    reply = models.ForeignKey(
        "ActionItemReply", on_delete=models.PROTECT, null=True, blank=True, related_name="photos"
    )
    file = models.FileField("文件", max_length=200)
    width = models.PositiveIntegerField("宽")
    height = models.PositiveIntegerField("高")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="上传人"
    )
    uploaded_at = models.DateTimeField("上传时间", default=timezone.now)

    objects = ReportPhotoQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "周报及督办照片"
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(
                name="report_photo_has_one_owner",
                condition=(Q(report__isnull=False) & Q(reply__isnull=True))
                | (Q(report__isnull=True) & Q(reply__isnull=False)),
            )
        ]

    def __str__(self):
        return str(self.public_id)


class MeetingQuerySet(models.QuerySet):
    def visible_to(self, user):
        # The weekly meeting is the district's: HQ, the street offices and communities read
        # its minutes (companies do not take part).
        if takes_part_in_cycle(user):
            return self
        return self.none()


class Meeting(models.Model):
    """A weekly meeting of the HQ office (周例会): reports the situation, assigns tasks.

    ``week`` is the Tuesday of the reporting week the meeting discusses (the meeting's own
    date when it is held on a Tuesday, else the Tuesday before it)."""

    date = models.DateField("会议日期", unique=True)
    week = models.DateField("所属周（周二）", editable=False)
    chair = models.CharField("主持人", max_length=30)
    attendees = models.CharField("参会人员", max_length=500)
    minutes = models.TextField(
        "会议纪要", blank=True, max_length=10000, validators=[MaxLengthValidator(10000)]
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="记录人"
    )
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "周例会"
        ordering = ["-date"]

    def __str__(self):
        return f"{self.date:%Y年%m月%d日}周例会"

    def save(self, *args, **kwargs):
        self.week = week_of(self.date)
        super().save(*args, **kwargs)

    @property
    def period_start(self):
        return self.week - timedelta(days=7)

    @property
    def period_end(self):
        return self.week - timedelta(days=1)

    @property
    def period(self) -> str:
        return f"{self.period_start:%Y年%m月%d日}—{self.period_end:%m月%d日}"


def week_of(day):
    """The Tuesday on or before ``day``: the week a meeting held on ``day`` discusses."""
    return day - timedelta(days=(day.weekday() - 1) % 7)


class ActionItemQuerySet(ScopedQuerySet):
    street_office_lookup = "assignee"

    def with_related(self):
        return self.select_related("meeting", "assignee", "closed_by")

    def overdue_on(self, day):
        """Open on ``day`` with the deadline before it."""
        return self.exclude(status=ActionItem.Status.CLOSED).filter(deadline__lt=day)


class ActionItem(models.Model):
    """A task assigned at a weekly meeting (督办事项): what, to which street office (none:
    the HQ office itself), by when.

    Status moves: open → replied (the street office's reply, with photos) → closed (HQ
    office), or replied → open (HQ sends it back with a note); closed → open (HQ reopens).
    Overdue is not a status: an item not closed whose deadline has passed. Every item not
    closed is carried into each later meeting pack until it is closed."""

    class Status(models.TextChoices):
        OPEN = "open", "办理中"
        REPLIED = "replied", "已回复待确认"
        CLOSED = "closed", "已办结"

    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, related_name="action_items", verbose_name="周例会"
    )
    number = models.PositiveSmallIntegerField("序号")
    title = models.CharField("督办事项", max_length=300)
    assignee = models.ForeignKey(
        StreetOffice,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="action_items",
        verbose_name="责任单位",
        help_text="不选为指挥部办公室",
    )
    deadline = models.DateField("办理期限")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="交办人"
    )
    created_at = models.DateTimeField("交办时间", default=timezone.now)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="办结确认人",
    )
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    hq_note = models.CharField("指挥部意见", max_length=500, blank=True)

    objects = ActionItemQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "督办事项"
        ordering = ["meeting__date", "number"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="action_item_number_unique"),
        ]
        indexes = [
            # Every pack: the items not closed (and those closed since the last meeting).
            models.Index(fields=["status", "deadline"], name="action_item_status_deadline"),
        ]

    def __str__(self):
        return f"{self.meeting.date:%m月%d日}例会第{self.number}项：{self.title[:30]}"

    @property
    def assignee_name(self) -> str:
        return self.assignee.name if self.assignee_id else "指挥部办公室"

    def is_overdue_on(self, day) -> bool:
        return self.status != self.Status.CLOSED and self.deadline < day

    @property
    def is_overdue(self) -> bool:
        return self.is_overdue_on(timezone.localdate())


class ActionItemReply(models.Model):
    """A street office's reply to an action item: what was done, with photos. Kept as
    written; HQ's decision on it (closed or sent back) is recorded on the reply."""

    class Outcome(models.TextChoices):
        PENDING = "pending", "待确认"
        ACCEPTED = "accepted", "已确认办结"
        SENT_BACK = "sent_back", "已退回"

    item = models.ForeignKey(
        ActionItem, on_delete=models.PROTECT, related_name="replies", verbose_name="督办事项"
    )
    text = models.TextField("办理情况", max_length=4000, validators=[MaxLengthValidator(4000)])
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="回复人"
    )
    replied_at = models.DateTimeField("回复时间", default=timezone.now)
    outcome = models.CharField(
        "确认结果", max_length=10, choices=Outcome.choices, default=Outcome.PENDING
    )
    outcome_note = models.CharField("指挥部意见", max_length=500, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "督办事项回复"
        ordering = ["replied_at", "id"]

    def __str__(self):
        return f"{self.item} 的回复"


class MeetingPackQuerySet(models.QuerySet):
    def visible_to(self, user):
        # The issued pack is the HQ office's document.
        if user is None or not user.is_authenticated or not user.is_active or not user.is_hq:
            return self.none()
        return self


class MeetingPack(models.Model):
    """The issued meeting pack (例会材料) of one meeting, version by version: a tracked
    background job that freezes the figures, the received briefs and the action items
    (``content``, with its checksum and the time it was compiled), then stores the Excel
    and the PDF with their sha256. Never rebuilt: issuing again makes a new version.

    Status moves queued → running → done, or → failed (with the reason); ``progress`` is
    0–100 for the progress bar. ``request_key`` makes one click one pack: a second request
    with the same key returns the first pack."""

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "生成中"
        DONE = "done", "已印发"
        FAILED = "failed", "失败"

    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, related_name="packs", verbose_name="周例会"
    )
    version = models.PositiveSmallIntegerField("版本")
    request_key = models.CharField("请求标识", max_length=64, unique=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    step = models.CharField("当前步骤", max_length=40, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="印发人"
    )
    requested_at = models.DateTimeField("申请时间", default=timezone.now)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    compiled_at = models.DateTimeField("数据截取时间", null=True, blank=True)
    content = models.JSONField("冻结内容", default=dict, blank=True)
    content_sha256 = models.CharField("内容校验值", max_length=64, blank=True)
    xlsx = models.FileField("Excel", upload_to="packs/%Y/", max_length=200, blank=True)
    xlsx_sha256 = models.CharField("Excel 校验值", max_length=64, blank=True)
    pdf = models.FileField("PDF", upload_to="packs/%Y/", max_length=200, blank=True)
    pdf_sha256 = models.CharField("PDF 校验值", max_length=64, blank=True)
    error = models.CharField("失败原因", max_length=500, blank=True)

    objects = MeetingPackQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "例会材料"
        ordering = ["-meeting__date", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "version"], name="meeting_pack_version_unique"
            ),
            models.CheckConstraint(
                name="meeting_pack_progress_0_100", condition=Q(progress__lte=100)
            ),
        ]

    def __str__(self):
        return f"{self.meeting} 例会材料（第{self.version}版）"

    @property
    def is_pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def basename(self) -> str:
        return f"例会材料_{self.meeting.date:%Y%m%d}_第{self.version}版"
