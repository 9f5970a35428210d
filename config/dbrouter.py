"""Primary/replica routing: dashboards and reports read from the streaming replica, everything else uses the primary.

Decided by model, so no app code changes: the statistics rollups (`stats.Rollup`, `stats.Contribution`) are what the
goal dashboards, the open data sets, the portal headline and the annual/monthly reports read, and they are only
ever written by the statistics observer inside the change's own transaction. Those reads may lag the primary by
the replica's replay delay (normally well under a second), which a dashboard can bear.

Rules, in order:
- no `replica` alias (FANGXIN_REPLICA_URL unset): everything uses `default`;
- writes always go to `default`; migrations run on `default` only (a replica is read-only and receives them
  through WAL);
- a read inside a transaction on `default` stays on `default`, so a service that reads what it is about to change
  (the statistics observer, `select_for_update`) sees its own transaction and never a stale copy;
- reads of REPLICA_MODELS (or of anything inside `with replica_reads():`) go to `replica`.

`replica_reads()` is for code that wants a whole block of plain reads from the replica (a long report over
complaints, an export): `with replica_reads(): build()`. Nothing needs it to be correct.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import connections

PRIMARY = "default"
REPLICA = "replica"
# app_label.model_name (lower case) of the read models the dashboards and reports use.
REPLICA_MODELS = frozenset({"stats.rollup", "stats.contribution"})
# Apps whose every model is read-mostly reporting data may be listed whole; none today (stats.CoordinationMechanism
# and opendata.ReportJob are edited through the workbench and polled by the scheduler: read-your-writes matters).
REPLICA_APPS: frozenset[str] = frozenset()

_forced = ContextVar("fangxin_replica_reads", default=False)


@contextmanager
def replica_reads():
    token = _forced.set(True)
    try:
        yield
    finally:
        _forced.reset(token)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def reads_from_replica(model) -> bool:
    meta = model._meta
    return meta.app_label in REPLICA_APPS or meta.label_lower in REPLICA_MODELS


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        if not replica_configured():
            return PRIMARY
        if connections[PRIMARY].in_atomic_block:
            return PRIMARY  # read-your-writes inside a service's transaction
        if _forced.get() or reads_from_replica(model):
            return REPLICA
        return PRIMARY

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # The replica is a copy of the primary: an object read from either may point at one from the other.
        return {obj1._state.db, obj2._state.db} <= {PRIMARY, REPLICA, None}

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY
