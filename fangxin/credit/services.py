"""Credit list decisions, the credit ledger and grades. Other capabilities ask `selectors.enrollment_blockers`
before admitting a business, and record credit events only through `credit_event_record`."""

import hashlib
import uuid
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from fangxin.accounts.choices import Role
from fangxin.core import audit
from fangxin.core.actors import SYSTEM_ROLE, Actor
from fangxin.core.exceptions import Conflict, NotFound, PermissionDenied, TransitionNotAllowed, ValidationFailed

from . import grading
from .choices import EventKind, ExitReason, GradeModelStatus, ListKind
from .models import CreditEvent, CreditGrade, CreditGradeHistory, GradeModel, ListEntry

ENTRY_FIELDS = ("entity", "kind", "reason_code", "reason", "authority", "document_number", "entered_on",
                "exited_on", "exit_reason", "exit_document_number")


def list_enter(*, actor: Actor, entity, kind: str, reason_code: str, reason: str, authority: str,
               document_number: str, entered_on: date) -> ListEntry:
    if kind not in ListKind.values:
        raise ValidationFailed(f"未知名单：{kind}")
    if not (reason.strip() and authority.strip() and document_number.strip()):
        raise ValidationFailed("列入名单须写明事由、作出决定机关和决定书文号。")
    try:
        with transaction.atomic():
            entry = ListEntry.objects.create(entity=entity, kind=kind, reason_code=reason_code.strip(),
                                             reason=reason.strip(), authority=authority.strip(),
                                             document_number=document_number.strip(), entered_on=entered_on)
            audit.record(actor=actor, action="credit.list.enter", obj=entry,
                         changes=audit.diff({}, audit.snapshot(entry, ENTRY_FIELDS)))
            _open_management_case(actor, entry)
            credit_event_record(actor=actor, entity=entity, kind=EventKind.LIST_ENTERED, occurred_on=entered_on,
                                detail=f"列入{entry.get_kind_display()}：{entry.reason}"[:300],
                                source_ref=f"list:{entry.pk}:enter", document_number=entry.document_number,
                                authority=entry.authority)
    except IntegrityError:
        raise Conflict(f"{entity} 已在{ListKind(kind).label}中。") from None
    return entry


def _open_management_case(actor: Actor, entry: ListEntry) -> None:
    """A list entry that a joint-punishment rule with the "title review" effect names opens a dynamic-management
    review of the business's enrollment and titles (policy 五(四)), in the same transaction."""
    from fangxin.campaign.titles.choices import TriggerKind
    from fangxin.campaign.titles.services import case_open

    from .choices import RuleConditionKind
    from .rules import review_rules_for

    names = review_rules_for(RuleConditionKind.LIST, entry.kind)
    if not names:
        return
    trigger = {ListKind.SERIOUS: TriggerKind.SERIOUS_LIST,
               ListKind.ABNORMAL: TriggerKind.ABNORMAL_LIST}.get(entry.kind, TriggerKind.CREDIT_RULE)
    case_open(actor=actor, entity=entry.entity, trigger=trigger, source_ref=f"credit:{entry.pk}",
              detail=f"依据联合惩戒规则“{names[0]}”：{entry.get_kind_display()}，{entry.reason}")


def _open_grade_review(actor: Actor, entity, grade: str, today: date) -> None:
    """A grade that a "title review" rule names opens a review when the business reaches it (once per day)."""
    from fangxin.campaign.titles.choices import TriggerKind
    from fangxin.campaign.titles.services import case_open

    from .choices import RuleConditionKind
    from .rules import review_rules_for

    names = review_rules_for(RuleConditionKind.GRADE, grade)
    if names:
        case_open(actor=actor, entity=entity, trigger=TriggerKind.CREDIT_RULE,
                  source_ref=f"credit-grade:{entity.pk}:{grade}:{today.isoformat()}",
                  detail=f"依据联合惩戒规则“{names[0]}”：信用等级降为 {grade} 级")


def list_exit(*, actor: Actor, entry: ListEntry, exit_reason: str, exited_on: date, document_number: str = ""):
    if exit_reason not in ExitReason.values:
        raise ValidationFailed(f"未知移出原因：{exit_reason}")
    with transaction.atomic():
        entry = ListEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.exited_on is not None:
            raise TransitionNotAllowed("该记录已经移出名单。")
        if exited_on < entry.entered_on:
            raise ValidationFailed("移出日期不能早于列入日期。")
        before = audit.snapshot(entry, ENTRY_FIELDS)
        entry.exited_on, entry.exit_reason, entry.exit_document_number = exited_on, exit_reason, document_number
        entry.save(update_fields=["exited_on", "exit_reason", "exit_document_number", "updated_at"])
        audit.record(actor=actor, action="credit.list.exit", obj=entry,
                     changes=audit.diff(before, audit.snapshot(entry, ENTRY_FIELDS)))
        credit_event_record(actor=actor, entity=entry.entity, kind=EventKind.LIST_EXITED, occurred_on=exited_on,
                            detail=f"移出{entry.get_kind_display()}：{ExitReason(exit_reason).label}",
                            source_ref=f"list:{entry.pk}:exit", document_number=document_number,
                            authority=entry.authority)
    return entry


# --- Staff decisions: who may enter list decisions, penalties and commitment breaches -------------------------

# County staff decide for businesses in their county, department staff for the sectors they lead or co-operate
# in, the joint-meeting office for the whole city: `MarketEntity.objects.visible_to` draws exactly that line.
# The consumer association mediates but makes no administrative decisions; auditors and merchants only read.
DECIDER_ROLES = frozenset({Role.COUNTY_STAFF, Role.DEPARTMENT_STAFF, Role.JOINT_OFFICE})

# Reason codes offered when entering a business on a list (from 《企业经营异常名录管理暂行办法》, 《市场监督管理
# 严重违法失信名单管理办法》 and the campaign's warning list); "99" is any other reason, written out in full.
LIST_REASONS: dict[str, tuple[tuple[str, str], ...]] = {
    ListKind.ABNORMAL: (
        ("AB01", "未按规定期限公示年度报告"),
        ("AB02", "未在责令的期限内公示有关企业信息"),
        ("AB03", "公示企业信息隐瞒真实情况、弄虚作假"),
        ("AB04", "通过登记的住所或者经营场所无法联系"),
        ("AB99", "其他"),
    ),
    ListKind.SERIOUS: (
        ("SV01", "实施严重危害人民群众身体健康和生命安全的违法行为，受到较重行政处罚"),
        ("SV02", "实施严重破坏公平竞争秩序和社会正常秩序的违法行为，受到较重行政处罚"),
        ("SV03", "拒不履行法定义务，严重影响政府公信力的违法行为"),
        ("SV04", "被列入经营异常名录届满 3 年仍未履行相关义务"),
        ("SV05", "提交虚假材料或者采取其他欺诈手段隐瞒重要事实，取得登记"),
        ("SV99", "其他"),
    ),
    ListKind.WARNING: (
        ("WN01", "违反放心消费承诺，经责令仍未改正"),
        ("WN02", "一年内多次被投诉且拒绝调解"),
        ("WN03", "抽查检查不合格，未按期整改"),
        ("WN99", "其他"),
    ),
}
OTHER_REASON_SUFFIX = "99"


def reason_label(kind: str, code: str) -> str:
    return dict(LIST_REASONS.get(kind, ())).get(code, "")


def may_decide(user) -> bool:
    """Whether the user's role may enter list decisions, penalties and commitment breaches at all (the business
    must still be in the user's scope)."""
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.role in DECIDER_ROLES)


def _check_decider(actor: Actor, entity) -> None:
    if actor.role == SYSTEM_ROLE:
        return
    if not may_decide(actor.user):
        raise PermissionDenied("只有旗县区、职能部门工作人员和联席会议办公室可以录入信用名单决定和行政处罚。")
    from fangxin.merchants.models import MarketEntity

    if not MarketEntity.objects.visible_to(actor.user).filter(pk=entity.pk).exists():
        raise NotFound("未找到该市场主体。")  # outside the actor's scope: as if it did not exist


# The lengths of the ListEntry and CreditEvent columns: checked here so a long value is a message, not a database
# error (PostgreSQL refuses it; SQLite would store it).
TEXT_LIMITS = {"reason": ("具体事由", 300), "authority": ("作出决定机关", 100),
               "document_number": ("决定书文号", 100), "detail": ("内容", 300)}


def _check_lengths(**values: str) -> None:
    for name, value in values.items():
        label, limit = TEXT_LIMITS[name]
        if len((value or "").strip()) > limit:
            raise ValidationFailed(f"{label}过长：最多 {limit} 个字。", details={"field": name})


def _check_decision_date(value: date, label: str) -> None:
    if value is None:
        raise ValidationFailed(f"请填写{label}。", details={"field": "date"})
    if value > timezone.localdate():
        raise ValidationFailed(f"{label}不能晚于今天。", details={"field": "date"})


def staff_list_enter(*, actor: Actor, entity, kind: str, reason_code: str, reason: str = "", authority: str,
                     document_number: str, entered_on: date) -> ListEntry:
    """A staff member enters a business on a list: permission and scope checked, the reason code one of
    LIST_REASONS (an "other" code needs the reason written out), then `list_enter`."""
    _check_decider(actor, entity)
    if kind not in ListKind.values:
        raise ValidationFailed(f"未知名单：{kind}", details={"field": "kind"})
    label = reason_label(kind, reason_code)
    if not label:
        raise ValidationFailed(f"列入{ListKind(kind).label}的事由代码“{reason_code}”无效。", details={"field": "reason_code"})
    reason = (reason or "").strip()
    _check_lengths(reason=reason, authority=authority, document_number=document_number)
    if reason_code.endswith(OTHER_REASON_SUFFIX) and not reason:
        raise ValidationFailed("事由选“其他”时须写明具体事由。", details={"field": "reason"})
    _check_decision_date(entered_on, "列入日期")
    return list_enter(actor=actor, entity=entity, kind=kind, reason_code=reason_code, reason=reason or label,
                      authority=authority, document_number=document_number, entered_on=entered_on)


def staff_list_exit(*, actor: Actor, entry: ListEntry, exit_reason: str, exited_on: date,
                    document_number: str) -> ListEntry:
    """A staff member takes a business off a list; the exit needs the document number of the decision."""
    _check_decider(actor, entry.entity)
    if not (document_number or "").strip():
        raise ValidationFailed("移出名单须写明移出决定书文号。", details={"field": "document_number"})
    _check_lengths(document_number=document_number)
    _check_decision_date(exited_on, "移出日期")
    return list_exit(actor=actor, entry=entry, exit_reason=exit_reason, exited_on=exited_on,
                     document_number=document_number.strip())


def penalty_enter(*, actor: Actor, entity, decided_on: date, detail: str, document_number: str,
                  authority: str) -> tuple[CreditEvent, bool]:
    """An administrative penalty decision into the ledger, as (event, created). The document number names the
    decision, so the same decision entered twice (on the page or through the API) is one row."""
    _check_decider(actor, entity)
    _check_decision_date(decided_on, "处罚决定日期")
    document_number, authority = (document_number or "").strip(), (authority or "").strip()
    if not (document_number and authority):
        raise ValidationFailed("行政处罚须写明处罚决定书文号和作出决定机关。", details={"field": "document_number"})
    _check_lengths(document_number=document_number, authority=authority, detail=detail)
    return _record_new(actor=actor, entity=entity, kind=EventKind.PENALTY, occurred_on=decided_on, detail=detail,
                       source_ref=_decision_ref("penalty", document_number), document_number=document_number,
                       authority=authority)


def commitment_breach_enter(*, actor: Actor, entity, occurred_on: date, detail: str, document_number: str = "",
                            authority: str = "") -> tuple[CreditEvent, bool]:
    """A breach of the business's consumer commitment found by staff (e.g. refused a promised 7-day return).
    With a document number the same finding is recorded once; without one, each entry is its own finding."""
    _check_decider(actor, entity)
    _check_decision_date(occurred_on, "发生日期")
    _check_lengths(document_number=document_number, authority=authority, detail=detail)
    document_number = (document_number or "").strip()
    if document_number:
        source_ref = _decision_ref("breach", document_number)
    else:
        source_ref = f"breach:{entity.pk}:{uuid.uuid4().hex[:16]}"
    return _record_new(actor=actor, entity=entity, kind=EventKind.COMMITMENT_BREACH, occurred_on=occurred_on,
                       detail=detail, source_ref=source_ref, document_number=document_number, authority=authority)


def _record_new(*, source_ref: str, **fields) -> tuple[CreditEvent, bool]:
    """credit_event_record, telling whether the row is new or the same decision entered before."""
    existed = CreditEvent.objects.filter(source_ref=source_ref).exists()
    event = credit_event_record(source_ref=source_ref, **fields)
    return event, not existed


def _decision_ref(prefix: str, document_number: str) -> str:
    """A source reference from a document number, within the 80 characters of CreditEvent.source_ref."""
    ref = f"{prefix}:{document_number}"
    if len(ref) <= 80:
        return ref
    return f"{prefix}:h{hashlib.sha256(document_number.encode('utf-8')).hexdigest()[:32]}"


# --- Credit ledger and grades ---------------------------------------------------------------------------

EVENT_FIELDS = ("entity", "kind", "occurred_on", "detail", "source_ref", "document_number", "authority")
GRADE_FIELDS = ("grade", "score", "model_version")
SEED_ACTOR = Actor.system("credit")


def credit_event_record(*, actor: Actor, entity, kind: str, occurred_on: date, detail: str, source_ref: str,
                        document_number: str = "", authority: str = "") -> CreditEvent:
    """Append one event to the business's ledger and recompute its grade, in one transaction.
    Idempotent by `source_ref`: the same fact recorded again returns the existing row and writes nothing."""
    source_ref = source_ref.strip()
    if kind not in EventKind.values:
        raise ValidationFailed(f"未知信用事件：{kind}")
    if not source_ref:
        raise ValidationFailed("信用事件须注明来源。")
    if not detail.strip():
        raise ValidationFailed("信用事件须写明内容。")
    if kind == EventKind.PENALTY and not (document_number.strip() and authority.strip()):
        raise ValidationFailed("行政处罚须写明处罚决定书文号和作出决定机关。")
    existing = CreditEvent.objects.filter(source_ref=source_ref).first()
    if existing is not None:
        return _same_fact(existing, entity, kind)
    try:
        with transaction.atomic():
            event = CreditEvent.objects.create(entity=entity, kind=kind, occurred_on=occurred_on,
                                               detail=detail.strip()[:300], source_ref=source_ref,
                                               document_number=document_number.strip(),
                                               authority=authority.strip())
            audit.record(actor=actor, action="credit.event.record", obj=event,
                         changes=audit.diff({}, audit.snapshot(event, EVENT_FIELDS)))
            _recompute(actor, entity, event=event)
    except IntegrityError:  # the same source recorded concurrently: the other writer's row stands
        existing = CreditEvent.objects.filter(source_ref=source_ref).first()
        if existing is None:
            raise
        return _same_fact(existing, entity, kind)
    return event


def _same_fact(existing: CreditEvent, entity, kind: str) -> CreditEvent:
    if existing.entity_id != entity.pk or existing.kind != kind:
        raise Conflict(f"来源 {existing.source_ref} 已记为{existing.entity}的{existing.get_kind_display()}。")
    return existing


def grade_recompute(*, actor: Actor, entity) -> CreditGrade:
    with transaction.atomic():
        return _recompute(actor, entity, event=None)


def grade_model_publish(*, actor: Actor, model: GradeModel) -> GradeModel:
    """Publish a draft version; from then on it is the model in force (the highest published version)."""
    with transaction.atomic():
        model = GradeModel.objects.select_for_update().get(pk=model.pk)
        if model.status != GradeModelStatus.DRAFT:
            raise TransitionNotAllowed("只有草稿版本可以发布。")
        current = GradeModel.objects.current()
        if current is not None and model.version <= current.version:
            raise ValidationFailed(f"新版本号须大于正在使用的第 {current.version} 版。")
        try:
            grading.validate_rules(model.rules)
        except grading.InvalidRules as error:
            raise ValidationFailed(str(error)) from None
        model.status, model.published_at = GradeModelStatus.PUBLISHED, timezone.now()
        model.save(update_fields=["status", "published_at"])
        audit.record(actor=actor, action="credit.grade_model.publish", obj=model,
                     changes={"status": [GradeModelStatus.DRAFT, GradeModelStatus.PUBLISHED],
                              "version": [None, model.version]})
    return model


def ensure_default_model() -> GradeModel:
    """The model in force, seeding version 1 (grading.DEFAULT_RULES) when no version is published yet."""
    current = GradeModel.objects.current()
    if current is not None:
        return current
    with transaction.atomic():
        model, created = GradeModel.objects.get_or_create(
            version=1, defaults={"title": "放心消费信用评级模型", "status": GradeModelStatus.PUBLISHED,
                                 "rules": grading.DEFAULT_RULES, "published_at": timezone.now(),
                                 "note": "初始版本"})
        if created:
            audit.record(actor=SEED_ACTOR, action="credit.grade_model.seed", obj=model,
                         changes={"version": [None, 1], "status": [None, GradeModelStatus.PUBLISHED]})
    return GradeModel.objects.current() or model


def _recompute(actor: Actor, entity, *, event: CreditEvent | None) -> CreditGrade:
    """Inside the caller's transaction: grade the whole ledger as of today, store it, keep history, audit."""
    model = ensure_default_model()
    today = timezone.localdate()
    events = list(CreditEvent.objects.filter(entity=entity).only("id", "kind", "occurred_on"))
    lists = set(ListEntry.objects.current().filter(entity=entity).values_list("kind", flat=True))
    result = grading.score(events, model, today, lists=lists)
    now = timezone.now()
    grade = CreditGrade.objects.select_for_update().filter(entity=entity).first()
    before = audit.snapshot(grade, GRADE_FIELDS) if grade else {}
    previous = grade.grade if grade else ""
    if grade is None:
        grade = CreditGrade(entity=entity)
    grade.grade, grade.score, grade.model, grade.model_version = result.grade, result.score, model, model.version
    grade.computed_at, grade.explanation = now, result.explanation
    grade.save()
    after = audit.snapshot(grade, GRADE_FIELDS)
    if result.grade != previous:
        _open_grade_review(actor, entity, result.grade, today)
        CreditGradeHistory.objects.create(entity=entity, from_grade=previous, to_grade=result.grade,
                                          score=result.score, model_version=model.version, event=event,
                                          changed_at=now)
    if after != before:
        audit.record(actor=actor, action="credit.grade.recompute", obj=grade, changes=audit.diff(before, after))
    return grade
