"""Rollups kept as events happen equal a direct count after any sequence of real service calls.

Hypothesis drives random sequences of complaint steps (submit, operator offer and answer, decline, accept, refuse,
mediation, agreement, end of mediation, referral, withdrawal, rating, classification, transfer) and enrollment
steps (enroll, suspend, reinstate, revoke, withdraw). After each sequence the incrementally kept counters must
equal (1) a from-scratch recomputation and (2) complaints.metrics.complaint_metrics, the DESIGN 4 definitions,
for every county and month."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fangxin.campaign import services as campaign_services
from fangxin.campaign.choices import EnrollmentStatus
from fangxin.campaign.models import Enrollment
from fangxin.campaign.tests.factories import make_enrollment
from fangxin.complaints import services
from fangxin.complaints.choices import Kind, SettlementType, Status
from fangxin.complaints.metrics import complaint_metrics
from fangxin.complaints.models import Complaint
from fangxin.complaints.tests.factories import MERCHANT, PUBLIC, STAFF, complaint_input
from fangxin.core.actors import Actor
from fangxin.core.exceptions import FangxinError
from fangxin.merchants import services as merchant_services
from fangxin.organisation.models import Region, Sector
from fangxin.stats import rollups
from fangxin.stats.models import Contribution, Rollup, Source

SYSTEM = Actor.system("test")
COUNTIES = ("150802", "150821")
SECTORS = ("food_drug", "ecommerce", "tourism", "other")


def totals_by(measure: str, **lookup) -> int:
    return sum(Rollup.objects.filter(source=Source.COMPLAINT, measure=measure, **lookup).values_list("value", flat=True))


def month_span(months_back: int) -> tuple[date, date]:
    today = timezone.localdate()
    first = today.replace(day=1)
    for _ in range(months_back):
        first = (first - timedelta(days=1)).replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return first, min(last, today)


def assert_matches_metrics() -> None:
    """For every county × receipt month of the last 15 months: rollups == complaint_metrics."""
    for code in COUNTIES:
        region = Region.objects.get(code=code)
        for back in range(15):
            start, end = month_span(back)
            m = complaint_metrics(start=start, end=end, region=region)
            lookup = {"region": region, "period": start}
            got = {name: totals_by(name, **lookup) for name in (
                "received", "accepted", "closed", "settled", "operator_settled", "ratings", "satisfied")}
            assert got == {"received": m.received, "accepted": m.accepted, "closed": m.closed,
                           "settled": m.settled, "operator_settled": m.operator_settled, "ratings": m.ratings,
                           "satisfied": m.satisfied}, (code, start)
            assert totals_by("recovered_cents", **lookup) == int(m.recovered_amount * 100)


def assert_drill_down_matches(user) -> None:
    """Each county × month × measure: the records list behind the cell has exactly the cell's count."""
    from fangxin.stats import selectors

    for code in COUNTIES:
        for back in range(15):
            start, _ = month_span(back)
            f = selectors.filters_from(year=start.year, county=code)
            for measure in selectors.COMPLAINT_MEASURES:
                drill = selectors.drill_from(source="complaint", measure=measure, month=start.month)
                assert selectors.drill_records(user, f, drill).count() == totals_by(
                    measure, region__code=code, period=start), (code, start, measure)


def assert_consistent() -> None:
    assert rollups.differences() == []
    assert_matches_metrics()
    current = Enrollment.objects.filter(status__in=[EnrollmentStatus.ACTIVE, EnrollmentStatus.SUSPENDED]).count()
    assert sum(Rollup.objects.filter(source=Source.ENROLLMENT, measure="current").values_list("value", flat=True)) == current


# --- the random sequences -------------------------------------------------------------------------------------

def _submit(state, step):
    who, months_back, kind, sector = step["who"], step["months_back"], step["kind"], step["sector"]
    entity = state["entities"].get(who, None)
    today = timezone.localdate()  # months_back -1: today, so the operator's 10 working days are still open
    received_on = today if months_back < 0 else min(month_span(months_back)[0] + timedelta(days=step["day"]), today)
    values = dict(description=f"第{state['n']}次：买到的商品有质量问题，要求退货被拒绝。",
                  received_on=received_on, kind=kind, consent_mediation=step["consent"],
                  region_code=COUNTIES[step["county"]], sector_code=sector if sector != "auto" else "")
    if entity is not None:
        values.update(entity_id=entity.pk, business_name=entity.name)
    else:  # a name the registry does not know, so routing does not match it to an entity
        values.update(business_name="河套老街小吃店")
    if kind == Kind.REPORT:
        values.update(demand="")
    state["n"] += 1
    complaint, _ = services.complaint_submit(actor=STAFF, data=complaint_input(**values), channel="hotline")
    state["complaints"].append(complaint.pk)


def _complaint(state, index):
    if not state["complaints"]:
        return None
    # mostly one of the latest few, so that steps build on each other (offer → answer, accept → mediate → …)
    return Complaint.objects.get(pk=state["complaints"][-1 - index % min(len(state["complaints"]), 4)])


COMPLAINT_STEPS = {
    "offer": lambda c, s: services.complaint_operator_offer(actor=MERCHANT, complaint=c, settlement_type=SettlementType.REFUND,
                                                            amount="59.90", note="退款"),
    "answer_yes": lambda c, s: services.complaint_settlement_answer(actor=PUBLIC, complaint=c, accept=True),
    "answer_no": lambda c, s: services.complaint_settlement_answer(actor=PUBLIC, complaint=c, accept=False,
                                                                    comment="金额太少"),
    "escalate": lambda c, s: services.complaint_escalate(actor=STAFF, complaint=c),
    "decline": lambda c, s: services.complaint_operator_decline(actor=MERCHANT, complaint=c, reason="不同意"),
    "accept": lambda c, s: services.complaint_accept(actor=STAFF, complaint=c),
    "refuse": lambda c, s: services.complaint_refuse(actor=STAFF, complaint=c, reason_number=3),
    "mediate": lambda c, s: services.complaint_mediation_start(actor=STAFF, complaint=c, held_on=timezone.localdate(),
                                                               place="调解室", mediator="李调解"),
    "agreement": lambda c, s: services.complaint_agreement(actor=STAFF, complaint=c, settlement_type=SettlementType.REFUND,
                                                           terms="退款", recovered_amount=f"{s['amount']}.50"),
    "end": lambda c, s: services.complaint_mediation_end(actor=STAFF, complaint=c, ground_number=3),
    "refer": lambda c, s: services.complaint_refer(actor=STAFF, complaint=c, destination="court", body_name="临河区人民法院",
                                                   on=timezone.localdate()),
    "withdraw": lambda c, s: services.complaint_withdraw(actor=PUBLIC, complaint=c, reason="已解决"),
    "rate": lambda c, s: services.complaint_rate(actor=PUBLIC, complaint=c, rating=s["rating"]),
    "classify": lambda c, s: services.complaint_classify(actor=STAFF, complaint=c, sector_code=s["sector_code"],
                                                         problem_types=["quality"]),
    "transfer": lambda c, s: services.complaint_transfer(
        actor=STAFF, complaint=c, reason="管辖地不符",
        region_code=COUNTIES[1] if c.region.code == COUNTIES[0] else COUNTIES[0]),
    "report_decide": lambda c, s: services.report_decide(actor=STAFF, complaint=c, open_case=s["rating"] > 2,
                                                         note="已核查"),
}
ENROLLMENT_TARGETS = (EnrollmentStatus.SUSPENDED, EnrollmentStatus.ACTIVE, EnrollmentStatus.REVOKED,
                      EnrollmentStatus.WITHDRAWN)

submit_step = st.fixed_dictionaries({
    "op": st.just("submit"), "who": st.sampled_from(["a_food", "b_food", "free"]),
    "months_back": st.integers(-1, 14), "day": st.integers(0, 27), "kind": st.sampled_from([Kind.COMPLAINT, Kind.REPORT]),
    "consent": st.booleans(), "county": st.integers(0, 1), "sector": st.sampled_from(("auto", *SECTORS))})
complaint_step = st.fixed_dictionaries({
    "op": st.sampled_from(sorted(COMPLAINT_STEPS)), "index": st.integers(0, 3), "rating": st.integers(1, 5),
    "amount": st.integers(0, 999), "sector_code": st.sampled_from(SECTORS)})
enrollment_step = st.fixed_dictionaries({
    "op": st.just("enrollment"), "who": st.sampled_from(["a_ecommerce", "a_food", "b_food", "b_tourism"]),
    "to": st.sampled_from((None, *ENROLLMENT_TARGETS))})
# Paths a complaint really takes, walked to a random depth, so the late states (settled, rated) are reached.
PATHS = (("offer", "answer_yes", "rate"), ("offer", "answer_no", "accept", "mediate", "agreement", "rate"),
         ("decline", "accept", "mediate", "end", "rate"), ("escalate", "accept", "agreement", "rate"), ("accept", "mediate", "agreement", "rate"),
         ("classify", "transfer", "accept", "refer", "rate"), ("accept", "withdraw", "rate"), ("refuse", "rate"),
         ("report_decide",))
walk_step = st.fixed_dictionaries({
    "op": st.just("walk"), "path": st.sampled_from(PATHS), "depth": st.integers(1, 6), "index": st.integers(0, 3),
    "rating": st.integers(1, 5), "amount": st.integers(0, 999), "sector_code": st.sampled_from(SECTORS)})
entity_step = st.fixed_dictionaries({
    "op": st.just("entity_sector"), "who": st.sampled_from(["a_food", "b_tourism"]),
    "sector": st.sampled_from(SECTORS)})
sequences = st.lists(st.one_of(submit_step, walk_step, walk_step, complaint_step, enrollment_step, entity_step),
                     min_size=1, max_size=40)


def run_step(state, step) -> None:
    try:
        if step["op"] == "submit":
            _submit(state, step)
        elif step["op"] == "enrollment":
            entity = state["entities"][step["who"]]
            current = Enrollment.objects.filter(entity=entity, status__in=["active", "suspended"]).first()
            if step["to"] is None or current is None:
                make_enrollment(entity)
            else:
                campaign_services.enrollment_transition(actor=SYSTEM, enrollment=current, to_status=step["to"],
                                                        reason="测试")
        elif step["op"] == "entity_sector":
            entity = state["entities"][step["who"]]
            entity.refresh_from_db()
            merchant_services.entity_update(actor=SYSTEM, entity=entity,
                                            sector=Sector.objects.get(code=step["sector"]))
        elif step["op"] == "walk":
            for op in step["path"][:step["depth"]]:
                run_step(state, {**step, "op": op})
        else:
            complaint = _complaint(state, step["index"])
            if complaint is not None:
                COMPLAINT_STEPS[step["op"]](complaint, step)
    except FangxinError:
        pass  # a refused step changes nothing, in the records or in the rollups


@pytest.mark.django_db
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(steps=sequences)
def test_rollups_equal_direct_counts_after_random_steps(users, entities, steps):
    if not Enrollment.objects.filter(entity=entities["a_food"], status__in=["active", "suspended"]).exists():
        make_enrollment(entities["a_food"])  # the merchant's unit: its complaints start with the operator
    state = {"entities": entities, "complaints": list(Complaint.objects.values_list("pk", flat=True)),
             "n": Complaint.objects.count() * 100 + 1}
    for step in steps:
        run_step(state, step)
    assert_consistent()
    assert_drill_down_matches(users["auditor"])


def test_rebuild_reproduces_the_incremental_counters(users, entities):
    make_enrollment(entities["a_food"])
    state = {"entities": entities, "complaints": [], "n": 1}
    for step in ({"op": "submit", "who": "a_food", "months_back": -1, "day": 0, "kind": Kind.COMPLAINT,
                  "consent": True, "county": 0, "sector": "auto"},
                 {"op": "submit", "who": "free", "months_back": 0, "day": 0, "kind": Kind.COMPLAINT,
                  "consent": False, "county": 1, "sector": "tourism"}):
        _submit(state, step)
    first, second = (Complaint.objects.get(pk=pk) for pk in state["complaints"])
    assert first.status == Status.OPERATOR
    services.complaint_operator_offer(actor=MERCHANT, complaint=first, settlement_type=SettlementType.REFUND,
                                      amount="10", note="退款")
    services.complaint_settlement_answer(actor=PUBLIC, complaint=first, accept=True)
    services.complaint_rate(actor=PUBLIC, complaint=first, rating=5)
    services.complaint_accept(actor=STAFF, complaint=second)
    before = rollups.stored_totals()
    assert totals_by("operator_settled") == 1 and totals_by("satisfied") == 1 and totals_by("accepted") == 2
    Rollup.objects.all().delete()
    Contribution.objects.all().delete()
    counts = rollups.rebuild()
    assert counts[Source.COMPLAINT] == 2 and counts[Source.ENROLLMENT] == 1
    assert rollups.stored_totals() == before
    # and the incremental path carries on from the rebuilt contributions
    services.complaint_withdraw(actor=PUBLIC, complaint=second)
    assert rollups.differences() == []
    assert totals_by("closed") == 2


def test_bulk_rows_need_a_rebuild_and_check_reports_them(entities):
    """A bulk loader that bypasses the services leaves the counters behind; `differences` names them and
    `rebuild` fixes them."""
    complaint, _ = services.complaint_submit(actor=STAFF, data=complaint_input(), channel="hotline")
    Complaint.objects.filter(pk=complaint.pk).update(status=Status.AGREEMENT, accepted_on=timezone.localdate(),
                                                     closed_on=timezone.localdate())
    missing = {key[2] for key, stored, expected in rollups.differences()}
    assert {"accepted", "closed", "settled"} <= missing
    rollups.rebuild()
    assert rollups.differences() == []


def test_titles_count_while_valid(users, entities):
    from fangxin.campaign.titles import services as title_services
    from fangxin.campaign.titles.tests.factories import award, make_application, open_cycle, sign_both

    open_cycle()
    application = sign_both(make_application(entities["a_food"]), users["department"], users["association"])
    title = award(application, users["office"])
    rows = Rollup.objects.filter(source=Source.TITLE)
    assert {(r.measure, r.value, r.level, r.bucket) for r in rows} == {
        ("awarded", 1, "county", title.valid_until.isoformat()), ("valid", 1, "county", title.valid_until.isoformat())}
    assert rows.first().region.code == "150802"
    title_services.title_revoke(actor=Actor.for_user(users["office"]), title=title, reason="列入严重违法失信名单")
    assert Rollup.objects.get(source=Source.TITLE, measure="valid").value == 0
    assert rollups.differences() == []


def test_an_entity_moving_sector_moves_its_enrollment(entities):
    make_enrollment(entities["b_tourism"])
    tourism, food = Sector.objects.get(code="tourism"), Sector.objects.get(code="food_drug")
    assert Rollup.objects.get(source=Source.ENROLLMENT, measure="current", sector=tourism.pk).value == 1
    merchant_services.entity_update(actor=SYSTEM, entity=entities["b_tourism"], sector=food)
    assert Rollup.objects.get(source=Source.ENROLLMENT, measure="current", sector=tourism.pk).value == 0
    assert Rollup.objects.get(source=Source.ENROLLMENT, measure="current", sector=food.pk).value == 1


def test_every_path_to_the_end_keeps_rollups_consistent(users, entities):
    """Each path walked in full (the random test may stop early): every closing status and a rating is reached
    and counted."""
    make_enrollment(entities["a_food"])
    state = {"entities": entities, "complaints": [], "n": 1}
    for number, path in enumerate(PATHS):
        operator_path = path[0] in ("offer", "decline", "escalate")  # escalate: the business let 10 days pass
        _submit(state, {"who": "a_food" if operator_path else "free",
                        "months_back": -1 if path[0] in ("offer", "decline") else 2,
                        "day": number, "consent": True, "county": number % 2, "sector": "auto",
                        "kind": Kind.REPORT if path == ("report_decide",) else Kind.COMPLAINT})
        complaint = Complaint.objects.get(pk=state["complaints"][-1])
        for op in path:
            COMPLAINT_STEPS[op](Complaint.objects.get(pk=complaint.pk),
                                {"rating": 4, "amount": 100 + number, "sector_code": "tourism"})
    reached = set(Complaint.objects.values_list("status", flat=True))
    assert reached >= {Status.OPERATOR_SETTLED, Status.AGREEMENT, Status.MEDIATION_ENDED, Status.REFERRED,
                       Status.WITHDRAWN, Status.REFUSED, Status.CASE_OPENED}
    assert totals_by("ratings") == len(PATHS) - 1 and totals_by("recovered_cents") > 0
    assert_consistent()


def test_a_deletion_in_the_audited_admin_takes_the_record_out(entities):
    """The audited admin writes the deletion's record, then deletes, in one transaction."""
    from django.db import transaction

    from fangxin.core import audit

    complaint, _ = services.complaint_submit(actor=STAFF, data=complaint_input(), channel="hotline")
    assert totals_by("received") == 1
    with transaction.atomic():
        audit.record(actor=SYSTEM, obj=complaint, action="complaints.complaint.delete", changes={})
        complaint.events.all().delete()
        complaint.documents.all().delete()
        Complaint.objects.filter(pk=complaint.pk).delete()
    assert totals_by("received") == 0
    assert not Contribution.objects.filter(source=Source.COMPLAINT).exists()
    assert rollups.differences() == []
