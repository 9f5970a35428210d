"""Property tests: every honest record verifies; every single tampering is caught; nothing malformed raises."""

import copy
import hashlib
import json

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from fangxin.inspections import draw

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
COUNTIES = ("150802", "150821", "150822", "150823")
REGIONS = ("150800", "150802", "150821", "150822", "150823", "150000", "160100")
RATIOS = ("0", "0.03", "0.1", "0.25", "0.5", "0.75", "0.999", "1")

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def draw_inputs(draw_):
    usccs = draw_(st.lists(st.text(USCC_ALPHABET, min_size=18, max_size=18), min_size=1, max_size=40, unique=True))
    names = draw_(st.sampled_from([("all",), ("A", "B", "C", "D"), ("A", "C")]))
    strata: dict[str, list[str]] = {}
    for uscc in usccs:
        strata.setdefault(draw_(st.sampled_from(names)), []).append(uscc)
    ratios = {name: draw_(st.sampled_from(RATIOS)) for name in names}
    entities = {uscc: {"county": draw_(st.sampled_from(COUNTIES))} for uscc in usccs}
    inspectors = []
    for index in range(draw_(st.integers(0, 8))):
        inspectors.append({
            "code": f"I{index:03d}",
            "department": draw_(st.sampled_from(["amr", "fda", "cca"])),
            "regions": draw_(st.lists(st.sampled_from(REGIONS), min_size=0, max_size=2)),
            "active": draw_(st.booleans()),
            "conflicts": draw_(st.lists(st.sampled_from(usccs), max_size=3)),
        })
    exclusions = []
    if inspectors:
        exclusions = draw_(st.lists(st.builds(lambda i, u: {"inspector": i["code"], "uscc": u},
                                              st.sampled_from(inspectors), st.sampled_from(usccs)), max_size=5))
    return {
        "plan": {"id": "p1", "name": "抽查计划", "ratios": ratios, "team_size": draw_(st.integers(1, 3))},
        "strata": strata,
        "entities": entities,
        "inspectors": inspectors,
        "exclusions": exclusions,
        "public_entropy": draw_(st.text(min_size=1, max_size=20).filter(str.strip)),
        "server_secret": draw_(st.binary(min_size=32, max_size=32)).hex(),
        "frozen_at": "2026-11-27T09:00:00+08:00",
        "published_at": "2026-11-27T09:00:01+08:00",
    }


@SETTINGS
@given(draw_inputs())
def test_an_honest_record_verifies_also_after_a_json_round_trip(inputs):
    before = copy.deepcopy(inputs)
    record = draw.build_record(**inputs)
    assert draw.verify(record) == []
    assert draw.verify(json.loads(json.dumps(record, ensure_ascii=False))) == []
    assert inputs == before  # the inputs were not changed
    population = {u for usccs in inputs["strata"].values() for u in usccs}
    assert [a["uscc"] for a in record["assignments"]] == [s["uscc"] for s in record["selected"]]
    assert {s["uscc"] for s in record["selected"]} <= population
    for assignment in record["assignments"]:
        team = assignment["inspectors"]
        assert (len(team) == inputs["plan"]["team_size"]) != bool(assignment["unassigned_reason"])
        assert len(set(team)) == len(team)


@SETTINGS
@given(draw_inputs(), st.data())
def test_swapping_a_selected_business_for_an_unselected_one_is_caught(inputs, data):
    record = draw.build_record(**inputs)
    chosen = {entry["uscc"] for entry in record["selected"]}
    others = [u for usccs in record["population"]["strata"].values() for u in usccs if u not in chosen]
    assume(record["selected"] and others)
    index = data.draw(st.integers(0, len(record["selected"]) - 1))
    replacement = data.draw(st.sampled_from(others))
    old = record["selected"][index]["uscc"]
    # A careful forger: the new entry carries its true ticket, the list is re-sorted, the team follows it.
    record["selected"][index] = {"uscc": replacement, "stratum": record["selected"][index]["stratum"],
                                 "ticket": draw.ticket(record["seed"], replacement)}
    record["selected"].sort(key=lambda entry: (entry["ticket"], entry["uscc"]))
    for assignment in record["assignments"]:
        if assignment["uscc"] == old:
            assignment["uscc"] = replacement
    assert draw.verify(record)


@SETTINGS
@given(draw_inputs(), st.data())
def test_removing_a_population_entry_is_caught(inputs, data):
    record = draw.build_record(**inputs)
    name = data.draw(st.sampled_from(sorted(n for n, usccs in record["population"]["strata"].items() if usccs)))
    usccs = record["population"]["strata"][name]
    usccs.pop(data.draw(st.integers(0, len(usccs) - 1)))
    assert draw.verify(record)


@SETTINGS
@given(draw_inputs(), st.binary(min_size=32, max_size=32))
def test_changing_the_server_secret_is_caught(inputs, other):
    record = draw.build_record(**inputs)
    assume(other.hex() != record["server_secret"])
    record["server_secret"] = other.hex()
    differences = draw.verify(record)
    assert differences and differences[0].startswith("commitment.sha256 不符")


@SETTINGS
@given(draw_inputs(), st.text(min_size=1, max_size=20).filter(str.strip))
def test_changing_the_entropy_is_caught(inputs, entropy):
    record = draw.build_record(**inputs)
    assume(entropy != record["public_entropy"])
    record["public_entropy"] = entropy
    differences = draw.verify(record)
    assert differences and differences[0].startswith("seed 不符")


@SETTINGS
@given(draw_inputs(), st.data())
def test_reordering_the_assignments_is_caught(inputs, data):
    record = draw.build_record(**inputs)
    assume(len(record["assignments"]) >= 2)
    first = data.draw(st.integers(0, len(record["assignments"]) - 2))
    second = data.draw(st.integers(first + 1, len(record["assignments"]) - 1))
    assignments = record["assignments"]
    assignments[first], assignments[second] = assignments[second], assignments[first]
    assert draw.verify(record)


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
                    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=3), children,
                                                                                       max_size=3), max_leaves=8)


@SETTINGS
@given(draw_inputs(), st.data(), JSON)
def test_replacing_any_value_with_arbitrary_json_never_raises(inputs, data, junk):
    record = draw.build_record(**inputs)
    paths = []

    def walk(value, path):
        paths.append(path)
        if isinstance(value, dict):
            for key, child in value.items():
                walk(child, (*path, key))
        elif isinstance(value, list):
            for index, child in enumerate(value[:3]):
                walk(child, (*path, index))

    walk(record, ())
    path = data.draw(st.sampled_from(paths[1:]))
    target = record
    for step in path[:-1]:
        target = target[step]
    original = target[path[-1]]
    target[path[-1]] = junk
    differences = draw.verify(record)
    assert isinstance(differences, list) and all(isinstance(item, str) for item in differences)
    if junk != original and path[0] in ("seed", "selected", "assignments") and len(path) <= 2:
        assert differences


def naive_teams(record) -> list[list[str]]:
    """DESIGN 5.5 step 5 written out literally: every eligible inspector sorted by (count, hash), no shortcuts."""
    seed, team_size = record["seed"], record["plan"]["team_size"]
    excluded = {(item["inspector"], item["uscc"]) for item in record["exclusions"]}
    counts = {inspector["code"]: 0 for inspector in record["inspectors"]}
    teams = []
    for entry in record["selected"]:
        uscc, county = entry["uscc"], record["entities"][entry["uscc"]]["county"]
        eligible = [i["code"] for i in record["inspectors"]
                    if i["active"] and any(draw.covers(region, county) for region in i["regions"])
                    and uscc not in i["conflicts"] and (i["code"], uscc) not in excluded]
        eligible.sort(key=lambda code: (counts[code], hashlib.sha256(f"{seed}|{uscc}|{code}".encode()).hexdigest()))
        team = eligible[:team_size] if len(eligible) >= team_size else []
        for code in team:
            counts[code] += 1
        teams.append(team)
    return teams


@SETTINGS
@given(draw_inputs())
def test_the_bucketed_assignment_equals_the_literal_full_sort(inputs):
    record = draw.build_record(**inputs)
    assert [assignment["inspectors"] for assignment in record["assignments"]] == naive_teams(record)
