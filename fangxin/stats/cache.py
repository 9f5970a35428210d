"""Cached dashboard payloads, checked against the versions of their inputs, with an optional bounded staleness
(docs/statistics.md, "缓存").

Every input a dashboard reads has a version counter in `stats.Version`: one per rollup source (bumped by
rollups.refresh/rebuild when they change a counter) and `inputs` for the records the pages read directly
(counties' coordination mechanisms, service stations, inspection plans and draws, reference data; bumped by the
audit observer). A bump happens in the transaction of the change, so:

- a reader that sees version v reads data at least as new as v (it reads the version first);
- a change that commits makes every later reader see v + 1.

One entry per dashboard view — (goal, viewer, filters, options, day), *without* the versions — holds the last
payload, the versions it was computed from and the time it was computed (taken before the versions were read, so
the figures are at least as new as that time). A view reads the current versions (one query) and the entry:

- same versions → the payload is current ("fresh");
- versions differ, `allow_stale` (the dashboard pages and the API) and the payload is younger than
  settings.FANGXIN_STATS_MAX_STALE seconds → it is served at once, marked stale, and one refresh per entry
  (single-flight: a `cache.add` lock with a timeout) recomputes it after the response (`deferred_refreshes`) on a
  daemon thread (settings.FANGXIN_STATS_REFRESH = "thread"; "inline" runs it in the caller's thread, for tests);
- otherwise (no entry, too old, MAX_STALE = 0, or a caller that needs current figures: XLSX exports, reports)
  → computed now and stored, as before.

So a payload is never served more than MAX_STALE seconds after it was computed, and with MAX_STALE = 0 never
after any change of its inputs. A counter starts at a random value (at its first bump or first read), so a
database that is emptied and refilled (tests, a restore) never meets an entry's versions by accident.

The versions are read from the database the rollups are read from (config/dbrouter.py: the replica when one is
configured), so a payload computed from a lagging replica is stored under the replica's versions, never under the
primary's newer ones.
"""

import datetime as dt
import hashlib
import logging
import secrets
import threading
import time
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import IntegrityError, connections, router, transaction
from django.db.models import F
from django.utils import timezone

from .models import Rollup, Version

logger = logging.getLogger(__name__)

INPUTS = "inputs"
# Long enough to serve a quiet day from the cache; correctness does not depend on it (the versions do).
TIMEOUT = 24 * 3600
KEY_PREFIX = "fangxin:stats:v2:"
# A refresh that has not finished after this long (a killed worker) no longer blocks the next one.
LOCK_TIMEOUT = 120
# The `inputs` version while a dashboard is being computed (for the reference lists below).
_inputs: ContextVar[int | None] = ContextVar("stats_inputs_version", default=None)
# Wall-clock seconds: entries are shared between processes (Redis), so not a monotonic clock. Tests replace it.
now = time.time


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
        found = _read(names, using="default")
    return tuple(found[name] for name in names)


def _read(names: tuple[str, ...], using: str | None = None) -> dict[str, int]:
    connection = connections[using or router.db_for_read(Rollup)]
    table = connection.ops.quote_name(Version._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT name, value FROM {table} WHERE name IN ({', '.join(['%s'] * len(names))})",
                       list(names))
        return dict(cursor.fetchall())


def viewer_key(user) -> str:
    """What narrows a viewer's figures: role, region and department (scope_of and scope_counties read only
    these; the sectors a department covers are reference data, versioned under `inputs`)."""
    return f"{getattr(user, 'role', '')}:{getattr(user, 'region_id', '')}:{getattr(user, 'department_id', '')}"


def max_stale() -> float:
    return float(getattr(settings, "FANGXIN_STATS_MAX_STALE", 0) or 0)


def entry_key(goal: str, user, filters: dict, options: dict) -> str:
    parts = [goal, viewer_key(user), repr(sorted(filters.items())), repr(sorted(options.items())),
             timezone.localdate().isoformat()]
    return KEY_PREFIX + hashlib.sha256("|".join(parts).encode()).hexdigest()


def get_or_compute(goal: str, names: tuple[str, ...], user, filters: dict, options: dict, compute, *,
                   allow_stale: bool = False) -> dict:
    """The payload with `computed_at` (an aware datetime) and `stale` (True only when served under the bounded
    staleness above, while a refresh runs). The day is part of the key: "valid today" and "overdue" are decided
    when computed."""
    started = now()
    current = versions(names)
    key = entry_key(goal, user, filters, options)
    entry = cache.get(key)
    if entry is not None and entry["versions"] == current:
        return _view(entry, stale=False)
    limit = max_stale() if allow_stale else 0
    if entry is not None and limit > 0 and now() - entry["computed_at"] < limit:
        lock = secrets.token_hex(8)
        if cache.add(key + ":refresh", lock, LOCK_TIMEOUT):  # single-flight: one refresh per entry at a time
            _schedule(lambda: _refresh(key, names, compute, lock))
        return _view(entry, stale=True)
    return _view(_compute(key, names, current, compute, started), stale=False)


def _view(entry: dict, *, stale: bool) -> dict:
    computed_at = dt.datetime.fromtimestamp(entry["computed_at"], tz=timezone.get_current_timezone())
    return {**entry["payload"], "computed_at": computed_at, "stale": stale}


def _compute(key: str, names: tuple[str, ...], current: tuple[int, ...], compute, started: float) -> dict:
    token = _inputs.set(current[names.index(INPUTS)]) if INPUTS in names else None
    try:
        payload = compute()
    finally:
        if token is not None:
            _inputs.reset(token)
    entry = {"versions": current, "computed_at": started, "payload": payload}
    stored = cache.get(key)
    if stored is None or stored["computed_at"] <= started:  # never replace a newer entry by an older one
        cache.set(key, entry, TIMEOUT)
    return entry


def _refresh(key: str, names: tuple[str, ...], compute, lock: str = "") -> None:
    """Recompute an entry (after the response); a failure is logged and leaves the stale entry, which stops being
    served once it is older than MAX_STALE."""
    try:
        started = now()
        current = versions(names)
        entry = cache.get(key)
        if entry is None or entry["versions"] != current:
            _compute(key, names, current, compute, started)
    except Exception:
        logger.exception("统计看板后台刷新失败：%s", key)
    finally:
        # Only our own lock: after LOCK_TIMEOUT another refresh may hold a new one.
        if cache.get(key + ":refresh") == lock:
            cache.delete(key + ":refresh")


# --- running the refreshes after the response --------------------------------------------------------------------

_local = threading.local()
_threads: set[threading.Thread] = set()
_threads_lock = threading.Lock()
# One refresh at a time per process: each holds a database connection, and the pool is sized for the request
# threads plus one (config/settings/production.py). Waiting threads hold none.
_refresh_gate = threading.BoundedSemaphore(1)


def _schedule(job) -> None:
    pending = getattr(_local, "pending", None)
    if pending is None:
        _start(job)  # outside a request (a command, a shell): at once
    else:
        pending.append(job)


@contextmanager
def deferred_refreshes():
    """Refreshes scheduled inside the block start when it ends (a request: after its response's DB work)."""
    outer = getattr(_local, "pending", None)
    _local.pending = []
    try:
        yield
    finally:
        jobs, _local.pending = _local.pending, outer
        for job in jobs:
            _start(job)


def _request_started(**kwargs) -> None:
    _local.pending = []


def _request_finished(**kwargs) -> None:
    jobs, _local.pending = getattr(_local, "pending", None) or [], None
    for job in jobs:
        _start(job)


request_started.connect(_request_started, dispatch_uid="fangxin.stats.cache.request_started")
request_finished.connect(_request_finished, dispatch_uid="fangxin.stats.cache.request_finished")


def _start(job) -> None:
    if getattr(settings, "FANGXIN_STATS_REFRESH", "thread") == "inline":
        job()
        return

    def run():
        try:
            with _refresh_gate:
                job()
        finally:
            connections.close_all()  # this thread's own connections (a pooled one goes back to the pool)
            with _threads_lock:
                _threads.discard(thread)

    thread = threading.Thread(target=run, name="fangxin-stats-refresh", daemon=True)
    with _threads_lock:
        _threads.add(thread)
    thread.start()


def join_refreshes(timeout: float = 60) -> None:
    """Wait for the background refreshes running now (tests, the benchmark)."""
    with _threads_lock:
        running = list(_threads)
    for thread in running:
        thread.join(timeout)


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
