"""A small complaint and enrollment history that the dashboard, API and browser tests share."""

from datetime import timedelta

from django.utils import timezone

from fangxin.campaign.tests.factories import make_enrollment
from fangxin.complaints import services
from fangxin.complaints.choices import SettlementType
from fangxin.complaints.models import ServiceStation
from fangxin.complaints.tests.factories import MERCHANT, PUBLIC, STAFF, complaint_input
from fangxin.core.actors import Actor
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


def make_goal_history(entities) -> dict:
    """Goals 三, 五, 六 through the real services. A plan of the fda covering both counties is drawn on time;
    results: a_food passed and published on time, a_ecommerce problems (published late: its deadline was moved
    to yesterday before publication), b_food refused and not published with its deadline passed. Warnings: a surge
    at a_food detected five days ago (at most back to 1 January), acknowledged and closed today. Lists: a_ecommerce entered the
    abnormal list this month and left it; b_food entered the serious list this month."""
    from fangxin.alerts import services as alert_services
    from fangxin.alerts.choices import WarningStatus
    from fangxin.alerts.tests.factories import add_complaints
    from fangxin.credit.services import list_enter, list_exit
    from fangxin.inspections import services as inspection_services
    from fangxin.inspections.models import Inspection
    from fangxin.inspections.tests.factories import make_plan, make_team, run_draw
    from fangxin.stats import rollups
    from fangxin.stats.models import Source

    system = Actor.system("test")
    today = timezone.localdate()
    make_team("fda")
    plan = make_plan(draw_due=today + timedelta(days=10))
    run_draw(plan)
    by_entity = {i.entity_id: i for i in Inspection.objects.filter(plan=plan)}
    results = {}
    for name, outcome in (("a_food", "passed"), ("a_ecommerce", "problems"), ("b_food", "refused")):
        inspection = by_entity[entities[name].pk]
        results[name] = inspection_services.result_record(
            actor=system, inspection=inspection, outcome=outcome, inspected_on=today,
            description="" if outcome == "passed" else "现场检查发现问题")
    inspection_services.results_publish(actor=system, inspections=[results["a_food"]])
    # a deadline corrected in the admin (no per-object service): refresh as the audited admin would
    for name in ("a_ecommerce", "b_food"):
        Inspection.objects.filter(pk=results[name].pk).update(publish_due=today - timedelta(days=1))
    rollups.refresh(Source.INSPECTION, [results["a_ecommerce"].pk, results["b_food"].pk])
    inspection_services.results_publish(actor=system, inspections=[results["a_ecommerce"]])

    detected = max(today - timedelta(days=5), today.replace(month=1, day=1))  # stay in this year's dashboard
    add_complaints(entities["a_food"], {0: 3, 1: 3, 60: 1}, today=detected)
    scan = alert_services.scan(actor=system, on=detected)
    warnings = sorted(scan.created, key=lambda w: w.kind)
    handled = warnings[0]
    alert_services.warning_transition(actor=system, warning=handled, to_status=WarningStatus.ACKNOWLEDGED)
    alert_services.warning_transition(actor=system, warning=handled, to_status=WarningStatus.CLOSED,
                                      note="已约谈经营者，退款完毕")

    decision = {"reason_code": "A01", "reason": "通过登记的住所无法联系", "authority": "临河区市场监督管理局",
                "document_number": "临市监异〔2026〕3号"}
    abnormal = list_enter(actor=system, entity=entities["a_ecommerce"], kind="abnormal", entered_on=today, **decision)
    list_exit(actor=system, entry=abnormal, exit_reason="remedied", exited_on=today)
    list_enter(actor=system, entity=entities["b_food"], kind="serious", entered_on=today,
               **{**decision, "reason_code": "S02", "reason": "提供虚假材料"})
    return {"plan": plan, "results": results, "warnings": warnings, "handled": handled}
