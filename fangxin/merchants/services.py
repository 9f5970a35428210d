"""Registry writes: each one validated, in one transaction, with its audit record."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from fangxin.accounts.choices import STAFF_ROLES, Role
from fangxin.accounts.models import BindingStatus, MerchantBinding
from fangxin.core import audit
from fangxin.core import uscc as uscc_rules
from fangxin.core.actors import Actor
from fangxin.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from fangxin.core.transitions import StateMachine

from . import search
from .models import MarketEntity

CLAIM_FLOW = StateMachine("claim", {
    BindingStatus.PENDING: {BindingStatus.CONFIRMED, BindingStatus.REJECTED},
    BindingStatus.CONFIRMED: {BindingStatus.ENDED},
}, labels=BindingStatus)

ENTITY_FIELDS = ("uscc", "name", "entity_type", "legal_representative", "address", "region", "sector",
                 "online_platform", "online_shop_url", "operating_status", "contact_phone")


def entity_create(*, actor: Actor, uscc: str, name: str, region, sector, **fields) -> MarketEntity:
    try:
        code = uscc_rules.validate(uscc)
    except uscc_rules.InvalidUSCC as exc:
        raise ValidationFailed(str(exc), details={"field": "uscc"}) from None
    entity = MarketEntity(uscc=code, name=name.strip(), region=region, sector=sector, **fields)
    _full_clean(entity)
    with transaction.atomic():
        if MarketEntity.objects.filter(uscc=code).exists():
            raise Conflict(f"统一社会信用代码 {code} 已在名录中。", details={"field": "uscc"})
        entity.save()
        search.reindex_entities([entity.pk])
        audit.record(actor=actor, action="merchants.entity.create", obj=entity,
                     changes=audit.diff({}, audit.snapshot(entity, ENTITY_FIELDS)))
    return entity


def entity_update(*, actor: Actor, entity: MarketEntity, **fields) -> MarketEntity:
    if "uscc" in fields:
        raise ValidationFailed("统一社会信用代码不能修改。")
    with transaction.atomic():
        entity = MarketEntity.objects.select_for_update().get(pk=entity.pk)
        before = audit.snapshot(entity, ENTITY_FIELDS)
        for name, value in fields.items():
            setattr(entity, name, value)
        _full_clean(entity)
        entity.save()
        changes = audit.diff(before, audit.snapshot(entity, ENTITY_FIELDS))
        if {"name", "address"} & set(changes):
            search.reindex_entities([entity.pk])
        if changes:
            audit.record(actor=actor, action="merchants.entity.update", obj=entity, changes=changes)
    return entity


def _full_clean(entity: MarketEntity) -> None:
    try:
        entity.full_clean(validate_unique=False)
    except ValidationError as exc:
        messages = [f"{entity._meta.get_field(f).verbose_name}：{'；'.join(errs)}" if f != "__all__" else "；".join(errs)
                    for f, errs in exc.message_dict.items()]
        raise ValidationFailed("；".join(messages), details={"fields": exc.message_dict}) from None


def _same_person(a: str, b: str) -> bool:
    def norm(text):
        return "".join((text or "").split()).replace("·", "").replace("•", "")

    return bool(norm(a)) and norm(a) == norm(b)


def claim_submit(*, actor: Actor, uscc: str, legal_representative: str):
    """A merchant account asks to act for a business; county staff confirm. The answer for a wrong code and a
    wrong name is the same, so the form cannot be used to learn who runs which business."""
    if actor.role != Role.MERCHANT or not actor.user_id:
        raise PermissionDenied("只有经营者账号可以认领市场主体。")
    code = uscc_rules.normalize(uscc)
    problem = uscc_rules.problem(code)
    if problem:
        raise ValidationFailed(problem, details={"field": "uscc"})
    entity = MarketEntity.objects.filter(uscc=code).first()
    if entity is None or not _same_person(entity.legal_representative, legal_representative):
        raise ValidationFailed("统一社会信用代码与法定代表人（经营者）姓名不匹配，或该主体尚未登记。请核对营业执照后重试。")
    with transaction.atomic():
        binding = MerchantBinding.objects.select_for_update().filter(user=actor.user, entity=entity).first()
        if binding and binding.status in (BindingStatus.PENDING, BindingStatus.CONFIRMED):
            raise Conflict("您已认领过该市场主体。" if binding.status == BindingStatus.CONFIRMED else "认领申请已提交，请等待审核。")
        if binding is None:
            binding = MerchantBinding.objects.create(user=actor.user, entity=entity)
        else:
            binding.status, binding.decided_by, binding.decided_at = BindingStatus.PENDING, None, None
            binding.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
        audit.record(actor=actor, action="merchants.claim.submit", obj=binding,
                     changes={"entity": [None, entity.uscc], "status": [None, BindingStatus.PENDING]})
    return binding


def claim_decide(*, actor: Actor, binding, approve: bool, reason: str = ""):
    """County staff confirm or reject a pending claim (the caller has fetched it through visible claims)."""
    if actor.role not in STAFF_ROLES:
        raise PermissionDenied("只有工作人员可以审核认领。")
    if not approve and not reason.strip():
        raise ValidationFailed("驳回认领时请写明原因。")
    with transaction.atomic():
        binding = MerchantBinding.objects.select_for_update().get(pk=binding.pk)
        CLAIM_FLOW.check(binding.status, BindingStatus.CONFIRMED if approve else BindingStatus.REJECTED)
        before = binding.status
        binding.status = BindingStatus.CONFIRMED if approve else BindingStatus.REJECTED
        binding.decided_by, binding.decided_at = actor.user, timezone.now()
        binding.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
        audit.record(actor=actor, action=f"merchants.claim.{'confirm' if approve else 'reject'}", obj=binding,
                     changes={"status": [before, binding.status], "reason": [None, reason.strip()]})
    return binding
