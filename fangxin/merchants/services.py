"""Registry writes: each one validated, in one transaction, with its audit record."""

from django.core.exceptions import ValidationError
from django.db import transaction

from fangxin.core import audit
from fangxin.core import uscc as uscc_rules
from fangxin.core.actors import Actor
from fangxin.core.exceptions import Conflict, ValidationFailed

from .models import MarketEntity

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
