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


class SearchField(models.IntegerChoices):
    """Where a search token occurs in an entity: a bit mask, so one row serves both fields."""

    NAME = 1, "名称"
    ADDRESS = 2, "经营场所"
    BOTH = 3, "名称与经营场所"


class EntitySearchDoc(models.Model):
    """The normalised name and address of one entity (fangxin.merchants.search.normalise).

    Written only by `search.py`. Three-or-more-character queries run on it: PostgreSQL through two pg_trgm GIN
    indexes, SQLite through the FTS5 trigram table `merchants_entitysearch_fts`, which triggers on this table keep
    in step (migration 0002). Deleting the entity deletes this row, and the triggers its FTS5 entries.
    """

    entity = models.OneToOneField(MarketEntity, verbose_name="市场主体", on_delete=models.CASCADE, primary_key=True,
                                  related_name="search_doc")
    name = models.TextField("规范化名称")
    address = models.TextField("规范化经营场所", blank=True)

    class Meta:
        verbose_name = "检索文档"
        verbose_name_plural = "检索文档"

    def __str__(self):
        return self.name


class EntitySearchToken(models.Model):
    """The bigram starting at one character of an entity's normalised name or address (the unigram at the last
    character): the index for 1–2-character queries (fangxin.merchants.search.grams)."""

    pk = models.CompositePrimaryKey("token", "entity")
    token = models.CharField("词元", max_length=2)
    entity = models.ForeignKey(MarketEntity, verbose_name="市场主体", on_delete=models.CASCADE, related_name="+")
    field = models.PositiveSmallIntegerField("出现位置", choices=SearchField.choices)

    class Meta:
        verbose_name = "检索词元"
        verbose_name_plural = "检索词元"

    def __str__(self):
        return self.token
