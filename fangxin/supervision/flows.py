"""The assignment workflow as an explicit transition table.

assigned → in_progress (first progress report) → submitted (the assignee reports it done) → done (the office
confirms) or returned (the office sends it back with a reason) → in_progress / submitted again. A progress
report on an assignment already in progress keeps it there (no transition)."""

from fangxin.core.transitions import StateMachine

from .choices import AssignmentStatus

S = AssignmentStatus
ASSIGNMENT_FLOW = StateMachine("supervision_assignment", {
    S.ASSIGNED: {S.IN_PROGRESS, S.SUBMITTED},
    S.IN_PROGRESS: {S.SUBMITTED},
    S.RETURNED: {S.IN_PROGRESS, S.SUBMITTED},
    S.SUBMITTED: {S.DONE, S.RETURNED},
}, labels=AssignmentStatus)

PROGRESS_FROM = frozenset({S.ASSIGNED, S.IN_PROGRESS, S.RETURNED})
