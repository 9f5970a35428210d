"""Every write of the early-warning capability: the daily scan, the warning workflow, the office's thresholds
and merchants' prepaid-card declarations. Each public function is one transaction per change: it checks the
actor and the transition (flows.py), changes state, writes the timeline entry and the audit record, and queues
notifications for after the commit."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from fangxin.accounts.choices import Role
from fangxin.accounts.scope import scope_of
from fangxin.complaints.choices import Status as ComplaintStatus
from fangxin.complaints.models import Complaint
from fangxin.complaints.routing import lead_department
from fangxin.core import audit, notify
from fangxin.core.actors import SYSTEM_ROLE, Actor
from fangxin.core.exceptions import PermissionDenied, ValidationFailed
from fangxin.merchants.models import MarketEntity
from fangxin.organisation.models import Department, Region, Sector

from . import detection
from .choices import PREPAID_SECTORS, UNCLOSED, CardType, Custody, Severity, WarningKind, WarningStatus
from .flows import ACTION_LABELS, NOTE_REQUIRED, WARNING_FLOW
from .models import AlertSettings, PrepaidScheme, Warning, WarningEvent

PROBLEM_LABELS = {"quality": "商品质量", "false_ad": "虚假宣传", "price": "价格", "unfair_terms": "不公平格式条款",
                  "after_sales": "售后服务", "no_reason_return": "七日无理由退货", "safety": "人身财产安全",
                  "prepaid": "预付卡", "personal_info": "个人信息", "contract": "合同与服务", "other": "其他"}
OFFICE_DEPARTMENT = "amr"  # hosts the joint-meeting office: problem-type warnings span sectors and go there
SETTING_FIELDS = ("window_days", "baseline_days", "p_threshold", "min_ratio", "entity_min_count",
                  "entity_floor_per_30d", "group_min_count", "group_floor_per_30d", "mass_threshold", "mass_hours",
                  "prepaid_window_days", "prepaid_min_count", "closure_words")


def _today() -> date:
    return timezone.localdate()


def current_settings() -> AlertSettings:
    """The stored thresholds, or the defaults when the office has never saved any (nothing is written)."""
    return AlertSettings.objects.filter(pk=1).first() or AlertSettings(pk=1)


# --- thresholds ------------------------------------------------------------------------------------------------

def settings_update(*, actor: Actor, values: dict) -> AlertSettings:
    if actor.role not in (Role.JOINT_OFFICE, SYSTEM_ROLE):
        raise PermissionDenied("预警阈值由联席会议办公室设置。")
    with transaction.atomic():
        row = AlertSettings.objects.select_for_update().filter(pk=1).first() or AlertSettings(pk=1)
        before = {name: getattr(row, name) for name in SETTING_FIELDS}
        for name in SETTING_FIELDS:
            if name in values:
                setattr(row, name, values[name])
        row.updated_by = actor.name
        try:
            row.full_clean()
        except ValidationError as exc:
            first = next(iter(exc.message_dict.items()))
            label = AlertSettings._meta.get_field(first[0]).verbose_name if first[0] != "__all__" else ""
            raise ValidationFailed(f"{label}：{first[1][0]}" if label else first[1][0],
                                   details={"field": first[0]}) from None
        if not row.words():
            raise ValidationFailed("请至少填写一个经营异常词语。", details={"field": "closure_words"})
        row.save()
        changes = {name: [before[name], getattr(row, name)] for name in SETTING_FIELDS
                   if str(before[name]) != str(getattr(row, name))}
        audit.record(actor=actor, action="alerts.settings.update", obj=row, changes=changes)
    return row


# --- the daily scan --------------------------------------------------------------------------------------------

@dataclass
class ScanResult:
    on: date
    created: list[Warning] = field(default_factory=list)
    refreshed: list[Warning] = field(default_factory=list)
    unchanged: int = 0

    @property
    def found(self) -> int:
        return len(self.created) + len(self.refreshed) + self.unchanged


def complaint_rows(*, start: date, end: date) -> list[detection.Row]:
    """The complaints received in [start, end] as detector rows (withdrawn ones are not evidence of anything)."""
    rows = (Complaint.objects.filter(received_on__range=(start, end)).exclude(status=ComplaintStatus.WITHDRAWN)
            .order_by("received_on", "id")
            .values_list("id", "received_on", "region_id", "entity_id", "sector_id", "problem_types", "item",
                         "description"))
    return [detection.Row(id=pk, received_on=on, county=region, entity=entity, sector=sector,
                          problem_types=tuple(problems or ()), text=f"{item}。{description}")
            for pk, on, region, entity, sector, problems, item, description in rows]


def prepaid_subjects(entity_ids) -> dict[int, detection.Prepaid]:
    """The businesses among `entity_ids` in a prepaid-card sector, with what they declared."""
    entities = MarketEntity.objects.filter(pk__in=set(entity_ids), sector__code__in=PREPAID_SECTORS)
    schemes = {s.entity_id: s for s in PrepaidScheme.objects.filter(entity__in=entities)}
    out = {}
    for entity_id in entities.values_list("pk", flat=True):
        scheme = schemes.get(entity_id)
        declared = scheme is not None and scheme.issues_cards
        out[entity_id] = detection.Prepaid(entity=entity_id, declared=declared,
                                           custody=scheme.custody if declared else "",
                                           label=scheme.summary if declared else "")
    return out


def scan(*, actor: Actor, on: date | None = None) -> ScanResult:
    """Run every detector for day `on` (default today). Idempotent: a subject already warned about that day is
    left alone; a warning still open for the subject is refreshed with the new figures rather than repeated."""
    on = on or _today()
    if on > _today():
        raise ValidationFailed("不能对未来的日期进行预警扫描。")
    params = current_settings().params()
    rows = complaint_rows(start=on - timedelta(days=params.history_days), end=on)
    prepaid = prepaid_subjects({row.entity for row in rows if row.entity is not None})
    findings = detection.detect(rows, on=on, params=params, prepaid=prepaid, problem_labels=PROBLEM_LABELS)
    result = ScanResult(on=on)
    for finding in findings:
        warning, outcome = _record_finding(actor, finding, on)
        if outcome == "created":
            result.created.append(warning)
        elif outcome == "refreshed":
            result.refreshed.append(warning)
        else:
            result.unchanged += 1
    return result


def _subject(finding: detection.Finding) -> tuple[str, Sector | None, Department | None, MarketEntity | None]:
    region = Region.objects.get(pk=finding.county)
    sector = Sector.objects.filter(pk=finding.sector).first() if finding.sector else None
    entity = MarketEntity.objects.filter(pk=finding.entity).first() if finding.entity else None
    if entity is not None:
        label = entity.name
    elif finding.problem_type:
        label = f"{PROBLEM_LABELS.get(finding.problem_type, finding.problem_type)} · {region.name}"
    else:
        label = f"{sector.name if sector else '未分类'} · {region.name}"
    department = lead_department(sector) if finding.kind != detection.KIND_PROBLEM else None
    department = department or Department.objects.filter(code=OFFICE_DEPARTMENT).first()
    return label, sector, department, entity


def _record_finding(actor: Actor, finding: detection.Finding, on: date) -> tuple[Warning | None, str]:
    with transaction.atomic():
        same = Warning.objects.filter(kind=finding.kind, subject_key=finding.subject)
        if same.filter(detected_on=on).exists() or same.filter(last_seen_on__gte=on).exists():
            return None, "unchanged"
        existing = same.select_for_update().filter(status__in=UNCLOSED).first()
        latest = same.order_by("-last_seen_on", "-id").first()
        if existing is None and latest is not None and set(finding.evidence) <= set(latest.evidence):
            return None, "unchanged"  # closed already, and nothing has come in since
        figures = {"window_start": finding.window_start, "window_end": finding.window_end,
                   "observed": finding.observed, "expected": _decimal(finding.expected),
                   "p_value": finding.p_value, "reasons": finding.reasons, "last_seen_on": on}
        if existing is not None:
            before = {"observed": existing.observed, "severity": existing.severity}
            for name, value in figures.items():
                setattr(existing, name, value)
            existing.evidence = sorted(set(existing.evidence) | set(finding.evidence))[-detection.EVIDENCE_LIMIT:]
            if finding.severity == Severity.HIGH:
                existing.severity = Severity.HIGH
            existing.save()
            audit.record(actor=actor, action="alerts.warning.refresh", obj=existing,
                         changes={"observed": [before["observed"], existing.observed],
                                  "severity": [before["severity"], existing.severity]})
            return existing, "refreshed"
        label, sector, department, entity = _subject(finding)
        warning = Warning(kind=finding.kind, subject_key=finding.subject, subject_label=label[:200], entity=entity,
                          sector=sector, problem_type=finding.problem_type, region_id=finding.county,
                          department=department, detected_on=on, severity=finding.severity,
                          evidence=finding.evidence, **figures)
        try:
            with transaction.atomic():
                warning.save()
        except IntegrityError:  # a concurrent scan recorded it first
            return None, "unchanged"
        _event(warning, actor=actor, action="detected", label="发出预警", to_status=WarningStatus.OPEN,
               note="；".join(finding.reasons))
        audit.record(actor=actor, action="alerts.warning.create", obj=warning,
                     changes={"kind": [None, warning.kind], "subject": [None, warning.subject_key],
                              "observed": [None, warning.observed], "severity": [None, warning.severity]})
        notify.queue(_messages(warning))
        return warning, "created"


def _decimal(value: float) -> Decimal:
    return Decimal(str(round(value, 2)))


def _event(warning: Warning, *, actor: Actor, action: str, label: str, from_status: str = "", to_status: str = "",
           note: str = "") -> WarningEvent:
    return WarningEvent.objects.create(warning=warning, at=timezone.now(), action=action, label=label,
                                       from_status=from_status, to_status=to_status, actor_name=actor.name,
                                       note=note)


def _messages(warning: Warning) -> list[notify.Message]:
    """The unit heads who must act: the county's staff, the lead department's staff, the office."""
    from fangxin.accounts.models import User

    heads = User.objects.filter(is_active=True, is_unit_head=True).filter(
        Q(role=Role.COUNTY_STAFF, region=warning.region_id)
        | Q(role=Role.DEPARTMENT_STAFF, department=warning.department_id)
        | Q(role=Role.JOINT_OFFICE))
    text = (f"【放心消费】{warning.region.name}{warning.get_kind_display()}预警（{warning.get_severity_display()}）："
            f"{warning.subject_label}，{'；'.join(warning.reasons)}。请登录工作台签收处置。")
    messages = []
    for head in heads.distinct():
        if head.phone:
            messages.append(notify.Message("sms", head.phone, "预警", text, "staff", "warning", str(warning.pk)))
        if head.email:
            messages.append(notify.Message("email", head.email, "预警", text, "staff", "warning", str(warning.pk)))
    return messages


# --- the workflow ----------------------------------------------------------------------------------------------

def can_handle(user, warning: Warning) -> bool:
    """Who may acknowledge, handle and close: the office, the county's staff, the lead department's staff."""
    role = getattr(user, "role", None)
    if role == Role.JOINT_OFFICE:
        return True
    if role == Role.COUNTY_STAFF and user.region_id:
        return warning.region.path.startswith(user.region.path)
    if role == Role.DEPARTMENT_STAFF and user.department_id:
        if user.department_id == warning.department_id:
            return True
        return warning.sector is not None and warning.sector.lead_departments.filter(pk=user.department_id).exists()
    return False


def warning_transition(*, actor: Actor, warning: Warning, to_status: str, note: str = "") -> Warning:
    if actor.role != SYSTEM_ROLE and not can_handle(actor.user, warning):
        raise PermissionDenied("预警由旗县区、牵头部门和联席会议办公室签收处置。")
    if to_status not in WarningStatus.values:
        raise ValidationFailed("未知的预警状态。", details={"field": "to_status"})
    note = (note or "").strip()
    if to_status in NOTE_REQUIRED and not note:
        raise ValidationFailed("请填写处置措施。" if to_status == WarningStatus.HANDLING else "请填写办结情况。",
                               details={"field": "note"})
    if len(note) > 2000:
        raise ValidationFailed("说明最多 2000 个字。", details={"field": "note"})
    with transaction.atomic():
        warning = Warning.objects.select_for_update().get(pk=warning.pk)
        WARNING_FLOW.check(warning.status, to_status)
        before, now = warning.status, timezone.now()
        warning.status = to_status
        if to_status == WarningStatus.ACKNOWLEDGED:
            warning.acknowledged_by, warning.acknowledged_at = actor.name, now
        elif to_status == WarningStatus.HANDLING:
            warning.handling_note = note
        elif to_status == WarningStatus.CLOSED:
            warning.closed_note, warning.closed_by, warning.closed_at = note, actor.name, now
        warning.save()
        _event(warning, actor=actor, action=to_status, label=ACTION_LABELS[to_status], from_status=before,
               to_status=to_status, note=note)
        audit.record(actor=actor, action=f"alerts.warning.{to_status}", obj=warning,
                     changes={"status": [before, to_status], "note": [None, note or None]})
    return warning


# --- prepaid-card declarations ---------------------------------------------------------------------------------

@dataclass
class PrepaidInput:
    issues_cards: bool
    card_types: list[str] = field(default_factory=list)
    outstanding_balance: object = "0"
    cardholders: object = 0
    custody: str = Custody.NONE
    custodian: str = ""
    refund_policy: str = ""


def prepaid_eligible(entity: MarketEntity) -> bool:
    return entity.sector.code in PREPAID_SECTORS


def prepaid_declare(*, actor: Actor, entity: MarketEntity, data: PrepaidInput) -> PrepaidScheme:
    """A merchant declares (or updates) the business's prepaid cards: kinds, outstanding balance, custody."""
    owner = actor.role == Role.MERCHANT and entity.pk in (scope_of(actor.user).entity_ids or ())
    if actor.role != SYSTEM_ROLE and not owner:
        raise PermissionDenied("只有经营者本人可以申报本单位的预付卡经营情况。")
    if not prepaid_eligible(entity):
        raise ValidationFailed("预付卡申报适用于美容美发、运动健身和教育培训经营者。")
    values = _clean_prepaid(data)
    with transaction.atomic():
        scheme = PrepaidScheme.objects.select_for_update().filter(entity=entity).first()
        before = {name: getattr(scheme, name) for name in values} if scheme else {}
        scheme = scheme or PrepaidScheme(entity=entity)
        for name, value in values.items():
            setattr(scheme, name, value)
        scheme.declared_by, scheme.declared_at = actor.name, timezone.now()
        scheme.save()
        changes = {name: [before.get(name), value] for name, value in values.items()
                   if str(before.get(name)) != str(value)}
        audit.record(actor=actor, action="alerts.prepaid.declare", obj=scheme, changes=changes)
    return scheme


def _clean_prepaid(data: PrepaidInput) -> dict:
    if not data.issues_cards:
        return {"issues_cards": False, "card_types": [], "outstanding_balance": Decimal("0"), "cardholders": 0,
                "custody": Custody.NONE, "custodian": "", "refund_policy": ""}
    card_types = list(dict.fromkeys(data.card_types or []))
    if not card_types:
        raise ValidationFailed("请选择发行的预付卡种类。", details={"field": "card_types"})
    unknown = [code for code in card_types if code not in CardType.values]
    if unknown:
        raise ValidationFailed(f"未知的预付卡种类：{'、'.join(unknown)}", details={"field": "card_types"})
    try:
        balance = Decimal(str(data.outstanding_balance).replace(",", "").strip() or "0")
    except InvalidOperation:
        raise ValidationFailed("未消费余额应为金额，如 125000.00。", details={"field": "outstanding_balance"}) from None
    if not balance.is_finite() or balance < 0 or balance >= Decimal("1e12"):
        raise ValidationFailed("未消费余额应为不小于 0 的金额。", details={"field": "outstanding_balance"})
    try:
        cardholders = int(str(data.cardholders).strip() or "0")
    except ValueError:
        raise ValidationFailed("持卡人数应为整数。", details={"field": "cardholders"}) from None
    if cardholders < 0 or cardholders > 10_000_000:
        raise ValidationFailed("持卡人数应为不小于 0 的整数。", details={"field": "cardholders"})
    if data.custody not in Custody.values:
        raise ValidationFailed("请选择资金存管或担保方式。", details={"field": "custody"})
    custodian = (data.custodian or "").strip()
    if data.custody in (Custody.BANK, Custody.GUARANTEE) and not custodian:
        raise ValidationFailed("请填写存管银行或担保机构名称。", details={"field": "custodian"})
    if len(custodian) > 100:
        raise ValidationFailed("存管银行或担保机构名称最多 100 个字。", details={"field": "custodian"})
    refund_policy = (data.refund_policy or "").strip()
    if len(refund_policy) > 300:
        raise ValidationFailed("退卡退费办法最多 300 个字。", details={"field": "refund_policy"})
    return {"issues_cards": True, "card_types": card_types, "outstanding_balance": balance.quantize(Decimal("0.01")),
            "cardholders": cardholders, "custody": data.custody,
            "custodian": custodian if data.custody != Custody.NONE else "", "refund_policy": refund_policy}


def kind_label(kind: str) -> str:
    return str(WarningKind(kind).label)
