"""Demo portal content: 15 published articles across the six kinds (back-dated over the past months), a draft,
one submitted and one returned article; a closed water-supply survey with its answers and results, and an open
electricity-supply survey.

Everything goes through the services (the system actor writes and reviews). Idempotent: articles are loaded once
(when any demo title exists nothing is added), surveys likewise by title."""

from datetime import timedelta

from django.utils import timezone

from fangxin.organisation.models import Department, Region, Sector

from . import services
from .choices import ArticleStatus
from .demo_texts import PUBLISHED, UNPUBLISHED
from .models import Article, Response, Survey

CLOSED_SURVEY = "2026 年城区供水服务满意度调查"
OPEN_SURVEY = "2026 年冬季供电服务满意度调查"
WATER_QUESTIONS = ("评分｜您对供水水质的满意程度\n评分｜您对停水通知及时性的满意程度\n"
                   "评分｜您对营业厅和热线服务的满意程度\n"
                   "单选｜近一年遇到过哪类问题？｜水压不足｜水质浑浊｜计量收费争议｜维修不及时｜没有遇到问题")
POWER_QUESTIONS = ("评分｜您对供电可靠性的满意程度\n评分｜您对故障抢修速度的满意程度\n"
                   "单选｜您主要通过什么方式缴纳电费？｜手机 App｜银行代扣｜营业厅｜其他")
WATER_COMMENTS = ["希望停水能提前两天通知", "营业厅办事效率提高了", "老小区水压晚上偏低", "热线电话不太好打通",
                  "水费账单能不能每月短信提醒"]


def load(*, rng, actor, stdout=None) -> int:
    """Articles and surveys (once each). Returns the articles created."""
    made = 0
    if not Article.objects.filter(title__in=[row[1] for row in PUBLISHED]).exists():
        made = _articles(actor)
    surveys = _surveys(rng, actor)
    if stdout is not None and (made or surveys):
        stdout.write(f"演示资讯：发布 {len(PUBLISHED)} 篇，草稿和待审 {len(UNPUBLISHED)} 篇；满意度调查 {surveys} 项")
    return made


def _input(kind, title, summary, body, region, department, sector) -> services.ArticleInput:
    return services.ArticleInput(kind=kind, title=title, summary=summary, body=body,
                                 region=Region.objects.get(code=region),
                                 department=Department.objects.get(code=department),
                                 sector=Sector.objects.get(code=sector) if sector else None)


def _articles(actor) -> int:
    now = timezone.now()
    made = 0
    for kind, title, summary, body, region, department, sector, days_ago in PUBLISHED:
        article = services.article_save(actor=actor, data=_input(kind, title, summary, body, region, department,
                                                                 sector))
        services.article_transition(actor=actor, article=article, to_status=ArticleStatus.SUBMITTED)
        services.article_transition(actor=actor, article=article, to_status=ArticleStatus.PUBLISHED)
        # Spread over the past months so the lists, the home page and the annual report have a history.
        Article.objects.filter(pk=article.pk).update(published_at=now - timedelta(days=days_ago, hours=made))
        made += 1
    for status, kind, title, summary, body, region, department, sector in UNPUBLISHED:
        article = services.article_save(actor=actor, data=_input(kind, title, summary, body, region, department,
                                                                 sector))
        if status in (ArticleStatus.SUBMITTED, ArticleStatus.RETURNED):
            services.article_transition(actor=actor, article=article, to_status=ArticleStatus.SUBMITTED)
        if status == ArticleStatus.RETURNED:
            services.article_transition(actor=actor, article=article, to_status=ArticleStatus.RETURNED,
                                        reason="请补充取暖器选购要点和火灾报警电话，并注明发布依据。")
        made += 1
    return made


def _surveys(rng, actor) -> int:
    today = timezone.localdate()
    made = 0
    utilities = Sector.objects.get(code="utilities")
    city = Region.objects.get(code="150800")
    if not Survey.objects.filter(title=CLOSED_SURVEY).exists():
        survey = services.survey_save(actor=actor, data=services.SurveyInput(
            title=CLOSED_SURVEY, sector=utilities, region=city, opens_on=today, closes_on=today + timedelta(days=1),
            questions=WATER_QUESTIONS, intro="按照实施意见四（八），定期开展公共服务业消费维权调查并公布结果。"))
        survey = services.survey_publish(actor=actor, survey=survey)
        _answer(rng, survey, 137)
        # It ran last month: move the period (and the answers' times) back so it is closed with its results.
        start = today - timedelta(days=45)
        Survey.objects.filter(pk=survey.pk).update(opens_on=start, closes_on=start + timedelta(days=30))
        for response in Response.objects.filter(survey=survey):
            response.submitted_at = timezone.now() - timedelta(days=rng.randint(16, 45), minutes=rng.randint(0, 600))
            response.save(update_fields=["submitted_at"])
        made += 1
    if not Survey.objects.filter(title=OPEN_SURVEY).exists():
        survey = services.survey_save(actor=actor, data=services.SurveyInput(
            title=OPEN_SURVEY, sector=utilities, region=city, opens_on=today - timedelta(days=3),
            closes_on=today + timedelta(days=27), questions=POWER_QUESTIONS,
            intro="请根据近一年的用电体验作答，匿名提交，约需 1 分钟。"))
        survey = services.survey_publish(actor=actor, survey=survey)
        _answer(rng, survey, 23)
        made += 1
    return made


def _answer(rng, survey, count: int) -> None:
    questions = list(survey.questions.all())
    for n in range(count):
        answers = {}
        for question in questions:
            if question.kind == "rating":
                answers[question.pk] = rng.choices([5, 4, 3, 2, 1], weights=[38, 34, 16, 8, 4])[0]
            else:
                answers[question.pk] = rng.randint(1, len(question.options))
        comment = rng.choice(WATER_COMMENTS) if survey.allow_comment and rng.random() < 0.15 else ""
        services.survey_answer(survey=survey, device_token=f"demo-{survey.pk}-{n:05d}-{rng.getrandbits(64):x}",
                               answers=answers, comment=comment)
