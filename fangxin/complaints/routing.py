"""Where a new complaint goes: the registry entity, the county that has jurisdiction, the sector and the
handling department (complaint-rules.md, "Jurisdiction"; policy 四 for the lead departments)."""

from dataclasses import dataclass

from fangxin.core import uscc as uscc_rules
from fangxin.merchants.models import MarketEntity
from fangxin.merchants.search import normalise
from fangxin.organisation.models import Department, Region, Sector


@dataclass(frozen=True)
class Route:
    entity: MarketEntity | None
    region: Region
    sector: Sector | None
    department: Department | None
    basis: str  # why this county, in words staff read


def match_entity(*, uscc: str, name: str, address: str, entity_id: int | None = None) -> MarketEntity | None:
    """The registry entity the complaint is about: picked, or by USCC, or by exact name (address breaks ties)."""
    queryset = MarketEntity.objects.select_related("region", "sector")
    if entity_id:
        return queryset.filter(pk=entity_id).first()
    code = (uscc or "").strip().upper()
    if code and not uscc_rules.problem(code):
        found = queryset.filter(uscc=code).first()
        if found:
            return found
    wanted = normalise(name or "")
    if not wanted:
        return None
    candidates = [e for e in queryset.filter(name__icontains=(name or "").strip()[:120])[:20]
                  if normalise(e.name) == wanted]
    if len(candidates) > 1 and address:
        near = [e for e in candidates if normalise(address) and normalise(address)[:6] in normalise(e.address)]
        candidates = near or candidates
    return candidates[0] if len(candidates) == 1 else None


def platform_entity(platform_name: str) -> MarketEntity | None:
    if not platform_name.strip():
        return None
    return (MarketEntity.objects.select_related("region")
            .filter(name__icontains=platform_name.strip()[:60], sector__code="ecommerce").order_by("id").first())


def lead_department(sector: Sector | None) -> Department | None:
    if sector is None:
        return None
    return sector.lead_departments.order_by("id").first()


def route(*, entity: MarketEntity | None, fallback_region: Region, platform_name: str = "",
          sector: Sector | None = None) -> Route:
    """Jurisdiction: where the business operates or is registered; a platform seller with no address in the
    registry goes to the platform's registered place; otherwise the bureau that first received it."""
    if entity is not None:
        region, basis = entity.region, "被投诉经营者登记的经营地"
    else:
        platform = platform_entity(platform_name)
        if platform is not None:
            region, basis = platform.region, f"平台内经营者无有效地址，按平台（{platform.name}）登记地"
        else:
            region, basis = fallback_region, "首先收到投诉的旗县区"
    sector = sector or (entity.sector if entity is not None else None)
    return Route(entity=entity, region=region, sector=sector, department=lead_department(sector), basis=basis)
