"""Credit grades for every generated business, scored from its ledger by the credit capability's pure scoring
(`credit.grading.score`) — what `fangxin credit recompute` stores, without one audited transaction per business
(the run's single audit record covers them). One grade and one history row (the first grade) per business."""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from fangxin.credit import grading
from fangxin.credit.models import CreditEvent

from .context import Context, aware

GRADE_FIELDS = ["id", "entity", "grade", "score", "model", "model_version", "computed_at", "explanation"]
HISTORY_FIELDS = ["id", "entity", "from_grade", "to_grade", "score", "model_version", "event", "changed_at"]


@dataclass(frozen=True, slots=True)
class Event:
    pk: int
    kind: str
    occurred_on: date


def ledgers(ctx: Context, start: int, stop: int) -> dict[int, list[Event]]:
    """The credit events of the businesses with indexes [start, stop), by entity id (one range query)."""
    first, last = ctx.ids.entity + start, ctx.ids.entity + stop - 1
    by_entity = defaultdict(list)
    rows = (CreditEvent.objects.filter(entity_id__gte=first, entity_id__lte=last)
            .values_list("entity_id", "pk", "kind", "occurred_on").order_by("entity_id", "pk"))
    for entity_id, pk, kind, occurred_on in rows.iterator(chunk_size=5000):
        by_entity[entity_id].append(Event(pk, kind, occurred_on))
    return by_entity


def rows(ctx: Context, model, start: int, stop: int) -> Iterator[tuple[str, tuple]]:
    """("credit_grade" | "grade_history", row) for each business of the range."""
    events = ledgers(ctx, start, stop)
    computed_at = aware(ctx.today, 120)
    for index in range(start, stop):
        entity_id = ctx.ids.entity + index
        result = grading.score(events.get(entity_id, ()), model, ctx.today)
        yield "credit_grade", (ctx.ids.credit_grade + index, entity_id, result.grade, result.score, model.pk,
                               model.version, computed_at, result.explanation)
        yield "grade_history", (ctx.ids.grade_history + index, entity_id, "", result.grade, result.score,
                                model.version, None, computed_at)
