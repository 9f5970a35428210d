"""Credit list decisions. Other capabilities ask `selectors.enrollment_blockers` before admitting a business."""

from datetime import date

from django.db import IntegrityError, transaction

from fangxin.core import audit
from fangxin.core.actors import Actor
from fangxin.core.exceptions import Conflict, TransitionNotAllowed, ValidationFailed

from .choices import ExitReason, ListKind
from .models import ListEntry

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
    return entry
