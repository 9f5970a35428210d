"""Writes of the statistics capability: the counties' coordination mechanisms (goal 一). The rollups themselves
are written by rollups.py from the audit log, never by a page."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from fangxin.accounts.choices import Role
from fangxin.core import audit
from fangxin.core.actors import SYSTEM_ROLE, Actor
from fangxin.core.exceptions import PermissionDenied, ValidationFailed
from fangxin.organisation.choices import RegionLevel
from fangxin.organisation.models import Region

from .models import CoordinationMechanism

MECHANISM_FIELDS = ["established_on", "document_no", "members", "note"]


def can_record_mechanism(user, county: Region | None = None) -> bool:
    """The joint-meeting office for any county; county staff for their own."""
    role = getattr(user, "role", None)
    if role == Role.JOINT_OFFICE:
        return True
    if role == Role.COUNTY_STAFF and getattr(user, "region", None) is not None:
        return county is None or county.path.startswith(user.region.path)
    return False


def _text(value, label: str, field: str, max_length: int, *, required: bool) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationFailed(f"请填写{label}。", details={"field": field})
    if len(value) > max_length:
        raise ValidationFailed(f"{label}不能超过 {max_length} 个字。", details={"field": field})
    return value


def mechanism_record(*, actor: Actor, county_code: str, established_on: date | None, document_no: str,
                     members: str = "", note: str = "") -> CoordinationMechanism:
    """Record (or correct) a county's coordination mechanism."""
    county = Region.objects.filter(code=county_code, level=RegionLevel.COUNTY).first()
    if county is None:
        raise ValidationFailed("请选择旗县区。", details={"field": "county"})
    if actor.role != SYSTEM_ROLE and not can_record_mechanism(actor.user, county):
        raise PermissionDenied("只有联席会议办公室和本旗县区工作人员可以登记协作机制。")
    if established_on is None:
        raise ValidationFailed("请填写建立日期。", details={"field": "established_on"})
    if established_on > timezone.localdate():
        raise ValidationFailed("建立日期不能晚于今天。", details={"field": "established_on"})
    values = {"established_on": established_on,
              "document_no": _text(document_no, "文件文号", "document_no", 60, required=True),
              "members": _text(members, "成员单位", "members", 300, required=False),
              "note": _text(note, "说明", "note", 300, required=False)}
    with transaction.atomic():
        mechanism = CoordinationMechanism.objects.select_for_update().filter(region=county).first()
        before = audit.snapshot(mechanism, MECHANISM_FIELDS) if mechanism else {}
        if mechanism is None:
            mechanism = CoordinationMechanism(region=county)
        for name, value in values.items():
            setattr(mechanism, name, value)
        mechanism.recorded_by = actor.name[:150]
        mechanism.save()
        changes = audit.diff(before, audit.snapshot(mechanism, MECHANISM_FIELDS))
        if changes:
            audit.record(actor=actor, action="stats.mechanism." + ("update" if before else "create"), obj=mechanism,
                         changes=changes)
    return mechanism
