"""Surveys: definition, the open period derived from dates, anonymous answers (one per device, masked comment),
results (distribution, average, count) and the XLSX."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from fangxin.content import exports, selectors, services
from fangxin.content.choices import SurveyState
from fangxin.content.models import Response, Survey
from fangxin.core.actors import Actor
from fangxin.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from fangxin.organisation.models import Region, Sector

from .factories import QUESTIONS, answer_all, make_survey

pytestmark = pytest.mark.django_db


def close(survey):
    Survey.objects.filter(pk=survey.pk).update(closes_on=timezone.localdate() - timedelta(days=1),
                                               opens_on=timezone.localdate() - timedelta(days=20))
    return Survey.objects.get(pk=survey.pk)


def survey_input(**overrides):
    today = timezone.localdate()
    values = {"title": "供气服务满意度调查", "sector": Sector.objects.get(code="utilities"),
              "region": Region.objects.get(code="150800"), "opens_on": today, "closes_on": today + timedelta(days=30),
              "questions": QUESTIONS}
    values.update(overrides)
    return services.SurveyInput(**values)


def test_define_publish_and_state_from_dates(users):
    survey = services.survey_save(actor=Actor.for_user(users["office"]), data=survey_input())
    assert survey.state() == SurveyState.DRAFT and survey.questions.count() == 2
    assert not selectors.public_surveys().exists()
    services.survey_publish(actor=Actor.for_user(users["office"]), survey=survey)
    survey.refresh_from_db()
    today = timezone.localdate()
    assert survey.state(today) == SurveyState.OPEN
    assert survey.state(today - timedelta(days=1)) == SurveyState.SCHEDULED
    assert survey.state(today + timedelta(days=31)) == SurveyState.CLOSED
    with pytest.raises(Conflict):
        services.survey_publish(actor=Actor.for_user(users["office"]), survey=survey)
    with pytest.raises(ValidationFailed):  # published: the questions are fixed
        services.survey_save(actor=Actor.for_user(users["office"]), data=survey_input(), survey=survey)


def test_define_validates_and_is_scoped(users):
    with pytest.raises(ValidationFailed) as caught:
        services.survey_save(actor=Actor.for_user(users["office"]), data=survey_input(
            closes_on=timezone.localdate() - timedelta(days=1)))
    assert caught.value.details == {"field": "closes_on"}
    with pytest.raises(PermissionDenied):
        services.survey_save(actor=Actor.for_user(users["county_a"]), data=survey_input(
            region=Region.objects.get(code="150821")))
    with pytest.raises(PermissionDenied):
        services.survey_save(actor=Actor.for_user(users["merchant"]), data=survey_input())
    services.survey_save(actor=Actor.for_user(users["county_a"]), data=survey_input(
        region=Region.objects.get(code="150802")))
    with pytest.raises(PermissionDenied):  # the food and drug administration does not lead utilities
        services.survey_save(actor=Actor.for_user(users["department"]), data=survey_input())
    services.survey_save(actor=Actor.for_user(users["department"]), data=survey_input(
        sector=Sector.objects.get(code="food_drug")))


def test_one_answer_per_device_and_every_question_answered(users):
    survey = make_survey()
    q1, q2 = survey.questions.all()
    services.survey_answer(survey=survey, device_token="a" * 32, answers={q1.pk: 5, q2.pk: 1})
    with pytest.raises(Conflict) as caught:
        services.survey_answer(survey=survey, device_token="a" * 32, answers={q1.pk: 4, q2.pk: 2})
    assert caught.value.code == "already_answered"
    with pytest.raises(ValidationFailed) as caught:
        services.survey_answer(survey=survey, device_token="b" * 32, answers={q1.pk: 5})
    assert caught.value.details == {"field": f"q{q2.pk}"}
    for bad in ({q1.pk: 6, q2.pk: 1}, {q1.pk: 0, q2.pk: 1}, {q1.pk: 5, q2.pk: 4}):
        with pytest.raises(ValidationFailed):
            services.survey_answer(survey=survey, device_token="b" * 32, answers=bad)
    with pytest.raises(ValidationFailed):  # no cookie, no answer
        services.survey_answer(survey=survey, device_token="", answers={q1.pk: 5, q2.pk: 1})
    assert Response.objects.count() == 1
    stored = Response.objects.get()
    assert stored.device != "a" * 32 and len(stored.device) == 64  # only a hash of the cookie


def test_answers_only_while_open(users):
    survey = close(make_survey())
    q1, q2 = survey.questions.all()
    with pytest.raises(ValidationFailed):
        services.survey_answer(survey=survey, device_token="c" * 32, answers={q1.pk: 5, q2.pk: 1})
    draft = make_survey(publish=False)
    d1, d2 = draft.questions.all()
    with pytest.raises(ValidationFailed):
        services.survey_answer(survey=draft, device_token="c" * 32, answers={d1.pk: 5, d2.pk: 1})


def test_comment_is_masked_before_storing(users):
    survey = make_survey()
    answer_all(survey, [[4, 1]], comment="我是李明，电话 13804781234，希望停水提前通知")
    comment = Response.objects.get().comment
    assert "13804781234" not in comment and "希望停水提前通知" in comment


def test_results_distribution_average_and_count(users):
    survey = make_survey()
    answer_all(survey, [[5, 1], [4, 1], [4, 2], [2, 3]])
    results = selectors.survey_results(close(survey))
    assert results.responses == 4
    rating, choice = results.questions
    assert rating.answered == 4 and rating.average == pytest.approx(3.75)
    assert rating.satisfied_share == pytest.approx(0.75)
    assert [(o.value, o.count) for o in rating.options] == [(5, 1), (4, 2), (3, 0), (2, 1), (1, 0)]
    assert [(o.label, o.count, o.share) for o in choice.options] == [
        ("每次都有", 2, 0.5), ("有时有", 1, 0.25), ("从来没有", 1, 0.25)]
    assert choice.average is None


def test_xlsx_has_summary_distribution_and_comments(users):
    survey = make_survey()
    answer_all(survey, [[5, 1], [3, 2]], comment="营业厅排队时间长")
    book = load_workbook(io.BytesIO(exports.survey_xlsx(selectors.survey_results(survey))))
    assert book.sheetnames == ["概况", "分布", "意见建议"]
    summary = [[v for v in r if v is not None] for r in book["概况"].iter_rows(values_only=True)]
    assert ["答卷数", 2] in summary
    assert [1, "您对供水服务的总体满意度", "评分（1–5）", 2, 4, 0.5] in summary
    distribution = list(book["分布"].iter_rows(values_only=True))
    assert (2, "停水前是否提前得到通知？", "有时有", 1, 0.5) in distribution
    assert [r[1] for r in book["意见建议"].iter_rows(min_row=2, values_only=True)] == ["营业厅排队时间长"] * 2
