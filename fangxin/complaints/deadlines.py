"""Statutory deadlines of a complaint, derived from its stored dates and its rule set whenever they are read.

Counting follows DESIGN 5.1 and order 121 art. 45: the first day never counts; a calendar-day period that ends
on a rest day ends on the next working day. Time spent on testing or appraisal is not counted: the mediation
deadline moves by the paused working days (working-day rule sets) or calendar days (calendar-day rule sets),
and while a test is running the deadline is shown as paused. Operator-first settlement time does not count
against the bureau: its clock starts when the complaint reaches the bureau (`bureau_received_on`).
"""

from dataclasses import dataclass, field
from datetime import date

from fangxin.core.exceptions import ValidationFailed
from fangxin.core.workdays import Deadline, WorkCalendar

from .choices import DayUnit, Kind, Status
from .models import RuleSet


def rule_set_for(received_on: date) -> RuleSet:
    """The rule set in force on the receipt date."""
    for rule_set in RuleSet.objects.all():
        starts_ok = rule_set.in_force_from is None or rule_set.in_force_from <= received_on
        ends_ok = rule_set.in_force_until is None or received_on <= rule_set.in_force_until
        if starts_ok and ends_ok:
            return rule_set
    raise ValidationFailed(f"{received_on.isoformat()} 没有适用的投诉处理规则，请联系管理员核对规则的施行日期。")


def add(calendar: WorkCalendar, start: date, days: int, unit: str) -> Deadline:
    if unit == DayUnit.CALENDAR:
        return calendar.add_calendar_days(start, days)
    return calendar.add_workdays(start, days)


def accept_deadline(rule_set: RuleSet, bureau_received_on: date, calendar: WorkCalendar) -> Deadline:
    return add(calendar, bureau_received_on, rule_set.accept_days, rule_set.accept_unit)


def mediation_deadline(rule_set: RuleSet, accepted_on: date, calendar: WorkCalendar, *, paused_workdays: int = 0,
                       paused_calendar_days: int = 0) -> Deadline:
    paused = paused_calendar_days if rule_set.mediation_unit == DayUnit.CALENDAR else paused_workdays
    return add(calendar, accepted_on, rule_set.mediation_days + paused, rule_set.mediation_unit)


def pause_length(calendar: WorkCalendar, started: date, ended: date) -> tuple[int, int]:
    """(working days, calendar days) in a testing pause from `started` to `ended`."""
    return max(0, calendar.workdays_between(started, ended)), max(0, (ended - started).days)


@dataclass
class DeadlineLine:
    label: str
    due: date | None
    days_left: int | None = None        # working days from today; negative when overdue
    paused: bool = False
    met_on: date | None = None          # when the step was done
    warning: str | None = None

    @property
    def overdue(self) -> bool:
        return self.met_on is None and not self.paused and self.days_left is not None and self.days_left < 0

    @property
    def due_soon(self) -> bool:
        return self.met_on is None and not self.paused and self.days_left is not None and 0 <= self.days_left <= 2


@dataclass
class ComplaintDeadlines:
    rule_set: RuleSet
    lines: list[DeadlineLine] = field(default_factory=list)

    @property
    def current(self) -> DeadlineLine | None:
        """The deadline the complaint is waiting on now (none once closed)."""
        return next((line for line in self.lines if line.met_on is None), None)

    @property
    def warnings(self) -> list[str]:
        return sorted({line.warning for line in self.lines if line.warning})


def for_complaint(complaint, *, today: date, calendar: WorkCalendar | None = None) -> ComplaintDeadlines:
    calendar = calendar or WorkCalendar.load()
    rule_set = complaint.rule_set
    result = ComplaintDeadlines(rule_set=rule_set)
    closed_on = complaint.closed_on if complaint.is_closed else None

    def line(label: str, deadline: Deadline, *, met_on: date | None, paused: bool = False) -> None:
        left = None if met_on else calendar.workdays_between(today, deadline.due)
        result.lines.append(DeadlineLine(label=label, due=deadline.due, days_left=left, paused=paused,
                                         met_on=met_on, warning=deadline.warning))

    if complaint.kind == Kind.REPORT:
        decision = add(calendar, complaint.received_on, rule_set.report_decision_days, DayUnit.WORKDAY)
        line("决定是否立案", decision, met_on=closed_on)
        return result
    if complaint.operator_started_on:
        operator_done = complaint.bureau_received_on or (closed_on if complaint.status == Status.OPERATOR_SETTLED
                                                         else None)
        line("经营者和解", calendar.add_workdays(complaint.operator_started_on, rule_set.operator_days),
             met_on=operator_done or closed_on)
    if complaint.bureau_received_on:
        accept_met = complaint.accepted_on or (closed_on if not complaint.accepted_on else None)
        line("作出受理决定", accept_deadline(rule_set, complaint.bureau_received_on, calendar), met_on=accept_met)
    if complaint.accepted_on:
        paused_wd, paused_cd = complaint.paused_workdays, complaint.paused_calendar_days
        testing = complaint.status == Status.TESTING and complaint.pause_started_on
        if testing:
            extra_wd, extra_cd = pause_length(calendar, complaint.pause_started_on, today)
            paused_wd, paused_cd = paused_wd + extra_wd, paused_cd + extra_cd
        deadline = mediation_deadline(rule_set, complaint.accepted_on, calendar, paused_workdays=paused_wd,
                                      paused_calendar_days=paused_cd)
        line("调解终结", deadline, met_on=closed_on, paused=bool(testing))
    return result
