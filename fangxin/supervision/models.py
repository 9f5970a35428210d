"""Supervision (督导): tasks the joint-meeting office assigns to departments and counties, one Assignment per
assignee with its progress timeline; and the yearly county evaluation (督导评价): a scheme of weighted
indicators per year, locked with a snapshot of the results once published.

States move only through services.py (flows.ASSIGNMENT_FLOW); overdue is derived from the due date when read."""

from datetime import date

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from fangxin.accounts.choices import WHOLE_SYSTEM_ROLES, Role
from fangxin.core.models import TimeStampedModel

from .choices import STATUS_TONE, UNFINISHED, AssignmentStatus, Indicator, SchemeStatus


class Task(TimeStampedModel):
    title = models.CharField("任务名称", max_length=100)
    description = models.TextField("任务内容")
    basis = models.CharField("政策依据", max_length=200, blank=True, help_text="如：实施意见 六（二）")
    due_on = models.DateField("完成时限")
    created_by = models.CharField("交办人", max_length=150)

    class Meta:
        verbose_name = "督导任务"
        verbose_name_plural = "督导任务"
        ordering = ["due_on", "id"]

    def __str__(self):
        return self.title


# Counties first, then departments, each by code (NULLs sort differently on SQLite and PostgreSQL otherwise).
ASSIGNEE_ORDER = (F("region__code").asc(nulls_last=True), F("department__code").asc(nulls_last=True), "id")


class AssignmentQuerySet(models.QuerySet):
    def visible_to(self, user) -> "AssignmentQuerySet":
        """The office, auditors and system administrators see every assignment; county staff those of their
        county (subtree); department staff and the consumer association those of their own unit."""
        role = getattr(user, "role", None)
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if role == Role.JOINT_OFFICE or role in WHOLE_SYSTEM_ROLES:
            return self.all()
        if role == Role.COUNTY_STAFF and user.region_id:
            return self.filter(region__path__startswith=user.region.path)
        if role in (Role.DEPARTMENT_STAFF, Role.CONSUMER_ASSOCIATION) and user.department_id:
            return self.filter(department_id=user.department_id)
        return self.none()

    def overdue(self, today: date):
        return self.filter(status__in=UNFINISHED, task__due_on__lt=today)


class Assignment(TimeStampedModel):
    task = models.ForeignKey(Task, verbose_name="任务", on_delete=models.CASCADE, related_name="assignments")
    department = models.ForeignKey("organisation.Department", verbose_name="承办部门", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("organisation.Region", verbose_name="承办旗县区", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    status = models.CharField("状态", max_length=12, choices=AssignmentStatus.choices,
                              default=AssignmentStatus.ASSIGNED, db_index=True)
    percent = models.PositiveSmallIntegerField("进度（%）", default=0, validators=[MaxValueValidator(100)])
    submitted_on = models.DateField("报完成日期", null=True, blank=True)
    done_on = models.DateField("办结日期", null=True, blank=True)
    return_reason = models.TextField("退回理由", blank=True)
    reminded_on = models.DateField("最近提醒日期", null=True, blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = "督导任务承办"
        verbose_name_plural = "督导任务承办"
        ordering = ["task_id", *ASSIGNEE_ORDER]
        constraints = [
            models.CheckConstraint(condition=Q(department__isnull=True) ^ Q(region__isnull=True),
                                   name="assignment_one_assignee"),
            models.UniqueConstraint(fields=["task", "department"], condition=Q(department__isnull=False),
                                    name="assignment_task_department"),
            models.UniqueConstraint(fields=["task", "region"], condition=Q(region__isnull=False),
                                    name="assignment_task_region"),
        ]

    def __str__(self):
        return f"{self.task} · {self.assignee_name}"

    @property
    def assignee_name(self) -> str:
        return self.region.name if self.region_id else self.department.name

    @property
    def tone(self) -> str:
        return STATUS_TONE.get(self.status, "muted")

    def is_overdue(self, today: date | None = None) -> bool:
        return self.status in UNFINISHED and self.task.due_on < (today or timezone.localdate())

    @property
    def overdue(self) -> bool:
        return self.is_overdue()

    @property
    def on_time(self) -> bool:
        """Done, and reported done (the date the assignee finished) by the due date."""
        return (self.status == AssignmentStatus.DONE and self.submitted_on is not None
                and self.submitted_on <= self.task.due_on)


class AssignmentEvent(models.Model):
    assignment = models.ForeignKey(Assignment, verbose_name="承办", on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField("时间")
    action = models.CharField("操作", max_length=20)
    label = models.CharField("步骤", max_length=40)
    from_status = models.CharField("原状态", max_length=12, blank=True)
    to_status = models.CharField("新状态", max_length=12, blank=True)
    percent = models.PositiveSmallIntegerField("进度（%）", null=True, blank=True)
    actor_name = models.CharField("操作人", max_length=150)
    note = models.TextField("说明", blank=True)
    attachment = models.FileField("附件", upload_to="supervision/%Y/", blank=True)
    attachment_name = models.CharField("附件原名", max_length=200, blank=True)

    class Meta:
        verbose_name = "督导任务办理记录"
        verbose_name_plural = "督导任务办理记录"
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.assignment_id} {self.label}"


class EvaluationScheme(TimeStampedModel):
    year = models.PositiveSmallIntegerField("年度", unique=True)
    status = models.CharField("状态", max_length=10, choices=SchemeStatus.choices, default=SchemeStatus.DRAFT)
    version = models.PositiveIntegerField("版本", default=1, help_text="每次调整指标或权重加一")
    updated_by = models.CharField("修改人", max_length=150, blank=True)
    published_by = models.CharField("发布人", max_length=150, blank=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)

    class Meta:
        verbose_name = "督导评价方案"
        verbose_name_plural = "督导评价方案"
        ordering = ["-year"]

    def __str__(self):
        return f"{self.year} 年度旗县区督导评价方案"

    @property
    def is_published(self) -> bool:
        return self.status == SchemeStatus.PUBLISHED


class SchemeIndicator(models.Model):
    scheme = models.ForeignKey(EvaluationScheme, verbose_name="方案", on_delete=models.CASCADE,
                               related_name="indicators")
    code = models.CharField("指标", max_length=30, choices=Indicator.choices)
    weight = models.PositiveSmallIntegerField("权重（分）", validators=[MaxValueValidator(100)])
    target = models.DecimalField("满分目标值", max_digits=4, decimal_places=2,
                                 validators=[MinValueValidator(0.01), MaxValueValidator(1)])
    seq = models.PositiveSmallIntegerField("序号", default=0)

    class Meta:
        verbose_name = "评价指标"
        verbose_name_plural = "评价指标"
        ordering = ["seq", "id"]
        constraints = [models.UniqueConstraint(fields=["scheme", "code"], name="scheme_indicator_unique")]

    def __str__(self):
        return f"{self.get_code_display()} {self.weight}"


class EvaluationResult(models.Model):
    """The published result of one county: frozen so the ranking does not move after publication."""

    scheme = models.ForeignKey(EvaluationScheme, verbose_name="方案", on_delete=models.CASCADE, related_name="results")
    region = models.ForeignKey("organisation.Region", verbose_name="旗县区", on_delete=models.PROTECT,
                               related_name="+")
    rank = models.PositiveSmallIntegerField("名次")
    score = models.DecimalField("总分", max_digits=5, decimal_places=2)
    breakdown = models.JSONField("分项", default=list)

    class Meta:
        verbose_name = "督导评价结果"
        verbose_name_plural = "督导评价结果"
        ordering = ["rank", "region__code"]
        constraints = [models.UniqueConstraint(fields=["scheme", "region"], name="evaluation_result_unique")]

    def __str__(self):
        return f"{self.scheme.year} {self.region.name} {self.score}"
