"""Random-inspection draws (双随机): per county and year (the last three years) one closed plan of the market
regulation bureau with its frozen population and its fangxin-draw-v1 record, built by the draw module itself
(`inspections.draw.build_record`), so `fangxin draw verify` of the published record passes.

As `inspections.services.plan_freeze` / `draw_run` do: the population is the county's operating businesses
registered by the freeze date, stratified by their credit grade (the empty-ledger grade for a business never
graded), sampled at the default ratios per grade after the joint-punishment rules (about 3–5 % selected); one
Inspection row per selected business. The server secret and the witnesses' entropy are derived from
(seed, plan number), so a batch is a pure function of its number like every other family.

Left out: the inspector directory (none is generated, so every team is unassigned with the reason the draw gives)
and the results — the ledger already carries the inspection results as credit events (`enrollments.py`)."""

import hashlib
from datetime import UTC, date, timedelta

from fangxin.credit import grading
from fangxin.credit.rules import inspection_ratios
from fangxin.inspections import draw as drawing
from fangxin.inspections.choices import DEFAULT_RATIOS, DEFAULT_RECENT_DAYS, DEFAULT_TEAM_SIZE, PlanStatus
from fangxin.inspections.models import Draw, Inspection, Plan
from fangxin.inspections.services import clean_ratios
from fangxin.merchants.models import MarketEntity
from fangxin.organisation.models import Department

from .context import Context, aware

YEARS = 3
DEPARTMENT = "amr"
PLAN_FIELDS = ["id", "name", "lead_department", "entity_types", "items", "ratios", "team_size", "recent_days",
               "draw_due", "inspect_due", "status", "closed_at", "created_at", "updated_at"]
PLAN_DEPARTMENT_FIELDS = ["id", "plan", "department"]
PLAN_COUNTY_FIELDS = ["id", "plan", "region"]
DRAW_FIELDS = ["id", "plan", "server_secret", "commitment_sha256", "committed_at", "ratios", "applied_rules",
               "population", "population_sha256", "population_size", "frozen_at", "entities", "inspectors",
               "exclusions", "public_entropy", "witnesses", "entropy_at", "entropy_by", "seed", "record", "drawn_at",
               "drawn_by"]
INSPECTION_FIELDS = ["id", "plan", "entity", "seq", "stratum", "ticket", "inspector_codes", "unassigned_reason",
                     "outcome", "description", "recorded_by", "published_by", "created_at", "updated_at"]
MODELS = {
    "plan": (Plan, PLAN_FIELDS),
    "plan_department": (Plan.departments.through, PLAN_DEPARTMENT_FIELDS),
    "plan_county": (Plan.counties.through, PLAN_COUNTY_FIELDS),
    "draw": (Draw, DRAW_FIELDS),
    "inspection": (Inspection, INSPECTION_FIELDS),
}
ORDER = list(MODELS)


def total(ctx: Context) -> int:
    """One batch per (county, year)."""
    return len(ctx.counties) * YEARS


def _iso(moment) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


class DrawMaker:
    def __init__(self, ctx: Context, *, grade_model):
        self.ctx = ctx
        self.department = Department.objects.get(code=DEPARTMENT)
        self.default_grade = grading.score([], grade_model, ctx.today).grade
        ratios, applied = inspection_ratios(dict(DEFAULT_RATIOS))
        self.ratios, self.applied = clean_ratios(ratios), [str(name) for name in applied]

    def make(self, k: int, out: dict) -> None:
        ctx, ids = self.ctx, self.ctx.ids
        county = ctx.counties[k // YEARS]
        year = ctx.today.year - YEARS + 1 + k % YEARS
        frozen_on = min(date(year, 4, 8), ctx.today - timedelta(days=60))
        frozen_at, entropy_at = aware(frozen_on, 60), aware(frozen_on + timedelta(days=1), 90)
        drawn_at, closed_at = aware(frozen_on + timedelta(days=1), 100), aware(frozen_on + timedelta(days=45), 480)
        name = f"{year} 年度{county.name}市场主体双随机抽查"
        strata, entities, pks = self.population(county, frozen_at)
        secret = hashlib.sha256(f"{ctx.seed}:draw:{k}".encode()).hexdigest()
        entropy = f"见证人当场掷骰 {int(hashlib.sha256(f'{ctx.seed}:entropy:{k}'.encode()).hexdigest()[:12], 16)}"
        plan_id = ids.plan + k
        plan = {"id": str(plan_id), "name": name, "ratios": dict(self.ratios), "team_size": DEFAULT_TEAM_SIZE,
                "departments": [self.department.name], "applied_rules": list(self.applied)}
        record = drawing.build_record(plan=plan, strata=strata, entities=entities, inspectors=[], exclusions=[],
                                      public_entropy=entropy, server_secret=secret, frozen_at=_iso(frozen_at),
                                      published_at=_iso(frozen_at))
        out["plan"].append((plan_id, name, self.department.pk, [], [], dict(DEFAULT_RATIOS), DEFAULT_TEAM_SIZE,
                            DEFAULT_RECENT_DAYS, frozen_on + timedelta(days=7), frozen_on + timedelta(days=40),
                            PlanStatus.CLOSED, closed_at, frozen_at, closed_at))
        out["plan_department"].append((ids.plan_department + k, plan_id, self.department.pk))
        out["plan_county"].append((ids.plan_county + k, plan_id, county.pk))
        out["draw"].append((ids.draw + k, plan_id, secret, record["commitment"]["sha256"], frozen_at,
                            dict(self.ratios), list(self.applied), strata, record["population"]["sha256"],
                            len(entities), frozen_at, entities, [], [], entropy, "公证员、消费者代表", entropy_at,
                            "市场监管局", record["seed"], record, drawn_at, "市场监管局"))
        base = ids.inspection + k * self.inspection_stride()
        for seq, (entry, assignment) in enumerate(zip(record["selected"], record["assignments"], strict=True),
                                                  start=1):
            out["inspection"].append((base + seq, plan_id, pks[entry["uscc"]], seq, entry["stratum"],
                                      entry["ticket"], list(assignment["inspectors"]),
                                      (assignment["unassigned_reason"] or "")[:300], "", "", "", "", drawn_at,
                                      drawn_at))

    def inspection_stride(self) -> int:
        """Inspection keys per plan: a plan selects at most its population, which is at most the registry."""
        return self.ctx.ids.inspection_stride

    def population(self, county, frozen_at) -> tuple[dict, dict, dict]:
        """The county's operating businesses registered by the freeze, by grade (as plan_freeze stratifies)."""
        strata = {stratum: [] for stratum in DEFAULT_RATIOS}
        entities, pks = {}, {}
        rows = (MarketEntity.objects.operating().filter(region=county, created_at__lte=frozen_at)
                .values_list("pk", "uscc", "credit_grade__grade").order_by("uscc"))
        for pk, uscc, grade in rows.iterator(chunk_size=5000):
            strata[grade or self.default_grade].append(uscc)
            entities[uscc] = {"county": county.code}
            pks[uscc] = pk
        return strata, entities, pks
