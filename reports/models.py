"""Long-running report jobs the user can watch."""

from django.conf import settings
from django.db import models


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

    @property
    def is_pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
