"""Every write of the random-inspection workflow (双随机一公开). Each public function is one transaction: it checks
who acts and the plan's transition (flows.PLAN_FLOW), writes, appends the audit record, and queues notifications
for after the commit. Who may do what is set out in docs/inspections.md:

- inspectors and conflicts: the joint-meeting office for any department, department staff for their own; an
  inspector with a platform account may also declare and withdraw their own conflicts;
- plans (create, edit, freeze, entropy, draw, close): the joint-meeting office, or staff of the plan's lead
  department; a department's staff create plans led by their own department;
- results (record, publish): the joint-meeting office; staff of a department with an inspector in the team; the
  county staff of the business's county; the assigned inspectors themselves.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from fangxin.accounts.choices import Role
from fangxin.core import audit, notify
from fangxin.core.actors import SYSTEM_ROLE, Actor
from fangxin.core.exceptions import Conflict, PermissionDenied, TransitionNotAllowed, ValidationFailed
from fangxin.merchants.choices import EntityType
from fangxin.merchants.models import MarketEntity
from fangxin.organisation.models import Department, Region, Sector

from . import draw as drawing
from .choices import DESCRIBED_OUTCOMES, FAILED_OUTCOMES, STRATA, Outcome, PlanStatus
from .deadlines import publish_deadline
from .flows import PLAN_FLOW
from .models import Draw, Inspection, InspectionDocument, Inspector, InspectorConflict, Plan

OFFICE = frozenset({Role.JOINT_OFFICE, SYSTEM_ROLE})
MAX_TEAM_SIZE = 10
MAX_RECENT_DAYS = 3650
MAX_ITEMS = 50

INSPECTOR_FIELDS = ("code", "name", "user", "department", "regions", "qualification", "active")
PLAN_FIELDS = ("name", "lead_department", "departments", "sectors", "counties", "entity_types", "items", "ratios",
               "team_size", "recent_days", "draw_due", "inspect_due")


def _today() -> date:
    return timezone.localdate()


def _text(value, label: str, limit: int, *, required: bool = True, field: str = "") -> str:
    value = (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()
    details = {"field": field} if field else None
    if required and not value:
        raise ValidationFailed(f"请填写{label}。", details=details)
    if len(value) > limit:
        raise ValidationFailed(f"{label}最多 {limit} 个字。", details=details)
    return value


def _department_of(actor: Actor):
    return getattr(actor.user, "department_id", None)


def _is_office(actor: Actor) -> bool:
    return actor.role in OFFICE


# --- inspectors and conflicts --------------------------------------------------------------------------------

def _may_manage_inspectors(actor: Actor, department_id) -> None:
    if _is_office(actor):
        return
    if actor.role == Role.DEPARTMENT_STAFF and department_id and department_id == _department_of(actor):
        return
    raise PermissionDenied("检查人员名录由联席会议办公室或本部门工作人员维护。")


def _instances(model, values, label: str, *, key: str = "code") -> list:
    """Model instances from instances, codes or primary keys (the API sends codes, forms send instances), in the
    order given without repeats; unknown ones are refused."""
    if values is None:
        return []
    if isinstance(values, str | int) or hasattr(values, "_meta"):
        values = [values]
    found, missing = {}, []
    for value in values:
        instance = value if hasattr(value, "_meta") else None
        if instance is None and not isinstance(value, bool) and isinstance(value, str | int):
            instance = model.objects.filter(**{key: str(value).strip()}).first()
            if instance is None and str(value).strip().isdigit():
                instance = model.objects.filter(pk=int(str(value).strip())).first()
        if instance is None:
            missing.append(str(value))
        else:
            found.setdefault(instance.pk, instance)
    if missing:
        raise ValidationFailed(f"{label}不存在：{'、'.join(missing)}。")
    return list(found.values())


def _one(model, value, label: str, *, key: str = "code"):
    if value in (None, ""):
        raise ValidationFailed(f"请选择{label}。")
    return _instances(model, value, label, key=key)[0]


def inspector_save(*, actor: Actor, inspector: Inspector | None = None, **fields) -> Inspector:
    """Create an inspector (inspector=None) or change one. Fields: code, name, department, regions, qualification,
    active, user (a staff account, or None)."""
    unknown = set(fields) - set(INSPECTOR_FIELDS)
    if unknown:
        raise ValidationFailed(f"未知字段：{'、'.join(sorted(unknown))}。")
    creating = inspector is None
    if creating:
        for required in ("code", "name", "department", "regions"):
            fields.setdefault(required, None)
    current_department = None if creating else inspector.department_id
    if current_department is not None:
        _may_manage_inspectors(actor, current_department)
    values = {}
    if "code" in fields:
        values["code"] = _text(fields["code"], "执法证号", 40, field="code")
    if "name" in fields:
        values["name"] = _text(fields["name"], "姓名", 60, field="name")
    if "qualification" in fields:
        values["qualification"] = _text(fields["qualification"], "执法资格", 200, required=False)
    if "active" in fields:
        values["active"] = bool(fields["active"])
    if "department" in fields:
        values["department"] = _one(Department, fields["department"], "所属部门")
    department = values.get("department") or (inspector.department if inspector else None)
    _may_manage_inspectors(actor, department.pk if department else None)
    if "user" in fields:
        user = fields["user"]
        if user is not None and getattr(user, "role", None) not in {Role.DEPARTMENT_STAFF, Role.COUNTY_STAFF,
                                                                     Role.JOINT_OFFICE}:
            raise ValidationFailed("只能关联工作人员账号。", details={"field": "user"})
        values["user"] = user
    regions = None
    if "regions" in fields:
        regions = _instances(Region, fields["regions"], "执法区域")
        if not regions:
            raise ValidationFailed("请至少选择一个执法区域。", details={"field": "regions"})
    with transaction.atomic():
        if creating:
            inspector = Inspector(**values)
            before = {}
        else:
            inspector = Inspector.objects.select_for_update().get(pk=inspector.pk)
            before = audit.snapshot(inspector, INSPECTOR_FIELDS)
            for name, value in values.items():
                setattr(inspector, name, value)
        if Inspector.objects.filter(code=inspector.code).exclude(pk=inspector.pk).exists():
            raise Conflict(f"执法证号 {inspector.code} 已登记。", details={"field": "code"})
        if inspector.user_id and Inspector.objects.filter(user_id=inspector.user_id).exclude(pk=inspector.pk).exists():
            raise Conflict("该账号已关联其他检查人员。", details={"field": "user"})
        try:
            with transaction.atomic():
                inspector.save()
        except IntegrityError:
            raise Conflict("执法证号或账号已被其他检查人员使用。") from None
        if regions is not None:
            inspector.regions.set(regions)
        changes = audit.diff(before, audit.snapshot(inspector, INSPECTOR_FIELDS))
        audit.record(actor=actor, action="inspections.inspector.create" if creating else "inspections.inspector.update",
                     obj=inspector, changes=changes)
    return inspector


def _may_declare(actor: Actor, inspector: Inspector) -> None:
    if inspector.user_id and inspector.user_id == actor.user_id:
        return  # an inspector declares their own interests
    _may_manage_inspectors(actor, inspector.department_id)


def may_edit_inspector(actor: Actor, inspector: Inspector | None) -> bool:
    """Whether the actor may edit this inspector (pages show the form only then); None: may add one."""
    try:
        _may_manage_inspectors(actor, inspector.department_id if inspector else _department_of(actor))
    except PermissionDenied:
        return False
    return True


def may_declare(actor: Actor, inspector: Inspector) -> bool:
    try:
        _may_declare(actor, inspector)
    except PermissionDenied:
        return False
    return True


def conflict_declare(*, actor: Actor, inspector: Inspector, entity, reason: str) -> InspectorConflict:
    """Record an interest between an inspector and a business: from the next freeze on, the inspector is never
    drawn into that business's team."""
    _may_declare(actor, inspector)
    reason = _text(reason, "利害关系说明", 200, field="reason")
    with transaction.atomic():
        if InspectorConflict.objects.current().filter(inspector=inspector, entity=entity).exists():
            raise Conflict(f"{inspector.name}与{entity.name}的利害关系已申报。")
        try:
            with transaction.atomic():
                conflict = InspectorConflict.objects.create(inspector=inspector, entity=entity, reason=reason,
                                                            declared_by=actor.name[:150])
        except IntegrityError:
            raise Conflict(f"{inspector.name}与{entity.name}的利害关系已申报。") from None
        audit.record(actor=actor, action="inspections.conflict.declare", obj=conflict,
                     changes={"inspector": [None, inspector.code], "entity": [None, entity.uscc],
                              "reason": [None, reason]})
    return conflict


def conflict_withdraw(*, actor: Actor, conflict: InspectorConflict) -> InspectorConflict:
    """End a declared interest (kept for the record, no longer excluding the inspector from future draws)."""
    _may_declare(actor, conflict.inspector)
    with transaction.atomic():
        conflict = InspectorConflict.objects.select_for_update().select_related("inspector", "entity").get(
            pk=conflict.pk)
        if conflict.withdrawn_at is not None:
            raise Conflict("该利害关系申报已撤回。")
        conflict.withdrawn_at = timezone.now()
        conflict.save(update_fields=["withdrawn_at"])
        audit.record(actor=actor, action="inspections.conflict.withdraw", obj=conflict,
                     changes={"withdrawn_at": [None, conflict.withdrawn_at]})
    return conflict


# --- plans -----------------------------------------------------------------------------------------------------

def clean_ratios(ratios) -> dict[str, str]:
    """{"A": "0.03", …} for the four credit strata: decimal strings from 0 to 1, anything else refused."""
    if not isinstance(ratios, dict):
        raise ValidationFailed("抽查比例应按信用等级 A、B、C、D 分别填写。", details={"field": "ratios"})
    unknown = sorted(set(map(str, ratios)) - set(STRATA))
    if unknown:
        raise ValidationFailed(f"未知的信用等级：{'、'.join(unknown)}。", details={"field": "ratios"})
    cleaned = {}
    for stratum in STRATA:
        value = ratios.get(stratum)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise ValidationFailed(f"请填写 {stratum} 级企业的抽查比例。", details={"field": "ratios"})
        if isinstance(value, bool) or (not isinstance(value, str | int | float) and not hasattr(value, "is_finite")):
            raise ValidationFailed(f"{stratum} 级企业的抽查比例无效。", details={"field": "ratios"})
        text = value.strip() if isinstance(value, str) else str(value)
        try:
            drawing.parse_ratio(text)
        except ValueError as error:
            raise ValidationFailed(f"{stratum} 级企业的{error}。", details={"field": "ratios"}) from None
        cleaned[stratum] = text
    return cleaned


def _clean_items(items) -> list[str]:
    if items is None:
        return []
    if isinstance(items, str):
        items = items.splitlines()
    cleaned = []
    for item in items:
        text = str(item).strip()
        if not text:
            continue
        if len(text) > 200:
            raise ValidationFailed("每个检查事项最多 200 个字。", details={"field": "items"})
        if text not in cleaned:
            cleaned.append(text)
    if len(cleaned) > MAX_ITEMS:
        raise ValidationFailed(f"检查事项最多 {MAX_ITEMS} 项。", details={"field": "items"})
    return cleaned


def _clean_int(value, label: str, low: int, high: int, field: str) -> int:
    if isinstance(value, bool):
        raise ValidationFailed(f"{label}应为整数。", details={"field": field})
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationFailed(f"{label}应为整数。", details={"field": field}) from None
    if not low <= number <= high:
        raise ValidationFailed(f"{label}应在 {low} 到 {high} 之间。", details={"field": field})
    return number


def _clean_date(value, label: str, field: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationFailed(f"{label}应为日期，如 2026-12-31。", details={"field": field}) from None


def _clean_plan(actor: Actor, fields: dict, plan: Plan | None) -> tuple[dict, dict]:
    """(plain field values, many-to-many values) for the fields given, validated."""
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise ValidationFailed(f"未知字段：{'、'.join(sorted(unknown))}。")
    values, relations = {}, {}
    if "name" in fields:
        values["name"] = _text(fields["name"], "计划名称", 120, field="name")
    if "lead_department" in fields:
        values["lead_department"] = _one(Department, fields["lead_department"], "牵头部门")
    if "departments" in fields:
        relations["departments"] = _instances(Department, fields["departments"], "参加部门")
    if "sectors" in fields:
        relations["sectors"] = _instances(Sector, fields["sectors"], "行业")
    if "counties" in fields:
        counties = _instances(Region, fields["counties"], "旗县区")
        if not counties:
            raise ValidationFailed("请至少选择一个旗县区。", details={"field": "counties"})
        relations["counties"] = counties
    if "entity_types" in fields:
        types = [str(value) for value in (fields["entity_types"] or [])]
        wrong = [value for value in types if value not in EntityType.values]
        if wrong:
            raise ValidationFailed(f"未知的主体类型：{'、'.join(wrong)}。", details={"field": "entity_types"})
        values["entity_types"] = sorted(set(types), key=EntityType.values.index)
    if "items" in fields:
        values["items"] = _clean_items(fields["items"])
    if "ratios" in fields:
        values["ratios"] = clean_ratios(fields["ratios"])
    if "team_size" in fields:
        values["team_size"] = _clean_int(fields["team_size"], "每组检查人员数", 1, MAX_TEAM_SIZE, "team_size")
    if "recent_days" in fields:
        values["recent_days"] = _clean_int(fields["recent_days"], "近期已检查回避天数", 0, MAX_RECENT_DAYS,
                                           "recent_days")
    for name, label in (("draw_due", "抽取截止日期"), ("inspect_due", "检查完成日期")):
        if name in fields:
            values[name] = _clean_date(fields[name], label, name)
    for name, label in (("draw_due", "抽取截止日期"), ("inspect_due", "检查完成日期")):
        if values.get(name) and values[name] < _today():
            raise ValidationFailed(f"{label}不能早于今天。", details={"field": name})
    draw_due = values.get("draw_due", plan.draw_due if plan else None)
    inspect_due = values.get("inspect_due", plan.inspect_due if plan else None)
    if draw_due and inspect_due and inspect_due < draw_due:
        raise ValidationFailed("检查完成日期不能早于抽取截止日期。", details={"field": "inspect_due"})
    lead = values.get("lead_department") or (plan.lead_department if plan else None)
    departments = relations.get("departments")
    if departments is None and plan is not None:
        departments = list(plan.departments.all())
    departments = list(departments or [])
    if lead is not None and lead.pk not in {department.pk for department in departments}:
        departments.insert(0, lead)  # the lead department always takes part
        relations["departments"] = departments
    _may_plan_for(actor, lead, relations.get("counties"))
    if "sectors" in relations and not _is_office(actor):
        _sectors_within(relations["sectors"], departments)
    return values, relations


def _sectors_within(sectors, departments) -> None:
    """A department plans only in sectors that one of the plan's departments leads or cooperates in (a joint
    plan covers the sectors of all its departments); the office may plan any sector."""
    ids = {department.pk for department in departments}
    outside = [sector.name for sector in sectors
               if not ({d.pk for d in sector.lead_departments.all()} | {d.pk for d in sector.cooperating_departments.all()}) & ids]
    if outside:
        raise ValidationFailed(f"{'、'.join(outside)}不是参加部门牵头或配合的行业；联合抽查请先加入相应部门。",
                               details={"field": "sectors"})


def _may_plan_for(actor: Actor, lead, counties) -> None:
    if _is_office(actor):
        return
    if actor.role != Role.DEPARTMENT_STAFF:
        raise PermissionDenied("抽查计划由职能部门或联席会议办公室制定。")
    if lead is None or lead.pk != _department_of(actor):
        raise PermissionDenied("只能制定本部门牵头的抽查计划。")
    region = getattr(actor.user, "region", None)
    if counties and region is not None:
        outside = [county.name for county in counties if not county.path.startswith(region.path)]
        if outside:
            raise PermissionDenied(f"{'、'.join(outside)}不在您的管辖范围内。")


def may_run(actor: Actor, plan: Plan) -> bool:
    """Whether the actor may freeze, draw and close this plan (for pages deciding which buttons to show)."""
    try:
        _may_run(actor, plan)
    except PermissionDenied:
        return False
    return True


def _may_run(actor: Actor, plan: Plan) -> None:
    """The draw steps and the close belong to the lead department (or the joint-meeting office)."""
    if _is_office(actor):
        return
    if actor.role == Role.DEPARTMENT_STAFF and plan.lead_department_id == _department_of(actor):
        return
    raise PermissionDenied("抽查计划的冻结、抽取和结束由牵头部门或联席会议办公室办理。")


def plan_create(*, actor: Actor, **fields) -> Plan:
    """A draft plan. The lead department defaults to the actor's own; ratios default to A 3%, B 5%, C 10%, D 20%."""
    if not _is_office(actor) and actor.role != Role.DEPARTMENT_STAFF:
        raise PermissionDenied("抽查计划由职能部门或联席会议办公室制定。")
    if "lead_department" not in fields or fields["lead_department"] in (None, ""):
        if _department_of(actor) is None:
            raise ValidationFailed("请选择牵头部门。", details={"field": "lead_department"})
        fields["lead_department"] = actor.user.department
    fields.setdefault("name", None)
    fields.setdefault("counties", None)
    values, relations = _clean_plan(actor, fields, None)
    relations.setdefault("departments", [values["lead_department"]])
    with transaction.atomic():
        plan = Plan(created_by=actor.user if getattr(actor.user, "pk", None) else None, **values)
        plan.save()
        for name, related in relations.items():
            getattr(plan, name).set(related)
        audit.record(actor=actor, action="inspections.plan.create", obj=plan,
                     changes=audit.diff({}, audit.snapshot(plan, PLAN_FIELDS)))
    return plan


def plan_update(*, actor: Actor, plan: Plan, **fields) -> Plan:
    """Change a draft plan; once its population is frozen, nothing about its scope may change."""
    _may_run(actor, plan)
    with transaction.atomic():
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        if plan.status != PlanStatus.DRAFT:
            raise TransitionNotAllowed("只有草稿状态的计划可以修改；名录冻结后计划不能再改。")
        values, relations = _clean_plan(actor, fields, plan)
        before = audit.snapshot(plan, PLAN_FIELDS)
        for name, value in values.items():
            setattr(plan, name, value)
        plan.save()
        for name, related in relations.items():
            getattr(plan, name).set(related)
        audit.record(actor=actor, action="inspections.plan.update", obj=plan,
                     changes=audit.diff(before, audit.snapshot(plan, PLAN_FIELDS)))
    return plan


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


def population_of(plan: Plan) -> list[dict]:
    """The operating registry entities in the plan's scope: [{"id", "uscc", "county", "grade"}], grade None when
    the business has no computed grade yet."""
    county_q = Q()
    for county in plan.counties.all():
        county_q |= Q(region__path__startswith=county.path)
    if not county_q:
        return []
    entities = MarketEntity.objects.operating().filter(county_q)
    sector_ids = list(plan.sectors.values_list("pk", flat=True))
    if sector_ids:
        entities = entities.filter(sector_id__in=sector_ids)
    if plan.entity_types:
        entities = entities.filter(entity_type__in=plan.entity_types)
    rows = entities.values_list("pk", "uscc", "region__code", "credit_grade__grade").order_by("uscc")
    return [{"id": pk, "uscc": uscc, "county": county, "grade": grade} for pk, uscc, county, grade in rows]


def empty_ledger_grade() -> str:
    """The grade the published model gives a business with no events: used for businesses never graded (a grade
    is stored when the first event arrives), so the whole registry is stratified without grading it first."""
    from fangxin.credit import grading
    from fangxin.credit.services import ensure_default_model

    return grading.score([], ensure_default_model(), _today()).grade


def _effective_ratios(ratios: dict) -> tuple[dict, list[str]]:
    """The plan's ratios after the joint-punishment rules (e.g. D-grade businesses inspected more often)."""
    from fangxin.credit.rules import inspection_ratios

    effective, applied = inspection_ratios(dict(ratios))
    return clean_ratios(effective), [str(name) for name in applied]


def _inspectors_for(plan: Plan, counties: set[str], usccs: set[str]) -> list[dict]:
    """The draw's inspector list: every inspector of the plan's departments covering a county of the population
    (inactive ones too, so the record can say why a team is short), with their current conflicts inside it."""
    conflicts = defaultdict(list)
    for code, uscc in InspectorConflict.objects.current().filter(
            inspector__department__in=plan.departments.all()).values_list("inspector__code", "entity__uscc"):
        if uscc in usccs:
            conflicts[code].append(uscc)
    listed = []
    inspectors = Inspector.objects.filter(department__in=plan.departments.all()).select_related(
        "department").prefetch_related("regions").order_by("code")
    for inspector in inspectors:
        regions = sorted(region.code for region in inspector.regions.all())
        if not any(drawing.covers(region, county) for region in regions for county in counties):
            continue
        listed.append({"code": inspector.code, "department": inspector.department.name, "regions": regions,
                       "active": inspector.active, "conflicts": sorted(conflicts.get(inspector.code, ()))})
    return listed


def _recent_exclusions(plan: Plan, codes: set[str], usccs: set[str]) -> list[dict]:
    """Inspectors who inspected a business of the population within the plan's recent_days (回避)."""
    if not plan.recent_days or not codes:
        return []
    since = _today() - timedelta(days=plan.recent_days)
    pairs = set()
    rows = Inspection.inspectors.through.objects.filter(
        inspection__inspected_on__gte=since, inspector__code__in=codes).values_list(
        "inspector__code", "inspection__entity__uscc")
    for code, uscc in rows:
        if uscc in usccs:
            pairs.add((code, uscc))
    return [{"inspector": code, "uscc": uscc} for code, uscc in sorted(pairs, key=lambda pair: (pair[1], pair[0]))]


def plan_freeze(*, actor: Actor, plan: Plan) -> Draw:
    """Step 1: freeze the population (stratified by credit grade), the inspectors and the exclusions, generate the
    server secret and publish its commitment with the population hash."""
    _may_run(actor, plan)
    with transaction.atomic():
        plan = Plan.objects.select_for_update().select_related("lead_department").get(pk=plan.pk)
        if Draw.objects.filter(plan=plan).exists():
            raise Conflict("该计划的名录已经冻结。")
        PLAN_FLOW.check(plan.status, PlanStatus.FROZEN)
        population = population_of(plan)
        if not population:
            raise ValidationFailed("计划范围内没有在营的市场主体，无法冻结名录。请检查行业、旗县区和主体类型。")
        ratios, applied = _effective_ratios(clean_ratios(plan.ratios))
        default_grade = empty_ledger_grade() if any(row["grade"] is None for row in population) else None
        strata = {stratum: [] for stratum in STRATA}
        entities = {}
        for row in population:
            strata[row["grade"] or default_grade].append(row["uscc"])
            entities[row["uscc"]] = {"county": row["county"]}
        usccs = set(entities)
        inspectors = _inspectors_for(plan, {row["county"] for row in population}, usccs)
        exclusions = _recent_exclusions(plan, {inspector["code"] for inspector in inspectors}, usccs)
        now = timezone.now().replace(microsecond=0)
        secret = drawing.new_server_secret()
        draw = Draw.objects.create(
            plan=plan, server_secret=secret, commitment_sha256=drawing.commitment_sha256(secret), committed_at=now,
            ratios=ratios, applied_rules=applied, population=strata,
            population_sha256=drawing.population_sha256(strata), population_size=len(population), frozen_at=now,
            entities=entities, inspectors=inspectors, exclusions=exclusions)
        plan.status = PlanStatus.FROZEN
        plan.save(update_fields=["status", "updated_at"])
        audit.record(actor=actor, action="inspections.plan.freeze", obj=plan,
                     changes={"status": [PlanStatus.DRAFT, PlanStatus.FROZEN],
                              "population_sha256": [None, draw.population_sha256],
                              "population_size": [None, draw.population_size],
                              "commitment_sha256": [None, draw.commitment_sha256],
                              "ratios": [None, ratios], "applied_rules": [None, applied],
                              "inspectors": [None, len(inspectors)], "exclusions": [None, len(exclusions)]})
    return draw


def _draw_of(plan: Plan) -> Draw:
    draw = Draw.objects.select_for_update().filter(plan=plan).first()
    if draw is None:
        raise TransitionNotAllowed("请先冻结名录并公布承诺值。")
    return draw


def entropy_enter(*, actor: Actor, plan: Plan, entropy: str, witnesses: str) -> Draw:
    """Step 2: the public entropy from the witnesses, once, after the commitment was published."""
    _may_run(actor, plan)
    entropy = _text(entropy, "公开随机数", 500, field="entropy")
    witnesses = _text(witnesses, "见证人", 200, field="witnesses")
    with transaction.atomic():
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        draw = _draw_of(plan)
        if draw.public_entropy:
            raise Conflict(f"公开随机数已于 {timezone.localtime(draw.entropy_at):%Y-%m-%d %H:%M} 录入，不能再次录入。")
        PLAN_FLOW.check(plan.status, PlanStatus.ENTROPY)
        draw.public_entropy, draw.witnesses = entropy, witnesses
        draw.entropy_at, draw.entropy_by = timezone.now(), actor.name[:150]
        draw.save(update_fields=["public_entropy", "witnesses", "entropy_at", "entropy_by"])
        plan.status = PlanStatus.ENTROPY
        plan.save(update_fields=["status", "updated_at"])
        audit.record(actor=actor, action="inspections.plan.entropy", obj=plan,
                     changes={"status": [PlanStatus.FROZEN, PlanStatus.ENTROPY], "public_entropy": [None, entropy],
                              "witnesses": [None, witnesses]})
    return draw


def record_inputs(plan: Plan, draw: Draw) -> dict:
    """The keyword arguments of draw.build_record for this plan's frozen inputs."""
    return {
        "plan": {"id": str(plan.pk), "name": plan.name, "ratios": dict(draw.ratios), "team_size": plan.team_size,
                 "departments": [department.name for department in plan.departments.order_by("code")],
                 "applied_rules": list(draw.applied_rules)},
        "strata": draw.population, "entities": draw.entities, "inspectors": draw.inspectors,
        "exclusions": draw.exclusions, "public_entropy": draw.public_entropy, "server_secret": draw.server_secret,
        "frozen_at": _iso(draw.frozen_at), "published_at": _iso(draw.committed_at),
    }


def draw_run(*, actor: Actor, plan: Plan) -> Draw:
    """Steps 3–4 in one transaction: derive the seed, reveal the secret, select and assign, store the record and
    one Inspection per selected business (unassigned ones with their reason). A second draw is refused."""
    _may_run(actor, plan)
    with transaction.atomic():
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        draw = _draw_of(plan)
        if draw.drawn_at is not None:
            raise Conflict(f"该计划已于 {timezone.localtime(draw.drawn_at):%Y-%m-%d %H:%M} 抽取，不能再次抽取。")
        if not draw.public_entropy:
            raise TransitionNotAllowed("请先由见证人录入公开随机数，再进行抽取。")
        PLAN_FLOW.check(plan.status, PlanStatus.DRAWN)
        try:
            record = drawing.build_record(**record_inputs(plan, draw))
        except ValueError as error:
            raise ValidationFailed(f"抽签输入有误：{error}") from None
        problems = drawing.verify(record)
        if problems:  # never store a record the public check would reject
            raise Conflict(f"抽签记录自检未通过：{problems[0]}")
        now = timezone.now()
        draw.seed, draw.record, draw.drawn_at, draw.drawn_by = record["seed"], record, now, actor.name[:150]
        draw.save(update_fields=["seed", "record", "drawn_at", "drawn_by"])
        _create_inspections(plan, record)
        plan.status = PlanStatus.DRAWN
        plan.save(update_fields=["status", "updated_at"])
        unassigned = sum(1 for assignment in record["assignments"] if assignment["unassigned_reason"])
        audit.record(actor=actor, action="inspections.plan.draw", obj=plan,
                     changes={"status": [PlanStatus.ENTROPY, PlanStatus.DRAWN], "seed": [None, record["seed"]],
                              "selected": [None, len(record["selected"])], "unassigned": [None, unassigned]})
        notify.queue(_team_messages(plan, record))
    return draw


def _create_inspections(plan: Plan, record: dict) -> None:
    selected = record["selected"]
    ids = {}
    usccs = [entry["uscc"] for entry in selected]
    for start in range(0, len(usccs), 500):
        ids.update(MarketEntity.objects.filter(uscc__in=usccs[start:start + 500]).values_list("uscc", "pk"))
    inspector_ids = dict(Inspector.objects.filter(
        code__in={code for a in record["assignments"] for code in a["inspectors"]}).values_list("code", "pk"))
    rows = [Inspection(plan=plan, entity_id=ids[entry["uscc"]], seq=seq, stratum=entry["stratum"],
                       ticket=entry["ticket"], inspector_codes=list(assignment["inspectors"]),
                       unassigned_reason=(assignment["unassigned_reason"] or "")[:300])
            for seq, (entry, assignment) in enumerate(zip(selected, record["assignments"], strict=True), start=1)]
    Inspection.objects.bulk_create(rows, batch_size=500)
    created = dict(Inspection.objects.filter(plan=plan).values_list("seq", "pk"))
    Through = Inspection.inspectors.through
    Through.objects.bulk_create([
        Through(inspection_id=created[seq], inspector_id=inspector_ids[code])
        for seq, assignment in enumerate(record["assignments"], start=1) for code in assignment["inspectors"]
    ], batch_size=1000)


def _team_messages(plan: Plan, record: dict) -> list[notify.Message]:
    counts = defaultdict(int)
    for assignment in record["assignments"]:
        for code in assignment["inspectors"]:
            counts[code] += 1
    messages = []
    for inspector in Inspector.objects.filter(code__in=counts).select_related("user"):
        phone = getattr(inspector.user, "phone", "") if inspector.user_id else ""
        if phone:
            messages.append(notify.Message(
                channel="sms", recipient=phone, recipient_kind="inspector", subject="双随机抽查任务",
                body=f"{inspector.name}：您在“{plan.name}”中被随机分派检查 {counts[inspector.code]} 家企业，"
                     f"请登录放心消费平台查看。",
                object_type="inspections.plan", object_id=str(plan.pk)))
    return messages


def plan_close(*, actor: Actor, plan: Plan) -> Plan:
    """End a drawn plan once every assigned inspection has a published result (unassigned businesses stay listed
    with their reason; they cannot be inspected without a drawn team)."""
    _may_run(actor, plan)
    with transaction.atomic():
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        PLAN_FLOW.check(plan.status, PlanStatus.CLOSED)
        assigned = Inspection.objects.filter(plan=plan, unassigned_reason="")
        unrecorded = assigned.filter(outcome="").count()
        unpublished = assigned.exclude(outcome="").filter(published_at__isnull=True).count()
        if unrecorded or unpublished:
            parts = [f"{unrecorded} 家尚未录入检查结果" for _ in [0] if unrecorded] + \
                    [f"{unpublished} 家结果尚未公示" for _ in [0] if unpublished]
            raise TransitionNotAllowed(f"还有{'，'.join(parts)}，计划不能结束。")
        plan.status, plan.closed_at = PlanStatus.CLOSED, timezone.now()
        plan.save(update_fields=["status", "closed_at", "updated_at"])
        audit.record(actor=actor, action="inspections.plan.close", obj=plan,
                     changes={"status": [PlanStatus.DRAWN, PlanStatus.CLOSED]})
    return plan


# --- results ---------------------------------------------------------------------------------------------------

def may_record(actor: Actor, inspection: Inspection) -> bool:
    """The joint-meeting office; staff of a department with an inspector in the team; the county staff of the
    business's county; an assigned inspector."""
    if _is_office(actor):
        return True
    user = actor.user
    if user is None:
        return False
    team = list(inspection.inspectors.select_related("department"))
    if user.pk and any(member.user_id == user.pk for member in team):
        return True
    if actor.role == Role.DEPARTMENT_STAFF:
        return any(member.department_id == user.department_id for member in team)
    if actor.role == Role.COUNTY_STAFF and user.region_id:
        return inspection.entity.region.path.startswith(user.region.path)
    return False


def _require_record(actor: Actor, inspection: Inspection) -> None:
    if not may_record(actor, inspection):
        raise PermissionDenied("检查结果由检查组所在部门、企业所在旗县区或联席会议办公室录入和公示。")


def result_record(*, actor: Actor, inspection: Inspection, outcome: str, description: str, inspected_on,
                  files: Iterable = ()) -> Inspection:
    """The result of one inspection, with its documents; it enters the business's credit ledger and, when the
    business failed, opens a review of its titles — all in this transaction. The publication deadline starts."""
    from fangxin.campaign.titles.choices import TriggerKind
    from fangxin.campaign.titles.services import case_open
    from fangxin.complaints import evidence
    from fangxin.credit.choices import EventKind
    from fangxin.credit.services import credit_event_record

    inspection = Inspection.objects.select_related("plan", "entity__region").get(pk=inspection.pk)
    _require_record(actor, inspection)
    if outcome not in Outcome.values:
        raise ValidationFailed("请选择检查结果。", details={"field": "outcome"})
    description = _text(description, "情况说明", 2000, required=outcome in DESCRIBED_OUTCOMES, field="description")
    inspected_on = _clean_date(inspected_on, "检查日期", "inspected_on")
    if inspected_on is None:
        raise ValidationFailed("请填写检查日期。", details={"field": "inspected_on"})
    if inspected_on > _today():
        raise ValidationFailed("检查日期不能晚于今天。", details={"field": "inspected_on"})
    checked = evidence.check(list(files or ()))
    with transaction.atomic():
        inspection = Inspection.objects.select_for_update(of=("self",)).select_related("plan", "entity").get(
            pk=inspection.pk)
        plan = inspection.plan
        if plan.status != PlanStatus.DRAWN:
            raise TransitionNotAllowed(f"计划“{plan.name}”当前为“{plan.get_status_display()}”，不能录入检查结果。")
        if inspection.unassigned_reason:
            raise TransitionNotAllowed("该企业未能分派检查组，不能录入检查结果。")
        if inspection.outcome:
            raise Conflict("该企业的检查结果已经录入。")
        drawn_on = timezone.localdate(plan.draw.drawn_at)
        if inspected_on < drawn_on:
            raise ValidationFailed(f"检查日期不能早于抽取日期 {drawn_on.isoformat()}。", details={"field": "inspected_on"})
        inspection.outcome, inspection.description, inspection.inspected_on = outcome, description, inspected_on
        inspection.result_recorded_at, inspection.recorded_by = timezone.now(), actor.name[:150]
        inspection.publish_due = publish_deadline(inspected_on).due
        inspection.save()
        for item in checked:
            document = InspectionDocument(inspection=inspection, original_name=item.name,
                                          content_type=item.content_type, size=item.size, sha256=item.sha256)
            document.file.save(item.stored_name, item.upload, save=True)  # never the user's name
        source_ref = f"inspection:{inspection.pk}"
        label = Outcome(outcome).label
        detail = f"{plan.name}：{label}" + (f"。{description}" if description else "")
        failed = outcome in FAILED_OUTCOMES
        credit_event_record(actor=actor, entity=inspection.entity,
                            kind=EventKind.INSPECTION_FAILED if failed else EventKind.INSPECTION_PASSED,
                            occurred_on=inspected_on, detail=detail[:300], source_ref=source_ref)
        if failed:
            case_open(actor=actor, entity=inspection.entity, trigger=TriggerKind.FAILED_INSPECTION,
                      source_ref=source_ref, detail=detail[:300])
        audit.record(actor=actor, action="inspections.result.record", obj=inspection,
                     changes={"outcome": [None, outcome], "inspected_on": [None, inspected_on],
                              "publish_due": [None, inspection.publish_due], "documents": [None, len(checked)]})
    return inspection


def results_publish(*, actor: Actor, inspections: Iterable[Inspection]) -> int:
    """Publish recorded results on the portal; returns how many were newly published (already published ones are
    left as they are). A result not yet recorded stops the whole batch: nothing is half-published."""
    pks = [inspection.pk for inspection in inspections]
    if not pks:
        raise ValidationFailed("请选择要公示的检查结果。")
    published = 0
    messages = []
    with transaction.atomic():
        rows = list(Inspection.objects.select_for_update(of=("self",)).filter(pk__in=pks).select_related(
            "plan", "entity__region").order_by("plan_id", "seq"))
        for inspection in rows:
            _require_record(actor, inspection)
        missing = [inspection.entity.name for inspection in rows if not inspection.outcome]
        if missing:
            more = f"等 {len(missing)} 家" if len(missing) > 3 else ""
            raise TransitionNotAllowed(f"{'、'.join(missing[:3])}{more}尚未录入检查结果，不能公示。")
        now = timezone.now()
        for inspection in rows:
            if inspection.published_at is not None:
                continue
            inspection.published_at, inspection.published_by = now, actor.name[:150]
            inspection.save(update_fields=["published_at", "published_by", "updated_at"])
            overdue = inspection.publish_due is not None and timezone.localdate(now) > inspection.publish_due
            audit.record(actor=actor, action="inspections.result.publish", obj=inspection,
                         changes={"published_at": [None, now], "overdue": [None, overdue]})
            published += 1
            phone = inspection.entity.contact_phone
            if phone:
                messages.append(notify.Message(
                    channel="sms", recipient=phone, recipient_kind="merchant", subject="抽查结果公示",
                    body=f"{inspection.entity.name}：“{inspection.plan.name}”对贵单位的抽查结果"
                         f"（{inspection.get_outcome_display()}）已在放心消费平台公示。",
                    object_type="inspections.inspection", object_id=str(inspection.pk)))
        notify.queue(messages)
    return published
