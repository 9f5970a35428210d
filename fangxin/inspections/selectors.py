"""Reads of the random-inspection workflow. Staff reads go through `visible_to`, so a plan, inspector or inspection
outside the user's scope is reported exactly like a missing one (NotFound → 404). The public reads (draws, published
results) never show the server secret of a draw that has not been run."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone

from fangxin.core.exceptions import NotFound
from fangxin.core.workdays import WorkCalendar
from fangxin.merchants.models import MarketEntity

from .choices import Outcome, PlanStatus
from .deadlines import PublishState, publish_state
from .models import Draw, Inspection, Inspector, InspectorConflict, Plan

# --- plans -----------------------------------------------------------------------------------------------------


def plans_for(user, *, status: str = "", q: str = "") -> QuerySet[Plan]:
    rows = Plan.objects.visible_to(user).select_related("lead_department", "draw").prefetch_related(
        "departments", "counties", "sectors")
    if status:
        rows = rows.filter(status=status)
    if q.strip():
        rows = rows.filter(name__icontains=q.strip())
    return rows.order_by("-created_at", "-id")


def plan_get(user, pk) -> Plan:
    plan = plans_for(user).filter(pk=pk).first() if str(pk).isdigit() else None
    if plan is None:
        raise NotFound("没有找到该抽查计划。")
    return plan


def draw_of(plan: Plan) -> Draw | None:
    return Draw.objects.filter(plan=plan).first()


@dataclass(frozen=True)
class PlanProgress:
    selected: int
    unassigned: int
    pending: int
    recorded: int
    published: int
    overdue: int


def plan_progress(plan: Plan, today: date | None = None) -> PlanProgress:
    today = today or timezone.localdate()
    counts = Inspection.objects.filter(plan=plan).aggregate(
        selected=Count("pk"),
        unassigned=Count("pk", filter=~Q(unassigned_reason="")),
        pending=Count("pk", filter=Q(unassigned_reason="", outcome="")),
        recorded=Count("pk", filter=~Q(outcome="") & Q(published_at__isnull=True)),
        published=Count("pk", filter=Q(published_at__isnull=False)),
        overdue=Count("pk", filter=~Q(outcome="") & Q(published_at__isnull=True, publish_due__lt=today)),
    )
    return PlanProgress(**counts)


# --- directories -----------------------------------------------------------------------------------------------


def object_directory(user, *, plan: Plan | None = None, sectors=(), counties=(), entity_types=(),
                     grade: str = "", q: str = "") -> QuerySet[MarketEntity]:
    """The inspection-object directory: operating registry businesses the user may see, in a plan's scope (when
    given) or the scope described by sectors / counties / entity types, with their credit grade (`grade`, None
    when never graded)."""
    rows = MarketEntity.objects.visible_to(user).operating().select_related("region", "sector")
    if plan is not None:
        sectors = list(plan.sectors.all())
        counties = list(plan.counties.all())
        entity_types = plan.entity_types
    if counties:
        county_q = Q()
        for county in counties:
            county_q |= Q(region__path__startswith=county.path)
        rows = rows.filter(county_q)
    if sectors:
        rows = rows.filter(sector__in=list(sectors))
    if entity_types:
        rows = rows.filter(entity_type__in=list(entity_types))
    if grade:
        rows = rows.filter(credit_grade__grade=grade)
    if q.strip():
        term = q.strip()
        rows = rows.filter(Q(name__icontains=term) | Q(uscc__icontains=term.upper()))
    return rows.annotate(grade=F("credit_grade__grade")).order_by("region__code", "uscc")


def inspectors_for(user, *, q: str = "", department=None, active: bool | None = None) -> QuerySet[Inspector]:
    rows = Inspector.objects.visible_to(user).select_related("department", "user").prefetch_related(
        "regions", Prefetch("conflicts", queryset=InspectorConflict.objects.current().select_related("entity"),
                            to_attr="current_conflicts"))
    if department is not None:
        rows = rows.filter(department=department)
    if active is not None:
        rows = rows.filter(active=active)
    if q.strip():
        term = q.strip()
        rows = rows.filter(Q(name__icontains=term) | Q(code__icontains=term))
    return rows.order_by("department__code", "code")


def inspector_get(user, pk) -> Inspector:
    inspector = inspectors_for(user).filter(pk=pk).first() if str(pk).isdigit() else None
    if inspector is None:
        raise NotFound("没有找到该检查人员。")
    return inspector


def conflicts_of(inspector: Inspector) -> QuerySet[InspectorConflict]:
    """Every declaration, current ones first."""
    return inspector.conflicts.select_related("entity").order_by(F("withdrawn_at").desc(nulls_first=True),
                                                                 "-declared_at")


def conflict_get(user, pk) -> InspectorConflict:
    conflict = InspectorConflict.objects.filter(
        pk=pk, inspector__in=Inspector.objects.visible_to(user)).select_related("inspector", "entity").first() \
        if str(pk).isdigit() else None
    if conflict is None:
        raise NotFound("没有找到该利害关系申报。")
    return conflict


# --- inspections -----------------------------------------------------------------------------------------------


def _inspections(rows: QuerySet[Inspection]) -> QuerySet[Inspection]:
    return rows.select_related("plan", "entity", "entity__region", "entity__sector").prefetch_related(
        "inspectors", "documents")


def inspections_for(user, plan: Plan | None = None, *, status: str = "") -> QuerySet[Inspection]:
    """The inspections the user may see (of one plan when given); status: unassigned, pending, recorded,
    published."""
    rows = Inspection.objects.visible_to(user)
    if plan is not None:
        rows = rows.filter(plan=plan)
    rows = _filter_status(rows, status)
    return _inspections(rows).order_by("plan_id", "seq")


def _filter_status(rows, status: str):
    if status == "unassigned":
        return rows.exclude(unassigned_reason="")
    if status == "pending":
        return rows.filter(unassigned_reason="", outcome="")
    if status == "recorded":
        return rows.exclude(outcome="").filter(published_at__isnull=True)
    if status == "published":
        return rows.filter(published_at__isnull=False)
    return rows


def inspection_get(user, pk) -> Inspection:
    inspection = inspections_for(user).filter(pk=pk).first() if str(pk).isdigit() else None
    if inspection is None:
        raise NotFound("没有找到该检查记录。")
    return inspection


def results_to_record(user) -> QuerySet[Inspection]:
    """Assigned inspections without a result, in plans still open for results, that this user may record (the
    same rule as services.may_record)."""
    from fangxin.accounts.choices import Role

    rows = Inspection.objects.visible_to(user).filter(unassigned_reason="", outcome="",
                                                      plan__status=PlanStatus.DRAWN)
    role = getattr(user, "role", None)
    own = Q(inspectors__user=user) if getattr(user, "pk", None) else Q(pk__in=[])
    if role == Role.DEPARTMENT_STAFF:
        rows = rows.filter(Q(inspectors__department_id=user.department_id) | own)
    elif role == Role.COUNTY_STAFF and user.region_id:
        rows = rows.filter(Q(entity__region__path__startswith=user.region.path) | own)
    elif role != Role.JOINT_OFFICE:
        rows = rows.filter(own)
    return _inspections(rows.distinct()).order_by("plan_id", "seq")


def overdue_publications(user, today: date | None = None) -> QuerySet[Inspection]:
    """Recorded results not published by their deadline (20 working days after the inspection), oldest first."""
    today = today or timezone.localdate()
    rows = Inspection.objects.visible_to(user) if user is not None else Inspection.objects.all()
    rows = rows.exclude(outcome="").filter(published_at__isnull=True, publish_due__lt=today)
    return _inspections(rows).order_by("publish_due", "pk")


def publication_states(inspections, today: date | None = None) -> dict[int, PublishState]:
    """{inspection pk: where it stands against its publication deadline}, with one calendar load."""
    today = today or timezone.localdate()
    calendar = WorkCalendar.load()
    return {inspection.pk: publish_state(inspection, today, calendar) for inspection in inspections}


# --- public ----------------------------------------------------------------------------------------------------


def public_draws() -> QuerySet[Draw]:
    """Every draw whose commitment has been published (from the freeze on), newest first."""
    return Draw.objects.select_related("plan", "plan__lead_department").prefetch_related(
        "plan__departments").defer("server_secret", "record", "population", "entities").order_by("-frozen_at", "-id")


def public_draw_get(pk) -> Draw:
    draw = Draw.objects.select_related("plan", "plan__lead_department").filter(pk=pk).first() \
        if str(pk).isdigit() else None
    if draw is None:
        raise NotFound("没有找到该抽签。")
    return draw


def draw_record(draw: Draw) -> dict:
    """The DESIGN 5.5 record of a run draw (it reveals the server secret, so none exists before the draw)."""
    if draw.record is None or draw.drawn_at is None:
        raise NotFound("该计划尚未抽取，抽签记录在抽取后公布。")
    return draw.record


def draw_summary(draw: Draw) -> dict:
    """What the public draw page shows: the commitment and population hash from the freeze on, the entropy once
    entered, and after the draw the seed, the revealed secret, the selected businesses and the teams (with names
    from the registry and the inspector directory). Never the secret before the draw."""
    plan = draw.plan
    summary = {
        "plan": {"id": plan.pk, "name": plan.name, "status": plan.status, "status_label": plan.get_status_display(),
                 "lead_department": plan.lead_department.name,
                 "departments": [department.name for department in plan.departments.order_by("code")],
                 "team_size": plan.team_size, "items": list(plan.items)},
        "ratios": dict(draw.ratios), "plan_ratios": dict(plan.ratios), "applied_rules": list(draw.applied_rules),
        "commitment_sha256": draw.commitment_sha256, "committed_at": draw.committed_at,
        "population_sha256": draw.population_sha256, "population_size": draw.population_size,
        "strata": {name: len(usccs) for name, usccs in sorted(draw.population.items())},
        "frozen_at": draw.frozen_at, "inspector_count": len(draw.inspectors), "exclusion_count": len(draw.exclusions),
        "public_entropy": draw.public_entropy or None, "witnesses": draw.witnesses or None,
        "entropy_at": draw.entropy_at, "seed": None, "server_secret": None, "drawn_at": draw.drawn_at,
        "selected": [],
    }
    if draw.drawn_at is None or draw.record is None:
        return summary
    record = draw.record
    usccs = [entry["uscc"] for entry in record["selected"]]
    names = dict(MarketEntity.objects.filter(uscc__in=usccs).values_list("uscc", "name"))
    inspector_names = dict(Inspector.objects.filter(
        code__in={code for a in record["assignments"] for code in a["inspectors"]}).values_list("code", "name"))
    published = {uscc: outcome for uscc, outcome in Inspection.objects.filter(
        plan=plan, published_at__isnull=False).values_list("entity__uscc", "outcome")}
    summary.update(seed=record["seed"], server_secret=record["server_secret"])
    summary["selected"] = [
        {"uscc": entry["uscc"], "name": names.get(entry["uscc"], ""), "stratum": entry["stratum"],
         "ticket": entry["ticket"], "county": record["entities"].get(entry["uscc"], {}).get("county", ""),
         "inspectors": [{"code": code, "name": inspector_names.get(code, "")} for code in assignment["inspectors"]],
         "unassigned_reason": assignment["unassigned_reason"],
         "outcome": published.get(entry["uscc"]) or None,
         "outcome_label": Outcome(published[entry["uscc"]]).label if entry["uscc"] in published else None}
        for entry, assignment in zip(record["selected"], record["assignments"], strict=True)]
    return summary


def published_results(*, q: str = "", county: str = "", outcome: str = "", plan=None) -> QuerySet[Inspection]:
    """Published results for the portal, newest first; q matches the business name or USCC, or the plan name."""
    rows = Inspection.objects.published()
    if q.strip():
        term = q.strip()
        rows = rows.filter(Q(entity__name__icontains=term) | Q(entity__uscc__icontains=term.upper())
                           | Q(plan__name__icontains=term))
    if county:
        rows = rows.filter(entity__region__code=county)
    if outcome:
        rows = rows.filter(outcome=outcome)
    if plan is not None:
        rows = rows.filter(plan=plan)
    return rows.select_related("plan", "plan__lead_department", "plan__draw", "entity", "entity__region",
                               "entity__sector").order_by("-published_at", "-id")


def published_result_get(pk) -> Inspection:
    inspection = published_results().filter(pk=pk).first() if str(pk).isdigit() else None
    if inspection is None:
        raise NotFound("没有找到该抽查结果。")
    return inspection
