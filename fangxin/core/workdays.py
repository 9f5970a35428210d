"""Working-day calendar (DESIGN 5.1).

A deadline of N working days from D is the N-th working day strictly after D; D never counts.
A deadline of N calendar days is D + N, moved to the next working day when that is not one.
Sources, strongest first: the admin override table (`WorkdayOverride`), China's official calendar
(`chinese-calendar`, which raises for years it does not cover), a year the admin declared complete
(`CalendarYear`: weekends off, overrides for the rest), and finally plain Monday–Friday — with a warning
carried on every deadline that touched such a year.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

import chinese_calendar

MAX_SPAN_DAYS = 3660  # no deadline in the rules is longer than a few years; guards against runaway loops


@dataclass(frozen=True)
class Deadline:
    start: date
    due: date
    uncovered_years: tuple[int, ...] = ()

    @property
    def warning(self) -> str | None:
        if not self.uncovered_years:
            return None
        years = "、".join(str(year) for year in self.uncovered_years)
        return f"{years} 年的法定节假日安排尚未录入，此期限按周一至周五推算，仅供参考。"


@dataclass
class WorkCalendar:
    overrides: dict[date, bool] = field(default_factory=dict)
    declared_years: frozenset[int] = frozenset()
    # chinese-calendar validates every date it is asked about (~30 µs); a queue or a year's metrics asks about
    # the same few hundred days hundreds of thousands of times, so each answer is kept for this calendar's life
    _official_memo: dict[date, bool | None] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def load(cls) -> "WorkCalendar":
        from .models import CalendarYear, WorkdayOverride

        overrides = dict(WorkdayOverride.objects.values_list("date", "is_workday"))
        years = frozenset(CalendarYear.objects.values_list("year", flat=True))
        return cls(overrides=overrides, declared_years=years)

    def official(self, day: date) -> bool | None:
        """The official calendar's answer, or None for a year the package does not cover."""
        if day in self._official_memo:
            return self._official_memo[day]
        try:
            answer = chinese_calendar.is_workday(day)
        except NotImplementedError:
            answer = None
        self._official_memo[day] = answer
        return answer

    def is_covered(self, day: date) -> bool:
        return day.year in self.declared_years or self.official(day) is not None

    def is_workday(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        if day.year not in self.declared_years:
            official = self.official(day)
            if official is not None:
                return official
        return day.weekday() < 5

    def add_workdays(self, start: date, n: int) -> Deadline:
        if n < 0:
            raise ValueError("工作日数不能为负数")
        day, counted, uncovered = start, 0, set()
        while counted < n:
            day += timedelta(days=1)
            self._guard(start, day)
            if not self.is_covered(day):
                uncovered.add(day.year)
            if self.is_workday(day):
                counted += 1
        return Deadline(start=start, due=day, uncovered_years=tuple(sorted(uncovered)))

    def add_calendar_days(self, start: date, n: int) -> Deadline:
        if n < 0:
            raise ValueError("天数不能为负数")
        day = start + timedelta(days=n)
        uncovered = set()
        while True:
            self._guard(start, day)
            if not self.is_covered(day):
                uncovered.add(day.year)
            if self.is_workday(day):
                break
            day += timedelta(days=1)
        return Deadline(start=start, due=day, uncovered_years=tuple(sorted(uncovered)))

    def workdays_between(self, start: date, end: date) -> int:
        """Working days in (start, end]: how many a deadline on `end` leaves after `start`."""
        if end <= start:
            return -self.workdays_between(end, start) if end < start else 0
        return sum(1 for day in _days(start + timedelta(days=1), end) if self.is_workday(day))

    @staticmethod
    def _guard(start: date, day: date) -> None:
        if (day - start).days > MAX_SPAN_DAYS:
            raise ValueError("期限超出可计算范围")


def _days(first: date, last: date) -> Iterable[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def add_workdays(start: date, n: int) -> Deadline:
    return WorkCalendar.load().add_workdays(start, n)


def add_calendar_days(start: date, n: int) -> Deadline:
    return WorkCalendar.load().add_calendar_days(start, n)


def is_workday(day: date) -> bool:
    return WorkCalendar.load().is_workday(day)
