from django.db import models


class ReportKind(models.TextChoices):
    ANNUAL = "annual", "年度创建工作报告"
    MONTHLY = "monthly", "月度投诉分析"


class ReportFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    DOCX = "docx", "Word（DOCX）"
    XLSX = "xlsx", "Excel（XLSX）"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "生成中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"
