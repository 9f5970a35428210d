"""Demo step: the demo loaders write in bulk, past the services and so past the receivers; rebuild the rollups
from the raw rows once they are in. Idempotent: a rebuild always gives the same counters."""

from django.db import transaction

from fangxin.core import audit
from fangxin.core.actors import Actor

from . import rollups


def load(*, rng, actor: Actor, stdout=None) -> int:
    with transaction.atomic():
        counts = rollups.rebuild()
        audit.record(actor=actor, action="stats.rebuild", object_type="stats.rollup", object_id="demo",
                     object_repr="演示数据统计汇总", changes={name: [None, count] for name, count in counts.items()})
    if stdout is not None:
        stdout.write(f"统计汇总已重建：{sum(counts.values())} 条记录。\n")
    return sum(counts.values())
