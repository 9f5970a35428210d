"""Batch work on sealed columns with plain SQL (so it runs inside migrations, whatever the historical model says,
on SQLite and PostgreSQL): seal existing plaintext, unseal (a migration's reverse), re-seal under the current key
(`fangxin keys rotate`) and count tokens per key id (`fangxin keys status`).

Rows are read in primary-key order, BATCH at a time, each batch written in its own transaction: a run that is
stopped can simply be started again, rows already done are skipped (idempotent).
"""

from collections import Counter
from collections.abc import Callable

from django.apps import apps as global_apps
from django.db import connection as default_connection
from django.db import transaction

from . import crypto

BATCH = 500


def _batches(connection, table: str, columns: list[str], batch: int):
    qn = connection.ops.quote_name
    select = ", ".join(qn(c) for c in ["id", *columns])
    sql = f"SELECT {select} FROM {qn(table)} WHERE {qn('id')} > %s ORDER BY {qn('id')} LIMIT %s"
    last = 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(sql, [last, batch])
            rows = cursor.fetchall()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def _rewrite(connection, table: str, columns: list[str], change: Callable[[str], str], *,
             index: tuple[str, str, str] | None = None, batch: int | None = None) -> int:
    """Apply `change` to every non-empty value; `index` = (index column, source column, purpose) is recomputed
    from the plain source value. Returns the number of rows changed."""
    qn, batch = connection.ops.quote_name, batch or BATCH
    changed = 0
    for rows in _batches(connection, table, columns, batch):
        updates = []
        for pk, *values in rows:
            new = [change(v) if v else v for v in values]
            extra = []
            if index is not None:
                source = values[columns.index(index[1])] or ""
                plain = crypto.unseal(source) if crypto.is_sealed(source) else source
                extra = [crypto.blind_index(plain, index[2])]
            if new != list(values) or extra:
                updates.append((pk, new + extra))
        if not updates:
            continue
        targets = columns + ([index[0]] if index else [])
        sql = f"UPDATE {qn(table)} SET {', '.join(f'{qn(c)} = %s' for c in targets)} WHERE {qn('id')} = %s"
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.executemany(sql, [[*values, pk] for pk, values in updates])
        changed += len(updates)
    return changed


def _seal_plain(value: str) -> str:
    return value if crypto.is_sealed(value) else crypto.seal(value)


def _unseal_token(value: str) -> str:
    return crypto.unseal(value) if crypto.is_sealed(value) else value


def seal_columns(connection, table: str, columns: list[str], *, index=None) -> int:
    return _rewrite(connection, table, columns, _seal_plain, index=index)


def unseal_columns(connection, table: str, columns: list[str]) -> int:
    return _rewrite(connection, table, columns, _unseal_token)


def migration(table: str, columns: list[str], *, index=None):
    """(forward, backward) functions for migrations.RunPython."""

    def forward(apps, schema_editor):
        seal_columns(schema_editor.connection, table, columns, index=index)

    def backward(apps, schema_editor):
        unseal_columns(schema_editor.connection, table, columns)

    return forward, backward


def index_migration(table: str, index: tuple[str, str, str]):
    """(forward, backward) for a blind index added to an already sealed column: fill it; nothing to undo."""

    def forward(apps, schema_editor):
        _rewrite(schema_editor.connection, table, [index[1]], _seal_plain, index=index)

    return forward, lambda apps, schema_editor: None


def sealed_columns() -> list[tuple[str, list[str]]]:
    """[(table, [sealed columns])] for every installed model with sealed fields."""
    from .fields import SealedMixin

    out = []
    for model in global_apps.get_models():
        columns = [f.column for f in model._meta.concrete_fields if isinstance(f, SealedMixin)]
        if columns and not model._meta.proxy:
            out.append((model._meta.db_table, columns))
    return out


def reseal_all(connection=None, *, batch: int | None = None, progress: Callable[[str, int], None] | None = None) -> dict:
    """Every sealed value under the current key: {table: rows rewritten}."""
    connection = connection or default_connection
    done = {}
    for table, columns in sealed_columns():
        done[table] = _rewrite(connection, table, columns, crypto.reseal, batch=batch)
        if progress:
            progress(table, done[table])
    return done


def count_by_key(connection=None) -> dict[str, Counter]:
    """{table.column: Counter(key id -> values)}; plaintext left by mistake counts under "plain"."""
    connection = connection or default_connection
    out = {}
    for table, columns in sealed_columns():
        counters = {c: Counter() for c in columns}
        for rows in _batches(connection, table, columns, 2000):
            for _pk, *values in rows:
                for column, value in zip(columns, values, strict=True):
                    if value:
                        counters[column][crypto.key_id_of(value) if crypto.is_sealed(value) else "plain"] += 1
        for column, counter in counters.items():
            out[f"{table}.{column}"] = counter
    return out
