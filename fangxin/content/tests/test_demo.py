"""The demo step: published articles of every kind, the workflow states, a closed survey with results and an
open one; idempotent."""

import random

import pytest

from fangxin.content import demo, selectors
from fangxin.content.choices import ArticleKind, ArticleStatus, SurveyState
from fangxin.content.models import Article, Response, Survey
from fangxin.core.actors import Actor

pytestmark = pytest.mark.django_db


def test_demo_loads_once_with_every_kind(reference):
    actor = Actor.system("demo")
    assert demo.load(rng=random.Random(1), actor=actor) == 18
    published = Article.objects.filter(status=ArticleStatus.PUBLISHED)
    assert published.count() == 15
    assert {a.kind for a in published} == set(ArticleKind.values)
    assert {a.status for a in Article.objects.all()} == {ArticleStatus.PUBLISHED, ArticleStatus.DRAFT,
                                                        ArticleStatus.SUBMITTED, ArticleStatus.RETURNED}
    case = Article.objects.get(title__startswith="临河区某超市")
    assert "13847801234" not in case.published_body and "张建国" not in case.published_body
    notice = Article.objects.get(title__startswith="关于开展 2026 年度")
    assert "0478-8123456" in notice.published_body  # an office's public number is kept
    closed = Survey.objects.get(title=demo.CLOSED_SURVEY)
    assert closed.state() == SurveyState.CLOSED
    results = selectors.survey_results(closed)
    assert results.responses == 137 and 3.5 < results.questions[0].average < 4.5
    assert Survey.objects.get(title=demo.OPEN_SURVEY).state() == SurveyState.OPEN
    assert len(selectors.latest_for_home()) == 6
    assert demo.load(rng=random.Random(2), actor=actor) == 0
    assert Article.objects.count() == 18 and Survey.objects.count() == 2 and Response.objects.count() == 160
