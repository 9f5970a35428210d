"""Articles and surveys through the real services."""

from datetime import timedelta

from django.utils import timezone

from fangxin.accounts.models import User
from fangxin.content import services
from fangxin.content.choices import ArticleKind, ArticleStatus
from fangxin.core.actors import Actor
from fangxin.organisation.models import Department, Region, Sector

QUESTIONS = "评分｜您对供水服务的总体满意度\n单选｜停水前是否提前得到通知？｜每次都有｜有时有｜从来没有"


def article_input(*, kind=ArticleKind.TYPICAL_CASE, title="某超市销售过期食品案", body="经营者已被依法查处。",
                  summary="", region="150800", department="amr", sector=None) -> services.ArticleInput:
    return services.ArticleInput(kind=kind, title=title, summary=summary, body=body,
                                 region=Region.objects.get(code=region),
                                 department=Department.objects.get(code=department),
                                 sector=Sector.objects.get(code=sector) if sector else None)


def make_article(author: User, *, status=ArticleStatus.DRAFT, reviewer: User | None = None, **kwargs):
    article = services.article_save(actor=Actor.for_user(author), data=article_input(**kwargs))
    if status == ArticleStatus.DRAFT:
        return article
    article = services.article_transition(actor=Actor.for_user(author), article=article,
                                          to_status=ArticleStatus.SUBMITTED)
    if status == ArticleStatus.SUBMITTED:
        return article
    actor = Actor.for_user(reviewer) if reviewer else Actor.system("test")
    if status == ArticleStatus.RETURNED:
        return services.article_transition(actor=actor, article=article, to_status=status, reason="请补充处理结果")
    article = services.article_transition(actor=actor, article=article, to_status=ArticleStatus.PUBLISHED)
    if status == ArticleStatus.WITHDRAWN:
        article = services.article_transition(actor=actor, article=article, to_status=status, reason="信息有误")
    return article


def make_survey(*, sector="utilities", region="150800", days_open=10, started_days_ago=1, publish=True,
                questions=QUESTIONS, title="2026 年供水服务满意度调查"):
    today = timezone.localdate()
    opens = today - timedelta(days=started_days_ago)
    actor = Actor.system("test")
    survey = services.survey_save(actor=actor, data=services.SurveyInput(
        title=title, sector=Sector.objects.get(code=sector), region=Region.objects.get(code=region),
        opens_on=opens, closes_on=opens + timedelta(days=days_open), questions=questions))
    if publish:
        # Published while open, then its dates are what the test asks for (a past survey is published in the past).
        survey.is_published, survey.published_at = True, timezone.now()
        survey.save(update_fields=["is_published", "published_at"])
    return survey


def answer_all(survey, values: list[list[int]], comment: str = "") -> None:
    """One response per row of values (one value per question, in order), each from its own device."""
    questions = list(survey.questions.all())
    for n, row in enumerate(values):
        services.survey_answer(survey=survey, device_token=f"device-token-{survey.pk}-{n:06d}",
                               answers={q.pk: v for q, v in zip(questions, row, strict=True)}, comment=comment)
