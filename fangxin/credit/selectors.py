from .models import CreditEvent, CreditGrade, ListEntry


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
