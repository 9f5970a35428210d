"""PostgreSQL: a trigram index on UPPER(name) of the registry (docs/performance.md, "提交与检索在大库上").

Complaint intake finds the business a consumer typed by name with `name__icontains` (complaints.routing:
`UPPER(name::text) LIKE UPPER('%…%')`). Without an index that is a scan of the whole registry for every
submission: 0.17 s at 150,000 businesses, seconds at 2.5 million, on CPU the rest of the site needs. A GIN pg_trgm
index on the same expression answers it from the index for three or more characters (0.06 ms measured at 150,000);
the query and its results are unchanged. SQLite keeps its scan (small registries).

Building it takes about 2 s at 150,000 businesses (a minute or so at 2.5 million) and blocks registry writes meanwhile.
"""

from django.db import migrations

INDEX = "merchants_entity_name_upper_trgm"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON merchants_marketentity "
                              "USING gin ((UPPER((name)::text)) gin_trgm_ops)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):

    dependencies = [("merchants", "0002_search_index")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
