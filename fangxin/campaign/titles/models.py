"""Demonstration titles (放心消费示范单位): standards, the annual cycle, applications and their reviews,
publicity with objections, awarded titles, dynamic-management cases and sector/county designations.

Imported by `fangxin.campaign.models`, so these are models of the `campaign` app (DESIGN §1 gives the campaign
app titles, standards, applications, reviews, publicity, awards and dynamic management); they live in their own
package to keep the app's modules small. Every write goes through `titles/services.py`.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from fangxin.accounts.scope import ScopedQuerySet
from fangxin.core.fields import SealedCharField
from fangxin.core.models import TimeStampedModel

from .choices import (
    APPLICATION_TONE,
    ApplicationStatus,
    CaseStatus,
    CycleStatus,
    Decision,
    DesignationKind,
    ItemKind,
    ObjectionStatus,
    ReviewerRole,
    StandardStatus,
    TitleLevel,
    TitleStatus,
    TriggerKind,
)


class StandardQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=StandardStatus.PUBLISHED)


class Standard(TimeStampedModel):
    """A versioned scoring sheet for one sector and level. A published version never changes; editing one
    makes a new draft, and publishing the draft retires the previous version."""

    sector = models.ForeignKey("organisation.Sector", verbose_name="行业", on_delete=models.PROTECT,
                               related_name="standards")
    level = models.CharField("级别", max_length=10, choices=TitleLevel.choices)
    version = models.PositiveSmallIntegerField("版本")
    title = models.CharField("名称", max_length=120)
    status = models.CharField("状态", max_length=10, choices=StandardStatus.choices, default=StandardStatus.DRAFT)
    pass_mark = models.DecimalField("合格分", max_digits=5, decimal_places=1)
    owner = models.ForeignKey("organisation.Department", verbose_name="制定部门", on_delete=models.PROTECT,
                              related_name="+")
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    note = models.CharField("修订说明", max_length=300, blank=True)

    objects = StandardQuerySet.as_manager()

    class Meta:
        verbose_name = "评价标准"
        verbose_name_plural = "评价标准"
        ordering = ["sector__seq", "level", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["sector", "level", "version"], name="standard_version_unique"),
            models.UniqueConstraint(fields=["sector", "level"], condition=Q(status="published"),
                                    name="standard_one_published"),
        ]

    def __str__(self):
        return f"{self.title}（第 {self.version} 版）"

    @property
    def max_score(self) -> Decimal:
        return sum((item.points for item in self.items.all() if item.kind == ItemKind.SCORED), Decimal("0"))


class StandardItem(models.Model):
    standard = models.ForeignKey(Standard, verbose_name="标准", on_delete=models.CASCADE, related_name="items")
    dimension = models.ForeignKey("organisation.Dimension", verbose_name="维度", on_delete=models.PROTECT,
                                  related_name="+")
    seq = models.PositiveSmallIntegerField("序号")
    kind = models.CharField("类别", max_length=10, choices=ItemKind.choices, default=ItemKind.SCORED)
    text = models.CharField("评价内容", max_length=300)
    points = models.DecimalField("分值", max_digits=5, decimal_places=1, default=Decimal("0"))
    guidance = models.CharField("评分办法", max_length=300, blank=True)
    evidence = models.CharField("应提供的材料", max_length=300, blank=True)

    class Meta:
        verbose_name = "评价项目"
        verbose_name_plural = "评价项目"
        ordering = ["standard", "seq"]
        constraints = [models.UniqueConstraint(fields=["standard", "seq"], name="standard_item_seq_unique")]

    def __str__(self):
        return f"{self.seq}. {self.text}"


class Cycle(TimeStampedModel):
    """One year's campaign: application window, review deadlines per level, publicity length, quotas."""

    year = models.PositiveSmallIntegerField("年度", unique=True)
    status = models.CharField("状态", max_length=10, choices=CycleStatus.choices, default=CycleStatus.OPEN)
    applications_open = models.DateField("申报开始")
    applications_close = models.DateField("申报截止")
    county_review_by = models.DateField("旗县区级评审截止")
    city_review_by = models.DateField("盟市级评审截止")
    region_review_by = models.DateField("自治区级评审截止")
    publicity_workdays = models.PositiveSmallIntegerField("公示期（工作日）", default=5)
    quotas = models.JSONField("名额", default=dict, blank=True,
                              help_text='按“级别:旗县区代码”或“级别:行业代码”设名额，如 {"county:150802": 20}')
    require_title_below = models.BooleanField("上一级称号为申报前提", default=True,
                                              help_text="不勾选时，下一级评审通过的推荐也可以申报")
    sector_coverage_threshold = models.DecimalField("示范行业覆盖率门槛", max_digits=4, decimal_places=3,
                                                    default=Decimal("0.300"),
                                                    help_text="某旗县区某行业示范单位数 ÷ 创建单位数")
    county_coverage_threshold = models.DecimalField("示范旗县区覆盖率门槛", max_digits=4, decimal_places=3,
                                                    default=Decimal("0.200"),
                                                    help_text="某旗县区示范单位数 ÷ 创建单位数")
    complaint_window_days = models.PositiveSmallIntegerField("投诉滚动窗口（天）", default=365)
    complaint_limit = models.PositiveSmallIntegerField("窗口内调解成功投诉上限", default=5,
                                                       help_text="超过即启动动态管理复核")
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = "创建年度"
        verbose_name_plural = "创建年度"
        ordering = ["-year"]

    def __str__(self):
        return f"{self.year} 年度"

    def review_by(self, level: str):
        return {TitleLevel.COUNTY: self.county_review_by, TitleLevel.CITY: self.city_review_by,
                TitleLevel.REGION: self.region_review_by}[level]


class ApplicationQuerySet(ScopedQuerySet):
    scope_fields = {"region": "entity__region", "sector": "entity__sector", "entity": "entity"}


class Application(TimeStampedModel):
    """A unit's bid for a title at one level in one year."""

    cycle = models.ForeignKey(Cycle, verbose_name="年度", on_delete=models.PROTECT, related_name="applications")
    entity = models.ForeignKey("merchants.MarketEntity", verbose_name="申报单位", on_delete=models.PROTECT,
                               related_name="title_applications")
    enrollment = models.ForeignKey("campaign.Enrollment", verbose_name="创建单位", on_delete=models.PROTECT,
                                   related_name="title_applications")
    level = models.CharField("申报级别", max_length=10, choices=TitleLevel.choices)
    region = models.ForeignKey("organisation.Region", verbose_name="评审地区", on_delete=models.PROTECT,
                               related_name="+", help_text="该级别评审、公示和授牌的地区")
    standard = models.ForeignKey(Standard, verbose_name="对照标准", on_delete=models.PROTECT, related_name="+")
    status = models.CharField("状态", max_length=12, choices=ApplicationStatus.choices,
                              default=ApplicationStatus.SUBMITTED)
    self_scores = models.JSONField("自评得分", default=dict, help_text="{项目序号: 分数}")
    self_total = models.DecimalField("自评总分", max_digits=6, decimal_places=1, default=Decimal("0"))
    statement = models.TextField("申报说明", blank=True)
    agreed_score = models.DecimalField("评审得分", max_digits=6, decimal_places=1, null=True, blank=True)
    recommended_by = models.ForeignKey("self", verbose_name="下级推荐", null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="+")
    submitted_by = models.CharField("申报人", max_length=150)
    decided_on = models.DateField("评审结论日期", null=True, blank=True)
    publicity = models.ForeignKey("Publicity", verbose_name="公示", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="candidates")

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = "示范单位申报"
        verbose_name_plural = "示范单位申报"
        ordering = ["-cycle__year", "level", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "entity", "level"], name="application_once_per_level_year"),
        ]

    def __str__(self):
        return f"{self.entity} · {self.cycle.year} {self.get_level_display()}"

    @property
    def tone(self) -> str:
        return APPLICATION_TONE.get(self.status, "muted")


class ApplicationEvidence(models.Model):
    application = models.ForeignKey(Application, verbose_name="申报", on_delete=models.CASCADE,
                                    related_name="evidence")
    item_seq = models.PositiveSmallIntegerField("对应项目序号", null=True, blank=True)
    file = models.FileField("文件", upload_to="titles/%Y/")
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField("类型", max_length=40)
    size = models.PositiveIntegerField("大小")
    sha256 = models.CharField("SHA-256", max_length=64)

    class Meta:
        verbose_name = "申报材料"
        verbose_name_plural = "申报材料"

    def __str__(self):
        return self.original_name


class ApplicationEvent(models.Model):
    """The timeline the merchant and staff see."""

    application = models.ForeignKey(Application, verbose_name="申报", on_delete=models.CASCADE,
                                    related_name="events")
    at = models.DateTimeField("时间")
    action = models.CharField("事项", max_length=40)
    label = models.CharField("步骤", max_length=60)
    from_status = models.CharField("原状态", max_length=12, blank=True)
    to_status = models.CharField("新状态", max_length=12, blank=True)
    actor_name = models.CharField("操作人", max_length=150)
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "申报记录"
        verbose_name_plural = "申报记录"
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.application} {self.label}"


class Review(models.Model):
    """One sign-off at one level: the lead department's or the consumer association's scores and decision."""

    application = models.ForeignKey(Application, verbose_name="申报", on_delete=models.CASCADE,
                                    related_name="reviews")
    role = models.CharField("评审方", max_length=20, choices=ReviewerRole.choices)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="评审人", on_delete=models.PROTECT,
                                 related_name="+")
    scores = models.JSONField("逐项得分", default=dict)
    comments = models.JSONField("逐项意见", default=dict)
    vetoes = models.JSONField("触发的否决项", default=list)
    total = models.DecimalField("总分", max_digits=6, decimal_places=1)
    decision = models.CharField("结论", max_length=10, choices=Decision.choices)
    opinion = models.TextField("评审意见")
    signed_at = models.DateTimeField("签署时间")

    class Meta:
        verbose_name = "评审"
        verbose_name_plural = "评审"
        ordering = ["signed_at"]
        constraints = [models.UniqueConstraint(fields=["application", "role"], name="review_once_per_role")]

    def __str__(self):
        return f"{self.application} · {self.get_role_display()}"


class ConflictDeclaration(TimeStampedModel):
    """A reviewer's declared conflict of interest with a business: they cannot review its applications."""

    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="评审人", on_delete=models.CASCADE,
                                 related_name="conflicts")
    entity = models.ForeignKey("merchants.MarketEntity", verbose_name="市场主体", on_delete=models.CASCADE,
                               related_name="+")
    reason = models.CharField("关系说明", max_length=200)

    class Meta:
        verbose_name = "利益冲突声明"
        verbose_name_plural = "利益冲突声明"
        constraints = [models.UniqueConstraint(fields=["reviewer", "entity"], name="conflict_unique")]

    def __str__(self):
        return f"{self.reviewer} ↔ {self.entity}"


class Publicity(TimeStampedModel):
    """The public notice of one level's candidates in one region for a number of working days."""

    cycle = models.ForeignKey(Cycle, verbose_name="年度", on_delete=models.PROTECT, related_name="publicities")
    level = models.CharField("级别", max_length=10, choices=TitleLevel.choices)
    region = models.ForeignKey("organisation.Region", verbose_name="地区", on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField("公示开始")
    ends_on = models.DateField("公示截止（含当日）")
    published_by = models.CharField("发布人", max_length=150)
    closed_at = models.DateTimeField("授牌时间", null=True, blank=True)

    class Meta:
        verbose_name = "公示"
        verbose_name_plural = "公示"
        ordering = ["-starts_on", "-id"]

    def __str__(self):
        return f"{self.cycle.year} 年度{self.region.name}{self.get_level_display()}放心消费示范单位候选名单"


class Objection(TimeStampedModel):
    application = models.ForeignKey(Application, verbose_name="候选单位", on_delete=models.PROTECT,
                                    related_name="objections")
    # the objector's identity is confidential (complaint-rules.md): sealed at rest, see docs/privacy.md
    name = SealedCharField("异议人", max_length=60)
    contact_phone = SealedCharField("联系电话", max_length=20)
    content = models.TextField("异议内容")
    evidence = models.FileField("证据", upload_to="objections/%Y/", blank=True)
    status = models.CharField("状态", max_length=10, choices=ObjectionStatus.choices, default=ObjectionStatus.PENDING)
    answer = models.TextField("答复", blank=True)
    answered_by = models.CharField("答复人", max_length=150, blank=True)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    reference_no = models.CharField("查询编号", max_length=20, unique=True)

    class Meta:
        verbose_name = "公示异议"
        verbose_name_plural = "公示异议"
        ordering = ["created_at"]

    def __str__(self):
        return f"{self.reference_no} · {self.application}"


class TitleQuerySet(ScopedQuerySet):
    scope_fields = {"region": "entity__region", "sector": "entity__sector", "entity": "entity"}

    def valid(self):
        return self.filter(status=TitleStatus.VALID)


class Title(TimeStampedModel):
    """An awarded demonstration title with its certificate."""

    entity = models.ForeignKey("merchants.MarketEntity", verbose_name="单位", on_delete=models.PROTECT,
                               related_name="titles")
    application = models.OneToOneField(Application, verbose_name="申报", on_delete=models.PROTECT,
                                       related_name="title")
    level = models.CharField("级别", max_length=10, choices=TitleLevel.choices)
    year = models.PositiveSmallIntegerField("年度")
    region = models.ForeignKey("organisation.Region", verbose_name="授予地区", on_delete=models.PROTECT,
                               related_name="+")
    name = models.CharField("称号", max_length=100)
    certificate_no = models.CharField("证书编号", max_length=40, unique=True)
    awarded_on = models.DateField("授牌日期")
    valid_until = models.DateField("有效期至")
    status = models.CharField("状态", max_length=10, choices=TitleStatus.choices, default=TitleStatus.VALID)
    revoked_on = models.DateField("撤销日期", null=True, blank=True)
    revoked_reason = models.CharField("撤销原因", max_length=300, blank=True)

    objects = TitleQuerySet.as_manager()

    class Meta:
        verbose_name = "示范单位称号"
        verbose_name_plural = "示范单位称号"
        ordering = ["-year", "level"]

    def __str__(self):
        return f"{self.entity} · {self.name}"


class ManagementCase(TimeStampedModel):
    """Dynamic management (动态管理): a trigger that opens a review of a title or an enrollment."""

    entity = models.ForeignKey("merchants.MarketEntity", verbose_name="单位", on_delete=models.PROTECT,
                               related_name="management_cases")
    trigger = models.CharField("触发事由", max_length=20, choices=TriggerKind.choices)
    source_ref = models.CharField("来源", max_length=80, help_text="如 credit:12、complaint:T2026…")
    detail = models.CharField("情况", max_length=300)
    status = models.CharField("状态", max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    decision_reason = models.CharField("处理意见", max_length=300, blank=True)
    decided_by = models.CharField("处理人", max_length=150, blank=True)
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = "动态管理"
        verbose_name_plural = "动态管理"
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["source_ref"], name="management_case_source_unique")]

    def __str__(self):
        return f"{self.entity} · {self.get_trigger_display()}"


class Announcement(TimeStampedModel):
    """A public notice: a revocation of a title or an enrollment, published on the portal at once."""

    entity = models.ForeignKey("merchants.MarketEntity", verbose_name="单位", on_delete=models.PROTECT,
                               related_name="+")
    title = models.CharField("标题", max_length=150)
    body = models.TextField("正文")
    published_on = models.DateField("发布日期")

    class Meta:
        verbose_name = "公告"
        verbose_name_plural = "公告"
        ordering = ["-published_on", "-id"]

    def __str__(self):
        return self.title


class OutgoingCreditEvent(models.Model):
    """A revocation waiting to be recorded as a credit event (the credit capability takes these over)."""

    entity = models.ForeignKey("merchants.MarketEntity", verbose_name="单位", on_delete=models.PROTECT,
                               related_name="+")
    kind = models.CharField("事件", max_length=40)
    detail = models.CharField("内容", max_length=300)
    occurred_on = models.DateField("日期")
    delivered_at = models.DateTimeField("已记入信用档案", null=True, blank=True)

    class Meta:
        verbose_name = "待记入信用事件"
        verbose_name_plural = "待记入信用事件"
        ordering = ["-occurred_on", "-id"]

    def __str__(self):
        return f"{self.entity} · {self.kind}"


class Designation(TimeStampedModel):
    """示范行业 / 示范旗县区, designated by the joint-meeting office when the coverage thresholds are met."""

    kind = models.CharField("类别", max_length=10, choices=DesignationKind.choices)
    year = models.PositiveSmallIntegerField("年度")
    region = models.ForeignKey("organisation.Region", verbose_name="旗县区", on_delete=models.PROTECT,
                               related_name="+")
    sector = models.ForeignKey("organisation.Sector", verbose_name="行业", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    coverage = models.DecimalField("覆盖率", max_digits=5, decimal_places=4)
    designated_by = models.CharField("决定人", max_length=150)

    class Meta:
        verbose_name = "示范行业与示范旗县区"
        verbose_name_plural = "示范行业与示范旗县区"
        ordering = ["-year", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "year", "region", "sector"], name="designation_sector_unique"),
            models.UniqueConstraint(fields=["kind", "year", "region"], condition=Q(sector__isnull=True),
                                    name="designation_county_unique"),
        ]

    def __str__(self):
        return f"{self.year} {self.get_kind_display()} {self.region}{self.sector or ''}"
