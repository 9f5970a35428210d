"""Random inspections (双随机一公开): inspectors and their declared conflicts, plans, the verifiable draw of
each plan (DESIGN 5.5) and the inspections it assigns, with results, documents and publication.

Every write goes through services.py. Who sees what (docs/inspections.md):
- plans: whole-system roles everything; department staff the plans their department takes part in (within their
  region); county staff and the consumer association the plans covering a county in their region; the joint-meeting
  office every plan covering its region (the whole city); merchants none;
- inspections: those of a visible plan whose business lies in the user's region, and for merchants the
  inspections of their own businesses;
- inspectors: staff see the inspectors whose regions lie within or above their own region.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from fangxin.accounts.choices import Role
from fangxin.accounts.scope import ScopedQuerySet, scope_of
from fangxin.core.models import TimeStampedModel

from .choices import (
    DEFAULT_RATIOS,
    DEFAULT_RECENT_DAYS,
    DEFAULT_TEAM_SIZE,
    FAILED_OUTCOMES,
    OUTCOME_TONE,
    PLAN_TONE,
    RESULT_TONE,
    Outcome,
    PlanStatus,
    ResultStatus,
)


def _ancestor_codes(path: str) -> list[str]:
    """Region paths are "/15/1508/150802/"-like chains of codes: the codes of the region and its ancestors."""
    return [part for part in path.split("/") if part]


def _default_ratios():
    return dict(DEFAULT_RATIOS)


class InspectorQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        scope = scope_of(user)
        if scope.everything:
            return self.all()
        if scope.region_path is None:
            return self.none()
        # Inside the user's region, or above it (a city inspector also works in the county).
        ids = Inspector.regions.through.objects.filter(
            Q(region__path__startswith=scope.region_path) | Q(region__code__in=_ancestor_codes(scope.region_path))
        ).values("inspector_id")
        return self.filter(pk__in=ids)

    def active(self):
        return self.filter(active=True)


class Inspector(TimeStampedModel):
    """A law-enforcement inspector of a department, eligible for the draw in the regions listed."""

    code = models.CharField("执法证号", max_length=40, unique=True,
                            help_text="检查人员编号，写入抽签记录，公开核对时据此识别人员")
    name = models.CharField("姓名", max_length=60)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name="平台账号", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="inspector")
    department = models.ForeignKey("organisation.Department", verbose_name="所属部门", on_delete=models.PROTECT,
                                   related_name="inspectors")
    regions = models.ManyToManyField("organisation.Region", verbose_name="执法区域", related_name="inspectors",
                                     help_text="盟市级区域覆盖其下全部旗县区")
    qualification = models.CharField("执法资格", max_length=200, blank=True,
                                     help_text="如：食品安全执法资格，执法证有效期至 2028-12-31")
    active = models.BooleanField("在岗", default=True, help_text="不在岗的人员不参加抽取")

    objects = InspectorQuerySet.as_manager()

    class Meta:
        verbose_name = "检查人员"
        verbose_name_plural = "检查人员"
        ordering = ["department__code", "code"]

    def __str__(self):
        return f"{self.name}（{self.code}）"


class ConflictQuerySet(models.QuerySet):
    def current(self):
        return self.filter(withdrawn_at__isnull=True)


class InspectorConflict(models.Model):
    """A declared interest between an inspector and a business (kin, former employer…): excluded from its team."""

    inspector = models.ForeignKey(Inspector, verbose_name="检查人员", on_delete=models.CASCADE,
                                  related_name="conflicts")
    entity = models.ForeignKey("merchants.MarketEntity", verbose_name="市场主体", on_delete=models.PROTECT,
                               related_name="inspector_conflicts")
    reason = models.CharField("利害关系", max_length=200)
    declared_at = models.DateTimeField("申报时间", auto_now_add=True)
    declared_by = models.CharField("登记人", max_length=150, blank=True)
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)

    objects = ConflictQuerySet.as_manager()

    class Meta:
        verbose_name = "利益冲突申报"
        verbose_name_plural = "利益冲突申报"
        ordering = ["-declared_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["inspector", "entity"], condition=Q(withdrawn_at__isnull=True),
                                    name="inspector_conflict_one_current"),
        ]

    def __str__(self):
        return f"{self.inspector.name} ↔ {self.entity}"


class PlanQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        scope = scope_of(user)
        if scope.everything:
            return self.all()
        if scope.region_path is None:  # merchants, the public, users without a region
            return self.none()
        in_region = Plan.counties.through.objects.filter(
            region__path__startswith=scope.region_path).values("plan_id")
        plans = self.filter(pk__in=in_region)
        if user.role == Role.DEPARTMENT_STAFF:
            plans = plans.filter(pk__in=Plan.departments.through.objects.filter(
                department_id=user.department_id).values("plan_id"))
        return plans


class Plan(TimeStampedModel):
    """A random-inspection plan of one department, or several (a joint inspection)."""

    name = models.CharField("计划名称", max_length=120)
    lead_department = models.ForeignKey("organisation.Department", verbose_name="牵头部门",
                                        on_delete=models.PROTECT, related_name="led_inspection_plans")
    departments = models.ManyToManyField("organisation.Department", verbose_name="参加部门",
                                         related_name="inspection_plans",
                                         help_text="多个部门即为联合抽查；检查人员从这些部门中抽取")
    sectors = models.ManyToManyField("organisation.Sector", verbose_name="行业", blank=True, related_name="+",
                                     help_text="不选即全部行业")
    counties = models.ManyToManyField("organisation.Region", verbose_name="旗县区", related_name="+")
    entity_types = models.JSONField("主体类型", default=list, blank=True, help_text="不选即全部主体类型")
    items = models.JSONField("检查事项", default=list, blank=True)
    ratios = models.JSONField("抽查比例", default=_default_ratios,
                              help_text='按信用等级，如 {"A": "0.03", "B": "0.05", "C": "0.10", "D": "0.20"}')
    team_size = models.PositiveSmallIntegerField("每组检查人员数", default=DEFAULT_TEAM_SIZE)
    recent_days = models.PositiveSmallIntegerField("近期已检查回避天数", default=DEFAULT_RECENT_DAYS,
                                                   help_text="在此天数内检查过该企业的人员不再分派到该企业")
    draw_due = models.DateField("抽取截止日期", null=True, blank=True)
    inspect_due = models.DateField("检查完成日期", null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = "抽查计划"
        verbose_name_plural = "抽查计划"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.name

    @property
    def tone(self) -> str:
        return PLAN_TONE.get(self.status, "muted")

    @property
    def is_joint(self) -> bool:
        return self.departments.count() > 1


class Draw(models.Model):
    """The draw of one plan (DESIGN 5.5). The frozen inputs are written at freeze, the entropy later, and the
    full record — with the server secret revealed — only by the draw itself. `server_secret` must never leave the
    server before `drawn_at` is set (selectors and the API show it only through `record`)."""

    plan = models.OneToOneField(Plan, verbose_name="抽查计划", on_delete=models.PROTECT, related_name="draw")
    server_secret = models.CharField("服务器秘密值", max_length=64, editable=False)
    commitment_sha256 = models.CharField("承诺值", max_length=64)
    committed_at = models.DateTimeField("承诺公布时间")
    ratios = models.JSONField("实际抽查比例", default=dict, help_text="计划比例经失信惩戒规则调整后的比例")
    applied_rules = models.JSONField("适用的规则", default=list, blank=True)
    population = models.JSONField("总体（按层）", default=dict)
    population_sha256 = models.CharField("总体哈希", max_length=64)
    population_size = models.PositiveIntegerField("总体数量", default=0)
    frozen_at = models.DateTimeField("冻结时间")
    entities = models.JSONField("企业县区", default=dict)
    inspectors = models.JSONField("检查人员名录", default=list)
    exclusions = models.JSONField("回避", default=list)
    public_entropy = models.TextField("公开随机数", blank=True)
    witnesses = models.CharField("见证人", max_length=200, blank=True)
    entropy_at = models.DateTimeField("录入时间", null=True, blank=True)
    entropy_by = models.CharField("录入人", max_length=150, blank=True)
    seed = models.CharField("种子", max_length=64, blank=True)
    record = models.JSONField("抽签记录", null=True, blank=True)
    drawn_at = models.DateTimeField("抽取时间", null=True, blank=True)
    drawn_by = models.CharField("抽取人", max_length=150, blank=True)

    class Meta:
        verbose_name = "抽签"
        verbose_name_plural = "抽签"
        ordering = ["-frozen_at", "-id"]

    def __str__(self):
        return f"{self.plan} 抽签"

    @property
    def is_drawn(self) -> bool:
        return self.drawn_at is not None


class InspectionQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        scope = scope_of(user)
        if scope.everything:
            return self.all()
        if scope.entity_ids is not None:
            return self.filter(entity_id__in=scope.entity_ids) if scope.entity_ids else self.none()
        if scope.region_path is None:
            return self.none()
        # A plan may span counties; its staff see the businesses of their own region only.
        return self.filter(plan__in=Plan.objects.visible_to(user), entity__region__path__startswith=scope.region_path)

    def published(self):
        return self.filter(published_at__isnull=False)


class Inspection(TimeStampedModel):
    """One selected business of a drawn plan, its team and, once inspected, the result."""

    plan = models.ForeignKey(Plan, verbose_name="抽查计划", on_delete=models.PROTECT, related_name="inspections")
    entity = models.ForeignKey("merchants.MarketEntity", verbose_name="被检查企业", on_delete=models.PROTECT,
                               related_name="inspections")
    seq = models.PositiveIntegerField("序号", help_text="在抽签记录中的位置（签号升序）")
    stratum = models.CharField("信用层", max_length=10)
    ticket = models.CharField("签号", max_length=64)
    inspectors = models.ManyToManyField(Inspector, verbose_name="检查组", blank=True, related_name="inspections")
    inspector_codes = models.JSONField("检查组编号", default=list, blank=True, help_text="与抽签记录一致的顺序")
    unassigned_reason = models.CharField("未分派原因", max_length=300, blank=True)
    outcome = models.CharField("检查结果", max_length=12, choices=Outcome.choices, blank=True)
    description = models.TextField("情况说明", blank=True)
    inspected_on = models.DateField("检查日期", null=True, blank=True)
    result_recorded_at = models.DateTimeField("结果录入时间", null=True, blank=True)
    recorded_by = models.CharField("录入人", max_length=150, blank=True)
    publish_due = models.DateField("公示期限", null=True, blank=True, help_text="结果录入后 20 个工作日内公示")
    published_at = models.DateTimeField("公示时间", null=True, blank=True)
    published_by = models.CharField("公示人", max_length=150, blank=True)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        verbose_name = "抽查检查"
        verbose_name_plural = "抽查检查"
        ordering = ["plan", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "entity"], name="inspection_once_per_plan"),
        ]
        indexes = [models.Index(fields=["published_at", "publish_due"], name="inspection_publish_idx")]

    def __str__(self):
        return f"{self.plan} · {self.entity}"

    @property
    def result_status(self) -> str:
        if self.published_at:
            return ResultStatus.PUBLISHED
        if self.outcome:
            return ResultStatus.RECORDED
        if self.unassigned_reason:
            return ResultStatus.UNASSIGNED
        return ResultStatus.PENDING

    @property
    def result_status_label(self) -> str:
        return ResultStatus(self.result_status).label

    @property
    def tone(self) -> str:
        return RESULT_TONE[self.result_status]

    @property
    def outcome_tone(self) -> str:
        return OUTCOME_TONE.get(self.outcome, "muted")

    @property
    def is_failed(self) -> bool:
        return self.outcome in FAILED_OUTCOMES


class InspectionDocument(models.Model):
    """A file kept with a result (the inspection record, photos): an image or PDF checked by its content."""

    inspection = models.ForeignKey(Inspection, verbose_name="抽查检查", on_delete=models.CASCADE,
                                   related_name="documents")
    file = models.FileField("文件", upload_to="inspections/%Y/")
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField("类型", max_length=40)
    size = models.PositiveIntegerField("大小")
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "检查文书"
        verbose_name_plural = "检查文书"
        ordering = ["id"]

    def __str__(self):
        return self.original_name
