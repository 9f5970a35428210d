"""Reads of the registry. Staff reads go through visible_to(user); public reads expose public fields only."""

from django.db.models import QuerySet

from fangxin.core.exceptions import NotFound

from . import search
from .models import MarketEntity

# The portal lists at most this many matches (ranked and sorted among themselves) and asks for a narrower search.
PUBLIC_SEARCH_CAP = 1000
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


def entity_public_search(*, query: str, region_code: str = "", sector_code: str = "", enrolled: bool | None = None,
                         title: str = "", credit_grade: str = "") -> QuerySet[MarketEntity]:
    """The portal's search: every registered entity, public fields only.

    `enrolled`, `title` and `credit_grade` are filled by the capabilities that own them (search.register_filter);
    leave them unset until then.
    """
    return _filtered(MarketEntity.objects.select_related("region", "sector"), query, region_code, sector_code,
                     enrolled=enrolled, title=title, credit_grade=credit_grade)


def entity_public_search_page(*, query: str, region_code: str = "", sector_code: str = "",
                              enrolled: bool | None = None, cap: int | None = None) -> tuple[QuerySet, bool]:
    """The portal's search as a consumer waits on it: the first `cap` matches (default PUBLIC_SEARCH_CAP), ranked
    and ordered like `entity_public_search`, and whether there were more. Its cost follows the cap, not the
    registry: at region scale a common two-character query matches hundreds of thousands of businesses."""
    cap = cap or PUBLIC_SEARCH_CAP
    entities = _filtered(MarketEntity.objects.select_related("region", "sector"), "", region_code, sector_code,
                         enrolled=enrolled)
    if (query or "").strip():
        return search.search_entities_capped(entities, query, cap)
    ids = list(entities.order_by().values_list("pk", flat=True)[:cap + 1])
    return entities.filter(pk__in=ids[:cap]), len(ids) > cap


def _filtered(entities, query: str, region_code: str, sector_code: str, **extra):
    """Region subtree, sector and the capabilities' filters (`extra`, see search.EXTRA_FILTERS), then the text
    query through the search index (ordered by relevance, then name) or, without one, the registry by name."""
    if region_code:
        entities = entities.filter(region__path__contains=f"/{region_code}/")
    if sector_code:
        entities = entities.filter(sector__code=sector_code)
    entities = search.apply_extra_filters(entities, **extra)
    if (query or "").strip():
        return search.search_entities(entities, query)
    return entities.order_by("name", "uscc")


def entity_public_get(uscc: str) -> MarketEntity:
    """One entity by its code for public pages and the public API (public fields are chosen by the caller)."""
    entity = MarketEntity.objects.select_related("region", "sector").filter(uscc=(uscc or "").strip().upper()).first()
    if entity is None:
        raise NotFound("未找到该市场主体。")
    return entity


def pending_claims(*, user):
    """Claims waiting for this staff member: bindings whose entity is in the user's scope."""
    from fangxin.accounts.models import BindingStatus, MerchantBinding

    visible = MarketEntity.objects.visible_to(user).values("pk")
    return (MerchantBinding.objects.filter(status=BindingStatus.PENDING, entity__in=visible)
            .select_related("user", "entity", "entity__region").order_by("created_at"))


def claim_get(*, user, pk: int):
    binding = pending_claims(user=user).filter(pk=pk).first()
    if binding is None:
        raise NotFound("未找到该认领申请。")
    return binding


def my_bindings(*, user):
    from fangxin.accounts.models import MerchantBinding

    return MerchantBinding.objects.filter(user=user).select_related("entity", "entity__region", "entity__sector")
