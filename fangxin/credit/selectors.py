from .choices import ListKind
from .models import CreditEvent, CreditGrade, ListEntry


def current_entries(entity):
    return ListEntry.objects.current().filter(entity=entity)


def enrollment_blockers(entity) -> list[str]:
    """Reasons, in Chinese, why this business may not join the campaign now (empty when it may)."""
    reasons = []
    for entry in current_entries(entity).filter(kind=ListKind.SERIOUS):
        reasons.append(f"已被列入严重违法失信名单（{entry.authority} {entry.document_number}，{entry.entered_on:%Y年%-m月%-d日}）")
    return reasons


def grade_of(entity) -> CreditGrade | None:
    """The business's current grade with its explanation (`explanation["events"]` lists what moved it),
    or None before its first computation."""
    return CreditGrade.objects.select_related("model").filter(entity=entity).first()


def events_of(user, entity):
    """The business's credit ledger as `user` may see it, newest first (empty outside the user's scope)."""
    return CreditEvent.objects.visible_to(user).filter(entity=entity).order_by("-occurred_on", "-id")
