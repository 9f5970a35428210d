"""Regrading many businesses at once: the daily run that lets old events decay (`fangxin credit recompute`) and
the demo loader. Each business is graded by the same service as a single event would trigger
(`services.grade_recompute`), so history and audit are identical; batches share one transaction to keep SQLite
fast, and a batch that fails rolls back alone."""

from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction

from fangxin.core.actors import Actor
from fangxin.merchants.models import MarketEntity

from .models import CreditGrade

BATCH_SIZE = 500


@dataclass
class RecomputeSummary:
    graded: int = 0
    changed: int = 0
    grades: Counter = field(default_factory=Counter)


def recompute_all(*, actor: Actor, entities=None, batch_size: int = BATCH_SIZE) -> RecomputeSummary:
    """Regrade `entities` (a MarketEntity queryset; all businesses by default) as of today."""
    from .services import grade_recompute

    entities = MarketEntity.objects.all() if entities is None else entities
    summary = RecomputeSummary()
    ids = list(entities.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch_size):
        chunk = ids[start:start + batch_size]
        before = dict(CreditGrade.objects.filter(entity_id__in=chunk).values_list("entity_id", "grade"))
        with transaction.atomic():
            for entity in MarketEntity.objects.filter(pk__in=chunk).order_by("pk"):
                grade = grade_recompute(actor=actor, entity=entity)
                summary.graded += 1
                summary.grades[grade.grade] += 1
                summary.changed += before.get(entity.pk) != grade.grade
    return summary
