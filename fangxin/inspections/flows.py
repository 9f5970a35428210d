"""The state machine of an inspection plan (DESIGN 5.5's four steps, then the results and the close)."""

from fangxin.core.transitions import StateMachine

from .choices import PlanStatus

PLAN_FLOW = StateMachine("inspection_plan", {
    PlanStatus.DRAFT: {PlanStatus.FROZEN},
    PlanStatus.FROZEN: {PlanStatus.ENTROPY},
    PlanStatus.ENTROPY: {PlanStatus.DRAWN},
    PlanStatus.DRAWN: {PlanStatus.CLOSED},
}, labels=PlanStatus)
