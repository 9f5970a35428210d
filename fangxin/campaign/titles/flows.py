"""The application workflow as an explicit transition table (docs/workflows/titles.md has the diagram)."""

from fangxin.core.transitions import StateMachine

from .choices import ApplicationStatus as S

APPLICATION_FLOW = StateMachine("application", {
    S.SUBMITTED: {S.REVIEWING, S.WITHDRAWN},
    S.REVIEWING: {S.PASSED, S.FAILED, S.WITHDRAWN},
    S.PASSED: {S.PUBLICITY, S.WITHDRAWN},
    S.PUBLICITY: {S.AWARDED, S.REMOVED},
    S.AWARDED: {S.REVOKED},
}, labels=S)
