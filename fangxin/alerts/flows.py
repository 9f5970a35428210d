"""The warning workflow as an explicit transition table: open → acknowledged → handling → closed.

An acknowledged warning may be closed straight away (a false alarm, or already handled elsewhere), with a note."""

from fangxin.core.transitions import StateMachine

from .choices import WarningStatus

S = WarningStatus
WARNING_FLOW = StateMachine("warning", {
    S.OPEN: {S.ACKNOWLEDGED},
    S.ACKNOWLEDGED: {S.HANDLING, S.CLOSED},
    S.HANDLING: {S.CLOSED},
}, labels=WarningStatus)

ACTION_LABELS = {S.ACKNOWLEDGED: "签收", S.HANDLING: "开始处置", S.CLOSED: "办结"}
NOTE_REQUIRED = frozenset({S.HANDLING, S.CLOSED})
