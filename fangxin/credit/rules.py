"""Joint punishment (联合惩戒) as editable rules: a rule names a condition (a current credit list, or a grade) and
the effects it has. Other capabilities ask this module, never the lists or grades directly:

- enrollment (campaign.services) asks `enrollment_refusals` (through selectors.enrollment_blockers);
- title applications (titles.services.veto_reasons) ask `application_refusals`;
- the inspections draw asks `inspection_ratios` when it freezes a population;
- the public profile shows `profile_warnings`.

Every refusal names the rule that caused it: 依据联合惩戒规则“<name>”：<what the business is on / has>.
Rules are edited by the joint-meeting office (`rule_create`, `rule_update`), audited in the same transaction."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction

from fangxin.accounts.choices import Role
from fangxin.core import audit
from fangxin.core.actors import SYSTEM_ROLE, Actor
from fangxin.core.exceptions import Conflict, PermissionDenied, ValidationFailed

from .choices import Grade, ListKind, RuleConditionKind, RuleEffect
from .models import CreditGrade, JointRule, ListEntry

EDITORS = frozenset({Role.JOINT_OFFICE, SYSTEM_ROLE})
RULE_FIELDS = ("name", "condition_kind", "condition_value", "effects", "inspection_ratio", "warning_text", "basis",
               "active", "position")
RATIO_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class Match:
    """A rule that applies to a business now, and the fact that makes it apply (in Chinese)."""

    rule: JointRule
    fact: str

    @property
    def message(self) -> str:
        return f"依据联合惩戒规则“{self.rule.name}”：{self.fact}"


# The defaults (also seeded by migration 0004). Rules are switched off, never deleted, so an empty table only
# happens before the first use (or after a test flush): then the defaults are installed, as ensure_default_model
# does for the points model.
DEFAULT_RULES = (
    {"name": "严重违法失信名单主体不得参加创建", "condition_kind": "list", "condition_value": "serious",
     "effects": ["block_enrollment", "block_title_application", "title_review"],
     "basis": "列入严重违法失信名单的，不得参加放心消费创建，不得申报示范单位，已获称号的进入复核",
     "position": 10},
    {"name": "经营异常名录主体不得申报示范单位", "condition_kind": "list", "condition_value": "abnormal",
     "effects": ["block_title_application", "title_review"],
     "basis": "列入经营异常名录期间，不得申报放心消费示范单位，已获称号和创建资格的进入复核",
     "position": 20},
    {"name": "D 级主体提高抽查比例", "condition_kind": "grade", "condition_value": "D",
     "effects": ["raise_inspection_ratio"], "inspection_ratio": Decimal("0.30"),
     "basis": "信用等级为 D 级的，双随机抽查比例提高到 30%", "position": 30},
    {"name": "C 级主体公开提示", "condition_kind": "grade", "condition_value": "C",
     "effects": ["profile_warning"], "warning_text": "该经营者信用等级为 C 级（失信风险），请谨慎消费并保留购物凭证。",
     "basis": "信用等级为 C 级的，在公开信息页提示消费者", "position": 40},
)
SEED_ACTOR = Actor.system("credit")


def ensure_default_rules() -> None:
    if JointRule.objects.exists():
        return
    try:
        with transaction.atomic():
            for data in DEFAULT_RULES:
                rule = JointRule.objects.create(**data)
                audit.record(actor=SEED_ACTOR, action="credit.rule.seed", obj=rule,
                             changes=audit.diff({}, audit.snapshot(rule, RULE_FIELDS)))
    except IntegrityError:  # seeded concurrently by another request: theirs stand
        pass


def active_rules() -> list[JointRule]:
    ensure_default_rules()
    return list(JointRule.objects.filter(active=True).order_by("position", "id"))


def matches(entity, rules: list[JointRule] | None = None) -> list[Match]:
    """The active rules whose condition the business meets today, in the rules' order."""
    rules = active_rules() if rules is None else rules
    if not rules:
        return []
    entries = {entry.kind: entry for entry in ListEntry.objects.current().filter(entity=entity)}
    grade = CreditGrade.objects.filter(entity=entity).only("grade", "score").first()
    found = []
    for rule in rules:
        if rule.condition_kind == RuleConditionKind.LIST and rule.condition_value in entries:
            entry = entries[rule.condition_value]
            found.append(Match(rule, f"已被列入{entry.get_kind_display()}（{entry.authority} {entry.document_number}，"
                                     f"{entry.entered_on:%Y年%-m月%-d日}）"))
        elif rule.condition_kind == RuleConditionKind.GRADE and grade is not None \
                and grade.grade == rule.condition_value:
            found.append(Match(rule, f"信用等级为 {grade.grade} 级（{grade.score} 分）"))
    return found


def _with_effect(entity, effect: str) -> list[Match]:
    return [match for match in matches(entity) if effect in match.rule.effects]


def enrollment_refusals(entity) -> list[str]:
    """Why the business may not join the campaign now, each naming its rule (empty when it may)."""
    return [match.message for match in _with_effect(entity, RuleEffect.BLOCK_ENROLLMENT)]


def application_refusals(entity) -> list[str]:
    """Why the business may not apply for a demonstration title now, each naming its rule."""
    return [match.message for match in _with_effect(entity, RuleEffect.BLOCK_TITLE_APPLICATION)]


def title_review_required(entity) -> list[str]:
    """The rules under which the business's titles must go to review now, each naming its rule."""
    return [match.message for match in _with_effect(entity, RuleEffect.TITLE_REVIEW)]


def review_rules_for(condition_kind: str, value: str) -> list[str]:
    """Names of the active rules that send a business's titles and enrollment to review when it enters this list
    (condition "list") or reaches this grade (condition "grade")."""
    return [rule.name for rule in active_rules() if RuleEffect.TITLE_REVIEW in rule.effects
            and rule.condition_kind == condition_kind and rule.condition_value == value]


def profile_warnings(entity) -> list[str]:
    """The warnings the public profile shows for this business (the rule's own text)."""
    return [match.rule.warning_text or match.message for match in _with_effect(entity, RuleEffect.PROFILE_WARNING)]


def inspection_ratios(ratios: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """A plan's sampling ratios per grade ("A".."D" → decimal strings) after the raise_inspection_ratio rules:
    a rule for grade G sets G's ratio to the rule's ratio when that is higher (a rule never lowers a ratio).
    Returns the new ratios and the names of the rules that raised one."""
    result = dict(ratios)
    applied = []
    for rule in active_rules():
        if RuleEffect.RAISE_INSPECTION_RATIO not in rule.effects or rule.inspection_ratio is None:
            continue
        if rule.condition_kind != RuleConditionKind.GRADE:
            continue  # a draw samples by grade; a list condition cannot raise a grade's ratio (rule_validate)
        grade = rule.condition_value
        try:
            current = Decimal(str(result.get(grade) or "0"))
        except InvalidOperation:
            raise ValidationFailed(f"{grade} 级的抽查比例“{result.get(grade)}”不是数字。") from None
        if rule.inspection_ratio > current:
            result[grade] = str(rule.inspection_ratio)
            applied.append(rule.name)
    return result, applied


# --- editing the rules -------------------------------------------------------------------------------------


def rule_validate(data: dict) -> dict:
    """The cleaned rule fields, or ValidationFailed with a Chinese message."""
    name = (data.get("name") or "").strip()
    if not name:
        raise ValidationFailed("请填写规则名称；它会出现在每一条因该规则作出的拒绝中。", details={"field": "name"})
    kind = data.get("condition_kind")
    value = (data.get("condition_value") or "").strip()
    if kind == RuleConditionKind.LIST:
        if value not in ListKind.values:
            raise ValidationFailed("请选择名单：经营异常名录、严重违法失信名单或警示名单。",
                                   details={"field": "condition_value"})
    elif kind == RuleConditionKind.GRADE:
        if value not in Grade.values:
            raise ValidationFailed("请选择信用等级 A、B、C 或 D。", details={"field": "condition_value"})
    else:
        raise ValidationFailed("请选择条件类型：列入名单或信用等级。", details={"field": "condition_kind"})
    effects = list(dict.fromkeys(data.get("effects") or []))
    unknown = [code for code in effects if code not in RuleEffect.values]
    if unknown:
        raise ValidationFailed(f"未知惩戒措施：{'、'.join(map(str, unknown))}", details={"field": "effects"})
    if not effects:
        raise ValidationFailed("请至少选择一项惩戒措施。", details={"field": "effects"})
    ratio = data.get("inspection_ratio")
    if ratio in ("", None):
        ratio = None
    else:
        try:
            ratio = Decimal(str(ratio).strip()).quantize(RATIO_PLACES)
        except InvalidOperation:
            raise ValidationFailed("抽查比例须为 0 到 1 之间的小数，如 0.30。",
                                   details={"field": "inspection_ratio"}) from None
        if not Decimal("0") < ratio <= Decimal("1"):
            raise ValidationFailed("抽查比例须大于 0、不超过 1，如 0.30。", details={"field": "inspection_ratio"})
    if RuleEffect.RAISE_INSPECTION_RATIO in effects:
        if kind != RuleConditionKind.GRADE:
            raise ValidationFailed("提高抽查比例只能按信用等级设定（抽查按等级分层抽取）。",
                                   details={"field": "effects"})
        if ratio is None:
            raise ValidationFailed("提高抽查比例须写明比例，如 0.30。", details={"field": "inspection_ratio"})
    else:
        ratio = None
    warning = (data.get("warning_text") or "").strip()
    if RuleEffect.PROFILE_WARNING in effects and not warning:
        raise ValidationFailed("公开提示须写明提示语。", details={"field": "warning_text"})
    if RuleEffect.PROFILE_WARNING not in effects:
        warning = ""
    position = data.get("position", 100)
    try:
        position = int(position)
    except (TypeError, ValueError):
        raise ValidationFailed("顺序须为整数。", details={"field": "position"}) from None
    if not 0 <= position <= 32767:
        raise ValidationFailed("顺序须在 0 到 32767 之间。", details={"field": "position"})
    return {"name": name[:100], "condition_kind": kind, "condition_value": value,
            "effects": [code for code in RuleEffect.values if code in effects], "inspection_ratio": ratio,
            "warning_text": warning[:200], "basis": (data.get("basis") or "").strip()[:300],
            "active": bool(data.get("active", True)), "position": position}


def _require_editor(actor: Actor) -> None:
    if actor.role not in EDITORS:
        raise PermissionDenied("联合惩戒规则由联席会议办公室制定和修改。")


def rule_create(*, actor: Actor, data: dict) -> JointRule:
    _require_editor(actor)
    clean = rule_validate(data)
    try:
        with transaction.atomic():
            rule = JointRule.objects.create(**clean)
            audit.record(actor=actor, action="credit.rule.create", obj=rule,
                         changes=audit.diff({}, audit.snapshot(rule, RULE_FIELDS)))
    except IntegrityError:
        raise Conflict(f"已有名为“{clean['name']}”的规则。") from None
    return rule


def rule_update(*, actor: Actor, rule: JointRule, data: dict) -> JointRule:
    """Change a rule (including switching it on or off). The change applies from the next check on."""
    _require_editor(actor)
    clean = rule_validate(data)
    try:
        with transaction.atomic():
            rule = JointRule.objects.select_for_update().get(pk=rule.pk)
            before = audit.snapshot(rule, RULE_FIELDS)
            for field, value in clean.items():
                setattr(rule, field, value)
            rule.save()
            changes = audit.diff(before, audit.snapshot(rule, RULE_FIELDS))
            if changes:
                audit.record(actor=actor, action="credit.rule.update", obj=rule, changes=changes)
    except IntegrityError:
        raise Conflict(f"已有名为“{clean['name']}”的规则。") from None
    return rule


def rule_data(rule: JointRule) -> dict:
    """A rule's fields in the form rule_validate takes (to edit one field and keep the others)."""
    return {field: getattr(rule, field) for field in RULE_FIELDS}
