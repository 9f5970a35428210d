"""Statutory deadlines, checked against dates counted by hand on the official 2025/2026 calendars
(State Council holiday notices; chinese_calendar 1.11 agrees). "wd" = working day; the first day never counts."""

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from fangxin.complaints import deadlines
from fangxin.complaints.choices import Status
from fangxin.complaints.models import Complaint, RuleSet
from fangxin.complaints.tests.factories import make_complaint
from fangxin.core.workdays import WorkCalendar

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("complaint", "deadlines", *args, stdout=out, stderr=err)
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    assert len(lines) == 1, lines  # exactly one JSON object, nothing else on stdout
    return json.loads(lines[0]), err.getvalue()


def test_last_day_of_the_2019_measures():
    # received Tue 2026-04-14 (last day of samr-2019): Apr 15, 16, 17 (3), Mon 20, 21, 22, 23 (7) → 04-23
    result, err = run("--received", "2026-04-14")
    assert result == {"rule_set": "samr-2019", "accept_by": "2026-04-23"}
    assert err == ""


def test_first_day_of_order_121():
    # received Wed 2026-04-15 (order 121 in force): Apr 16, 17 (2), 20–24 (7) → 04-24
    result, _ = run("--received", "2026-04-15")
    assert result == {"rule_set": "samr-121", "accept_by": "2026-04-24"}


def test_order_121_sixty_calendar_days_ending_on_a_holiday_move_to_next_working_day():
    # accepted Mon 2026-04-20 + 60 days = Fri 2026-06-19, the Dragon Boat Festival; Sat 20 and Sun 21 are rest
    # days too, so the period ends on Mon 2026-06-22.
    result, _ = run("--received", "2026-04-16", "--accepted", "2026-04-20")
    assert result["rule_set"] == "samr-121"
    assert result["mediation_by"] == "2026-06-22"


def test_order_121_sixty_days_into_national_day():
    # received Tue 2026-07-28: Jul 29, 30, 31 (3), Aug 3–6 (7) → 08-06.
    # accepted Mon 2026-08-03 + 60 days = Fri 2026-10-02, inside the National Day holiday (Oct 1–7 off):
    # the next working day is Thu 2026-10-08.
    result, _ = run("--received", "2026-07-28", "--accepted", "2026-08-03")
    assert result == {"rule_set": "samr-121", "accept_by": "2026-08-06", "mediation_by": "2026-10-08"}


def test_calendar_period_ending_on_an_adjusted_working_saturday_stays_there():
    # accepted Tue 2026-08-11 + 60 days = Sat 2026-10-10, a working Saturday (made up for National Day): it stands.
    result, _ = run("--received", "2026-08-10", "--accepted", "2026-08-11")
    assert result["mediation_by"] == "2026-10-10"


def test_spring_festival_2026_with_adjusted_working_saturdays():
    # received Fri 2026-02-13. Sat Feb 14 is a working day (1); Feb 15–23 is the Spring Festival holiday;
    # Feb 24, 25, 26, 27 (5); Sat Feb 28 is a working day (6); Sun Mar 1 rest; Mon Mar 2 (7) → 03-02.
    result, _ = run("--received", "2026-02-13")
    assert result == {"rule_set": "samr-2019", "accept_by": "2026-03-02"}


def test_national_day_2026_as_in_design():
    # DESIGN 5.1: received Wed 2026-09-30. Oct 1–7 off; Oct 8, 9 (2); Sat Oct 10 worked (3); Oct 12–15 (7) → 10-15.
    result, _ = run("--received", "2026-09-30")
    assert result == {"rule_set": "samr-121", "accept_by": "2026-10-15"}


def test_samr_2019_forty_five_working_days_across_national_day_2025():
    # received Fri 2025-09-26, accepted Mon 2025-09-29 (samr-2019, 45 wd).
    # accept_by: Sun Sep 28 is a working day (1), Sep 29 (2), Sep 30 (3), Oct 1–8 off, Oct 9, 10 (5), Sat Oct 11
    # worked (6), Mon Oct 13 (7) → 2025-10-13.
    # mediation_by from Sep 29: Sep 30 (1); Oct 1–8 off; Oct 9, 10 (3); Sat Oct 11 (4); Oct 13–17 (9);
    # Oct 20–24 (14); Oct 27–31 (19); Nov 3–7 (24); Nov 10–14 (29); Nov 17–21 (34); Nov 24–28 (39);
    # Dec 1–5 (44); Mon Dec 8 (45) → 2025-12-08.
    result, _ = run("--received", "2025-09-26", "--accepted", "2025-09-29")
    assert result == {"rule_set": "samr-2019", "accept_by": "2025-10-13", "mediation_by": "2025-12-08"}


def test_a_year_the_calendar_does_not_cover_is_warned_never_silent():
    # received Thu 2026-12-24: Dec 25 (1), Dec 28–31 (5), then 2027, not in the official calendar: counted
    # Monday to Friday, Fri Jan 1 (6), Mon Jan 4 (7) → 2027-01-04, with a warning on stderr and in the JSON.
    result, err = run("--received", "2026-12-24")
    assert result["rule_set"] == "samr-121"
    assert result["accept_by"] == "2027-01-04"
    assert len(result["warnings"]) == 1 and "2027" in result["warnings"][0]
    assert "2027" in err


def test_accepted_before_received_is_refused():
    with pytest.raises(CommandError):
        call_command("complaint", "deadlines", "--received", "2026-05-10", "--accepted", "2026-05-01",
                     stdout=StringIO(), stderr=StringIO())


def test_rule_set_follows_the_receipt_date_not_the_acceptance_date():
    # received under samr-2019 but accepted after Apr 15: still 45 working days
    result, _ = run("--received", "2026-04-10", "--accepted", "2026-04-20")
    assert result["rule_set"] == "samr-2019"
    assert result["mediation_by"] == deadlines.mediation_deadline(
        RuleSet.objects.get(code="samr-2019"), date(2026, 4, 20), WorkCalendar.load()).due.isoformat()
    assert result["mediation_by"] != run("--received", "2026-04-15", "--accepted", "2026-04-20")[0]["mediation_by"]


# --- for_complaint: testing pauses, operator-first time -------------------------------------------------------

def _line(result, label):
    return next(line for line in result.lines if line.label == label)


def test_testing_pause_extends_the_mediation_deadline(entities):
    complaint = make_complaint(Status.ACCEPTED)
    rule_set = RuleSet.objects.get(code="samr-2019")
    Complaint.objects.filter(pk=complaint.pk).update(
        rule_set=rule_set, received_on=date(2025, 9, 26), bureau_received_on=date(2025, 9, 26),
        accepted_on=date(2025, 9, 29), status=Status.MEDIATING)
    complaint.refresh_from_db()
    today = date(2025, 10, 20)
    before = _line(deadlines.for_complaint(complaint, today=today), "调解终结")
    assert before.due == date(2025, 12, 8)  # 45 wd, as counted above
    complaint.paused_workdays = 5  # a finished test of 5 working days: Dec 9, 10, 11, 12, 15 → 12-15
    after = _line(deadlines.for_complaint(complaint, today=today), "调解终结")
    assert after.due == date(2025, 12, 15)
    assert not after.paused


def test_testing_in_progress_shows_paused_and_moves_with_today(entities):
    complaint = make_complaint(Status.ACCEPTED)
    rule_set = RuleSet.objects.get(code="samr-121")
    Complaint.objects.filter(pk=complaint.pk).update(
        rule_set=rule_set, received_on=date(2026, 7, 28), bureau_received_on=date(2026, 7, 28),
        accepted_on=date(2026, 8, 3), status=Status.TESTING, pause_started_on=date(2026, 8, 10))
    complaint.refresh_from_db()
    # on 2026-08-20 the test has run 10 calendar days: 60 + 10 = 70 days after Aug 3 = Mon 2026-10-12
    line = _line(deadlines.for_complaint(complaint, today=date(2026, 8, 20)), "调解终结")
    assert line.paused and not line.overdue
    assert line.due == date(2026, 10, 12)
    # one day later the deadline is one day later too (Tue 2026-10-13)
    assert _line(deadlines.for_complaint(complaint, today=date(2026, 8, 21)), "调解终结").due == date(2026, 10, 13)


def test_operator_first_time_does_not_count_against_the_bureau(entities):
    complaint = make_complaint(Status.RECEIVED)
    Complaint.objects.filter(pk=complaint.pk).update(
        received_on=date(2026, 11, 2), operator_started_on=date(2026, 11, 2), bureau_received_on=date(2026, 11, 16))
    complaint.refresh_from_db()
    result = deadlines.for_complaint(complaint, today=date(2026, 11, 20))
    operator = _line(result, "经营者和解")
    assert operator.met_on == date(2026, 11, 16)
    # 7 wd from the bureau's receipt Mon 11-16: Nov 17–20 (4), Nov 23, 24, 25 (7) → 11-25, not from Nov 2
    accept = _line(result, "作出受理决定")
    assert accept.due == date(2026, 11, 25)
    assert accept.days_left == 3  # Nov 23, 24, 25
    assert result.current is accept


def test_overdue_and_due_soon_flags(entities):
    complaint = make_complaint(Status.RECEIVED)
    Complaint.objects.filter(pk=complaint.pk).update(received_on=date(2026, 11, 16),
                                                     bureau_received_on=date(2026, 11, 16))
    complaint.refresh_from_db()
    assert deadlines.for_complaint(complaint, today=date(2026, 11, 23)).current.due_soon      # 2 wd left
    assert not deadlines.for_complaint(complaint, today=date(2026, 11, 20)).current.due_soon  # 3 wd left
    late = deadlines.for_complaint(complaint, today=date(2026, 11, 26)).current
    assert late.overdue and late.days_left == -1


def test_a_closed_complaint_waits_on_nothing(entities):
    complaint = make_complaint(Status.REFUSED)
    result = deadlines.for_complaint(complaint, today=date(2026, 11, 27))
    assert result.current is None
    assert all(line.met_on for line in result.lines)
