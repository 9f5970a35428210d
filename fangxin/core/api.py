from datetime import date, datetime

from django.db import connection
from ninja import Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from fangxin.accounts.permissions import can_view_audit
from fangxin.api.auth import STAFF_AUTH
from fangxin.core.exceptions import NotFound

from . import audit, uscc
from .audit_selectors import audit_list
from .workdays import WorkCalendar

router = Router(tags=["基础"])


class HealthOut(Schema):
    status: str
    database: str


@router.get("/health", response=HealthOut, auth=None, summary="服务与数据库状态")
def health(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"status": "ok", "database": connection.vendor}


class UsccOut(Schema):
    code: str
    valid: bool
    reason: str | None


@router.get("/tools/uscc/{code}", response=UsccOut, auth=None, summary="校验统一社会信用代码")
def uscc_check(request, code: str):
    problem = uscc.problem(code)
    return {"code": uscc.normalize(code), "valid": problem is None, "reason": problem}


class DeadlineQuery(Schema):
    start: date
    days: int
    kind: str = "work"


class WorkdayDeadlineOut(Schema):
    start: date
    due: date
    kind: str
    warning: str | None


@router.get("/tools/deadline", response=WorkdayDeadlineOut, auth=None, summary="按工作日或自然日计算期限")
def deadline(request, query: Query[DeadlineQuery]):
    from fangxin.core.exceptions import ValidationFailed

    if query.kind not in {"work", "calendar"} or not 0 <= query.days <= 366:
        raise ValidationFailed("kind 应为 work 或 calendar，days 应在 0–366 之间。")
    calendar = WorkCalendar.load()
    result = (calendar.add_workdays if query.kind == "work" else calendar.add_calendar_days)(query.start, query.days)
    return {"start": result.start, "due": result.due, "kind": query.kind, "warning": result.warning}


class AuditOut(Schema):
    seq: int
    at: datetime
    actor_name: str
    actor_role: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    changes: dict
    client_ip: str
    prev_hash: str
    hash: str


class AuditFilter(Schema):
    actor: str = ""
    action: str = ""
    object_type: str = ""
    object_id: str = ""


@router.get("/audit", response=list[AuditOut], auth=STAFF_AUTH, summary="审计日志（审计员、系统管理员）")
@paginate(PageNumberPagination, page_size=100)
def audit_records(request, filters: Query[AuditFilter]):
    if not can_view_audit(request.auth):
        raise NotFound("未找到。")
    return audit_list(user=request.auth, **filters.dict())


class VerifyOut(Schema):
    ok: bool
    checked: int
    broken_seq: int | None
    message: str


@router.get("/audit/verify", response=VerifyOut, auth=STAFF_AUTH, summary="校验审计链")
def audit_verify(request):
    if not can_view_audit(request.auth):
        raise NotFound("未找到。")
    result = audit.verify()
    return {"ok": result.ok, "checked": result.checked, "broken_seq": result.broken_seq, "message": result.message()}
