import hashlib
import secrets

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models

from fangxin.core.models import TimeStampedModel

from .choices import STAFF_ROLES, Role


class User(AbstractUser):
    """Every account: merchants, staff of each kind, auditors and administrators. Consumers have none."""

    full_name = models.CharField("姓名", max_length=60, blank=True)
    role = models.CharField("角色", max_length=30, choices=Role.choices)
    region = models.ForeignKey("organisation.Region", verbose_name="管辖区域", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+",
                               help_text="工作人员可见范围：该区划及其全部下级。")
    department = models.ForeignKey("organisation.Department", verbose_name="所属部门", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="users",
                                   help_text="职能部门工作人员必填：可见其牵头或配合的行业。")
    phone = models.CharField("联系电话", max_length=20, blank=True)
    is_unit_head = models.BooleanField("单位负责人", default=False,
                                       help_text="勾选后接收本单位投诉逾期等督办提醒。")

    objects = UserManager()
    REQUIRED_FIELDS = ["email", "role"]

    class Meta:
        verbose_name = "账号"
        verbose_name_plural = "账号"
        ordering = ["username"]

    def __str__(self):
        return self.full_name or self.username

    def clean(self):
        super().clean()
        if self.role in STAFF_ROLES and not self.region_id:
            raise ValidationError({"region": "工作人员账号必须指定管辖区域。"})
        if self.role == Role.DEPARTMENT_STAFF and not self.department_id:
            raise ValidationError({"department": "职能部门工作人员账号必须指定所属部门。"})

    @property
    def display_name(self) -> str:
        return self.full_name or self.username


class BindingStatus(models.TextChoices):
    PENDING = "pending", "待确认"
    CONFIRMED = "confirmed", "已确认"
    REJECTED = "rejected", "已驳回"
    ENDED = "ended", "已解除"


class MerchantBinding(TimeStampedModel):
    """A merchant account acting for a market entity. Only confirmed bindings give access."""

    user = models.ForeignKey(User, verbose_name="经营者账号", on_delete=models.CASCADE, related_name="bindings")
    entity = models.ForeignKey("merchants.MarketEntity", verbose_name="市场主体", on_delete=models.CASCADE,
                               related_name="bindings")
    status = models.CharField("状态", max_length=12, choices=BindingStatus.choices, default=BindingStatus.PENDING)
    decided_by = models.ForeignKey(User, verbose_name="确认人", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField("确认时间", null=True, blank=True)

    class Meta:
        verbose_name = "经营者绑定"
        verbose_name_plural = "经营者绑定"
        constraints = [models.UniqueConstraint(fields=["user", "entity"], name="binding_user_entity_unique")]

    def __str__(self):
        return f"{self.user} → {self.entity}"


TOKEN_PREFIX = "fx"


def hash_token_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class ApiToken(TimeStampedModel):
    """A department's integration token. Only its SHA-256 is stored; the plain token is shown once."""

    name = models.CharField("名称", max_length=80, help_text="如：12315 平台对接")
    department = models.ForeignKey("organisation.Department", verbose_name="部门", on_delete=models.PROTECT,
                                   related_name="api_tokens")
    region = models.ForeignKey("organisation.Region", verbose_name="管辖区域", on_delete=models.PROTECT,
                               related_name="+", help_text="令牌的可见范围，与该部门工作人员相同。")
    key_id = models.CharField("令牌编号", max_length=16, unique=True, editable=False)
    secret_hash = models.CharField("密钥哈希", max_length=64, editable=False)
    created_by = models.ForeignKey(User, verbose_name="创建人", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", editable=False)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "API 令牌"
        verbose_name_plural = "API 令牌"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name}（{self.key_id}）"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @staticmethod
    def new_key_material() -> tuple[str, str]:
        return secrets.token_hex(6), secrets.token_urlsafe(32)

    @staticmethod
    def format_token(key_id: str, secret: str) -> str:
        return f"{TOKEN_PREFIX}_{key_id}_{secret}"
