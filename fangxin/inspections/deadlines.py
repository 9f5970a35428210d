"""The publication deadline of an inspection result: 20 working days after the day of the inspection (the day the
result was formed), counted with the shared working-day calendar (the first day never counts)."""

from dataclasses import dataclass
from datetime import date

from fangxin.core.workdays import Deadline, WorkCalendar

from .choices import PUBLISH_WORKDAYS


def publish_deadline(inspected_on: date, calendar: WorkCalendar | None = None) -> Deadline:
    return (calendar or WorkCalendar.load()).add_workdays(inspected_on, PUBLISH_WORKDAYS)


@dataclass(frozen=True)
class PublishState:
    due: date | None
    days_left: int | None   # working days from today to the deadline; negative when overdue
    overdue: bool

    @property
    def label(self) -> str:
        if self.due is None:
            return ""
        if self.overdue:
            late = f" {-self.days_left} 个工作日" if self.days_left < 0 else ""  # past a Friday deadline on a weekend: 0
            return f"已逾期{late}（应于 {self.due.isoformat()} 前公示）"
        if self.days_left == 0:
            return f"今日（{self.due.isoformat()}）为公示期限"
        return f"还剩 {self.days_left} 个工作日（{self.due.isoformat()} 前公示）"


def publish_state(inspection, today: date, calendar: WorkCalendar) -> PublishState:
    """Where an unpublished result stands against its deadline; a published one is never overdue."""
    due = inspection.publish_due
    if due is None or inspection.published_at is not None:
        return PublishState(due, None, False)
    days_left = calendar.workdays_between(today, due)
    return PublishState(due, days_left, today > due)
