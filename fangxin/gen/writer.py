"""Streaming rows into a table: COPY on PostgreSQL, executemany on SQLite, every value through its model field.

Values are built by `field.get_db_prep_save(value, connection)`, so a field that encrypts, normalises or adapts
its value (e.g. an encrypted personal-data field) gets exactly what the ORM would have given it.
"""

from django.core.management.color import no_style
from django.db import connection


class TableWriter:
    """One model, a fixed list of field names; `write(rows)` takes tuples of Python values in that order."""

    def __init__(self, model, names: list[str]):
        self.model = model
        self.fields = [model._meta.get_field(name) for name in names]
        self.columns = [f.column for f in self.fields]
        self.rows_written = 0

    def prep(self, row: tuple) -> tuple:
        return tuple(None if value is None else field.get_db_prep_save(value, connection)
                     for field, value in zip(self.fields, row, strict=True))

    def write(self, rows) -> int:
        prepared = [self.prep(row) for row in rows]
        if not prepared:
            return 0
        quote = connection.ops.quote_name
        table, columns = quote(self.model._meta.db_table), ", ".join(quote(c) for c in self.columns)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in prepared:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", prepared)
        self.rows_written += len(prepared)
        return len(prepared)


def reset_sequences(models) -> None:
    """Explicit primary keys leave PostgreSQL's sequences behind; move them past the largest key."""
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), list(models)):
            cursor.execute(sql)
