import pytest

from fangxin.triage.extract import extract, match_registry


def test_amounts_dates_orders_phones_and_business_names():
    text = ("2026年3月15日在临河区华联超市买了¥1,299.00的电饭煲，又花了2.5万元装修，3月20日退了299元，"
            "订单号2026031588881234，运单号YT8820260311，我的电话13812345678，打了12315和400-800-1234。")
    found = extract(text)
    assert [a["yuan"] for a in found.amounts] == ["1299.00", "25000.00", "299.00"]
    assert [d["date"] for d in found.dates] == ["2026-03-15", "--03-20"]
    assert found.order_numbers == ["2026031588881234", "YT8820260311"]
    assert {p["kind"] for p in found.phones} == {"mobile", "hotline"}
    assert "临河区华联超市" in found.business_names


def test_nothing_to_extract_from_nothing():
    assert extract("").as_dict() == {"amounts": [], "dates": [], "order_numbers": [], "phones": [], "business_names": []}


@pytest.mark.django_db
def test_candidates_are_matched_against_the_registry(users, entities):
    matches = match_registry(extract("在“临河区华联超市”买的牛奶过期了").business_names)
    assert matches and matches[0]["uscc"] == entities["a_food"].uscc
    # a county's staff only see their own county's entities
    assert match_registry(["五原县华联生鲜超市"], user=users["county_a"]) == []
    assert match_registry(["五原县华联生鲜超市"], user=users["county_b"])[0]["name"] == "五原县华联生鲜超市"
