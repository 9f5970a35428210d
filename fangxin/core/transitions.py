"""Explicit state machines: every status change is checked against a declared table.

    ENROLLMENT_FLOW = StateMachine("enrollment", {
        Status.ACTIVE: {Status.SUSPENDED, Status.REVOKED, Status.WITHDRAWN},
        Status.SUSPENDED: {Status.ACTIVE, Status.REVOKED},
    }, labels=Status)
    ENROLLMENT_FLOW.check(enrollment.status, Status.SUSPENDED)   # raises TransitionNotAllowed
"""

from collections.abc import Iterable, Mapping

from .exceptions import TransitionNotAllowed


class StateMachine:
    def __init__(self, name: str, transitions: Mapping[str, Iterable[str]], *, labels=None):
        self.name = name
        self.transitions = {str(source): frozenset(str(t) for t in targets) for source, targets in transitions.items()}
        self._labels = dict(labels.choices) if labels is not None else {}

    @property
    def states(self) -> frozenset[str]:
        reachable = set().union(*self.transitions.values()) if self.transitions else set()
        return frozenset(self.transitions) | reachable

    def allowed(self, current: str) -> frozenset[str]:
        return self.transitions.get(str(current), frozenset())

    def can(self, current: str, target: str) -> bool:
        return str(target) in self.allowed(current)

    def check(self, current: str, target: str) -> None:
        if not self.can(current, target):
            raise TransitionNotAllowed(
                f"不能从“{self.label(current)}”变为“{self.label(target)}”。",
                details={"machine": self.name, "from": str(current), "to": str(target),
                         "allowed": sorted(self.allowed(current))},
            )

    def is_final(self, state: str) -> bool:
        return not self.allowed(state)

    def label(self, state: str) -> str:
        return str(self._labels.get(str(state), state))
