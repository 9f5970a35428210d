"""Who is acting: every service takes an Actor so the audit record names a person, role and address."""

from dataclasses import dataclass
from typing import Any

SYSTEM_ROLE = "system"  # commands and demo data; services treat it as trusted


@dataclass(frozen=True)
class Actor:
    user: Any  # accounts.User (possibly an unsaved API-token principal) or None for the system
    name: str
    role: str
    client_ip: str = ""

    @property
    def user_id(self) -> int | None:
        return getattr(self.user, "pk", None)

    @classmethod
    def for_user(cls, user, client_ip: str = "") -> "Actor":
        return cls(user=user, name=user.get_username(), role=getattr(user, "role", "") or "", client_ip=client_ip)

    @classmethod
    def from_request(cls, request) -> "Actor":
        user = getattr(request, "auth", None) or request.user
        if not getattr(user, "is_authenticated", False):
            return cls(user=None, name="公众", role="public", client_ip=client_ip_of(request))
        return cls.for_user(user, client_ip_of(request))

    @classmethod
    def system(cls, name: str) -> "Actor":
        return cls(user=None, name=f"系统:{name}", role=SYSTEM_ROLE, client_ip="")


def client_ip_of(request) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is set by the client unless a trusted proxy rewrites it,
    # and the deployment guide has the proxy set REMOTE_ADDR instead.
    return (request.META.get("REMOTE_ADDR") or "")[:45]
