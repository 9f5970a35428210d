"""The registry search index (docs/search.md).

- EntitySearchToken: the bigram (or, at the end, unigram) starting at each character of the normalised name and
  address, for 1–2-character queries; on PostgreSQL its column sorts in code-point order (COLLATE "C").
- EntitySearchDoc: the normalised name and address, for 3+-character queries through
  PostgreSQL: two GIN pg_trgm indexes (`LIKE '%…%'` uses them);
  SQLite: an external-content FTS5 table with the trigram tokenizer, kept in step by triggers on the doc table.
- Entities already in the registry are indexed here, so search works straight after `migrate`.
"""

import django.db.models.deletion
from django.db import migrations, models

FTS = "merchants_entitysearch_fts"
DOC = "merchants_entitysearchdoc"
TOKEN = "merchants_entitysearchtoken"

SQLITE_FORWARD = [
    f"CREATE VIRTUAL TABLE {FTS} USING fts5(name, address, content='{DOC}', content_rowid='entity_id', "
    "tokenize='trigram')",
    f"CREATE TRIGGER {FTS}_ai AFTER INSERT ON {DOC} BEGIN "
    f"INSERT INTO {FTS}(rowid, name, address) VALUES (new.entity_id, new.name, new.address); END",
    f"CREATE TRIGGER {FTS}_ad AFTER DELETE ON {DOC} BEGIN "
    f"INSERT INTO {FTS}({FTS}, rowid, name, address) VALUES ('delete', old.entity_id, old.name, old.address); END",
    f"CREATE TRIGGER {FTS}_au AFTER UPDATE ON {DOC} BEGIN "
    f"INSERT INTO {FTS}({FTS}, rowid, name, address) VALUES ('delete', old.entity_id, old.name, old.address); "
    f"INSERT INTO {FTS}(rowid, name, address) VALUES (new.entity_id, new.name, new.address); END",
]
SQLITE_BACKWARD = [f"DROP TRIGGER IF EXISTS {FTS}_{suffix}" for suffix in ("ai", "ad", "au")] + [
    f"DROP TABLE IF EXISTS {FTS}"]

POSTGRESQL_FORWARD = [
    # 1-character queries are a range scan over tokens starting with that character: code-point order.
    f'ALTER TABLE {TOKEN} ALTER COLUMN token TYPE varchar(2) COLLATE "C"',
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    f"CREATE INDEX merchants_searchdoc_name_trgm ON {DOC} USING gin (name gin_trgm_ops)",
    f"CREATE INDEX merchants_searchdoc_address_trgm ON {DOC} USING gin (address gin_trgm_ops)",
]
# The extension stays: other schemas may use it, and leaving it is harmless.
POSTGRESQL_BACKWARD = ["DROP INDEX IF EXISTS merchants_searchdoc_address_trgm",
                       "DROP INDEX IF EXISTS merchants_searchdoc_name_trgm",
                       f'ALTER TABLE {TOKEN} ALTER COLUMN token TYPE varchar(2) COLLATE "default"']


def _run(schema_editor, statements_by_vendor):
    for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


def create_text_index(apps, schema_editor):
    _run(schema_editor, {"sqlite": SQLITE_FORWARD, "postgresql": POSTGRESQL_FORWARD})


def drop_text_index(apps, schema_editor):
    _run(schema_editor, {"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRESQL_BACKWARD})


def index_existing_entities(apps, schema_editor):
    from fangxin.merchants.search import entity_tokens, normalise

    entity_model = apps.get_model("merchants", "MarketEntity")
    doc_model = apps.get_model("merchants", "EntitySearchDoc")
    token_model = apps.get_model("merchants", "EntitySearchToken")
    db = schema_editor.connection.alias
    last = 0
    while True:
        rows = list(entity_model.objects.using(db).filter(pk__gt=last).order_by("pk")
                    .values_list("pk", "name", "address")[:1000])
        if not rows:
            break
        last = rows[-1][0]
        docs, tokens = [], []
        for pk, name, address in rows:
            name_n, address_n = normalise(name), normalise(address)
            docs.append(doc_model(entity_id=pk, name=name_n, address=address_n))
            tokens.extend(token_model(entity_id=pk, token=token, field=field)
                          for token, field in entity_tokens(name_n, address_n).items())
        doc_model.objects.using(db).bulk_create(docs)
        token_model.objects.using(db).bulk_create(tokens, batch_size=2000)


class Migration(migrations.Migration):

    dependencies = [
        ("merchants", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="EntitySearchDoc",
            fields=[
                ("entity", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True,
                                                related_name="search_doc", serialize=False,
                                                to="merchants.marketentity", verbose_name="市场主体")),
                ("name", models.TextField(verbose_name="规范化名称")),
                ("address", models.TextField(blank=True, verbose_name="规范化经营场所")),
            ],
            options={
                "verbose_name": "检索文档",
                "verbose_name_plural": "检索文档",
            },
        ),
        migrations.CreateModel(
            name="EntitySearchToken",
            fields=[
                ("pk", models.CompositePrimaryKey("token", "entity", blank=True, editable=False, primary_key=True,
                                                  serialize=False)),
                ("token", models.CharField(max_length=2, verbose_name="词元")),
                ("field", models.PositiveSmallIntegerField(choices=[(1, "名称"), (2, "经营场所"),
                                                                    (3, "名称与经营场所")],
                                                           verbose_name="出现位置")),
                ("entity", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                             to="merchants.marketentity", verbose_name="市场主体")),
            ],
            options={
                "verbose_name": "检索词元",
                "verbose_name_plural": "检索词元",
            },
        ),
        migrations.RunPython(create_text_index, drop_text_index, elidable=False),
        migrations.RunPython(index_existing_entities, migrations.RunPython.noop, elidable=True),
    ]
