"""Joint-punishment rules: the seeded defaults, the refusals that name their rule, the enrollment and title
application services obeying them, inspection ratios, profile warnings, and editing the rules."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fangxin.campaign.models import Enrollment
from fangxin.campaign.tests.factories import make_enrollment
from fangxin.campaign.titles import services as title_services
from fangxin.campaign.titles.models import ManagementCase
from fangxin.campaign.titles.tests.factories import open_cycle
from fangxin.core.actors import Actor
from fangxin.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from fangxin.core.models import AuditRecord
from fangxin.credit import rules
from fangxin.credit.models import JointRule
from fangxin.credit.selectors import enrollment_blockers
from fangxin.credit.services import credit_event_record, list_enter

SYSTEM = Actor.system("test")
SERIOUS_RULE = "严重违法失信名单主体不得参加创建"


def enter(entity, kind="serious"):
    return list_enter(actor=SYSTEM, entity=entity, kind=kind, reason_code="1", reason="销售假冒商品",
                      authority="巴彦淖尔市市场监督管理局", document_number="巴市监严〔2026〕1号",
                      entered_on=date(2026, 3, 2))


def grade_c(entity):
    """100 − 15 − 15 − 8 = 62 → C."""
    for n, kind in enumerate(["penalty", "penalty", "inspection_failed"]):
        credit_event_record(actor=SYSTEM, entity=entity, kind=kind, occurred_on=date.today(), detail="处罚",
                            source_ref=f"test:{entity.pk}:{n}", document_number=f"文{n}", authority="市监局")


def grade_d(entity):
    for n in range(3):
        credit_event_record(actor=SYSTEM, entity=entity, kind="penalty", occurred_on=date.today(), detail="处罚",
                            source_ref=f"test:d:{entity.pk}:{n}", document_number=f"文{n}", authority="市监局")


def office(users):
    return Actor.for_user(users["office"])


@pytest.mark.django_db
def test_the_default_rules_are_seeded(reference):
    seeded = {rule.name: (rule.condition_kind, rule.condition_value, rule.effects, rule.inspection_ratio)
              for rule in JointRule.objects.all()}
    assert seeded[SERIOUS_RULE] == ("list", "serious",
                                    ["block_enrollment", "block_title_application", "title_review"], None)
    assert seeded["经营异常名录主体不得申报示范单位"] == ("list", "abnormal", ["block_title_application", "title_review"], None)
    assert seeded["D 级主体提高抽查比例"] == ("grade", "D", ["raise_inspection_ratio"], Decimal("0.30"))
    assert seeded["C 级主体公开提示"][:3] == ("grade", "C", ["profile_warning"])


@pytest.mark.django_db
def test_a_serious_entry_blocks_enrollment_naming_the_rule_and_opens_a_title_review(entities):
    entity = entities["a_food"]
    make_enrollment(entities["a_ecommerce"])  # someone else, to show the service itself works
    open_cycle()
    enrolled = entities["b_food"]
    make_enrollment(enrolled)
    enter(enrolled)
    assert ManagementCase.objects.filter(entity=enrolled, status="open").count() == 1
    assert rules.title_review_required(enrolled) == [
        f"依据联合惩戒规则“{SERIOUS_RULE}”：已被列入严重违法失信名单（巴彦淖尔市市场监督管理局 巴市监严〔2026〕1号，2026年3月2日）"]

    enter(entity)
    with pytest.raises(ValidationFailed) as refused:
        make_enrollment(entity)
    assert f"依据联合惩戒规则“{SERIOUS_RULE}”：已被列入严重违法失信名单" in refused.value.message
    assert not Enrollment.objects.filter(entity=entity).exists()
    # the same rule refuses a title application, named there too
    assert title_services.veto_reasons(entity) == enrollment_blockers(entity)


@pytest.mark.django_db
def test_switching_the_rule_off_lifts_the_block_and_renaming_it_changes_the_refusal(entities, users):
    entity = entities["a_food"]
    enter(entity)
    rule = JointRule.objects.get(name=SERIOUS_RULE)
    rules.rule_update(actor=office(users), rule=rule, data={**rules.rule_data(rule), "name": "严重失信不得创建"})
    assert enrollment_blockers(entity)[0].startswith("依据联合惩戒规则“严重失信不得创建”：")
    rule.refresh_from_db()
    rules.rule_update(actor=office(users), rule=rule, data={**rules.rule_data(rule), "active": False})
    assert enrollment_blockers(entity) == [] and rules.application_refusals(entity) == []
    make_enrollment(entity)
    assert Enrollment.objects.filter(entity=entity).exists()
    updates = AuditRecord.objects.filter(action="credit.rule.update").order_by("seq")
    assert [list(record.changes) for record in updates] == [["name"], ["active"]]


@pytest.mark.django_db
def test_the_abnormal_list_blocks_title_applications_not_enrollment(entities):
    entity = entities["a_food"]
    enter(entity, "abnormal")
    assert enrollment_blockers(entity) == []
    (refusal,) = rules.application_refusals(entity)
    assert refusal.startswith("依据联合惩戒规则“经营异常名录主体不得申报示范单位”：已被列入经营异常名录")
    make_enrollment(entity)
    open_cycle()
    with pytest.raises(ValidationFailed, match="经营异常名录主体不得申报示范单位"):
        title_services.application_submit(actor=SYSTEM, entity=entity, level="county", self_scores={})


@pytest.mark.django_db
def test_grade_rules_warn_on_the_profile_and_raise_the_inspection_ratio(entities):
    grade_c(entities["a_food"])
    assert rules.profile_warnings(entities["a_food"]) == [
        "该经营者信用等级为 C 级（失信风险），请谨慎消费并保留购物凭证。"]
    assert rules.profile_warnings(entities["b_food"]) == []
    grade_d(entities["b_food"])
    assert rules.profile_warnings(entities["b_food"]) == []  # D has no profile warning in the defaults
    ratios, applied = rules.inspection_ratios({"A": "0.05", "B": "0.10", "C": "0.20", "D": "0.10"})
    assert ratios == {"A": "0.05", "B": "0.10", "C": "0.20", "D": "0.30"}
    assert applied == ["D 级主体提高抽查比例"]
    # never lowered
    assert rules.inspection_ratios({"D": "0.50"}) == ({"D": "0.50"}, [])
    JointRule.objects.filter(name="D 级主体提高抽查比例").update(active=False)
    assert rules.inspection_ratios({"D": "0.10"}) == ({"D": "0.10"}, [])


@pytest.mark.django_db
@settings(max_examples=40, deadline=None)
@given(st.dictionaries(st.sampled_from("ABCD"),
                       st.decimals(min_value=0, max_value=1, places=2).map(str), min_size=0, max_size=4))
def test_inspection_ratios_never_lower_any_ratio(ratios):
    result, applied = rules.inspection_ratios(ratios)
    assert set(result) >= set(ratios)
    for grade, value in ratios.items():
        assert Decimal(result[grade]) >= Decimal(value)
    changed = {grade for grade in result if result[grade] != ratios.get(grade)}
    assert bool(changed) == bool(applied)


@pytest.mark.django_db
def test_only_the_office_edits_rules_and_every_edit_is_audited(users):
    data = {"name": "警示名单主体公开提示", "condition_kind": "list", "condition_value": "warning",
            "effects": ["profile_warning"], "warning_text": "该经营者已被列入警示名单。", "position": 50}
    for who in ("county_a", "department", "association"):
        with pytest.raises(PermissionDenied):
            rules.rule_create(actor=Actor.for_user(users[who]), data=data)
    rule = rules.rule_create(actor=office(users), data=data)
    assert AuditRecord.objects.filter(action="credit.rule.create", object_id=str(rule.pk)).count() == 1
    with pytest.raises(Conflict):
        rules.rule_create(actor=office(users), data=data)


@pytest.mark.parametrize(("change", "message"), [
    ({"name": " "}, "请填写规则名称"),
    ({"condition_kind": "list", "condition_value": "D"}, "请选择名单"),
    ({"condition_value": "E"}, "请选择信用等级"),
    ({"effects": []}, "请至少选择一项惩戒措施"),
    ({"effects": ["ban_forever"]}, "未知惩戒措施"),
    ({"inspection_ratio": "1.5"}, "不超过 1"),
    ({"inspection_ratio": "三成"}, "0 到 1 之间的小数"),
    ({"inspection_ratio": ""}, "须写明比例"),
    ({"condition_kind": "list", "condition_value": "serious"}, "只能按信用等级设定"),
    ({"effects": ["profile_warning"], "warning_text": ""}, "须写明提示语"),
    ({"position": "first"}, "顺序须为整数"),
])
def test_rule_validation_messages(change, message):
    data = {"name": "D 级提高抽查比例", "condition_kind": "grade", "condition_value": "D",
            "effects": ["raise_inspection_ratio"], "inspection_ratio": "0.30", "position": 1}
    with pytest.raises(ValidationFailed, match=message):
        rules.rule_validate({**data, **change})


def test_rule_validation_keeps_only_what_the_effects_use():
    clean = rules.rule_validate({"name": "C 级", "condition_kind": "grade", "condition_value": "C",
                                 "effects": ["block_title_application"], "inspection_ratio": "0.3",
                                 "warning_text": "提示"})
    assert clean["inspection_ratio"] is None and clean["warning_text"] == ""


@pytest.mark.django_db
def test_an_empty_rule_table_gets_the_defaults_again_audited(entities):
    JointRule.objects.all().delete()  # as after a flush: rules are never deleted through the services
    enter(entities["a_food"])
    assert enrollment_blockers(entities["a_food"])[0].startswith(f"依据联合惩戒规则“{SERIOUS_RULE}”")
    assert JointRule.objects.count() == len(rules.DEFAULT_RULES)
    assert AuditRecord.objects.filter(action="credit.rule.seed").count() == len(rules.DEFAULT_RULES)
