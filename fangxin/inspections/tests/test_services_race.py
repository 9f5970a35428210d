"""Two draws of the same plan at the same moment (from two threads with their own connections): exactly one
draw happens — one record, one set of inspections, one audit entry — and the other is refused with Conflict.

Meaningful on PostgreSQL, where draw_run's row lock on the plan makes the second wait for the first; on SQLite
the IMMEDIATE transactions queue the writers, so it passes there too. The record is built slowly inside the
transaction so that, without the lock, the two would overlap."""

import threading
import time

from django.db import connections

from fangxin.core.exceptions import Conflict
from fangxin.core.models import AuditRecord
from fangxin.inspections import draw as drawing
from fangxin.inspections import services
from fangxin.inspections.models import Draw, Inspection

from .factories import SYSTEM, make_plan, make_team


def test_concurrent_draws_draw_once(transactional_db, users, entities, monkeypatch):
    make_team()
    plan = make_plan()
    services.plan_freeze(actor=SYSTEM, plan=plan)
    services.entropy_enter(actor=SYSTEM, plan=plan, entropy="2-7-1", witnesses="甲、乙")
    real_build = drawing.build_record

    def slow_build(**kwargs):
        time.sleep(0.3)
        return real_build(**kwargs)

    monkeypatch.setattr(drawing, "build_record", slow_build)
    start, errors, done = threading.Barrier(2), [], []

    def draw():
        try:
            start.wait(timeout=10)
            done.append(services.draw_run(actor=SYSTEM, plan=plan))
        except Exception as exc:  # reported by the assertions below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=draw) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    assert len(done) == 1 and len(errors) == 1 and isinstance(errors[0], Conflict), errors
    record = Draw.objects.get(plan=plan).record
    assert drawing.verify(record) == []
    assert Inspection.objects.filter(plan=plan).count() == len(record["selected"]) == 4
    assert AuditRecord.objects.filter(action="inspections.plan.draw", object_id=str(plan.pk)).count() == 1
