"""Credit repair (信用修复): a business asks, with evidence, that one negative ledger event or one current list entry
stop weighing on its grade; the authority's staff decide (docs/credit.md «信用修复»).

Who decides: county staff for businesses in their county, and the joint-meeting office for every business in its
region — both within their scope (RepairRequest.objects.visible_to). Department staff, the consumer association
and auditors read but do not decide.

What approval does, in the decision's transaction:
- a ledger event: a `credit_repaired` row (source_ref repair:<pk>) pointing at the repaired event is appended;
  grading.py leaves the repaired event out from then on and lists it under explanation["repaired"];
- a list entry: the entry exits the list with reason repair_served (services.list_exit), which removes the list's
  grade cap and records list_exited in the ledger.
Either way the grade is recomputed at once. Submission and decision are audited; the business (approval or
refusal) and the county staff (new request) are told after commit."""

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from fangxin.accounts.choices import Role
from fangxin.core import audit, notify
from fangxin.core.actors import SYSTEM_ROLE, Actor
from fangxin.core.exceptions import Conflict, PermissionDenied, TransitionNotAllowed, ValidationFailed

from . import services
from .choices import EventKind, ExitReason, RepairStatus, RepairTargetKind
from .models import CreditEvent, CreditGradeHistory, ListEntry, RepairEvidence, RepairRequest

DECIDERS = frozenset({Role.COUNTY_STAFF, Role.JOINT_OFFICE})
# The events a business may ask to repair: the ones that take points away.
REPAIRABLE_KINDS = frozenset({EventKind.COMPLAINT_UPHELD, EventKind.MEDIATION_REFUSED, EventKind.INSPECTION_FAILED,
                              EventKind.PENALTY, EventKind.COMMITMENT_BREACH, EventKind.TITLE_REVOKED})
REQUEST_FIELDS = ("entity", "target_kind", "event", "list_entry", "statement", "status", "decided_by",
                  "decided_at", "decision_reason", "document_number", "repair_event")
MIN_STATEMENT = 10


def repairable_events(entity):
    """The business's ledger events it may ask to repair now: negative kinds, not repaired, no request open."""
    return (CreditEvent.objects.filter(entity=entity, kind__in=REPAIRABLE_KINDS, repaired_by__isnull=True)
            .exclude(repair_requests__status=RepairStatus.SUBMITTED).order_by("-occurred_on", "-id"))


def repairable_entries(entity):
    return (ListEntry.objects.current().filter(entity=entity)
            .exclude(repair_requests__status=RepairStatus.SUBMITTED).order_by("-entered_on", "-id"))


def _may_act_for(actor: Actor, entity) -> bool:
    from fangxin.merchants.models import MarketEntity

    if actor.role == SYSTEM_ROLE:
        return True
    return actor.role == Role.MERCHANT and MarketEntity.objects.visible_to(actor.user).filter(pk=entity.pk).exists()


def repair_submit(*, actor: Actor, entity, statement: str, files, event: CreditEvent | None = None,
                  list_entry: ListEntry | None = None) -> RepairRequest:
    """The business asks to repair one event or one current list entry; at least one evidence file."""
    from fangxin.complaints import evidence as evidence_files

    if not _may_act_for(actor, entity):
        raise PermissionDenied("信用修复由经营者本人为本单位申请。")
    if (event is None) == (list_entry is None):
        raise ValidationFailed("请选择要修复的一条信用事件或一条名单记录。", details={"field": "target"})
    statement = (statement or "").strip()
    if len(statement) < MIN_STATEMENT:
        raise ValidationFailed(f"请写明修复理由和已采取的整改措施（至少 {MIN_STATEMENT} 个字）。",
                               details={"field": "statement"})
    if len(statement) > 2000:
        raise ValidationFailed("修复理由最多 2000 个字。", details={"field": "statement"})
    checked = evidence_files.check(files or [])
    if not checked:
        raise ValidationFailed("请上传整改、履行或其他证明材料（图片或 PDF）。", details={"field": "files"})
    if event is not None:
        if event.entity_id != entity.pk:
            raise ValidationFailed("该信用事件不属于本单位。", details={"field": "target"})
        if event.kind not in REPAIRABLE_KINDS:
            raise ValidationFailed(f"“{event.get_kind_display()}”不扣分，无须修复。", details={"field": "target"})
        if event.repaired_by.exists():
            raise Conflict("该信用事件已经修复。")
        target = {"target_kind": RepairTargetKind.EVENT, "event": event}
    else:
        if list_entry.entity_id != entity.pk:
            raise ValidationFailed("该名单记录不属于本单位。", details={"field": "target"})
        if list_entry.exited_on is not None:
            raise Conflict("该记录已经移出名单。")
        target = {"target_kind": RepairTargetKind.LIST_ENTRY, "list_entry": list_entry}
    try:
        with transaction.atomic():
            request = RepairRequest.objects.create(entity=entity, statement=statement,
                                                   submitted_by=actor.user if actor.user_id else None, **target)
            for item in checked:
                stored = RepairEvidence(request=request, original_name=item.name, content_type=item.content_type,
                                        size=item.size, sha256=item.sha256)
                stored.file.save(f"{item.sha256[:16]}.{item.name.rsplit('.', 1)[-1].lower()}", item.upload,
                                 save=False)
                stored.save()
            audit.record(actor=actor, action="credit.repair.submit", obj=request,
                         changes={**audit.diff({}, audit.snapshot(request, REQUEST_FIELDS)),
                                  "evidence": [None, [item.sha256 for item in checked]]})
            notify.queue(_tell_staff(request))
    except IntegrityError:
        raise Conflict("该事项已有待决定的信用修复申请，请等待决定。") from None
    return request


def may_decide(user, request: RepairRequest) -> bool:
    return getattr(user, "role", None) in DECIDERS and \
        RepairRequest.objects.visible_to(user).filter(pk=request.pk).exists()


def repair_decide(*, actor: Actor, request: RepairRequest, approve: bool, reason: str,
                  document_number: str = "") -> RepairRequest:
    """Approve (the repair takes effect at once, see the module doc) or reject, with the reason."""
    if actor.role != SYSTEM_ROLE and not may_decide(actor.user, request):
        raise PermissionDenied("信用修复由本辖区旗县区工作人员或联席会议办公室决定。")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("请写明决定理由（将告知经营者）。", details={"field": "reason"})
    if len(reason) > 500:
        raise ValidationFailed("决定理由最多 500 个字。", details={"field": "reason"})
    document_number = (document_number or "").strip()
    if len(document_number) > 100:
        raise ValidationFailed("修复决定文号最多 100 个字。", details={"field": "document_number"})
    with transaction.atomic():
        request = RepairRequest.objects.select_for_update().select_related("entity").get(pk=request.pk)
        if request.status != RepairStatus.SUBMITTED:
            raise TransitionNotAllowed("该信用修复申请已经决定。")
        before = audit.snapshot(request, REQUEST_FIELDS)
        today = timezone.localdate()
        if approve:
            request.repair_event = _apply(actor, request, today, reason, document_number)
        request.status = RepairStatus.APPROVED if approve else RepairStatus.REJECTED
        request.decided_by = actor.user if actor.user_id else None
        request.decided_at, request.decision_reason, request.document_number = timezone.now(), reason, document_number
        request.save()
        audit.record(actor=actor, action="credit.repair.decide", obj=request,
                     changes=audit.diff(before, audit.snapshot(request, REQUEST_FIELDS)))
        notify.queue(_tell_business(request))
    return request


def _apply(actor: Actor, request: RepairRequest, today, reason: str, document_number: str) -> CreditEvent:
    authority = _authority(actor)
    if request.target_kind == RepairTargetKind.LIST_ENTRY:
        entry = ListEntry.objects.get(pk=request.list_entry_id)
        if entry.exited_on is not None:
            raise Conflict("该记录已经移出名单，无须修复。")
        services.list_exit(actor=actor, entry=entry, exit_reason=ExitReason.REPAIR_SERVED, exited_on=today,
                           document_number=document_number)
        return CreditEvent.objects.get(source_ref=f"list:{entry.pk}:exit")
    event = CreditEvent.objects.select_for_update().get(pk=request.event_id)
    if event.repaired_by.exists():
        raise Conflict("该信用事件已经修复。")
    row = services.credit_event_record(
        actor=actor, entity=request.entity, kind=EventKind.CREDIT_REPAIRED, occurred_on=today,
        detail=f"信用修复：{event.get_kind_display()}（{event.occurred_on:%Y-%m-%d}）不再计分。{reason}"[:300],
        source_ref=f"repair:{request.pk}", document_number=document_number, authority=authority)
    # credit_event_record appends the row; the link to the repaired event is set in the same transaction,
    # before anyone can read it, and the grade computed again with the event left out.
    CreditEvent.objects.filter(pk=row.pk, repairs__isnull=True).update(repairs=event)
    audit.record(actor=actor, action="credit.event.repair_link", obj=row, changes={"repairs": [None, event.pk]})
    seen = CreditGradeHistory.objects.filter(entity=request.entity).aggregate(last=Max("id"))["last"] or 0
    services.grade_recompute(actor=actor, entity=request.entity)
    # the grade change this recompute wrote (if any) was caused by the repair: say so in the history
    CreditGradeHistory.objects.filter(entity=request.entity, id__gt=seen, event__isnull=True).update(event=row)
    row.repairs = event
    return row


def _authority(actor: Actor) -> str:
    user = actor.user
    region = getattr(user, "region", None) if user is not None else None
    if actor.role == Role.JOINT_OFFICE:
        return f"{region.name if region else ''}放心消费创建工作联席会议办公室"[:100]
    return f"{region.name if region else ''}市场监督管理局"[:100]


def _tell_business(request: RepairRequest) -> list[notify.Message]:
    entity = request.entity
    if request.status == RepairStatus.APPROVED:
        subject, text = "信用修复已准予", f"{entity.name}的信用修复申请（{request.target_label[:60]}）已准予，信用等级已重新计算。"
    else:
        subject, text = "信用修复未准予", f"{entity.name}的信用修复申请未准予。理由：{request.decision_reason}"
    messages = []
    if entity.contact_phone:
        messages.append(notify.Message("sms", entity.contact_phone, subject, text, "business", "credit_repair",
                                       str(request.pk)))
    for binding in entity.bindings.filter(status="confirmed").select_related("user"):
        if binding.user.email:
            messages.append(notify.Message("email", binding.user.email, subject, text, "business", "credit_repair",
                                           str(request.pk)))
    return messages


def _tell_staff(request: RepairRequest) -> list[notify.Message]:
    from fangxin.accounts.models import User

    entity = request.entity
    text = f"{entity.name}（{entity.uscc}）申请信用修复：{request.target_label[:80]}。请在工作台“信用修复”中决定。"
    messages = []
    staff = User.objects.filter(role=Role.COUNTY_STAFF, is_active=True, region=entity.region)
    for user in staff:
        if user.phone:
            messages.append(notify.Message("sms", user.phone, "新的信用修复申请", text, "staff", "credit_repair",
                                           str(request.pk)))
        if user.email:
            messages.append(notify.Message("email", user.email, "新的信用修复申请", text, "staff", "credit_repair",
                                           str(request.pk)))
    return messages
