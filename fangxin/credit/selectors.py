from fangxin.core.exceptions import NotFound

from .models import CreditEvent, CreditGrade, CreditGradeHistory, JointRule, ListEntry, RepairRequest


def current_entries(entity):
    return ListEntry.objects.current().filter(entity=entity)


def enrollment_blockers(entity) -> list[str]:
    """Reasons, in Chinese, why this business may not join the campaign now (empty when it may): the
    joint-punishment rules with the block_enrollment effect that apply to it, each naming its rule (rules.py)."""
    from .rules import enrollment_refusals

    return enrollment_refusals(entity)


def grade_of(entity) -> CreditGrade | None:
    """The business's current grade with its explanation (`explanation["events"]` lists what moved it),
    or None before its first computation."""
    return CreditGrade.objects.select_related("model").filter(entity=entity).first()


def events_of(user, entity):
    """The business's credit ledger as `user` may see it, newest first (empty outside the user's scope)."""
    return CreditEvent.objects.visible_to(user).filter(entity=entity).order_by("-occurred_on", "-id")


GRADE_TONE = {"A": "success", "B": "info", "C": "warning", "D": "danger"}


def grade_history(entity, limit: int = 20):
    return CreditGradeHistory.objects.filter(entity=entity).select_related("event").order_by("-changed_at", "-id")[
        :limit]


def explanation_rows(grade: CreditGrade | None) -> dict:
    """The stored explanation in the form the pages show: events that moved the grade (with their ledger rows'
    detail), repaired events, list caps. Empty when the business has no grade yet."""
    if grade is None:
        return {"events": [], "repaired": [], "caps": []}
    explanation = grade.explanation or {}
    ids = {line.get("event_id") for line in explanation.get("events", []) + explanation.get("repaired", [])}
    details = dict(CreditEvent.objects.filter(pk__in=[i for i in ids if i]).values_list("pk", "detail"))
    events = [{**line, "detail": details.get(line.get("event_id"), "")} for line in explanation.get("events", [])]
    repaired = [{**line, "detail": details.get(line.get("event_id"), "")} for line in explanation.get("repaired", [])]
    return {"events": events, "repaired": repaired, "caps": explanation.get("list_caps", [])}


def merchant_credit(user) -> list[dict]:
    """For each business the merchant runs: its grade and explanation, history, list entries, repair requests and
    what it may ask to repair."""
    from fangxin.merchants.models import MarketEntity

    from .repair import repairable_entries, repairable_events
    from .rules import matches

    rows = []
    for entity in MarketEntity.objects.visible_to(user).select_related("region", "sector").order_by("name"):
        grade = grade_of(entity)
        rows.append({
            "entity": entity, "grade": grade, "tone": GRADE_TONE.get(grade.grade, "muted") if grade else "muted", "explanation": explanation_rows(grade),
            "history": list(grade_history(entity)),
            "entries": list(ListEntry.objects.filter(entity=entity).order_by("-entered_on", "-id")),
            "requests": list(RepairRequest.objects.filter(entity=entity).select_related("event", "list_entry")),
            "repairable": list(repairable_events(entity)) + list(repairable_entries(entity)),
            "rules": [{"message": match.message, "effects": match.rule.effect_labels} for match in matches(entity)],
        })
    return rows


def repairs_visible(user):
    return (RepairRequest.objects.visible_to(user)
            .select_related("entity", "entity__region", "event", "list_entry", "decided_by", "repair_event"))


def repair_get(user, pk: int) -> RepairRequest:
    request = repairs_visible(user).filter(pk=pk).first()
    if request is None:
        raise NotFound("未找到该信用修复申请。")
    return request


def rules_all():
    return JointRule.objects.order_by("position", "id")
