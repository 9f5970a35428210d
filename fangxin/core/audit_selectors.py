"""Reads of the audit log: only auditors and administrators see it, in full."""

from django.db.models import QuerySet

from fangxin.accounts.permissions import can_view_audit

from .models import AuditRecord


def audit_list(*, user, actor: str = "", action: str = "", object_type: str = "", object_id: str = "") -> QuerySet:
    if not can_view_audit(user):
        return AuditRecord.objects.none()
    records = AuditRecord.objects.order_by("-seq")
    if actor:
        records = records.filter(actor_name__contains=actor)
    if action:
        records = records.filter(action__startswith=action)
    if object_type:
        records = records.filter(object_type=object_type)
    if object_id:
        records = records.filter(object_id=object_id)
    return records
