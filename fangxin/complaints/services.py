"""Every write on complaints and reports. Each public function is one transaction that checks the transition
(flows.py) and the actor's role, changes state, writes the timeline entry and the audit record, issues the
step's official document, and queues notifications for after the commit (core.notify)."""

import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from fangxin.accounts.choices import STAFF_ROLES, Role
from fangxin.core import audit, notify
from fangxin.core.actors import SYSTEM_ROLE, Actor
from fangxin.core.crypto import blind_index
from fangxin.core.exceptions import PermissionDenied, TransitionNotAllowed, ValidationFailed
from fangxin.core.workdays import WorkCalendar
from fangxin.merchants.search import normalise
from fangxin.organisation.models import Department, Region, Sector

from . import credit_feed, deadlines, documents, evidence, routing, triage_bridge
from .choices import (
    OPERATOR_STAGE,
    Channel,
    DocumentKind,
    Kind,
    ReasonKind,
    ReferralDestination,
    SettlementType,
    Status,
)
from .document_render import mask_complainant
from .flows import flow_for
from .identity import normalise_id_number
from .models import Complaint, ComplaintEvent, ComplaintFile, MediationSession, RuleReason, ServiceStation
from .validation import check_purchase_date, normalise_phone, parse_amount, required

STAFF = STAFF_ROLES | {SYSTEM_ROLE}
PUBLIC = "public"
DEDUPE_WINDOW = timedelta(minutes=10)
TRACKING_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
PROBLEM_TYPES = ("quality", "false_ad", "price", "unfair_terms", "after_sales", "no_reason_return", "safety",
                 "prepaid", "personal_info", "contract", "other")


@dataclass
class ComplaintInput:
    """What any channel supplies; the web form, staff entry, the API and the importer all build one."""

    complainant_name: str
    complainant_phone: str
    business_name: str
    item: str
    description: str
    demand: str
    region_code: str = ""                 # where it happened (fallback jurisdiction)
    complainant_email: str = ""
    complainant_address: str = ""
    complainant_id_number: str = ""       # optional resident ID (identity.py checks it)
    entity_id: int | None = None          # picked from search
    business_uscc: str = ""
    business_address: str = ""
    platform_name: str = ""
    purchased_on: date | None = None
    amount: object = None
    consent_publication: bool = False
    consent_mediation: bool = False
    kind: str = Kind.COMPLAINT
    sector_code: str = ""                 # staff may set it at entry
    problem_types: list[str] = field(default_factory=list)
    received_on: date | None = None      # staff and imports may back-date to the real receipt day
    external_ref: str = ""


# --- helpers ---------------------------------------------------------------------------------------------------

def _require_role(actor: Actor, roles, message: str) -> None:
    if actor.role not in roles:
        raise PermissionDenied(message)


def _today() -> date:
    return timezone.localdate()


def _new_tracking_no(on: date) -> str:
    while True:
        number = "T" + on.strftime("%Y%m%d") + "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(6))
        if not Complaint.objects.filter(tracking_no=number).exists():
            return number


def _dedupe_key(data: ComplaintInput, phone: str) -> str:
    """Keyed (HMAC), not a bare SHA-256: the phone inside must not be recoverable by guessing (docs/privacy.md)."""
    parts = [data.kind, phone, normalise(data.business_name), normalise(data.description)[:2000]]
    return blind_index("\n".join(parts), "complaint_dedupe")


def _event(complaint: Complaint, *, actor: Actor, action: str, label: str, from_status: str = "",
           to_status: str = "", note: str = "", public: bool = True, on: date | None = None) -> ComplaintEvent:
    return ComplaintEvent.objects.create(
        complaint=complaint, at=timezone.now(), on=on or _today(), action=action, label=label,
        from_status=from_status, to_status=to_status, actor_name=actor.name, note=note, public=public)


def _locked(complaint: Complaint) -> Complaint:
    return (Complaint.objects.select_for_update(of=("self",)).select_related("rule_set", "region", "entity", "sector")
            .get(pk=complaint.pk))


def _move(complaint: Complaint, to_status: str, *, actor: Actor, action: str, label: str, note: str = "",
          on: date | None = None, changes: dict | None = None, public: bool = True) -> str:
    """Check and apply one transition, with its timeline entry and audit record; returns the old status."""
    before = complaint.status
    flow_for(complaint.kind).check(before, to_status)
    complaint.status = to_status
    if complaint.is_closed and complaint.closed_on is None:
        complaint.closed_on = on or _today()
    complaint.save()
    _event(complaint, actor=actor, action=action, label=label, from_status=before, to_status=to_status,
           note=note, public=public, on=on)
    audit.record(actor=actor, action=f"complaints.{action}", obj=complaint,
                 changes={"status": [before, to_status], **(changes or {})})
    return before


def _tell_consumer(complaint: Complaint, subject: str, body: str) -> list[notify.Message]:
    text = f"【放心消费】{body}（投诉编号 {complaint.tracking_no}，可凭编号和手机后四位查询进度）"
    messages = [notify.Message("sms", complaint.complainant_phone, subject, text, "consumer", "complaint",
                               complaint.tracking_no)]
    if complaint.complainant_email:
        messages.append(notify.Message("email", complaint.complainant_email, subject, text, "consumer",
                                       "complaint", complaint.tracking_no))
    return messages


def _tell_business(complaint: Complaint, subject: str, body: str) -> list[notify.Message]:
    entity = complaint.entity
    if entity is None:
        return []
    text = f"【放心消费】{body}（投诉编号 {complaint.tracking_no}，请登录工作台处理）"
    messages = []
    if entity.contact_phone:
        messages.append(notify.Message("sms", entity.contact_phone, subject, text, "business", "complaint",
                                       complaint.tracking_no))
    for user in entity.bindings.filter(status="confirmed").select_related("user"):
        if user.user.email:
            messages.append(notify.Message("email", user.user.email, subject, text, "business", "complaint",
                                           complaint.tracking_no))
    return messages


def _operator_first_applies(entity, data: ComplaintInput) -> bool:
    """The business settles first when it is an active enrolled unit with a merchant account and the
    consumer agreed to mediation."""
    if entity is None or data.kind != Kind.COMPLAINT or not data.consent_mediation:
        return False
    from fangxin.campaign.selectors import current_enrollment

    enrollment = current_enrollment(entity)
    if enrollment is None or enrollment.status != "active":
        return False
    return entity.bindings.filter(status="confirmed").exists()


def _resolve_region(data: ComplaintInput, station: ServiceStation | None, actor: Actor) -> Region:
    if data.region_code:
        region = Region.objects.filter(code=data.region_code, level="county").first()
        if region is None:
            raise ValidationFailed("请选择事发地所在的旗县区。", details={"field": "region_code"})
        return region
    if station is not None:
        return station.region
    user_region = getattr(actor.user, "region", None)
    if user_region is not None and user_region.level == "county":
        return user_region
    raise ValidationFailed("请选择事发地所在的旗县区。", details={"field": "region_code"})


def _clean_problem_types(values) -> list[str]:
    values = [v for v in (values or []) if v]
    unknown = [v for v in values if v not in PROBLEM_TYPES]
    if unknown:
        raise ValidationFailed(f"未知的问题类型：{'、'.join(unknown)}", details={"field": "problem_types"})
    return list(dict.fromkeys(values))


def _sector(code: str) -> Sector | None:
    if not code:
        return None
    sector = Sector.objects.filter(code=code).first()
    if sector is None:
        raise ValidationFailed(f"未知的行业代码：{code}", details={"field": "sector"})
    return sector


# --- intake ----------------------------------------------------------------------------------------------------

def complaint_submit(*, actor: Actor, data: ComplaintInput, channel: str, files=(),
                     station: ServiceStation | None = None) -> tuple[Complaint, bool]:
    """Register a complaint or report from any channel. Returns (complaint, created); a resubmission of the
    same complaint within 10 minutes returns the first one and created=False."""
    if channel not in Channel.values:
        raise ValidationFailed("未知的投诉渠道。")
    if channel in (Channel.HOTLINE, Channel.WALK_IN, Channel.LETTER, Channel.STATION, Channel.IMPORT):
        _require_role(actor, STAFF, "只有工作人员可以登记热线、来访、来信和服务站投诉。")
    if channel == Channel.STATION and station is None:
        raise ValidationFailed("请选择受理投诉的维权服务站。", details={"field": "station"})
    if data.kind not in Kind.values:
        raise ValidationFailed("未知的类别。")
    phone = normalise_phone(data.complainant_phone)
    id_number = normalise_id_number(data.complainant_id_number)
    name = required(data.complainant_name, "投诉人姓名" if data.kind == Kind.COMPLAINT else "举报人姓名",
                    "complainant_name", 60)
    business = required(data.business_name, "被投诉经营者名称", "business_name", 120)
    item = required(data.item, "购买的商品或接受的服务", "item", 120)
    description = required(data.description, "投诉内容", "description", 5000)
    demand = required(data.demand, "投诉请求", "demand", 2000) if data.kind == Kind.COMPLAINT else (data.demand or "")
    amount = parse_amount(data.amount)
    today = _today()
    received_on = data.received_on or today
    if received_on > today:
        raise ValidationFailed("收到日期不能晚于今天。", details={"field": "received_on"})
    check_purchase_date(data.purchased_on, today)
    problem_types = _clean_problem_types(data.problem_types)
    chosen_sector = _sector(data.sector_code)
    checked_files = evidence.check(files)
    if data.entity_id and routing.match_entity(uscc="", name="", address="", entity_id=data.entity_id) is None:
        raise ValidationFailed("所选的经营者不存在，请重新查找或直接填写名称。", details={"field": "entity"})
    key = _dedupe_key(data, phone)
    with transaction.atomic():
        duplicate = (Complaint.objects.filter(dedupe_key=key, created_at__gte=timezone.now() - DEDUPE_WINDOW)
                     .order_by("id").first())
        if duplicate is not None:
            return duplicate, False
        entity = routing.match_entity(uscc=data.business_uscc, name=business, address=data.business_address,
                                      entity_id=data.entity_id)
        suggestion = triage_bridge.suggest(f"{business}。{item}。{description}。{demand}")
        sector = chosen_sector or (entity.sector if entity else None) or _sector(suggestion.get("sector") or "")
        fallback = _resolve_region(data, station, actor) if entity is None else None
        route = routing.route(entity=entity, fallback_region=fallback or entity.region,
                              platform_name=data.platform_name, sector=sector)
        rule_set = deadlines.rule_set_for(received_on)
        operator_first = _operator_first_applies(entity, data)
        if data.kind == Kind.REPORT:
            status = Status.REPORT_RECEIVED
        else:
            status = Status.OPERATOR if operator_first else Status.RECEIVED
        complaint = Complaint.objects.create(
            tracking_no=_new_tracking_no(received_on), kind=data.kind, channel=channel, station=station,
            external_ref=data.external_ref[:60], complainant_name=name, complainant_phone=phone,
            complainant_email=(data.complainant_email or "").strip()[:254],
            complainant_address=(data.complainant_address or "").strip()[:200], complainant_id_number=id_number,
            entity=entity, business_name=business, business_address=(data.business_address or "").strip()[:200],
            business_uscc=(entity.uscc if entity else (data.business_uscc or "").strip().upper()[:18]),
            platform_name=(data.platform_name or "").strip()[:60], item=item, purchased_on=data.purchased_on,
            amount=amount, description=description, demand=demand.strip(),
            consent_publication=bool(data.consent_publication), consent_mediation=bool(data.consent_mediation),
            region=route.region, sector=route.sector, department=route.department,
            problem_types=problem_types or list(suggestion.get("problem_types") or []),
            triage_suggestion=suggestion, classification_confirmed=bool(chosen_sector),
            status=status, rule_set=rule_set, received_on=received_on,
            operator_started_on=received_on if status == Status.OPERATOR else None,
            bureau_received_on=received_on if status == Status.RECEIVED else None,
            dedupe_key=key)
        for item_file in checked_files:
            stored = ComplaintFile(complaint=complaint, original_name=item_file.name,
                                   content_type=item_file.content_type, size=item_file.size, sha256=item_file.sha256)
            stored.file.save(f"{complaint.tracking_no}-{item_file.sha256[:12]}.{item_file.name.rsplit('.', 1)[-1].lower()}",
                             item_file.upload, save=True)
        label = "收到举报" if data.kind == Kind.REPORT else "收到投诉"
        _event(complaint, actor=actor, action="submit", label=label, to_status=status, on=received_on,
               note=f"来源：{complaint.get_channel_display()}；管辖：{route.region.name}（{route.basis}）")
        kind = DocumentKind.REPORT_REGISTRATION if data.kind == Kind.REPORT else DocumentKind.REGISTRATION
        documents.issue(complaint, kind, on=received_on, paragraphs=documents.registration_text(complaint))
        messages = _tell_consumer(complaint, label, f"我们已收到您的{complaint.get_kind_display()}")
        if status == Status.OPERATOR:
            due = WorkCalendar.load().add_workdays(received_on, rule_set.operator_days).due
            _event(complaint, actor=Actor.system("routing"), action="operator_first", label="转经营者先行和解",
                   to_status=status, on=received_on,
                   note=f"经营者是放心消费创建单位，请于 {due.isoformat()} 前提出和解方案")
            messages += _tell_business(complaint, "收到消费者投诉",
                                       f"消费者投诉了贵单位（{item}），请于 {due.isoformat()} 前在工作台提出和解方案")
        audit.record(actor=actor, action="complaints.submit", obj=complaint, changes={
            "status": [None, status], "channel": [None, channel], "region": [None, route.region.code],
            "entity": [None, entity.uscc if entity else None], "sector": [None, route.sector.code if route.sector else None],
            "files": [None, len(checked_files)]})
        notify.queue(messages)
    return complaint, True


def complaint_classify(*, actor: Actor, complaint: Complaint, sector_code: str, problem_types: list[str]
                       ) -> Complaint:
    """Staff confirm or correct the sector and problem types; the handling department follows the sector.
    A correction of the automatic suggestion is kept for retraining the triage model."""
    _require_role(actor, STAFF, "只有工作人员可以确认分类。")
    sector = _sector(sector_code)
    if sector is None:
        raise ValidationFailed("请选择行业。", details={"field": "sector"})
    problem_types = _clean_problem_types(problem_types)
    if not problem_types:
        raise ValidationFailed("请至少选择一个问题类型。", details={"field": "problem_types"})
    with transaction.atomic():
        complaint = _locked(complaint)
        if complaint.is_closed:
            raise ValidationFailed("已办结的投诉不能再修改分类。")
        before = {"sector": complaint.sector.code if complaint.sector else None,
                  "problem_types": complaint.problem_types,
                  "department": complaint.department_id}
        complaint.sector = sector
        complaint.department = routing.lead_department(sector)
        complaint.problem_types = problem_types
        complaint.classification_confirmed = True
        complaint.save()
        _event(complaint, actor=actor, action="classify", label="确认分类", public=False,
               note=f"行业：{sector.name}；承办部门：{complaint.department or '—'}")
        audit.record(actor=actor, action="complaints.classify", obj=complaint, changes={
            "sector": [before["sector"], sector.code], "problem_types": [before["problem_types"], problem_types],
            "department": [before["department"], complaint.department_id]})
        suggested = complaint.triage_suggestion or {}
        if suggested and (suggested.get("sector") != sector.code
                          or sorted(suggested.get("problem_types") or []) != sorted(problem_types)):
            triage_bridge.record_correction(
                # the training text leaves the sealed columns: the complainant's own details go first
                actor=actor, text=mask_complainant(
                    f"{complaint.business_name}。{complaint.item}。{complaint.description}。{complaint.demand}", complaint),
                predicted=suggested, sector=sector.code, problem_types=problem_types,
                source_ref=f"complaint:{complaint.tracking_no}")
    return complaint


def complaint_assign(*, actor: Actor, complaint: Complaint, assignee) -> Complaint:
    _require_role(actor, STAFF, "只有工作人员可以指派承办人。")
    if assignee is not None and assignee.role not in STAFF_ROLES:
        raise ValidationFailed("承办人必须是工作人员。")
    with transaction.atomic():
        complaint = _locked(complaint)
        before = complaint.assignee_id
        complaint.assignee = assignee
        complaint.save(update_fields=["assignee", "updated_at"])
        _event(complaint, actor=actor, action="assign", label="指派承办人", public=False,
               note=str(assignee) if assignee else "取消指派")
        audit.record(actor=actor, action="complaints.assign", obj=complaint,
                     changes={"assignee": [before, assignee.pk if assignee else None]})
    return complaint


def complaint_transfer(*, actor: Actor, complaint: Complaint, reason: str, region_code: str = "",
                       department_id: int | None = None) -> Complaint:
    """Send a complaint to the county or department that has jurisdiction, with a transfer notice."""
    _require_role(actor, STAFF, "只有工作人员可以分送投诉。")
    reason = required(reason, "分送理由", "reason", 300)
    region = Region.objects.filter(code=region_code, level="county").first() if region_code else None
    department = Department.objects.filter(pk=department_id, is_active=True).first() if department_id else None
    if region_code and region is None:
        raise ValidationFailed("请选择接收的旗县区。", details={"field": "region"})
    if department_id and department is None:
        raise ValidationFailed("请选择接收的部门。", details={"field": "department"})
    with transaction.atomic():
        complaint = _locked(complaint)
        if complaint.status not in (Status.RECEIVED, Status.REPORT_RECEIVED):
            raise ValidationFailed("只有待受理的投诉可以分送；已受理的请终止调解后告知当事人其他途径。")
        region = region or complaint.region
        department = department or complaint.department
        if region == complaint.region and department == complaint.department:
            raise ValidationFailed("接收单位与当前承办单位相同。")
        before = {"region": complaint.region.code, "department": complaint.department_id}
        destination = "、".join(str(x) for x in (documents.issuer_of(region) if region != complaint.region else None,
                                                 department if department != complaint.department else None) if x)
        # the sending bureau issues and numbers the transfer notice, so it is issued before the region changes
        documents.issue(complaint, DocumentKind.TRANSFER, on=_today(), to=destination,
                        paragraphs=documents.transfer_text(complaint, destination=destination, reason=reason))
        complaint.region, complaint.department, complaint.assignee = region, department, None
        complaint.bureau_received_on = _today()  # the receiving bureau's own clock starts on receipt
        complaint.save()
        _event(complaint, actor=actor, action="transfer", label="分送", note=f"分送至{destination}：{reason}")
        audit.record(actor=actor, action="complaints.transfer", obj=complaint, changes={
            "region": [before["region"], region.code], "department": [before["department"], complaint.department_id],
            "reason": [None, reason]})
        notify.queue(_tell_consumer(complaint, "投诉已分送", f"您的投诉已分送{destination}处理"))
    return complaint


# --- operator-first settlement ---------------------------------------------------------------------------------

def complaint_operator_offer(*, actor: Actor, complaint: Complaint, settlement_type: str, amount=None,
                             note: str) -> Complaint:
    _require_role(actor, {Role.MERCHANT, SYSTEM_ROLE}, "只有被投诉的经营者可以提出和解方案。")
    if settlement_type not in SettlementType.values:
        raise ValidationFailed("请选择和解方式。", details={"field": "settlement_type"})
    value = parse_amount(amount)
    if settlement_type in (SettlementType.REFUND, SettlementType.COMPENSATION, SettlementType.ADVANCE_COMPENSATION) \
            and not value:
        raise ValidationFailed("退款或赔偿请填写金额。", details={"field": "amount"})
    note = required(note, "和解方案说明", "note", 1000)
    with transaction.atomic():
        complaint = _locked(complaint)
        if operator_overdue(complaint):
            raise ValidationFailed("10 个工作日的和解期限已过，投诉将转市场监管部门处理。")
        complaint.settlement_type, complaint.settlement_amount, complaint.settlement_note = settlement_type, value, note
        _move(complaint, Status.OPERATOR_OFFERED, actor=actor, action="operator_offer", label="经营者提出和解方案",
              note=f"{SettlementType(settlement_type).label}" + (f" {value} 元" if value else "") + f"：{note}",
              changes={"settlement_type": [None, settlement_type], "settlement_amount": [None, value]})
        notify.queue(_tell_consumer(complaint, "经营者提出和解方案",
                                    "经营者对您的投诉提出了和解方案，请查询后确认或拒绝"))
    return complaint


def complaint_operator_decline(*, actor: Actor, complaint: Complaint, reason: str) -> Complaint:
    """The business cannot settle: the complaint goes on to the bureau, nothing retyped."""
    _require_role(actor, {Role.MERCHANT, SYSTEM_ROLE}, "只有被投诉的经营者可以作此操作。")
    reason = required(reason, "原因", "reason", 500)
    return _to_bureau(actor=actor, complaint=complaint, label="经营者未能和解，转监管部门", note=reason,
                      action="operator_decline")


def complaint_settlement_answer(*, actor: Actor, complaint: Complaint, accept: bool, comment: str = "") -> Complaint:
    """The consumer confirms the settlement (closed as operator-settled) or rejects it (on to the bureau)."""
    _require_role(actor, {PUBLIC, SYSTEM_ROLE}, "只有投诉人可以确认和解方案。")
    if not accept:
        return _to_bureau(actor=actor, complaint=complaint, label="消费者不接受和解方案，转监管部门",
                          note=comment.strip()[:500], action="settlement_reject", expect=Status.OPERATOR_OFFERED)
    with transaction.atomic():
        complaint = _locked(complaint)
        if complaint.settlement_type in (SettlementType.REFUND, SettlementType.COMPENSATION,
                                         SettlementType.ADVANCE_COMPENSATION) and complaint.settlement_amount:
            complaint.recovered_amount = complaint.settlement_amount
            if complaint.settlement_type == SettlementType.ADVANCE_COMPENSATION:
                complaint.advance_compensation = complaint.settlement_amount
        complaint.outcome_summary = f"经营者和解：{complaint.get_settlement_type_display()}。{complaint.settlement_note}"
        _move(complaint, Status.OPERATOR_SETTLED, actor=actor, action="settlement_accept", label="消费者接受和解方案",
              note=comment.strip()[:500], changes={"recovered_amount": [None, complaint.recovered_amount]})
        credit_feed.record_outcome(actor, complaint)
        notify.queue(_tell_consumer(complaint, "投诉已办结", "您已接受和解方案，投诉办结，欢迎评价处理情况")
                     + _tell_business(complaint, "消费者接受和解方案", "消费者已接受贵单位的和解方案，投诉办结"))
    return complaint


def _to_bureau(*, actor: Actor, complaint: Complaint, label: str, note: str, action: str,
               expect: str | None = None) -> Complaint:
    with transaction.atomic():
        complaint = _locked(complaint)
        if expect and complaint.status != expect:
            raise TransitionNotAllowed(f"当前状态为“{complaint.get_status_display()}”，没有待确认的和解方案。",
                                       details={"machine": "complaint", "from": complaint.status, "to": Status.RECEIVED})
        complaint.bureau_received_on = _today()
        # the rejected or missing offer stays in the timeline; the outcome fields wait for the bureau's result
        complaint.settlement_type, complaint.settlement_amount, complaint.settlement_note = "", None, ""
        _move(complaint, Status.RECEIVED, actor=actor, action=action, label=label, note=note)
        notify.queue(_tell_consumer(complaint, "投诉转监管部门", "您的投诉已转市场监管部门处理"))
    return complaint


def complaint_escalate_overdue(*, actor: Actor, today: date | None = None) -> list[str]:
    """Operator-stage complaints whose 10 working days have passed go on to the bureau (idempotent)."""
    today = today or _today()
    calendar = WorkCalendar.load()
    moved = []
    candidates = Complaint.objects.filter(status__in=OPERATOR_STAGE).select_related("rule_set")
    for complaint in candidates.iterator():
        due = calendar.add_workdays(complaint.operator_started_on, complaint.rule_set.operator_days).due
        if today > due:
            _to_bureau(actor=actor, complaint=complaint, action="operator_timeout",
                       label="经营者逾期未和解，转监管部门", note=f"和解期限 {due.isoformat()} 已过")
            moved.append(complaint.tracking_no)
    return moved


def operator_overdue(complaint: Complaint, today: date | None = None) -> bool:
    if complaint.status not in OPERATOR_STAGE:
        return False
    due = WorkCalendar.load().add_workdays(complaint.operator_started_on, complaint.rule_set.operator_days).due
    return (today or _today()) > due


def complaint_escalate(*, actor: Actor, complaint: Complaint) -> Complaint:
    """Staff move one operator-stage complaint on once the business's time is up."""
    _require_role(actor, STAFF, "只有工作人员可以作此操作。")
    if not operator_overdue(complaint):
        raise ValidationFailed("经营者和解期限未到，暂不能转入受理。")
    return _to_bureau(actor=actor, complaint=complaint, action="operator_timeout",
                      label="经营者逾期未和解，转监管部门", note="工作人员转入")


# --- bureau handling -------------------------------------------------------------------------------------------

def complaint_accept(*, actor: Actor, complaint: Complaint, note: str = "") -> Complaint:
    _require_role(actor, STAFF, "只有工作人员可以受理投诉。")
    with transaction.atomic():
        complaint = _locked(complaint)
        today = _today()
        complaint.accepted_on = today
        if complaint.assignee_id is None and actor.user_id and actor.role in STAFF_ROLES:
            complaint.assignee_id = actor.user_id
        _move(complaint, Status.ACCEPTED, actor=actor, action="accept", label="受理", note=note.strip()[:500])
        mediation_by = deadlines.mediation_deadline(complaint.rule_set, today, WorkCalendar.load()).due
        doc = documents.issue(complaint, DocumentKind.ACCEPTANCE, on=today,
                              paragraphs=documents.acceptance_text(complaint, mediation_by))
        notify.queue(_tell_consumer(complaint, "投诉已受理", f"您的投诉已受理（{doc.number}）")
                     + _tell_business(complaint, "投诉已受理", "市场监管部门已受理对贵单位的投诉，将组织调解"))
    return complaint


def _reason(complaint: Complaint, kind: str, number) -> RuleReason:
    try:
        number = int(number)
    except (TypeError, ValueError):
        number = 0
    reason = RuleReason.objects.filter(rule_set=complaint.rule_set, kind=kind, number=number).first()
    if reason is None:
        what = "不予受理的情形" if kind == ReasonKind.REFUSAL else "终止调解的情形"
        raise ValidationFailed(f"请选择{complaint.rule_set.name}规定的{what}。", details={"field": "reason"})
    return reason


def complaint_refuse(*, actor: Actor, complaint: Complaint, reason_number, note: str = "") -> Complaint:
    _require_role(actor, STAFF, "只有工作人员可以作出不予受理决定。")
    with transaction.atomic():
        complaint = _locked(complaint)
        reason = _reason(complaint, ReasonKind.REFUSAL, reason_number)
        complaint.reason = reason
        complaint.outcome_summary = f"不予受理：{reason.text}"
        _move(complaint, Status.REFUSED, actor=actor, action="refuse", label="不予受理",
              note=f"{reason.article}第（{reason.number}）项：{reason.text}。{note.strip()[:500]}".rstrip("。") + "。",
              changes={"reason": [None, f"{complaint.rule_set.code}:{reason.number}"]})
        doc = documents.issue(complaint, DocumentKind.REFUSAL, on=_today(),
                              paragraphs=documents.refusal_text(complaint, reason))
        notify.queue(_tell_consumer(complaint, "不予受理决定", f"您的投诉不予受理（{doc.number}），决定书列明了其他解决途径"))
    return complaint


def complaint_mediation_start(*, actor: Actor, complaint: Complaint, held_on: date, place: str,
                              mediator: str) -> Complaint:
    """Schedule mediation: the mediation notice tells both parties of their right to ask a mediator to step aside."""
    _require_role(actor, STAFF, "只有工作人员可以组织调解。")
    place = required(place, "调解地点", "place", 100)
    mediator = required(mediator, "调解人员", "mediator", 60)
    if held_on < _today():
        raise ValidationFailed("调解日期不能早于今天。", details={"field": "held_on"})
    with transaction.atomic():
        complaint = _locked(complaint)
        _move(complaint, Status.MEDIATING, actor=actor, action="mediation_start", label="组织调解",
              note=f"{held_on.isoformat()} 在{place}调解，调解人员：{mediator}")
        doc = documents.issue(complaint, DocumentKind.MEDIATION_NOTICE, on=_today(),
                              paragraphs=documents.mediation_notice_text(complaint, held_on=held_on, place=place,
                                                                         mediator=mediator))
        body = f"定于 {held_on.isoformat()} 在{place}调解（{doc.number}），如认为调解人员应当回避可提出申请"
        notify.queue(_tell_consumer(complaint, "调解通知", body) + _tell_business(complaint, "调解通知", body))
    return complaint


def complaint_mediation_session_record(*, actor: Actor, complaint: Complaint, held_on: date, place: str,
                                       mediator: str, attendees: str, summary: str, recusal_requested: bool = False,
                                       recusal_decision: str = "") -> MediationSession:
    _require_role(actor, STAFF, "只有工作人员可以记录调解。")
    if held_on > _today():
        raise ValidationFailed("调解日期不能晚于今天。", details={"field": "held_on"})
    if recusal_requested and not recusal_decision.strip():
        raise ValidationFailed("当事人申请回避的，请填写回避的处理结果。", details={"field": "recusal_decision"})
    with transaction.atomic():
        complaint = _locked(complaint)
        if complaint.status not in (Status.ACCEPTED, Status.MEDIATING):
            raise ValidationFailed("只有已受理、调解中的投诉可以记录调解。")
        if complaint.status == Status.ACCEPTED:
            _move(complaint, Status.MEDIATING, actor=actor, action="mediation_start", label="组织调解",
                  note=f"{held_on.isoformat()} 在{place}调解")
        session = MediationSession.objects.create(
            complaint=complaint, held_on=held_on, place=required(place, "调解地点", "place", 100),
            mediator=required(mediator, "调解人员", "mediator", 60), attendees=required(attendees, "参加人", "attendees", 200),
            summary=required(summary, "调解情况", "summary", 3000), recusal_requested=recusal_requested,
            recusal_decision=recusal_decision.strip()[:200], recorded_by=actor.name)
        note = f"调解人员：{session.mediator}" + ("；当事人申请回避：" + session.recusal_decision if recusal_requested else "")
        _event(complaint, actor=actor, action="mediation_session", label="调解", note=note, on=held_on)
        audit.record(actor=actor, action="complaints.mediation_session", obj=complaint,
                     changes={"session": [None, session.pk], "recusal_requested": [None, recusal_requested]})
    return session


def complaint_testing_start(*, actor: Actor, complaint: Complaint, note: str) -> Complaint:
    """Testing or appraisal: the mediation clock stops until it ends."""
    _require_role(actor, STAFF, "只有工作人员可以作此操作。")
    note = required(note, "检测鉴定事项", "note", 300)
    with transaction.atomic():
        complaint = _locked(complaint)
        complaint.pause_started_on = _today()
        _move(complaint, Status.TESTING, actor=actor, action="testing_start", label="委托检测鉴定", note=note)
    return complaint


def complaint_testing_end(*, actor: Actor, complaint: Complaint, note: str = "") -> Complaint:
    _require_role(actor, STAFF, "只有工作人员可以作此操作。")
    with transaction.atomic():
        complaint = _locked(complaint)
        if complaint.status != Status.TESTING:  # only a running test can end
            raise TransitionNotAllowed("该投诉没有正在进行的检测鉴定。",
                                       details={"machine": "complaint", "from": complaint.status, "to": Status.MEDIATING})
        if complaint.pause_started_on:
            wd, cd = deadlines.pause_length(WorkCalendar.load(), complaint.pause_started_on, _today())
            complaint.paused_workdays += wd
            complaint.paused_calendar_days += cd
            complaint.pause_started_on = None
        _move(complaint, Status.MEDIATING, actor=actor, action="testing_end", label="检测鉴定结束，继续调解",
              note=note.strip()[:300], changes={"paused_workdays": [None, complaint.paused_workdays],
                                                "paused_calendar_days": [None, complaint.paused_calendar_days]})
    return complaint


def complaint_agreement(*, actor: Actor, complaint: Complaint, settlement_type: str, terms: str,
                        recovered_amount=None, advance_compensation=None) -> Complaint:
    _require_role(actor, STAFF, "只有工作人员可以记录调解协议。")
    if settlement_type not in SettlementType.values:
        raise ValidationFailed("请选择调解结果的方式。", details={"field": "settlement_type"})
    terms = required(terms, "协议内容", "terms", 2000)
    recovered = parse_amount(recovered_amount) or Decimal("0")
    advance = parse_amount(advance_compensation) or Decimal("0")
    if advance > recovered:
        raise ValidationFailed("先行赔付金额不能大于挽回经济损失。", details={"field": "advance_compensation"})
    with transaction.atomic():
        complaint = _locked(complaint)
        complaint.settlement_type, complaint.outcome_summary = settlement_type, terms
        complaint.recovered_amount, complaint.advance_compensation = recovered, advance
        _move(complaint, Status.AGREEMENT, actor=actor, action="agreement", label="调解成功，达成协议",
              note=f"挽回经济损失 {recovered} 元", changes={"recovered_amount": [None, recovered],
                                                        "advance_compensation": [None, advance]})
        credit_feed.record_outcome(actor, complaint)
        doc = documents.issue(complaint, DocumentKind.AGREEMENT, on=_today(), paragraphs=documents.agreement_text(complaint))
        notify.queue(_tell_consumer(complaint, "调解成功", f"您的投诉已调解成功（{doc.number}），欢迎评价处理情况")
                     + _tell_business(complaint, "调解成功", f"投诉已调解成功（{doc.number}），请按协议履行"))
    return complaint


def complaint_mediation_end(*, actor: Actor, complaint: Complaint, ground_number, note: str = "",
                            business_refused: bool = False) -> Complaint:
    """End mediation on a numbered ground; `business_refused` (only on a refusal ground) records 拒绝调解 in the
    business's credit ledger."""
    _require_role(actor, STAFF, "只有工作人员可以终止调解。")
    with transaction.atomic():
        complaint = _locked(complaint)
        reason = _reason(complaint, ReasonKind.END_GROUND, ground_number)
        if business_refused and not credit_feed.ground_allows_business_refusal(reason.text):
            raise ValidationFailed("只有以“拒绝或者不参加调解”为由终止调解时，才能认定被投诉人拒绝调解。",
                                   details={"field": "business_refused"})
        if business_refused and complaint.entity_id is None:
            raise ValidationFailed("该投诉未关联登记的经营者，不能记录被投诉人拒绝调解。",
                                   details={"field": "business_refused"})
        complaint.reason = reason
        complaint.outcome_summary = f"终止调解：{reason.text}"
        _move(complaint, Status.MEDIATION_ENDED, actor=actor, action="mediation_end", label="终止调解",
              note=f"{reason.article}第（{reason.number}）项：{reason.text}。{note.strip()[:500]}".rstrip("。") + "。",
              changes={"reason": [None, f"{complaint.rule_set.code}:{reason.number}"],
                       "business_refused": [None, business_refused]})
        credit_feed.record_outcome(actor, complaint, business_refused=business_refused)
        doc = documents.issue(complaint, DocumentKind.END_MEDIATION, on=_today(),
                              paragraphs=documents.end_mediation_text(complaint, reason))
        body = f"调解已终止（{doc.number}），可依法申请仲裁或起诉"
        notify.queue(_tell_consumer(complaint, "终止调解", body) + _tell_business(complaint, "终止调解", body))
    return complaint


def complaint_refer(*, actor: Actor, complaint: Complaint, destination: str, body_name: str, on: date) -> Complaint:
    """诉调衔接: hand the dispute to people's mediation, a court, arbitration or the consumer association."""
    _require_role(actor, STAFF, "只有工作人员可以办理诉调对接。")
    if destination not in ReferralDestination.values:
        raise ValidationFailed("请选择移交去向。", details={"field": "destination"})
    body_name = required(body_name, "接收机构名称", "body_name", 100)
    if on > _today():
        raise ValidationFailed("移交日期不能晚于今天。", details={"field": "on"})
    with transaction.atomic():
        complaint = _locked(complaint)
        complaint.referral_destination, complaint.referral_body, complaint.referral_on = destination, body_name, on
        if not complaint.outcome_summary:
            complaint.outcome_summary = f"移交{body_name}"
        _move(complaint, Status.REFERRED, actor=actor, action="refer", label="诉调对接",
              note=f"移交{ReferralDestination(destination).label}：{body_name}（{on.isoformat()}）",
              changes={"referral": [None, f"{destination}:{body_name}:{on.isoformat()}"]})
        notify.queue(_tell_consumer(complaint, "诉调对接", f"您的投诉已移交{body_name}"))
    return complaint


def complaint_withdraw(*, actor: Actor, complaint: Complaint, reason: str = "") -> Complaint:
    _require_role(actor, STAFF | {PUBLIC}, "只有投诉人或工作人员可以撤回投诉。")
    with transaction.atomic():
        complaint = _locked(complaint)
        complaint.outcome_summary = complaint.outcome_summary or "投诉人撤回投诉"
        _move(complaint, Status.WITHDRAWN, actor=actor, action="withdraw", label="撤回投诉",
              note=(reason or "").strip()[:500])
        notify.queue(_tell_business(complaint, "投诉已撤回", "消费者已撤回对贵单位的投诉"))
    return complaint


def report_decide(*, actor: Actor, complaint: Complaint, open_case: bool, note: str) -> Complaint:
    """A report (举报) ends in a decision whether to open a case; the reporter is told, their identity kept."""
    _require_role(actor, STAFF, "只有工作人员可以作出立案决定。")
    note = required(note, "核查情况", "note", 1000)
    with transaction.atomic():
        complaint = _locked(complaint)
        to_status = Status.CASE_OPENED if open_case else Status.CASE_NOT_OPENED
        complaint.outcome_summary = note
        _move(complaint, to_status, actor=actor, action="report_decide", label=Status(to_status).label, note=note)
        doc = documents.issue(complaint, DocumentKind.REPORT_OUTCOME, on=_today(),
                              paragraphs=documents.report_outcome_text(complaint, opened=open_case, note=note))
        notify.queue(_tell_consumer(complaint, "举报处理结果", f"您的举报已处理（{doc.number}）"))
    return complaint


# --- after closing ---------------------------------------------------------------------------------------------

def complaint_rate(*, actor: Actor, complaint: Complaint, rating, comment: str = "") -> Complaint:
    _require_role(actor, {PUBLIC, SYSTEM_ROLE}, "只有投诉人可以评价。")
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise ValidationFailed("请选择 1 到 5 分的评价。", details={"field": "rating"})
    with transaction.atomic():
        complaint = _locked(complaint)
        if complaint.kind != Kind.COMPLAINT or not complaint.is_closed:
            raise ValidationFailed("投诉办结后才能评价。")
        if complaint.rating is not None:
            raise ValidationFailed("您已经评价过了，感谢您的反馈。")
        complaint.rating, complaint.rating_comment = rating, comment.strip()[:500]
        complaint.rated_at = timezone.now()
        complaint.save(update_fields=["rating", "rating_comment", "rated_at", "updated_at"])
        _event(complaint, actor=actor, action="rate", label="消费者评价", note=f"{rating} 分")
        audit.record(actor=actor, action="complaints.rate", obj=complaint, changes={"rating": [None, rating]})
    return complaint


def complaint_business_reply(*, actor: Actor, complaint: Complaint, text: str) -> Complaint:
    _require_role(actor, {Role.MERCHANT, SYSTEM_ROLE}, "只有被投诉的经营者可以发表公开回复。")
    text = required(text, "回复内容", "text", 1000)
    with transaction.atomic():
        complaint = _locked(complaint)
        if not (complaint.is_closed and complaint.consent_publication):
            raise ValidationFailed("只有已办结并公示的投诉可以回复。")
        before = complaint.business_reply
        complaint.business_reply, complaint.business_reply_at = text, timezone.now()
        complaint.save(update_fields=["business_reply", "business_reply_at", "updated_at"])
        audit.record(actor=actor, action="complaints.business_reply", obj=complaint,
                     changes={"business_reply": [before or None, text]})
    return complaint


def complaint_personal_view(*, actor: Actor, complaint: Complaint) -> dict:
    """The complainant's unmasked contact details, for staff handling it and the auditor; each view audited."""
    from .selectors import can_see_personal

    if not can_see_personal(actor.user, complaint):
        raise PermissionDenied("只有承办该投诉的工作人员和审计员可以查看投诉人的个人信息。")
    with transaction.atomic():
        audit.record(actor=actor, action="complaints.personal_view", obj=complaint,
                     changes={"fields": [None, ["complainant_name", "complainant_phone", "complainant_email",
                                                "complainant_address", "complainant_id_number"]]})
    return {"name": complaint.complainant_name, "phone": complaint.complainant_phone,
            "email": complaint.complainant_email, "address": complaint.complainant_address,
            "id_number": complaint.complainant_id_number}


def complaint_flag_overdue(*, actor: Actor, today: date | None = None) -> list[str]:
    """Tell each unit's head about its overdue complaints, once a day per complaint (idempotent)."""
    from fangxin.accounts.models import User

    from .selectors import overdue_complaints

    today = today or _today()
    flagged = []
    for complaint in overdue_complaints(today=today):
        if complaint.overdue_flagged_on == today:
            continue
        with transaction.atomic():
            Complaint.objects.filter(pk=complaint.pk).update(overdue_flagged_on=today)
            heads = User.objects.filter(is_active=True, is_unit_head=True, role__in=STAFF_ROLES).filter(
                region=complaint.region) | User.objects.filter(
                is_active=True, is_unit_head=True, role=Role.DEPARTMENT_STAFF, department=complaint.department_id)
            text = f"【放心消费】投诉 {complaint.tracking_no}（{complaint.business_name}）已超过办理期限，请督办。"
            messages = []
            for head in heads.distinct():
                if head.phone:
                    messages.append(notify.Message("sms", head.phone, "投诉逾期", text, "staff", "complaint",
                                                   complaint.tracking_no))
                if head.email:
                    messages.append(notify.Message("email", head.email, "投诉逾期", text, "staff", "complaint",
                                                   complaint.tracking_no))
            _event(complaint, actor=actor, action="overdue", label="逾期提醒", public=False,
                   note=f"已提醒负责人 {len(messages)} 条")
            notify.queue(messages)
        flagged.append(complaint.tracking_no)
    return flagged


# --- service stations ------------------------------------------------------------------------------------------

STATION_FIELDS = ("region", "town", "name", "host", "address", "hours", "contact_phone", "is_active")


def station_save(*, actor: Actor, station: ServiceStation | None = None, **values) -> ServiceStation:
    _require_role(actor, STAFF | {Role.SYSADMIN}, "只有工作人员可以维护维权服务站。")
    region = values.get("region")
    if region is None or region.level != "county":
        raise ValidationFailed("请选择服务站所在的旗县区。", details={"field": "region"})
    for name, label, limit in (("town", "苏木乡镇（街道）", 60), ("name", "名称", 100), ("host", "设站单位", 100),
                               ("address", "地址", 200), ("hours", "服务时间", 100), ("contact_phone", "联系电话", 30)):
        values[name] = required(values.get(name, ""), label, name, limit)
    with transaction.atomic():
        creating = station is None
        before = audit.snapshot(station, STATION_FIELDS) if station else {}
        station = station or ServiceStation()
        for name in STATION_FIELDS:
            if name in values:
                setattr(station, name, values[name])
        station.save()
        audit.record(actor=actor, action="complaints.station." + ("create" if creating else "update"), obj=station,
                     changes=audit.diff(before, audit.snapshot(station, STATION_FIELDS)))
    return station
