"""Complaints and reports (投诉 / 举报), their timeline, mediation sessions, documents and service stations.

State lives in `status`; every change goes through `services.py`, which checks `flows.py` and writes the
timeline entry (`ComplaintEvent`) and the audit record in the same transaction. Deadlines are derived from the
stored dates when read (`deadlines.py`), so nothing depends on a periodic job having run.
"""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator, validate_email
from django.db import models

from fangxin.accounts.scope import ScopedQuerySet
from fangxin.core.fields import BlindIndexField, SealedCharField, SealedJSONField, SealedTextField
from fangxin.core.models import TimeStampedModel

from .choices import (
    CLOSED_STATUSES,
    STATUS_TONE,
    Channel,
    DayUnit,
    DocumentKind,
    Kind,
    ReasonKind,
    ReferralDestination,
    SettlementType,
    Status,
)


class RuleSet(models.Model):
    """A national rule set for complaint handling; the one in force on the receipt date applies."""

    code = models.SlugField("代码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=80)
    in_force_from = models.DateField("施行日期", null=True, blank=True)
    in_force_until = models.DateField("废止日期（含当日有效）", null=True, blank=True)
    accept_days = models.PositiveSmallIntegerField("受理决定期限", default=7)
    accept_unit = models.CharField("受理期限单位", max_length=10, choices=DayUnit.choices, default=DayUnit.WORKDAY)
    mediation_days = models.PositiveSmallIntegerField("调解期限")
    mediation_unit = models.CharField("调解期限单位", max_length=10, choices=DayUnit.choices)
    end_notice_days = models.PositiveSmallIntegerField("终止调解告知期限（工作日）", null=True, blank=True)
    clue_check_days = models.PositiveSmallIntegerField("违法线索核查期限（工作日）", default=15)
    report_decision_days = models.PositiveSmallIntegerField("举报立案决定期限（工作日）", default=15)
    operator_days = models.PositiveSmallIntegerField("经营者和解期限（工作日）", default=10)

    class Meta:
        verbose_name = "投诉处理规则"
        verbose_name_plural = "投诉处理规则"
        ordering = ["in_force_from"]

    def __str__(self):
        return self.name


class RuleReason(models.Model):
    """A numbered refusal reason or ground to end mediation, as the rule set words it."""

    rule_set = models.ForeignKey(RuleSet, verbose_name="规则", on_delete=models.CASCADE, related_name="reasons")
    kind = models.CharField("类别", max_length=12, choices=ReasonKind.choices)
    number = models.PositiveSmallIntegerField("序号")
    text = models.CharField("内容", max_length=200)
    article = models.CharField("条款", max_length=30)

    class Meta:
        verbose_name = "法定情形"
        verbose_name_plural = "法定情形"
        ordering = ["rule_set", "kind", "number"]
        constraints = [models.UniqueConstraint(fields=["rule_set", "kind", "number"], name="rule_reason_unique")]

    def __str__(self):
        return f"{self.article}第（{self.number}）项：{self.text}"


class StationQuerySet(ScopedQuerySet):
    scope_fields = {"region": "region"}


class ServiceStation(TimeStampedModel):
    """A consumer rights service station (维权服务站) in a town, a market or a business."""

    region = models.ForeignKey("organisation.Region", verbose_name="所在旗县区", on_delete=models.PROTECT,
                               related_name="service_stations")
    town = models.CharField("苏木乡镇（街道）", max_length=60)
    name = models.CharField("名称", max_length=100)
    host = models.CharField("设站单位", max_length=100, help_text="设在哪家企业、市场或机关")
    address = models.CharField("地址", max_length=200)
    hours = models.CharField("服务时间", max_length=100)
    contact_phone = models.CharField("联系电话", max_length=30)
    is_active = models.BooleanField("在用", default=True)

    objects = StationQuerySet.as_manager()

    class Meta:
        verbose_name = "维权服务站"
        verbose_name_plural = "维权服务站"
        ordering = ["region__code", "town", "name"]

    def __str__(self):
        return self.name


class ComplaintQuerySet(ScopedQuerySet):
    scope_fields = {"region": "region", "sector": "sector", "entity": "entity"}

    def open(self):
        return self.exclude(status__in=CLOSED_STATUSES)

    def closed(self):
        return self.filter(status__in=CLOSED_STATUSES)


class Complaint(TimeStampedModel):
    tracking_no = models.CharField("投诉编号", max_length=20, unique=True)
    kind = models.CharField("类别", max_length=10, choices=Kind.choices, default=Kind.COMPLAINT)
    channel = models.CharField("来源渠道", max_length=10, choices=Channel.choices)
    station = models.ForeignKey(ServiceStation, verbose_name="受理服务站", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="complaints")
    external_ref = models.CharField("外部编号", max_length=60, blank=True, db_index=True,
                                    help_text="如 12315 平台的登记编号")
    # the complainant (personal information: sealed at rest, see docs/privacy.md; shown masked unless the viewer
    # handles the complaint). The phone has a blind index for exact lookups (staff search by phone).
    complainant_name = SealedCharField("投诉人姓名", max_length=60)
    complainant_phone = SealedCharField("联系电话", max_length=20)
    complainant_phone_index = BlindIndexField("联系电话索引", source="complainant_phone", purpose="complainant_phone")
    complainant_email = SealedCharField("电子邮箱", max_length=254, blank=True, validators=[validate_email])
    complainant_address = SealedCharField("联系地址", max_length=200, blank=True)
    complainant_id_number = SealedCharField("证件号码", max_length=18, blank=True,
                                            help_text="居民身份证号码（选填，18 位）")
    # the business complained about
    entity = models.ForeignKey("merchants.MarketEntity", verbose_name="被投诉经营者（登记主体）", null=True,
                               blank=True, on_delete=models.PROTECT, related_name="complaints")
    business_name = models.CharField("被投诉经营者名称", max_length=120)
    business_address = models.CharField("经营者地址", max_length=200, blank=True)
    business_uscc = models.CharField("经营者统一社会信用代码", max_length=18, blank=True)
    platform_name = models.CharField("所在网络平台", max_length=60, blank=True)
    # the dispute
    item = models.CharField("商品或服务", max_length=120)
    purchased_on = models.DateField("消费日期", null=True, blank=True)
    amount = models.DecimalField("涉及金额（元）", max_digits=12, decimal_places=2, null=True, blank=True)
    # free text the consumer typed often repeats the phone, address or ID number: sealed too (docs/privacy.md)
    description = SealedTextField("投诉内容")
    demand = SealedTextField("投诉请求")
    consent_publication = models.BooleanField("同意公示（隐去个人信息）", default=False)
    consent_mediation = models.BooleanField("同意调解（含先由经营者和解）", default=False)
    # routing
    region = models.ForeignKey("organisation.Region", verbose_name="管辖旗县区", on_delete=models.PROTECT,
                               related_name="complaints")
    sector = models.ForeignKey("organisation.Sector", verbose_name="行业", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="complaints")
    department = models.ForeignKey("organisation.Department", verbose_name="承办部门", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="complaints")
    problem_types = models.JSONField("问题类型", default=list, blank=True)
    triage_suggestion = models.JSONField("自动分诊建议", default=dict, blank=True)
    classification_confirmed = models.BooleanField("分类已确认", default=False)
    assignee = models.ForeignKey("accounts.User", verbose_name="承办人", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="assigned_complaints")
    # workflow
    status = models.CharField("状态", max_length=20, choices=Status.choices)
    rule_set = models.ForeignKey(RuleSet, verbose_name="适用规则", on_delete=models.PROTECT, related_name="+")
    received_on = models.DateField("收到日期", db_index=True)
    operator_started_on = models.DateField("转经营者和解日期", null=True, blank=True)
    bureau_received_on = models.DateField("转入监管部门日期", null=True, blank=True)
    accepted_on = models.DateField("受理日期", null=True, blank=True)
    closed_on = models.DateField("办结日期", null=True, blank=True, db_index=True)
    pause_started_on = models.DateField("检测鉴定开始日期", null=True, blank=True)
    paused_workdays = models.PositiveIntegerField("检测鉴定累计工作日", default=0)
    paused_calendar_days = models.PositiveIntegerField("检测鉴定累计自然日", default=0)
    reason = models.ForeignKey(RuleReason, verbose_name="不予受理或终止调解情形", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    referral_destination = models.CharField("诉调对接去向", max_length=24, choices=ReferralDestination.choices,
                                            blank=True)
    referral_body = models.CharField("对接机构名称", max_length=100, blank=True)
    referral_on = models.DateField("移交日期", null=True, blank=True)
    # settlement and outcome
    settlement_type = models.CharField("和解或调解方式", max_length=24, choices=SettlementType.choices, blank=True)
    settlement_amount = models.DecimalField("和解金额（元）", max_digits=12, decimal_places=2, null=True, blank=True)
    settlement_note = models.TextField("和解方案说明", blank=True)
    recovered_amount = models.DecimalField("挽回经济损失（元）", max_digits=12, decimal_places=2,
                                           default=Decimal("0"))
    advance_compensation = models.DecimalField("赔偿先付金额（元）", max_digits=12, decimal_places=2,
                                               default=Decimal("0"))
    outcome_summary = models.TextField("处理结果", blank=True)
    # consumer's rating and the business's public reply
    rating = models.PositiveSmallIntegerField("满意度评价", null=True, blank=True,
                                              validators=[MinValueValidator(1), MaxValueValidator(5)])
    rating_comment = models.CharField("评价意见", max_length=500, blank=True)
    rated_at = models.DateTimeField("评价时间", null=True, blank=True)
    business_reply = models.TextField("经营者公开回复", blank=True)
    business_reply_at = models.DateTimeField("回复时间", null=True, blank=True)
    overdue_flagged_on = models.DateField("逾期提醒日期", null=True, blank=True)
    dedupe_key = models.CharField("重复提交校验", max_length=64, db_index=True)
    # set by `fangxin retention apply` once the personal data is gone (minimum-necessary principle; retention.py)
    anonymised_on = models.DateField("个人信息匿名化日期", null=True, blank=True, db_index=True)

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        verbose_name = "投诉举报"
        verbose_name_plural = "投诉举报"
        ordering = ["-received_on", "-id"]
        indexes = [
            models.Index(fields=["region", "status"], name="complaint_region_status"),
            models.Index(fields=["entity", "received_on"], name="complaint_entity_received"),
            models.Index(fields=["status", "received_on"], name="complaint_status_received"),
        ]

    def __str__(self):
        return self.tracking_no

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    @property
    def tone(self) -> str:
        return STATUS_TONE.get(self.status, "muted")

    @property
    def phone_last4(self) -> str:
        return self.complainant_phone[-4:]


class ComplaintFile(models.Model):
    complaint = models.ForeignKey(Complaint, verbose_name="投诉", on_delete=models.CASCADE, related_name="files")
    file = models.FileField("文件", upload_to="complaints/%Y/%m/")
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField("文件类型", max_length=40)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "证据材料"
        verbose_name_plural = "证据材料"
        ordering = ["id"]

    def __str__(self):
        return self.original_name


class ComplaintEvent(models.Model):
    """One step of a complaint's timeline; `public` steps are shown to the consumer on the tracking page."""

    complaint = models.ForeignKey(Complaint, verbose_name="投诉", on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField("时间")
    on = models.DateField("日期")
    action = models.CharField("操作", max_length=40)
    label = models.CharField("步骤", max_length=60)
    from_status = models.CharField("原状态", max_length=20, blank=True)
    to_status = models.CharField("新状态", max_length=20, blank=True)
    actor_name = models.CharField("操作人", max_length=150)
    note = models.TextField("说明", blank=True)
    public = models.BooleanField("消费者可见", default=True)

    class Meta:
        verbose_name = "办理记录"
        verbose_name_plural = "办理记录"
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.complaint} {self.label}"


class MediationSession(models.Model):
    complaint = models.ForeignKey(Complaint, verbose_name="投诉", on_delete=models.CASCADE,
                                  related_name="mediation_sessions")
    held_on = models.DateField("调解日期")
    place = models.CharField("地点", max_length=100)
    mediator = models.CharField("调解人员", max_length=60)
    attendees = SealedCharField("参加人", max_length=200)  # names the complainant
    summary = SealedTextField("调解情况")
    recusal_requested = models.BooleanField("当事人申请回避", default=False)
    recusal_decision = models.CharField("回避处理", max_length=200, blank=True)
    recorded_by = models.CharField("记录人", max_length=150)
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "调解记录"
        verbose_name_plural = "调解记录"
        ordering = ["held_on", "id"]

    def __str__(self):
        return f"{self.complaint} {self.held_on}"


class ComplaintDocument(models.Model):
    """An official document issued at a step; `content` is the text as issued, so reprints never drift."""

    complaint = models.ForeignKey(Complaint, verbose_name="投诉", on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField("文书", max_length=24, choices=DocumentKind.choices)
    number = models.CharField("文号", max_length=60, unique=True)
    issued_on = models.DateField("日期")
    issuer = models.CharField("发文单位", max_length=100)
    content = SealedJSONField("内容", default=dict)  # names the complainant and quotes the complaint

    class Meta:
        verbose_name = "文书"
        verbose_name_plural = "文书"
        ordering = ["issued_on", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}"


class DocumentCounter(models.Model):
    """Per issuer, kind and year: the next document number (locked while numbering)."""

    region = models.ForeignKey("organisation.Region", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=24, choices=DocumentKind.choices)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["region", "kind", "year"], name="document_counter_unique")]

    def __str__(self):
        return f"{self.region_id}-{self.kind}-{self.year}: {self.last}"


from .idempotency import SubmissionKey  # noqa: E402, F401  (registered with the app; lives beside its logic)
