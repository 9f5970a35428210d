"""What each role may do (visibility is scope.py's job; this is about actions and pages)."""

from .choices import STAFF_ROLES, Role

AUDIT_READERS = frozenset({Role.AUDITOR, Role.SYSADMIN})
WORKBENCH_ROLES = frozenset(Role.values)


def can_view_audit(user) -> bool:
    return _role(user) in AUDIT_READERS


def can_use_workbench(user) -> bool:
    return _role(user) in WORKBENCH_ROLES


def is_staff_role(user) -> bool:
    return _role(user) in STAFF_ROLES


def can_view_registry(user) -> bool:
    return _role(user) in STAFF_ROLES | AUDIT_READERS | {Role.MERCHANT}


def _role(user) -> str | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return getattr(user, "role", None)
