"""Credit list decisions, the credit ledger and grades. Other capabilities ask `selectors.enrollment_blockers`
before admitting a business, and record credit events only through `credit_event_record`."""

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from fangxin.core import audit
from fangxin.core.actors import Actor
from fangxin.core.exceptions import Conflict, TransitionNotAllowed, ValidationFailed

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
    """A serious-violation or abnormal-list entry opens a dynamic-management review of the business's
    enrollment and titles (policy 五(四)), in the same transaction."""
    if entry.kind not in (ListKind.SERIOUS, ListKind.ABNORMAL):
        return
    from fangxin.campaign.titles.choices import TriggerKind
    from fangxin.campaign.titles.services import case_open

    trigger = TriggerKind.SERIOUS_LIST if entry.kind == ListKind.SERIOUS else TriggerKind.ABNORMAL_LIST
    case_open(actor=actor, entity=entry.entity, trigger=trigger, source_ref=f"credit:{entry.pk}",
              detail=f"{entry.get_kind_display()}：{entry.reason}")


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
        CreditGradeHistory.objects.create(entity=entity, from_grade=previous, to_grade=result.grade,
                                          score=result.score, model_version=model.version, event=event,
                                          changed_at=now)
    if after != before:
        audit.record(actor=actor, action="credit.grade.recompute", obj=grade, changes=audit.diff(before, after))
    return grade
