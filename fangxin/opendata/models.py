"""Report jobs: a staff member asks for a report, a worker (a background thread of the web process, or
`fangxin report run-pending`) makes the file, and the page polls the progress until it can be downloaded."""

from django.conf import settings
from django.db import models

from fangxin.core.models import TimeStampedModel

from .choices import JobStatus, ReportFormat, ReportKind


class ReportJob(TimeStampedModel):
    kind = models.CharField("报告", max_length=10, choices=ReportKind.choices)
    period = models.CharField("期间", max_length=7, help_text="年度报告：YYYY；月度分析：YYYY-MM")
    format = models.CharField("格式", max_length=5, choices=ReportFormat.choices)
    status = models.CharField("状态", max_length=8, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    step = models.CharField("当前步骤", max_length=100, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT,
                                     related_name="+")
    file_name = models.CharField("文件", max_length=200, blank=True, help_text="相对于报告目录的文件名")
    error = models.CharField("失败原因", max_length=300, blank=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "报告任务"
        verbose_name_plural = "报告任务"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"], name="opendata_job_status")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.period}（{self.get_status_display()}）"

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    @property
    def download_name(self) -> str:
        label = "年度创建工作报告" if self.kind == ReportKind.ANNUAL else "月度投诉分析"
        return f"{label}-{self.period}.{self.format}"
