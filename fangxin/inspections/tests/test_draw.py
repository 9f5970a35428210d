"""fangxin-draw-v1 (DESIGN 5.5): known answers computed with hashlib here, independently of draw.py."""

import hashlib
import json

import pytest

from fangxin.inspections import draw

SECRET = "0123456789abcdef" * 4
PLAN = {"id": "plan-1", "name": "2026 年第四季度食品经营抽查", "ratios": {"A": "0.5", "B": "1"}, "team_size": 2}
FROZEN = "2026-11-27T09:00:00+08:00"
PUBLISHED = "2026-11-27T09:00:05+08:00"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def inspector(code, regions, active=True, conflicts=()):
    return {"code": code, "department": "amr", "regions": list(regions), "active": active, "conflicts": list(conflicts)}


# ---------------------------------------------------------------- the hashes


def test_population_hash_is_over_sorted_lines_in_stratum_order_without_a_trailing_newline():
    strata = {"B": ["U3", "U1"], "A": ["U2"], "C": []}
    assert draw.population_sha256(strata) == sha(b"A:U2\nB:U1,U3\nC:")


def test_population_hash_of_one_stratum_all():
    assert draw.population_sha256({"all": ["91150802X", "91150821Y"]}) == sha(b"all:91150802X,91150821Y")


def test_commitment_is_the_hash_of_the_secrets_hex_text():
    assert draw.commitment_sha256(SECRET) == sha(b"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")


def test_a_new_secret_is_64_lowercase_hex_characters_and_never_repeats():
    first, second = draw.new_server_secret(), draw.new_server_secret()
    assert draw.SECRET_PATTERN.fullmatch(first) and first != second


def test_seed_joins_secret_and_entropy_with_a_bar_in_utf8():
    # "骰子 3-5 见证人" in UTF-8.
    entropy_bytes = b"\xe9\xaa\xb0\xe5\xad\x90 3-5 \xe8\xa7\x81\xe8\xaf\x81\xe4\xba\xba"
    expected = sha(SECRET.encode("ascii") + b"|" + entropy_bytes)
    assert draw.seed_of(SECRET, "骰子 3-5 见证人") == expected


def test_ticket_joins_seed_and_uscc_with_a_bar():
    seed = "ab" * 32
    assert draw.ticket(seed, "91150802MA0N000001") == sha(b"ab" * 32 + b"|91150802MA0N000001")


# ---------------------------------------------------------------- quota


@pytest.mark.parametrize(("n", "ratio", "k"), [
    (100, "0.03", 3),  # 100 * 0.03 is 3.0000000000000004 in floats: a float ceil would give 4
    (101, "0.03", 4),
    (0, "0.5", 0),
    (5, "0", 0),
    (5, "0.0", 0),
    (5, "1", 5),
    (7, "1.00", 7),
    (1, "0.0000001", 1),
    (1_000_000, "0.05", 50_000),
    (1_000_001, "0.05", 50_001),
    (3, "0.333333333333333333333333333333333", 1),  # beyond Decimal's default 28 digits: still exact
])
def test_quota_is_an_exact_ceiling(n, ratio, k):
    assert draw.quota(n, ratio) == k


@pytest.mark.parametrize("ratio", ["1.5", "-0.1", "1.0000001", "abc", "", " 0.03", "0.03 ", "1e-2", ".5", "NaN",
                                   "Infinity", "0,03", "3%", 0.03, 1, None])
def test_quota_refuses_bad_ratios_in_chinese(ratio):
    with pytest.raises(ValueError, match="抽查比例"):
        draw.quota(10, ratio)


def test_ratios_outside_zero_to_one_say_so():
    with pytest.raises(ValueError, match="超出 0 到 1 的范围"):
        draw.quota(10, "1.01")


@pytest.mark.parametrize("n", [-1, 1.5, True, "10"])
def test_quota_refuses_a_bad_population_size(n):
    with pytest.raises(ValueError, match="总体数量"):
        draw.quota(n, "0.1")


# ---------------------------------------------------------------- selection


def test_select_takes_the_k_smallest_tickets_per_stratum_merged_in_ticket_order():
    seed = draw.seed_of(SECRET, "42")
    strata = {"A": [f"A{i:02d}" for i in range(20)], "B": [f"B{i:02d}" for i in range(10)]}
    selected = draw.select(seed, strata, {"A": "0.1", "B": "0.25"})
    by_ticket = {name: sorted(usccs, key=lambda u: sha(f"{seed}|{u}".encode())) for name, usccs in strata.items()}
    expected = by_ticket["A"][:2] + by_ticket["B"][:3]
    assert sorted(entry["uscc"] for entry in selected) == sorted(expected)
    tickets = [entry["ticket"] for entry in selected]
    assert tickets == sorted(tickets)
    assert all(entry["ticket"] == sha(f"{seed}|{entry['uscc']}".encode()) for entry in selected)
    assert {entry["uscc"][0] for entry in selected} == {"A", "B"}
    assert all(entry["stratum"] == entry["uscc"][0] for entry in selected)


def test_ties_between_equal_tickets_go_by_uscc(monkeypatch):
    monkeypatch.setattr(draw, "_ticket_digests", lambda seed, usccs: [b"\x00" * 32] * len(usccs))
    selected = draw.select("seed", {"A": ["U4", "U2", "U9", "U1"], "B": ["U3", "U0"]}, {"A": "0.5", "B": "0.5"})
    assert [entry["uscc"] for entry in selected] == ["U0", "U1", "U2"]


def test_a_stratum_without_a_ratio_is_refused():
    with pytest.raises(ValueError, match="没有抽查比例"):
        draw.select("seed", {"A": ["U1"], "X": ["U2"]}, {"A": "0.5"})


# ---------------------------------------------------------------- coverage


@pytest.mark.parametrize(("region", "county", "covered"), [
    ("150800", "150802", True),
    ("150000", "150821", True),
    ("150802", "150802", True),
    ("150802", "150821", False),
    ("150800", "150902", False),
    ("150000", "160102", False),
    ("000000", "150821", True),
])
def test_a_region_covers_the_counties_under_it(region, county, covered):
    assert draw.covers(region, county) is covered


def test_only_trailing_zero_pairs_are_stripped():
    assert draw.region_prefix("150800") == "1508"
    assert draw.region_prefix("150000") == "15"
    assert draw.region_prefix("105000") == "1050"
    assert draw.region_prefix("150080") == "150080"


# ---------------------------------------------------------------- assignment


def selected_of(*usccs):
    return [{"uscc": uscc} for uscc in usccs]


def test_the_team_is_the_eligible_inspectors_with_the_smallest_hashes_at_first():
    seed = "cd" * 32
    inspectors = [inspector(code, ["150802"]) for code in ("I1", "I2", "I3", "I4")]
    [result] = draw.assign(seed, selected_of("U1"), {"U1": {"county": "150802"}}, inspectors, [], 2)
    ranked = sorted(["I1", "I2", "I3", "I4"], key=lambda code: sha(f"{seed}|U1|{code}".encode()))
    assert result == {"uscc": "U1", "inspectors": ranked[:2], "unassigned_reason": None}


def test_load_balance_comes_before_the_hash():
    seed = "ef" * 32
    usccs = [f"U{i:02d}" for i in range(10)]
    inspectors = [inspector(code, ["150800"]) for code in ("I1", "I2", "I3", "I4")]
    results = draw.assign(seed, selected_of(*usccs), {u: {"county": "150821"} for u in usccs}, inspectors, [], 2)
    counts = dict.fromkeys(("I1", "I2", "I3", "I4"), 0)
    for index, result in enumerate(results):
        for code in result["inspectors"]:
            counts[code] += 1
        if index % 2 == 1:  # every second entity the four inspectors have worked equally often
            assert len(set(counts.values())) == 1
    assert counts == dict.fromkeys(("I1", "I2", "I3", "I4"), 5)
    # The second entity goes to the two inspectors the first one did not take.
    assert set(results[0]["inspectors"]).isdisjoint(results[1]["inspectors"])


def test_conflicts_exclusions_inactive_and_foreign_inspectors_are_never_assigned():
    seed = "01" * 32
    usccs = [f"U{i:02d}" for i in range(30)]
    inspectors = [
        inspector("conflicted", ["150802"], conflicts=["U00", "U01"]),
        inspector("inactive", ["150802"], active=False),
        inspector("elsewhere", ["150821"]),
        inspector("city", ["150800"]),
        inspector("county", ["150802"]),
        inspector("excluded", ["150802"]),
    ]
    exclusions = [{"inspector": "excluded", "uscc": "U00"}, {"inspector": "excluded", "uscc": "U02"}]
    results = draw.assign(seed, selected_of(*usccs), {u: {"county": "150802"} for u in usccs}, inspectors,
                          exclusions, 2)
    for result in results:
        assert len(result["inspectors"]) == 2
        assert "inactive" not in result["inspectors"] and "elsewhere" not in result["inspectors"]
    assert "conflicted" not in results[0]["inspectors"] + results[1]["inspectors"]
    assert "excluded" not in results[0]["inspectors"] + results[2]["inspectors"]
    # U00 has only city and county left.
    assert set(results[0]["inspectors"]) == {"city", "county"}
    assert {code for result in results for code in result["inspectors"]} == {"conflicted", "city", "county", "excluded"}


def test_too_few_eligible_inspectors_leave_the_business_unassigned_with_the_reason():
    inspectors = [inspector("I1", ["150802"], conflicts=["U1"]), inspector("I2", ["150800"]),
                  inspector("I3", ["150802"], active=False), inspector("I4", ["150802"])]
    exclusions = [{"inspector": "I4", "uscc": "U1"}]
    entities = {"U1": {"county": "150802"}, "U2": {"county": "150821"}, "U3": {"county": "150999"}}
    one, two, three = draw.assign("seed", selected_of("U1", "U2", "U3"), entities, inspectors, exclusions, 2)
    assert one["inspectors"] == [] and two["inspectors"] == [] and three["inspectors"] == []
    assert one["unassigned_reason"] == ("符合条件的检查人员只有 1 名，少于每组 2 名（覆盖县区 150802 的检查人员共 4 名，"
                                        "其中已停用 1 名、与该企业有利益冲突 1 名、按回避规则排除 1 名）")
    assert two["unassigned_reason"] == "符合条件的检查人员只有 1 名，少于每组 2 名（覆盖县区 150821 的检查人员共 1 名）"
    assert three["unassigned_reason"] == "没有覆盖县区 150999 的检查人员，无法组成 2 人检查组"
    [unknown] = draw.assign("seed", selected_of("U8"), {}, inspectors, [], 2)
    assert unknown["inspectors"] == [] and "县区代码" in unknown["unassigned_reason"]


def test_an_unassigned_business_does_not_count_towards_the_load():
    inspectors = [inspector("I1", ["150802"]), inspector("I2", ["150802"], conflicts=["U1"])]
    entities = {"U1": {"county": "150802"}, "U2": {"county": "150802"}}
    first, second = draw.assign("seed", selected_of("U1", "U2"), entities, inspectors, [], 2)
    assert first["inspectors"] == [] and first["unassigned_reason"]
    assert sorted(second["inspectors"]) == ["I1", "I2"]


# ---------------------------------------------------------------- the record


def small_record(**overrides):
    arguments = {
        "plan": PLAN,
        "strata": {"A": ["91150802A", "91150802B", "91150821C", "91150821D"], "B": ["91150821E", "91150802F"]},
        "entities": {uscc: {"county": uscc[2:8]} for uscc in
                     ("91150802A", "91150802B", "91150821C", "91150821D", "91150821E", "91150802F")},
        "inspectors": [inspector("I1", ["150800"]), inspector("I2", ["150802"], conflicts=["91150802A"]),
                       inspector("I3", ["150821"]), inspector("I4", ["150000"], active=False)],
        "exclusions": [{"inspector": "I3", "uscc": "91150821C"}],
        "public_entropy": "见证人甲 3 5 1 6；见证人乙 2 2 4 6",
        "server_secret": SECRET,
        "frozen_at": FROZEN,
        "published_at": PUBLISHED,
    }
    arguments.update(overrides)
    return draw.build_record(**arguments)


def test_the_record_has_exactly_the_shape_of_design_5_5():
    record = small_record()
    assert list(record) == ["algorithm", "plan", "population", "entities", "commitment", "public_entropy",
                            "server_secret", "seed", "inspectors", "exclusions", "selected", "assignments"]
    assert record["algorithm"] == "fangxin-draw-v1"
    assert list(record["population"]) == ["strata", "sha256", "frozen_at"]
    assert list(record["commitment"]) == ["sha256", "published_at"]
    assert list(record["inspectors"][0]) == ["code", "department", "regions", "active", "conflicts"]
    assert record["population"]["sha256"] == sha(
        b"A:91150802A,91150802B,91150821C,91150821D\nB:91150802F,91150821E")
    assert record["commitment"] == {"sha256": sha(SECRET.encode()), "published_at": PUBLISHED}
    assert record["seed"] == sha(f"{SECRET}|见证人甲 3 5 1 6；见证人乙 2 2 4 6".encode())
    assert len(record["selected"]) == 2 + 2
    assert [a["uscc"] for a in record["assignments"]] == [s["uscc"] for s in record["selected"]]
    assert set(record["selected"][0]) == {"uscc", "stratum", "ticket"}
    assert set(record["assignments"][0]) == {"uscc", "inspectors", "unassigned_reason"}
    json.dumps(record)  # plain JSON types only
    assert draw.verify(record) == []
    assert draw.verify(json.loads(json.dumps(record, ensure_ascii=False))) == []


@pytest.mark.parametrize(("overrides", "message"), [
    ({"plan": {**PLAN, "ratios": {"A": "1.5", "B": "1"}}}, "超出 0 到 1"),
    ({"plan": {**PLAN, "ratios": {"A": "0.5"}}}, "没有抽查比例"),
    ({"plan": {**PLAN, "team_size": 0}}, "team_size"),
    ({"strata": {"A": ["U1"], "B": ["U1"]}}, "重复"),
    ({"public_entropy": "  "}, "public_entropy"),
    ({"server_secret": "ABC"}, "server_secret"),
    ({"frozen_at": "yesterday"}, "frozen_at"),
    ({"inspectors": [inspector("I1", ["150800"]), inspector("I1", ["150802"])]}, "I1 重复"),
])
def test_build_record_refuses_bad_input_in_chinese(overrides, message):
    with pytest.raises(ValueError, match=message):
        small_record(**overrides)


def test_verify_names_a_changed_team():
    record = small_record()
    assigned = next(entry for entry in record["assignments"] if entry["inspectors"])
    assigned["inspectors"] = list(reversed(assigned["inspectors"]))
    [difference] = draw.verify(record)
    assert difference.startswith("assignments[") and "不符" in difference


def test_verify_names_a_changed_population_hash_first():
    record = small_record()
    record["population"]["sha256"] = "0" * 64
    assert draw.verify(record)[0].startswith("population.sha256 不符：记录为 \"000")


def test_extra_keys_are_ignored():
    record = small_record()
    record["note"] = "公示于 2026-11-27"
    record["selected"][0]["name"] = "临河区华联超市"
    record["plan"]["departments"] = ["amr", "fda"]
    assert draw.verify(record) == []


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda r: r.pop("server_secret"), "缺少 server_secret"),
    (lambda r: r.update(algorithm="fangxin-draw-v2"), "不支持的抽签算法"),
    (lambda r: r.pop("algorithm"), "不支持的抽签算法"),
    (lambda r: r.update(plan=[]), "plan 应为对象"),
    (lambda r: r["plan"].pop("ratios"), "plan.ratios"),
    (lambda r: r["plan"].update(team_size="2"), "team_size"),
    (lambda r: r["plan"].update(team_size=True), "team_size"),
    (lambda r: r["population"].update(strata=["A"]), "population.strata"),
    (lambda r: r["population"]["strata"]["A"].append(7), "population.strata"),
    (lambda r: r.update(population="x"), "population 应为对象"),
    (lambda r: r.update(entities=[]), "entities"),
    (lambda r: r["entities"].update(x={"county": 150802}), "entities"),
    (lambda r: r.update(commitment=None), "commitment 应为对象"),
    (lambda r: r.update(public_entropy=12), "public_entropy"),
    (lambda r: r.update(inspectors={}), "inspectors 应为列表"),
    (lambda r: r["inspectors"].append("I9"), "inspectors[4] 应为对象"),
    (lambda r: r["inspectors"][0].pop("active"), "inspectors[0].active"),
    (lambda r: r["inspectors"][0].update(regions="150800"), "inspectors[0].regions"),
    (lambda r: r["inspectors"][1].pop("conflicts"), "inspectors[1].conflicts"),
    (lambda r: r.update(exclusions=[["I1", "U1"]]), "exclusions"),
    (lambda r: r.pop("selected"), "缺少 selected"),
    (lambda r: r.update(assignments={}), "assignments 应为列表"),
    (lambda r: r["selected"].__setitem__(0, "x"), "selected[0] 不符"),
    (lambda r: r["selected"].pop(), "selected 共 3 项，按输入重新计算应为 4 项"),
    (lambda r: r["assignments"].append({"uscc": "x"}), "assignments 共 5 项"),
    (lambda r: r["population"].pop("sha256"), "population.sha256 不符：记录为 null"),
])
def test_a_malformed_record_gives_a_clear_difference_never_a_traceback(mutate, message):
    record = small_record()
    mutate(record)
    differences = draw.verify(record)
    assert differences and all(isinstance(item, str) for item in differences)
    assert any(message in item for item in differences), differences


@pytest.mark.parametrize("record", [None, [], "fangxin-draw-v1", 3, {}, {"algorithm": "fangxin-draw-v1"}])
def test_not_a_record_at_all(record):
    differences = draw.verify(record)
    assert differences and all(isinstance(item, str) for item in differences)
