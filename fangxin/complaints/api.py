"""The complaints API: intake by integrations (department token) and staff, a scoped list and detail, workflow
actions, metrics; and the public endpoints a consumer app uses (intake, tracking, disclosure).

Writes need a staff role (county, department, consumer association, joint office, or a department token); the
read-only auditor and merchants get 403. Personal data is masked unless the caller handles the complaint (or is
the auditor) *and* asks for it with ?include_personal=true — every such view is audited."""

from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from fangxin.accounts.choices import STAFF_ROLES, Role
from fangxin.api.auth import STAFF_AUTH
from fangxin.core.actors import Actor, client_ip_of
from fangxin.core.exceptions import NotFound, PermissionDenied, ValidationFailed
from fangxin.merchants import selectors as entity_selectors
from fangxin.organisation.models import Department, Region, Sector

from . import deadlines, idempotency, metrics, selectors, services, triage_bridge
from .choices import Channel, Kind
from .choices import Status as ComplaintStatus
from .models import Complaint
from .services import ComplaintInput

router = Router(tags=["投诉举报"])

DUPLICATE_NOTE = "10 分钟内重复提交的同一投诉，返回第一次登记的投诉编号"
IDEMPOTENCY_NOTE = ("可带请求头 Idempotency-Key（每份投诉一个随机值，最长 200 个字符）：网络中断后用同一个键重试，"
                    "返回第一次登记的投诉编号（200，duplicate 为 true），不会重复登记；同一个键配不同内容返回 409 "
                    "（idempotency_key_reused）。")


# --- schemas ---------------------------------------------------------------------------------------------------

class PublicComplaintIn(Schema):
    complainant_name: str
    complainant_phone: str
    business_name: str
    item: str
    description: str
    demand: str = ""
    region_code: str = ""
    complainant_email: str = ""
    complainant_address: str = ""
    complainant_id_number: str = ""
    business_uscc: str = ""
    business_address: str = ""
    platform_name: str = ""
    purchased_on: date | None = None
    amount: str | float | None = None
    consent_publication: bool = False
    consent_mediation: bool = False
    kind: str = Kind.COMPLAINT


class ComplaintIn(PublicComplaintIn):
    sector_code: str = ""
    problem_types: list[str] = []
    received_on: date | None = None
    external_ref: str = ""


class IntakeOut(Schema):
    tracking_no: str
    status: str
    status_label: str
    region: str
    region_name: str
    department: str | None
    duplicate: bool


class PublicIntakeOut(Schema):
    tracking_no: str
    status: str
    status_label: str
    duplicate: bool


class DeadlineOut(Schema):
    label: str
    due: date | None
    days_left: int | None
    paused: bool
    met_on: date | None
    overdue: bool
    warning: str | None


class EventOut(Schema):
    on: date
    at: datetime
    action: str
    label: str
    from_status: str
    to_status: str
    note: str
    public: bool
    actor: str


class PersonOut(Schema):
    name: str
    phone: str
    email: str
    address: str


class ComplaintFields(Schema):
    tracking_no: str
    kind: str
    status: str
    status_label: str
    channel: str
    external_ref: str
    received_on: date
    closed_on: date | None
    region: str
    region_name: str
    sector: str | None
    department: str | None
    business_name: str
    business_uscc: str
    item: str
    updated_at: datetime


class ComplaintRowOut(ComplaintFields):
    @staticmethod
    def resolve_status_label(c):
        return c.get_status_display()

    @staticmethod
    def resolve_region(c):
        return c.region.code

    @staticmethod
    def resolve_region_name(c):
        return c.region.name

    @staticmethod
    def resolve_sector(c):
        return c.sector.code if c.sector_id else None

    @staticmethod
    def resolve_department(c):
        return c.department.code if c.department_id else None


class ComplaintOut(ComplaintFields):
    complainant: PersonOut
    personal_masked: bool
    purchased_on: date | None
    amount: str | None
    description: str
    demand: str
    platform_name: str
    consent_publication: bool
    consent_mediation: bool
    problem_types: list[str]
    classification_confirmed: bool
    assignee: str | None
    settlement_type: str
    settlement_amount: str | None
    settlement_note: str
    recovered_amount: str
    advance_compensation: str
    outcome_summary: str
    rating: int | None
    business_reply: str
    deadlines: list[DeadlineOut]
    timeline: list[EventOut]


class ActionIn(Schema):
    """The fields each action reads (others are ignored): accept{note}, refuse{reason_number, note},
    mediation_start{held_on, place, mediator}, mediation_session{held_on, place, mediator, attendees, summary,
    recusal_requested, recusal_decision}, testing_start{note}, testing_end{note}, agreement{settlement_type, terms,
    recovered_amount, advance_compensation}, mediation_end{ground_number, note, business_refused}, refer{destination, body_name, on},
    withdraw{note}, transfer{reason, region_code, department_code}, classify{sector_code, problem_types},
    report_decide{open_case, note}."""

    note: str = ""
    reason: str = ""
    reason_number: int | None = None
    ground_number: int | None = None
    business_refused: bool = False
    held_on: date | None = None
    place: str = ""
    mediator: str = ""
    attendees: str = ""
    summary: str = ""
    recusal_requested: bool = False
    recusal_decision: str = ""
    settlement_type: str = ""
    terms: str = ""
    recovered_amount: str | float | None = None
    advance_compensation: str | float | None = None
    destination: str = ""
    body_name: str = ""
    on: date | None = None
    region_code: str = ""
    department_code: str = ""
    sector_code: str = ""
    problem_types: list[str] = []
    open_case: bool | None = None


class MetricsOut(Schema):
    start: date
    end: date
    received: int
    accepted: int
    closed: int
    settled: int
    operator_settled: int
    ratings: int
    satisfied: int
    recovered_amount: str
    median_workdays_to_close: float | None
    overdue: int
    handling_rate: float | None
    success_rate: float | None
    satisfaction_rate: float | None
    operator_share: float | None


class ComplaintFilter(Schema):
    status: str = ""
    region: str = ""
    since: datetime | None = None


class TrackEventOut(Schema):
    on: date
    label: str
    note: str


class TrackOut(Schema):
    tracking_no: str
    kind: str
    status: str
    status_label: str
    received_on: date
    closed_on: date | None
    business_name: str
    item: str
    settlement_type: str
    settlement_type_label: str
    settlement_amount: str | None
    settlement_note: str
    outcome_summary: str
    rating: int | None
    timeline: list[TrackEventOut]


class DisclosedCaseOut(Schema):
    received_on: date
    closed_on: date | None
    item: str
    description: str
    demand: str
    status: str
    status_label: str
    outcome: str
    business_reply: str


class DisclosureOut(Schema):
    uscc: str
    name: str
    start: date
    end: date
    received: int
    accepted: int
    settled: int
    mediation_success_rate: float | None
    operator_settlement_rate: float | None
    cases: list[DisclosedCaseOut]


# --- helpers ---------------------------------------------------------------------------------------------------

def _writer(request) -> Actor:
    """The acting staff member; the read-only auditor, administrators and merchants may not write here."""
    actor = Actor.from_request(request)
    if actor.role not in STAFF_ROLES:
        if actor.role == Role.AUDITOR:
            raise PermissionDenied("审计员为只读账号，不能办理投诉。")
        raise PermissionDenied("只有工作人员可以办理投诉。")
    return actor


def _public_actor(request) -> Actor:
    return Actor(user=None, name="公众", role="public", client_ip=client_ip_of(request))


def _unchanged(value):
    return value


def _money(value) -> str | None:
    return None if value is None else str(value)


def _input(payload: PublicComplaintIn, **extra) -> ComplaintInput:
    data = payload.dict()
    return ComplaintInput(**{**data, **extra})


def _intake_out(complaint, created: bool) -> dict:
    return {"tracking_no": complaint.tracking_no, "status": complaint.status,
            "status_label": complaint.get_status_display(), "region": complaint.region.code,
            "region_name": complaint.region.name,
            "department": complaint.department.code if complaint.department_id else None, "duplicate": not created}


def _deadlines(complaint) -> list[dict]:
    lines = deadlines.for_complaint(complaint, today=timezone.localdate()).lines
    return [{"label": line.label, "due": line.due, "days_left": line.days_left, "paused": line.paused,
             "met_on": line.met_on, "overdue": line.overdue, "warning": line.warning} for line in lines]


def _detail(request, complaint, include_personal: bool) -> dict:
    show = include_personal and selectors.can_see_personal(request.auth, complaint)
    if include_personal and not show:
        raise PermissionDenied("只有承办该投诉的工作人员和审计员可以查看投诉人的个人信息。")
    if show:
        person = services.complaint_personal_view(actor=Actor.from_request(request), complaint=complaint)
        text = _unchanged
    else:
        from .templatetags.complaint_tags import mask_name, mask_phone

        person = {"name": mask_name(complaint.complainant_name), "phone": mask_phone(complaint.complainant_phone),
                  "email": "***" if complaint.complainant_email else "",
                  "address": triage_bridge.mask_text(complaint.complainant_address)}
        text = triage_bridge.mask_text
    direct = ("tracking_no", "kind", "status", "channel", "external_ref", "received_on", "closed_on",
              "business_name", "business_uscc", "item", "updated_at")
    data = {field: getattr(complaint, field) for field in direct}
    data.update({
        "status_label": complaint.get_status_display(), "region": complaint.region.code,
        "region_name": complaint.region.name, "sector": complaint.sector.code if complaint.sector_id else None,
        "department": complaint.department.code if complaint.department_id else None,
        "complainant": person, "personal_masked": not show, "purchased_on": complaint.purchased_on,
        "amount": _money(complaint.amount), "description": text(complaint.description),
        "demand": text(complaint.demand), "platform_name": complaint.platform_name,
        "consent_publication": complaint.consent_publication, "consent_mediation": complaint.consent_mediation,
        "problem_types": complaint.problem_types, "classification_confirmed": complaint.classification_confirmed,
        "assignee": str(complaint.assignee) if complaint.assignee_id else None,
        "settlement_type": complaint.settlement_type, "settlement_amount": _money(complaint.settlement_amount),
        "settlement_note": complaint.settlement_note, "recovered_amount": _money(complaint.recovered_amount),
        "advance_compensation": _money(complaint.advance_compensation),
        "outcome_summary": text(complaint.outcome_summary), "rating": complaint.rating,
        "business_reply": complaint.business_reply, "deadlines": _deadlines(complaint),
        "timeline": [{"on": e.on, "at": e.at, "action": e.action, "label": e.label, "from_status": e.from_status,
                      "to_status": e.to_status, "note": text(e.note), "public": e.public, "actor": e.actor_name}
                     for e in complaint.events.order_by("at", "id")],
    })
    return data


def _county(code: str, field: str = "region") -> Region | None:
    if not code:
        return None
    region = Region.objects.filter(code=code.strip()).first()
    if region is None:
        raise ValidationFailed(f"未知的区划代码：{code}", details={"field": field})
    return region


def _required(value, field: str, label: str):
    if value is None or value == "":
        raise ValidationFailed(f"请填写{label}。", details={"field": field})
    return value


# --- staff and integrations ------------------------------------------------------------------------------------

@router.post("/complaints", response={200: IntakeOut, 201: IntakeOut}, auth=STAFF_AUTH,
             summary="登记一件投诉或举报（系统对接，来源渠道为“系统对接”）",
             description="成功返回 201 和投诉编号；" + DUPLICATE_NOTE + "（200，duplicate 为 true）。"
                         "带 external_ref 的重复推送同样返回已登记的投诉。" + IDEMPOTENCY_NOTE)
def complaint_create(request, payload: ComplaintIn):
    actor = _writer(request)
    if payload.external_ref.strip():
        existing = (Complaint.objects.select_related("region", "department")
                    .filter(external_ref=payload.external_ref.strip()[:60], channel=Channel.API).order_by("id").first())
        if existing is not None:
            return Status(200, _intake_out(existing, created=False))
    complaint, created, _ = idempotency.submit_once(
        key=idempotency.api_key(request, payload.complainant_phone),
        fingerprint=idempotency.fingerprint_of(payload.dict()),
        submit=lambda: services.complaint_submit(actor=actor, data=_input(payload), channel=Channel.API))
    return Status(201 if created else 200, _intake_out(complaint, created))


@router.get("/complaints", response=list[ComplaintRowOut], auth=STAFF_AUTH, summary="管辖范围内的投诉举报",
            description="status：状态代码；region：旗县区代码（含下级）；since：只返回此时间之后有变化的。")
@paginate(PageNumberPagination, page_size=50)
def complaint_list(request, filters: Query[ComplaintFilter]):
    rows = selectors.visible(request.auth)
    if filters.status:
        if filters.status not in ComplaintStatus.values:
            raise ValidationFailed(f"未知的状态：{filters.status}", details={"field": "status"})
        rows = rows.filter(status=filters.status)
    region = _county(filters.region)
    if region is not None:
        rows = rows.filter(region__path__startswith=region.path)
    if filters.since is not None:
        since = filters.since if timezone.is_aware(filters.since) else timezone.make_aware(filters.since)
        rows = rows.filter(updated_at__gte=since)
    return rows.order_by("-received_on", "-id")


@router.get("/complaints/metrics", response=MetricsOut, auth=STAFF_AUTH,
            summary="投诉指标：处理率、处理成功率、满意率等（限于调用者的管辖范围）")
def complaint_metrics(request, start: date, end: date, region: str = "", sector: str = "", department: str = ""):
    if end < start:
        raise ValidationFailed("结束日期不能早于开始日期。", details={"field": "end"})
    region_obj = _county(region)
    sector_obj = None
    if sector:
        sector_obj = Sector.objects.filter(code=sector).first()
        if sector_obj is None:
            raise ValidationFailed(f"未知的行业代码：{sector}", details={"field": "sector"})
    department_obj = None
    if department:
        department_obj = Department.objects.filter(code=department).first()
        if department_obj is None:
            raise ValidationFailed(f"未知的部门代码：{department}", details={"field": "department"})
    result = metrics.complaint_metrics(start=start, end=end, region=region_obj, sector=sector_obj,
                                       department=department_obj, queryset=selectors.visible(request.auth))
    data = result.as_dict()
    data["recovered_amount"] = str(result.recovered_amount.quantize(Decimal("0.01")))  # SQLite sums lose the scale
    return {"start": start, "end": end, **data}


@router.get("/complaints/{tracking_no}", response=ComplaintOut, auth=STAFF_AUTH,
            summary="一件投诉（范围外与不存在同样返回 404；个人信息默认遮盖）",
            description="include_personal=true：承办人员和审计员可看到未遮盖的个人信息，每次查看都记入审计日志。")
def complaint_detail(request, tracking_no: str, include_personal: bool = False):
    complaint = selectors.get_for(request.auth, tracking_no)
    return _detail(request, complaint, include_personal)


def _do(action: str, actor: Actor, complaint, p: ActionIn):
    if action == "accept":
        return services.complaint_accept(actor=actor, complaint=complaint, note=p.note)
    if action == "refuse":
        return services.complaint_refuse(actor=actor, complaint=complaint,
                                         reason_number=_required(p.reason_number, "reason_number", "不予受理的情形"),
                                         note=p.note)
    if action == "mediation_start":
        return services.complaint_mediation_start(actor=actor, complaint=complaint,
                                                  held_on=_required(p.held_on, "held_on", "调解日期"),
                                                  place=p.place, mediator=p.mediator)
    if action == "mediation_session":
        return services.complaint_mediation_session_record(
            actor=actor, complaint=complaint, held_on=_required(p.held_on, "held_on", "调解日期"), place=p.place,
            mediator=p.mediator, attendees=p.attendees, summary=p.summary, recusal_requested=p.recusal_requested,
            recusal_decision=p.recusal_decision)
    if action == "testing_start":
        return services.complaint_testing_start(actor=actor, complaint=complaint, note=p.note)
    if action == "testing_end":
        return services.complaint_testing_end(actor=actor, complaint=complaint, note=p.note)
    if action == "agreement":
        return services.complaint_agreement(actor=actor, complaint=complaint, settlement_type=p.settlement_type,
                                            terms=p.terms, recovered_amount=p.recovered_amount,
                                            advance_compensation=p.advance_compensation)
    if action == "mediation_end":
        return services.complaint_mediation_end(actor=actor, complaint=complaint,
                                                ground_number=_required(p.ground_number, "ground_number", "终止调解的情形"),
                                                note=p.note, business_refused=p.business_refused)
    if action == "refer":
        return services.complaint_refer(actor=actor, complaint=complaint, destination=p.destination,
                                        body_name=p.body_name, on=p.on or timezone.localdate())
    if action == "withdraw":
        return services.complaint_withdraw(actor=actor, complaint=complaint, reason=p.note or p.reason)
    if action == "transfer":
        department_id = None
        if p.department_code:
            department = Department.objects.filter(code=p.department_code).first()
            if department is None:
                raise ValidationFailed(f"未知的部门代码：{p.department_code}", details={"field": "department_code"})
            department_id = department.pk
        return services.complaint_transfer(actor=actor, complaint=complaint, reason=p.reason or p.note,
                                           region_code=p.region_code, department_id=department_id)
    if action == "classify":
        return services.complaint_classify(actor=actor, complaint=complaint, sector_code=p.sector_code,
                                           problem_types=p.problem_types)
    if action == "report_decide":
        if p.open_case is None:
            raise ValidationFailed("请说明是否立案（open_case）。", details={"field": "open_case"})
        return services.report_decide(actor=actor, complaint=complaint, open_case=p.open_case, note=p.note)
    raise NotFound(f"未知的操作：{action}")


ACTIONS = ("accept", "refuse", "mediation_start", "mediation_session", "testing_start", "testing_end", "agreement",
           "mediation_end", "refer", "withdraw", "transfer", "classify", "report_decide")


@router.post("/complaints/{tracking_no}/actions/{action}", response=ComplaintOut, auth=STAFF_AUTH,
             summary="办理一步：" + "、".join(ACTIONS),
             description="当前状态不允许的操作返回 409（transition_not_allowed）和原因；各操作读取的字段见请求体说明。")
def complaint_action(request, tracking_no: str, action: str, payload: ActionIn | None = None):
    actor = _writer(request)
    complaint = selectors.get_for(request.auth, tracking_no)
    if action not in ACTIONS:
        raise NotFound(f"未知的操作：{action}")
    _do(action, actor, complaint, payload or ActionIn())
    complaint = selectors.visible(request.auth).filter(pk=complaint.pk).first()
    if complaint is None:  # transferred out of the caller's scope: the step is done, the complaint is elsewhere
        raise NotFound("操作已完成，该投诉已不在您的管辖范围内。")
    return _detail(request, complaint, include_personal=False)


# --- public ----------------------------------------------------------------------------------------------------

@router.post("/public/complaints", response={200: PublicIntakeOut, 201: PublicIntakeOut}, auth=None,
             summary="消费者网上投诉（无需账号）",
             description=DUPLICATE_NOTE + "（200，duplicate 为 true）。" + IDEMPOTENCY_NOTE
                         + "同一地址提交过于频繁返回 429（rate_limited，Retry-After 为需等待的秒数）。")
def public_complaint_create(request, payload: PublicComplaintIn):
    complaint, created, _ = idempotency.submit_once(
        key=idempotency.api_key(request, payload.complainant_phone),
        fingerprint=idempotency.fingerprint_of(payload.dict()),
        submit=lambda: services.complaint_submit(actor=_public_actor(request), data=_input(payload),
                                                 channel=Channel.WEB))
    return Status(201 if created else 200, {"tracking_no": complaint.tracking_no, "status": complaint.status,
                                            "status_label": complaint.get_status_display(), "duplicate": not created})


@router.get("/public/complaints/{tracking_no}", response=TrackOut, auth=None,
            summary="凭投诉编号和手机号后四位查询进度（不匹配返回 404）",
            description="编号不存在与手机号后四位不符的回答完全相同（404 not_found），无法借此猜测编号；"
                        "查询过于频繁返回 429（rate_limited）。")
def public_complaint_track(request, tracking_no: str, phone_last4: str = ""):
    complaint = selectors.track(tracking_no, phone_last4)
    return {"tracking_no": complaint.tracking_no, "kind": complaint.kind, "status": complaint.status,
            "status_label": complaint.get_status_display(), "received_on": complaint.received_on,
            "closed_on": complaint.closed_on, "business_name": complaint.business_name, "item": complaint.item,
            "settlement_type": complaint.settlement_type,
            "settlement_type_label": complaint.get_settlement_type_display() if complaint.settlement_type else "",
            "settlement_amount": _money(complaint.settlement_amount), "settlement_note": complaint.settlement_note,
            "outcome_summary": complaint.outcome_summary, "rating": complaint.rating,
            "timeline": [{"on": e.on, "label": e.label, "note": e.note}
                         for e in selectors.public_timeline(complaint)]}


@router.get("/public/disclosure/{uscc}", response=DisclosureOut, auth=None,
            summary="投诉公示：经营者近 12 个月的投诉情况和已办结案例（个人信息已遮盖）")
def public_disclosure(request, uscc: str):
    entity = entity_selectors.entity_public_get(uscc)
    counts = selectors.disclosure_counts(entity)
    mask = triage_bridge.mask_text
    cases = [{"received_on": c.received_on, "closed_on": c.closed_on, "item": mask(c.item),
              "description": mask(c.description), "demand": mask(c.demand), "status": c.status,
              "status_label": c.get_status_display(), "outcome": mask(c.outcome_summary),
              "business_reply": mask(c.business_reply)}
             for c in selectors.disclosed_cases(entity)[:100]]
    return {"uscc": entity.uscc, "name": entity.name, "start": counts["start"], "end": counts["end"],
            "received": counts["received"], "accepted": counts["accepted"], "settled": counts["settled"],
            "mediation_success_rate": counts["mediation_success_rate"],
            "operator_settlement_rate": counts["operator_settlement_rate"], "cases": cases}

