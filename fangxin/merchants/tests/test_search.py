"""Registry search: every query length, normalisation, USCC, ordering, scoping, index upkeep and drift checks.

The services call reindex_entities; the fixtures call it again (a no-op when nothing changed) so these tests
hold whichever writer created the rows.
"""

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fangxin.core.actors import Actor
from fangxin.core.exceptions import ValidationFailed
from fangxin.merchants import search
from fangxin.merchants.models import EntitySearchDoc, EntitySearchToken, MarketEntity, SearchField
from fangxin.merchants.selectors import entity_list, entity_public_search, entity_public_search_page
from fangxin.merchants.services import entity_update
from fangxin.merchants.tests.factories import make_entity

ADDRESS = "巴彦淖尔市临河区新华街 1 号"  # the factory's default address


def found(query, **filters) -> set[str]:
    return set(entity_public_search(query=query, **filters).values_list("name", flat=True))


def index_all() -> None:
    search.reindex_entities(MarketEntity.objects.values_list("pk", flat=True))


@pytest.fixture
def shops(entities):
    more = {
        "phone": make_entity(county="150802", sector="info", name="临河区利民手机通讯店",
                             address="巴彦淖尔市临河区胜利北路 18 号"),
        "ktv": make_entity(county="150821", sector="culture", name="五原县金川KTV",
                           address="五原县团结路５Ｇ大厦 3 号"),
        "hotel": make_entity(county="150802", sector="tourism", name="临河区华联大酒店",
                             address="巴彦淖尔市临河区建设路 7 号"),
    }
    index_all()
    return {**entities, **more}


# --- query lengths ---------------------------------------------------------------------------------------------

def test_one_character_query(shops):
    assert found("旅") == {"五原县河套国际旅行社"}
    assert found("鲜") == {"五原县华联生鲜超市"}


def test_two_character_queries_common_on_the_portal(shops):
    assert found("华联") == {"临河区华联超市", "五原县华联生鲜超市", "临河区华联大酒店"}
    assert found("手机") == {"临河区利民手机通讯店"}
    assert found("无有") == set()


def test_three_character_query(shops):
    assert found("华联超") == {"临河区华联超市"}
    assert found("大酒店") == {"临河区华联大酒店"}


def test_four_and_more_character_queries(shops):
    assert found("华联生鲜超市") == {"五原县华联生鲜超市"}
    assert found("河套国际旅行社") == {"五原县河套国际旅行社"}
    assert found("五原县河套国际旅行社") == {"五原县河套国际旅行社"}
    assert found("河套国际旅行社总部") == set()


def test_mixed_ascii_queries(shops):
    assert found("KTV") == {"五原县金川KTV"}
    assert found("ktv") == {"五原县金川KTV"}
    assert found("金川K") == {"五原县金川KTV"}
    assert found("5G") == {"五原县金川KTV"}  # address has full-width ５Ｇ
    assert found("5g大厦") == {"五原县金川KTV"}


def test_address_substring(shops):
    assert found("胜利北路") == {"临河区利民手机通讯店"}
    assert found("建设路7号") == {"临河区华联大酒店"}
    assert found("新华街") == {"临河区乐购电商旗舰店", "临河区华联超市", "五原县华联生鲜超市", "五原县河套国际旅行社"}


def test_full_width_spaces_and_punctuation_are_normalised(shops):
    assert found("ＫＴＶ") == {"五原县金川KTV"}
    assert found("华联　超市") == {"临河区华联超市"}
    assert found(" 华联·超市！") == {"临河区华联超市"}
    assert found("建设路 7 号") == {"临河区华联大酒店"}
    assert not entity_public_search(query="，。！").exists()


# --- USCC -------------------------------------------------------------------------------------------------------

def test_uscc_exact_lower_case_and_spaced(shops):
    entity = shops["b_food"]
    assert [e.pk for e in entity_public_search(query=entity.uscc)] == [entity.pk]
    assert [e.pk for e in entity_public_search(query=entity.uscc.lower())] == [entity.pk]
    spaced = f" {entity.uscc[:6]} {entity.uscc[6:]} "
    assert [e.pk for e in entity_public_search(query=spaced)] == [entity.pk]


def test_uscc_prefix_from_eight_characters(shops):
    county_b = {e.name for e in shops.values() if e.uscc.startswith("91150821")}
    assert county_b and found("91150821") == county_b
    assert found("9115082") == set()  # too short to be read as a code


def test_exact_uscc_comes_first(shops):
    target = make_entity(county="150802", name="阿里商行")
    named = make_entity(county="150802", name=f"代码{target.uscc}商店")  # its name contains the code
    search.reindex_entities([target.pk, named.pk])
    assert [e.pk for e in entity_public_search(query=target.uscc)] == [target.pk, named.pk]


# --- ordering, exactness, filters -------------------------------------------------------------------------------

def test_name_matches_come_before_address_only_matches(shops):
    by_name = make_entity(county="150821", name="新华街便利店", address="五原县解放街 2 号")
    search.reindex_entities([by_name.pk])
    results = list(entity_public_search(query="新华街"))
    assert results[0] == by_name
    assert [e.name for e in results[1:]] == sorted(e.name for e in results[1:])
    # the same for the token path (two characters)
    assert entity_public_search(query="新华").first() == by_name


def test_no_false_positives_from_trigrams_or_field_boundaries(reference):
    scrambled = make_entity(name="联超华联超商行", address="五原县解放街 2 号")  # trigrams of 华联超华, not it
    split = make_entity(name="临河华联", address="超市路 3 号")  # 华联|超市 only across name and address
    split_pair = make_entity(name="磴口华", address="联营路 1 号")  # 华|联 across name and address
    search.reindex_entities([scrambled.pk, split.pk, split_pair.pk])
    assert found("华联超华") == set()
    assert found("华联超市") == set()
    assert found("华联超") == {"联超华联超商行"}
    assert found("口华联") == set()
    assert found("华联") == {"联超华联超商行", "临河华联"}


def test_region_and_sector_filters_compose_with_search(shops):
    assert found("华联", region_code="150821") == {"五原县华联生鲜超市"}
    assert found("华联", sector_code="tourism") == {"临河区华联大酒店"}
    assert found("华联超", region_code="150821") == set()


def test_the_portal_page_ranks_only_the_first_matches_and_says_there_are_more(shops):
    everything = list(entity_public_search(query="华联").values_list("name", flat=True))
    assert len(everything) == 3
    page, more = entity_public_search_page(query="华联", cap=2)
    names = list(page.values_list("name", flat=True))
    assert more and len(names) == 2 and set(names) <= set(everything)
    assert names == sorted(names, key=everything.index)  # ranked and ordered among themselves as the full search
    page, more = entity_public_search_page(query="华联", cap=3)
    assert not more and list(page.values_list("name", flat=True)) == everything
    page, more = entity_public_search_page(query="华联", region_code="150821", cap=1)
    assert not more and list(page.values_list("name", flat=True)) == ["五原县华联生鲜超市"]  # filters come first
    page, more = entity_public_search_page(query="", region_code="150802", cap=1)
    assert more and page.count() == 1
    assert entity_public_search_page(query="无有", cap=1)[0].count() == 0


def test_capability_filters_are_hooks(shops, monkeypatch):
    monkeypatch.setattr(search, "_filter_hooks", {})  # as before any capability registers its filter
    with pytest.raises(ValidationFailed):
        entity_public_search(query="华联", credit_grade="A")
    search.register_filter("enrolled", lambda qs, value: qs.filter(region__code="150802"))
    assert found("华联", enrolled=True) == {"临河区华联超市", "临河区华联大酒店"}
    assert found("华联", enrolled=None) == {"临河区华联超市", "五原县华联生鲜超市", "临河区华联大酒店"}
    with pytest.raises(ValueError):
        search.register_filter("colour", lambda qs, value: qs)


def test_county_staff_do_not_find_other_counties_entities(shops, users):
    def staff_found(user, query):
        return set(entity_list(user=users[user], query=query).values_list("name", flat=True))

    assert staff_found("county_a", "华联") == {"临河区华联超市", "临河区华联大酒店"}
    assert staff_found("county_b", "华联") == {"五原县华联生鲜超市"}
    assert staff_found("county_a", "华联生鲜超市") == set()
    assert staff_found("county_a", shops["b_food"].uscc) == set()
    assert staff_found("merchant", "超市") == {"临河区华联超市"}


def test_portal_search_page_and_count(shops, client):
    response = client.get(reverse("portal:search"), {"q": "华联"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "共找到 3 家商家" in body and "五原县华联生鲜超市" in body


# --- index upkeep -----------------------------------------------------------------------------------------------

def test_rename_reindexes(shops):
    entity = shops["a_food"]
    entity_update(actor=Actor.system("test"), entity=entity, name="临河区万家福便民店")  # reindexes in its transaction
    assert "临河区华联超市" not in found("华联") | found("华联超市")
    assert found("万家福") == {"临河区万家福便民店"}
    assert found("福便") == {"临河区万家福便民店"}


def test_reindex_rewrites_only_what_changed(shops):
    entity = shops["phone"]
    before = set(EntitySearchToken.objects.filter(entity=entity).values_list("token", "field"))
    assert ("手机", SearchField.NAME) in before and ("胜利", SearchField.ADDRESS) in before
    assert ("临河", SearchField.BOTH) in before
    search.reindex_entities([entity.pk, entity.pk])
    assert set(EntitySearchToken.objects.filter(entity=entity).values_list("token", "field")) == before


def test_deleting_an_entity_leaves_no_index_rows(shops):
    entity = shops["hotel"]
    entity.delete()
    assert not EntitySearchDoc.objects.filter(pk=entity.pk).exists()
    assert not EntitySearchToken.objects.filter(entity_id=entity.pk).exists()
    assert found("大酒店") == set() and found("华联") == {"临河区华联超市", "五原县华联生鲜超市"}
    call_command("search_index", "check", verbosity=0)


def test_remove_entities_and_reindex_of_missing_ids(shops):
    entity = shops["ktv"]
    search.remove_entities([entity.pk])
    assert found("KTV") == set()
    search.reindex_entities([entity.pk, 10**9])
    assert found("KTV") == {"五原县金川KTV"}


# --- the management command -------------------------------------------------------------------------------------

def test_check_passes_then_detects_drift_and_rebuild_repairs(shops, capsys):
    call_command("search_index", "check", verbosity=0)
    assert "一致" in capsys.readouterr().out

    unindexed = make_entity(name="未索引的新商户")
    search.remove_entities([unindexed.pk])  # as if written without reindex_entities
    EntitySearchToken.objects.filter(entity=shops["phone"], token="手机").delete()
    EntitySearchDoc.objects.filter(pk=shops["ktv"].pk).update(name="别的名字")
    with pytest.raises(SystemExit) as exit_info:
        call_command("search_index", "check", verbosity=0)
    assert exit_info.value.code == 1
    out = capsys.readouterr().out
    assert unindexed.uscc in out and shops["phone"].uscc in out and shops["ktv"].uscc in out
    assert "3 处" in out

    call_command("search_index", "rebuild", verbosity=0)
    call_command("search_index", "check", verbosity=0)
    assert found("未索引") == {"未索引的新商户"} and found("手机") == {"临河区利民手机通讯店"}


def test_rebuild_of_an_empty_index_builds_in_bulk(shops):
    EntitySearchToken.objects.all().delete()
    EntitySearchDoc.objects.all().delete()
    assert found("华联") == set()
    assert search.rebuild_index(batch_size=3) == MarketEntity.objects.count()
    assert search.check_index().ok
    assert found("华联") == {"临河区华联超市", "五原县华联生鲜超市", "临河区华联大酒店"}
    assert found("临") == {e.name for e in shops.values() if "临" in e.name + e.address}
    with connection.cursor() as cursor:  # the entity_id index dropped for the bulk insert is back
        constraints = connection.introspection.get_constraints(cursor, EntitySearchToken._meta.db_table)
    assert any(info["columns"] == ["entity_id"] and info["index"] for info in constraints.values())
    search.reindex_entities([shops["ktv"].pk])  # and writes after a bulk build work as usual
    shops["ktv"].delete()
    assert search.check_index().ok


def test_check_detects_drift_in_the_vendor_specific_index(shops):
    """SQLite: a ghost row in the FTS5 table; PostgreSQL: a trigram document that no longer matches its entity."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:  # an FTS5 entry the doc table does not have
            cursor.execute(f"INSERT INTO {search.FTS_TABLE}(rowid, name, address) VALUES (%s, %s, %s)",
                           [10**9, "幽灵商户", ""])
        report = search.check_index()
        assert not report.ok and "FTS5" in report.problems[-1]
    else:
        with connection.cursor() as cursor:  # the pg_trgm-indexed text edited behind the service's back
            cursor.execute(f"UPDATE {search.EntitySearchDoc._meta.db_table} SET name = %s "
                           "WHERE entity_id = (SELECT MIN(entity_id) FROM "
                           f"{search.EntitySearchDoc._meta.db_table})", ["幽灵商户"])
        assert not search.check_index().ok
    search.rebuild_index()
    assert search.check_index().ok


# --- property: the index answers exactly what a substring scan answers ------------------------------------------

ALPHABET = "华联超市手机店临河区路街号KTV5"


def test_indexed_search_equals_substring_scan(reference):
    pool = [make_entity(name=f"池{i}", address="") for i in range(8)]
    ids = [e.pk for e in pool]
    text = st.text(alphabet=ALPHABET, min_size=1, max_size=12)

    @settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(rows=st.lists(st.tuples(text, st.text(alphabet=ALPHABET, max_size=14)), min_size=8, max_size=8),
           queries=st.lists(st.text(alphabet=ALPHABET, min_size=1, max_size=5), min_size=1, max_size=6))
    def check(rows, queries):
        for pk, (name, address) in zip(ids, rows, strict=True):
            MarketEntity.objects.filter(pk=pk).update(name=name, address=address)
        search.reindex_entities(ids)
        for query in queries:
            expected = {pk for pk, (name, address) in zip(ids, rows, strict=True) if query in name or query in address}
            got = set(entity_public_search(query=query).filter(pk__in=ids).values_list("pk", flat=True))
            assert got == expected, (query, rows)

    check()
