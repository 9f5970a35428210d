"""Reads of the registry. Staff reads go through visible_to(user); public reads expose public fields only."""

from django.db.models import Q, QuerySet

from fangxin.core.exceptions import NotFound

from .models import MarketEntity

PUBLIC_FIELDS = ("uscc", "name", "entity_type", "address", "region__name", "sector__name", "operating_status")


def entity_list(*, user, query: str = "", region_code: str = "", sector_code: str = "") -> QuerySet[MarketEntity]:
    entities = MarketEntity.objects.visible_to(user).select_related("region", "sector")
    return _filtered(entities, query, region_code, sector_code)


def entity_get(*, user, uscc: str) -> MarketEntity:
    """One entity the user may see; missing and forbidden both raise NotFound."""
    entity = MarketEntity.objects.visible_to(user).select_related("region", "sector").filter(uscc=uscc.upper()).first()
    if entity is None:
        raise NotFound("未找到该市场主体。")
    return entity


def entity_public_search(*, query: str, region_code: str = "", sector_code: str = "") -> QuerySet[MarketEntity]:
    """The portal's search: every registered entity, public fields only."""
    return _filtered(MarketEntity.objects.select_related("region", "sector"), query, region_code, sector_code)


def _filtered(entities, query: str, region_code: str, sector_code: str):
    query = (query or "").strip()
    if query:
        entities = entities.filter(Q(name__contains=query) | Q(uscc=query.upper()) | Q(address__contains=query))
    if region_code:
        entities = entities.filter(region__path__contains=f"/{region_code}/")
    if sector_code:
        entities = entities.filter(sector__code=sector_code)
    return entities.order_by("name", "uscc")
