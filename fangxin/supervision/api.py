"""/api/v1/supervision/…: supervision tasks and the county evaluation.

Staff (session or department token) list the assignments in their scope; the joint-meeting office creates
tasks and confirms or returns reported work; an assignee reports progress and reports done. An illegal step
answers 409 `transition_not_allowed` with `details.allowed`."""

from datetime import date, datetime

from ninja import Router, Schema, Status

from fangxin.accounts.choices import STAFF_ROLES
from fangxin.accounts.permissions import AUDIT_READERS
from fangxin.api.auth import STAFF_AUTH
from fangxin.core.actors import Actor
from fangxin.core.exceptions import PermissionDenied, ValidationFailed

from . import selectors, services
from .flows import ASSIGNMENT_FLOW

router = Router(tags=["督导"])


class AssignmentEventOut(Schema):
    at: datetime
    label: str
    from_status: str
    to_status: str
    percent: int | None
    actor_name: str
    note: str


class AssignmentOut(Schema):
    id: int
    assignee: str
    department: str | None
    county: str | None
    status: str
    status_label: str
    percent: int
    overdue: bool
    submitted_on: date | None
    done_on: date | None
    return_reason: str
    allowed: list[str]
    events: list[AssignmentEventOut]

    @staticmethod
    def resolve_assignee(a):
        return a.assignee_name

    @staticmethod
    def resolve_department(a):
        return a.department.code if a.department_id else None

    @staticmethod
    def resolve_county(a):
        return a.region.code if a.region_id else None

    @staticmethod
    def resolve_status_label(a):
        return a.get_status_display()

    @staticmethod
    def resolve_allowed(a):
        return sorted(ASSIGNMENT_FLOW.allowed(a.status))

    @staticmethod
    def resolve_events(a):
        return list(a.events.all())


class TaskOut(Schema):
    id: int
    title: str
    description: str
    basis: str
    due_on: date
    created_by: str
    assignments: list[AssignmentOut]


class TaskIn(Schema):
    """departments: department codes; counties: county region codes (at least one assignee)."""

    title: str
    description: str
    basis: str = ""
    due_on: date
    departments: list[str] = []
    counties: list[str] = []


class ProgressIn(Schema):
    note: str
    percent: int


class NoteIn(Schema):
    note: str = ""


class PartOut(Schema):
    code: str
    label: str
    weight: int
    target: str
    value: float | None
    numerator: int
    denominator: int
    score: str | None


class RankingRowOut(Schema):
    rank: int
    county: str
    county_name: str
    score: str
    breakdown: list[PartOut]


class RankingOut(Schema):
    year: int
    published: bool
    rows: list[RankingRowOut]


def _reader(request) -> None:
    if getattr(request.auth, "role", None) not in STAFF_ROLES | AUDIT_READERS:
        raise PermissionDenied("只有工作人员可以查看督导任务。")


def _task_out(user, task_id: int) -> dict:
    task, assignments = selectors.task_get(user, task_id)
    return {"id": task.pk, "title": task.title, "description": task.description, "basis": task.basis,
            "due_on": task.due_on, "created_by": task.created_by, "assignments": assignments}


@router.get("/supervision/tasks", response=list[TaskOut], auth=STAFF_AUTH, summary="管辖范围内的督导任务",
            description="联席会议办公室看到全部任务；部门、旗县区只看到交办给本单位的承办记录。")
def task_list(request):
    _reader(request)
    return [{"id": row.task.pk, "title": row.task.title, "description": row.task.description,
             "basis": row.task.basis, "due_on": row.task.due_on, "created_by": row.task.created_by,
             "assignments": row.assignments} for row in selectors.board(request.auth)]


@router.post("/supervision/tasks", response={201: TaskOut}, auth=STAFF_AUTH, summary="交办督导任务（联席会议办公室）")
def task_create(request, payload: TaskIn):
    _reader(request)
    from fangxin.organisation.models import Department, Region

    departments = dict(Department.objects.filter(code__in=payload.departments).values_list("code", "pk"))
    regions = dict(Region.objects.filter(code__in=payload.counties).values_list("code", "pk"))
    unknown = [c for c in payload.departments if c not in departments] + [c for c in payload.counties if c not in regions]
    if unknown:
        raise ValidationFailed(f"未知的承办单位：{'、'.join(unknown)}", details={"field": "assignees"})
    task = services.task_create(actor=Actor.from_request(request), data=services.TaskInput(
        title=payload.title, description=payload.description, basis=payload.basis, due_on=payload.due_on,
        department_ids=tuple(departments.values()), region_ids=tuple(regions.values())))
    return Status(201, _task_out(request.auth, task.pk))


def _act(request, assignment_id: int, call) -> dict:
    _reader(request)
    assignment = selectors.assignment_get(request.auth, assignment_id)
    call(Actor.from_request(request), assignment)  # a refused step: 409 with details.allowed (StateMachine.check)
    return _task_out(request.auth, assignment.task_id)


@router.post("/supervision/assignments/{assignment_id}/progress", response=TaskOut, auth=STAFF_AUTH,
             summary="报送进展（承办单位）", description="percent：0–100。已报完成或已办结的返回 409。")
def assignment_progress(request, assignment_id: int, payload: ProgressIn):
    return _act(request, assignment_id, lambda actor, a: services.progress_report(
        actor=actor, assignment=a, note=payload.note, percent=payload.percent))


@router.post("/supervision/assignments/{assignment_id}/submit", response=TaskOut, auth=STAFF_AUTH,
             summary="报告完成（承办单位）")
def assignment_submit(request, assignment_id: int, payload: NoteIn):
    return _act(request, assignment_id, lambda actor, a: services.assignment_submit(
        actor=actor, assignment=a, note=payload.note))


@router.post("/supervision/assignments/{assignment_id}/confirm", response=TaskOut, auth=STAFF_AUTH,
             summary="确认办结（联席会议办公室）")
def assignment_confirm(request, assignment_id: int, payload: NoteIn):
    return _act(request, assignment_id, lambda actor, a: services.assignment_confirm(
        actor=actor, assignment=a, note=payload.note))


@router.post("/supervision/assignments/{assignment_id}/return", response=TaskOut, auth=STAFF_AUTH,
             summary="退回（联席会议办公室，须写明理由）")
def assignment_return(request, assignment_id: int, payload: NoteIn):
    return _act(request, assignment_id, lambda actor, a: services.assignment_return(
        actor=actor, assignment=a, reason=payload.note))


@router.get("/supervision/evaluation/{year}", response=RankingOut, auth=STAFF_AUTH, summary="旗县区年度督导评价排名",
            description="已发布的年度返回锁定的结果；未发布的按当前数据和该年度方案（无方案时为默认权重）实时计算。")
def evaluation_ranking(request, year: int):
    _reader(request)
    scheme = selectors.scheme_for(year)
    rows = selectors.ranking(year)
    return {"year": year, "published": bool(scheme and scheme.is_published),
            "rows": [{"rank": r.rank, "county": r.county_code, "county_name": r.county, "score": str(r.score),
                      "breakdown": r.breakdown} for r in rows]}
