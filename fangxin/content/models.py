"""Portal articles (公告, 典型案例, 普法, 消费警示, 抽检不合格, 召回) and sector satisfaction surveys.

Articles are written in Markdown by staff and move through `flows.ARTICLE_FLOW` by `services.article_transition`;
what the public reads is the `published_*` copy, masked for personal information when the reviewer publishes it.
Survey answers keep no personal data: one row per device (a hash of a random cookie), the answers as numbers and
an optional comment that is masked before it is stored.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from fangxin.accounts.scope import ScopedQuerySet, scope_of
from fangxin.core.models import TimeStampedModel

from .choices import (
    EDITABLE,
    KIND_SLUGS,
    STATUS_TONE,
    SURVEY_TONE,
    ArticleKind,
    ArticleStatus,
    QuestionKind,
    SurveyState,
)


class ArticleQuerySet(ScopedQuerySet):
    scope_fields = {"region": "region", "sector": "sector"}

    def visible_to(self, user) -> "ArticleQuerySet":
        """As for every scoped model, plus what the user's own department wrote or the user wrote: a
        department's 普法 article usually belongs to no sector."""
        visible = super().visible_to(user)
        scope = scope_of(user)
        if scope.region_path is not None:
            own = Q(author_id=user.pk)
            if getattr(user, "department_id", None):
                own |= Q(department_id=user.department_id)
            visible = visible | self.filter(own)
        return visible

    def published(self):
        return self.filter(status=ArticleStatus.PUBLISHED)


class Article(TimeStampedModel):
    kind = models.CharField("栏目", max_length=20, choices=ArticleKind.choices)
    title = models.CharField("标题", max_length=120)
    summary = models.CharField("摘要", max_length=300, blank=True)
    body = models.TextField("正文（Markdown）")
    sector = models.ForeignKey("organisation.Sector", verbose_name="行业", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("organisation.Region", verbose_name="地区", on_delete=models.PROTECT,
                               related_name="+")
    department = models.ForeignKey("organisation.Department", verbose_name="发布部门", on_delete=models.PROTECT,
                                   related_name="+")
    status = models.CharField("状态", max_length=12, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT)
    author = models.ForeignKey("accounts.User", verbose_name="撰稿人", null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    author_name = models.CharField("撰稿人", max_length=150)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    reviewed_by = models.CharField("审核人", max_length=150, blank=True)
    reason = models.TextField("退回或撤回理由", blank=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True, db_index=True)
    # What the public reads: the text as the reviewer approved it, masked for personal information.
    published_title = models.CharField("发布标题", max_length=120, blank=True)
    published_summary = models.CharField("发布摘要", max_length=300, blank=True)
    published_body = models.TextField("发布正文", blank=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = "资讯"
        verbose_name_plural = "资讯"
        ordering = ["-published_at", "-updated_at", "-id"]
        indexes = [models.Index(fields=["status", "kind", "-published_at"], name="article_public_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.title}"

    @property
    def tone(self) -> str:
        return STATUS_TONE.get(self.status, "muted")

    @property
    def editable(self) -> bool:
        return self.status in EDITABLE

    @property
    def kind_slug(self) -> str:
        return KIND_SLUGS[self.kind]


class ArticleEvent(models.Model):
    article = models.ForeignKey(Article, verbose_name="资讯", on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField("时间")
    label = models.CharField("步骤", max_length=40)
    from_status = models.CharField("原状态", max_length=12, blank=True)
    to_status = models.CharField("新状态", max_length=12, blank=True)
    actor_name = models.CharField("操作人", max_length=150)
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "资讯办理记录"
        verbose_name_plural = "资讯办理记录"
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.article_id} {self.label}"


class ArticleAttachment(models.Model):
    """A file attached to an article (e.g. the sampling report as PDF). Checked by its content when uploaded;
    the masker cannot read inside files, so the reviewer is asked to check them before publishing."""

    article = models.ForeignKey(Article, verbose_name="资讯", on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField("文件", upload_to="content/%Y/%m/")
    name = models.CharField("文件名", max_length=120)
    content_type = models.CharField("类型", max_length=100)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.CharField("上传人", max_length=150)
    uploaded_at = models.DateTimeField("上传时间")

    class Meta:
        verbose_name = "资讯附件"
        verbose_name_plural = "资讯附件"
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.name


class SurveyQuerySet(ScopedQuerySet):
    scope_fields = {"region": "region", "sector": "sector"}

    def public(self):
        return self.filter(is_published=True)


class Survey(TimeStampedModel):
    title = models.CharField("调查名称", max_length=120)
    intro = models.TextField("说明", blank=True)
    sector = models.ForeignKey("organisation.Sector", verbose_name="行业", on_delete=models.PROTECT,
                               related_name="+")
    region = models.ForeignKey("organisation.Region", verbose_name="地区", on_delete=models.PROTECT,
                               related_name="+")
    opens_on = models.DateField("开始日期")
    closes_on = models.DateField("结束日期（含当天）")
    allow_comment = models.BooleanField("允许填写意见建议", default=True)
    is_published = models.BooleanField("已发布", default=False)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    created_by = models.CharField("创建人", max_length=150)

    objects = SurveyQuerySet.as_manager()

    class Meta:
        verbose_name = "满意度调查"
        verbose_name_plural = "满意度调查"
        ordering = ["-opens_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(closes_on__gte=models.F("opens_on")),
                                              name="survey_period_order")]

    def __str__(self):
        return self.title

    def state(self, today=None) -> str:
        """Derived from the stored dates when read: no job has to open or close a survey."""
        today = today or timezone.localdate()
        if not self.is_published:
            return SurveyState.DRAFT
        if today < self.opens_on:
            return SurveyState.SCHEDULED
        if today > self.closes_on:
            return SurveyState.CLOSED
        return SurveyState.OPEN

    @property
    def state_label(self) -> str:
        return SurveyState(self.state()).label

    @property
    def tone(self) -> str:
        return SURVEY_TONE[self.state()]

    @property
    def is_open(self) -> bool:
        return self.state() == SurveyState.OPEN

    @property
    def results_public(self) -> bool:
        return self.state() == SurveyState.CLOSED


class Question(models.Model):
    survey = models.ForeignKey(Survey, verbose_name="调查", on_delete=models.CASCADE, related_name="questions")
    seq = models.PositiveSmallIntegerField("序号")
    text = models.CharField("题目", max_length=200)
    kind = models.CharField("题型", max_length=10, choices=QuestionKind.choices)
    options = models.JSONField("选项", default=list, blank=True)

    class Meta:
        verbose_name = "调查题目"
        verbose_name_plural = "调查题目"
        ordering = ["survey", "seq"]
        constraints = [models.UniqueConstraint(fields=["survey", "seq"], name="question_seq_unique")]

    def __str__(self):
        return f"{self.seq}. {self.text}"

    def values(self) -> list[int]:
        return list(range(1, 6)) if self.kind == QuestionKind.RATING else list(range(1, len(self.options) + 1))


class Response(models.Model):
    survey = models.ForeignKey(Survey, verbose_name="调查", on_delete=models.CASCADE, related_name="responses")
    device = models.CharField("设备标识摘要", max_length=64)
    submitted_at = models.DateTimeField("提交时间")
    comment = models.TextField("意见建议（已脱敏）", blank=True)

    class Meta:
        verbose_name = "调查答卷"
        verbose_name_plural = "调查答卷"
        ordering = ["submitted_at", "id"]
        constraints = [models.UniqueConstraint(fields=["survey", "device"], name="response_one_per_device")]

    def __str__(self):
        return f"{self.survey_id} #{self.pk}"


class Answer(models.Model):
    response = models.ForeignKey(Response, verbose_name="答卷", on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, verbose_name="题目", on_delete=models.CASCADE, related_name="answers")
    value = models.PositiveSmallIntegerField("答案")  # rating 1–5, or the 1-based option number

    class Meta:
        verbose_name = "答案"
        verbose_name_plural = "答案"
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="answer_once")]

    def __str__(self):
        return f"{self.question_id}={self.value}"
