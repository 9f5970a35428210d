"""Property test of the workflow: any sequence of actions applied through the services leaves a complaint in a
state of its flow; a successful change writes its timeline entry and audit record, a refused one writes nothing;
closed complaints carry their closing date and open ones none."""

from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from fangxin.campaign.tests.factories import make_enrollment
from fangxin.complaints import services
from fangxin.complaints.choices import CLOSED_STATUSES, Channel, Kind, SettlementType, Status
from fangxin.complaints.flows import flow_for
from fangxin.complaints.models import Complaint, ComplaintEvent
from fangxin.complaints.tests.factories import MERCHANT, PUBLIC, STAFF, complaint_input
from fangxin.core.exceptions import TransitionNotAllowed, ValidationFailed
from fangxin.core.models import AuditRecord


def _today():
    return timezone.localdate()


ACTIONS = {
    "offer": lambda c: services.complaint_operator_offer(actor=MERCHANT, complaint=c,
                                                         settlement_type=SettlementType.REFUND, amount="59.90",
                                                         note="全额退款"),
    "decline": lambda c: services.complaint_operator_decline(actor=MERCHANT, complaint=c, reason="不同意"),
    "settle_yes": lambda c: services.complaint_settlement_answer(actor=PUBLIC, complaint=c, accept=True),
    "settle_no": lambda c: services.complaint_settlement_answer(actor=PUBLIC, complaint=c, accept=False),
    "escalate": lambda c: services.complaint_escalate(actor=STAFF, complaint=c),
    "accept": lambda c: services.complaint_accept(actor=STAFF, complaint=c),
    "refuse": lambda c: services.complaint_refuse(actor=STAFF, complaint=c, reason_number=3),
    "transfer": lambda c: services.complaint_transfer(actor=STAFF, complaint=c, reason="管辖",
                                                      region_code="150821" if c.region.code != "150821" else "150802"),
    "mediate": lambda c: services.complaint_mediation_start(actor=STAFF, complaint=c, held_on=_today() + timedelta(days=2),
                                                            place="调解室", mediator="李调解"),
    "session": lambda c: services.complaint_mediation_session_record(actor=STAFF, complaint=c, held_on=_today(),
                                                                     place="调解室", mediator="李调解", attendees="双方",
                                                                     summary="调解"),
    "test_start": lambda c: services.complaint_testing_start(actor=STAFF, complaint=c, note="送检"),
    "test_end": lambda c: services.complaint_testing_end(actor=STAFF, complaint=c),
    "agree": lambda c: services.complaint_agreement(actor=STAFF, complaint=c, settlement_type=SettlementType.REFUND,
                                                    terms="退款", recovered_amount="59.90"),
    "end": lambda c: services.complaint_mediation_end(actor=STAFF, complaint=c, ground_number=3),
    "refer": lambda c: services.complaint_refer(actor=STAFF, complaint=c, destination="peoples_mediation",
                                                body_name="临河区人民调解委员会", on=_today()),
    "withdraw": lambda c: services.complaint_withdraw(actor=PUBLIC, complaint=c, reason="不投诉了"),
    "decide_open": lambda c: services.report_decide(actor=STAFF, complaint=c, open_case=True, note="立案"),
    "decide_close": lambda c: services.report_decide(actor=STAFF, complaint=c, open_case=False, note="不立案"),
    "rate": lambda c: services.complaint_rate(actor=PUBLIC, complaint=c, rating=4),
}
_serial = iter(range(10**9))


def _counts(complaint):
    return (ComplaintEvent.objects.filter(complaint=complaint).count(),
            AuditRecord.objects.filter(object_type="complaints.complaint", object_id=str(complaint.pk)).count())


def _snapshot(complaint):
    row = Complaint.objects.get(pk=complaint.pk)
    return (row.status, row.closed_on, row.accepted_on, row.bureau_received_on, row.region_id, row.rating,
            row.reason_id, row.pause_started_on, row.recovered_amount)


@pytest.fixture
def operator_ready(users, entities):
    make_enrollment(entities["a_food"])  # enrolled, with the merchant's account: operator-first applies
    return entities


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@example(start="received", actions=["accept", "test_end"])
@example(start="operator", actions=["offer", "settle_no", "accept", "session", "test_start", "test_end", "agree", "rate"])
@given(start=st.sampled_from(["operator", "received", "report"]),
       actions=st.lists(st.sampled_from(sorted(ACTIONS)), min_size=1, max_size=10))
def test_random_action_sequences_stay_in_the_flow(operator_ready, start, actions):
    number = next(_serial)
    data = complaint_input(description=f"第 {number} 件：牛奶过期。",
                           kind=Kind.REPORT if start == "report" else Kind.COMPLAINT,
                           entity_id=operator_ready["a_food"].pk if start == "operator" else None,
                           business_name="临河区华联超市" if start == "operator" else "某个小卖部")
    complaint, _ = services.complaint_submit(actor=STAFF, data=data, channel=Channel.HOTLINE)
    expected_start = {"operator": Status.OPERATOR, "received": Status.RECEIVED, "report": Status.REPORT_RECEIVED}
    assert complaint.status == expected_start[start]
    flow = flow_for(complaint.kind)
    for name in actions:
        before_counts, before = _counts(complaint), _snapshot(complaint)
        try:
            ACTIONS[name](Complaint.objects.get(pk=complaint.pk))
        except (TransitionNotAllowed, ValidationFailed):
            assert _counts(complaint) == before_counts, name  # refused: nothing written
            assert _snapshot(complaint) == before, name
            continue
        row = Complaint.objects.get(pk=complaint.pk)
        events, audits = (a - b for a, b in zip(_counts(complaint), before_counts, strict=True))
        # recording a session on an accepted complaint also starts mediation: two steps, two records
        steps = 2 if name == "session" and before[0] == Status.ACCEPTED else 1
        assert (events, audits) == (steps, steps), name
        assert row.status in flow.states, (name, row.status)
        if row.status != before[0]:
            assert flow.can(before[0], row.status) or steps == 2, (name, before[0], row.status)
        if row.status in CLOSED_STATUSES:
            assert row.closed_on is not None and row.closed_on <= _today()
        else:
            assert row.closed_on is None
        if row.status == Status.TESTING:
            assert row.pause_started_on is not None
        if name == "test_end":  # only a running test can end
            assert before[0] == Status.TESTING, before[0]
        if row.accepted_on:
            assert row.accepted_on >= (row.bureau_received_on or row.received_on) or name == "transfer"
