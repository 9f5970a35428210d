"""PostgreSQL: a trigram index on UPPER(name) of the registry (docs/performance.md, "提交与检索在大库上").

Complaint intake finds the business a consumer typed by name with `name__icontains` (complaints.routing:
`UPPER(name::text) LIKE UPPER('%…%')`). Without an index that is a scan of the whole registry for every
submission: 0.17 s at 150,000 businesses, seconds at 2.5 million, on CPU the rest of the site needs. A GIN pg_trgm
index on the same expression answers it from the index for three or more characters (0.06 ms measured at 150,000);
the query and its results are unchanged. SQLite keeps its scan (small registries).

Building it takes about 2 s at 150,000 businesses (20–60 s at 2.5 million). It is built CONCURRENTLY (outside a
transaction), so registry writes go on meanwhile; a build that fails leaves an invalid index, which is dropped and
built again on the next `migrate`.
"""

from django.db import migrations

INDEX = "merchants_entity_name_upper_trgm"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        with schema_editor.connection.cursor() as cursor:  # an invalid index left by a failed concurrent build
            cursor.execute("SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                           "WHERE c.relname = %s AND NOT i.indisvalid", [INDEX])
            if cursor.fetchone():
                schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")
        schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} ON merchants_marketentity "
                              "USING gin ((UPPER((name)::text)) gin_trgm_ops)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [("merchants", "0002_search_index")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
