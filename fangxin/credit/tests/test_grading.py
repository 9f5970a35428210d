"""The grade as a pure function of ledger, model and date: hand-computed cases and properties."""

import copy
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fangxin.credit.choices import EventKind, ListKind
from fangxin.credit.grading import DEFAULT_RULES, GRADE_ORDER, InvalidRules, score, validate_rules

TODAY = date(2026, 12, 31)


@dataclass(frozen=True)
class Ev:
    kind: str
    occurred_on: date
    pk: int = 0


def aged(kind, days, pk=0):
    return Ev(kind, TODAY - timedelta(days=days), pk)


def fixture_events():
    return [
        aged("complaint_upheld", 0, 1),     # −3 × (365 − 0) / 365   = −3 × 1.0 = −3.00
        aged("penalty", 219, 2),            # −15 × (1095 − 219) / 1095 = −15 × 0.8 = −12.00
        aged("mediation_refused", 73, 3),   # −5 × (365 − 73) / 365  = −5 × 0.8 = −4.00
        aged("inspection_passed", 365, 4),  # +2 × (730 − 365) / 730 = +2 × 0.5 = +1.00
        aged("complaint_upheld", 365, 5),   # age 365 = window 365: expired, counts nothing
        aged("list_entered", 10, 6),        # 0 points: lists act through the caps, not through points
    ]


def test_hand_computed_fixture():
    grade, value, explanation = score(fixture_events(), DEFAULT_RULES, TODAY)
    # 100 − 3 − 12 − 4 + 1 = 82.00; 75 ≤ 82 < 90 → B
    assert value == Decimal("82.00") and grade == "B"
    assert [line["event_id"] for line in explanation["events"]] == [4, 2, 3, 1]  # oldest first
    penalty = next(line for line in explanation["events"] if line["kind"] == "penalty")
    assert penalty == {"event_id": 2, "kind": "penalty", "label": "行政处罚", "occurred_on": "2026-05-26",
                       "age_days": 219, "window_days": 1095, "points": "-15", "decay_factor": "0.8000",
                       "applied": "-12.00"}
    assert explanation["raw_score"] == "82.00" and explanation["grade_by_score"] == "B"
    assert explanation["list_caps"] == [] and explanation["grade_label"].startswith("B")


@pytest.mark.parametrize(("lists", "grade"), [
    ({ListKind.ABNORMAL}, "C"),   # 82 → B by score, the abnormal list caps it at C
    ({ListKind.SERIOUS}, "D"),    # serious list → D whatever the score
    ({ListKind.WARNING}, "B"),    # the warning list caps nothing
    ({ListKind.ABNORMAL, ListKind.SERIOUS}, "D"),
])
def test_list_caps(lists, grade):
    result = score(fixture_events(), DEFAULT_RULES, TODAY, lists=lists)
    assert result.grade == grade and result.score == Decimal("82.00")
    assert result.explanation["grade_by_score"] == "B"
    assert {cap["list"] for cap in result.explanation["list_caps"]} == {k for k in lists if k != "warning"}


def test_a_cap_never_improves_a_worse_grade():
    events = [aged("penalty", 0), aged("penalty", 0), aged("title_revoked", 0)]  # 100 − 15 − 15 − 10 = 60 → C
    assert score(events, DEFAULT_RULES, TODAY, lists={"abnormal"}).grade == "C"
    events.append(aged("complaint_upheld", 0))  # 57 → D; the abnormal cap (C) leaves D
    assert score(events, DEFAULT_RULES, TODAY, lists={"abnormal"}).grade == "D"


@pytest.mark.parametrize(("age", "expected"), [
    (0, "92.00"),     # −8 × 730/730 = −8
    (365, "96.00"),   # −8 × 365/730 = −4
    (547, "97.99"),   # −8 × 183/730 = −2.00548 → −2.01 (0.01, half up)
    (729, "99.99"),   # −8 × 1/730 = −0.01096 → −0.01
    (730, "100.00"),  # window of 730 days over: expired
    (-1, "100.00"),   # dated tomorrow: not happened yet, counts nothing
])
def test_linear_decay_and_window(age, expected):
    assert score([aged("inspection_failed", age)], DEFAULT_RULES, TODAY).score == Decimal(expected)


def test_thresholds_are_inclusive():
    assert score([aged("title_revoked", 0)], DEFAULT_RULES, TODAY).grade == "A"  # exactly 90.00
    # 90.00 − 0.01 (an inspection failure on its last day) = 89.99 → B
    assert score([aged("title_revoked", 0), aged("inspection_failed", 729)], DEFAULT_RULES, TODAY).grade == "B"
    assert score([aged("penalty", 0), aged("title_revoked", 0)], DEFAULT_RULES, TODAY).grade == "B"  # 75
    # 100 − 15 − 15 − 10 = 60 → C; one more complaint: 57 → D
    assert score([aged("penalty", 0)] * 2 + [aged("title_revoked", 0)], DEFAULT_RULES, TODAY).grade == "C"


def test_score_stays_within_floor_and_ceiling():
    low = score([aged("penalty", 0, n) for n in range(10)], DEFAULT_RULES, TODAY)
    assert low.score == Decimal("0.00") and low.explanation["raw_score"] == "-50.00" and low.grade == "D"
    high = score([aged("title_awarded", 0, n) for n in range(5)], DEFAULT_RULES, TODAY)
    assert high.score == Decimal("100.00") and high.explanation["raw_score"] == "125.00"


def test_deterministic_whatever_the_order():
    events = fixture_events()
    shuffled = events[:]
    random.Random(7).shuffle(shuffled)
    assert score(events, DEFAULT_RULES, TODAY) == score(shuffled, DEFAULT_RULES, TODAY)


def test_rules_are_data_and_are_checked():
    validate_rules(DEFAULT_RULES)
    stricter = copy.deepcopy(DEFAULT_RULES)
    stricter["kinds"]["complaint_upheld"] = {"points": -20, "window_days": 30}
    assert score([aged("complaint_upheld", 15)], stricter, TODAY).score == Decimal("90.00")  # −20 × 15/30
    for breakage in (
        lambda r: r["kinds"].pop("penalty"),
        lambda r: r["kinds"]["penalty"].update(window_days=0),
        lambda r: r.update(thresholds=[["A", 60], ["B", 75], ["C", 90]]),
        lambda r: r["list_caps"].update(serious="E"),
        lambda r: r.pop("base"),
    ):
        broken = copy.deepcopy(DEFAULT_RULES)
        breakage(broken)
        with pytest.raises(InvalidRules):
            validate_rules(broken)


KINDS = st.sampled_from(EventKind.values)
NEGATIVE = st.sampled_from([k for k, rule in DEFAULT_RULES["kinds"].items() if rule["points"] < 0])
EVENTS = st.lists(st.tuples(KINDS, st.integers(min_value=-30, max_value=1200)), max_size=25)
LISTS = st.sets(st.sampled_from(ListKind.values))


@settings(max_examples=300, deadline=None)
@given(events=EVENTS, extra=NEGATIVE, age=st.integers(min_value=-30, max_value=1200), lists=LISTS)
def test_a_negative_event_never_improves_the_grade(events, extra, age, lists):
    ledger = [aged(kind, days, n) for n, (kind, days) in enumerate(events)]
    before = score(ledger, DEFAULT_RULES, TODAY, lists=lists)
    after = score([*ledger, aged(extra, age, len(ledger))], DEFAULT_RULES, TODAY, lists=lists)
    assert after.score <= before.score
    assert GRADE_ORDER.index(after.grade) >= GRADE_ORDER.index(before.grade)
    for result in (before, after):
        assert Decimal("0") <= result.score <= Decimal("100")
