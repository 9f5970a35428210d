"""/api/v1/credit/…: lists, ledger events and their import.

Public: the current lists (or with exits) as the documented export document (docs/credit-lists.md). Staff (browser
session with CSRF, or a department token): the lists in scope, entering and exiting a list, a business's ledger,
recording a penalty or a commitment breach, and the XLSX/CSV event import. A business outside the caller's scope
answers 404 as a missing one; a role that makes no administrative decisions gets 403."""

from datetime import date, datetime

from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import PageNumberPagination, paginate

from fangxin.accounts.choices import STAFF_ROLES
from fangxin.accounts.permissions import AUDIT_READERS
from fangxin.api.auth import STAFF_AUTH
from fangxin.core.actors import Actor
from fangxin.core.exceptions import PermissionDenied, ValidationFailed

from . import exports, importing, list_selectors, selectors, services
from .choices import EventKind

router = Router(tags=["信用监管"])
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
API_EVENT_KINDS = (EventKind.PENALTY, EventKind.COMMITMENT_BREACH)


# --- schemas ---------------------------------------------------------------------------------------------------

class ListEntryOut(Schema):
    """One list entry: the fields of the CSV/JSON export (docs/credit-lists.md)."""

    id: int
    uscc: str
    name: str
    county_code: str
    county_name: str
    list: str
    list_name: str
    reason_code: str
    reason: str
    authority: str
    document_number: str
    entered_on: str
    status: str
    exited_on: str | None
    exit_reason: str | None
    exit_reason_name: str | None
    exit_document_number: str | None


class ExportOut(Schema):
    format_version: int
    generated_at: str
    list: str | None
    status: str
    count: int
    records: list[ListEntryOut]


class ListFilter(Schema):
    list: str = ""
    status: str = list_selectors.STATUS_CURRENT
    county: str = ""
    q: str = ""


class PublicFilter(Schema):
    list: str = ""
    status: str = list_selectors.STATUS_CURRENT


class ListEntryIn(Schema):
    """reason_code: one of the codes of the list (docs/credit-lists.md); reason: required for a …99 "other" code,
    otherwise the code's wording is used."""

    uscc: str
    list: str
    reason_code: str
    reason: str = ""
    authority: str
    document_number: str
    entered_on: date


class ExitIn(Schema):
    """exit_reason: remedied, repair_served or decision_revoked."""

    exit_reason: str
    exited_on: date
    document_number: str


class EventIn(Schema):
    """kind: penalty (document_number and authority required; one row per document number) or commitment_breach."""

    kind: str
    occurred_on: date
    detail: str
    document_number: str = ""
    authority: str = ""


class CreditEventOut(Schema):
    id: int
    kind: str
    kind_label: str
    occurred_on: date
    detail: str
    document_number: str
    authority: str
    source_ref: str
    recorded_at: datetime


class RecordedOut(Schema):
    created: bool
    event: CreditEventOut


class GradeOut(Schema):
    grade: str
    grade_label: str
    score: str
    model_version: int
    computed_at: datetime


class LedgerOut(Schema):
    uscc: str
    name: str
    county_code: str
    county_name: str
    grade: GradeOut | None
    entries: list[ListEntryOut]
    events: list[CreditEventOut]


class ImportErrorOut(Schema):
    row: int
    columns: str
    message: str


class ImportOut(Schema):
    summary: str
    dry_run: bool
    rows: int
    valid: int
    imported: list[dict]
    already: list[dict]
    errors: list[ImportErrorOut]


# --- helpers ---------------------------------------------------------------------------------------------------

def _reader(request) -> None:
    if getattr(request.auth, "role", None) not in STAFF_ROLES | AUDIT_READERS:
        raise PermissionDenied("只有工作人员可以查看信用名单和信用档案。")


def _decider(request) -> None:
    if not services.may_decide(request.auth):
        raise PermissionDenied("只有旗县区、职能部门工作人员和联席会议办公室可以录入信用名单决定和信用事件。")


class _Records:
    """A queryset of list entries seen as export records, sliced lazily: the paginator counts in the database and
    turns only the page it shows into records."""

    def __init__(self, rows):
        self.rows = rows

    def __len__(self) -> int:
        return self.rows.count()

    def __getitem__(self, window: slice) -> list[dict]:
        return [exports.record(entry) for entry in self.rows[window]]


def _event(event) -> dict:
    return {"id": event.pk, "kind": event.kind, "kind_label": event.get_kind_display(),
            "occurred_on": event.occurred_on, "detail": event.detail, "document_number": event.document_number,
            "authority": event.authority, "source_ref": event.source_ref, "recorded_at": event.recorded_at}


# --- public ----------------------------------------------------------------------------------------------------

@router.get("/public/credit/lists", response=ExportOut, auth=None,
            summary="信用名单公示数据（供企业信用信息公示系统对接）",
            description="list：abnormal/serious/warning，空为全部；status：current（在名单中，默认）、exited、all。"
                        "与 /xinyong/export.json 相同。字段说明见文档“信用名单”。")
def public_lists(request, filters: Query[PublicFilter]):
    rows = list_selectors.public_entries(kind=filters.list, status=filters.status).order_by("id")
    return exports.document(rows, kind=filters.list, status=filters.status)


# --- staff: lists ----------------------------------------------------------------------------------------------

@router.get("/credit/lists", response=list[ListEntryOut], auth=STAFF_AUTH, summary="管辖范围内的信用名单记录",
            description="list：名单代码；status：current/exited/all；county：6 位旗县区代码；q：名称或统一社会信用代码。")
@paginate(PageNumberPagination, page_size=100)
def list_entries(request, filters: Query[ListFilter]):
    _reader(request)
    rows = list_selectors.staff_entries(request.auth, kind=filters.list, status=filters.status, query=filters.q,
                                        county=filters.county)
    return _Records(rows)


@router.post("/credit/lists", response={201: ListEntryOut}, auth=STAFF_AUTH, summary="列入信用名单",
             description="同一主体已在该名单中返回 409；主体不在管辖范围返回 404；事由代码与名单不符返回 422。")
def list_enter(request, payload: ListEntryIn):
    _decider(request)
    entity = list_selectors.entity_for_staff(request.auth, payload.uscc)
    entry = services.staff_list_enter(actor=Actor.from_request(request), entity=entity, kind=payload.list,
                                      reason_code=payload.reason_code, reason=payload.reason,
                                      authority=payload.authority, document_number=payload.document_number,
                                      entered_on=payload.entered_on)
    return Status(201, exports.record(entry))


@router.post("/credit/lists/{entry_id}/exit", response=ListEntryOut, auth=STAFF_AUTH, summary="移出信用名单",
             description="已移出的记录返回 409（transition_not_allowed）。")
def list_exit(request, entry_id: int, payload: ExitIn):
    _decider(request)
    entry = list_selectors.staff_entry_get(request.auth, entry_id)
    entry = services.staff_list_exit(actor=Actor.from_request(request), entry=entry, exit_reason=payload.exit_reason,
                                     exited_on=payload.exited_on, document_number=payload.document_number)
    return exports.record(list_selectors.staff_entry_get(request.auth, entry.pk))


# --- staff: ledger ---------------------------------------------------------------------------------------------

@router.get("/credit/ledger/{uscc}", response=LedgerOut, auth=STAFF_AUTH, summary="市场主体的信用档案",
            description="信用等级、全部名单记录和信用事件台账（最新的在前，最多 500 件）。")
def ledger(request, uscc: str):
    _reader(request)
    entity = list_selectors.entity_for_staff(request.auth, uscc)
    grade = selectors.grade_of(entity)
    return {
        "uscc": entity.uscc, "name": entity.name, "county_code": entity.region.code,
        "county_name": entity.region.name,
        "grade": None if grade is None else {
            "grade": grade.grade, "grade_label": grade.get_grade_display(), "score": str(grade.score),
            "model_version": grade.model_version, "computed_at": grade.computed_at},
        "entries": [exports.record(e) for e in list_selectors.entity_entries(request.auth, entity)
                    .select_related("entity__region")],
        "events": [_event(e) for e in list_selectors.ledger(request.auth, entity)[:500]],
    }


@router.post("/credit/ledger/{uscc}/events", response={200: RecordedOut, 201: RecordedOut}, auth=STAFF_AUTH,
             summary="记入行政处罚或违反经营承诺",
             description="kind：penalty（须有 document_number 和 authority）或 commitment_breach。同一处罚决定书文号"
                         "已记入的返回 200 和原记录（created=false），新记入返回 201。")
def event_record(request, uscc: str, payload: EventIn):
    _decider(request)
    entity = list_selectors.entity_for_staff(request.auth, uscc)
    actor = Actor.from_request(request)
    if payload.kind == EventKind.PENALTY:
        event, created = services.penalty_enter(actor=actor, entity=entity, decided_on=payload.occurred_on,
                                                detail=payload.detail, document_number=payload.document_number,
                                                authority=payload.authority)
    elif payload.kind == EventKind.COMMITMENT_BREACH:
        event, created = services.commitment_breach_enter(actor=actor, entity=entity, occurred_on=payload.occurred_on,
                                                          detail=payload.detail,
                                                          document_number=payload.document_number,
                                                          authority=payload.authority)
    else:
        raise ValidationFailed("此接口只记入行政处罚（penalty）和违反经营承诺（commitment_breach）；"
                               "其他部门报送的事件请用 /credit/import。", details={"field": "kind"})
    return Status(201 if created else 200, {"created": created, "event": _event(event)})


@router.post("/credit/import", response=ImportOut, auth=STAFF_AUTH, summary="导入信用事件（XLSX/CSV）",
             description="multipart/form-data：file 为文件，dry_run=true 只检查不记入。文件无法读取返回 422；"
                         "有错误的行不导入、列在 errors 中，其余的行照常记入（与工作台导入页相同）。")
def event_import(request, file: File[UploadedFile], dry_run: Form[bool] = False):
    _decider(request)
    if file.size > MAX_UPLOAD_BYTES:
        raise ValidationFailed(f"文件过大：{file.size / 1024 / 1024:.1f} MB，上限为 10 MB。", details={"field": "file"})
    try:
        result = importing.event_import(actor=Actor.from_request(request), source=file, file_name=file.name,
                                        dry_run=dry_run)
    except importing.ImportFileError as exc:
        raise ValidationFailed(str(exc), details={"field": "file"}) from None
    return {"summary": result.summary(), "dry_run": result.dry_run, "rows": result.rows, "valid": result.valid,
            "imported": result.imported, "already": result.already,
            "errors": [error.as_dict() for error in result.errors]}
