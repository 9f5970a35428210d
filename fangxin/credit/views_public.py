"""The public credit lists (no account, phone first): the current entries of the three lists with a search by name
or code, the exits (移出记录), and the CSV/JSON exports for the enterprise credit publicity system.
Only business facts are shown: name, code, county and the decisions; never a person's data."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from fangxin.core.exceptions import ValidationFailed

from . import exports, list_selectors
from .choices import ListKind

PAGE_SIZE = 30


def _kind(request) -> str:
    kind = request.GET.get("list", "")
    return kind if kind in ListKind.values else ""


def _query(request) -> str:
    return list_selectors.normalise_query(request.GET.get("q", ""))


def _tabs(kind: str, counts: dict | None = None) -> list[dict]:
    tabs = [{"key": "", "label": "全部名单", "count": sum(counts.values()) if counts else None, "current": not kind}]
    tabs += [{"key": key, "label": label, "count": counts.get(key) if counts else None, "current": key == kind}
             for key, label in ListKind.choices]
    return tabs


@require_GET
def lists(request):
    kind, query = _kind(request), _query(request)
    rows = list_selectors.public_entries(kind=kind, query=query)
    return render(request, "credit/public/lists.html", {
        "kind": kind, "kind_label": ListKind(kind).label if kind else "", "query": query,
        "tabs": _tabs(kind, list_selectors.public_counts()),
        "page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))})


@require_GET
def exits(request):
    kind, query = _kind(request), _query(request)
    rows = list_selectors.public_entries(kind=kind, query=query, status=list_selectors.STATUS_EXITED)
    return render(request, "credit/public/exits.html", {
        "kind": kind, "query": query, "tabs": _tabs(kind),
        "page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))})


def _export_rows(request):
    status = request.GET.get("status", list_selectors.STATUS_CURRENT)
    kind = request.GET.get("list", "")
    try:
        rows = list_selectors.public_entries(kind=kind, status=status)
    except ValidationFailed:
        raise Http404 from None  # an unknown list or status is a URL that does not exist
    stamp = timezone.localdate().strftime("%Y%m%d")
    name = f"credit-lists-{kind or 'all'}-{status}-{stamp}"
    return rows.order_by("id"), kind, status, name


@require_GET
def export_csv(request):
    rows, _, _, name = _export_rows(request)
    return exports.csv_response(rows.iterator(chunk_size=500), f"{name}.csv")


@require_GET
def export_json(request):
    rows, kind, status, name = _export_rows(request)
    return exports.json_response(rows, kind=kind, status=status, filename=f"{name}.json")
