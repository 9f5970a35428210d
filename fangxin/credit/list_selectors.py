"""Reads of the credit lists and the ledger for the list pages, the public lists, the exports and the API.

Staff reads go through `visible_to(user)` (a row outside the user's scope is as missing); public reads return
list entries only, with business facts (name, code, county) and never a person's data."""

import re
import unicodedata

from django.db.models import Count, Q, QuerySet

from fangxin.core import uscc as uscc_rules
from fangxin.core.exceptions import NotFound, ValidationFailed
from fangxin.merchants.models import MarketEntity

from .choices import ListKind
from .models import CreditEvent, ListEntry

STATUS_CURRENT, STATUS_EXITED, STATUS_ALL = "current", "exited", "all"
STATUSES = (STATUS_CURRENT, STATUS_EXITED, STATUS_ALL)
MAX_QUERY = 60


def normalise_query(text: str) -> str:
    """A search as typed on a phone: full-width letters and digits folded, spaces dropped, at most 60 characters."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))[:MAX_QUERY]


def _filter(rows: QuerySet, *, kind: str = "", status: str = STATUS_CURRENT, query: str = "",
            county: str = "") -> QuerySet:
    if kind:
        if kind not in ListKind.values:
            raise ValidationFailed(f"未知名单：{kind}", details={"field": "list"})
        rows = rows.filter(kind=kind)
    if status not in STATUSES:
        raise ValidationFailed(f"未知的状态：{status}（可用 current、exited、all）", details={"field": "status"})
    if status == STATUS_CURRENT:
        rows = rows.filter(exited_on__isnull=True)
    elif status == STATUS_EXITED:
        rows = rows.filter(exited_on__isnull=False)
    if county:
        rows = rows.filter(entity__region__code=county)
    query = normalise_query(query)
    if query:
        rows = rows.filter(Q(entity__name__icontains=query) | Q(entity__uscc__iexact=query.upper()))
    return rows


def staff_entries(user, *, kind: str = "", status: str = STATUS_CURRENT, query: str = "",
                  county: str = "") -> QuerySet:
    """The list entries the user may see, filtered; current entries newest first, exits by exit date."""
    rows = _filter(ListEntry.objects.visible_to(user).select_related("entity__region", "entity__sector"),
                   kind=kind, status=status, query=query, county=county)
    order = ("-exited_on", "-id") if status == STATUS_EXITED else ("-entered_on", "-id")
    return rows.order_by(*order)


def staff_entry_get(user, pk: int) -> ListEntry:
    entry = ListEntry.objects.visible_to(user).select_related("entity__region").filter(pk=pk).first()
    if entry is None:
        raise NotFound("没有找到该名单记录。")
    return entry


def entity_for_staff(user, uscc: str) -> MarketEntity:
    """A business in the user's scope by its code; missing and forbidden both raise NotFound."""
    code = normalise_query(uscc).upper()
    entity = MarketEntity.objects.visible_to(user).select_related("region", "sector").filter(uscc=code).first()
    if entity is None:
        wrong = uscc_rules.problem(code)  # a malformed code names its mistake (no such code can exist anyway)
        raise NotFound(f"{wrong}。" if wrong else
                       f"未找到统一社会信用代码为 {code} 的市场主体，或该主体不在您的管辖范围。")
    return entity


def entities_by_name(user, text: str, limit: int = 20) -> list[MarketEntity]:
    """Businesses in the user's scope whose name contains `text`, for picking one when the code is not at hand."""
    query = normalise_query(text)
    if len(query) < 2:
        return []
    rows = MarketEntity.objects.visible_to(user).select_related("region", "sector").filter(name__icontains=query)
    return list(rows.order_by("name", "id")[:limit])


def ledger(user, entity) -> QuerySet:
    """The business's ledger as the user may see it, newest first."""
    return (CreditEvent.objects.visible_to(user).filter(entity=entity)
            .order_by("-occurred_on", "-recorded_at", "-id"))


def entity_entries(user, entity) -> QuerySet:
    """Every list entry of one business (current and exited), newest first."""
    return ListEntry.objects.visible_to(user).filter(entity=entity).order_by("-entered_on", "-id")


# --- public ----------------------------------------------------------------------------------------------------

def public_entries(*, kind: str = "", query: str = "", status: str = STATUS_CURRENT) -> QuerySet:
    """The published lists: current entries (or exits, or both) with the business's public facts."""
    rows = _filter(ListEntry.objects.select_related("entity__region"), kind=kind, status=status, query=query)
    order = ("-exited_on", "-id") if status == STATUS_EXITED else ("-entered_on", "-id")
    return rows.order_by(*order)


def public_counts() -> dict[str, int]:
    """Current entries per list, for the tabs of the public page."""
    counts = dict.fromkeys(ListKind.values, 0)
    for row in ListEntry.objects.current().order_by().values("kind").annotate(n=Count("id")):
        counts[row["kind"]] = row["n"]
    return counts
