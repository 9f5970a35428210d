"""Resumable runs: which batches of which family are in the database, and the run's fixed parameters.

Two small tables made on first use (not models: they belong to the generator's run, not to the application).
A batch's rows and its checkpoint row are committed in the same transaction, so after an interruption a batch is
either wholly present or wholly absent, and --resume writes exactly the absent ones.
"""

import json

from django.db import connection

PROGRESS = "fangxin_gen_progress"
META = "fangxin_gen_meta"


def ensure_tables() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {PROGRESS} (family VARCHAR(40) NOT NULL, batch INTEGER NOT NULL, "
                       "rows_written INTEGER NOT NULL, PRIMARY KEY (family, batch))")
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {META} (name VARCHAR(40) PRIMARY KEY, value TEXT NOT NULL)")


def done_batches(family: str) -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT batch FROM {PROGRESS} WHERE family = %s", [family])
        return {row[0] for row in cursor.fetchall()}


def mark(family: str, batch: int, rows: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {PROGRESS} (family, batch, rows_written) VALUES (%s, %s, %s)",
                       [family, batch, rows])


def load_meta() -> dict | None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT value FROM {META} WHERE name = 'run'")
        row = cursor.fetchone()
    return json.loads(row[0]) if row else None


def save_meta(meta: dict) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {META} WHERE name = 'run'")
        cursor.execute(f"INSERT INTO {META} (name, value) VALUES ('run', %s)", [json.dumps(meta, sort_keys=True)])


def clear() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {PROGRESS}")
        cursor.execute(f"DELETE FROM {META}")
