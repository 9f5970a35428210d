"""Cached dashboard payloads, keyed by the versions of their inputs (docs/statistics.md, "缓存").

Every input a dashboard reads has a version counter in `stats.Version`: one per rollup source (bumped by
rollups.refresh/rebuild when they change a counter) and `inputs` for the records the pages read directly
(counties' coordination mechanisms, service stations, inspection plans and draws, reference data; bumped by the
audit observer). A bump happens in the transaction of the change, so:

- a reader that sees version v reads data at least as new as v (it reads the version first), and stores it under v;
- a change that commits makes every later reader see v + 1, a key no payload of older data was stored under.

A cached payload therefore can never be stale; there is no expiry to tune. A counter starts at a random value (at
its first bump or first read), so a database that is emptied and refilled (tests, a restore) never reuses a key
that a long-lived cache still holds.
"""

import hashlib
import secrets
from contextvars import ContextVar

from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from .models import Version

INPUTS = "inputs"
# Long enough to serve a quiet day from the cache; correctness does not depend on it (the versions do).
TIMEOUT = 24 * 3600
KEY_PREFIX = "fangxin:stats:v1:"
# The `inputs` version while a dashboard is being computed (for the reference lists below).
_inputs: ContextVar[int | None] = ContextVar("stats_inputs_version", default=None)


def bump(name: str) -> None:
    """version += 1 for this input, in the caller's transaction."""
    if Version.objects.filter(name=name).update(value=F("value") + 1):
        return
    try:
        with transaction.atomic():
            Version.objects.create(name=name, value=secrets.randbits(62))
    except IntegrityError:  # a concurrent first bump created it
        Version.objects.filter(name=name).update(value=F("value") + 1)


def versions(names: tuple[str, ...]) -> tuple[int, ...]:
    """The current versions of these inputs. One plain query: this is most of what a cached page view costs.
    An input that has never changed gets its counter now (once per database), at a random start."""
    found = _read(names)
    if len(found) < len(names):
        with transaction.atomic():
            Version.objects.bulk_create([Version(name=name, value=secrets.randbits(62)) for name in names
                                         if name not in found], ignore_conflicts=True)
        found = _read(names)
    return tuple(found[name] for name in names)


def _read(names: tuple[str, ...]) -> dict[str, int]:
    table = connection.ops.quote_name(Version._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT name, value FROM {table} WHERE name IN ({', '.join(['%s'] * len(names))})",
                       list(names))
        return dict(cursor.fetchall())


def viewer_key(user) -> str:
    """What narrows a viewer's figures: role, region and department (scope_of and scope_counties read only
    these; the sectors a department covers are reference data, versioned under `inputs`)."""
    return f"{getattr(user, 'role', '')}:{getattr(user, 'region_id', '')}:{getattr(user, 'department_id', '')}"


def get_or_compute(goal: str, names: tuple[str, ...], user, filters: dict, options: dict, compute):
    """The payload from the cache when its inputs have not changed since it was stored, else computed (and stored).
    The day is part of the key: "valid today" and "overdue" are decided when read."""
    current = versions(names)
    parts = [goal, repr(current), viewer_key(user), repr(sorted(filters.items())), repr(sorted(options.items())),
             timezone.localdate().isoformat()]
    key = KEY_PREFIX + hashlib.sha256("|".join(parts).encode()).hexdigest()
    payload = cache.get(key)
    if payload is None:
        token = _inputs.set(current[names.index(INPUTS)]) if INPUTS in names else None
        try:
            payload = compute()
        finally:
            if token is not None:
                _inputs.reset(token)
        cache.set(key, payload, TIMEOUT)
    return payload


def reference(name: str, compute):
    """A reference list (counties, sectors) a dashboard computation reads, cached under the `inputs` version it
    runs with (reference data changes bump `inputs`); outside a dashboard computation it is simply computed."""
    version = _inputs.get()
    if version is None:
        return compute()
    key = f"{KEY_PREFIX}ref:{name}:{version}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TIMEOUT)
    return value
