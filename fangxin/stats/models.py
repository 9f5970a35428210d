"""Rollup tables: the campaign goals' numbers, kept current as events happen (docs/statistics.md).

`Rollup` holds one counter per (source, period, county, sector, department, level, bucket, measure), so a
dashboard reads O(groups) rows, never the raw records. `Contribution` remembers, per source record, what that
record last added to the rollups; a change applies the difference between the old and the new contribution,
which makes every update idempotent and independent of which step caused it.

Sector and department are stored as plain ids with 0 for "none", not as nullable foreign keys: NULLs are never
equal in a unique constraint (SQLite and PostgreSQL), and the counter upsert needs one row per key.
"""

from django.db import models

from fangxin.accounts.scope import ScopedQuerySet
from fangxin.core.models import TimeStampedModel


class Source(models.TextChoices):
    COMPLAINT = "complaint", "投诉"
    ENROLLMENT = "enrollment", "创建单位"
    TITLE = "title", "示范单位称号"
    INSPECTION = "inspection", "抽查检查"
    WARNING = "warning", "预警"
    GRADE = "grade", "信用等级"
    LIST_ENTRY = "listentry", "信用名单列入"
    LIST_EXIT = "listexit", "信用名单移出"
    # derived, not read from records: the complaint counters without the department key (docs/statistics.md)
    COMPLAINT_SECTOR = "complaintsec", "投诉（不分部门）"


class RollupQuerySet(ScopedQuerySet):
    # `sector` is the sector id itself, so department staff's `sector__in` narrowing applies unchanged.
    scope_fields = {"region": "region", "sector": "sector"}


class Rollup(models.Model):
    source = models.CharField("来源", max_length=12, choices=Source.choices)
    period = models.DateField("期间", help_text="投诉：收到月份的第一天；创建单位、称号：年度的 1 月 1 日")
    region = models.ForeignKey("organisation.Region", verbose_name="旗县区", on_delete=models.CASCADE,
                               related_name="+")
    sector = models.PositiveIntegerField("行业编号", default=0, help_text="0 表示未分类")
    department = models.PositiveIntegerField("部门编号", default=0, help_text="0 表示未指定")
    level = models.CharField("级别", max_length=20, blank=True,
                             help_text="称号：级别；预警：类型；信用等级：等级；名单：名单种类")
    bucket = models.CharField("分组", max_length=10, blank=True,
                              help_text="称号：有效期至；未公示的抽查结果：公示期限；已办结预警：处置天数")
    measure = models.CharField("指标", max_length=20)
    value = models.BigIntegerField("数值", default=0)

    objects = RollupQuerySet.as_manager()

    class Meta:
        verbose_name = "统计汇总"
        verbose_name_plural = "统计汇总"
        constraints = [models.UniqueConstraint(
            fields=["source", "period", "region", "sector", "department", "level", "bucket", "measure"],
            name="stats_rollup_key")]
        # The dashboards filter by source, measure and a period range, then group and sum: the index leads with
        # those and carries every grouped column and the value, so the database answers from the index alone
        # (bench/stats_bench.py: on SQLite about 5x less time for goals 二 and 四 at 10 M complaints).
        indexes = [models.Index(fields=["source", "measure", "period", "region", "sector", "department", "level",
                                        "bucket", "value"], name="stats_rollup_covering")]

    def __str__(self):
        return f"{self.source} {self.period:%Y-%m} {self.region_id}/{self.sector}/{self.department} {self.measure}={self.value}"


class Version(models.Model):
    """A counter per input of the dashboards (a rollup source, or `inputs`: the non-rollup records the pages read),
    bumped in the same transaction as any change of that input. The cached dashboard payloads are keyed by these
    counters, so a cached payload can never outlive the data it was computed from (fangxin/stats/cache.py)."""

    name = models.CharField("名称", max_length=20, primary_key=True)
    value = models.BigIntegerField("版本")

    class Meta:
        verbose_name = "统计版本"
        verbose_name_plural = "统计版本"

    def __str__(self):
        return f"{self.name}={self.value}"


class Contribution(models.Model):
    """What one source record currently adds to the rollups (its key and its measures)."""

    source = models.CharField("来源", max_length=12, choices=Source.choices)
    object_id = models.BigIntegerField("对象编号")
    period = models.DateField("期间")
    region_id = models.BigIntegerField("旗县区编号")
    sector = models.PositiveIntegerField("行业编号", default=0)
    department = models.PositiveIntegerField("部门编号", default=0)
    level = models.CharField("级别", max_length=20, blank=True)
    bucket = models.CharField("分组", max_length=10, blank=True)
    measures = models.JSONField("指标", default=dict)

    class Meta:
        verbose_name = "统计贡献"
        verbose_name_plural = "统计贡献"
        constraints = [models.UniqueConstraint(fields=["source", "object_id"], name="stats_contribution_key")]

    def __str__(self):
        return f"{self.source}:{self.object_id}"


class MechanismQuerySet(ScopedQuerySet):
    scope_fields = {"region": "region"}


class CoordinationMechanism(TimeStampedModel):
    """A county's consumer-rights coordination mechanism between departments (policy 二(一): 各旗县区均建立消费者
    权益保护部门协作机制), as the county or the joint-meeting office records it."""

    region = models.OneToOneField("organisation.Region", verbose_name="旗县区", on_delete=models.PROTECT,
                                  related_name="+")
    established_on = models.DateField("建立日期")
    document_no = models.CharField("文件文号", max_length=60, help_text="如：临政办发〔2026〕12 号")
    members = models.CharField("成员单位", max_length=300, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)
    recorded_by = models.CharField("登记人", max_length=150)

    objects = MechanismQuerySet.as_manager()

    class Meta:
        verbose_name = "旗县区消费维权协作机制"
        verbose_name_plural = "旗县区消费维权协作机制"
        ordering = ["region__code"]

    def __str__(self):
        return f"{self.region}（{self.document_no}）"
