"""/api/v1/…: random inspections (双随机一公开).

Public, no sign-in: the draws (commitment, population hash, entropy, seed, selection and teams), each draw's record
as the DESIGN 5.5 JSON — feed it to `fangxin draw verify` — and the published results.
Staff: plans in their scope (list, create, get), the three draw steps (freeze, entropy, draw), a plan's inspections,
recording a result and publishing results. An illegal step answers 409 (`transition_not_allowed`, with
`details.allowed`); entropy entered twice and a second draw answer 409 `conflict`."""

from datetime import date, datetime

from ninja import Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from fangxin.accounts.choices import STAFF_ROLES
from fangxin.accounts.permissions import AUDIT_READERS
from fangxin.api.auth import STAFF_AUTH
from fangxin.core.actors import Actor
from fangxin.core.exceptions import PermissionDenied, TransitionNotAllowed, ValidationFailed

from . import selectors, services
from .choices import Outcome, PlanStatus
from .flows import PLAN_FLOW

router = Router(tags=["双随机一公开"])


# --- schemas ---------------------------------------------------------------------------------------------------

class DrawOut(Schema):
    id: int
    commitment_sha256: str
    committed_at: datetime
    population_sha256: str
    population_size: int
    strata: dict[str, int]
    frozen_at: datetime
    ratios: dict[str, str]
    applied_rules: list[str]
    public_entropy: str | None
    witnesses: str | None
    entropy_at: datetime | None
    seed: str | None
    drawn_at: datetime | None


class PlanOut(Schema):
    id: int
    name: str
    status: str
    status_label: str
    lead_department: str
    lead_department_name: str
    departments: list[str]
    sectors: list[str]
    counties: list[str]
    entity_types: list[str]
    items: list[str]
    ratios: dict[str, str]
    team_size: int
    recent_days: int
    draw_due: date | None
    inspect_due: date | None
    created_at: datetime
    draw: DrawOut | None

    @staticmethod
    def resolve_status_label(plan):
        return plan.get_status_display()

    @staticmethod
    def resolve_lead_department(plan):
        return plan.lead_department.code

    @staticmethod
    def resolve_lead_department_name(plan):
        return plan.lead_department.name

    @staticmethod
    def resolve_departments(plan):
        return sorted(department.code for department in plan.departments.all())

    @staticmethod
    def resolve_sectors(plan):
        return sorted(sector.code for sector in plan.sectors.all())

    @staticmethod
    def resolve_counties(plan):
        return sorted(county.code for county in plan.counties.all())

    @staticmethod
    def resolve_draw(plan):
        return _draw_out(selectors.draw_of(plan))


class PlanIn(Schema):
    """Codes: departments and sectors by their code (fda, food_drug), counties by the region code (150802)."""

    name: str
    lead_department: str | None = None
    departments: list[str] = []
    sectors: list[str] = []
    counties: list[str]
    entity_types: list[str] = []
    items: list[str] = []
    ratios: dict[str, str] | None = None
    team_size: int = 2
    recent_days: int = 365
    draw_due: date | None = None
    inspect_due: date | None = None


class EntropyIn(Schema):
    entropy: str
    witnesses: str


class InspectorRef(Schema):
    code: str
    name: str


class InspectionOut(Schema):
    id: int
    plan_id: int
    seq: int
    uscc: str
    entity_name: str
    county: str
    stratum: str
    ticket: str
    inspectors: list[InspectorRef]
    unassigned_reason: str | None
    status: str
    status_label: str
    outcome: str | None
    outcome_label: str | None
    description: str
    inspected_on: date | None
    publish_due: date | None
    published_at: datetime | None

    @staticmethod
    def resolve_uscc(inspection):
        return inspection.entity.uscc

    @staticmethod
    def resolve_entity_name(inspection):
        return inspection.entity.name

    @staticmethod
    def resolve_county(inspection):
        return inspection.entity.region.code

    @staticmethod
    def resolve_inspectors(inspection):
        names = {member.code: member.name for member in inspection.inspectors.all()}
        return [{"code": code, "name": names.get(code, "")} for code in inspection.inspector_codes]

    @staticmethod
    def resolve_unassigned_reason(inspection):
        return inspection.unassigned_reason or None

    @staticmethod
    def resolve_status(inspection):
        return inspection.result_status

    @staticmethod
    def resolve_status_label(inspection):
        return inspection.result_status_label

    @staticmethod
    def resolve_outcome(inspection):
        return inspection.outcome or None

    @staticmethod
    def resolve_outcome_label(inspection):
        return inspection.get_outcome_display() if inspection.outcome else None


class ResultIn(Schema):
    outcome: str
    description: str = ""
    inspected_on: date


class PublishIn(Schema):
    inspection_ids: list[int]


class PublishOut(Schema):
    published: int


class SelectedOut(Schema):
    uscc: str
    name: str
    stratum: str
    ticket: str
    county: str
    inspectors: list[InspectorRef]
    unassigned_reason: str | None
    outcome: str | None
    outcome_label: str | None


class PublicDrawOut(Schema):
    id: int
    plan_id: int
    plan_name: str
    plan_status: str
    plan_status_label: str
    lead_department: str
    departments: list[str]
    team_size: int
    commitment_sha256: str
    committed_at: datetime
    population_sha256: str
    population_size: int
    strata: dict[str, int]
    ratios: dict[str, str]
    applied_rules: list[str]
    public_entropy: str | None
    witnesses: str | None
    entropy_at: datetime | None
    seed: str | None
    server_secret: str | None
    drawn_at: datetime | None
    selected: list[SelectedOut]


class PublicDrawBrief(Schema):
    id: int
    plan_id: int
    plan_name: str
    plan_status: str
    plan_status_label: str
    lead_department: str
    commitment_sha256: str
    committed_at: datetime
    population_sha256: str
    population_size: int
    public_entropy: str | None
    entropy_at: datetime | None
    seed: str | None
    drawn_at: datetime | None

    @staticmethod
    def resolve_plan_name(draw):
        return draw.plan.name

    @staticmethod
    def resolve_plan_status(draw):
        return draw.plan.status

    @staticmethod
    def resolve_plan_status_label(draw):
        return draw.plan.get_status_display()

    @staticmethod
    def resolve_lead_department(draw):
        return draw.plan.lead_department.name

    @staticmethod
    def resolve_public_entropy(draw):
        return draw.public_entropy or None

    @staticmethod
    def resolve_seed(draw):
        return draw.seed or None


class PublicResultOut(Schema):
    id: int
    plan_name: str
    draw_id: int
    uscc: str
    entity_name: str
    county: str
    county_name: str
    outcome: str
    outcome_label: str
    description: str
    inspected_on: date
    published_at: datetime

    @staticmethod
    def resolve_plan_name(row):
        return row.plan.name

    @staticmethod
    def resolve_draw_id(row):
        return row.plan.draw.pk

    @staticmethod
    def resolve_uscc(row):
        return row.entity.uscc

    @staticmethod
    def resolve_entity_name(row):
        return row.entity.name

    @staticmethod
    def resolve_county(row):
        return row.entity.region.code

    @staticmethod
    def resolve_county_name(row):
        return row.entity.region.name

    @staticmethod
    def resolve_outcome_label(row):
        return row.get_outcome_display()


class ResultFilter(Schema):
    q: str = ""
    county: str = ""
    outcome: str = ""


class PlanFilter(Schema):
    status: str = ""
    q: str = ""


# --- helpers ---------------------------------------------------------------------------------------------------

def _draw_out(draw) -> dict | None:
    if draw is None:
        return None
    return {"id": draw.pk, "commitment_sha256": draw.commitment_sha256, "committed_at": draw.committed_at,
            "population_sha256": draw.population_sha256, "population_size": draw.population_size,
            "strata": {name: len(usccs) for name, usccs in sorted(draw.population.items())},
            "frozen_at": draw.frozen_at, "ratios": draw.ratios, "applied_rules": draw.applied_rules,
            "public_entropy": draw.public_entropy or None, "witnesses": draw.witnesses or None,
            "entropy_at": draw.entropy_at, "seed": draw.seed or None, "drawn_at": draw.drawn_at}


def _reader(request) -> None:
    if getattr(request.auth, "role", None) not in STAFF_ROLES | AUDIT_READERS:
        raise PermissionDenied("只有工作人员可以查看抽查计划。")


def _step(plan, step) -> None:
    """Run one plan step; an illegal transition carries the steps allowed from where the plan stands."""
    try:
        step()
    except TransitionNotAllowed as exc:
        plan.refresh_from_db(fields=["status"])
        raise TransitionNotAllowed(exc.message, details={
            **exc.details, "from": plan.status, "allowed": sorted(PLAN_FLOW.allowed(plan.status))}) from None


# --- public ----------------------------------------------------------------------------------------------------

@router.get("/public/inspections/draws", response=list[PublicDrawBrief], auth=None,
            summary="双随机抽签公示（冻结名录起公布承诺值和总体哈希）",
            description="每次抽签的概要；入选企业、检查组和抽签记录见单次抽签的接口。")
@paginate(PageNumberPagination, page_size=20)
def public_draw_list(request):
    return selectors.public_draws()


def _public_draw(draw) -> dict:
    summary = selectors.draw_summary(draw)
    plan = summary["plan"]
    return {"id": draw.pk, "plan_id": plan["id"], "plan_name": plan["name"], "plan_status": plan["status"],
            "plan_status_label": plan["status_label"], "lead_department": plan["lead_department"],
            "departments": plan["departments"], "team_size": plan["team_size"],
            **{key: summary[key] for key in ("commitment_sha256", "committed_at", "population_sha256",
                                             "population_size", "strata", "ratios", "applied_rules",
                                             "public_entropy", "witnesses", "entropy_at", "seed", "server_secret",
                                             "drawn_at", "selected")}}


@router.get("/public/inspections/draws/{draw_id}", response=PublicDrawOut, auth=None, summary="一次抽签的公示内容",
            description="抽取前不含服务器秘密值和种子；抽取后含入选企业和检查组。")
def public_draw(request, draw_id: int):
    return _public_draw(selectors.public_draw_get(draw_id))


@router.get("/public/inspections/draws/{draw_id}/record", response=dict, auth=None,
            summary="抽签记录（fangxin-draw-v1 JSON）",
            description="DESIGN 5.5 的完整记录，可用 `fangxin draw verify RECORD.json` 或任何语言独立复算。抽取前返回 404。")
def public_draw_record(request, draw_id: int):
    return selectors.draw_record(selectors.public_draw_get(draw_id))


@router.get("/public/inspections/results", response=list[PublicResultOut], auth=None,
            summary="已公示的抽查结果", description="q：企业名称、信用代码或计划名称；county：旗县区代码；outcome：结果代码。")
@paginate(PageNumberPagination, page_size=50)
def public_results(request, filters: Query[ResultFilter]):
    if filters.outcome and filters.outcome not in Outcome.values:
        raise ValidationFailed(f"未知的检查结果：{filters.outcome}", details={"field": "outcome"})
    return selectors.published_results(q=filters.q, county=filters.county, outcome=filters.outcome)


# --- staff -----------------------------------------------------------------------------------------------------

@router.get("/inspections/plans", response=list[PlanOut], auth=STAFF_AUTH, summary="管辖范围内的抽查计划")
@paginate(PageNumberPagination, page_size=50)
def plan_list(request, filters: Query[PlanFilter]):
    _reader(request)
    if filters.status and filters.status not in PlanStatus.values:
        raise ValidationFailed(f"未知的状态：{filters.status}", details={"field": "status"})
    return selectors.plans_for(request.auth, status=filters.status, q=filters.q)


@router.post("/inspections/plans", response={201: PlanOut}, auth=STAFF_AUTH, summary="新建抽查计划（草稿）",
             description="抽查比例按信用等级填写 0 到 1 之间的小数字符串，默认 A 0.03、B 0.05、C 0.10、D 0.20；"
                         "departments 多于一个即联合抽查。")
def plan_create(request, payload: PlanIn):
    fields = payload.dict()
    if fields["ratios"] is None:
        fields.pop("ratios")
    if not fields["lead_department"]:
        fields.pop("lead_department")
    if not fields["departments"]:
        fields.pop("departments")
    plan = services.plan_create(actor=Actor.from_request(request), **fields)
    return Status(201, selectors.plan_get(request.auth, plan.pk))


@router.get("/inspections/plans/{plan_id}", response=PlanOut, auth=STAFF_AUTH, summary="抽查计划")
def plan_get(request, plan_id: int):
    _reader(request)
    return selectors.plan_get(request.auth, plan_id)


@router.post("/inspections/plans/{plan_id}/freeze", response=PlanOut, auth=STAFF_AUTH,
             summary="冻结名录，公布总体哈希和承诺值")
def plan_freeze(request, plan_id: int):
    plan = selectors.plan_get(request.auth, plan_id)
    _step(plan, lambda: services.plan_freeze(actor=Actor.from_request(request), plan=plan))
    return selectors.plan_get(request.auth, plan_id)


@router.post("/inspections/plans/{plan_id}/entropy", response=PlanOut, auth=STAFF_AUTH,
             summary="录入见证人的公开随机数", description="只能录入一次；再次录入返回 409（conflict）。")
def plan_entropy(request, plan_id: int, payload: EntropyIn):
    plan = selectors.plan_get(request.auth, plan_id)
    _step(plan, lambda: services.entropy_enter(actor=Actor.from_request(request), plan=plan,
                                               entropy=payload.entropy, witnesses=payload.witnesses))
    return selectors.plan_get(request.auth, plan_id)


@router.post("/inspections/plans/{plan_id}/draw", response=PlanOut, auth=STAFF_AUTH,
             summary="生成种子、公开秘密值并抽取", description="同一计划再次抽取返回 409（conflict）。")
def plan_draw(request, plan_id: int):
    plan = selectors.plan_get(request.auth, plan_id)
    _step(plan, lambda: services.draw_run(actor=Actor.from_request(request), plan=plan))
    return selectors.plan_get(request.auth, plan_id)


@router.get("/inspections/plans/{plan_id}/inspections", response=list[InspectionOut], auth=STAFF_AUTH,
            summary="计划的入选企业、检查组和结果", description="status：unassigned、pending、recorded、published。")
@paginate(PageNumberPagination, page_size=100)
def plan_inspections(request, plan_id: int, status: str = ""):
    _reader(request)
    if status not in ("", "unassigned", "pending", "recorded", "published"):
        raise ValidationFailed(f"未知的状态：{status}", details={"field": "status"})
    plan = selectors.plan_get(request.auth, plan_id)
    return selectors.inspections_for(request.auth, plan, status=status)


@router.post("/inspections/inspections/{inspection_id}/result", response=InspectionOut, auth=STAFF_AUTH,
             summary="录入检查结果", description="outcome：passed、problems、not_found、refused；后三者须写明情况说明。"
                                            "结果计入企业信用记录，不合格时启动示范单位动态管理复核。检查文书请在工作台上传。")
def inspection_result(request, inspection_id: int, payload: ResultIn):
    inspection = selectors.inspection_get(request.auth, inspection_id)
    services.result_record(actor=Actor.from_request(request), inspection=inspection, outcome=payload.outcome,
                           description=payload.description, inspected_on=payload.inspected_on)
    return selectors.inspection_get(request.auth, inspection_id)


@router.post("/inspections/results/publish", response=PublishOut, auth=STAFF_AUTH, summary="公示检查结果",
             description="全部录入了结果才公示，否则一条也不公示（409）；已公示的不重复公示。")
def results_publish(request, payload: PublishIn):
    rows = list(selectors.inspections_for(request.auth).filter(pk__in=payload.inspection_ids))
    if len(rows) != len(set(payload.inspection_ids)):
        raise ValidationFailed("部分检查记录不存在或不在您的管辖范围内。", details={"field": "inspection_ids"})
    return {"published": services.results_publish(actor=Actor.from_request(request), inspections=rows)}
