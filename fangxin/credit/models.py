from django.db import models
from django.db.models import Q

from fangxin.accounts.scope import ScopedQuerySet
from fangxin.core.models import TimeStampedModel

from .choices import (
    EventKind,
    ExitReason,
    Grade,
    GradeModelStatus,
    ListKind,
    RepairStatus,
    RepairTargetKind,
    RuleConditionKind,
)


class ListEntryQuerySet(ScopedQuerySet):
    scope_fields = {"region": "entity__region", "sector": "entity__sector", "entity": "entity"}

    def current(self):
        return self.filter(exited_on__isnull=True)


class ListEntry(TimeStampedModel):
    """An entry of a business on a credit list, with the decision that put it there and the one that took it off."""

    entity = models.ForeignKey("merchants.MarketEntity", verbose_name="市场主体", on_delete=models.PROTECT,
                               related_name="list_entries")
    kind = models.CharField("名单", max_length=12, choices=ListKind.choices)
    reason_code = models.CharField("列入事由代码", max_length=20)
    reason = models.CharField("列入事由", max_length=300)
    authority = models.CharField("作出决定机关", max_length=100)
    document_number = models.CharField("决定书文号", max_length=100)
    entered_on = models.DateField("列入日期")
    exited_on = models.DateField("移出日期", null=True, blank=True)
    exit_reason = models.CharField("移出原因", max_length=20, choices=ExitReason.choices, blank=True)
    exit_document_number = models.CharField("移出决定文号", max_length=100, blank=True)

    objects = ListEntryQuerySet.as_manager()

    class Meta:
        verbose_name = "信用名单记录"
        verbose_name_plural = "信用名单记录"
        ordering = ["-entered_on"]
        constraints = [
            models.UniqueConstraint(fields=["entity", "kind"], condition=Q(exited_on__isnull=True),
                                    name="list_entry_one_current_per_kind"),
        ]

    def __str__(self):
        return f"{self.entity} · {self.get_kind_display()}"


SOURCE_LABELS = {
    "complaint": "投诉", "title": "示范单位称号", "list": "信用名单决定", "inspection": "双随机抽查",
    "penalty": "行政处罚录入", "breach": "违反承诺录入", "import": "部门数据导入", "repair": "信用修复",
}
LIST_STEPS = {"enter": "列入", "exit": "移出"}
TITLE_STEPS = {"award": "授予", "revoke": "撤销"}


def source_label(source_ref: str) -> str:
    kind, _, rest = source_ref.partition(":")
    label = SOURCE_LABELS.get(kind)
    if label is None:
        return source_ref
    if kind == "complaint":
        return f"{label} {rest.partition(':')[0]}"
    if kind == "list":
        return f"{label}（{LIST_STEPS.get(rest.rpartition(':')[2], '')}）".replace("（）", "")
    if kind == "title":
        return f"{label}（{TITLE_STEPS.get(rest.rpartition(':')[2], '')}）".replace("（）", "")
    if kind == "import":
        return f"{label} {rest.partition(':')[2]}".strip()
    return label


class CreditEventQuerySet(ScopedQuerySet):
    scope_fields = {"region": "entity__region", "sector": "entity__sector", "entity": "entity"}


class CreditEvent(models.Model):
    """One row of a business's append-only credit ledger. Rows are only ever added (services.credit_event_record);
    `source_ref` names the business fact behind the row, so recording the same fact twice adds nothing."""

    entity = models.ForeignKey("merchants.MarketEntity", verbose_name="市场主体", on_delete=models.PROTECT,
                               related_name="credit_events")
    kind = models.CharField("事件", max_length=24, choices=EventKind.choices)
    occurred_on = models.DateField("发生日期")
    detail = models.CharField("内容", max_length=300)
    source_ref = models.CharField("来源", max_length=80, unique=True,
                                  help_text="如 complaint:T2026…、title:12、list:3:enter")
    document_number = models.CharField("文书编号", max_length=100, blank=True)
    authority = models.CharField("作出决定机关", max_length=100, blank=True)
    recorded_at = models.DateTimeField("记入时间", auto_now_add=True)
    repairs = models.ForeignKey("self", verbose_name="修复的事件", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="repaired_by",
                                help_text="信用修复事件指向被修复的事件；被修复的事件不再计分（grading.py）")

    objects = CreditEventQuerySet.as_manager()

    class Meta:
        verbose_name = "信用事件"
        verbose_name_plural = "信用事件"
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["entity", "occurred_on"], name="credit_event_entity_date")]

    def __str__(self):
        return f"{self.entity} · {self.get_kind_display()} · {self.occurred_on}"

    @property
    def source_label(self) -> str:
        """The source as staff read it ("投诉 T2026…", "名单决定", "数据导入 CSV-1"), not the internal key."""
        return source_label(self.source_ref)


class GradeModelQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=GradeModelStatus.PUBLISHED)

    def current(self):
        """The published version in force: the highest published version number."""
        return self.published().order_by("-version").first()


class GradeModel(models.Model):
    """A versioned points model stored as data (`rules`, see credit/grading.py and docs/credit.md).
    A published version is never edited; a change is a new draft version, published in its turn."""

    version = models.PositiveSmallIntegerField("版本", unique=True)
    title = models.CharField("名称", max_length=120)
    status = models.CharField("状态", max_length=10, choices=GradeModelStatus.choices,
                              default=GradeModelStatus.DRAFT)
    rules = models.JSONField("计分规则")
    note = models.CharField("修订说明", max_length=300, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)

    objects = GradeModelQuerySet.as_manager()

    class Meta:
        verbose_name = "信用评级模型"
        verbose_name_plural = "信用评级模型"
        ordering = ["-version"]

    def __str__(self):
        return f"{self.title}（第 {self.version} 版）"


class CreditGrade(models.Model):
    """The current grade of one business, with the explanation of how the ledger produced it."""

    entity = models.OneToOneField("merchants.MarketEntity", verbose_name="市场主体", on_delete=models.PROTECT,
                                  related_name="credit_grade")
    grade = models.CharField("信用等级", max_length=1, choices=Grade.choices)
    score = models.DecimalField("信用分", max_digits=6, decimal_places=2)
    model = models.ForeignKey(GradeModel, verbose_name="评级模型", on_delete=models.PROTECT, related_name="+")
    model_version = models.PositiveSmallIntegerField("模型版本")
    computed_at = models.DateTimeField("计算时间")
    explanation = models.JSONField("评级说明", default=dict)

    class Meta:
        verbose_name = "信用等级"
        verbose_name_plural = "信用等级"

    def __str__(self):
        return f"{self.entity} · {self.grade}"


class CreditGradeHistory(models.Model):
    """A change of a business's grade (the first grade included)."""

    entity = models.ForeignKey("merchants.MarketEntity", verbose_name="市场主体", on_delete=models.PROTECT,
                               related_name="credit_grade_history")
    from_grade = models.CharField("原等级", max_length=1, choices=Grade.choices, blank=True)
    to_grade = models.CharField("新等级", max_length=1, choices=Grade.choices)
    score = models.DecimalField("信用分", max_digits=6, decimal_places=2)
    model_version = models.PositiveSmallIntegerField("模型版本")
    event = models.ForeignKey(CreditEvent, verbose_name="引起变化的事件", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField("变化时间")

    class Meta:
        verbose_name = "信用等级变化"
        verbose_name_plural = "信用等级变化"
        ordering = ["-changed_at", "-id"]

    def __str__(self):
        return f"{self.entity} · {self.from_grade or '—'} → {self.to_grade}"


class JointRule(TimeStampedModel):
    """A joint-punishment rule (联合惩戒): when a business is on a list or has a grade, these effects apply.
    Edited by the joint-meeting office (rules.py, audited); `name` is quoted in every refusal it causes."""

    name = models.CharField("规则名称", max_length=100, unique=True)
    condition_kind = models.CharField("条件类型", max_length=8, choices=RuleConditionKind.choices)
    condition_value = models.CharField("条件", max_length=12,
                                       help_text="名单：abnormal / serious / warning；等级：A / B / C / D")
    effects = models.JSONField("惩戒措施", default=list)
    inspection_ratio = models.DecimalField("抽查比例", max_digits=4, decimal_places=2, null=True, blank=True,
                                           help_text="提高抽查比例时使用的比例，如 0.30")
    warning_text = models.CharField("公开提示语", max_length=200, blank=True)
    basis = models.CharField("依据", max_length=300, blank=True)
    active = models.BooleanField("启用", default=True)
    position = models.PositiveSmallIntegerField("顺序", default=100)

    class Meta:
        verbose_name = "联合惩戒规则"
        verbose_name_plural = "联合惩戒规则"
        ordering = ["position", "id"]

    def __str__(self):
        return self.name

    @property
    def condition_label(self) -> str:
        if self.condition_kind == RuleConditionKind.LIST:
            return f"列入{ListKind(self.condition_value).label}" if self.condition_value in ListKind.values \
                else self.condition_value
        return f"信用等级为 {self.condition_value} 级"

    @property
    def effect_labels(self) -> list[str]:
        from .choices import RuleEffect

        return [RuleEffect(code).label for code in self.effects if code in RuleEffect.values]


class RepairRequestQuerySet(ScopedQuerySet):
    scope_fields = {"region": "entity__region", "sector": "entity__sector", "entity": "entity"}


class RepairRequest(TimeStampedModel):
    """A business's request for credit repair (信用修复) of one ledger event or one current list entry, with
    evidence, decided by the authority's staff (repair.py)."""

    entity = models.ForeignKey("merchants.MarketEntity", verbose_name="市场主体", on_delete=models.PROTECT,
                               related_name="repair_requests")
    target_kind = models.CharField("修复对象", max_length=12, choices=RepairTargetKind.choices)
    event = models.ForeignKey(CreditEvent, verbose_name="信用事件", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="repair_requests")
    list_entry = models.ForeignKey(ListEntry, verbose_name="名单记录", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="repair_requests")
    statement = models.TextField("修复理由和已采取的整改措施", max_length=2000)
    status = models.CharField("状态", max_length=10, choices=RepairStatus.choices, default=RepairStatus.SUBMITTED)
    submitted_by = models.ForeignKey("accounts.User", verbose_name="申请人", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    decided_by = models.ForeignKey("accounts.User", verbose_name="决定人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)
    decision_reason = models.CharField("决定理由", max_length=500, blank=True)
    document_number = models.CharField("修复决定文号", max_length=100, blank=True)
    repair_event = models.ForeignKey(CreditEvent, verbose_name="信用修复事件", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")

    objects = RepairRequestQuerySet.as_manager()

    class Meta:
        verbose_name = "信用修复申请"
        verbose_name_plural = "信用修复申请"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(target_kind=RepairTargetKind.EVENT, event__isnull=False, list_entry__isnull=True)
                           | Q(target_kind=RepairTargetKind.LIST_ENTRY, list_entry__isnull=False,
                               event__isnull=True)),
                name="repair_request_one_target"),
            models.UniqueConstraint(fields=["event"], condition=Q(status=RepairStatus.SUBMITTED),
                                    name="repair_request_one_open_per_event"),
            models.UniqueConstraint(fields=["list_entry"], condition=Q(status=RepairStatus.SUBMITTED),
                                    name="repair_request_one_open_per_entry"),
        ]

    def __str__(self):
        return f"{self.entity} · 信用修复 {self.pk}"

    @property
    def target_label(self) -> str:
        if self.event_id:
            return f"{self.event.get_kind_display()}（{self.event.occurred_on:%Y-%m-%d}）：{self.event.detail}"
        entry = self.list_entry
        return f"{entry.get_kind_display()}（{entry.entered_on:%Y-%m-%d} 列入）：{entry.reason}"

    @property
    def tone(self) -> str:
        return {RepairStatus.SUBMITTED: "warning", RepairStatus.APPROVED: "success", RepairStatus.REJECTED: "danger"}.get(
            self.status, "muted")


class RepairEvidence(models.Model):
    request = models.ForeignKey(RepairRequest, verbose_name="信用修复申请", on_delete=models.CASCADE,
                                related_name="evidence")
    file = models.FileField("文件", upload_to="credit-repair/%Y/")
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField("类型", max_length=40)
    size = models.PositiveIntegerField("大小")
    sha256 = models.CharField("SHA-256", max_length=64)

    class Meta:
        verbose_name = "信用修复材料"
        verbose_name_plural = "信用修复材料"

    def __str__(self):
        return self.original_name
