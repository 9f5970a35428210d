"""Every read of articles and surveys. Staff reads start from `visible_to(user)`; public reads see only published
articles (their masked copy) and published surveys. A forbidden object is not found, as a missing one."""

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Q

from fangxin.accounts.choices import Role
from fangxin.core.exceptions import NotFound

from .choices import RATING_LABELS, ArticleKind, ArticleStatus, QuestionKind
from .models import Answer, Article, Survey

# --- public ----------------------------------------------------------------------------------------------------

def public_articles(*, kind: str = "", q: str = ""):
    rows = Article.objects.published().select_related("region", "department", "sector")
    if kind in ArticleKind.values:
        rows = rows.filter(kind=kind)
    q = (q or "").strip()[:50]
    if q:
        rows = rows.filter(Q(published_title__icontains=q) | Q(published_summary__icontains=q)
                           | Q(published_body__icontains=q))
    return rows.order_by("-published_at", "-id")


def public_article(pk: int) -> Article:
    article = Article.objects.published().select_related("region", "department", "sector").filter(pk=pk).first()
    if article is None:
        raise NotFound("没有找到该资讯，可能已撤回。")
    return article


def latest_for_home(limit: int = 6) -> list[Article]:
    """The newest published articles for the portal home page (include template content/_home_latest.html)."""
    return list(public_articles()[:limit])


def typical_cases(year: int, limit: int = 10) -> list[Article]:
    """Typical cases published in `year`, newest first (masked text), for the annual report."""
    return list(public_articles(kind=ArticleKind.TYPICAL_CASE).filter(published_at__year=year)[:limit])


# --- staff -----------------------------------------------------------------------------------------------------

def articles_visible(user, *, status: str = "", kind: str = "", q: str = ""):
    rows = Article.objects.visible_to(user).select_related("region", "department", "sector")
    if status in ArticleStatus.values:
        rows = rows.filter(status=status)
    if kind in ArticleKind.values:
        rows = rows.filter(kind=kind)
    q = (q or "").strip()[:50]
    if q:
        rows = rows.filter(Q(title__icontains=q) | Q(body__icontains=q))
    return rows.order_by("-updated_at", "-id")


def article_get(user, pk: int) -> Article:
    article = articles_visible(user).prefetch_related("events").filter(pk=pk).first()
    if article is None:
        raise NotFound("没有找到该资讯。")
    return article


def review_queue(user):
    """The submitted articles this user may review: all of them for the office, the department's for a unit
    head; never the user's own."""
    rows = Article.objects.filter(status=ArticleStatus.SUBMITTED).exclude(author_id=user.pk)
    if user.role == Role.JOINT_OFFICE:
        return rows.select_related("region", "department", "sector").order_by("submitted_at", "id")
    if user.is_unit_head and user.department_id:
        rows = rows.filter(department_id=user.department_id)
    else:
        return rows.none()
    return rows.select_related("region", "department", "sector").order_by("submitted_at", "id")


# --- surveys ---------------------------------------------------------------------------------------------------

def public_surveys():
    return Survey.objects.public().select_related("sector", "region").order_by("-opens_on", "-id")


def public_survey(pk: int) -> Survey:
    survey = public_surveys().prefetch_related("questions").filter(pk=pk).first()
    if survey is None:
        raise NotFound("没有找到该调查。")
    return survey


def surveys_visible(user):
    return Survey.objects.visible_to(user).select_related("sector", "region").order_by("-opens_on", "-id")


def survey_get(user, pk: int) -> Survey:
    survey = surveys_visible(user).prefetch_related("questions").filter(pk=pk).first()
    if survey is None:
        raise NotFound("没有找到该调查。")
    return survey


@dataclass
class OptionResult:
    value: int
    label: str
    count: int
    share: float  # 0–1 of the question's answers


@dataclass
class QuestionResult:
    seq: int
    text: str
    kind: str
    answered: int
    options: list[OptionResult] = field(default_factory=list)
    average: float | None = None  # rating questions only
    satisfied_share: float | None = None  # rating questions: 4 or 5 ÷ answered, as 满意率 in DESIGN §4


@dataclass
class SurveyResults:
    survey: Survey
    responses: int
    questions: list[QuestionResult]


def survey_results(survey: Survey) -> SurveyResults:
    """Per question: the distribution, the average (ratings) and the response count. One grouped query."""
    counts = Counter()
    for question_id, value, n in _grouped(survey):
        counts[(question_id, value)] = n
    out = []
    for question in survey.questions.all():
        if question.kind == QuestionKind.RATING:
            labels = [(v, f"{v} 分 · {RATING_LABELS[v]}") for v in range(5, 0, -1)]
        else:
            labels = list(enumerate(question.options, 1))
        answered = sum(counts[(question.pk, v)] for v, _ in labels)
        options = [OptionResult(v, label, counts[(question.pk, v)],
                                counts[(question.pk, v)] / answered if answered else 0.0) for v, label in labels]
        result = QuestionResult(question.seq, question.text, question.kind, answered, options)
        if question.kind == QuestionKind.RATING and answered:
            result.average = sum(o.value * o.count for o in options) / answered
            result.satisfied_share = sum(o.count for o in options if o.value >= 4) / answered
        out.append(result)
    return SurveyResults(survey=survey, responses=survey.responses.count(), questions=out)


def _grouped(survey: Survey):
    return (Answer.objects.filter(question__survey=survey).values("question_id", "value")
            .annotate(n=Count("id")).values_list("question_id", "value", "n"))


def survey_comments(survey: Survey):
    """The (masked) comments, staff only."""
    return survey.responses.exclude(comment="").order_by("-submitted_at").values_list("submitted_at", "comment")
