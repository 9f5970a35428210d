from django.db import models

from .fields import BlindIndexField, SealedCharField


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        abstract = True


class AuditRecord(models.Model):
    """One link of the append-only audit chain (DESIGN 5.3). Written only by `core.audit.record`."""

    seq = models.BigIntegerField("序号", primary_key=True)
    at = models.DateTimeField("时间")
    actor_id = models.BigIntegerField("操作人编号", null=True, blank=True)
    actor_name = models.CharField("操作人", max_length=150)
    actor_role = models.CharField("角色", max_length=40, blank=True)
    action = models.CharField("操作", max_length=80, db_index=True)
    object_type = models.CharField("对象类型", max_length=80, blank=True, db_index=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    changes = models.JSONField("变更内容", default=dict, blank=True)
    client_ip = models.CharField("客户端地址", max_length=45, blank=True)
    prev_hash = models.CharField("前一条哈希", max_length=64)
    hash = models.CharField("哈希", max_length=64, unique=True)

    class Meta:
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        ordering = ["-seq"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self):
        return f"#{self.seq} {self.actor_name} {self.action} {self.object_repr}"


class AuditHead(models.Model):
    """The single row that appends lock: it names the last record, so appends never fork the chain."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = "审计链头"
        verbose_name_plural = "审计链头"

    def __str__(self):
        return f"#{self.last_seq} {self.last_hash[:12]}"


class WorkdayOverride(TimeStampedModel):
    date = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("是工作日", help_text="勾选：当天上班（如调休）；不勾选：当天放假。")
    name = models.CharField("说明", max_length=100, help_text="如：2027 年春节、地方节日、调休上班")

    class Meta:
        verbose_name = "工作日调整"
        verbose_name_plural = "工作日调整"
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {'上班' if self.is_workday else '放假'} {self.name}"


class CalendarYear(TimeStampedModel):
    """A year whose official holidays have all been entered as overrides, so no warning is needed."""

    year = models.PositiveSmallIntegerField("年度", unique=True)
    note = models.CharField("依据", max_length=200, help_text="如：国务院办公厅关于 2027 年部分节假日安排的通知")

    class Meta:
        verbose_name = "已录入节假日的年度"
        verbose_name_plural = "已录入节假日的年度"
        ordering = ["year"]

    def __str__(self):
        return f"{self.year} 年"


class NotificationStatus(models.TextChoices):
    PENDING = "pending", "待发送"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"


class Notification(models.Model):
    """One SMS or email in the outbox. Written after the business transaction commits (core.notify);
    a failed send stays here with its error and is retried, so nothing is lost when a gateway is down."""

    channel = models.CharField("方式", max_length=10, choices=[("sms", "短信"), ("email", "电子邮件")])
    recipient = SealedCharField("接收人", max_length=200)  # a consumer's phone or email: sealed (docs/privacy.md)
    recipient_index = BlindIndexField("接收人索引", source="recipient", purpose="notification_recipient")
    recipient_kind = models.CharField("接收方", max_length=20, blank=True)
    subject = models.CharField("主题", max_length=200)
    body = models.TextField("内容")
    object_type = models.CharField("关联对象类型", max_length=80, blank=True)
    object_id = models.CharField("关联对象编号", max_length=64, blank=True, db_index=True)
    status = models.CharField("状态", max_length=10, choices=NotificationStatus.choices,
                              default=NotificationStatus.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    last_error = models.CharField("最近错误", max_length=300, blank=True)
    backend = models.CharField("发送通道", max_length=100, blank=True)
    created_at = models.DateTimeField("生成时间", auto_now_add=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知发件箱"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_channel_display()} → {self.recipient}：{self.subject}"
