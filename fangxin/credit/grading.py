"""The credit grade as a pure function of the ledger, a points model and a date (docs/credit.md).

`score(events, model, today, lists=())` reads only what it is given — no database, no clock — so the same
ledger, model version and date always give the same grade, score and explanation.

The model's `rules` (stored as JSON in `GradeModel.rules`):

    base          starting score (100)
    floor, ceiling the score is kept within [floor, ceiling] (0 and 100)
    kinds         {kind: {"points": p, "window_days": w}}: an event counts while 0 <= age < w days,
                  with linear decay: applied = p × (w − age) / w, rounded to 0.01 (half up)
    thresholds    [["A", 90], ["B", 75], ["C", 60]]: the first grade whose minimum the score reaches; else D
    list_caps     {list kind: worst-allowed grade}: on the serious-violation list → D, abnormal list → at most C

Credit repair (repair.py): an approved repair appends a `credit_repaired` row whose `repairs_id` names the
repaired event. It carries no points itself (no entry in `kinds` is needed); the repaired event stops counting
from the repair's date on, and the explanation lists it under "repaired" with the points it no longer takes.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from .choices import EventKind, Grade, ListKind

CENT = Decimal("0.01")
FACTOR_PLACES = Decimal("0.0001")
GRADE_ORDER = ["A", "B", "C", "D"]  # best first

DEFAULT_RULES = {
    "base": 100,
    "floor": 0,
    "ceiling": 100,
    "kinds": {
        EventKind.COMPLAINT_UPHELD.value: {"points": -3, "window_days": 365},
        EventKind.MEDIATION_REFUSED.value: {"points": -5, "window_days": 365},
        EventKind.OPERATOR_SETTLED.value: {"points": 1, "window_days": 365},
        EventKind.ADVANCE_COMPENSATION.value: {"points": 2, "window_days": 365},
        EventKind.INSPECTION_PASSED.value: {"points": 2, "window_days": 730},
        EventKind.INSPECTION_FAILED.value: {"points": -8, "window_days": 730},
        EventKind.PENALTY.value: {"points": -15, "window_days": 1095},
        EventKind.LIST_ENTERED.value: {"points": 0, "window_days": 365},
        EventKind.LIST_EXITED.value: {"points": 0, "window_days": 365},
        EventKind.COMMITMENT_BREACH.value: {"points": -6, "window_days": 365},
        EventKind.TITLE_AWARDED.value: {"points": 5, "window_days": 1095},
        EventKind.TITLE_REVOKED.value: {"points": -10, "window_days": 1095},
    },
    "thresholds": [["A", 90], ["B", 75], ["C", 60]],
    "list_caps": {ListKind.SERIOUS.value: "D", ListKind.ABNORMAL.value: "C"},
}


class InvalidRules(ValueError):
    """The points model is not usable; the message says why, in Chinese."""


@dataclass(frozen=True)
class Result:
    grade: str
    score: Decimal
    explanation: dict

    def __iter__(self):  # grade, score, explanation = score(...)
        return iter((self.grade, self.score, self.explanation))


def validate_rules(rules: Mapping) -> None:
    try:
        base, floor, ceiling = (Decimal(str(rules[key])) for key in ("base", "floor", "ceiling"))
        kinds, thresholds, caps = rules["kinds"], rules["thresholds"], rules["list_caps"]
    except (KeyError, TypeError, ArithmeticError) as error:
        raise InvalidRules(f"计分规则缺少或写错了项目：{error}") from None
    if not floor <= base <= ceiling:
        raise InvalidRules("基础分须在最低分和最高分之间。")
    missing = sorted(set(EventKind.values) - set(kinds) - {EventKind.CREDIT_REPAIRED.value})
    if missing:
        raise InvalidRules(f"计分规则未规定这些事件的分值：{'、'.join(missing)}")
    for kind, rule in kinds.items():
        if kind not in EventKind.values:
            raise InvalidRules(f"未知事件：{kind}")
        window = rule.get("window_days")
        if not isinstance(window, int) or isinstance(window, bool) or window <= 0:
            raise InvalidRules(f"{EventKind(kind).label}的有效期须为正整数天。")
        if not isinstance(rule.get("points"), int | float) or isinstance(rule.get("points"), bool):
            raise InvalidRules(f"{EventKind(kind).label}的分值须为数字。")
    grades = [grade for grade, _ in thresholds]
    minima = [Decimal(str(minimum)) for _, minimum in thresholds]
    if grades != GRADE_ORDER[:3] or minima != sorted(minima, reverse=True) or len(set(minima)) != 3:
        raise InvalidRules("等级门槛须依次为 A、B、C，且分数线从高到低。")
    for list_kind, cap in caps.items():
        if list_kind not in ListKind.values or cap not in GRADE_ORDER:
            raise InvalidRules(f"名单封顶规则有误：{list_kind} → {cap}")


def decay_factor(age_days: int, window_days: int) -> Decimal:
    """1 on the day of the event, falling linearly to 0 at the end of the window (exact, not rounded)."""
    return Decimal(window_days - age_days) / Decimal(window_days)


def grade_for(value: Decimal, thresholds) -> str:
    for grade, minimum in thresholds:
        if value >= Decimal(str(minimum)):
            return grade
    return "D"


def worse(first: str, second: str) -> str:
    return max(first, second, key=GRADE_ORDER.index)


def score(events: Iterable, model, today: date, lists: Iterable[str] = ()) -> Result:
    """`events`: objects with `kind`, `occurred_on` and optionally `pk`; `model`: a GradeModel or its rules;
    `lists`: the credit lists the business is on today (ListKind values)."""
    rules = getattr(model, "rules", model)
    version = getattr(model, "version", None)
    base, floor, ceiling = (Decimal(str(rules[key])) for key in ("base", "floor", "ceiling"))
    ordered = sorted(events, key=lambda event: (event.occurred_on, getattr(event, "pk", None) or 0, event.kind))
    repairs = _repairs(ordered, today)
    lines, repaired, total = [], [], base
    for event in ordered:
        rule = rules["kinds"].get(event.kind)
        if rule is None or event.kind == EventKind.CREDIT_REPAIRED:
            continue
        age = (today - event.occurred_on).days
        window = int(rule["window_days"])
        points = Decimal(str(rule["points"]))
        if points == 0 or age < 0 or age >= window:
            continue  # moves nothing: no points, not yet happened, or expired
        factor = decay_factor(age, window)
        applied = (points * factor).quantize(CENT, rounding=ROUND_HALF_UP)
        if applied == 0:
            continue
        repair = repairs.get(getattr(event, "pk", None))
        if repair is not None:  # repaired: shown with what it would have taken, and not counted
            repaired.append({"event_id": event.pk, "kind": event.kind, "label": EventKind(event.kind).label,
                             "occurred_on": event.occurred_on.isoformat(), "not_applied": str(applied),
                             "repair_event_id": getattr(repair, "pk", None),
                             "repaired_on": repair.occurred_on.isoformat()})
            continue
        total += applied
        lines.append({
            "event_id": getattr(event, "pk", None),
            "kind": event.kind,
            "label": EventKind(event.kind).label,
            "occurred_on": event.occurred_on.isoformat(),
            "age_days": age,
            "window_days": window,
            "points": str(points),
            "decay_factor": str(factor.quantize(FACTOR_PLACES, rounding=ROUND_HALF_UP)),
            "applied": str(applied),
        })
    raw = total
    final = min(max(total, floor), ceiling).quantize(CENT)
    by_score = grade_for(final, rules["thresholds"])
    grade, caps = by_score, []
    for list_kind in sorted(set(lists)):
        cap = rules["list_caps"].get(list_kind)
        if cap is not None:
            caps.append({"list": list_kind, "label": ListKind(list_kind).label, "cap": cap})
            grade = worse(grade, cap)
    explanation = {
        "model_version": version,
        "as_of": today.isoformat(),
        "base": str(base),
        "events": lines,
        "repaired": repaired,
        "raw_score": str(raw.quantize(CENT)),
        "score": str(final),
        "grade_by_score": by_score,
        "list_caps": caps,
        "grade": grade,
        "grade_label": Grade(grade).label,
    }
    return Result(grade=grade, score=final, explanation=explanation)


def _repairs(events, today: date) -> dict:
    """{repaired event id: its credit_repaired row} for repairs in force today. `repairs_id` is read only on
    credit_repaired rows (a deferred field there costs one query per repair, not per event)."""
    found = {}
    for event in events:
        if event.kind != EventKind.CREDIT_REPAIRED or event.occurred_on > today:
            continue
        target = getattr(event, "repairs_id", None)
        if target is not None:
            found[target] = event
    return found
