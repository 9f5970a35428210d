"""Rollups follow the audit log: every state change writes an AuditRecord in its own transaction, and
`core.audit.record` tells its observers of each new record there; this observer (registered in StatsConfig.ready)
refreshes the changed object's contribution in the same transaction (docs/statistics.md).

Dispatch is by the audited object's type, not by the action name, so a new step in another app (or an edit in
the audited admin) keeps the rollups right without a change here. Bulk loaders that write no per-object audit
record are covered by `fangxin stats rebuild`."""

from fangxin.core.models import AuditRecord

from . import cache, rollups
from .models import Source

OBJECT_SOURCES = {
    "complaints.complaint": (Source.COMPLAINT,),
    "campaign.enrollment": (Source.ENROLLMENT,),
    "campaign.title": (Source.TITLE,),
    "inspections.inspection": (Source.INSPECTION,),
    "alerts.warning": (Source.WARNING,),
    "credit.creditgrade": (Source.GRADE,),
    # one list entry feeds two sources: its entry month and its exit month
    "credit.listentry": (Source.LIST_ENTRY, Source.LIST_EXIT),
}


# Records the dashboards read directly rather than through a rollup (mechanisms, service stations, plans and their
# draws, the reference data of counties, sectors and departments): a change of any of them bumps the `inputs`
# version, so no cached dashboard outlives it (stats.cache).
INPUT_TYPES = frozenset({"stats.coordinationmechanism", "complaints.servicestation", "inspections.plan",
                         "inspections.draw"})
INPUT_APPS = ("organisation.",)


def rollups_from_audit(instance: AuditRecord) -> None:
    if instance.object_type in INPUT_TYPES or instance.object_type.startswith(INPUT_APPS):
        cache.bump(cache.INPUTS)
    if not instance.object_id.isdigit():
        return
    sources = OBJECT_SOURCES.get(instance.object_type)
    if sources is not None:
        for source in sources:
            rollups.refresh(source, [int(instance.object_id)], removed=instance.action.endswith(".delete"))
    elif instance.object_type == "merchants.marketentity":
        rollups.refresh_entity(int(instance.object_id))
    elif instance.object_type == "inspections.plan":
        rollups.refresh_plan(int(instance.object_id))
