"""Search at region scale: the capped portal page lists the same businesses every time, and the set-based first
build on PostgreSQL gives back every key, index and foreign key it drops — also after an interruption."""

import pytest
from django.db import connection

from fangxin.merchants import search
from fangxin.merchants.models import EntitySearchDoc, EntitySearchToken, MarketEntity
from fangxin.merchants.selectors import entity_public_search, entity_public_search_page
from fangxin.merchants.tests.factories import make_entity

postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the bulk path is PostgreSQL's")


@pytest.fixture
def shops(entities):
    for n in range(4):
        make_entity(name=f"华联便利店{n}号", address="巴彦淖尔市临河区胜利北路 18 号")
    search.reindex_entities(MarketEntity.objects.values_list("pk", flat=True))
    return MarketEntity.objects.filter(name__contains="华联").order_by("pk")


def test_capped_page_lists_the_first_matches_by_registry_id(shops):
    ids = list(shops.values_list("pk", flat=True))
    assert len(ids) >= 5
    for cap in (1, 2, 4):
        page, more = entity_public_search_page(query="华联", cap=cap)
        assert more and set(page.values_list("pk", flat=True)) == set(ids[:cap])
        ranked = list(entity_public_search(query="华联").filter(pk__in=ids[:cap]).values_list("pk", flat=True))
        assert list(page.values_list("pk", flat=True)) == ranked  # ordered as the full search orders them
    every = sorted(entity_public_search(query="华").values_list("pk", flat=True))  # one character: a token range
    page, more = entity_public_search_page(query="华", cap=2)
    assert more and set(page.values_list("pk", flat=True)) == set(every[:2])


def _shape() -> dict:
    """Constraint and index names of the two index tables, with whether each foreign key is validated."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT conrelid::regclass::text, conname, contype, convalidated FROM pg_constraint "
                       "WHERE conrelid IN (%s::regclass, %s::regclass)",
                       [EntitySearchDoc._meta.db_table, EntitySearchToken._meta.db_table])
        constraints = set(cursor.fetchall())
        cursor.execute("SELECT tablename, indexname, indexdef FROM pg_indexes WHERE tablename IN (%s, %s)",
                       [EntitySearchDoc._meta.db_table, EntitySearchToken._meta.db_table])
        indexes = set(cursor.fetchall())
        cursor.execute("SELECT obj_description(%s::regclass, 'pg_class')", [EntitySearchToken._meta.db_table])
        comment = cursor.fetchone()[0]
    return {"constraints": constraints, "indexes": indexes, "comment": comment}


def _empty_index() -> None:
    EntitySearchToken.objects.all().delete()
    EntitySearchDoc.objects.all().delete()


@postgresql_only
def test_bulk_build_restores_every_key_index_and_foreign_key(shops):
    before = _shape()
    assert any(kind == "f" for _, _, kind, _ in before["constraints"])
    _empty_index()
    assert search.rebuild_index() == MarketEntity.objects.count()
    assert _shape() == before
    assert search.check_index().ok
    assert set(entity_public_search(query="华联").values_list("pk", flat=True)) == set(shops.values_list("pk", flat=True))


@postgresql_only
def test_an_interrupted_bulk_build_is_completed_by_the_next_rebuild(shops, monkeypatch):
    before = _shape()
    _empty_index()
    real_restore = search._restore_definitions

    def fail(cursor):
        raise RuntimeError("interrupted")

    monkeypatch.setattr(search, "_restore_definitions", fail)
    with pytest.raises(RuntimeError):
        search.rebuild_index()
    broken = _shape()  # the loaded rows are gone with their transaction; the dropped definitions are remembered
    assert broken["indexes"] < before["indexes"] and broken["comment"].startswith(search._BULK_MARK)
    assert not EntitySearchToken.objects.exists()
    monkeypatch.setattr(search, "_restore_definitions", real_restore)
    assert search.rebuild_index() == MarketEntity.objects.count()
    assert _shape() == before
    assert search.check_index().ok


@postgresql_only
def test_a_business_indexed_between_the_builds_transactions_is_not_indexed_twice(shops, monkeypatch):
    """A writer that commits after the keys are dropped and before the load indexes its business into tables
    without keys; the load starts from empty tables, so restoring the keys cannot fail on a duplicate."""
    before = _shape()
    _empty_index()
    real_lock = search._lock_like_writers
    calls = []

    def writer_slips_in(cursor, doc_table, token_table):
        calls.append(1)
        if len(calls) == 2:  # the load's transaction: the rows a writer left meanwhile are already there
            search.reindex_entities([shops.first().pk])
            assert EntitySearchDoc.objects.exists()
        real_lock(cursor, doc_table, token_table)

    monkeypatch.setattr(search, "_lock_like_writers", writer_slips_in)
    assert search.rebuild_index() == MarketEntity.objects.count()
    assert _shape() == before
    assert search.check_index().ok
    assert EntitySearchDoc.objects.count() == MarketEntity.objects.count()
