"""Property: any sequence of plan steps follows PLAN_FLOW; a refused step changes nothing, and the draw's stored
state always matches the plan's status (nothing half-written)."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fangxin.core.exceptions import Conflict, TransitionNotAllowed
from fangxin.core.models import AuditRecord
from fangxin.inspections import draw as drawing
from fangxin.inspections import services
from fangxin.inspections.choices import PlanStatus
from fangxin.inspections.flows import PLAN_FLOW
from fangxin.inspections.models import Draw, Inspection

from .factories import SYSTEM, make_plan

STEPS = ["update", "freeze", "entropy", "draw", "close"]
TARGET = {"freeze": PlanStatus.FROZEN, "entropy": PlanStatus.ENTROPY, "draw": PlanStatus.DRAWN,
          "close": PlanStatus.CLOSED}


def run(step, plan):
    if step == "update":
        return services.plan_update(actor=SYSTEM, plan=plan, name="改过的名称")
    if step == "freeze":
        return services.plan_freeze(actor=SYSTEM, plan=plan)
    if step == "entropy":
        return services.entropy_enter(actor=SYSTEM, plan=plan, entropy="1-2-3", witnesses="甲、乙")
    if step == "draw":
        return services.draw_run(actor=SYSTEM, plan=plan)
    return services.plan_close(actor=SYSTEM, plan=plan)


def expected_error(step, status):
    """The refusal a step gets in a status, or None when it is allowed."""
    if step == "update":
        return None if status == PlanStatus.DRAFT else TransitionNotAllowed
    if PLAN_FLOW.can(status, TARGET[step]):
        return None
    done_once = {"freeze": status != PlanStatus.DRAFT,
                 "entropy": status in (PlanStatus.ENTROPY, PlanStatus.DRAWN, PlanStatus.CLOSED),
                 "draw": status in (PlanStatus.DRAWN, PlanStatus.CLOSED), "close": False}
    return Conflict if done_once[step] else TransitionNotAllowed


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(STEPS), max_size=9))
@pytest.mark.django_db
def test_random_walks_follow_the_plan_machine(users, entities, walk):
    # ratios of 0 select nobody, so a drawn plan can be closed at once
    plan = make_plan(ratios={"A": "0", "B": "0", "C": "0", "D": "0"})
    status, done = PlanStatus.DRAFT, 0
    for step in walk:
        error = expected_error(step, status)
        before = AuditRecord.objects.count()
        if error is None:
            run(step, plan)
            status, done = TARGET.get(step, status), done + 1
        else:
            with pytest.raises(error):
                run(step, plan)
            assert AuditRecord.objects.count() == before
        plan.refresh_from_db()
        assert plan.status == status
        draw = Draw.objects.filter(plan=plan).first()
        assert (draw is None) == (status == PlanStatus.DRAFT)
        if draw is not None:
            assert bool(draw.public_entropy) == (status in (PlanStatus.ENTROPY, PlanStatus.DRAWN, PlanStatus.CLOSED))
            assert (draw.record is not None) == (draw.drawn_at is not None) == (status in (PlanStatus.DRAWN,
                                                                                          PlanStatus.CLOSED))
            if draw.record is not None:
                assert drawing.verify(draw.record) == []
        assert not Inspection.objects.filter(plan=plan).exists()
    assert AuditRecord.objects.filter(object_type="inspections.plan", object_id=str(plan.pk)).count() == 1 + done


RATIO_TEXT = st.one_of(st.text(max_size=8), st.from_regex(r"-?[0-9]{1,2}(\.[0-9]{1,4})?", fullmatch=True),
                       st.decimals(min_value=-1, max_value=2, places=3).map(str))


@given(st.fixed_dictionaries({grade: RATIO_TEXT for grade in "ABCD"}))
def test_ratios_are_accepted_exactly_when_between_0_and_1(ratios):
    from decimal import Decimal, InvalidOperation

    from fangxin.core.exceptions import ValidationFailed

    def valid(text):
        text = text.strip()
        if not drawing.RATIO_PATTERN.fullmatch(text):
            return False
        try:
            return 0 <= Decimal(text) <= 1
        except InvalidOperation:
            return False

    if all(valid(text) for text in ratios.values()):
        cleaned = services.clean_ratios(ratios)
        assert cleaned == {grade: text.strip() for grade, text in ratios.items()}
        assert all(0 <= Decimal(value) <= 1 for value in cleaned.values())
    else:
        with pytest.raises(ValidationFailed):
            services.clean_ratios(ratios)
