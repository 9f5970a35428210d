"""The staff pages of random inspections (双随机一公开): plans and their draw (freeze, public entropy, draw), the
results of each inspected business and their publication, the inspection-object directory and the inspector
directory with declared conflicts.

Views parse, call one service or selector and render; a domain error becomes a Chinese message on the page. Who may
act is the services' decision (docs/inspections.md): the pages only hide buttons a user could not use, and a page
outside the user's scope answers 404, as for a page that does not exist."""

import json
from dataclasses import dataclass

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from fangxin.accounts.choices import STAFF_ROLES, Role
from fangxin.accounts.permissions import AUDIT_READERS
from fangxin.core import uploads
from fangxin.core.actors import Actor
from fangxin.core.exceptions import FangxinError, NotFound
from fangxin.core.workdays import WorkCalendar
from fangxin.merchants.choices import EntityType
from fangxin.merchants.models import MarketEntity
from fangxin.organisation.selectors import department_list
from fangxin.workbench.decorators import page_for

from . import selectors, services
from .choices import STRATA, PlanStatus
from .deadlines import publish_state
from .forms import ConflictForm, EntropyForm, InspectorForm, ObjectFilterForm, PlanForm, ResultForm, ratio_to_percent
from .models import Inspector

PAGE_SIZE = 50
WRITERS = frozenset(STAFF_ROLES)
PLAN_MAKERS = frozenset({Role.DEPARTMENT_STAFF, Role.JOINT_OFFICE})
STEPS = (("draft", "制定计划"), ("frozen", "冻结名录"), ("entropy", "录入公开随机数"), ("drawn", "抽取"),
         ("results", "录入并公示结果"), ("closed", "结束"))
STEP_INDEX = {PlanStatus.DRAFT: 0, PlanStatus.FROZEN: 1, PlanStatus.ENTROPY: 2, PlanStatus.DRAWN: 4,
              PlanStatus.CLOSED: 6}


# --- who may do what (the services check again; these only decide what to show) --------------------------------

def reads(user) -> bool:
    return user.role in STAFF_ROLES | AUDIT_READERS


def writes(user) -> bool:
    return user.role in WRITERS


def makes_plans(user) -> bool:
    return user.role in PLAN_MAKERS


def manages(user, plan) -> bool:
    """The draw steps belong to the joint-meeting office or the plan's lead department (services._may_run)."""
    if user.role == Role.JOINT_OFFICE:
        return True
    return (user.role == Role.DEPARTMENT_STAFF and user.department_id is not None
            and plan.lead_department_id == user.department_id)


def _actor(request) -> Actor:
    return Actor.from_request(request)


def _plan_or_404(user, pk: int):
    return selectors.plan_get(user, pk)


# --- plans -----------------------------------------------------------------------------------------------------

@page_for(reads)
def plans(request):
    status = request.GET.get("status", "")
    rows = selectors.plans_for(request.user)
    if status in PlanStatus.values:
        rows = rows.filter(status=status)
    rows = rows.prefetch_related("departments", "counties", "sectors").annotate(
        n_selected=Count("inspections", distinct=True),
        n_recorded=Count("inspections", filter=Q(inspections__result_recorded_at__isnull=False), distinct=True),
        n_published=Count("inspections", filter=Q(inspections__published_at__isnull=False), distinct=True))
    overdue = list(selectors.overdue_publications(request.user)[:20])
    to_record = list(selectors.results_to_record(request.user)[:20]) if writes(request.user) else []
    return render(request, "inspections/staff/plans.html", {
        "page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")), "overdue": overdue,
        "to_record": to_record,
        "statuses": PlanStatus.choices, "status": status, "can_create": makes_plans(request.user)})


@page_for(makes_plans)
def plan_new(request):
    form = PlanForm(request.POST or None, user=request.user, initial=PlanForm.initial_new(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(actor=_actor(request), **_with_scope(request.user, form.service_kwargs()))
        except FangxinError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已创建抽查计划“{plan.name}”。核对检查对象名录后冻结名录。")
            return redirect("inspections:plan_detail", pk=plan.pk)
    return render(request, "inspections/staff/plan_form.html", {"form": form, "plan": None},
                  status=422 if form.is_bound else 200)


@page_for(makes_plans)
def plan_edit(request, pk: int):
    plan = _plan_or_404(request.user, pk)
    if plan.status != PlanStatus.DRAFT:
        messages.error(request, "名录冻结后计划不能再修改。")
        return redirect("inspections:plan_detail", pk=plan.pk)
    form = PlanForm(request.POST or None, user=request.user, initial=PlanForm.initial_for(plan))
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_update(actor=_actor(request), plan=plan,
                                 **_with_scope(request.user, form.service_kwargs()))
        except FangxinError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "计划已保存。")
            return redirect("inspections:plan_detail", pk=plan.pk)
    return render(request, "inspections/staff/plan_form.html", {"form": form, "plan": plan},
                  status=422 if form.is_bound else 200)


def _with_scope(user, fields: dict) -> dict:
    """No county ticked means every county the user may plan for (the form's promise)."""
    if not fields["counties"]:
        fields["counties"] = list(PlanForm(user=user).fields["counties"].queryset)
    return fields


@dataclass
class Stratum:
    name: str
    size: int
    percent: object = None
    selected: int = 0


def strata_of(draw, selected_counts: dict | None = None) -> list[Stratum]:
    ratios = draw.ratios or {}
    rows = []
    for name in sorted(draw.population or {}):
        rows.append(Stratum(name, len(draw.population[name]), ratio_to_percent(ratios.get(name, "0")),
                            (selected_counts or {}).get(name, 0)))
    return rows


def _steps(plan, *, all_published: bool) -> list[dict]:
    current = STEP_INDEX[plan.status]
    if plan.status == PlanStatus.DRAWN and not all_published:
        current = 4
    elif plan.status == PlanStatus.DRAWN:
        current = 5
    return [{"label": label, "state": "done" if index < current else "current" if index == current else "ahead"}
            for index, (_key, label) in enumerate(STEPS)]


def _team(inspection, by_code: dict) -> list:
    return [by_code[code] for code in inspection.inspector_codes if code in by_code]


def _plan_page(request, plan, *, entropy_form=None, status=200):
    user = request.user
    draw = getattr(plan, "draw", None)
    inspections = list(selectors.inspections_for(user, plan).select_related("entity__region")
                       .prefetch_related("inspectors").order_by("seq"))
    calendar, today, actor = WorkCalendar.load(), timezone.localdate(), _actor(request)
    # One query for the rows this user may record (the services' rule, as the selector applies it), rather than
    # asking the rule row by row on a plan of hundreds of businesses.
    recordable = set(selectors.results_to_record(user).filter(plan=plan).order_by().values_list("pk", flat=True)) \
        if writes(user) and plan.status == PlanStatus.DRAWN else set()
    for inspection in inspections:
        inspection.team = _team(inspection, {i.code: i for i in inspection.inspectors.all()})
        inspection.overdue = publish_state(inspection, today, calendar).overdue
        inspection.can_record = inspection.pk in recordable
    late = []
    if plan.draw_due and plan.draw_due < today and plan.status in (PlanStatus.DRAFT, PlanStatus.FROZEN,
                                                                   PlanStatus.ENTROPY):
        late.append(f"抽取截止日期 {plan.draw_due:%Y-%m-%d} 已过，尚未抽取。")
    pending = sum(1 for i in inspections if not i.outcome and not i.unassigned_reason)
    if plan.inspect_due and plan.inspect_due < today and plan.status == PlanStatus.DRAWN and pending:
        late.append(f"检查完成截止日期 {plan.inspect_due:%Y-%m-%d} 已过，还有 {pending} 家未录入检查结果。")
    unpublished = [i for i in inspections if i.outcome and not i.published_at]
    publishable = [i for i in unpublished if writes(user) and services.may_record(actor, i)]
    all_published = bool(inspections) and all(i.published_at or i.unassigned_reason for i in inspections)
    ratios = (draw.ratios if draw else None) or {}
    ratio_rows = [{"grade": g, "percent": ratio_to_percent(plan.ratios.get(g, "0")),
                   "applied": ratio_to_percent(ratios[g]) if g in ratios else None} for g in STRATA]
    labels = dict(EntityType.choices)
    return render(request, "inspections/staff/plan_detail.html", {
        "plan": plan, "draw": draw, "steps": _steps(plan, all_published=all_published),
        "can_manage": manages(user, plan) and writes(user), "can_record": writes(user),
        "entropy_form": entropy_form or EntropyForm(), "inspections": inspections, "unpublished": unpublished, "publishable": publishable,
        "all_published": all_published, "late": late, "unassigned_count": sum(1 for i in inspections if i.unassigned_reason),
        "strata": strata_of(draw) if draw else [], "ratio_rows": ratio_rows,
        "entity_types": "、".join(labels.get(t, t) for t in plan.entity_types or []),
        "population_preview": scope_count(plan) if plan.status == PlanStatus.DRAFT else None,
    }, status=status)


@page_for(reads)
def plan_detail(request, pk: int):
    return _plan_page(request, _plan_or_404(request.user, pk))


def _act(request, pk: int, action, success) -> HttpResponse:
    plan = _plan_or_404(request.user, pk)
    try:
        result = action(plan)
    except FangxinError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success(result))
    return redirect(reverse("inspections:plan_detail", args=[plan.pk]) + "#next")


@require_POST
@page_for(writes)
def plan_freeze(request, pk: int):
    return _act(request, pk, lambda plan: services.plan_freeze(actor=_actor(request), plan=plan),
                lambda draw: f"名录已冻结（{draw.population_size} 家），承诺值已公布。请见证人录入公开随机数。")


@require_POST
@page_for(writes)
def plan_entropy(request, pk: int):
    plan = _plan_or_404(request.user, pk)
    form = EntropyForm(request.POST)
    if form.is_valid():
        # A refusal (entered twice, not frozen yet, not the lead department) is about the plan's stage, not the
        # text typed: it is reported on the plan page as it now stands.
        return _act(request, pk, lambda plan: services.entropy_enter(
            actor=_actor(request), plan=plan, entropy=form.cleaned_data["entropy"],
            witnesses="、".join(form.cleaned_data["witnesses"])), lambda _draw: "公开随机数已录入。现在可以抽取。")
    return _plan_page(request, plan, entropy_form=form, status=422)


@require_POST
@page_for(writes)
def plan_draw(request, pk: int):
    def success(draw) -> str:
        assignments = draw.record["assignments"]
        missing = sum(1 for a in assignments if a["unassigned_reason"])
        tail = f"，其中 {missing} 家未能分派检查组（原因见下表）" if missing else ""
        return f"抽取完成：抽中 {len(assignments)} 家企业{tail}。秘密值和种子已公开。"
    return _act(request, pk, lambda plan: services.draw_run(actor=_actor(request), plan=plan), success)


@require_POST
@page_for(writes)
def plan_publish(request, pk: int):
    plan = _plan_or_404(request.user, pk)
    wanted = [int(v) for v in request.POST.getlist("inspection") if v.isdigit()]
    rows = list(selectors.inspections_for(request.user, plan).filter(pk__in=wanted))
    if not rows:
        messages.error(request, "请选择要公示的检查结果。")
        return redirect(reverse("inspections:plan_detail", args=[plan.pk]) + "#next")
    if all(row.published_at for row in rows):
        messages.error(request, "所选检查结果都已公示，无需重复公示。")
        return redirect(reverse("inspections:plan_detail", args=[plan.pk]) + "#next")
    return _act(request, pk, lambda _plan: services.results_publish(actor=_actor(request), inspections=rows),
                lambda count: f"已公示 {count} 项检查结果。")


@require_POST
@page_for(writes)
def plan_close(request, pk: int):
    return _act(request, pk, lambda plan: services.plan_close(actor=_actor(request), plan=plan),
                lambda _result: "计划已结束。")


@page_for(reads)
def plan_record(request, pk: int):
    plan = _plan_or_404(request.user, pk)
    draw = getattr(plan, "draw", None)
    if draw is None or not draw.is_drawn:
        raise NotFound("尚未抽取，还没有抽签记录。")
    return record_response(selectors.draw_record(draw), draw.pk)


def record_response(record: dict, draw_pk: int) -> HttpResponse:
    body = json.dumps(record, ensure_ascii=False, indent=1)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="draw-{draw_pk}.json"'
    return response


# --- results -----------------------------------------------------------------------------------------------------

@page_for(reads)
def result(request, pk: int):
    inspection = selectors.inspection_get(request.user, pk)
    plan = inspection.plan
    editable = (writes(request.user) and plan.status == PlanStatus.DRAWN and not inspection.outcome
                and not inspection.unassigned_reason and services.may_record(_actor(request), inspection))
    form = None
    if editable:
        initial = {"inspected_on": timezone.localdate()}
        form = ResultForm(request.POST or None, request.FILES or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                services.result_record(actor=_actor(request), inspection=inspection, outcome=data["outcome"],
                                       description=data["description"], inspected_on=data["inspected_on"],
                                       files=data["files"])
            except FangxinError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _saved_message(inspection))
                return redirect(reverse("inspections:plan_detail", args=[plan.pk]) + f"#inspection-{inspection.pk}")
    status = 422 if form is not None and form.is_bound and form.errors else 200
    if request.method == "POST" and form is None:  # e.g. the result was recorded meanwhile, or not the user's
        messages.error(request, "该检查结果已经录入或现在不能由您录入，未作修改。" if inspection.outcome
                       else "现在不能由您录入该检查结果，未作修改。")
        status = 409
    by_code = {i.code: i for i in inspection.inspectors.all()}
    return render(request, "inspections/staff/result.html", {
        "inspection": inspection, "plan": plan, "form": form, "team": _team(inspection, by_code),
        "documents": list(inspection.documents.all()),
        "publish": publish_state(inspection, timezone.localdate(), WorkCalendar.load())}, status=status)


def _saved_message(inspection) -> str:
    """What saving did: the credit ledger always; for a failure, the title review when there was one to open."""
    from fangxin.campaign.titles.models import ManagementCase

    inspection.refresh_from_db(fields=["outcome", "publish_due"])
    done = f"已保存{inspection.entity.name}的检查结果，已记入其信用记录"
    if inspection.is_failed and ManagementCase.objects.filter(source_ref=f"inspection:{inspection.pk}").exists():
        done += "，并已提交动态管理复核（创建单位资格和示范称号）"
    due = f"{inspection.publish_due:%Y-%m-%d} 前" if inspection.publish_due else "20 个工作日内"
    return f"{done}。请于 {due}公示。"


@page_for(reads)
def document(request, pk: int, doc: int):
    """A result's document, to whoever may see the inspection (images and PDFs open in the browser)."""
    stored = selectors.inspection_get(request.user, pk).documents.filter(pk=doc).first()
    if stored is None:
        raise NotFound("没有找到该检查文书。")
    return uploads.serve(stored.file, content_type=stored.content_type, filename=stored.original_name)


# --- the inspection-object directory ---------------------------------------------------------------------------

@page_for(reads)
def objects(request):
    plans_visible = list(selectors.plans_for(request.user).order_by("-created_at", "-id")[:100])
    wanted = request.GET.get("plan", "")
    plan = next((p for p in plans_visible if str(p.pk) == wanted), plans_visible[0] if plans_visible else None)
    return _objects_page(request, plan, plans_visible, fixed_plan=False)


@page_for(reads)
def plan_objects(request, pk: int):
    return _objects_page(request, _plan_or_404(request.user, pk), [], fixed_plan=True)


def _objects_page(request, plan, plans_visible, *, fixed_plan: bool):
    form = ObjectFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    context = {"form": form, "plan": plan, "plans": plans_visible, "fixed_plan": fixed_plan}
    if plan is not None:
        rows, strata, frozen, default = directory_rows(request.user, plan, q=filters.get("q", ""),
                                                       grade=filters.get("grade", ""))
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        _directory_page(page, default)
        total = sum(s.size for s in strata)
        # Before the freeze the directory follows the user's own view of the registry (a department sees its
        # sectors); the freeze takes the plan's whole scope, so say when the two differ.
        scope_total = scope_count(plan) if frozen is None else total
        context |= {"page": page, "strata": strata, "total": total, "frozen": frozen, "scope_total": scope_total}
    return render(request, "inspections/staff/objects.html", context)


def scope_count(plan) -> int:
    """How many businesses a freeze would take now: services.population_of's filter, counted in the database
    instead of loaded row by row (a city registry runs to hundreds of thousands)."""
    county_q = Q()
    for county in plan.counties.all():
        county_q |= Q(region__path__startswith=county.path)
    if not county_q:
        return 0
    rows = MarketEntity.objects.operating().filter(county_q)
    sector_ids = [sector.pk for sector in plan.sectors.all()]
    if sector_ids:
        rows = rows.filter(sector_id__in=sector_ids)
    if plan.entity_types:
        rows = rows.filter(entity_type__in=plan.entity_types)
    return rows.count()


def directory_rows(user, plan, *, q: str = "", grade: str = ""):
    """(rows, strata, frozen_at, default grade): the plan's objects — the frozen population once frozen (a list of
    (uscc, grade, note)), else the live directory in the plan's scope as the user sees the registry (a queryset),
    where a business never graded takes the grade the published model gives an empty ledger, as the freeze does."""
    draw = getattr(plan, "draw", None)
    if draw is not None:
        rows = sorted((uscc, name, "") for name, usccs in draw.population.items() for uscc in usccs)
        if q:
            wanted = set(MarketEntity.objects.filter(Q(name__icontains=q) | Q(uscc__icontains=q.upper()))
                         .values_list("uscc", flat=True))
            rows = [row for row in rows if row[0] in wanted]
        if grade in STRATA:
            rows = [row for row in rows if row[1] == grade]
        return rows, strata_of(draw), draw.frozen_at, None
    entities = selectors.object_directory(user, plan=plan)
    counts = dict(entities.order_by().values_list("grade").annotate(n=Count("pk")).values_list("grade", "n"))
    default = services.empty_ledger_grade() if counts.get(None) else None
    if default is not None:
        counts[default] = counts.get(default, 0) + counts.pop(None)
    strata = [Stratum(name, counts[name], ratio_to_percent(plan.ratios.get(name, "0"))) for name in sorted(counts)]
    if q:
        entities = entities.filter(Q(name__icontains=q) | Q(uscc__icontains=q.upper()))
    if grade in STRATA:
        match = Q(credit_grade__grade=grade)
        if grade == default:
            match |= Q(credit_grade__isnull=True)
        entities = entities.filter(match)
    return entities, strata, None, default


@dataclass
class DirectoryRow:
    name: str
    uscc: str
    region_name: str
    sector_name: str
    type_label: str
    grade: str | None
    grade_note: str = ""


def _directory_page(page, default_grade: str | None) -> None:
    """Turn the page's entities, or frozen (uscc, grade, note) rows, into table rows (one query for the page)."""
    labels = dict(EntityType.choices)
    items = list(page.object_list)
    if items and isinstance(items[0], tuple):
        found = {e.uscc: e for e in MarketEntity.objects.filter(uscc__in=[row[0] for row in items])
                 .select_related("region", "sector")}
        rows = [(found.get(uscc), uscc, grade, note) for uscc, grade, note in items]
    else:
        rows = [(e, e.uscc, e.grade or default_grade, "" if e.grade else "尚无信用记录") for e in items]
    page.object_list = [
        DirectoryRow(entity.name, uscc, entity.region.name, entity.sector.name,
                     labels.get(entity.entity_type, entity.entity_type), grade, note) if entity is not None
        # removed from the registry after the freeze: the frozen list still names it
        else DirectoryRow("（已不在市场主体名录中）", uscc, "—", "—", "—", grade, note)
        for entity, uscc, grade, note in rows]


# --- inspectors --------------------------------------------------------------------------------------------------

@page_for(reads)
def inspectors(request):
    q, code = request.GET.get("q", "").strip(), request.GET.get("department", "")
    department = next((d for d in department_list() if d.code == code), None)
    rows = selectors.inspectors_for(request.user, q=q, department=department)
    return render(request, "inspections/staff/inspectors.html", {
        "page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")), "q": q,
        "department": department.code if department else "", "departments": department_list(),
        "can_write": writes(request.user)})


def _inspector_page(request, inspector, form, conflict_form=None, status=200):
    conflicts = list(selectors.conflicts_of(inspector)) if inspector else []
    actor = _actor(request)
    return render(request, "inspections/staff/inspector_form.html", {
        "inspector": inspector, "form": form, "conflicts": conflicts,
        "conflict_form": conflict_form or ConflictForm(),
        # forms only for who may use them: another department's inspector is shown read-only
        "can_edit": services.may_edit_inspector(actor, inspector),
        "can_declare": inspector is not None and services.may_declare(actor, inspector)}, status=status)


@page_for(writes)
def inspector_new(request):
    initial = {"department": request.user.department, "regions": [request.user.region] if request.user.region else [],
               "active": True}
    form = InspectorForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            inspector = services.inspector_save(actor=_actor(request), **_inspector_fields(form))
        except FangxinError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已添加检查人员{inspector.name}（{inspector.code}）。")
            return redirect("inspections:inspectors")
    return _inspector_page(request, None, form, status=422 if form.is_bound else 200)


def _inspector_fields(form) -> dict:
    data = form.cleaned_data
    return {"code": data["code"].strip(), "name": data["name"].strip(), "department": data["department"],
            "regions": list(data["regions"]), "qualification": data["qualification"], "active": data["active"],
            "user": data["username"]}


def _inspector_or_404(user, pk: int) -> Inspector:
    return selectors.inspector_get(user, pk)


@page_for(writes)
def inspector_edit(request, pk: int):
    inspector = _inspector_or_404(request.user, pk)
    form = InspectorForm(request.POST or None, initial=InspectorForm.initial_for(inspector))
    if request.method == "POST" and not services.may_edit_inspector(_actor(request), inspector):
        messages.error(request, "检查人员名录由联席会议办公室或本部门工作人员维护，未作修改。")
        return _inspector_page(request, inspector, form, status=403)
    if request.method == "POST" and form.is_valid():
        try:
            services.inspector_save(actor=_actor(request), inspector=inspector, **_inspector_fields(form))
        except FangxinError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已保存检查人员{inspector.name}（{inspector.code}）。")
            return redirect("inspections:inspectors")
    return _inspector_page(request, inspector, form, status=422 if form.is_bound else 200)


@require_POST
@page_for(writes)
def conflict_declare(request, pk: int):
    inspector = _inspector_or_404(request.user, pk)
    form = ConflictForm(request.POST)
    if form.is_valid():
        entity = MarketEntity.objects.filter(uscc=form.cleaned_data["uscc"]).first()
        if entity is None:
            form.add_error("uscc", "市场主体名录中没有这个统一社会信用代码。")
        else:
            try:
                services.conflict_declare(actor=_actor(request), inspector=inspector, entity=entity,
                                          reason=form.cleaned_data["reason"])
            except FangxinError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"已登记{inspector.name}与{entity.name}的利益冲突，抽签时回避。")
                return redirect("inspections:inspector_edit", pk=inspector.pk)
    return _inspector_page(request, inspector, InspectorForm(initial=InspectorForm.initial_for(inspector)),
                           conflict_form=form, status=422)


@require_POST
@page_for(writes)
def conflict_withdraw(request, pk: int):
    conflict = selectors.conflict_get(request.user, pk)
    try:
        services.conflict_withdraw(actor=_actor(request), conflict=conflict)
    except FangxinError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已撤回{conflict.inspector.name}与{conflict.entity.name}的利益冲突申报。")
    return redirect("inspections:inspector_edit", pk=conflict.inspector_id)
