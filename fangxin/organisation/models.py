from django.db import models

from fangxin.core.models import TimeStampedModel

from .choices import CommitmentStatus, RegionLevel


class Region(TimeStampedModel):
    """An administrative division, any depth. `path` ("/150000/150800/150802/") makes a subtree one prefix query."""

    code = models.CharField("区划代码", max_length=12, unique=True)
    name = models.CharField("名称", max_length=60)
    level = models.CharField("层级", max_length=10, choices=RegionLevel.choices)
    parent = models.ForeignKey("self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children")
    path = models.CharField("路径", max_length=255, db_index=True, editable=False)

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["path"]

    def __str__(self):
        return self.name

    def compute_path(self) -> str:
        return (self.parent.path if self.parent else "/") + f"{self.code}/"

    @property
    def scope_prefix(self) -> str:
        """The code prefix this region covers (DESIGN 5.5): trailing "00" pairs stripped."""
        code = self.code
        while code.endswith("00") and len(code) > 2:
            code = code[:-2]
        return code


class Department(TimeStampedModel):
    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=60)
    note = models.CharField("说明", max_length=200, blank=True)
    is_active = models.BooleanField("在用", default=True)

    class Meta:
        verbose_name = "职能部门"
        verbose_name_plural = "职能部门"
        ordering = ["code"]

    def __str__(self):
        return self.name


class Sector(TimeStampedModel):
    """A key sector of policy section 四, with its lead and cooperating departments."""

    code = models.SlugField("代码", max_length=40, unique=True)
    seq = models.PositiveSmallIntegerField("序号")
    name = models.CharField("名称", max_length=60)
    lead_departments = models.ManyToManyField(Department, verbose_name="牵头单位", related_name="led_sectors")
    cooperating_departments = models.ManyToManyField(Department, verbose_name="配合单位", blank=True,
                                                     related_name="cooperating_sectors")

    class Meta:
        verbose_name = "重点行业"
        verbose_name_plural = "重点行业"
        ordering = ["seq"]

    def __str__(self):
        return self.name


class Dimension(TimeStampedModel):
    """One of the five 放心 dimensions (安全、质量、价格、服务、维权)."""

    code = models.SlugField("代码", max_length=20, unique=True)
    seq = models.PositiveSmallIntegerField("序号")
    name = models.CharField("名称", max_length=30)
    summary = models.CharField("要点", max_length=300, blank=True)

    class Meta:
        verbose_name = "放心维度"
        verbose_name_plural = "放心维度"
        ordering = ["seq"]

    def __str__(self):
        return self.name


class Commitment(TimeStampedModel):
    """The unified commitment text (统一承诺, 五统一). A published version is immutable; edits make a new draft."""

    version = models.PositiveIntegerField("版本号", unique=True)
    title = models.CharField("标题", max_length=100)
    body = models.TextField("承诺正文")
    status = models.CharField("状态", max_length=12, choices=CommitmentStatus.choices, default=CommitmentStatus.DRAFT)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)

    class Meta:
        verbose_name = "统一承诺"
        verbose_name_plural = "统一承诺"
        ordering = ["-version"]

    def __str__(self):
        return f"{self.title}（第 {self.version} 版）"


class SpecificCommitment(TimeStampedModel):
    """An optional commitment a unit may add to the unified one (e.g. 线下购物七日无理由退货)."""

    code = models.SlugField("代码", max_length=40, unique=True)
    seq = models.PositiveSmallIntegerField("序号")
    name = models.CharField("名称", max_length=40)
    description = models.CharField("说明", max_length=300)
    dimension = models.ForeignKey(Dimension, verbose_name="所属维度", on_delete=models.PROTECT, related_name="+")
    is_active = models.BooleanField("可选", default=True)

    class Meta:
        verbose_name = "可选承诺"
        verbose_name_plural = "可选承诺"
        ordering = ["seq"]

    def __str__(self):
        return self.name
