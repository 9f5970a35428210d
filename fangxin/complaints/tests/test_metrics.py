"""complaint_metrics against values computed by hand on a fixture of known complaints (October 2026).

Fixture (received → accepted → closed; rating; recovered). County A = 临河区 150802, county B = 五原县 150821.
  A1 food     operator_settled  10-09 → closed 10-13               rating 5   59.90
  A2 food     agreement         10-12 → 10-13 → 10-30              rating 4   559.90
  A3 food     mediation_ended   10-14 → 10-15 → 11-10              rating 2
  A4 food     refused           10-15 → closed 10-16               rating 1
  A5 food     received (open)   10-20, bureau clock 10-20: due 10-29 (7 wd) → overdue on 11-27
  A6 food     withdrawn before acceptance 10-21 → 10-22
  B1 food     agreement         10-08 → 10-09 → 10-20              rating 5   100.00
  B2 tourism  agreement         10-10 → 10-12 → 11-02              rating 3   1000.00
  B3 tourism  referred          10-19 → 10-20 → 11-20
  B4 tourism  mediating (open)  10-22 → 10-23: 60 days → 12-22, not overdue on 11-27
  B5 tourism  withdrawn after acceptance 10-26 → 10-27 → 10-28     rating 4
  outside the cohort: B6 food received 09-30 (agreement), and a report received 10-16.

Working days received → closed ((received, closed], 2026 calendar: Oct 1–7 off, Sat Oct 10 worked):
  A1 3 (Sat 10, 12, 13) · A2 14 · A3 19 · B1 9 (9, Sat 10, 12–16, 19, 20) · B2 16 · B3 24 · B5 2.
"""

from datetime import date
from decimal import Decimal

import pytest

from fangxin.campaign.tests.factories import make_enrollment
from fangxin.complaints import services
from fangxin.complaints.choices import Status
from fangxin.complaints.metrics import complaint_metrics
from fangxin.complaints.models import Complaint
from fangxin.complaints.tests.factories import STAFF, make_complaint
from fangxin.organisation.models import Department, Region, Sector

TODAY = date(2026, 11, 27)
START, END = date(2026, 10, 1), date(2026, 10, 31)
A_FOOD, B_FOOD, B_TOURISM = "临河区华联超市", "五原县华联生鲜超市", "五原县河套国际旅行社"


def d(text):
    return date.fromisoformat(f"2026-{text}")


@pytest.fixture
def cohort(users, entities):
    make_enrollment(entities["a_food"])  # so A1 can be settled by the business first
    serial = iter(range(100))

    def make(state, business, *, received, accepted=None, closed=None, rating=None, recovered="0", **extra):
        complaint = make_complaint(state, business_name=business, description=f"第 {next(serial)} 件投诉",
                                   consent_mediation=state in (Status.OPERATOR_SETTLED,), **extra)
        Complaint.objects.filter(pk=complaint.pk).update(
            received_on=d(received), bureau_received_on=None if state == Status.OPERATOR_SETTLED else d(received),
            operator_started_on=d(received) if state == Status.OPERATOR_SETTLED else None,
            accepted_on=d(accepted) if accepted else None, closed_on=d(closed) if closed else None,
            rating=rating, recovered_amount=Decimal(recovered))
        return complaint

    rows = {
        "A1": make(Status.OPERATOR_SETTLED, A_FOOD, received="10-09", closed="10-13", rating=5, recovered="59.90"),
        "A2": make(Status.AGREEMENT, A_FOOD, received="10-12", accepted="10-13", closed="10-30", rating=4,
                   recovered="559.90"),
        "A3": make(Status.MEDIATION_ENDED, A_FOOD, received="10-14", accepted="10-15", closed="11-10", rating=2),
        "A4": make(Status.REFUSED, A_FOOD, received="10-15", closed="10-16", rating=1),
        "A5": make(Status.RECEIVED, A_FOOD, received="10-20"),
        "A6": make(Status.WITHDRAWN, A_FOOD, received="10-21", closed="10-22"),
        "B1": make(Status.AGREEMENT, B_FOOD, received="10-08", accepted="10-09", closed="10-20", rating=5,
                   recovered="100"),
        "B2": make(Status.AGREEMENT, B_TOURISM, received="10-10", accepted="10-12", closed="11-02", rating=3,
                   recovered="1000"),
        "B3": make(Status.REFERRED, B_TOURISM, received="10-19", accepted="10-20", closed="11-20"),
        "B4": make(Status.MEDIATING, B_TOURISM, received="10-22", accepted="10-23"),
        "B5": make(Status.ACCEPTED, B_TOURISM, received="10-26", accepted="10-27"),
        "B6": make(Status.AGREEMENT, B_FOOD, received="09-30", accepted="10-08", closed="10-09", rating=1,
                   recovered="5000"),
        "R": make(Status.REPORT_RECEIVED, B_FOOD, received="10-16", kind="report"),
    }
    services.complaint_withdraw(actor=STAFF, complaint=rows["B5"], reason="已自行解决")
    Complaint.objects.filter(pk=rows["B5"].pk).update(closed_on=d("10-28"), rating=4)
    return rows


def test_fixture_is_routed_as_described(cohort):
    assert {c.region.code for key, c in cohort.items() if key.startswith("A")} == {"150802"}
    assert {c.region.code for key, c in cohort.items() if key.startswith("B")} == {"150821"}
    assert Complaint.objects.get(pk=cohort["A1"].pk).status == Status.OPERATOR_SETTLED
    assert Complaint.objects.get(pk=cohort["B5"].pk).status == Status.WITHDRAWN


def test_whole_city(cohort):
    m = complaint_metrics(start=START, end=END, today=TODAY)
    # received 11 (not B6, not the report); accepted 8: A1 (operator settlement counts), A2, A3, B1–B4, and B5
    # (withdrawn after acceptance); closed 7: those minus B4 (still mediating)
    assert (m.received, m.accepted, m.closed) == (11, 8, 7)
    assert (m.settled, m.operator_settled) == (4, 1)             # A1, A2, B1, B2; A1
    assert m.handling_rate == 0.875                               # 7 / 8
    assert m.success_rate == 0.5714                               # 4 / 7
    assert m.operator_share == 0.1429                             # 1 / 7
    assert (m.ratings, m.satisfied) == (7, 4)                     # 5,4,2,1,5,3,4 → 5,4,5,4
    assert m.satisfaction_rate == 0.5714                          # 4 / 7
    assert m.recovered_amount == Decimal("1719.80")               # 59.90 + 559.90 + 100 + 1000
    assert m.median_workdays_to_close == 14.0                     # 2 3 9 [14] 16 19 24
    assert m.overdue == 1                                         # A5


def test_county_a(cohort):
    m = complaint_metrics(start=START, end=END, region=Region.objects.get(code="150802"), today=TODAY)
    assert (m.received, m.accepted, m.closed, m.settled, m.operator_settled) == (6, 3, 3, 2, 1)
    assert (m.handling_rate, m.success_rate, m.operator_share) == (1.0, 0.6667, 0.3333)
    assert (m.ratings, m.satisfied, m.satisfaction_rate) == (4, 2, 0.5)   # 5,4,2,1
    assert m.recovered_amount == Decimal("619.80")
    assert m.median_workdays_to_close == 14.0                             # 3 [14] 19
    assert m.overdue == 1


def test_county_b(cohort):
    m = complaint_metrics(start=START, end=END, region=Region.objects.get(code="150821"), today=TODAY)
    assert (m.received, m.accepted, m.closed, m.settled, m.operator_settled) == (5, 5, 4, 2, 0)
    assert (m.handling_rate, m.success_rate, m.operator_share) == (0.8, 0.5, 0.0)
    assert (m.ratings, m.satisfied, m.satisfaction_rate) == (3, 2, 0.6667)  # 5,3,4
    assert m.recovered_amount == Decimal("1100.00")
    assert m.median_workdays_to_close == 12.5                               # 2 [9 16] 24
    assert m.overdue == 0


def test_the_city_region_covers_both_counties(cohort):
    city = complaint_metrics(start=START, end=END, region=Region.objects.get(code="150800"), today=TODAY)
    assert city == complaint_metrics(start=START, end=END, today=TODAY)


def test_sector_tourism(cohort):
    m = complaint_metrics(start=START, end=END, sector=Sector.objects.get(code="tourism"), today=TODAY)
    assert (m.received, m.accepted, m.closed, m.settled) == (4, 4, 3, 1)   # B2–B5; B4 open
    assert (m.handling_rate, m.success_rate) == (0.75, 0.3333)
    assert (m.ratings, m.satisfied) == (2, 1)
    assert m.recovered_amount == Decimal("1000.00")
    assert m.median_workdays_to_close == 16.0                             # 2 [16] 24


def test_department_food_and_drug(cohort):
    m = complaint_metrics(start=START, end=END, department=Department.objects.get(code="fda"), today=TODAY)
    # A1–A6 and B1: received 7; accepted A1, A2, A3, B1; all four closed; settled A1, A2, B1
    assert (m.received, m.accepted, m.closed, m.settled, m.operator_settled) == (7, 4, 4, 3, 1)
    assert (m.handling_rate, m.success_rate, m.operator_share) == (1.0, 0.75, 0.25)
    assert (m.ratings, m.satisfied, m.satisfaction_rate) == (5, 3, 0.6)    # 5,4,2,1,5
    assert m.recovered_amount == Decimal("719.80")
    assert m.median_workdays_to_close == 11.5                              # 3 [9 14] 19
    assert m.overdue == 1


def test_department_and_county_together(cohort):
    m = complaint_metrics(start=START, end=END, department=Department.objects.get(code="fda"),
                          region=Region.objects.get(code="150821"), today=TODAY)
    assert (m.received, m.closed, m.settled, m.median_workdays_to_close) == (1, 1, 1, 9.0)  # B1 only


def test_an_empty_scope_has_no_rates(cohort):
    m = complaint_metrics(start=START, end=END, region=Region.objects.get(code="150825"), today=TODAY)
    assert m.received == 0 and m.handling_rate is None and m.satisfaction_rate is None
    assert m.median_workdays_to_close is None and m.recovered_amount == Decimal("0")


def test_overdue_depends_on_today(cohort):
    # on 10-29 A5's acceptance is due today: not yet overdue
    assert complaint_metrics(start=START, end=END, today=date(2026, 10, 29)).overdue == 0
    assert complaint_metrics(start=START, end=END, today=date(2026, 10, 30)).overdue == 1
