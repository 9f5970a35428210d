"""Public pages. They read other apps' public selectors only and never show personal information."""

from functools import lru_cache

from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import render

from fangxin.campaign.selectors import current_status_by_entity
from fangxin.merchants.selectors import entity_public_search
from fangxin.organisation.selectors import current_commitment, dimension_list, sector_list


def home(request):
    return render(request, "portal/home.html", {"dimensions": dimension_list(), "sectors": sector_list()})


def search(request):
    query = request.GET.get("q", "").strip()[:100]
    results = entity_public_search(query=query) if query else []
    page = Paginator(results, 20).get_page(request.GET.get("page"))
    statuses = current_status_by_entity(entity.pk for entity in page)
    for entity in page:
        entity.campaign_status = statuses.get(entity.pk)
    return render(request, "portal/search.html", {"query": query, "page": page})


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
