"""Stored triage corrections (staff confirmed or changed a suggestion) and the record of each trained model."""

from django.conf import settings
from django.db import models

from .choices import SECTOR_CODES


class TriageCorrection(models.Model):
    """What the triage suggested for a text and what staff decided. Decoupled from complaints: `source_ref` names
    the origin ("complaint:<id>"). The text is stored masked (personal information is not needed to learn)."""

    text = models.TextField("文本（已遮盖个人信息）")
    predicted_sector = models.CharField("建议行业", max_length=40, blank=True)
    predicted_problem_types = models.JSONField("建议问题类型", default=list, blank=True)
    sector = models.CharField("确认行业", max_length=40, choices=[(code, code) for code in SECTOR_CODES])
    problem_types = models.JSONField("确认问题类型", default=list)
    source_ref = models.CharField("来源", max_length=80, blank=True, db_index=True)
    confirmed = models.BooleanField("用于再训练", default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="确认人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_by_name = models.CharField("确认人姓名", max_length=150, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "分诊更正"
        verbose_name_plural = "分诊更正"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.source_ref or '更正'}：{self.predicted_sector or '—'} → {self.sector}"

    @property
    def changed(self) -> bool:
        return (self.predicted_sector != self.sector
                or sorted(self.predicted_problem_types or []) != sorted(self.problem_types or []))


class TriageModelVersion(models.Model):
    """One trained model: its scores on the dev split, the artifact's hash, and whether it is the one in use."""

    version = models.PositiveIntegerField("版本", unique=True)
    trained_at = models.DateTimeField("训练时间")
    scores = models.JSONField("开发集得分", default=dict)
    n_train = models.PositiveIntegerField("训练样本数", default=0)
    n_corrections = models.PositiveIntegerField("其中人工更正", default=0)
    artifact = models.CharField("模型文件", max_length=100)
    artifact_sha256 = models.CharField("文件 SHA-256", max_length=64)
    active = models.BooleanField("在用", default=False)
    note = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "分诊模型版本"
        verbose_name_plural = "分诊模型版本"
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["active"], condition=models.Q(active=True),
                                               name="triage_one_active_model")]

    def __str__(self):
        return f"分诊模型 v{self.version}"
