from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fangxin.campaign.choices import EnrollmentStatus
from fangxin.campaign.models import Enrollment
from fangxin.campaign.services import ENROLLMENT_FLOW, enrollment_create, enrollment_transition
from fangxin.campaign.tests.factories import make_enrollment
from fangxin.core.actors import Actor
from fangxin.core.exceptions import Conflict, PermissionDenied, TransitionNotAllowed, ValidationFailed
from fangxin.core.models import AuditRecord
from fangxin.credit.services import list_enter
from fangxin.merchants.services import entity_update

SYSTEM = Actor.system("test")


def staff(users, key="county_a"):
    return Actor.for_user(users[key])


@pytest.mark.django_db
def test_enrolling_signs_the_current_commitment_issues_a_badge_and_audits(users, entities):
    enrollment = make_enrollment(entities["a_food"], specific=["first_inquiry", "clear_real_price"],
                                 actor=Actor.for_user(users["merchant"]))
    assert enrollment.status == EnrollmentStatus.ACTIVE
    assert enrollment.serial.startswith("FX150802-")
    assert enrollment.commitment.version == 1
    assert {c.code for c in enrollment.specific_commitments.all()} == {"first_inquiry", "clear_real_price"}
    assert enrollment.badge_token.count(".") == 1 and enrollment.badge_kid
    assert [e.action for e in enrollment.events.all()] == ["登记"]
    record = AuditRecord.objects.get(action="campaign.enrollment.create")
    assert record.actor_name == "merchant" and record.changes["entity"] == [None, entities["a_food"].uscc]


@pytest.mark.django_db
def test_a_second_current_enrollment_is_refused(users, entities):
    make_enrollment(entities["a_food"])
    with pytest.raises(Conflict, match="不能重复登记"):
        make_enrollment(entities["a_food"])
    assert Enrollment.objects.count() == 1


@pytest.mark.django_db
def test_a_business_on_the_serious_violation_list_is_refused_with_the_reason(entities):
    list_enter(actor=SYSTEM, entity=entities["b_food"], kind="serious", reason_code="S01", reason="食品安全严重违法",
               authority="五原县市场监督管理局", document_number="五市监严〔2026〕3号", entered_on=date(2026, 5, 1))
    with pytest.raises(ValidationFailed) as caught:
        make_enrollment(entities["b_food"])
    assert "严重违法失信名单" in caught.value.message and "五市监严〔2026〕3号" in caught.value.message
    assert not Enrollment.objects.exists()
    assert not AuditRecord.objects.filter(action="campaign.enrollment.create").exists()


@pytest.mark.django_db
def test_bad_enrollment_input_is_explained(entities):
    entity = entities["a_food"]
    with pytest.raises(ValidationFailed, match="统一承诺已更新"):
        enrollment_create(actor=SYSTEM, entity=entity, commitment_version=99, specific_codes=[],
                          display_method="in_store", signed_name="王", agreed=True)
    with pytest.raises(ValidationFailed, match="没有登记网店地址"):
        enrollment_create(actor=SYSTEM, entity=entity, commitment_version=1, specific_codes=[],
                          display_method="online", signed_name="王", agreed=True)
    with pytest.raises(ValidationFailed, match="请确认已阅读"):
        enrollment_create(actor=SYSTEM, entity=entity, commitment_version=1, specific_codes=[],
                          display_method="in_store", signed_name="王", agreed=False)
    with pytest.raises(ValidationFailed, match="可选承诺无效"):
        enrollment_create(actor=SYSTEM, entity=entity, commitment_version=1, specific_codes=["nope"],
                          display_method="in_store", signed_name="王", agreed=True)
    entity_update(actor=SYSTEM, entity=entity, operating_status="cancelled")
    entity.refresh_from_db()
    with pytest.raises(ValidationFailed, match="注销"):
        make_enrollment(entity)
    assert not Enrollment.objects.exists()


@pytest.mark.django_db
def test_status_changes_need_a_reason_the_right_role_and_an_allowed_transition(users, entities):
    enrollment = make_enrollment(entities["a_food"])
    merchant = Actor.for_user(users["merchant"])
    with pytest.raises(PermissionDenied):
        enrollment_transition(actor=merchant, enrollment=enrollment, to_status="revoked", reason="x")
    with pytest.raises(ValidationFailed):
        enrollment_transition(actor=staff(users), enrollment=enrollment, to_status="suspended", reason=" ")
    enrollment_transition(actor=staff(users), enrollment=enrollment, to_status="suspended", reason="投诉集中，限期整改")
    enrollment_transition(actor=staff(users), enrollment=enrollment, to_status="active", reason="整改完成")
    enrollment_transition(actor=staff(users), enrollment=enrollment, to_status="revoked", reason="违反承诺")
    with pytest.raises(TransitionNotAllowed):
        enrollment_transition(actor=staff(users), enrollment=enrollment, to_status="active", reason="再恢复")
    enrollment.refresh_from_db()
    assert [e.action for e in enrollment.events.all()] == ["登记", "暂停", "恢复", "撤销"]
    # After a revocation the business may enroll again (a new serial, a new badge).
    again = make_enrollment(entities["a_food"])
    assert again.serial != enrollment.serial


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(["suspended", "active", "revoked", "withdrawn"]), max_size=6))
@pytest.mark.django_db
def test_random_walks_follow_the_declared_machine(users, entities, walk):
    Enrollment.objects.all().delete()
    enrollment = make_enrollment(entities["a_ecommerce"])
    state = EnrollmentStatus.ACTIVE
    for target in walk:
        if ENROLLMENT_FLOW.can(state, target):
            enrollment_transition(actor=staff(users), enrollment=enrollment, to_status=target, reason="测试")
            state = target
        else:
            with pytest.raises(TransitionNotAllowed):
                enrollment_transition(actor=staff(users), enrollment=enrollment, to_status=target, reason="测试")
    enrollment.refresh_from_db()
    assert enrollment.status == state
    assert enrollment.events.count() == 1 + sum(1 for _ in enrollment.events.exclude(action="登记"))
