"""A small complaint and enrollment history that the dashboard, API and browser tests share."""

from datetime import timedelta

from django.utils import timezone

from fangxin.campaign.tests.factories import make_enrollment
from fangxin.complaints import services
from fangxin.complaints.choices import SettlementType
from fangxin.complaints.models import ServiceStation
from fangxin.complaints.tests.factories import MERCHANT, PUBLIC, STAFF, complaint_input
from fangxin.organisation.models import Region


def make_history(entities) -> dict:
    """County A (临河区): one operator-settled complaint rated 5 and one mediated, both this month, and a service
    station; county B (五原县): one accepted complaint this month and one last year in the same month, withdrawn
    after acceptance and rated 2. Enrolled: a_food (A, food_drug) and b_tourism (B, tourism). Needs the merchant
    user bound to a_food (the `users` fixture), so a_food's complaint starts with the business."""
    make_enrollment(entities["a_food"])
    make_enrollment(entities["b_tourism"])
    today = timezone.localdate()
    a1, _ = services.complaint_submit(actor=STAFF, channel="hotline", data=complaint_input(
        entity_id=entities["a_food"].pk, business_name=entities["a_food"].name, description="牛奶过期一"))
    services.complaint_operator_offer(actor=MERCHANT, complaint=a1, settlement_type=SettlementType.REFUND,
                                      amount="20", note="退款")
    services.complaint_settlement_answer(actor=PUBLIC, complaint=a1, accept=True)
    services.complaint_rate(actor=PUBLIC, complaint=a1, rating=5)
    a2, _ = services.complaint_submit(actor=STAFF, channel="hotline", data=complaint_input(
        business_name="河套老街小吃店", description="饭菜不卫生二", region_code="150802"))
    services.complaint_accept(actor=STAFF, complaint=a2)
    services.complaint_agreement(actor=STAFF, complaint=a2, settlement_type=SettlementType.REFUND, terms="退款",
                                 recovered_amount="80")
    b1, _ = services.complaint_submit(actor=STAFF, channel="hotline", data=complaint_input(
        business_name="五原县某宾馆", description="房间与描述不符三", region_code="150821"))
    services.complaint_accept(actor=STAFF, complaint=b1)
    last_year = today.replace(year=today.year - 1, day=min(today.day, 28))
    b0, _ = services.complaint_submit(actor=STAFF, channel="hotline", data=complaint_input(
        business_name="五原县某宾馆", description="去年的投诉四", region_code="150821", received_on=last_year,
        purchased_on=last_year - timedelta(days=1)))
    services.complaint_accept(actor=STAFF, complaint=b0)
    services.complaint_withdraw(actor=PUBLIC, complaint=b0)
    services.complaint_rate(actor=PUBLIC, complaint=b0, rating=2)
    ServiceStation.objects.create(region=Region.objects.get(code="150802"), town="新华街道", name="新华街道维权站",
                                  host="华联超市", address="新华街 1 号", hours="9:00-17:00", contact_phone="0478-1234567")
    return {"a1": a1, "a2": a2, "b1": b1, "b0": b0}
