"""The roll-up's snapshots and runs, and the league table's weights."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models


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
            # One value per unit, day, figure and works item; its index also serves the
            # dashboard ("one unit on one day") and trends ("one unit over a date range").
            models.UniqueConstraint(
                fields=["unit_kind", "unit_id", "date", "metric", "item"], name="snapshot_unique"
            ),
        ]
        indexes = [
            # The league table and the rows of a dashboard: every unit of a kind on a day.
            models.Index(fields=["unit_kind", "date", "metric"], name="snapshot_kind_date"),
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
