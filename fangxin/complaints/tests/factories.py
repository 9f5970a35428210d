"""One factory per workflow state: make_complaint(state=...) walks the real services to get there."""

from datetime import date

from fangxin.complaints import services
from fangxin.complaints.choices import Channel, SettlementType, Status
from fangxin.complaints.services import ComplaintInput
from fangxin.core.actors import Actor

PUBLIC = Actor(user=None, name="公众", role="public")
STAFF = Actor.system("test-staff")
MERCHANT = Actor(user=None, name="经营者", role="merchant")


def complaint_input(**overrides) -> ComplaintInput:
    values = dict(complainant_name="张三", complainant_phone="13800001234", business_name="临河区华联超市",
                  item="纯牛奶一箱", description="买到的牛奶已经过期，要求退货被拒绝。", demand="退款并赔偿",
                  region_code="150802", amount="59.90", purchased_on=date(2026, 11, 20),
                  consent_publication=True, consent_mediation=True)
    values.update(overrides)
    return ComplaintInput(**values)


def make_complaint(state: str = Status.RECEIVED, *, channel=Channel.WEB, **overrides):
    """A complaint walked to `state` through the services (operator states need an enrolled entity)."""
    complaint, _ = services.complaint_submit(actor=PUBLIC if channel in (Channel.WEB,) else STAFF,
                                             data=complaint_input(**overrides), channel=channel)
    if state in (Status.OPERATOR, Status.RECEIVED, Status.REPORT_RECEIVED):
        return complaint
    if state == Status.OPERATOR_OFFERED:
        return services.complaint_operator_offer(actor=MERCHANT, complaint=complaint,
                                                 settlement_type=SettlementType.REFUND, amount="59.90",
                                                 note="全额退款")
    if state == Status.OPERATOR_SETTLED:
        complaint = make_complaint(Status.OPERATOR_OFFERED, channel=channel, **overrides)
        return services.complaint_settlement_answer(actor=PUBLIC, complaint=complaint, accept=True)
    if state == Status.REFUSED:
        return services.complaint_refuse(actor=STAFF, complaint=complaint, reason_number=3)
    if state == Status.WITHDRAWN:
        return services.complaint_withdraw(actor=PUBLIC, complaint=complaint, reason="已自行解决")
    complaint = services.complaint_accept(actor=STAFF, complaint=complaint)
    if state == Status.ACCEPTED:
        return complaint
    if state == Status.MEDIATING:
        return services.complaint_mediation_start(actor=STAFF, complaint=complaint, held_on=date.today(),
                                                  place="临河区市场监管局调解室", mediator="李调解")
    if state == Status.TESTING:
        return services.complaint_testing_start(actor=STAFF, complaint=complaint, note="送检牛奶样品")
    if state == Status.AGREEMENT:
        return services.complaint_agreement(actor=STAFF, complaint=complaint, settlement_type=SettlementType.REFUND,
                                            terms="退款 59.90 元并赔偿 500 元", recovered_amount="559.90")
    if state == Status.MEDIATION_ENDED:
        return services.complaint_mediation_end(actor=STAFF, complaint=complaint, ground_number=3)
    if state == Status.REFERRED:
        return services.complaint_refer(actor=STAFF, complaint=complaint, destination="court",
                                        body_name="临河区人民法院", on=date.today())
    raise ValueError(state)
