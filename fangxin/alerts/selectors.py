"""Every read a user makes of warnings and prepaid declarations; `visible_to(user)` first, so a warning out of
scope is simply not found (404, as for a missing one)."""

from dataclasses import dataclass

from fangxin.accounts.choices import Role
from fangxin.accounts.scope import scope_of
from fangxin.complaints.models import Complaint
from fangxin.core.exceptions import NotFound
from fangxin.merchants.models import MarketEntity

from .choices import PREPAID_SECTORS, WarningKind, WarningStatus
from .models import PrepaidScheme, Warning
from .services import current_settings  # noqa: F401 - the thresholds are read through here by the pages


def warnings_visible(user, *, status: str = "", kind: str = "", severity: str = ""):
    rows = Warning.objects.visible_to(user).select_related("region", "sector", "department", "entity")
    if status == "unclosed":
        rows = rows.unclosed()
    elif status in WarningStatus.values:
        rows = rows.filter(status=status)
    if kind in WarningKind.values:
        rows = rows.filter(kind=kind)
    if severity:
        rows = rows.filter(severity=severity)
    return rows.order_by("-last_seen_on", "-id")


def warning_get(user, pk: int) -> Warning:
    warning = warnings_visible(user).prefetch_related("events").filter(pk=pk).first()
    if warning is None:
        raise NotFound("没有找到该预警。")
    return warning


def evidence_complaints(user, warning: Warning):
    """The complaints behind a warning that the user may see (newest first)."""
    return (Complaint.objects.visible_to(user).filter(pk__in=warning.evidence)
            .select_related("region", "sector").order_by("-received_on", "-id"))


@dataclass(frozen=True)
class PrepaidProfile:
    scheme: PrepaidScheme | None  # None: the business has not declared yet


def prepaid_for_profile(entity) -> PrepaidProfile | None:
    """What a business's public profile shows about its prepaid cards: None outside the prepaid-card sectors
    (nothing to show), else the declaration or the fact that there is none yet."""
    if entity is None or entity.sector.code not in PREPAID_SECTORS:
        return None
    return PrepaidProfile(scheme=PrepaidScheme.objects.filter(entity=entity).first())


def merchant_prepaid_entities(user) -> list[MarketEntity]:
    """The merchant's confirmed businesses that must declare prepaid cards, each with `.scheme` (or None)."""
    if getattr(user, "role", None) != Role.MERCHANT:
        return []
    ids = scope_of(user).entity_ids or ()
    entities = list(MarketEntity.objects.filter(pk__in=ids, sector__code__in=PREPAID_SECTORS)
                    .select_related("sector", "region").order_by("name"))
    schemes = {s.entity_id: s for s in PrepaidScheme.objects.filter(entity__in=entities)}
    for entity in entities:
        entity.scheme = schemes.get(entity.pk)
    return entities


def merchant_prepaid_entity(user, uscc: str) -> MarketEntity:
    entity = next((e for e in merchant_prepaid_entities(user) if e.uscc == uscc), None)
    if entity is None:
        raise NotFound("没有找到需要申报预付卡的经营者。")
    return entity
