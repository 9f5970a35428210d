"""Rollups follow the audit log: every state change writes an AuditRecord in its own transaction, so a receiver
on that record refreshes the changed object's contribution in the same transaction (docs/statistics.md).

Dispatch is by the audited object's type, not by the action name, so a new step in another app (or an edit in
the audited admin) keeps the rollups right without a change here. Bulk loaders that write no per-object audit
record are covered by `fangxin stats rebuild`."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from fangxin.core.models import AuditRecord

from . import rollups
from .models import Source

OBJECT_SOURCES = {
    "complaints.complaint": Source.COMPLAINT,
    "campaign.enrollment": Source.ENROLLMENT,
    "campaign.title": Source.TITLE,
}


@receiver(post_save, sender=AuditRecord, dispatch_uid="stats.rollups_from_audit")
def rollups_from_audit(sender, instance: AuditRecord, created: bool, raw: bool = False, **kwargs) -> None:
    if raw or not created or not instance.object_id.isdigit():
        return
    source = OBJECT_SOURCES.get(instance.object_type)
    if source is not None:
        rollups.refresh(source, [int(instance.object_id)], removed=instance.action.endswith(".delete"))
    elif instance.object_type == "merchants.marketentity":
        rollups.refresh_entity(int(instance.object_id))
