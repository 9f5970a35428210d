"""Keeping the rollup tables current (docs/statistics.md).

One pure function per source turns a record (as a `values()` row) into its contribution: a key (period, county,
sector, department, level, bucket) and its measures. The same functions serve

- `refresh(source, ids)`: called in the transaction of every audited change (receivers.py). It reads the record
  as it is now, compares with the contribution stored last time and adds the difference to the counters;
- `rebuild()`: recomputes every contribution and counter from the raw rows (`fangxin stats rebuild`), for data
  written by bulk loaders that bypass the services;
- `expected_totals()`: the same numbers in memory, for `fangxin stats check` and the consistency tests.

Because a refresh diffs whole contributions, it does not matter which step changed the record, how many steps a
transaction took, or whether a refresh ran twice: the counters always equal the sum of the current contributions.
Complaint measures follow complaints.metrics (DESIGN 4) exactly; the tests compare the two.
"""

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from fangxin.alerts.choices import Severity, WarningStatus
from fangxin.alerts.models import Warning
from fangxin.campaign.choices import CURRENT_STATUSES
from fangxin.campaign.models import Enrollment
from fangxin.campaign.titles.choices import TitleStatus
from fangxin.campaign.titles.models import Title
from fangxin.complaints.choices import BUREAU_ACCEPTED, SETTLED_STATUSES, Kind, Status
from fangxin.complaints.metrics import CLOSED_ACCEPTED
from fangxin.complaints.models import Complaint
from fangxin.credit.models import CreditGrade, ListEntry
from fangxin.inspections.models import Inspection

from . import cache
from .models import Contribution, Rollup, Source

BATCH = 5000


class Key(NamedTuple):
    period: date
    region_id: int
    sector: int
    department: int
    level: str
    bucket: str


# --- what one record contributes ----------------------------------------------------------------------------------

COMPLAINT_FIELDS = ("id", "kind", "received_on", "region_id", "sector_id", "department_id", "status",
                    "accepted_on", "rating", "recovered_amount")
COMPLAINT_MEASURES = ("received", "accepted", "closed", "settled", "operator_settled", "ratings", "satisfied",
                      "recovered_cents")


def complaint_contribution(row: dict) -> tuple[Key, dict[str, int]] | None:
    """A complaint's share of the cohort of its receipt month (reports are not in the complaint metrics)."""
    if row["kind"] != Kind.COMPLAINT:
        return None
    status = row["status"]
    accepted = (status in BUREAU_ACCEPTED or status == Status.OPERATOR_SETTLED
                or (status == Status.WITHDRAWN and row["accepted_on"] is not None))
    rating = row["rating"]
    recovered = row["recovered_amount"]
    measures = {
        "received": 1,
        "accepted": int(accepted),
        "closed": int(accepted and status in CLOSED_ACCEPTED),
        "settled": int(status in SETTLED_STATUSES),
        "operator_settled": int(status == Status.OPERATOR_SETTLED),
        "ratings": int(rating is not None),
        "satisfied": int(rating is not None and rating >= 4),
        "recovered_cents": int(Decimal(recovered or 0) * 100),
    }
    received = row["received_on"]
    key = Key(received.replace(day=1), row["region_id"], row["sector_id"] or 0, row["department_id"] or 0, "", "")
    return key, {name: value for name, value in measures.items() if value}


ENROLLMENT_FIELDS = ("id", "entity__region_id", "entity__sector_id", "signed_at", "status")


def enrollment_contribution(row: dict) -> tuple[Key, dict[str, int]]:
    """Counted in the year the commitment was signed; `current` while active or suspended."""
    year = timezone.localtime(row["signed_at"]).year
    key = Key(date(year, 1, 1), row["entity__region_id"], row["entity__sector_id"] or 0, 0, "", "")
    measures = {"enrolled": 1, "current": int(row["status"] in CURRENT_STATUSES)}
    return key, {name: value for name, value in measures.items() if value}


TITLE_FIELDS = ("id", "entity__region_id", "entity__sector_id", "year", "level", "status", "valid_until")


def title_contribution(row: dict) -> tuple[Key, dict[str, int]]:
    """Counted in the title's year; the bucket is its expiry date, so "valid today" is decided when read."""
    key = Key(date(row["year"], 1, 1), row["entity__region_id"], row["entity__sector_id"] or 0, 0, row["level"],
              row["valid_until"].isoformat())
    measures = {"awarded": 1, "valid": int(row["status"] == TitleStatus.VALID)}
    return key, {name: value for name, value in measures.items() if value}


INSPECTION_FIELDS = ("id", "outcome", "inspected_on", "result_recorded_at", "publish_due", "published_at",
                     "entity__region_id", "entity__sector_id", "plan__lead_department_id")
OUTCOME_MEASURES = ("passed", "problems", "not_found", "refused")


def _local_date(moment) -> date:
    return timezone.localtime(moment).date()


def inspection_contribution(row: dict) -> tuple[Key, dict[str, int]] | None:
    """An inspection counts once its result is recorded, in the month it was inspected, under the plan's lead
    department. Publication: on time when published by its due date. An unpublished result keeps its due date
    as the bucket, so "overdue today" is decided when read (no nightly job), like a title's expiry."""
    outcome = row["outcome"]
    if not outcome:
        return None
    inspected = row["inspected_on"] or _local_date(row["result_recorded_at"])
    published, due = row["published_at"], row["publish_due"]
    on_time = published is not None and (due is None or _local_date(published) <= due)
    measures = {"inspected": 1, outcome: 1, "published": int(published is not None),
                "published_on_time": int(on_time), "published_late": int(published is not None and not on_time),
                "unpublished": int(published is None)}
    bucket = due.isoformat() if published is None and due is not None else ""
    key = Key(inspected.replace(day=1), row["entity__region_id"], row["entity__sector_id"] or 0,
              row["plan__lead_department_id"] or 0, "", bucket)
    return key, {name: value for name, value in measures.items() if value}


WARNING_FIELDS = ("id", "kind", "detected_on", "region_id", "sector_id", "department_id", "status", "severity",
                  "acknowledged_at", "closed_at")
HANDLING_DAYS_CAP = 999


def handling_days(detected_on: date, closed_at) -> int:
    """Whole days from detection to closing (0: closed the day it was detected), capped to fit the bucket."""
    return max(0, min((_local_date(closed_at) - detected_on).days, HANDLING_DAYS_CAP))


def warning_contribution(row: dict) -> tuple[Key, dict[str, int]]:
    """A warning counts in the month it was first detected, by kind (level). A closed warning's bucket is its
    handling time in days, so the median handling time is read from the closed counts per bucket — a histogram
    kept in the rollups like every other counter, O(groups) to read."""
    status = row["status"]
    closed = status == WarningStatus.CLOSED and row["closed_at"] is not None
    measures = {"detected": 1, "high": int(row["severity"] == Severity.HIGH),
                "acknowledged": int(status != WarningStatus.OPEN or row["acknowledged_at"] is not None),
                "closed": int(closed)}
    bucket = f"{handling_days(row['detected_on'], row['closed_at']):03d}" if closed else ""
    key = Key(row["detected_on"].replace(day=1), row["region_id"], row["sector_id"] or 0, row["department_id"] or 0,
              row["kind"], bucket)
    return key, {name: value for name, value in measures.items() if value}


GRADE_FIELDS = ("id", "grade", "entity__region_id", "entity__sector_id")
# A grade is the business's current state, not an event of a year: one fixed period holds the distribution.
CURRENT_PERIOD = date(2000, 1, 1)


def grade_contribution(row: dict) -> tuple[Key, dict[str, int]]:
    key = Key(CURRENT_PERIOD, row["entity__region_id"], row["entity__sector_id"] or 0, 0, row["grade"], "")
    return key, {"entities": 1}


LIST_FIELDS = ("id", "kind", "entered_on", "exited_on", "entity__region_id", "entity__sector_id")


def list_entry_contribution(row: dict) -> tuple[Key, dict[str, int]]:
    """The entry, in the month the business was put on the list (`current` while it is still on it)."""
    key = Key(row["entered_on"].replace(day=1), row["entity__region_id"], row["entity__sector_id"] or 0, 0,
              row["kind"], "")
    measures = {"entered": 1, "current": int(row["exited_on"] is None)}
    return key, {name: value for name, value in measures.items() if value}


def list_exit_contribution(row: dict) -> tuple[Key, dict[str, int]] | None:
    """The exit, in its own month: a second source over the same rows, since one contribution has one key."""
    if row["exited_on"] is None:
        return None
    key = Key(row["exited_on"].replace(day=1), row["entity__region_id"], row["entity__sector_id"] or 0, 0,
              row["kind"], "")
    return key, {"exited": 1}


SOURCES = {
    Source.COMPLAINT: (Complaint, COMPLAINT_FIELDS, complaint_contribution),
    Source.ENROLLMENT: (Enrollment, ENROLLMENT_FIELDS, enrollment_contribution),
    Source.TITLE: (Title, TITLE_FIELDS, title_contribution),
    Source.INSPECTION: (Inspection, INSPECTION_FIELDS, inspection_contribution),
    Source.WARNING: (Warning, WARNING_FIELDS, warning_contribution),
    Source.GRADE: (CreditGrade, GRADE_FIELDS, grade_contribution),
    Source.LIST_ENTRY: (ListEntry, LIST_FIELDS, list_entry_contribution),
    Source.LIST_EXIT: (ListEntry, LIST_FIELDS, list_exit_contribution),
}

# Counters derived from another source's by dropping part of the key, kept in the same step as their base: the
# complaint counters without the department (5x fewer rows for the county and sector charts of goals 二 and 四;
# a department filter reads the full ones).
DERIVED = {Source.COMPLAINT: ((Source.COMPLAINT_SECTOR, lambda key: key._replace(department=0)),)}
BASE_OF = {derived: base for base, pairs in DERIVED.items() for derived, _ in pairs}


def _with_derived(sources: Iterable[str]) -> list[str]:
    """The record sources behind these sources (a derived one stands for its base), each with its derived ones."""
    bases = list(dict.fromkeys(BASE_OF.get(source, source) for source in sources))
    return bases + [derived for base in bases for derived, _ in DERIVED.get(base, ())]


def contributions(source: str, rows: Iterable[dict]) -> Iterator[tuple[int, tuple[Key, dict[str, int]] | None]]:
    function = SOURCES[source][2]
    for row in rows:
        yield row["id"], function(row)


# --- incremental maintenance --------------------------------------------------------------------------------------

def refresh(source: str, ids: Iterable[int], *, removed: bool = False) -> int:
    """Bring the counters in line with the current state of these records; returns the counters touched.
    Runs inside the transaction of the change (the audit observer calls it there); called on its own (a repair
    script, a test), it opens its own transaction, which the PostgreSQL table lock needs. `removed`: the records
    are being deleted (the audited admin records a deletion just before it deletes), so they no longer contribute."""
    ids = sorted({int(pk) for pk in ids})
    if not ids:
        return 0
    with transaction.atomic():
        return _refresh(source, ids, removed=removed)


def _refresh(source: str, ids: list[int], *, removed: bool) -> int:
    model, fields, _ = SOURCES[source]
    _wait_for_rebuild()
    current = {} if removed else dict(contributions(source, model.objects.filter(pk__in=ids).values(*fields)))
    stored = {c.object_id: c for c in Contribution.objects.filter(source=source, object_id__in=ids)}
    deltas: dict[tuple[Key, str], int] = defaultdict(int)
    for pk in ids:
        old, new = stored.get(pk), current.get(pk)
        if old is not None:
            old_key = Key(old.period, old.region_id, old.sector, old.department, old.level, old.bucket)
            for measure, value in old.measures.items():
                deltas[(old_key, measure)] -= value
        if new is not None:
            key, measures = new
            for measure, value in measures.items():
                deltas[(key, measure)] += value
        _store_contribution(source, pk, old, new)
    touched = 0
    for target, coarsen in ((source, None), *DERIVED.get(source, ())):
        targeted: dict[tuple[Key, str], int] = defaultdict(int)
        for (key, measure), delta in deltas.items():
            targeted[(coarsen(key) if coarsen else key, measure)] += delta
        for (key, measure), delta in sorted(targeted.items()):
            if delta:
                _add(target, key, measure, delta)
                touched += 1
    if touched:
        cache.bump(source)  # same transaction: a cached dashboard of this source is never served after the change
    return touched


def _store_contribution(source: str, pk: int, old: Contribution | None, new) -> None:
    if new is None:
        if old is not None:
            old.delete()
        return
    key, measures = new
    values = {"period": key.period, "region_id": key.region_id, "sector": key.sector,
              "department": key.department, "level": key.level, "bucket": key.bucket, "measures": measures}
    if old is None:
        Contribution.objects.create(source=source, object_id=pk, **values)
    elif any(getattr(old, name) != value for name, value in values.items()):
        Contribution.objects.filter(pk=old.pk).update(**values)


def _key_filter(source: str, key: Key, measure: str) -> dict:
    return {"source": source, "period": key.period, "region_id": key.region_id, "sector": key.sector,
            "department": key.department, "level": key.level, "bucket": key.bucket, "measure": measure}


def _add(source: str, key: Key, measure: str, delta: int) -> None:
    """value += delta on the counter row, creating it the first time (a concurrent creator wins the race and
    this one adds to its row)."""
    lookup = _key_filter(source, key, measure)
    if Rollup.objects.filter(**lookup).update(value=F("value") + delta):
        return
    try:
        with transaction.atomic():
            Rollup.objects.create(value=delta, **lookup)
    except IntegrityError:
        Rollup.objects.filter(**lookup).update(value=F("value") + delta)


def _wait_for_rebuild() -> None:
    """PostgreSQL: a rebuild holds EXCLUSIVE locks on the two tables; a refresh waits for it to finish before
    reading the stored contributions, then diffs against the rebuilt ones (SQLite has one writer anyway)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {Contribution._meta.db_table}, {Rollup._meta.db_table} IN ROW EXCLUSIVE MODE")


def refresh_entity(entity_id: int) -> None:
    """An entity moved county or sector: its enrollments, titles, inspections, grade and list entries move with
    it (warnings keep the county and sector they were detected in)."""
    refresh(Source.ENROLLMENT, Enrollment.objects.filter(entity_id=entity_id).values_list("pk", flat=True))
    refresh(Source.TITLE, Title.objects.filter(entity_id=entity_id).values_list("pk", flat=True))
    refresh(Source.INSPECTION, Inspection.objects.filter(entity_id=entity_id).values_list("pk", flat=True))
    refresh(Source.GRADE, CreditGrade.objects.filter(entity_id=entity_id).values_list("pk", flat=True))
    entries = list(ListEntry.objects.filter(entity_id=entity_id).values_list("pk", flat=True))
    refresh(Source.LIST_ENTRY, entries)
    refresh(Source.LIST_EXIT, entries)


def refresh_plan(plan_id: int) -> None:
    """A plan's steps are audited on the plan (its inspections are created in bulk by the draw): the lead
    department of its recorded results follows the plan."""
    refresh(Source.INSPECTION, Inspection.objects.filter(plan_id=plan_id).values_list("pk", flat=True))


# --- from scratch -------------------------------------------------------------------------------------------------

def expected_totals(sources: Iterable[str] | None = None) -> dict[tuple[str, Key, str], int]:
    """Every counter as the raw rows give it now (zero counters left out)."""
    totals: dict[tuple[str, Key, str], int] = defaultdict(int)
    for source in _with_derived(sources or SOURCES):
        if source in BASE_OF:
            continue
        model, fields, _ = SOURCES[source]
        for _pk, contribution in contributions(source, model.objects.values(*fields).iterator(chunk_size=BATCH)):
            if contribution is not None:
                key, measures = contribution
                for measure, value in measures.items():
                    totals[(source, key, measure)] += value
                    for derived, coarsen in DERIVED.get(source, ()):
                        totals[(derived, coarsen(key), measure)] += value
    return {k: v for k, v in totals.items() if v}


def stored_totals(sources: Iterable[str] | None = None) -> dict[tuple[str, Key, str], int]:
    rows = Rollup.objects.filter(source__in=_with_derived(sources or SOURCES)).exclude(value=0)
    return {(r.source, Key(r.period, r.region_id, r.sector, r.department, r.level, r.bucket), r.measure): r.value
            for r in rows.iterator(chunk_size=BATCH)}


def differences(sources: Iterable[str] | None = None) -> list[tuple[tuple[str, Key, str], int, int]]:
    """(counter, stored, expected) for every counter that disagrees with the raw rows."""
    sources = _with_derived(sources or SOURCES)
    expected, stored = expected_totals(sources), stored_totals(sources)
    return sorted(((key, stored.get(key, 0), expected.get(key, 0)) for key in set(expected) | set(stored)
                   if stored.get(key, 0) != expected.get(key, 0)), key=lambda item: str(item[0]))


def _insert(model, columns: list[str], rows: list[tuple]) -> None:
    """Plain executemany: a rebuild writes one row per record, and model instances through bulk_create cost
    ~50 µs a row in Python alone (10 M complaints: minutes instead of an hour)."""
    if not rows:
        return
    quote = connection.ops.quote_name
    table, names = quote(model._meta.db_table), ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # COPY: several times faster than executemany there
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})", rows)


CONTRIBUTION_COLUMNS = ["source", "object_id", "period", "region_id", "sector", "department", "level", "bucket",
                        "measures"]
ROLLUP_COLUMNS = ["source", "period", "region_id", "sector", "department", "level", "bucket", "measure", "value"]


@transaction.atomic
def rebuild(sources: Iterable[str] | None = None) -> dict[str, int]:
    """Recompute contributions and counters from the raw rows, in one transaction; returns records per source."""
    sources = [source for source in _with_derived(sources or SOURCES) if source not in BASE_OF]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {Contribution._meta.db_table}, {Rollup._meta.db_table} IN EXCLUSIVE MODE")
    counts = {}
    for source in sources:
        model, fields, _ = SOURCES[source]
        Contribution.objects.filter(source=source).delete()
        Rollup.objects.filter(source__in=[source, *(derived for derived, _ in DERIVED.get(source, ()))]).delete()
        totals: dict[tuple[Key, str], int] = defaultdict(int)
        batch: list[tuple] = []
        counts[source] = 0
        for pk, contribution in contributions(source, model.objects.values(*fields).iterator(chunk_size=BATCH)):
            if contribution is None:
                continue
            key, measures = contribution
            counts[source] += 1
            for measure, value in measures.items():
                totals[(key, measure)] += value
            batch.append((source, pk, key.period, key.region_id, key.sector, key.department, key.level, key.bucket,
                          json.dumps(measures, sort_keys=True)))
            if len(batch) >= BATCH:
                _insert(Contribution, CONTRIBUTION_COLUMNS, batch)
                batch = []
        _insert(Contribution, CONTRIBUTION_COLUMNS, batch)
        rows = [(source, key.period, key.region_id, key.sector, key.department, key.level, key.bucket, measure, value)
                for (key, measure), value in totals.items() if value]
        for derived, coarsen in DERIVED.get(source, ()):
            coarse: dict[tuple[Key, str], int] = defaultdict(int)
            for (key, measure), value in totals.items():
                coarse[(coarsen(key), measure)] += value
            rows += [(derived, key.period, key.region_id, key.sector, key.department, key.level, key.bucket, measure,
                      value) for (key, measure), value in coarse.items() if value]
        for start in range(0, len(rows), BATCH):
            _insert(Rollup, ROLLUP_COLUMNS, rows[start:start + BATCH])
        cache.bump(source)
    # a rebuild follows bulk loads that wrote no per-record audit entry: the pages' other inputs may have changed too
    cache.bump(cache.INPUTS)
    return counts
