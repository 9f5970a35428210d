from django.core.exceptions import ValidationError
from django.db import models

from fangxin.accounts.scope import ScopedQuerySet
from fangxin.core import uscc as uscc_rules
from fangxin.core.models import TimeStampedModel

from .choices import EntityType, OperatingStatus


class MarketEntityQuerySet(ScopedQuerySet):
    scope_fields = {"region": "region", "sector": "sector", "entity": "pk"}

    def operating(self):
        return self.filter(operating_status=OperatingStatus.OPERATING)


def validate_uscc(value: str) -> None:
    problem = uscc_rules.problem(value)
    if problem:
        raise ValidationError(problem)


class MarketEntity(TimeStampedModel):
    """A business in the registry (市场主体), keyed by its unified social credit code."""

    uscc = models.CharField("统一社会信用代码", max_length=18, unique=True, validators=[validate_uscc])
    name = models.CharField("名称", max_length=120, db_index=True)
    entity_type = models.CharField("主体类型", max_length=20, choices=EntityType.choices, default=EntityType.COMPANY)
    legal_representative = models.CharField("法定代表人（经营者）", max_length=60, blank=True)
    address = models.CharField("经营场所", max_length=200, blank=True)
    region = models.ForeignKey("organisation.Region", verbose_name="所在旗县区", on_delete=models.PROTECT,
                               related_name="entities")
    sector = models.ForeignKey("organisation.Sector", verbose_name="行业", on_delete=models.PROTECT,
                               related_name="entities")
    online_platform = models.CharField("网店所在平台", max_length=60, blank=True)
    online_shop_url = models.URLField("网店地址", blank=True)
    operating_status = models.CharField("经营状态", max_length=12, choices=OperatingStatus.choices,
                                        default=OperatingStatus.OPERATING)
    contact_phone = models.CharField("联系电话", max_length=20, blank=True)

    objects = MarketEntityQuerySet.as_manager()

    class Meta:
        verbose_name = "市场主体"
        verbose_name_plural = "市场主体"
        ordering = ["name"]

    def __str__(self):
        return self.name
