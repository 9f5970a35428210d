"""Reads of the supervision capability, scoped to the viewer: the task board, a task with its assignments and
timelines, and the county ranking (`ranking(year)`, also used by the annual report)."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch
from django.utils import timezone

from fangxin.core.exceptions import NotFound
from fangxin.organisation.selectors import counties

from . import evaluation
from .evaluation import Row, Weighted
from .models import ASSIGNEE_ORDER, Assignment, AssignmentEvent, EvaluationScheme, Task


def assignments_visible(user):
    return Assignment.objects.visible_to(user).select_related("task", "region", "department")


@dataclass
class BoardRow:
    task: Task
    assignments: list[Assignment]

    @property
    def done(self) -> int:
        return sum(1 for a in self.assignments if a.status == "done")


def board(user, *, status: str = "", overdue_only: bool = False, today: date | None = None) -> list[BoardRow]:
    """Every task with at least one assignment the viewer may see, with those assignments (task × assignee)."""
    today = today or timezone.localdate()
    visible = assignments_visible(user)
    if status:
        visible = visible.filter(status=status)
    if overdue_only:
        visible = visible.overdue(today)
    rows: dict[int, BoardRow] = {}
    for a in visible.order_by("task__due_on", "task_id", *ASSIGNEE_ORDER):
        rows.setdefault(a.task_id, BoardRow(task=a.task, assignments=[])).assignments.append(a)
    return list(rows.values())


def task_get(user, pk: int) -> tuple[Task, list[Assignment]]:
    """The task and the viewer's assignments of it (with their timelines); forbidden or missing → 404."""
    assignments = list(assignments_visible(user).filter(task_id=pk).order_by(*ASSIGNEE_ORDER).prefetch_related(
        Prefetch("events", queryset=AssignmentEvent.objects.order_by("at", "id"))))
    if not assignments:
        raise NotFound("没有找到该督导任务。")
    return assignments[0].task, assignments


def assignment_get(user, pk: int) -> Assignment:
    assignment = assignments_visible(user).filter(pk=pk).first()
    if assignment is None:
        raise NotFound("没有找到该承办记录。")
    return assignment


def event_attachment(user, pk: int) -> AssignmentEvent:
    event = AssignmentEvent.objects.filter(pk=pk, assignment__in=Assignment.objects.visible_to(user)).exclude(
        attachment="").first()
    if event is None:
        raise NotFound("没有找到该附件。")
    return event


# --- the evaluation --------------------------------------------------------------------------------------------

YEARS = range(2000, 2101)


def check_year(year: int) -> int:
    """A year the evaluation can be about; any other answers 404 as a missing page would."""
    if year not in YEARS:
        raise NotFound("没有该年度的督导评价。")
    return year


def scheme_for(year: int) -> EvaluationScheme | None:
    return EvaluationScheme.objects.filter(year=year).prefetch_related("indicators").first()


def scheme_years() -> list[int]:
    return list(EvaluationScheme.objects.values_list("year", flat=True))


def weights_of(scheme: EvaluationScheme) -> list[Weighted]:
    return [Weighted(code=i.code, weight=i.weight, target=i.target) for i in scheme.indicators.all()]


def compute_rows(scheme: EvaluationScheme, *, today: date | None = None) -> list[Row]:
    return evaluation.compute(list(counties().order_by("code")), weights_of(scheme), scheme.year, today=today)


def ranking(year: int, *, today: date | None = None) -> list[Row]:
    """The ranked counties of a year: the frozen results once published, else computed from today's records with
    the year's scheme (the default weights when the office has not set one). Each row: county, score, rank and
    the breakdown (one dict per indicator: label, weight, value, score)."""
    from .choices import DEFAULT_INDICATORS

    scheme = scheme_for(check_year(year))
    if scheme is not None and scheme.is_published:
        rows = []
        for result in scheme.results.select_related("region").order_by("rank", "region__code"):
            parts = [evaluation.Part(code=p["code"], label=p["label"], weight=p["weight"],
                                     target=evaluation.Decimal(p["target"]), value=p["value"],
                                     numerator=p["numerator"], denominator=p["denominator"],
                                     score=None if p["score"] is None else evaluation.Decimal(p["score"]))
                     for p in result.breakdown]
            rows.append(Row(region_id=result.region_id, county_code=result.region.code, county=result.region.name,
                            score=result.score, parts=parts, rank=result.rank))
        return rows
    if scheme is not None:
        weights = weights_of(scheme)
    else:
        weights = [Weighted(code=c, weight=w, target=evaluation.Decimal(t)) for c, w, t in DEFAULT_INDICATORS]
    return evaluation.compute(list(counties().order_by("code")), weights, year, today=today)
