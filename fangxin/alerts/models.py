"""Early warnings (预警), their timeline, the office's thresholds and merchants' prepaid-card declarations.

Warnings are written only by `services.scan` (idempotent per day and subject) and move through
`flows.WARNING_FLOW` by `services.warning_transition`, which writes the timeline entry and the audit record.
"""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from fangxin.accounts.scope import ScopedQuerySet, scope_of
from fangxin.core.models import TimeStampedModel

from . import detection
from .choices import (
    SEVERITY_TONE,
    STATUS_TONE,
    UNCLOSED,
    Custody,
    Severity,
    WarningKind,
    WarningStatus,
)

D = detection.Params()


class AlertSettings(TimeStampedModel):
    """The thresholds of the detectors, one row (pk 1), edited by the joint-meeting office."""

    window_days = models.PositiveSmallIntegerField("观察窗口（天）", default=D.window_days,
                                                   validators=[MinValueValidator(1), MaxValueValidator(31)])
    baseline_days = models.PositiveSmallIntegerField("基线期（天）", default=D.baseline_days,
                                                     validators=[MinValueValidator(28), MaxValueValidator(365)])
    p_threshold = models.DecimalField("显著性阈值（P 值）", max_digits=6, decimal_places=5,
                                      default=Decimal(str(D.p_threshold)),
                                      validators=[MinValueValidator(Decimal("0.00001")), MaxValueValidator(Decimal("0.1"))])
    min_ratio = models.DecimalField("最低倍数（实际 ÷ 预计）", max_digits=4, decimal_places=1,
                                    default=Decimal(str(D.min_ratio)),
                                    validators=[MinValueValidator(Decimal("1.0")), MaxValueValidator(Decimal("20"))])
    entity_min_count = models.PositiveSmallIntegerField("经营者最少件数", default=D.entity_min_count,
                                                        validators=[MinValueValidator(1)])
    entity_floor_per_30d = models.DecimalField("经营者基线下限（件/30 天）", max_digits=5, decimal_places=2,
                                               default=Decimal(str(D.entity_floor_per_30d)),
                                               validators=[MinValueValidator(Decimal("0.1"))])
    group_min_count = models.PositiveSmallIntegerField("行业、问题类型最少件数", default=D.group_min_count,
                                                       validators=[MinValueValidator(1)])
    group_floor_per_30d = models.DecimalField("行业、问题类型基线下限（件/30 天）", max_digits=5, decimal_places=2,
                                              default=Decimal(str(D.group_floor_per_30d)),
                                              validators=[MinValueValidator(Decimal("0.1"))])
    mass_threshold = models.PositiveSmallIntegerField("群体性投诉件数（N）", default=D.mass_threshold,
                                                      validators=[MinValueValidator(2)])
    mass_hours = models.PositiveSmallIntegerField("群体性投诉时限（小时）", default=D.mass_hours,
                                                  validators=[MinValueValidator(24), MaxValueValidator(168)])
    prepaid_window_days = models.PositiveSmallIntegerField("预付卡观察窗口（天）", default=D.prepaid_window_days,
                                                           validators=[MinValueValidator(7), MaxValueValidator(90)])
    prepaid_min_count = models.PositiveSmallIntegerField("预付卡投诉最少件数", default=D.prepaid_min_count,
                                                         validators=[MinValueValidator(1)])
    closure_words = models.CharField("经营异常词语（顿号或逗号分隔）", max_length=300,
                                     default="、".join(D.closure_words))
    updated_by = models.CharField("修改人", max_length=150, blank=True)

    class Meta:
        verbose_name = "预警阈值"
        verbose_name_plural = "预警阈值"

    def __str__(self):
        return "预警阈值"

    def words(self) -> tuple[str, ...]:
        raw = self.closure_words.replace(",", "、").replace("，", "、").replace(" ", "、")
        return tuple(dict.fromkeys(w.strip() for w in raw.split("、") if w.strip()))

    def params(self) -> detection.Params:
        return detection.Params(
            window_days=self.window_days, baseline_days=self.baseline_days, p_threshold=float(self.p_threshold),
            min_ratio=float(self.min_ratio), entity_min_count=self.entity_min_count,
            entity_floor_per_30d=float(self.entity_floor_per_30d), group_min_count=self.group_min_count,
            group_floor_per_30d=float(self.group_floor_per_30d), mass_threshold=self.mass_threshold,
            mass_hours=self.mass_hours, prepaid_window_days=self.prepaid_window_days,
            prepaid_min_count=self.prepaid_min_count, closure_words=self.words())


class WarningQuerySet(ScopedQuerySet):
    # No entity path: merchants never see warnings, not even about their own business.
    scope_fields = {"region": "region", "sector": "sector"}

    def visible_to(self, user) -> "WarningQuerySet":
        """As for every scoped model, plus, for department staff, the warnings sent to their department that
        belong to no sector (problem-type warnings go to the office's department)."""
        visible = super().visible_to(user)
        scope = scope_of(user)
        department = getattr(user, "department_id", None)
        if scope.sector_ids is not None and scope.region_path is not None and department:
            visible = visible | self.filter(region__path__startswith=scope.region_path, sector__isnull=True,
                                            department_id=department)
        return visible

    def unclosed(self):
        return self.filter(status__in=UNCLOSED)


class Warning(TimeStampedModel):
    kind = models.CharField("预警类型", max_length=20, choices=WarningKind.choices)
    subject_key = models.CharField("预警对象键", max_length=80, db_index=True)
    subject_label = models.CharField("预警对象", max_length=200)
    entity = models.ForeignKey("merchants.MarketEntity", verbose_name="经营者", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="warnings")
    sector = models.ForeignKey("organisation.Sector", verbose_name="行业", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    problem_type = models.CharField("问题类型", max_length=20, blank=True)
    region = models.ForeignKey("organisation.Region", verbose_name="旗县区", on_delete=models.PROTECT,
                               related_name="+")
    department = models.ForeignKey("organisation.Department", verbose_name="牵头部门", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    detected_on = models.DateField("首次发现", db_index=True)
    last_seen_on = models.DateField("最近一次发现")
    window_start = models.DateField("窗口开始")
    window_end = models.DateField("窗口结束")
    observed = models.PositiveIntegerField("实际件数")
    expected = models.DecimalField("预计件数", max_digits=9, decimal_places=2)
    p_value = models.FloatField("P 值", null=True, blank=True)
    severity = models.CharField("等级", max_length=10, choices=Severity.choices)
    reasons = models.JSONField("依据", default=list)
    evidence = models.JSONField("相关投诉", default=list, help_text="投诉 id")
    status = models.CharField("状态", max_length=20, choices=WarningStatus.choices, default=WarningStatus.OPEN)
    acknowledged_by = models.CharField("签收人", max_length=150, blank=True)
    acknowledged_at = models.DateTimeField("签收时间", null=True, blank=True)
    handling_note = models.TextField("处置措施", blank=True)
    closed_note = models.TextField("办结情况", blank=True)
    closed_by = models.CharField("办结人", max_length=150, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)

    objects = WarningQuerySet.as_manager()

    class Meta:
        verbose_name = "预警"
        verbose_name_plural = "预警"
        ordering = ["-detected_on", "-id"]
        constraints = [
            # the scan's idempotency: one warning per kind, subject and day, and one unclosed per kind and subject
            models.UniqueConstraint(fields=["kind", "subject_key", "detected_on"], name="warning_daily_unique"),
            models.UniqueConstraint(fields=["kind", "subject_key"], condition=Q(status__in=UNCLOSED),
                                    name="warning_one_unclosed"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.subject_label}"

    @property
    def tone(self) -> str:
        return STATUS_TONE.get(self.status, "muted")

    @property
    def severity_tone(self) -> str:
        return SEVERITY_TONE.get(self.severity, "muted")

    @property
    def is_closed(self) -> bool:
        return self.status == WarningStatus.CLOSED


class WarningEvent(models.Model):
    warning = models.ForeignKey(Warning, verbose_name="预警", on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField("时间")
    action = models.CharField("操作", max_length=20)
    label = models.CharField("步骤", max_length=40)
    from_status = models.CharField("原状态", max_length=20, blank=True)
    to_status = models.CharField("新状态", max_length=20, blank=True)
    actor_name = models.CharField("操作人", max_length=150)
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "预警办理记录"
        verbose_name_plural = "预警办理记录"
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.warning_id} {self.label}"


class PrepaidQuerySet(ScopedQuerySet):
    scope_fields = {"region": "entity__region", "sector": "entity__sector", "entity": "entity"}


class PrepaidScheme(TimeStampedModel):
    """A business's declaration of its prepaid cards (policy 四(十二)); one current row per business, each
    change audited. Shown on the business's public profile."""

    entity = models.OneToOneField("merchants.MarketEntity", verbose_name="经营者", on_delete=models.PROTECT,
                                  related_name="prepaid_scheme")
    issues_cards = models.BooleanField("发行预付卡", default=True)
    card_types = models.JSONField("预付卡种类", default=list, blank=True)
    outstanding_balance = models.DecimalField("未消费余额（元）", max_digits=14, decimal_places=2,
                                              default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))])
    cardholders = models.PositiveIntegerField("持卡人数", default=0)
    custody = models.CharField("资金存管或担保", max_length=12, choices=Custody.choices, default=Custody.NONE)
    custodian = models.CharField("存管银行或担保机构", max_length=100, blank=True)
    refund_policy = models.CharField("退卡退费办法", max_length=300, blank=True)
    declared_by = models.CharField("申报人", max_length=150)
    declared_at = models.DateTimeField("申报时间")

    objects = PrepaidQuerySet.as_manager()

    class Meta:
        verbose_name = "预付卡申报"
        verbose_name_plural = "预付卡申报"
        ordering = ["-declared_at"]

    def __str__(self):
        return f"{self.entity} 预付卡申报"

    @property
    def card_type_labels(self) -> list[str]:
        from .choices import CardType

        labels = dict(CardType.choices)
        return [str(labels.get(code, code)) for code in self.card_types]

    @property
    def summary(self) -> str:
        if not self.issues_cards:
            return "不发行预付卡"
        return f"{'、'.join(self.card_type_labels) or '预付卡'}，余额 {self.outstanding_balance} 元，{self.get_custody_display()}"
