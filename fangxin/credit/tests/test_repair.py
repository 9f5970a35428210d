"""Credit repair: the merchant asks with evidence, the authority's staff decide, the grade and the explanation
show the repair; list entries exit with repair_served; permissions, validation, audit and notifications."""

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fangxin.core.actors import Actor
from fangxin.core.exceptions import Conflict, PermissionDenied, TransitionNotAllowed, ValidationFailed
from fangxin.core.models import AuditRecord, Notification
from fangxin.core.tests import samples
from fangxin.credit import grading, repair
from fangxin.credit.models import CreditEvent, ListEntry, RepairRequest
from fangxin.credit.selectors import enrollment_blockers, grade_of
from fangxin.credit.services import credit_event_record, list_enter

SYSTEM = Actor.system("test")
PNG = samples.PNG
STATEMENT = "已足额缴纳罚款并完成整改，附缴款凭证和整改报告。"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def png(name="缴款凭证.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def penalty(entity, ref="penalty:1", age=10):
    return credit_event_record(actor=SYSTEM, entity=entity, kind="penalty",
                               occurred_on=timezone.localdate() - timedelta(days=age), detail="销售过期食品",
                               source_ref=ref, document_number="临市监罚〔2026〕8号", authority="临河区市场监督管理局")


def submit(users, entity, **target):
    return repair.repair_submit(actor=Actor.for_user(users["merchant"]), entity=entity, statement=STATEMENT,
                                files=[png()], **target)


@pytest.mark.django_db
def test_an_approved_repair_stops_the_event_counting_and_the_explanation_says_so(users, entities,
                                                                                 django_capture_on_commit_callbacks):
    entity = entities["a_food"]
    users["county_a"].email = "county_a@linhe.example.cn"
    users["county_a"].save(update_fields=["email"])
    entity.contact_phone = "13904780000"
    entity.save(update_fields=["contact_phone"])
    event = penalty(entity)
    before = grade_of(entity)
    assert before.score < Decimal("100") and [line["event_id"] for line in before.explanation["events"]] == [event.pk]
    with django_capture_on_commit_callbacks(execute=True):
        request = submit(users, entity, event=event)
    assert request.status == "submitted" and request.evidence.get().content_type == "image/png"
    assert list(Notification.objects.filter(recipient_kind="staff", object_type="credit_repair")
                .values_list("recipient", flat=True)) == ["county_a@linhe.example.cn"]
    assert repair.repairable_events(entity).count() == 0  # one open request per event
    with django_capture_on_commit_callbacks(execute=True):
        repair.repair_decide(actor=Actor.for_user(users["county_a"]), request=request, approve=True,
                             reason="已履行处罚并整改到位", document_number="临市监修〔2026〕1号")
    request.refresh_from_db()
    assert (request.status, request.decided_by, request.document_number) == (
        "approved", users["county_a"], "临市监修〔2026〕1号")
    row = request.repair_event
    assert (row.kind, row.repairs, row.source_ref) == ("credit_repaired", event, f"repair:{request.pk}")
    after = grade_of(entity)
    assert after.score == Decimal("100.00") and after.grade == "A"
    assert after.explanation["events"] == []
    (repaired,) = after.explanation["repaired"]
    assert (repaired["event_id"], repaired["repair_event_id"]) == (event.pk, row.pk)
    assert Decimal(repaired["not_applied"]) == before.score - Decimal("100")
    assert {"credit.repair.submit", "credit.repair.decide", "credit.event.repair_link"} <= set(
        AuditRecord.objects.values_list("action", flat=True))
    told = Notification.objects.filter(recipient_kind="business", object_type="credit_repair")
    assert [(n.recipient, n.subject) for n in told] == [("13904780000", "信用修复已准予")]
    with pytest.raises(Conflict, match="已经修复"):
        submit(users, entity, event=event)


@pytest.mark.django_db
def test_a_rejected_repair_changes_nothing_but_the_request(users, entities):
    entity = entities["a_food"]
    event = penalty(entity)
    score = grade_of(entity).score
    request = submit(users, entity, event=event)
    repair.repair_decide(actor=Actor.for_user(users["office"]), request=request, approve=False,
                         reason="整改材料不完整")
    request.refresh_from_db()
    assert (request.status, request.decision_reason, request.repair_event) == ("rejected", "整改材料不完整", None)
    assert grade_of(entity).score == score and not CreditEvent.objects.filter(kind="credit_repaired").exists()
    with pytest.raises(TransitionNotAllowed):
        repair.repair_decide(actor=Actor.for_user(users["office"]), request=request, approve=True, reason="改判")
    # after a refusal the business may ask again
    assert submit(users, entity, event=event).status == "submitted"


@pytest.mark.django_db
def test_repairing_a_serious_list_entry_exits_it_and_lifts_the_rule(users, entities):
    entity = entities["a_food"]
    entry = list_enter(actor=SYSTEM, entity=entity, kind="serious", reason_code="1", reason="销售假冒商品",
                       authority="巴彦淖尔市市场监督管理局", document_number="巴市监严〔2026〕1号",
                       entered_on=timezone.localdate() - timedelta(days=400))
    assert grade_of(entity).grade == "D" and enrollment_blockers(entity)
    request = submit(users, entity, list_entry=entry)
    repair.repair_decide(actor=Actor.for_user(users["county_a"]), request=request, approve=True,
                         reason="已满最短公示期并完成整改")
    entry = ListEntry.objects.get(pk=entry.pk)
    assert (entry.exited_on, entry.exit_reason) == (timezone.localdate(), "repair_served")
    assert grade_of(entity).grade == "A" and grade_of(entity).explanation["list_caps"] == []
    assert enrollment_blockers(entity) == []
    request.refresh_from_db()
    assert request.repair_event.source_ref == f"list:{entry.pk}:exit"


@pytest.mark.django_db
def test_who_may_ask_and_who_may_decide(users, entities):
    mine, other = penalty(entities["a_food"]), penalty(entities["b_food"], ref="penalty:2")
    with pytest.raises(PermissionDenied):  # not the merchant's business
        submit(users, entities["b_food"], event=other)
    with pytest.raises(PermissionDenied):
        repair.repair_submit(actor=Actor.for_user(users["county_a"]), entity=entities["a_food"],
                             statement=STATEMENT, files=[png()], event=mine)
    request = submit(users, entities["a_food"], event=mine)
    for who in ("county_b", "department", "association", "auditor", "merchant"):
        with pytest.raises(PermissionDenied):
            repair.repair_decide(actor=Actor.for_user(users[who]), request=request, approve=True, reason="同意")
    assert RepairRequest.objects.get().status == "submitted"
    assert repair.may_decide(users["office"], request) and repair.may_decide(users["county_a"], request)


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "message"), [
    ("no_files", "请上传"),
    ("fake_png", "不是图片或 PDF"),
    ("short", "至少 10 个字"),
    ("not_negative", "不扣分，无须修复"),
    ("two_targets", "请选择要修复的一条"),
    ("no_reason", "请写明决定理由"),
])
def test_refusals_write_nothing(users, entities, case, message):
    entity = entities["a_food"]
    event = penalty(entity)
    actor = Actor.for_user(users["merchant"])
    kwargs = {"actor": actor, "entity": entity, "statement": STATEMENT, "files": [png()], "event": event}
    if case == "no_files":
        kwargs["files"] = []
    elif case == "fake_png":
        kwargs["files"] = [SimpleUploadedFile("凭证.png", b"just text pretending to be a photo")]
    elif case == "short":
        kwargs["statement"] = "已改正"
    elif case == "not_negative":
        kwargs["event"] = credit_event_record(actor=SYSTEM, entity=entity, kind="inspection_passed",
                                              occurred_on=timezone.localdate(), detail="合格", source_ref="insp:1")
    elif case == "two_targets":
        kwargs["list_entry"] = list_enter(actor=SYSTEM, entity=entity, kind="abnormal", reason_code="1",
                                          reason="未报年报", authority="市监局", document_number="异1",
                                          entered_on=timezone.localdate())
    if case == "no_reason":
        request = repair.repair_submit(**kwargs)
        with pytest.raises(ValidationFailed, match=message):
            repair.repair_decide(actor=Actor.for_user(users["office"]), request=request, approve=True, reason=" ")
        assert RepairRequest.objects.get().status == "submitted"
        return
    with pytest.raises(ValidationFailed, match=message):
        repair.repair_submit(**kwargs)
    assert not RepairRequest.objects.exists()


@pytest.mark.django_db
def test_a_second_open_request_for_the_same_event_is_a_conflict(users, entities):
    event = penalty(entities["a_food"])
    submit(users, entities["a_food"], event=event)
    with pytest.raises(Conflict, match="待决定"):
        submit(users, entities["a_food"], event=event)
    assert RepairRequest.objects.count() == 1


KINDS = ["penalty", "inspection_failed", "complaint_upheld", "title_awarded", "inspection_passed"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(KINDS), st.integers(min_value=0, max_value=1200)), min_size=1,
                max_size=8), st.data())
def test_a_repaired_event_counts_as_if_it_were_not_in_the_ledger(rows, data):
    today = timezone.localdate()
    events = [SimpleNamespace(pk=n + 1, kind=kind, occurred_on=today - timedelta(days=age))
              for n, (kind, age) in enumerate(rows)]
    target = data.draw(st.sampled_from(events))
    repaired_on = today - timedelta(days=data.draw(st.integers(min_value=0, max_value=5)))
    repair_row = SimpleNamespace(pk=100, kind="credit_repaired", occurred_on=repaired_on, repairs_id=target.pk)
    with_repair = grading.score([*events, repair_row], grading.DEFAULT_RULES, today)
    without = grading.score([e for e in events if e is not target], grading.DEFAULT_RULES, today)
    assert (with_repair.grade, with_repair.score) == (without.grade, without.score)
    assert with_repair.explanation["events"] == without.explanation["events"]
    # a repair dated in the future does not count yet
    future = SimpleNamespace(pk=101, kind="credit_repaired", occurred_on=today + timedelta(days=1),
                             repairs_id=target.pk)
    plain = grading.score(events, grading.DEFAULT_RULES, today)
    assert grading.score([*events, future], grading.DEFAULT_RULES, today).score == plain.score


ROLES = ["merchant", "county_a", "county_b", "department", "association", "office", "auditor"]


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(ROLES), st.booleans()), min_size=1, max_size=6))
def test_a_request_is_decided_at_most_once_and_only_by_a_decider(users, entities, attempts):
    """Any sequence of decisions by any roles: only county_a (the business's county) and the office succeed, only
    the first success counts, and the grade agrees with the outcome."""
    entity = entities["a_food"]
    event = penalty(entity, ref=f"penalty:{RepairRequest.objects.count()}")
    request = submit(users, entity, event=event)
    outcome = None
    for role, approve in attempts:
        try:
            repair.repair_decide(actor=Actor.for_user(users[role]), request=request, approve=approve, reason="决定")
        except PermissionDenied:
            assert role not in ("county_a", "office")
        except TransitionNotAllowed:
            assert outcome is not None
        else:
            assert role in ("county_a", "office") and outcome is None
            outcome = "approved" if approve else "rejected"
    request.refresh_from_db()
    assert request.status == (outcome or "submitted")
    assert AuditRecord.objects.filter(action="credit.repair.decide", object_id=str(request.pk)).count() == (
        1 if outcome else 0)
    counted = {line["event_id"] for line in grade_of(entity).explanation["events"]}
    assert (event.pk in counted) == (outcome != "approved")
