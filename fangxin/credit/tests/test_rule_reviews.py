"""The "title review" effect comes from the joint-punishment rules: a list entry or a grade named by an active
rule opens a dynamic-management case naming the rule; a rule switched off opens nothing."""

import pytest

from fangxin.campaign.tests.factories import make_enrollment
from fangxin.campaign.titles import services as title_services
from fangxin.campaign.titles.choices import TriggerKind
from fangxin.campaign.titles.models import ManagementCase
from fangxin.core.actors import Actor
from fangxin.credit import rules
from fangxin.credit.models import JointRule
from fangxin.credit.tests.test_rules import enter, grade_d, office

pytestmark = pytest.mark.django_db


def switch_off(users, name):
    rule = JointRule.objects.get(name=name)
    data = rules.rule_data(rule) | {"active": False}
    rules.rule_update(actor=office(users), rule=rule, data=data)


def test_an_abnormal_entry_opens_a_review_because_a_rule_says_so(users, entities):
    make_enrollment(entities["a_food"])
    enter(entities["a_food"], "abnormal")
    case = ManagementCase.objects.get(entity=entities["a_food"])
    assert case.trigger == TriggerKind.ABNORMAL_LIST and "经营异常名录主体不得申报示范单位" in case.detail


def test_with_the_rule_switched_off_no_review_opens_and_the_scan_agrees(users, entities):
    make_enrollment(entities["a_food"])
    switch_off(users, "经营异常名录主体不得申报示范单位")
    enter(entities["a_food"], "abnormal")
    title_services.scan_triggers(actor=Actor.system("test"))
    assert not ManagementCase.objects.exists()


def test_a_grade_rule_with_the_review_effect_opens_a_case_when_the_grade_is_reached(users, entities):
    entity = entities["a_food"]
    make_enrollment(entity)
    rules.rule_create(actor=office(users), data={
        "name": "D 级主体复核创建资格", "condition_kind": "grade", "condition_value": "D",
        "effects": ["title_review"], "basis": "信用等级降为 D 级的，复核其创建资格", "active": True, "position": 50})
    grade_d(entity)
    case = ManagementCase.objects.get(entity=entity)
    assert case.trigger == TriggerKind.CREDIT_RULE and "D 级主体复核创建资格" in case.detail
