"""Jurisdiction scope: the one place that decides which rows a user may see.

Each scoped model's manager is built from `ScopedQuerySet` and names, in `scope_fields`, the lookups that
lead from the model to a region, a sector and a market entity. `Model.objects.visible_to(user)` is the only
entry point pages and the API use for user-facing reads, so a forbidden object and a missing one both give
`DoesNotExist` → 404.
"""

from dataclasses import dataclass

from django.db import models
from django.db.models import Q

from .choices import STAFF_ROLES, WHOLE_SYSTEM_ROLES, Role


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    region_path: str | None = None          # staff: a region subtree
    sector_ids: frozenset[int] | None = None  # department staff: sectors led or co-operated
    entity_ids: frozenset[int] | None = None  # merchants: confirmed bound entities

    @property
    def nothing(self) -> bool:
        return not self.everything and self.region_path is None and self.entity_ids is None


NO_SCOPE = Scope()


def scope_of(user) -> Scope:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NO_SCOPE
    cached = getattr(user, "_fangxin_scope", None)
    if cached is not None:
        return cached
    scope = _compute_scope(user)
    user._fangxin_scope = scope
    return scope


def _compute_scope(user) -> Scope:
    if user.role in WHOLE_SYSTEM_ROLES:
        return Scope(everything=True)
    if user.role == Role.MERCHANT:
        from .models import BindingStatus

        ids = user.bindings.filter(status=BindingStatus.CONFIRMED).values_list("entity_id", flat=True)
        return Scope(entity_ids=frozenset(ids))
    if user.role in STAFF_ROLES and user.region_id:
        sectors = None
        if user.role == Role.DEPARTMENT_STAFF:
            sectors = department_sector_ids(user.department_id) if user.department_id else frozenset()
        return Scope(region_path=user.region.path, sector_ids=sectors)
    return NO_SCOPE


def department_sector_ids(department_id: int) -> frozenset[int]:
    from fangxin.organisation.models import Sector

    led = Sector.objects.filter(lead_departments=department_id).values_list("id", flat=True)
    cooperating = Sector.objects.filter(cooperating_departments=department_id).values_list("id", flat=True)
    return frozenset(led) | frozenset(cooperating)


class ScopedQuerySet(models.QuerySet):
    """Subclass and set scope_fields, e.g. {"region": "region", "sector": "sector", "entity": "pk"}.

    A model without an entity path is invisible to merchants; without a sector path, department staff see
    it by region alone; without a region path, only whole-system roles see it.
    """

    scope_fields: dict[str, str] = {}

    def visible_to(self, user) -> "ScopedQuerySet":
        return self.filter(self.scope_q(scope_of(user)))

    def scope_q(self, scope: Scope) -> Q:
        if scope.everything:
            return Q()
        region, sector, entity = (self.scope_fields.get(key) for key in ("region", "sector", "entity"))
        if scope.entity_ids is not None:
            return Q(**{f"{entity}__in": scope.entity_ids}) if entity and scope.entity_ids else Q(pk__in=[])
        if scope.region_path is not None and region:
            q = Q(**{f"{region}__path__startswith": scope.region_path})
            if scope.sector_ids is not None and sector:
                q &= Q(**{f"{sector}__in": scope.sector_ids})
            return q
        return Q(pk__in=[])


def user_can_write(user) -> bool:
    """Auditors read everything and change nothing."""
    return bool(getattr(user, "is_authenticated", False)) and user.role != Role.AUDITOR
