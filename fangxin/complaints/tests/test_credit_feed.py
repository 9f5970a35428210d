"""Complaint outcomes reach the business's credit ledger (and its grade) in the complaint's own transaction."""

import pytest
from django.utils import timezone

from fangxin.campaign.tests.factories import make_enrollment
from fangxin.complaints import services
from fangxin.complaints.choices import SettlementType, Status
from fangxin.complaints.models import Complaint
from fangxin.complaints.tests.factories import MERCHANT, PUBLIC, STAFF, complaint_input, make_complaint
from fangxin.core.exceptions import ValidationFailed
from fangxin.credit.choices import EventKind
from fangxin.credit.models import CreditEvent, CreditGrade

pytestmark = pytest.mark.django_db


def kinds(entity):
    return sorted(CreditEvent.objects.filter(entity=entity).values_list("kind", flat=True))


def against(entity, state, phone="13800001234"):
    return make_complaint(state, business_name=entity.name, business_uscc=entity.uscc, complainant_phone=phone)


def test_an_agreement_is_an_upheld_complaint_and_moves_the_grade(entities):
    entity = entities["a_food"]
    complaint = against(entity, Status.AGREEMENT)
    event = CreditEvent.objects.get(entity=entity)
    assert event.kind == EventKind.COMPLAINT_UPHELD and event.source_ref == f"complaint:{complaint.tracking_no}:upheld"
    assert event.occurred_on == timezone.localdate() and complaint.tracking_no in event.detail
    assert CreditGrade.objects.get(entity=entity).score == 97  # 100 − 3 on the day


def test_an_agreement_with_advance_compensation_records_both(entities):
    entity = entities["a_food"]
    complaint = against(entity, Status.MEDIATING)
    services.complaint_agreement(actor=STAFF, complaint=complaint, settlement_type=SettlementType.ADVANCE_COMPENSATION,
                                 terms="先行赔付 300 元", recovered_amount="559.90", advance_compensation="300")
    assert kinds(entity) == [EventKind.ADVANCE_COMPENSATION, EventKind.COMPLAINT_UPHELD]


def test_an_operator_settlement_is_recorded(users, entities):
    entity = entities["a_food"]
    make_enrollment(entity)
    complaint, _ = services.complaint_submit(actor=PUBLIC, data=complaint_input(entity_id=entity.pk), channel="web")
    services.complaint_operator_offer(actor=MERCHANT, complaint=complaint,
                                      settlement_type=SettlementType.ADVANCE_COMPENSATION, amount="300", note="先赔")
    services.complaint_settlement_answer(actor=PUBLIC, complaint=complaint, accept=True)
    assert kinds(entity) == [EventKind.ADVANCE_COMPENSATION, EventKind.OPERATOR_SETTLED]


def test_a_business_refusing_mediation_is_recorded_only_when_staff_say_so(entities):
    entity = entities["a_food"]
    ended = against(entity, Status.MEDIATION_ENDED)  # ground 3 without the flag
    assert kinds(entity) == []
    complaint = against(entity, Status.MEDIATING, phone="13900005678")  # another consumer, not a duplicate
    services.complaint_mediation_end(actor=STAFF, complaint=complaint, ground_number=2, business_refused=True)
    event = CreditEvent.objects.get(entity=entity)
    assert event.kind == EventKind.MEDIATION_REFUSED and ended.tracking_no not in event.source_ref


def test_refusal_on_a_ground_that_is_not_a_refusal_writes_nothing(entities):
    entity = entities["a_food"]
    complaint = against(entity, Status.MEDIATING)
    with pytest.raises(ValidationFailed, match="拒绝"):
        services.complaint_mediation_end(actor=STAFF, complaint=complaint, ground_number=5, business_refused=True)
    complaint.refresh_from_db()
    assert complaint.status == Status.MEDIATING and kinds(entity) == []


def test_a_complaint_without_a_registered_business_records_nothing(entities):
    complaint = make_complaint(Status.AGREEMENT, business_name="一家找不到的小店")
    assert complaint.entity_id is None and not CreditEvent.objects.exists()


def test_a_failed_credit_write_rolls_the_complaint_back(entities, monkeypatch):
    entity = entities["a_food"]
    complaint = against(entity, Status.MEDIATING)

    def broken(*args, **kwargs):
        raise RuntimeError("ledger unavailable")

    monkeypatch.setattr("fangxin.complaints.credit_feed.credit_event_record", broken)
    with pytest.raises(RuntimeError):
        services.complaint_agreement(actor=STAFF, complaint=complaint, settlement_type=SettlementType.REFUND,
                                     terms="退款", recovered_amount="59.90")
    assert Complaint.objects.get(pk=complaint.pk).status == Status.MEDIATING


def test_staff_page_records_a_business_refusal(client, users, entities):
    from fangxin.complaints.tests.test_views_staff import act, login

    entity = entities["a_food"]
    complaint = against(entity, Status.MEDIATING)
    login(client, users, "county_a")
    act(client, complaint, "mediation_end", {"ground": "2", "note": "经营者拒不到场", "business_refused": "on"})
    complaint.refresh_from_db()
    assert complaint.status == Status.MEDIATION_ENDED and kinds(entity) == [EventKind.MEDIATION_REFUSED]
