"""The credit ledger and grades in the database: idempotent recording, recompute, history, audit, models."""

import copy
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from fangxin.core.actors import Actor
from fangxin.core.exceptions import Conflict, TransitionNotAllowed, ValidationFailed
from fangxin.core.models import AuditRecord
from fangxin.credit.grading import DEFAULT_RULES
from fangxin.credit.models import CreditEvent, CreditGrade, CreditGradeHistory, GradeModel
from fangxin.credit.selectors import events_of, grade_of
from fangxin.credit.services import (
    credit_event_record,
    ensure_default_model,
    grade_model_publish,
    grade_recompute,
    list_enter,
    list_exit,
)

SYSTEM = Actor.system("test")


def days_ago(n):
    return timezone.localdate() - timedelta(days=n)


def record(entity, kind="complaint_upheld", source_ref="complaint:T1", age=0, **extra):
    return credit_event_record(actor=SYSTEM, entity=entity, kind=kind, occurred_on=days_ago(age),
                               detail="消费者投诉经调解成立", source_ref=source_ref, **extra)


def actions():
    return list(AuditRecord.objects.filter(action__startswith="credit.").order_by("seq")
                .values_list("action", flat=True))


@pytest.mark.django_db
def test_recording_an_event_grades_the_business_and_audits_both(entities):
    event = record(entities["a_food"])
    grade = grade_of(entities["a_food"])
    # 100 − 3 × 365/365 = 97.00 → A
    assert (grade.grade, grade.score, grade.model_version) == ("A", Decimal("97.00"), 1)
    assert [(line["label"], line["applied"]) for line in grade.explanation["events"]] == [("投诉调解成功", "-3.00")]
    assert grade.explanation["events"][0]["event_id"] == event.pk
    assert actions() == ["credit.event.record", "credit.grade_model.seed", "credit.grade.recompute"]
    assert GradeModel.objects.get().status == "published"


@pytest.mark.django_db
def test_the_same_source_twice_writes_nothing(entities):
    first = record(entities["a_food"])
    audits = AuditRecord.objects.count()
    again = record(entities["a_food"], age=3)
    assert again.pk == first.pk and again.occurred_on == first.occurred_on
    assert CreditEvent.objects.count() == 1 and AuditRecord.objects.count() == audits
    assert grade_of(entities["a_food"]).score == Decimal("97.00")
    with pytest.raises(Conflict):
        record(entities["b_food"])  # the same source claimed for another business


@pytest.mark.django_db
def test_bad_events_are_refused_and_nothing_is_written(entities):
    with pytest.raises(ValidationFailed, match="文号"):
        record(entities["a_food"], kind="penalty", source_ref="penalty:1", authority="临河区市场监督管理局")
    with pytest.raises(ValidationFailed):
        record(entities["a_food"], kind="fined")
    with pytest.raises(ValidationFailed):
        record(entities["a_food"], source_ref="  ")
    assert CreditEvent.objects.count() == 0 and CreditGrade.objects.count() == 0 and actions() == []


@pytest.mark.django_db
def test_history_only_when_the_grade_changes(entities):
    entity = entities["a_food"]
    record(entity, source_ref="complaint:T1")  # 97.00 → A (first grade: "" → A)
    record(entity, source_ref="complaint:T2")  # 94.00 → still A, no history row
    penalty = record(entity, kind="penalty", source_ref="penalty:临市监罚〔2026〕8号",
                     document_number="临市监罚〔2026〕8号", authority="临河区市场监督管理局")  # 79.00 → B
    rows = list(CreditGradeHistory.objects.filter(entity=entity).order_by("id").values_list(
        "from_grade", "to_grade", "score", "event"))
    assert rows == [("", "A", Decimal("97.00"), CreditEvent.objects.get(source_ref="complaint:T1").pk),
                    ("A", "B", Decimal("79.00"), penalty.pk)]
    assert actions().count("credit.grade.recompute") == 3  # the score moved each time
    grade_recompute(actor=SYSTEM, entity=entity)  # nothing new: no history, no audit
    assert CreditGradeHistory.objects.count() == 2 and actions().count("credit.grade.recompute") == 3


@pytest.mark.django_db
def test_list_decisions_are_ledger_events_and_cap_the_grade(entities):
    entity = entities["a_food"]
    entry = list_enter(actor=SYSTEM, entity=entity, kind="serious", reason_code="S02", reason="提供虚假材料",
                       authority="临河区市场监督管理局", document_number="临市监〔2026〕12号",
                       entered_on=days_ago(5))
    event = CreditEvent.objects.get(source_ref=f"list:{entry.pk}:enter")
    assert (event.kind, event.document_number, event.occurred_on) == ("list_entered", "临市监〔2026〕12号", days_ago(5))
    grade = grade_of(entity)
    assert (grade.grade, grade.score) == ("D", Decimal("100.00"))  # full score, but on the serious list
    assert grade.explanation["list_caps"][0]["label"] == "严重违法失信名单"
    list_exit(actor=SYSTEM, entry=entry, exit_reason="remedied", exited_on=days_ago(1), document_number="临市监〔2026〕30号")
    assert CreditEvent.objects.get(source_ref=f"list:{entry.pk}:exit").kind == "list_exited"
    assert grade_of(entity).grade == "A"
    assert list(CreditGradeHistory.objects.order_by("id").values_list("from_grade", "to_grade")) == [
        ("", "D"), ("D", "A")]


@pytest.mark.django_db
def test_abnormal_list_caps_at_c(entities):
    list_enter(actor=SYSTEM, entity=entities["a_food"], kind="abnormal", reason_code="A1", reason="未按期公示年报",
               authority="临河区市场监督管理局", document_number="临市监异〔2026〕3号", entered_on=days_ago(0))
    assert grade_of(entities["a_food"]).grade == "C"


@pytest.mark.django_db
def test_events_are_scoped_like_their_business(users, entities):
    record(entities["b_food"])
    assert events_of(users["county_a"], entities["b_food"]).count() == 0
    assert [e.source_ref for e in events_of(users["county_b"], entities["b_food"])] == ["complaint:T1"]
    assert grade_of(entities["a_food"]) is None


@pytest.mark.django_db
def test_publishing_a_new_model_version(entities):
    record(entities["a_food"])
    rules = copy.deepcopy(DEFAULT_RULES)
    rules["kinds"]["complaint_upheld"]["points"] = -12
    draft = GradeModel.objects.create(version=2, title="放心消费信用评级模型", rules=rules)
    assert ensure_default_model().version == 1  # a draft is not in force
    grade_model_publish(actor=SYSTEM, model=draft)
    assert "credit.grade_model.publish" in actions() and ensure_default_model().version == 2
    grade = grade_recompute(actor=SYSTEM, entity=entities["a_food"])
    assert (grade.grade, grade.score, grade.model_version) == ("B", Decimal("88.00"), 2)  # 100 − 12
    with pytest.raises(TransitionNotAllowed):
        grade_model_publish(actor=SYSTEM, model=draft)


@pytest.mark.django_db
def test_an_unusable_or_older_draft_is_not_published(entities):
    ensure_default_model()
    broken = copy.deepcopy(DEFAULT_RULES)
    broken["thresholds"] = [["A", 60], ["B", 75], ["C", 90]]
    with pytest.raises(ValidationFailed, match="门槛"):
        grade_model_publish(actor=SYSTEM, model=GradeModel.objects.create(version=3, title="错误", rules=broken))
    GradeModel.objects.filter(version=1).update(version=5)
    with pytest.raises(ValidationFailed, match="版本号"):
        grade_model_publish(actor=SYSTEM, model=GradeModel.objects.create(version=4, title="旧", rules=DEFAULT_RULES))
    assert list(GradeModel.objects.published().values_list("version", flat=True)) == [5]


@pytest.mark.parametrize(("ref", "label"), [
    ("complaint:T20261101ABCDEF:upheld", "投诉 T20261101ABCDEF"),
    ("list:5:enter", "信用名单决定（列入）"),
    ("title:4:revoke", "示范单位称号（撤销）"),
    ("import:150802:CSV-1", "部门数据导入 CSV-1"),
    ("inspection:12", "双随机抽查"),
    ("penalty:临市监罚〔2026〕8号", "行政处罚录入"),
    ("something:else", "something:else"),
])
def test_sources_read_as_chinese(ref, label):
    from fangxin.credit.models import source_label

    assert source_label(ref) == label
