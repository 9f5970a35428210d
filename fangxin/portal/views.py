"""Public pages. They read other apps' public selectors only and never show personal information."""

from functools import lru_cache

from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import render

from fangxin.campaign.selectors import current_status_by_entity
from fangxin.content.selectors import latest_for_home
from fangxin.core import cache as page_cache
from fangxin.merchants.selectors import entity_public_search_page
from fangxin.organisation.selectors import counties, current_commitment, dimension_list, sector_list

from . import selectors


def home(request):
    return render(request, "portal/home.html", {
        "dimensions": dimension_list(), "sectors": sector_list(), "latest_articles": latest_for_home(),
        "headline": selectors.statistics_headline(), "publicities": selectors.running_publicities()})


class SearchForm(forms.Form):
    q = forms.CharField(label="商家名称、统一社会信用代码或地址", max_length=100, required=False)
    region = forms.ChoiceField(label="旗县区", required=False)
    sector = forms.ChoiceField(label="行业", required=False)
    enrolled = forms.TypedChoiceField(label="放心消费创建单位", required=False, empty_value=None,
                                      choices=[("", "不限"), ("1", "是"), ("0", "否")], coerce=lambda v: v == "1")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "全部")] + [(r.code, r.name) for r in counties()]
        self.fields["sector"].choices = [("", "全部")] + [(s.code, s.name) for s in sector_list()]


def search(request):
    """Cached under the search version (fangxin.core.cache): a change of the registry, an enrollment, a title or a
    grade makes the next search render afresh."""
    params = tuple(request.GET.get(name, "")[:100] for name in ("q", "region", "sector", "enrolled", "page"))
    return page_cache.cached_page(request, kind="search", version=page_cache.SEARCH, parts=params,
                                  render=lambda extra: _search_page(request, extra))


def _search_page(request, extra):
    form = SearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    query = (filters.get("q") or "").strip()
    asked = bool(query or filters.get("region") or filters.get("sector") or filters.get("enrolled") is not None)
    results, more = [], False
    if asked:
        results, more = entity_public_search_page(query=query, region_code=filters.get("region", ""),
                                                  sector_code=filters.get("sector", ""),
                                                  enrolled=filters.get("enrolled"))
    page = Paginator(results, 20).get_page(request.GET.get("page"))
    statuses = current_status_by_entity(entity.pk for entity in page)
    for entity in page:
        entity.campaign_status = statuses.get(entity.pk)
    return render(request, "portal/search.html", {"query": query, "page": page, "form": form, "asked": asked,
                                                  "more": more, **extra})


def commitment(request):
    return render(request, "portal/commitment.html", {"commitment": current_commitment()})


@lru_cache(maxsize=1)
def policy_paragraphs() -> tuple[str, ...]:
    text = (settings.FANGXIN_REFERENCE_DIR / "policy.zh.txt").read_text(encoding="utf-8")
    lines = [line.strip().replace("\u3000", "") for line in text.splitlines()]
    return tuple(line for line in lines if line and "实施意见" not in line[:30])


def policy(request):
    return render(request, "portal/policy.html", {"paragraphs": policy_paragraphs()})


def csrf_failure(request, reason=""):
    return render(request, "csrf_failure.html", status=403)
