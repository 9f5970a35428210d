from django.conf import settings
from django.db import models
from django.db.models import Q

from fangxin.accounts.scope import ScopedQuerySet
from fangxin.core.fields import SealedCharField
from fangxin.core.models import TimeStampedModel

from .choices import CURRENT_STATUSES, BadgeReportStatus, DisplayMethod, EnrollmentStatus


class EnrollmentQuerySet(ScopedQuerySet):
    scope_fields = {"region": "entity__region", "sector": "entity__sector", "entity": "entity"}

    def current(self):
        return self.filter(status__in=CURRENT_STATUSES)


class Enrollment(TimeStampedModel):
    """A business that joined the campaign (放心消费创建单位) by signing one version of the unified commitment."""

    entity = models.ForeignKey("merchants.MarketEntity", verbose_name="市场主体", on_delete=models.PROTECT,
                               related_name="enrollments")
    serial = models.CharField("创建单位编号", max_length=32, unique=True)
    commitment = models.ForeignKey("organisation.Commitment", verbose_name="签署的统一承诺版本",
                                   on_delete=models.PROTECT, related_name="+")
    specific_commitments = models.ManyToManyField("organisation.SpecificCommitment", verbose_name="可选承诺",
                                                  blank=True, related_name="+")
    display_method = models.CharField("标志展示方式", max_length=12, choices=DisplayMethod.choices)
    status = models.CharField("状态", max_length=12, choices=EnrollmentStatus.choices, default=EnrollmentStatus.ACTIVE)
    signed_name = models.CharField("签署人", max_length=60)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="提交账号", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField("签署时间")
    badge_revision = models.PositiveSmallIntegerField("标志版次", default=1)
    badge_kid = models.CharField("签名密钥编号", max_length=16)
    badge_token = models.TextField("标志令牌")
    badge_issued_on = models.DateField("标志签发日期")

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        verbose_name = "放心消费创建单位"
        verbose_name_plural = "放心消费创建单位"
        ordering = ["-signed_at"]
        constraints = [
            # "a second active enrollment is refused": at most one current (active or suspended) per business.
            models.UniqueConstraint(fields=["entity"], condition=Q(status__in=list(CURRENT_STATUSES)),
                                    name="enrollment_one_current_per_entity"),
        ]

    def __str__(self):
        return f"{self.entity}（{self.serial}）"

    @property
    def is_current(self) -> bool:
        return self.status in CURRENT_STATUSES


class EnrollmentEvent(models.Model):
    """The enrollment's timeline: every status change with its reason, as the merchant and the public see it."""

    enrollment = models.ForeignKey(Enrollment, verbose_name="创建单位", on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField("时间")
    action = models.CharField("事项", max_length=20)
    from_status = models.CharField("原状态", max_length=12, choices=EnrollmentStatus.choices, blank=True)
    to_status = models.CharField("新状态", max_length=12, choices=EnrollmentStatus.choices)
    reason = models.CharField("原因", max_length=300, blank=True)
    actor_name = models.CharField("操作人", max_length=150)

    class Meta:
        verbose_name = "创建单位记录"
        verbose_name_plural = "创建单位记录"
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.enrollment.serial} {self.action} {self.at:%Y-%m-%d}"


class BadgeReportQuerySet(ScopedQuerySet):
    scope_fields = {"region": "enrollment__entity__region", "sector": "enrollment__entity__sector",
                    "entity": "enrollment__entity"}


class BadgeReport(TimeStampedModel):
    """A consumer's report of a suspected fake or misused badge, made from the verification page."""

    token = models.TextField("扫描到的内容")
    verdict = models.CharField("核验结果", max_length=12)
    enrollment = models.ForeignKey(Enrollment, verbose_name="对应创建单位", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="reports")
    where_seen = models.CharField("发现地点或网址", max_length=200)
    description = models.CharField("情况说明", max_length=1000)
    contact_phone = SealedCharField("联系电话（选填）", max_length=20, blank=True)  # the reporter: sealed at rest
    status = models.CharField("处理状态", max_length=12, choices=BadgeReportStatus.choices,
                              default=BadgeReportStatus.OPEN)

    objects = BadgeReportQuerySet.as_manager()

    class Meta:
        verbose_name = "标志举报"
        verbose_name_plural = "标志举报"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.where_seen}（{self.get_status_display()}）"


# Demonstration titles are models of this app, kept in their own package (see titles/models.py).
from .titles.models import (  # noqa: E402, F401
    Announcement,
    Application,
    ApplicationEvent,
    ApplicationEvidence,
    ConflictDeclaration,
    Cycle,
    Designation,
    ManagementCase,
    Objection,
    OutgoingCreditEvent,
    Publicity,
    Review,
    Standard,
    StandardItem,
    Title,
)
