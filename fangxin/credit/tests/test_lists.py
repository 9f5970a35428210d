from datetime import date

import pytest

from fangxin.core.actors import Actor
from fangxin.core.exceptions import Conflict, TransitionNotAllowed, ValidationFailed
from fangxin.core.models import AuditRecord
from fangxin.credit.models import ListEntry
from fangxin.credit.selectors import enrollment_blockers
from fangxin.credit.services import list_enter, list_exit

SYSTEM = Actor.system("test")


def enter(entity, kind="serious", **overrides):
    values = {"reason_code": "S02", "reason": "提供虚假材料", "authority": "临河区市场监督管理局",
              "document_number": "临市监〔2026〕12号", "entered_on": date(2026, 6, 1), **overrides}
    return list_enter(actor=SYSTEM, entity=entity, kind=kind, **values)


@pytest.mark.django_db
def test_entry_and_exit_are_audited_and_lift_the_blocker(entities):
    entry = enter(entities["a_food"])
    assert enrollment_blockers(entities["a_food"]) and "临市监〔2026〕12号" in enrollment_blockers(entities["a_food"])[0]
    list_exit(actor=SYSTEM, entry=entry, exit_reason="repair_served", exited_on=date(2026, 9, 1))
    assert enrollment_blockers(entities["a_food"]) == []
    assert [r.action for r in AuditRecord.objects.filter(object_type="credit.listentry").order_by("seq")] == [
        "credit.list.enter", "credit.list.exit"]
    with pytest.raises(TransitionNotAllowed):
        list_exit(actor=SYSTEM, entry=entry, exit_reason="remedied", exited_on=date(2026, 9, 2))


@pytest.mark.django_db
def test_only_the_serious_list_blocks_enrollment(entities):
    enter(entities["a_food"], kind="abnormal")
    enter(entities["a_food"], kind="warning")
    assert enrollment_blockers(entities["a_food"]) == []


@pytest.mark.django_db
def test_bad_decisions_are_refused(entities):
    with pytest.raises(ValidationFailed):
        enter(entities["a_food"], document_number=" ")
    with pytest.raises(ValidationFailed):
        enter(entities["a_food"], kind="blacklist")
    entry = enter(entities["a_food"])
    with pytest.raises(Conflict):
        enter(entities["a_food"])  # already on that list
    with pytest.raises(ValidationFailed):
        list_exit(actor=SYSTEM, entry=entry, exit_reason="remedied", exited_on=date(2026, 1, 1))
    assert ListEntry.objects.count() == 1


@pytest.mark.django_db
def test_list_entries_are_scoped_like_their_entity(users, entities):
    enter(entities["b_food"])
    assert ListEntry.objects.visible_to(users["county_a"]).count() == 0
    assert ListEntry.objects.visible_to(users["county_b"]).count() == 1
