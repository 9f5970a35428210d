"""The complaint and report workflows as explicit transition tables (docs/complaints.md has the diagram)."""

from fangxin.core.transitions import StateMachine

from .choices import Status

S = Status
COMPLAINT_FLOW = StateMachine("complaint", {
    S.OPERATOR: {S.OPERATOR_OFFERED, S.RECEIVED, S.WITHDRAWN},
    S.OPERATOR_OFFERED: {S.OPERATOR_SETTLED, S.RECEIVED, S.WITHDRAWN},
    S.RECEIVED: {S.ACCEPTED, S.REFUSED, S.WITHDRAWN},
    S.ACCEPTED: {S.MEDIATING, S.TESTING, S.AGREEMENT, S.MEDIATION_ENDED, S.REFERRED, S.WITHDRAWN},
    S.MEDIATING: {S.TESTING, S.AGREEMENT, S.MEDIATION_ENDED, S.REFERRED, S.WITHDRAWN},
    S.TESTING: {S.MEDIATING},
    S.MEDIATION_ENDED: {S.REFERRED},
}, labels=Status)

REPORT_FLOW = StateMachine("report", {
    S.REPORT_RECEIVED: {S.CASE_OPENED, S.CASE_NOT_OPENED},
}, labels=Status)


def flow_for(kind: str) -> StateMachine:
    return REPORT_FLOW if kind == "report" else COMPLAINT_FLOW
