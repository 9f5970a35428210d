"""Codes of the portal-content capability, with the Chinese labels users read."""

from django.db import models


class ArticleKind(models.TextChoices):
    ANNOUNCEMENT = "announcement", "公告"
    TYPICAL_CASE = "typical_case", "典型案例"
    EDUCATION = "education", "普法"
    WARNING = "warning", "消费警示"
    SAMPLING_FAILURE = "sampling_failure", "抽检不合格"
    RECALL = "recall", "召回"


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "待审核"
    RETURNED = "returned", "已退回"
    PUBLISHED = "published", "已发布"
    WITHDRAWN = "withdrawn", "已撤回"


STATUS_TONE = {ArticleStatus.DRAFT: "muted", ArticleStatus.SUBMITTED: "warning", ArticleStatus.RETURNED: "danger",
               ArticleStatus.PUBLISHED: "success", ArticleStatus.WITHDRAWN: "muted"}
EDITABLE = (ArticleStatus.DRAFT, ArticleStatus.RETURNED, ArticleStatus.WITHDRAWN)
# The public URL slug of each kind's list page (/zixun/<slug>/).
KIND_SLUGS = {ArticleKind.ANNOUNCEMENT: "gonggao", ArticleKind.TYPICAL_CASE: "anli", ArticleKind.EDUCATION: "pufa",
              ArticleKind.WARNING: "jingshi", ArticleKind.SAMPLING_FAILURE: "choujian", ArticleKind.RECALL: "zhaohui"}
SLUG_KINDS = {slug: kind for kind, slug in KIND_SLUGS.items()}


class QuestionKind(models.TextChoices):
    RATING = "rating", "评分（1–5）"
    CHOICE = "choice", "单选"


class SurveyState(models.TextChoices):
    DRAFT = "draft", "未发布"
    SCHEDULED = "scheduled", "未开始"
    OPEN = "open", "进行中"
    CLOSED = "closed", "已结束"


SURVEY_TONE = {SurveyState.DRAFT: "muted", SurveyState.SCHEDULED: "info", SurveyState.OPEN: "success",
               SurveyState.CLOSED: "muted"}
RATING_LABELS = {1: "很不满意", 2: "不满意", 3: "一般", 4: "满意", 5: "很满意"}
