"""Registry search: the index, its maintenance and its queries (docs/search.md).

A query matches an entity when its normalised text is a substring of the entity's normalised name or address,
or when it is the entity's USCC (or, from 8 characters, a prefix of it). Normalisation (`normalise`) is the same
for the index and the query: NFKC (full-width → half-width), punctuation, symbols and spaces removed, ASCII
letters upper-cased.

Where each query length is answered:
- 1–2 characters: `EntitySearchToken`, the token starting at each character of the name and address (its
  bigram; the last character's unigram), one row per (token, entity) with a bit mask saying name, address or
  both. A 2-character query is one token; a 1-character query the range of tokens starting with it. Trigram
  indexes cannot answer these.
- 3+ characters: `EntitySearchDoc` (normalised name and address) — PostgreSQL: GIN pg_trgm indexes that serve
  `LIKE '%q%'`; SQLite: the FTS5 trigram table `merchants_entitysearch_fts` queried with MATCH on a quoted
  phrase, then confirmed with `instr()` on the doc table. (`LIKE` on an FTS5 table is never used: SQLite 3.40
  returns wrong results for it.)

`reindex_entities(ids)` is called by every writer of MarketEntity (services, importer) after its rows are
saved, inside the same transaction, so the index never lags the registry. Deleting an entity deletes its index
rows (FK CASCADE; on SQLite the FTS5 entries follow the doc rows through triggers).
"""

from __future__ import annotations

import itertools
import json
import re
import string
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import DatabaseError, connections, router, transaction
from django.db.models import Case, Exists, IntegerField, Max, OuterRef, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Greatest, Length, StrIndex

from fangxin.core.exceptions import ValidationFailed

from .models import EntitySearchDoc, EntitySearchToken, MarketEntity, SearchField

FTS_TABLE = "merchants_entitysearch_fts"
BATCH_SIZE = 1000  # reindex_entities chunks
REBUILD_BATCH_SIZE = 2000  # one rebuild transaction: a few seconds of SQLite's write lock at most
USCC_PREFIX_MIN = 8  # registration-department code (2) + administrative division (6)
USCC_CHARS = frozenset("0123456789ABCDEFGHJKLMNPQRTUWXY")

_STRIP = re.compile(r"[\W_]+")
_UPPER = str.maketrans(string.ascii_lowercase, string.ascii_uppercase)
_NAME, _ADDRESS = int(SearchField.NAME), int(SearchField.ADDRESS)
_MAX_CHAR = "\U0010ffff"


# --- normalisation and tokens -------------------------------------------------------------------------------

def normalise(text: str | None) -> str:
    """NFKC, then keep letters and digits only, ASCII upper-cased: '华联 超市（Ｋｔｖ）' → '华联超市KTV'."""
    if not text:
        return ""
    return _STRIP.sub("", unicodedata.normalize("NFKC", text)).translate(_UPPER)


def grams(text: str) -> set[str]:
    """The token starting at each character of an already normalised text: its bigram, or, at the last
    character, its unigram. Every bigram is a token, and every character starts one, so a 1-character query
    is a range scan over tokens (see `_text_match_sql`) and needs no unigram rows of its own."""
    return {text[i:i + 2] for i in range(len(text))}


def entity_tokens(name: str, address: str) -> dict[str, int]:
    """token → SearchField bit mask, for a normalised name and address."""
    tokens = dict.fromkeys(grams(name), _NAME)
    for token in grams(address):
        tokens[token] = tokens.get(token, 0) | _ADDRESS
    return tokens


# --- keeping the index in step --------------------------------------------------------------------------------

def reindex_entities(entity_ids: Iterable[int]) -> None:
    """Refresh the index rows of these entities: rewritten when their name or address changed, created when
    missing, removed when the entity no longer exists. Cheap for one entity, bulk for batches."""
    ids = sorted({int(pk) for pk in entity_ids})
    for chunk in _chunks(ids, BATCH_SIZE):
        _reindex_chunk(chunk, force=False)


def remove_entities(entity_ids: Iterable[int]) -> None:
    """Drop the index rows of these entities. Deleting an entity through the ORM already does this (CASCADE);
    call this only before deleting registry rows with raw SQL."""
    ids = sorted({int(pk) for pk in entity_ids})
    connection = _connection()
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for chunk in _chunks(ids, BATCH_SIZE):
            _delete_rows(cursor, chunk)


def _reindex_chunk(ids: list[int], *, force: bool, bulk: bool = False, tokens: bool = True) -> int:
    connection = _connection()
    current = {pk: (normalise(name), normalise(address))
               for pk, name, address in MarketEntity.objects.filter(pk__in=ids).values_list("pk", "name", "address")}
    if force:
        stale = ids
    else:
        indexed = dict((pk, (name, address)) for pk, name, address in
                       EntitySearchDoc.objects.filter(pk__in=ids).values_list("pk", "name", "address"))
        stale = [pk for pk in ids if indexed.get(pk) != current.get(pk)]
    if not stale:
        return 0
    docs = [(pk, *current[pk]) for pk in stale if pk in current]
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if bulk and connection.vendor == "postgresql":  # a rebuild batch: losing it in a crash costs nothing
            cursor.execute("SET LOCAL synchronous_commit = off")
        _delete_rows(cursor, stale)
        _insert_docs(connection, cursor, docs)
        if tokens:
            _insert_tokens(cursor, docs)
    return len(docs)


def _delete_rows(cursor, ids: list[int]) -> None:
    if not ids:
        return
    marks = ", ".join(["%s"] * len(ids))
    cursor.execute(f"DELETE FROM {_table(EntitySearchToken)} WHERE entity_id IN ({marks})", ids)
    cursor.execute(f"DELETE FROM {_table(EntitySearchDoc)} WHERE entity_id IN ({marks})", ids)


def _insert_docs(connection, cursor, docs: list[tuple]) -> None:
    doc_table = _table(EntitySearchDoc)
    if connection.vendor == "postgresql":
        # COPY; normalised text holds letters and digits only, so the rows need no escaping.
        with cursor.cursor.copy(f"COPY {doc_table} (entity_id, name, address) FROM STDIN") as copy:
            copy.write("".join(f"{pk}\t{name}\t{address}\n" for pk, name, address in docs))
    else:
        # One multi-row INSERT per 5,000 docs, not executemany: FTS5 flushes its pending terms to disk at every
        # statement savepoint, so row-by-row statements (each firing the FTS trigger) write a segment per row
        # and slow to a crawl as the index grows.
        for chunk in _chunks(docs, 5000):
            values = ", ".join(["(%s, %s, %s)"] * len(chunk))
            cursor.execute(f"INSERT INTO {doc_table} (entity_id, name, address) VALUES {values}",
                           [value for row in chunk for value in row])


def _insert_tokens(cursor, docs: list[tuple]) -> None:
    """Derive the token rows of these entities from their doc rows just written, in the database."""
    if not docs:
        return
    ids = [pk for pk, _, _ in docs]
    longest = max(max(len(name), len(address)) for _, name, address in docs)
    marks = ", ".join(["%s"] * len(ids))
    cursor.execute(_TOKENS_SQL.format(insert="INSERT INTO", tokens=_table(EntitySearchToken),
                                      docs=_table(EntitySearchDoc), where=f"WHERE d.entity_id IN ({marks})",
                                      conflict=""),
                   [max(longest, 1), *ids, *ids])


# The token rows of doc rows, computed in the database: the same as `entity_tokens` (substr counts characters on
# both databases; SUM(DISTINCT bit) is the NAME/ADDRESS mask), in key order so the B-tree is appended to.
_TOKENS_SQL = (
    "WITH RECURSIVE pos(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM pos WHERE i < %s) "
    "{insert} {tokens} (token, entity_id, field) "
    "SELECT token, entity_id, SUM(DISTINCT bit) FROM ("
    f" SELECT substr(d.name, pos.i, 2) AS token, d.entity_id AS entity_id, {_NAME} AS bit"
    " FROM {docs} d JOIN pos ON pos.i <= length(d.name) {where}"
    " UNION ALL"
    f" SELECT substr(d.address, pos.i, 2), d.entity_id, {_ADDRESS}"
    " FROM {docs} d JOIN pos ON pos.i <= length(d.address) {where}"
    ") grams GROUP BY token, entity_id ORDER BY token, entity_id{conflict}"
)


def rebuild_index(*, batch_size: int = REBUILD_BATCH_SIZE, progress: Callable[[int], Any] | None = None,
                  notify: Callable[[str], Any] | None = None) -> int:
    """Rewrite the index of every entity.

    An empty index (first build) is built in bulk: doc rows batch by batch, then every token row in one sorted
    INSERT … SELECT with the entity_id index created afterwards — B-tree appends instead of random inserts, which
    at 10⁶ entities is the difference between minutes and an hour. A filled index is rewritten batch by batch,
    each batch its own transaction, so search keeps answering and writers wait seconds at most."""
    connection = _connection()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:  # the token index outgrows SQLite's 2 MB default cache
            cursor.execute("PRAGMA cache_size = -262144")
    else:
        _finish_interrupted_bulk_build(connection)
    bulk = not EntitySearchDoc.objects.exists() and not EntitySearchToken.objects.exists()
    if bulk and connection.vendor == "postgresql":
        return _bulk_build_postgresql(connection, progress=progress, notify=notify)
    if connection.vendor == "sqlite" and not bulk:
        # Make the FTS5 index agree with the doc table first: the triggers' deletes below need that.
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")
    done, last = 0, 0
    while True:
        ids = list(MarketEntity.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not ids:
            break
        last = ids[-1]
        done += _reindex_chunk(ids, force=True, bulk=True, tokens=not bulk)
        if progress:
            progress(len(ids))
    if bulk:
        if notify:
            notify("写入短词索引……")
        _bulk_tokens(connection)
    # No sweep for rows of vanished entities: the foreign keys (enforced on both databases) make them impossible,
    # and `check` would report them. A sweep costs a pass over every token row.
    if connection.vendor == "sqlite":
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {_table(EntitySearchDoc)}, {_table(EntitySearchToken)}")
        else:
            cursor.execute("ANALYZE")
    return done


# --- PostgreSQL: the first build, set-based ---------------------------------------------------------------------
#
# Per-row costs dominate a first build at region scale: each doc row updates two GIN trigram indexes, each token
# row the (token, entity_id) B-tree at a random place and queues a deferred foreign-key check (a key-share lock on
# its registry row, ~31 per business). So the empty tables lose their indexes and foreign keys for the load and get
# them back after it, built once from sorted data; the rows come from one streaming pass over the registry —
# normalised and tokenised in Python, the same `normalise` and `entity_tokens` as every other writer — and go in
# with COPY.
#
# Dropping a foreign key locks the registry table itself (ACCESS EXCLUSIVE, to remove its triggers), so that is a
# short transaction of its own; the load holds SHARE ROW EXCLUSIVE on the registry and EXCLUSIVE on the two index
# tables (searches still read them; registry and index writers wait for the end — `_lock_like_writers`); the
# foreign keys come back NOT VALID and are validated afterwards, which locks nothing anyone waits on. The definitions of what was dropped are kept in a comment on the token table until they
# are restored, so an interrupted build is completed by the next `rebuild`.

_BULK_MARK = "fangxin-search-bulk-build "
_STREAM_CHUNK = 10000


def _bulk_build_postgresql(connection, *, progress=None, notify=None) -> int:
    doc_table, token_table = _table(EntitySearchDoc), _table(EntitySearchToken)
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        _lock_like_writers(cursor, doc_table, token_table)
        if EntitySearchDoc.objects.exists() or EntitySearchToken.objects.exists():
            raise DatabaseError("检索索引在重建开始时已有数据，请重新运行 search_index rebuild。")
        if _pending_definitions(cursor) is None:
            dropped = (_definitions(cursor, EntitySearchDoc, keep_primary_key=True)
                       + _definitions(cursor, EntitySearchToken, keep_primary_key=False))
            cursor.execute(f"COMMENT ON TABLE {token_table} IS %s", [_BULK_MARK + json.dumps(dropped)])
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE refuses pending trigger events
            for item in dropped:
                cursor.execute(item["drop"])
    done = 0
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
        _lock_like_writers(cursor, doc_table, token_table)
        # A writer that committed between the two transactions indexed its business into tables without keys;
        # this transaction's snapshot has every committed business, so start from empty tables.
        cursor.execute(f"DELETE FROM {token_table}")
        cursor.execute(f"DELETE FROM {doc_table}")
        rows = (MarketEntity.objects.order_by("pk").values_list("pk", "name", "address")
                .iterator(chunk_size=_STREAM_CHUNK))
        while chunk := list(itertools.islice(rows, _STREAM_CHUNK)):
            docs, tokens = [], []
            for pk, name, address in chunk:
                name, address = normalise(name), normalise(address)
                docs.append(f"{pk}\t{name}\t{address}\n")  # letters and digits only: nothing to escape
                tokens.extend(f"{token}\t{pk}\t{field}\n" for token, field in entity_tokens(name, address).items())
            with cursor.cursor.copy(f"COPY {doc_table} (entity_id, name, address) FROM STDIN") as copy:
                copy.write("".join(docs))
            with cursor.cursor.copy(f"COPY {token_table} (token, entity_id, field) FROM STDIN") as copy:
                copy.write("".join(tokens))
            done += len(chunk)
            if progress:
                progress(len(chunk))
        if notify:
            notify("建立索引……")
        _restore_definitions(cursor)
    with connection.cursor() as cursor:
        _validate_foreign_keys(cursor)
        # VACUUM sets the visibility map, so a short query reads the token key alone (index-only scan) instead of
        # one heap page per match; it cannot run inside a transaction (tests call this in one): ANALYZE there.
        vacuum = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        cursor.execute(f"{vacuum} {doc_table}, {token_table}")
    return done


def _lock_like_writers(cursor, doc_table: str, token_table: str) -> None:
    """Take the registry before the index tables, in the order every writer does (registry row, then its index
    rows). Re-adding the foreign keys needs SHARE ROW EXCLUSIVE on the registry; taking it only at the end, while
    holding the index tables, deadlocks with a writer that saved a business and waits for the index tables. So
    registry writes wait for the whole first build (searches do not); it runs on an empty index, at set-up."""
    cursor.execute(f"LOCK TABLE {_table(MarketEntity)} IN SHARE ROW EXCLUSIVE MODE")
    cursor.execute(f"LOCK TABLE {doc_table}, {token_table} IN EXCLUSIVE MODE")


def _definitions(cursor, model, *, keep_primary_key: bool) -> list[dict]:
    """How to drop and re-create the constraints and indexes of an index table (PostgreSQL catalogue)."""
    table = _table(model)
    cursor.execute(
        "SELECT c.conname, c.contype, pg_get_constraintdef(c.oid), i.relname, pg_get_indexdef(c.conindid) "
        "FROM pg_constraint c LEFT JOIN pg_class i ON i.oid = c.conindid AND c.contype IN ('p', 'u') "
        "WHERE c.conrelid = %s::regclass AND c.contype IN ('p', 'u', 'f') ORDER BY c.contype DESC, c.conname",
        [model._meta.db_table])
    items, quote = [], _connection().ops.quote_name
    for name, kind, definition, index_name, index_definition in cursor.fetchall():
        if kind == "p" and keep_primary_key:
            continue
        item = {"name": name, "drop": f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}"}
        if kind == "f":  # back NOT VALID, validated after (no lock on the registry while the scan runs)
            item.update(kind="foreign key", create=f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition} "
                        "NOT VALID")
        else:  # the unique index first (readers are not blocked while it builds), then the constraint on it
            constraint = "PRIMARY KEY" if kind == "p" else "UNIQUE"
            item.update(kind="key", index=index_name, create=index_definition,
                        attach=f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {constraint} "
                               f"USING INDEX {quote(index_name)}")
        items.append(item)
    cursor.execute(
        "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
        "WHERE x.indrelid = %s::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
        "WHERE c.conrelid = x.indrelid AND c.conindid = x.indexrelid) ORDER BY i.relname",
        [model._meta.db_table])
    for name, definition in cursor.fetchall():
        items.append({"name": name, "kind": "index", "index": name, "drop": f"DROP INDEX {quote(name)}",
                      "create": definition})
    return items


def _pending_definitions(cursor) -> list[dict] | None:
    cursor.execute("SELECT obj_description(%s::regclass, 'pg_class')", [EntitySearchToken._meta.db_table])
    comment = (cursor.fetchone() or [None])[0] or ""
    return json.loads(comment[len(_BULK_MARK):]) if comment.startswith(_BULK_MARK) else None


def _restore_definitions(cursor) -> None:
    """Re-create whatever the bulk build dropped and is still missing; then forget the definitions."""
    pending = _pending_definitions(cursor)
    if pending is None:
        return
    cursor.execute("SELECT relname FROM pg_class WHERE relkind = 'i'")
    indexes = {name for name, in cursor.fetchall()}
    cursor.execute("SELECT conname FROM pg_constraint WHERE conrelid IN (%s::regclass, %s::regclass)",
                   [EntitySearchDoc._meta.db_table, EntitySearchToken._meta.db_table])
    constraints = {name for name, in cursor.fetchall()}
    for item in pending:  # indexes first (keys among them), foreign keys last: they need the registry's lock
        if item["kind"] != "foreign key" and item["name"] not in constraints and item["index"] not in indexes:
            cursor.execute(item["create"])
    for item in pending:
        if item["kind"] == "key" and item["name"] not in constraints:
            cursor.execute(item["attach"])
    for item in pending:
        if item["kind"] == "foreign key" and item["name"] not in constraints:
            cursor.execute(item["create"])
    cursor.execute(f"COMMENT ON TABLE {_table(EntitySearchToken)} IS NULL")


def _validate_foreign_keys(cursor) -> None:
    cursor.execute("SELECT conrelid::regclass::text, conname FROM pg_constraint WHERE contype = 'f' "
                   "AND NOT convalidated AND conrelid IN (%s::regclass, %s::regclass)",
                   [EntitySearchDoc._meta.db_table, EntitySearchToken._meta.db_table])
    quote = _connection().ops.quote_name
    for table, name in cursor.fetchall():
        cursor.execute(f"ALTER TABLE {table} VALIDATE CONSTRAINT {quote(name)}")


def _finish_interrupted_bulk_build(connection) -> None:
    """A first build that stopped after dropping the index tables' keys: put them back if rows exist (someone
    wrote to the index meanwhile); an empty index keeps the definitions for the bulk build about to run."""
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if _pending_definitions(cursor) is not None and (EntitySearchDoc.objects.exists()
                                                         or EntitySearchToken.objects.exists()):
            _restore_definitions(cursor)
    with connection.cursor() as cursor:
        _validate_foreign_keys(cursor)


def _bulk_tokens(connection) -> None:
    """Every token row from every doc row, in key order, with the entity_id index rebuilt after."""
    token_table = EntitySearchToken._meta.db_table
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, token_table)
        by_entity = [name for name, info in constraints.items()
                     if info["columns"] == ["entity_id"] and info["index"] and not info["unique"]
                     and not info["primary_key"]]
        for name in by_entity:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        longest = EntitySearchDoc.objects.aggregate(
            longest=Greatest(Max(Length("name")), Max(Length("address"))))["longest"] or 1
        postgresql = connection.vendor == "postgresql"
        if postgresql:  # sort in memory, build the index in memory
            cursor.execute("SET LOCAL work_mem = '256MB'")
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        ignore = "" if postgresql else "OR IGNORE "  # rows a writer added meanwhile
        conflict = " ON CONFLICT DO NOTHING" if postgresql else ""
        cursor.execute(_TOKENS_SQL.format(insert=f"INSERT {ignore}INTO", tokens=_table(EntitySearchToken),
                                          docs=_table(EntitySearchDoc), where="", conflict=conflict),
                       [longest])
        if postgresql:  # run the deferred foreign-key checks now: CREATE INDEX refuses pending trigger events
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for name in by_entity:
            cursor.execute(f"CREATE INDEX {connection.ops.quote_name(name)} ON {_table(EntitySearchToken)} "
                           "(entity_id)")


@dataclass
class CheckReport:
    entities: int = 0
    drifted: int = 0
    problems: list[str] | None = None

    def add(self, problem: str, *, limit: int = 20) -> None:
        self.drifted += 1
        if self.problems is None:
            self.problems = []
        if len(self.problems) < limit:
            self.problems.append(problem)

    @property
    def ok(self) -> bool:
        return self.drifted == 0


def check_index(*, batch_size: int = 2000, progress: Callable[[int], Any] | None = None) -> CheckReport:
    """Compare the index with the registry: every entity's doc row and token set, rows of missing entities,
    and (SQLite) the FTS5 index against the doc table."""
    report = CheckReport(problems=[])
    connection = _connection()
    doc_table, token_table = _table(EntitySearchDoc), _table(EntitySearchToken)
    last = 0
    with connection.cursor() as cursor:
        while True:
            rows = list(MarketEntity.objects.filter(pk__gt=last).order_by("pk")
                        .values_list("pk", "uscc", "name", "address")[:batch_size])
            upper = rows[-1][0] if rows else None
            where = "entity_id > %s" + ("" if upper is None else " AND entity_id <= %s")
            bounds = [last] if upper is None else [last, upper]
            cursor.execute(f"SELECT entity_id, name, address FROM {doc_table} WHERE {where}", bounds)
            docs = {pk: (name, address) for pk, name, address in cursor.fetchall()}
            cursor.execute(f"SELECT entity_id, token, field FROM {token_table} WHERE {where}", bounds)
            tokens: dict[int, dict[str, int]] = {}
            for pk, token, field in cursor.fetchall():
                tokens.setdefault(pk, {})[token] = field
            known = set()
            for pk, uscc, name, address in rows:
                known.add(pk)
                expected = (normalise(name), normalise(address))
                if pk not in docs:
                    report.add(f"{uscc} {name}: 缺少检索文档")
                elif docs[pk] != expected:
                    report.add(f"{uscc} {name}: 检索文档与名录不符（索引为 {docs[pk][0]}）")
                elif tokens.get(pk, {}) != entity_tokens(*expected):
                    report.add(f"{uscc} {name}: 短词索引与名录不符")
            for pk in sorted((set(docs) | set(tokens)) - known):
                report.add(f"编号 {pk}: 市场主体已不存在，索引仍有记录")
            report.entities += len(rows)
            if progress and rows:
                progress(len(rows))
            if upper is None:
                break
            last = upper
        if connection.vendor == "sqlite":
            try:
                with transaction.atomic(using=connection.alias):
                    cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES ('integrity-check', 1)")
            except DatabaseError as exc:
                report.add(f"FTS5 全文索引与检索文档不一致（{exc}）")
    return report


# --- queries --------------------------------------------------------------------------------------------------

def search_entities(entities: QuerySet[MarketEntity], query: str) -> QuerySet[MarketEntity]:
    """Entities of `entities` that match `query`, ordered: exact USCC, then name matches, then address-only
    matches, each by name. Filters and scoping already on `entities` (or added later) compose."""
    text = normalise(query)
    if not text:
        return entities.none()
    return _ranked(entities.filter(pk__in=_matching_ids(text, entities.db)), text)


def search_entities_capped(entities: QuerySet[MarketEntity], query: str, cap: int) -> tuple[QuerySet, bool]:
    """Like `search_entities`, for a page someone waits on: only the first `cap` matches by registry id are ranked
    and sorted, and the flag says whether there were more. At region scale a two-character query matches hundreds
    of thousands of businesses; ranking and counting them all takes seconds, and no one reads past the first pages.
    For a two-character query the token key (token, entity_id) yields matches in registry-id order, so the scan
    stops after `cap` index entries; a one-character query (a range of tokens) and a 3+ character one (trigram
    index) still collect and sort their matches before the cap applies."""
    text = normalise(query)
    if not text:
        return entities.none(), False
    # In registry order: for a 1–2-character query the token key (token, entity_id) yields the matches already in
    # that order, so the scan stops after cap + 1 rows, and the same query always lists the same businesses.
    ids = list(entities.filter(pk__in=_matching_ids(text, entities.db)).order_by("pk")
               .values_list("pk", flat=True)[:cap + 1])
    return _ranked(entities.filter(pk__in=ids[:cap]), text), len(ids) > cap


def _matching_ids(text: str, using: str) -> RawSQL:
    vendor = connections[using].vendor
    match_sql, match_params = _text_match_sql(text, vendor)
    uscc_sql, uscc_params = _uscc_match_sql(text, vendor)
    if uscc_sql:
        match_sql, match_params = f"{match_sql} UNION {uscc_sql}", [*match_params, *uscc_params]
    return RawSQL(match_sql, match_params)


def _ranked(matching: QuerySet[MarketEntity], text: str) -> QuerySet[MarketEntity]:
    # Correlated EXISTS, one index probe per candidate: PostgreSQL evaluates `id IN (subquery)` inside a CASE as
    # a SubPlan, which is rescanned per row once its result outgrows work_mem (10⁶ rows × 10⁶ rescans).
    rank = [When(_in_name(text), then=Value(1))]
    if len(text) == 18 and set(text) <= USCC_CHARS:
        rank.insert(0, When(uscc=text, then=Value(0)))
    return (matching.annotate(search_rank=Case(*rank, default=Value(2), output_field=IntegerField()))
            .order_by("search_rank", "name", "uscc"))


def _text_match_sql(text: str, vendor: str) -> tuple[str, list]:
    """SQL selecting the ids of entities whose normalised name or address contains `text`."""
    token_table, doc_table = _table(EntitySearchToken), _table(EntitySearchDoc)
    if len(text) == 2:
        return f"SELECT entity_id FROM {token_table} WHERE token = %s", [text]
    if len(text) == 1:  # tokens starting with the character; the column sorts by code point (BINARY / "C")
        return f"SELECT entity_id FROM {token_table} WHERE token BETWEEN %s AND %s", [text, text + _MAX_CHAR]
    if vendor == "sqlite":
        phrase = '"' + text.replace('"', '""') + '"'
        return (f"SELECT entity_id FROM {doc_table} WHERE entity_id IN "
                f"(SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s) "
                "AND (instr(name, %s) > 0 OR instr(address, %s) > 0)", [phrase, text, text])
    pattern = f"%{text}%"  # normalised text has no % _ or backslash
    return f"SELECT entity_id FROM {doc_table} WHERE name LIKE %s OR address LIKE %s", [pattern, pattern]


def _in_name(text: str) -> Exists:
    """True for a candidate whose normalised name contains `text` (rows of the outer MarketEntity query)."""
    if len(text) <= 2:
        tokens = EntitySearchToken.objects.filter(entity=OuterRef("pk"), field__in=[_NAME, SearchField.BOTH.value])
        if len(text) == 2:
            return Exists(tokens.filter(token=text))
        return Exists(tokens.filter(token__range=(text, text + _MAX_CHAR)))
    return Exists(EntitySearchDoc.objects.filter(pk=OuterRef("pk"))
                  .annotate(at=StrIndex("name", Value(text))).filter(at__gt=0))


def _uscc_match_sql(text: str, vendor: str) -> tuple[str, list]:
    if not (USCC_PREFIX_MIN <= len(text) <= 18 and set(text) <= USCC_CHARS):
        return "", []
    entity_table = _table(MarketEntity)
    if len(text) == 18:
        return f"SELECT id FROM {entity_table} WHERE uscc = %s", [text]
    if vendor == "sqlite":  # a range uses the unique index; SQLite's LIKE is case-insensitive and cannot
        return f"SELECT id FROM {entity_table} WHERE uscc >= %s AND uscc < %s", [text, text + "\x7f"]
    return f"SELECT id FROM {entity_table} WHERE uscc LIKE %s", [text + "%"]


# --- filters that later capabilities provide -----------------------------------------------------------------

EXTRA_FILTERS = ("enrolled", "title", "credit_grade")
_filter_hooks: dict[str, Callable[[QuerySet, Any], QuerySet]] = {}


def register_filter(name: str, function: Callable[[QuerySet, Any], QuerySet]) -> None:
    """A capability that owns the data behind a search filter registers it in its AppConfig.ready(), e.g.
    `register_filter("enrolled", lambda qs, value: qs.filter(...))`; the function gets MarketEntity rows."""
    if name not in EXTRA_FILTERS:
        raise ValueError(f"unknown search filter {name!r}; known: {', '.join(EXTRA_FILTERS)}")
    _filter_hooks[name] = function


def apply_extra_filters(entities: QuerySet, **values) -> QuerySet:
    """Apply the filters given a value (None and "" mean not asked); one nobody provides yet is refused."""
    for name, value in values.items():
        if name not in EXTRA_FILTERS:
            raise TypeError(f"unknown search filter {name!r}")
        if value is None or value == "":
            continue
        hook = _filter_hooks.get(name)
        if hook is None:
            raise ValidationFailed(f"暂不支持按“{name}”筛选。", details={"field": name})
        entities = hook(entities, value)
    return entities


# --- helpers --------------------------------------------------------------------------------------------------

def _connection():
    return connections[router.db_for_write(EntitySearchDoc)]


def _table(model) -> str:
    return _connection().ops.quote_name(model._meta.db_table)


def _chunks(items: list, size: int):
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk
