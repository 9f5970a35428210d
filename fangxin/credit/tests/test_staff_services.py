"""Who may enter list decisions, penalties and commitment breaches, and what a bad decision leaves behind (nothing)."""

from datetime import date, timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fangxin.core.actors import Actor
from fangxin.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from fangxin.core.models import AuditRecord
from fangxin.credit import services
from fangxin.credit.models import CreditEvent, CreditGrade, ListEntry
from fangxin.merchants.tests.factories import make_entity

DECISION = {"kind": "abnormal", "reason_code": "AB04", "reason": "", "authority": "临河区市场监督管理局",
            "document_number": "临市监异〔2026〕15号", "entered_on": date(2026, 10, 1)}
PENALTY = {"decided_on": date(2026, 10, 8), "detail": "销售过期食品，罚款 5000 元",
           "document_number": "临市监处罚〔2026〕88号", "authority": "临河区市场监督管理局"}


def actor(user) -> Actor:
    return Actor.for_user(user)


def nothing_written():
    return not ListEntry.objects.exists() and not CreditEvent.objects.exists() and not AuditRecord.objects.filter(
        action__startswith="credit.").exists()


@pytest.mark.django_db
def test_a_county_clerk_enters_a_business_of_their_county_and_the_code_label_is_the_reason(users, entities):
    entry = services.staff_list_enter(actor=actor(users["county_a"]), entity=entities["a_food"], **DECISION)
    assert entry.reason == "通过登记的住所或者经营场所无法联系" and entry.reason_code == "AB04"
    event = CreditEvent.objects.get(source_ref=f"list:{entry.pk}:enter")
    assert event.kind == "list_entered" and event.document_number == "临市监异〔2026〕15号"
    assert CreditGrade.objects.get(entity=entities["a_food"]).grade == "C"  # the abnormal list caps the grade
    record = AuditRecord.objects.get(action="credit.list.enter")
    assert record.actor_name == "county_a" and record.actor_role == "county_staff"


@pytest.mark.django_db
def test_a_business_outside_the_scope_is_not_found_and_nothing_is_written(users, entities, reference):
    with pytest.raises(NotFound):
        services.staff_list_enter(actor=actor(users["county_a"]), entity=entities["b_food"], **DECISION)
    with pytest.raises(NotFound):
        services.penalty_enter(actor=actor(users["county_b"]), entity=entities["a_food"], **PENALTY)
    bank = make_entity(county="150802", sector="finance", name="临河区某小额贷款公司")
    with pytest.raises(NotFound):  # the food and drug administration does not regulate finance
        services.penalty_enter(actor=actor(users["department"]), entity=bank, **PENALTY)
    assert nothing_written()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["auditor", "merchant", "association", "sysadmin"])
def test_roles_that_make_no_administrative_decisions_are_refused(users, entities, role):
    with pytest.raises(PermissionDenied):
        services.staff_list_enter(actor=actor(users[role]), entity=entities["a_food"], **DECISION)
    with pytest.raises(PermissionDenied):
        services.penalty_enter(actor=actor(users[role]), entity=entities["a_food"], **PENALTY)
    with pytest.raises(PermissionDenied):
        services.commitment_breach_enter(actor=actor(users[role]), entity=entities["a_food"],
                                         occurred_on=date(2026, 10, 1), detail="拒绝七日无理由退货")
    assert nothing_written()


@pytest.mark.django_db
def test_departments_and_the_office_decide_within_their_scope(users, entities):
    services.staff_list_enter(actor=actor(users["department"]), entity=entities["b_food"], **DECISION)
    services.staff_list_enter(actor=actor(users["office"]), entity=entities["a_ecommerce"],
                              **{**DECISION, "kind": "warning", "reason_code": "WN02"})
    assert ListEntry.objects.count() == 2
    assert services.may_decide(users["county_a"]) and not services.may_decide(users["auditor"])


@pytest.mark.django_db
@pytest.mark.parametrize("change, field", [
    ({"reason_code": "SV01"}, "reason_code"),                    # a serious-list code on the abnormal list
    ({"reason_code": "AB99"}, "reason"),                         # "other" without the reason written out
    ({"entered_on": date(2099, 1, 1)}, "date"),
    ({"kind": "blacklist"}, "kind"),
])
def test_a_bad_decision_names_the_field_and_writes_nothing(users, entities, change, field):
    with pytest.raises(ValidationFailed) as caught:
        services.staff_list_enter(actor=actor(users["county_a"]), entity=entities["a_food"], **{**DECISION, **change})
    assert caught.value.details.get("field") == field and caught.value.message
    assert nothing_written()


@pytest.mark.django_db
def test_an_other_reason_is_published_as_written(users, entities):
    entry = services.staff_list_enter(actor=actor(users["county_a"]), entity=entities["a_food"],
                                      **{**DECISION, "reason_code": "AB99", "reason": "  年报公示信息与实际不符  "})
    assert entry.reason == "年报公示信息与实际不符"


@pytest.mark.django_db
def test_the_exit_needs_a_document_number_and_the_scope(users, entities):
    entry = services.staff_list_enter(actor=actor(users["county_a"]), entity=entities["a_food"], **DECISION)
    with pytest.raises(ValidationFailed):
        services.staff_list_exit(actor=actor(users["county_a"]), entry=entry, exit_reason="remedied",
                                 exited_on=date(2026, 11, 1), document_number=" ")
    with pytest.raises(NotFound):
        services.staff_list_exit(actor=actor(users["county_b"]), entry=entry, exit_reason="remedied",
                                 exited_on=date(2026, 11, 1), document_number="临市监移〔2026〕3号")
    with pytest.raises(PermissionDenied):
        services.staff_list_exit(actor=actor(users["auditor"]), entry=entry, exit_reason="remedied",
                                 exited_on=date(2026, 11, 1), document_number="临市监移〔2026〕3号")
    entry.refresh_from_db()
    assert entry.exited_on is None
    services.staff_list_exit(actor=actor(users["county_a"]), entry=entry, exit_reason="remedied",
                             exited_on=date(2026, 11, 1), document_number="临市监移〔2026〕3号")
    entry.refresh_from_db()
    assert entry.exited_on == date(2026, 11, 1) and entry.exit_document_number == "临市监移〔2026〕3号"
    assert CreditGrade.objects.get(entity=entities["a_food"]).grade == "A"  # the cap is lifted


@pytest.mark.django_db
def test_a_penalty_is_recorded_once_per_decision_and_lowers_the_grade(users, entities):
    event, created = services.penalty_enter(actor=actor(users["county_a"]), entity=entities["a_food"], **PENALTY)
    assert created and event.kind == "penalty" and event.source_ref == "penalty:临市监处罚〔2026〕88号"
    score = CreditGrade.objects.get(entity=entities["a_food"]).score
    assert score < 100
    again, created = services.penalty_enter(actor=actor(users["office"]), entity=entities["a_food"], **PENALTY)
    assert not created and again.pk == event.pk
    assert CreditEvent.objects.filter(kind="penalty").count() == 1
    assert CreditGrade.objects.get(entity=entities["a_food"]).score == score


@pytest.mark.django_db
def test_a_penalty_without_its_document_or_in_the_future_is_refused(users, entities):
    for change in ({"document_number": "  "}, {"authority": ""},
                   {"decided_on": timezone.localdate() + timedelta(days=1)}):
        with pytest.raises(ValidationFailed):
            services.penalty_enter(actor=actor(users["county_a"]), entity=entities["a_food"], **{**PENALTY, **change})
    assert nothing_written()


@pytest.mark.django_db
def test_a_long_document_number_still_makes_a_stable_source(users, entities):
    long_number = "临河区市场监督管理局行政处罚决定书" * 5  # 85 characters: within the column, too long for a source
    first, _ = services.penalty_enter(actor=actor(users["county_a"]), entity=entities["a_food"],
                                      **{**PENALTY, "document_number": long_number})
    second, created = services.penalty_enter(actor=actor(users["county_a"]), entity=entities["a_food"],
                                             **{**PENALTY, "document_number": long_number})
    assert len(first.source_ref) <= 80 and first.pk == second.pk and not created


@pytest.mark.django_db
@pytest.mark.parametrize("field, value", [("document_number", "号" * 101), ("authority", "局" * 101),
                                          ("detail", "罚" * 301)])
def test_text_longer_than_its_column_is_a_message(users, entities, field, value):
    with pytest.raises(ValidationFailed) as caught:
        services.penalty_enter(actor=actor(users["county_a"]), entity=entities["a_food"], **{**PENALTY, field: value})
    assert caught.value.details["field"] == field and "过长" in caught.value.message
    with pytest.raises(ValidationFailed):
        services.staff_list_enter(actor=actor(users["county_a"]), entity=entities["a_food"],
                                  **{**DECISION, "reason_code": "AB99", "reason": "由" * 301})
    assert nothing_written()


@pytest.mark.django_db
def test_commitment_breaches_without_a_document_are_separate_findings(users, entities):
    kwargs = {"occurred_on": date(2026, 10, 2), "detail": "承诺七日无理由退货，拒绝为消费者退货"}
    services.commitment_breach_enter(actor=actor(users["county_a"]), entity=entities["a_food"], **kwargs)
    services.commitment_breach_enter(actor=actor(users["county_a"]), entity=entities["a_food"], **kwargs)
    _, created = services.commitment_breach_enter(actor=actor(users["county_a"]), entity=entities["a_food"],
                                                  document_number="临市监责改〔2026〕7号", **kwargs)
    _, again = services.commitment_breach_enter(actor=actor(users["county_a"]), entity=entities["a_food"],
                                                document_number="临市监责改〔2026〕7号", **kwargs)
    assert created and not again
    assert CreditEvent.objects.filter(kind="commitment_breach").count() == 3


@pytest.mark.django_db
def test_the_system_actor_is_trusted_and_the_original_services_are_unchanged(entities):
    entry = services.list_enter(actor=Actor.system("test"), entity=entities["b_food"], kind="serious",
                                reason_code="S02", reason="提供虚假材料", authority="五原县市场监督管理局",
                                document_number="五市监〔2026〕1号", entered_on=date(2026, 6, 1))
    assert entry.reason_code == "S02"  # list_enter itself takes any code (other apps' callers)


# --- the list state machine, property-based -------------------------------------------------------------------

OPERATIONS = st.lists(st.tuples(st.sampled_from(["enter", "exit"]), st.sampled_from(["a_food", "b_food"]),
                                st.sampled_from(["abnormal", "serious", "warning"]), st.integers(0, 30)),
                      min_size=1, max_size=12)


@pytest.mark.django_db
@given(operations=OPERATIONS)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_sequence_of_decisions_keeps_one_current_entry_per_list_and_a_ledger_row_per_decision(
        users, entities, operations):
    office = actor(users["office"])
    codes = {"abnormal": "AB01", "serious": "SV01", "warning": "WN01"}
    with transaction.atomic():
        done = 0
        for number, (operation, name, kind, day) in enumerate(operations):
            entity = entities[name]
            current = ListEntry.objects.filter(entity=entity, kind=kind, exited_on__isnull=True).first()
            when = date(2026, 1, 1) + timedelta(days=day)
            try:
                if operation == "enter":
                    services.staff_list_enter(actor=office, entity=entity, kind=kind, reason_code=codes[kind],
                                              authority="巴彦淖尔市市场监督管理局", document_number=f"决〔2026〕{number}号",
                                              entered_on=when)
                    assert current is None  # entering succeeds only when the business is not on that list
                elif current is not None:
                    services.staff_list_exit(actor=office, entry=current, exit_reason="remedied", exited_on=when,
                                             document_number=f"移〔2026〕{number}号")
                    assert when >= current.entered_on
                else:
                    continue
                done += 1
            except (Conflict, ValidationFailed):
                assert (operation == "enter" and current is not None) or (
                    operation == "exit" and when < current.entered_on)
        for name in ("a_food", "b_food"):
            for kind in codes:
                assert entities[name].list_entries.filter(kind=kind, exited_on__isnull=True).count() <= 1
        entries = ListEntry.objects.count()
        exits = ListEntry.objects.filter(exited_on__isnull=False).count()
        assert CreditEvent.objects.filter(kind="list_entered").count() == entries
        assert CreditEvent.objects.filter(kind="list_exited").count() == exits
        assert entries + exits == done
        transaction.set_rollback(True)  # the next example starts from an empty ledger
