from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fangxin.core.models import CalendarYear, WorkdayOverride
from fangxin.core.workdays import WorkCalendar, add_workdays


def test_seven_working_days_from_30_september_2026_skip_the_national_holiday():
    assert WorkCalendar().add_workdays(date(2026, 9, 30), 7).due == date(2026, 10, 15)


def test_the_start_day_never_counts_even_when_it_is_a_working_day():
    # Monday 2026-11-23 + 1 working day is Tuesday.
    assert WorkCalendar().add_workdays(date(2026, 11, 23), 1).due == date(2026, 11, 24)
    # Saturday + 1 working day is Monday.
    assert WorkCalendar().add_workdays(date(2026, 11, 28), 1).due == date(2026, 11, 30)


def test_an_adjusted_working_weekend_counts():
    calendar = WorkCalendar()
    assert calendar.is_workday(date(2026, 10, 10)) is True  # Saturday worked in lieu of the National Day holiday
    assert calendar.is_workday(date(2026, 10, 1)) is False


def test_calendar_days_ending_on_a_holiday_move_to_the_next_working_day():
    # 2026-09-25 + 7 calendar days = 2026-10-02, inside the holiday (1–7 October): the deadline moves to Thursday 2026-10-08.
    assert WorkCalendar().add_calendar_days(date(2026, 9, 25), 7).due == date(2026, 10, 8)
    assert WorkCalendar().add_calendar_days(date(2026, 11, 2), 3).due == date(2026, 11, 5)


def test_a_year_nobody_covers_falls_back_to_monday_to_friday_with_a_warning():
    result = WorkCalendar().add_workdays(date(2026, 12, 30), 3)
    assert result.due == date(2027, 1, 4)  # 31 Dec (Thu) then 2027: Fri 1 Jan, Mon 4 Jan by the fallback
    assert result.uncovered_years == (2027,)
    assert "2027" in result.warning


def test_no_warning_inside_an_officially_covered_year():
    assert WorkCalendar().add_workdays(date(2026, 3, 2), 10).warning is None


@pytest.mark.django_db
def test_admin_overrides_and_declared_years_extend_the_calendar():
    WorkdayOverride.objects.create(date=date(2027, 1, 1), is_workday=False, name="2027 年元旦")
    CalendarYear.objects.create(year=2027, note="国务院办公厅通知")
    result = add_workdays(date(2026, 12, 31), 1)
    assert result.due == date(2027, 1, 4)
    assert result.warning is None


@pytest.mark.django_db
def test_an_override_beats_the_official_calendar():
    WorkdayOverride.objects.create(date=date(2026, 11, 24), is_workday=False, name="地方节日")
    assert add_workdays(date(2026, 11, 23), 1).due == date(2026, 11, 25)


def test_negative_day_counts_are_refused():
    with pytest.raises(ValueError):
        WorkCalendar().add_workdays(date(2026, 1, 5), -1)


@settings(max_examples=200)
@given(st.dates(date(2004, 1, 1), date(2027, 12, 31)), st.integers(0, 60))
def test_the_due_day_is_the_nth_working_day_strictly_after_the_start(start, n):
    calendar = WorkCalendar()
    due = calendar.add_workdays(start, n).due
    assert due >= start
    assert calendar.workdays_between(start, due) == n
    if n:
        assert calendar.is_workday(due)
        assert due > start


@settings(max_examples=200)
@given(st.dates(date(2004, 1, 1), date(2027, 12, 31)), st.integers(0, 90))
def test_calendar_deadlines_land_on_the_first_working_day_on_or_after_d_plus_n(start, n):
    calendar = WorkCalendar()
    due = calendar.add_calendar_days(start, n).due
    assert calendar.is_workday(due)
    target = start + timedelta(days=n)
    assert due >= target
    assert all(not calendar.is_workday(target + timedelta(days=i)) for i in range((due - target).days))
