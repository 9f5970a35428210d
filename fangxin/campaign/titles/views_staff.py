"""The standards pages (lead departments and the joint-meeting office) and the office's pages of the
demonstration-title workflow: the annual cycle, the dynamic-management queue and the coverage of titles with the
designation of demonstration sectors and counties.

Views parse, call one service or selector and render; a domain error becomes a Chinese message on the page.
A page a role may not use answers 404, as for a page that does not exist."""

from decimal import Decimal

from django.contrib import messages
from django.db.models import Count, Prefetch, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from fangxin.accounts.choices import STAFF_ROLES, Role
from fangxin.accounts.permissions import AUDIT_READERS
from fangxin.core.actors import Actor
from fangxin.core.exceptions import Conflict, FangxinError, NotFound
from fangxin.organisation.models import Region, Sector
from fangxin.organisation.selectors import counties, sector_list
from fangxin.workbench.decorators import page_for

from .. import services as campaign_services
from ..models import Enrollment
from . import exports, selectors, services
from .choices import (
    LEVEL_ORDER,
    ApplicationStatus,
    CaseStatus,
    DesignationKind,
    StandardStatus,
    TitleLevel,
    TitleStatus,
)
from .forms_staff import (
    CaseDecideForm,
    CoverageYearForm,
    CycleForm,
    DesignateForm,
    ItemFormSet,
    QuotaFormSet,
    StandardFilterForm,
    StandardMetaForm,
    StandardNewForm,
    item_initial,
    quota_targets,
)
from .models import Cycle, Designation, ManagementCase, Standard, Title

CASE_HANDLERS = frozenset({Role.JOINT_OFFICE, Role.CONSUMER_ASSOCIATION})
PENDING = (ApplicationStatus.SUBMITTED, ApplicationStatus.REVIEWING, ApplicationStatus.PASSED,
           ApplicationStatus.PUBLICITY)


# --- who may do what ------------------------------------------------------------------------------------------

def reads_standards(user) -> bool:
    return user.role in STAFF_ROLES | AUDIT_READERS


def is_office(user) -> bool:
    return user.role == Role.JOINT_OFFICE


def office_or_auditor(user) -> bool:
    return user.role == Role.JOINT_OFFICE or user.role in AUDIT_READERS


def handles_cases(user) -> bool:
    return user.role in CASE_HANDLERS


def reads_cases(user) -> bool:
    return user.role in CASE_HANDLERS | AUDIT_READERS


def owned_sectors(user):
    """The sectors whose standards the user drafts and publishes: the lead department's, or all for the office."""
    if user.role == Role.JOINT_OFFICE:
        return Sector.objects.order_by("seq")
    if user.role == Role.DEPARTMENT_STAFF and user.department_id:
        return Sector.objects.filter(lead_departments=user.department_id).order_by("seq")
    return Sector.objects.none()


def can_draft(user) -> bool:
    return owned_sectors(user).exists()


def _actor(request) -> Actor:
    return Actor.from_request(request)


def _scope_counties(user):
    region = getattr(user, "region", None)
    return counties(within=region) if user.role in STAFF_ROLES and region is not None else counties()


# --- standards -------------------------------------------------------------------------------------------------

def _level_rank(level: str) -> int:
    return LEVEL_ORDER.index(level) if level in LEVEL_ORDER else len(LEVEL_ORDER)


def _visible_standards(user, rows, *, history: bool = False):
    """Published versions for everyone; drafts only for their owners; retired versions on request."""
    visible = Q(status=StandardStatus.PUBLISHED) | Q(status=StandardStatus.DRAFT, sector__in=owned_sectors(user))
    if history:
        visible |= Q(status=StandardStatus.RETIRED)
    return rows.filter(visible)


def _standard_or_404(user, pk: int, *, owner: bool = False) -> Standard:
    standard = _visible_standards(user, selectors.standards(include_drafts=True), history=True).filter(pk=pk).first()
    if standard is None or (owner and not owned_sectors(user).filter(pk=standard.sector_id).exists()):
        raise NotFound("没有找到该评价标准。")
    return standard


@page_for(reads_standards)
def standards(request):
    sectors = sector_list()
    form = StandardFilterForm(request.GET or None, sectors=sectors)
    filters = form.cleaned_data if form.is_valid() else {}
    sector = Sector.objects.filter(code=filters.get("sector")).first() if filters.get("sector") else None
    rows = _visible_standards(request.user, selectors.standards(sector=sector, level=filters.get("level", ""),
                                                                include_drafts=True),
                              history=filters.get("history", False))
    owned = set(owned_sectors(request.user).values_list("pk", flat=True))
    groups: dict[int, dict] = {}
    for standard in sorted(rows, key=lambda s: (s.sector.seq, _level_rank(s.level), -s.version)):
        group = groups.setdefault(standard.sector_id, {"sector": standard.sector, "rows": [],
                                                       "owned": standard.sector_id in owned})
        group["rows"].append(standard)
    return render(request, "campaign/titles/staff/standards.html", {
        "form": form, "groups": list(groups.values()), "can_draft": bool(owned)})


@page_for(reads_standards)
def standard_detail(request, pk: int):
    standard = _standard_or_404(request.user, pk)
    owner = owned_sectors(request.user).filter(pk=standard.sector_id).exists()
    versions = _visible_standards(request.user, selectors.standards(sector=standard.sector, level=standard.level,
                                                                    include_drafts=True), history=True)
    return render(request, "campaign/titles/staff/standard_detail.html", {
        "standard": standard, "groups": exports.dimension_groups(standard), "facts": exports.standard_facts(standard),
        "owner": owner, "versions": versions.order_by("-version"),
        "bonus_total": sum((i.points for i in standard.items.all() if i.kind == "bonus"), Decimal("0")),
        "veto_count": sum(1 for i in standard.items.all() if i.kind == "veto")})


@page_for(reads_standards)
def standard_xlsx(request, pk: int):
    return exports.standard_xlsx_response(_standard_or_404(request.user, pk))


@page_for(can_draft)
def standard_new(request):
    form = StandardNewForm(request.POST or None, sectors=owned_sectors(request.user),
                           initial={"sector": request.GET.get("sector"), "level": request.GET.get("level")})
    existing = None
    if request.method == "POST" and form.is_valid():
        sector, level = form.cleaned_data["sector"], form.cleaned_data["level"]
        try:
            draft = services.standard_draft(actor=_actor(request), sector=sector, level=level)
        except Conflict as exc:
            form.add_error(None, exc.message)
            existing = selectors.standards(sector=sector, level=level, include_drafts=True).filter(
                status=StandardStatus.DRAFT).first()
        except FangxinError as exc:
            form.add_error(None, exc.message)
        else:
            source = "复制自现行版本" if draft.items.exists() else "尚无现行版本，请逐项填写"
            messages.success(request, f"已新建{draft.sector.name}{draft.get_level_display()}标准第 {draft.version} 版草稿"
                                      f"（{source}），修改后发布。")
            return redirect("campaign:standard_edit", pk=draft.pk)
    return render(request, "campaign/titles/staff/standard_new.html", {"form": form, "existing": existing})


@page_for(can_draft)
def standard_edit(request, pk: int):
    standard = _standard_or_404(request.user, pk, owner=True)
    if standard.status != StandardStatus.DRAFT:
        messages.error(request, "已发布或已停用的标准不能修改；请新建草稿。")
        return redirect("campaign:standard_detail", pk=standard.pk)
    data = request.POST if request.method == "POST" else None
    meta = StandardMetaForm(data, initial={"title": standard.title, "pass_mark": standard.pass_mark,
                                           "note": standard.note})
    items = ItemFormSet(data, prefix="items", initial=item_initial(standard))
    problem = ""
    if data is not None and meta.is_valid() and items.is_valid():
        rows = [services.ItemInput(dimension_id=row["dimension"].pk, kind=row["kind"], text=row["text"],
                                   points=row["points"] or 0, guidance=row["guidance"], evidence=row["evidence"])
                for row in items.items()]
        try:
            services.standard_update_draft(actor=_actor(request), standard=standard, items=rows, **meta.cleaned_data)
        except FangxinError as exc:
            problem = exc.message
        else:
            messages.success(request, f"草稿已保存（{len(rows)} 个项目）。核对无误后请发布。")
            return redirect("campaign:standard_detail", pk=standard.pk)
    elif data is not None:
        problem = "请按提示修改标有错误的内容。"
    return render(request, "campaign/titles/staff/standard_edit.html", {
        "standard": standard, "meta": meta, "items": items, "problem": problem})


@require_POST
@page_for(can_draft)
def standard_publish(request, pk: int):
    standard = _standard_or_404(request.user, pk, owner=True)
    previous = selectors.standards(sector=standard.sector, level=standard.level).first()
    try:
        services.standard_publish(actor=_actor(request), standard=standard)
    except FangxinError as exc:
        messages.error(request, exc.message)
    else:
        retired = f"，原第 {previous.version} 版已停用" if previous else ""
        messages.success(request, f"已发布第 {standard.version} 版{retired}。此后的申报和评审使用新版本。")
    return redirect("campaign:standard_detail", pk=standard.pk)


# --- the annual cycle ------------------------------------------------------------------------------------------

def _percent(value) -> str:
    """0.3 → "30%", 0.3333 → "33.3%"."""
    if value is None:
        return "—"
    text = f"{Decimal(value) * 100:.1f}".rstrip("0").rstrip(".")
    return f"{text}%"


def _quota_rows(quotas: dict, names: dict) -> list[str]:
    rows = []
    for key, number in sorted(quotas.items()):
        level, _, target = key.partition(":")
        label = TitleLevel(level).label if level in TitleLevel.values else level
        rows.append(f"{label} · {names.get(target, target)}：{number} 名")
    return rows


@page_for(office_or_auditor)
def cycles(request):
    names = {r.code: r.name for r in counties()} | {s.code: s.name for s in Sector.objects.all()}
    rows = list(Cycle.objects.annotate(
        applications_total=Count("applications"),
        applications_pending=Count("applications", filter=Q(applications__status__in=PENDING))).order_by("-year"))
    for cycle in rows:
        cycle.quota_rows = _quota_rows(cycle.quotas, names)
        cycle.thresholds = (_percent(cycle.sector_coverage_threshold), _percent(cycle.county_coverage_threshold))
    return render(request, "campaign/titles/staff/cycles.html", {
        "cycles": rows, "can_write": is_office(request.user), "open_cycle": services.open_cycle()})


@page_for(is_office)
def cycle_new(request):
    data = request.POST if request.method == "POST" else None
    targets = quota_targets(_scope_counties(request.user), sector_list())
    form = CycleForm(data)
    quotas = QuotaFormSet(data, prefix="quotas", form_kwargs={"targets": targets})
    if data is not None and form.is_valid() and quotas.is_valid():
        try:
            cycle = services.cycle_open(actor=_actor(request), **form.service_kwargs(quotas.quotas()))
        except FangxinError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"{cycle.year} 年度已开启：申报 {cycle.applications_open:%Y-%m-%d} 至 "
                                      f"{cycle.applications_close:%Y-%m-%d}，公示期 {cycle.publicity_workdays} 个工作日。")
            return redirect("campaign:cycles")
    return render(request, "campaign/titles/staff/cycle_new.html", {
        "form": form, "quotas": quotas, "open_cycle": services.open_cycle()})


@require_POST
@page_for(is_office)
def cycle_close(request, pk: int):
    cycle = Cycle.objects.filter(pk=pk).first()
    if cycle is None:
        raise NotFound("没有找到该年度。")
    try:
        services.cycle_close(actor=_actor(request), cycle=cycle)
    except FangxinError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{cycle.year} 年度已结束。")
    return redirect("campaign:cycles")


# --- dynamic management ----------------------------------------------------------------------------------------

def _with_holdings(cases):
    """Each case's business with its valid titles and its enrollments (newest first)."""
    today = timezone.localdate()
    return cases.select_related("entity__region", "entity__sector").prefetch_related(
        Prefetch("entity__titles", to_attr="valid_title_list",
                 queryset=Title.objects.filter(status=TitleStatus.VALID, valid_until__gte=today).order_by("-year")),
        Prefetch("entity__enrollments", to_attr="enrollment_list",
                 queryset=Enrollment.objects.order_by("-signed_at")))


def _outcome(case: ManagementCase) -> dict:
    """What the public sees now for a decided case: the enrollment's badge as a scan reports it."""
    enrollment = case.entity.enrollment_list[0] if case.entity.enrollment_list else None
    check = campaign_services.badge_check(enrollment.badge_token) if enrollment else None
    return {"case": case, "enrollment": enrollment, "check": check}


def _cases_page(request, *, bound: CaseDecideForm | None = None, bound_pk: int | None = None, status: int = 200):
    user = request.user
    rows = list(_with_holdings(selectors.open_cases(user)).order_by("created_at", "id"))
    for case in rows:
        case.form = bound if bound is not None and case.pk == bound_pk else CaseDecideForm(auto_id=f"case{case.pk}-%s")
    if bound is not None and all(case.pk != bound_pk for case in rows):  # decided meanwhile: say why
        for error in bound.non_field_errors():
            messages.error(request, error)
    decided = list(_with_holdings(ManagementCase.objects.visible_to(user).exclude(status=CaseStatus.OPEN))
                   .order_by("-decided_at", "-id")[:20])
    wanted = request.GET.get("decided", "")
    outcome = next((_outcome(c) for c in decided if str(c.pk) == wanted), None)
    return render(request, "campaign/titles/staff/cases.html", {
        "cases": rows, "decided": decided, "outcome": outcome, "can_write": handles_cases(user)}, status=status)


@page_for(reads_cases)
def cases(request):
    return _cases_page(request)


@require_POST
@page_for(handles_cases)
def case_decide(request, pk: int):
    case = ManagementCase.objects.visible_to(request.user).filter(pk=pk).first()
    if case is None:
        raise NotFound("没有找到该动态管理事项。")
    form = CaseDecideForm(request.POST, auto_id=f"case{case.pk}-%s")
    if form.is_valid():
        revoke = form.cleaned_data["decision"] == "revoke"
        try:
            services.case_decide(actor=_actor(request), case=case, revoke=revoke, reason=form.cleaned_data["reason"])
        except FangxinError as exc:
            form.add_error(None, exc.message)
        else:
            if revoke:
                messages.success(request, f"已撤销{case.entity.name}的创建单位资格和示范称号，撤销公告已发布。")
            else:
                messages.success(request, f"已保留{case.entity.name}的资格。")
            return redirect(f"{reverse('campaign:cases')}?decided={case.pk}#outcome")
    return _cases_page(request, bound=form, bound_pk=case.pk, status=422)


def scan_counts(actor: Actor) -> tuple[int, int]:
    """Run the periodic trigger check; (cases newly opened, triggers found in all)."""
    started = timezone.now()
    found = {case.pk: case for case in services.scan_triggers(actor=actor)}
    return sum(1 for case in found.values() if case.created_at >= started), len(found)


@require_POST
@page_for(handles_cases)
def case_scan(request):
    opened, found = scan_counts(_actor(request))
    messages.success(request, f"检查完成：发现 {found} 项触发事由，新开动态管理事项 {opened} 件。")
    return redirect("campaign:cases")


# --- coverage and designations ---------------------------------------------------------------------------------

@page_for(reads_cases)
def coverage(request):
    years = list(Cycle.objects.order_by("-year").values_list("year", flat=True))
    form = CoverageYearForm(request.GET or None, years=years)
    year = form.cleaned_data.get("year") if form.is_valid() else None
    year = year or (years[0] if years else None)
    cycle = Cycle.objects.filter(year=year).first() if year else None
    table, designations = [], []
    if cycle is not None:
        sectors = list(sector_list().exclude(code="other"))
        table = selectors.coverage_table(year=year, counties=_scope_counties(request.user), sectors=sectors)
        designations = list(Designation.objects.filter(year=year).select_related("region", "sector")
                            .order_by("kind", "region__code", "sector__seq"))
        done = {(d.kind, d.region_id, d.sector_id) for d in designations}
        for row in table:
            row["met"] = row["coverage"] is not None and row["coverage"] >= cycle.county_coverage_threshold
            row["designated"] = (DesignationKind.COUNTY, row["county"].pk, None) in done
            row["percent"] = _percent(row["coverage"])
            for cell in row["cells"]:
                cell["met"] = cell["coverage"] is not None and cell["coverage"] >= cycle.sector_coverage_threshold
                cell["designated"] = (DesignationKind.SECTOR, row["county"].pk, cell["sector"].pk) in done
                cell["percent"] = _percent(cell["coverage"])
        for designation in designations:
            designation.percent = _percent(designation.coverage)
        return render(request, "campaign/titles/staff/coverage.html", {
            "form": form, "cycle": cycle, "year": year, "sectors": sectors, "table": table,
            "designations": designations, "can_write": is_office(request.user),
            "thresholds": (_percent(cycle.sector_coverage_threshold), _percent(cycle.county_coverage_threshold))})
    return render(request, "campaign/titles/staff/coverage.html", {"form": form, "cycle": None, "year": year})


@require_POST
@page_for(is_office)
def designate(request):
    form = DesignateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请从覆盖率表中选择要认定的旗县区或行业。")
        return redirect("campaign:coverage")
    data = form.cleaned_data
    region = Region.objects.filter(code=data["region"], level="county").first()
    sector = Sector.objects.filter(code=data["sector"]).first() if data["sector"] else None
    if region is None or (data["sector"] and sector is None):
        raise NotFound("没有找到该旗县区或行业。")
    try:
        designation = services.designate(actor=_actor(request), kind=data["kind"], year=data["year"], region=region,
                                         sector=sector)
    except FangxinError as exc:
        messages.error(request, exc.message)
    else:
        what = f"{region.name}{sector.name}" if sector else region.name
        messages.success(request, f"已认定{what}为 {designation.year} 年度{designation.get_kind_display()}"
                                  f"（覆盖率 {_percent(designation.coverage)}）。")
    return redirect(f"{reverse('campaign:coverage')}?year={data['year']}")
