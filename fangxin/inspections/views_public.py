"""The public draw pages (portal, phone-first, under choucha/): the plans whose population has been frozen, each
draw's commitment, population hash, entropy, seed, selected businesses and teams, the published results and the
downloadable record anyone can verify with `fangxin draw verify` (DESIGN 5.5).

Inspectors appear by name with their law-enforcement certificate number (执法证号, the identifier the record
carries) and department: they act in an official capacity and show that certificate when they inspect, and the
public draw API (selectors.draw_summary) names them too. Results appear only once published; a result's
description is what the inspectors wrote for publication."""

from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import render
from django.views.decorators.http import require_GET

from fangxin.merchants.choices import EntityType

from . import selectors
from .choices import Outcome, PlanStatus
from .models import Inspection
from .views_staff import record_response, strata_of

PAGE_SIZE = 100
PUBLIC_STAGE = {PlanStatus.FROZEN: "已公布承诺值，待录入公开随机数", PlanStatus.ENTROPY: "已录入公开随机数，待抽取",
                PlanStatus.DRAWN: "已抽取", PlanStatus.CLOSED: "已结束"}


@require_GET
def draws(request):
    page = Paginator(selectors.public_draws(), 30).get_page(request.GET.get("page"))
    published = dict(Inspection.objects.published().filter(plan_id__in=[d.plan_id for d in page]).order_by()
                     .values_list("plan_id").annotate(n=Count("pk")).values_list("plan_id", "n"))
    for draw in page:
        draw.stage = PUBLIC_STAGE.get(draw.plan.status, draw.plan.get_status_display())
        draw.n_published = published.get(draw.plan_id, 0)
    return render(request, "inspections/public/draws.html", {"page": page})


@require_GET
def draw_detail(request, pk: int):
    draw = selectors.public_draw_get(pk)
    plan = draw.plan
    types = dict(EntityType.choices)
    context = {"plan": plan, "draw": draw, "stage": PUBLIC_STAGE.get(plan.status, plan.get_status_display()),
               "entity_types": "、".join(types.get(t, t) for t in plan.entity_types or [])}
    if draw.is_drawn:
        record = selectors.draw_record(draw)
        selected: dict[str, int] = {}
        for entry in record["selected"]:
            selected[entry["stratum"]] = selected.get(entry["stratum"], 0) + 1
        departments = {row["code"]: row.get("department", "") for row in record["inspectors"]}
        rows = Inspection.objects.filter(plan=plan).select_related("entity").prefetch_related("inspectors")
        page = Paginator(rows.order_by("seq"), PAGE_SIZE).get_page(request.GET.get("page"))
        for inspection in page:
            names = {member.code: member.name for member in inspection.inspectors.all()}
            inspection.team = [{"code": code, "name": names.get(code, ""), "department": departments.get(code, "")}
                               for code in inspection.inspector_codes]
        context |= {"page": page, "server_secret": record["server_secret"], "selected_total": len(record["selected"]),
                    "strata": strata_of(draw, selected)}
    else:
        context["strata"] = strata_of(draw)
    return render(request, "inspections/public/draw_detail.html", context)


@require_GET
def results(request):
    """Published results, newest first, searchable by business name, USCC or plan name."""
    q = request.GET.get("q", "").strip()[:60]
    outcome = request.GET.get("outcome", "")
    outcome = outcome if outcome in Outcome.values else ""
    page = Paginator(selectors.published_results(q=q, outcome=outcome), 30).get_page(request.GET.get("page"))
    return render(request, "inspections/public/results.html", {
        "page": page, "q": q, "outcome": outcome, "outcomes": Outcome.choices})


@require_GET
def draw_record(request, pk: int):
    draw = selectors.public_draw_get(pk)
    return record_response(selectors.draw_record(draw), draw.pk)
