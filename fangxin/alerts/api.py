"""/api/v1/alerts/…: early warnings and prepaid-card declarations.

Staff (session or department token) list the warnings in their scope and move one along
open → acknowledged → handling → closed; an illegal step answers 409 `transition_not_allowed` with
`details.allowed`. Merchants read and update the prepaid-card declaration of their own businesses."""

from datetime import date, datetime

from ninja import Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from fangxin.accounts.choices import STAFF_ROLES, Role
from fangxin.accounts.permissions import AUDIT_READERS
from fangxin.api.auth import STAFF_AUTH
from fangxin.core.actors import Actor
from fangxin.core.exceptions import PermissionDenied, TransitionNotAllowed, ValidationFailed

from . import selectors, services
from .choices import Severity, WarningKind, WarningStatus
from .flows import WARNING_FLOW

router = Router(tags=["预警"])


class WarningEventOut(Schema):
    at: datetime
    label: str
    from_status: str
    to_status: str
    actor_name: str
    note: str


class WarningOut(Schema):
    id: int
    kind: str
    kind_label: str
    severity: str
    subject: str
    subject_label: str
    uscc: str | None
    sector: str | None
    problem_type: str
    county: str
    county_name: str
    department: str | None
    detected_on: date
    last_seen_on: date
    window_start: date
    window_end: date
    observed: int
    expected: str
    p_value: float | None
    reasons: list[str]
    evidence: list[int]
    status: str
    status_label: str
    allowed: list[str]
    handling_note: str
    closed_note: str
    events: list[WarningEventOut]

    @staticmethod
    def resolve_kind_label(w):
        return w.get_kind_display()

    @staticmethod
    def resolve_subject(w):
        return w.subject_key

    @staticmethod
    def resolve_uscc(w):
        return w.entity.uscc if w.entity_id else None

    @staticmethod
    def resolve_sector(w):
        return w.sector.code if w.sector_id else None

    @staticmethod
    def resolve_county(w):
        return w.region.code

    @staticmethod
    def resolve_county_name(w):
        return w.region.name

    @staticmethod
    def resolve_department(w):
        return w.department.code if w.department_id else None

    @staticmethod
    def resolve_expected(w):
        return str(w.expected)

    @staticmethod
    def resolve_status_label(w):
        return w.get_status_display()

    @staticmethod
    def resolve_allowed(w):
        return sorted(WARNING_FLOW.allowed(w.status))

    @staticmethod
    def resolve_events(w):
        return list(w.events.all())


class WarningFilter(Schema):
    status: str = ""
    kind: str = ""
    severity: str = ""


class WarningTransitionIn(Schema):
    """to: acknowledged, handling or closed; note: required for handling (the measures) and closed (the result)."""

    to: str
    note: str = ""


class PrepaidIn(Schema):
    issues_cards: bool
    card_types: list[str] = []
    outstanding_balance: str = "0"
    cardholders: int = 0
    custody: str = "none"
    custodian: str = ""
    refund_policy: str = ""


class PrepaidOut(Schema):
    uscc: str
    name: str
    declared: bool
    issues_cards: bool | None = None
    card_types: list[str] = []
    outstanding_balance: str | None = None
    cardholders: int | None = None
    custody: str | None = None
    custodian: str = ""
    refund_policy: str = ""
    declared_at: datetime | None = None


def _reader(request) -> None:
    if getattr(request.auth, "role", None) not in STAFF_ROLES | AUDIT_READERS:
        raise PermissionDenied("只有工作人员可以查看预警。")


def _check_filter(value: str, allowed, field: str) -> None:
    if value and value not in allowed:
        raise ValidationFailed(f"未知的取值：{value}", details={"field": field})


@router.get("/alerts/warnings", response=list[WarningOut], auth=STAFF_AUTH, summary="管辖范围内的预警",
            description="status：open/acknowledged/handling/closed 或 unclosed；kind：entity_surge、group_surge、"
                        "problem_surge、mass_incident、prepaid_risk；severity：high/medium。最近发现的在前。")
@paginate(PageNumberPagination, page_size=50)
def warning_list(request, filters: Query[WarningFilter]):
    _reader(request)
    _check_filter(filters.status, [*WarningStatus.values, "unclosed"], "status")
    _check_filter(filters.kind, WarningKind.values, "kind")
    _check_filter(filters.severity, Severity.values, "severity")
    return selectors.warnings_visible(request.auth, status=filters.status, kind=filters.kind,
                                      severity=filters.severity).prefetch_related("events")


@router.get("/alerts/warnings/{warning_id}", response=WarningOut, auth=STAFF_AUTH, summary="一条预警及其办理记录")
def warning_detail(request, warning_id: int):
    _reader(request)
    return selectors.warning_get(request.auth, warning_id)


@router.post("/alerts/warnings/{warning_id}/transition", response=WarningOut, auth=STAFF_AUTH,
             summary="签收、开始处置或办结预警",
             description="顺序为 open → acknowledged → handling → closed（签收后也可直接办结）。不允许的步骤返回 409，"
                         "details.allowed 为当前可转入的状态；不在办理范围内返回 403；缺少说明返回 422。")
def warning_transition(request, warning_id: int, payload: WarningTransitionIn):
    _reader(request)
    warning = selectors.warning_get(request.auth, warning_id)
    try:
        services.warning_transition(actor=Actor.from_request(request), warning=warning, to_status=payload.to,
                                    note=payload.note)
    except TransitionNotAllowed as exc:
        raise TransitionNotAllowed(exc.message, details={
            **exc.details, "allowed": sorted(WARNING_FLOW.allowed(warning.status))}) from None
    return selectors.warning_get(request.auth, warning_id)


def _prepaid_out(entity) -> dict:
    scheme = entity.scheme
    out = {"uscc": entity.uscc, "name": entity.name, "declared": scheme is not None}
    if scheme is not None:
        out.update(issues_cards=scheme.issues_cards, card_types=scheme.card_types,
                   outstanding_balance=str(scheme.outstanding_balance), cardholders=scheme.cardholders,
                   custody=scheme.custody, custodian=scheme.custodian, refund_policy=scheme.refund_policy,
                   declared_at=scheme.declared_at)
    return out


def _merchant(request) -> None:
    if getattr(request.auth, "role", None) != Role.MERCHANT:
        raise PermissionDenied("预付卡申报由经营者本人办理。")


@router.get("/alerts/prepaid", response=list[PrepaidOut], auth=STAFF_AUTH,
            summary="本人经营者的预付卡申报（美容美发、运动健身、教育培训）")
def prepaid_list(request):
    _merchant(request)
    return [_prepaid_out(entity) for entity in selectors.merchant_prepaid_entities(request.auth)]


@router.put("/alerts/prepaid/{uscc}", response=PrepaidOut, auth=STAFF_AUTH, summary="申报或更新预付卡经营情况",
            description="card_types：stored_value、count、period、course；custody：bank、guarantee、deposit、none"
                        "（bank 和 guarantee 须填写 custodian）。issues_cards 为 false 时其余字段忽略。")
def prepaid_declare(request, uscc: str, payload: PrepaidIn):
    _merchant(request)
    entity = selectors.merchant_prepaid_entity(request.auth, uscc)
    services.prepaid_declare(actor=Actor.from_request(request), entity=entity,
                             data=services.PrepaidInput(**payload.dict()))
    return _prepaid_out(selectors.merchant_prepaid_entity(request.auth, uscc))
