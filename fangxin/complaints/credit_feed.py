"""Complaint outcomes that the credit ledger counts (issue 7 item 1), recorded inside the complaint's transaction
through the credit capability's one entry point, `credit_event_record`.

Which outcome is which event:
- mediation agreement (调解成功) → 投诉调解成功, plus 赔偿先付 when an advance compensation was paid;
- consumer accepts the business's own settlement → 经营者和解 (plus 赔偿先付 when the settlement was one);
- mediation ended because the business refused to take part (staff say so when ending) → 拒绝调解.
A complaint not linked to a registered business records nothing. Source references are per complaint and outcome,
so replaying a transition never counts twice."""

from django.utils import timezone

from fangxin.core.actors import Actor
from fangxin.credit.choices import EventKind
from fangxin.credit.services import credit_event_record

from .choices import SettlementType, Status

# The grounds under which the business itself may have refused mediation (both rule sets word it with 拒绝/不参加).
REFUSAL_WORDS = ("拒绝调解", "不参加调解")


def ground_allows_business_refusal(reason_text: str) -> bool:
    return any(word in reason_text for word in REFUSAL_WORDS)


def outcome_events(complaint, *, business_refused: bool = False) -> list[tuple[str, str, str]]:
    """(event kind, outcome key, detail) for the complaint's closing status; pure, so the demo loader shares it."""
    number = complaint.tracking_no
    if complaint.status == Status.AGREEMENT:
        events = [(EventKind.COMPLAINT_UPHELD, "upheld",
                   f"投诉 {number} 调解成功，挽回经济损失 {complaint.recovered_amount or 0} 元")]
        if complaint.advance_compensation:
            events.append((EventKind.ADVANCE_COMPENSATION, "advance",
                           f"投诉 {number} 赔偿先付 {complaint.advance_compensation} 元"))
        return events
    if complaint.status == Status.OPERATOR_SETTLED:
        events = [(EventKind.OPERATOR_SETTLED, "settled",
                   f"投诉 {number} 经营者和解：{complaint.get_settlement_type_display()}")]
        if complaint.settlement_type == SettlementType.ADVANCE_COMPENSATION:
            events.append((EventKind.ADVANCE_COMPENSATION, "advance",
                           f"投诉 {number} 赔偿先付 {complaint.settlement_amount or 0} 元"))
        return events
    if complaint.status == Status.MEDIATION_ENDED and business_refused:
        return [(EventKind.MEDIATION_REFUSED, "refused", f"投诉 {number} 被投诉人拒绝调解，调解终止")]
    return []


def source_ref(complaint, outcome: str) -> str:
    return f"complaint:{complaint.tracking_no}:{outcome}"


def record_outcome(actor: Actor, complaint, *, business_refused: bool = False) -> list:
    """Record the credit events of the complaint's (new) closing status; returns the events recorded."""
    if complaint.entity_id is None:
        return []
    occurred_on = complaint.closed_on or timezone.localdate()
    return [credit_event_record(actor=actor, entity=complaint.entity, kind=kind, occurred_on=occurred_on,
                                detail=detail, source_ref=source_ref(complaint, outcome))
            for kind, outcome, detail in outcome_events(complaint, business_refused=business_refused)]
