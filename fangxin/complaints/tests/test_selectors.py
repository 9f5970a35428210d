"""Complaint reads: scope, who sees personal data, deadline queues, consumer tracking, disclosure, ranking."""

import itertools
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from fangxin.complaints import selectors, services
from fangxin.complaints.choices import Status
from fangxin.complaints.models import Complaint
from fangxin.complaints.tests.factories import STAFF, make_complaint
from fangxin.core.actors import Actor
from fangxin.core.exceptions import NotFound, PermissionDenied

A_FOOD, B_FOOD, B_TOURISM = "临河区华联超市", "五原县华联生鲜超市", "五原县河套国际旅行社"
_serial = itertools.count(1)


def complaint(state=Status.RECEIVED, business=A_FOOD, **overrides):
    overrides.setdefault("consent_mediation", False)
    return make_complaint(state, business_name=business, description=f"第 {next(_serial)} 件", **overrides)


def test_counties_do_not_see_each_other(users):
    mine = complaint()
    assert mine.region.code == "150802"
    assert selectors.visible(users["county_a"]).filter(pk=mine.pk).exists()
    assert not selectors.visible(users["county_b"]).filter(pk=mine.pk).exists()
    assert selectors.get_for(users["county_a"], mine.tracking_no) == mine
    with pytest.raises(NotFound):
        selectors.get_for(users["county_b"], mine.tracking_no)
    with pytest.raises(NotFound):
        selectors.get_for(users["county_a"], "T20260101K7M2QA")


def test_department_sees_its_sectors_and_merchant_its_own_business(users):
    food = complaint(business=B_FOOD)
    tourism = complaint(business=B_TOURISM)   # fda cooperates in tourism (sectors.csv): visible too
    express = complaint(business="某快递网点", region_code="150821", sector_code="express")  # post office leads
    department = selectors.visible(users["department"])  # food and drug administration
    assert department.filter(pk=food.pk).exists() and department.filter(pk=tourism.pk).exists()
    assert not department.filter(pk=express.pk).exists()
    assert not selectors.can_see_personal(users["department"], tourism)  # not the handling department
    own = complaint(business=A_FOOD)
    merchant = selectors.merchant_complaints(users["merchant"])
    assert list(merchant) == [own]


@pytest.mark.parametrize(("who", "sees"), [
    ("county_a", True), ("county_b", False), ("department", True), ("association", False), ("office", False),
    ("auditor", True), ("merchant", False), ("sysadmin", False),
])
def test_who_sees_personal_data(users, who, sees):
    food = complaint(business=A_FOOD)  # 临河区, food and drugs: county A and the fda department handle it
    assert selectors.can_see_personal(users[who], food) is sees


def test_assignee_sees_personal_data_and_each_view_is_audited(users):
    from fangxin.core.models import AuditRecord

    food = complaint(business=A_FOOD)
    assert not selectors.can_see_personal(AnonymousUser(), food)
    assert not selectors.can_see_personal(users["county_b"], food)
    food = services.complaint_assign(actor=STAFF, complaint=food, assignee=users["county_b"])
    assert selectors.can_see_personal(users["county_b"], food)
    data = services.complaint_personal_view(actor=Actor.for_user(users["county_b"]), complaint=food)
    assert data["phone"] == "13800001234"
    assert AuditRecord.objects.filter(action="complaints.personal_view", object_id=str(food.pk)).count() == 1
    with pytest.raises(PermissionDenied):
        services.complaint_personal_view(actor=Actor.for_user(users["office"]), complaint=food)
    assert AuditRecord.objects.filter(action="complaints.personal_view").count() == 1


def test_department_staff_of_another_region_do_not_see_personal_data(users):
    from fangxin.accounts.tests.factories import make_user

    elsewhere = make_user("fda_wuyuan", "department_staff", region="150821", department="fda")
    food = complaint(business=A_FOOD)
    assert not selectors.can_see_personal(elsewhere, food)


def _received(business, bureau_on):
    row = complaint(business=business)
    Complaint.objects.filter(pk=row.pk).update(received_on=bureau_on, bureau_received_on=bureau_on)
    return row


def test_deadline_queues(users):
    today = date(2026, 11, 27)  # Friday
    late = _received(A_FOOD, date(2026, 11, 16))       # due Wed 11-25: overdue by 2 working days
    soon = _received(A_FOOD, date(2026, 11, 19))       # due Mon 11-30: 1 working day left
    fresh = _received(A_FOOD, date(2026, 11, 26))      # due 12-07: 6 left
    other_county = _received(B_FOOD, date(2026, 11, 10))
    overdue = selectors.queue(users["county_a"], "overdue", today=today)
    assert [c.pk for c in overdue] == [late.pk]
    assert overdue[0].current_deadline.days_left == -2
    due_soon = selectors.queue(users["county_a"], "due_soon", today=today)
    assert [c.pk for c in due_soon] == [soon.pk]
    assert due_soon[0].current_deadline.days_left == 1
    counts = selectors.queue_counts(users["county_a"], today=today)
    assert (counts["overdue"], counts["due_soon"], counts["unit"]) == (1, 1, 3)
    assert [c.pk for c in selectors.queue(users["county_b"], "overdue", today=today)] == [other_county.pk]
    assert fresh.pk in [c.pk for c in selectors.queue(users["county_a"], "unit", today=today)]


def test_mine_and_operator_queues(users, entities):
    from fangxin.campaign.tests.factories import make_enrollment

    make_enrollment(entities["a_food"])
    operator = complaint(Status.OPERATOR, consent_mediation=True)
    assert operator.status == Status.OPERATOR
    accepted = services.complaint_accept(actor=Actor.for_user(users["county_a"]), complaint=complaint())
    assert [c.pk for c in selectors.queue(users["county_a"], "mine")] == [accepted.pk]
    assert [c.pk for c in selectors.queue(users["county_a"], "operator")] == [operator.pk]
    assert operator.pk not in [c.pk for c in selectors.queue(users["county_a"], "unit")]
    closed = complaint(Status.REFUSED)
    assert [c.pk for c in selectors.queue(users["county_a"], "closed")] == [closed.pk]


def test_track_needs_the_right_last_four_digits(entities):
    row = complaint()
    assert selectors.track(row.tracking_no, "1234") == row
    assert selectors.track(f" {row.tracking_no.lower()} ", "1234") == row
    for number, last4 in ((row.tracking_no, "4321"), (row.tracking_no, "123"), (row.tracking_no, "abcd"),
                          ("", "1234"), ("T00000000AAAAAA", "1234")):
        with pytest.raises(NotFound):
            selectors.track(number, last4)


def test_public_timeline_hides_internal_steps(users):
    row = complaint()
    services.complaint_assign(actor=STAFF, complaint=row, assignee=users["county_a"])
    services.complaint_accept(actor=STAFF, complaint=row)
    actions = [e.action for e in selectors.public_timeline(row)]
    assert actions == ["submit", "accept"]


def test_disclosure_counts_and_only_consenting_closed_cases(entities):
    today = timezone.localdate()
    agreed = complaint(Status.AGREEMENT, B_FOOD, consent_publication=True)
    complaint(Status.MEDIATION_ENDED, B_FOOD, consent_publication=False)
    refused = complaint(Status.REFUSED, B_FOOD, consent_publication=True)
    complaint(Status.RECEIVED, B_FOOD, consent_publication=True)                  # still open
    complaint(Status.REPORT_RECEIVED, B_FOOD, consent_publication=True, kind="report")  # a report, not counted
    old = complaint(Status.AGREEMENT, B_FOOD, consent_publication=True)
    Complaint.objects.filter(pk=old.pk).update(received_on=today - timedelta(days=400))  # outside 12 months
    complaint(Status.AGREEMENT, A_FOOD, consent_publication=True)                 # another business
    counts = selectors.disclosure_counts(entities["b_food"], today=today)
    assert (counts["received"], counts["accepted"], counts["settled"]) == (4, 2, 1)
    assert (counts["mediated"], counts["agreements"]) == (2, 1)
    assert counts["mediation_success_rate"] == 0.5
    assert counts["operator_settlement_rate"] is None  # no complaint went to the business first
    assert [c.pk for c in selectors.disclosed_cases(entities["b_food"], today=today)] == sorted(
        [agreed.pk, refused.pk], reverse=True)


def test_operator_settlement_rate_in_disclosure(users, entities):
    from fangxin.campaign.tests.factories import make_enrollment

    make_enrollment(entities["a_food"])
    complaint(Status.OPERATOR_SETTLED, consent_mediation=True)
    rejected = complaint(Status.OPERATOR_OFFERED, consent_mediation=True)
    services.complaint_settlement_answer(actor=Actor(user=None, name="公众", role="public"), complaint=rejected,
                                         accept=False)
    complaint(Status.OPERATOR, consent_mediation=True)  # still with the business: not yet counted
    counts = selectors.disclosure_counts(entities["a_food"])
    assert (counts["operator_routed"], counts["operator_settled"]) == (2, 1)
    assert counts["operator_settlement_rate"] == 0.5


def test_ranking_order_and_filters(entities):
    for business, n in ((B_FOOD, 3), (A_FOOD, 2), (B_TOURISM, 1)):
        for _ in range(n):
            complaint(business=business)
    complaint(business="路边水果摊", region_code="150802")  # not in the registry: never ranked
    rows = selectors.ranking()
    assert [(r["entity__name"], r["received"]) for r in rows] == [(B_FOOD, 3), (A_FOOD, 2), (B_TOURISM, 1)]
    assert [r["entity__name"] for r in selectors.ranking(sector_code="food_drug")] == [B_FOOD, A_FOOD]
    assert [r["entity__name"] for r in selectors.ranking(region_code="150802")] == [A_FOOD]
    assert [r["entity__name"] for r in selectors.ranking(region_code="150821", sector_code="tourism")] == [B_TOURISM]
