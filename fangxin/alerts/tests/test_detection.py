"""The pure detectors: the Poisson tail, the surge test's properties, the scan over rows."""

import math
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from fangxin.alerts import backtest, detection
from fangxin.alerts.detection import Params, Prepaid, Row, detect, poisson_sf, surge_test

ON = date(2026, 11, 27)
P = Params()


def exact_sf(k: int, mu: float) -> float:
    return 1 - sum(math.exp(-mu) * mu ** i / math.factorial(i) for i in range(k))


def test_poisson_tail_matches_the_definition():
    for k, mu in [(0, 1.0), (1, 0.5), (3, 0.2333), (5, 2.0), (10, 12.0), (30, 25.0)]:
        assert math.isclose(poisson_sf(k, mu), exact_sf(k, mu), rel_tol=1e-9, abs_tol=1e-15)
    # far in the tail 1 − cdf would round to 0; the direct sum keeps it
    assert 0 < poisson_sf(40, 0.5) < 1e-50


def surge(observed, baseline=0, **overrides):
    values = dict(observed=observed, baseline_count=baseline, baseline_days=84, window_days=7, floor_per_30d=1.0,
                  min_count=3, p_threshold=0.001, min_ratio=2.0)
    values.update(overrides)
    return surge_test(**values)


def test_quiet_business_needs_four_complaints_in_a_week():
    assert not surge(3).alarm  # P(X ≥ 3 | 0.23) ≈ 0.0018
    result = surge(4)
    assert result.alarm and math.isclose(result.expected, 7 / 30) and result.p_value < 2e-4


def test_own_baseline_scales_with_size():
    # a big business with 3 complaints a week on average: 4 more is ordinary, 15 is a surge
    assert not surge(7, baseline=36).alarm
    assert surge(15, baseline=36).alarm


def test_min_ratio_holds_back_significant_but_small_rises():
    # 1,200 a week expected, 1,330 observed: p is tiny, the rise is only 11 %
    result = surge(1330, baseline=14400, min_ratio=2.0)
    assert result.p_value < 1e-3 and not result.alarm
    assert surge(1330, baseline=14400, min_ratio=1.1).alarm


counts = st.integers(min_value=0, max_value=200)


@settings(max_examples=300, deadline=None)
@given(observed=counts, extra=st.integers(min_value=0, max_value=50), baseline=counts)
def test_more_complaints_never_lower_the_alarm(observed, extra, baseline):
    low, high = surge(observed, baseline), surge(observed + extra, baseline)
    assert high.p_value <= low.p_value + 1e-12
    assert not (low.alarm and not high.alarm)


@settings(max_examples=300, deadline=None)
@given(observed=counts, baseline=counts, more=st.integers(min_value=0, max_value=100))
def test_a_higher_baseline_never_raises_the_alarm(observed, baseline, more):
    low, high = surge(observed, baseline + more), surge(observed, baseline)
    assert low.expected >= high.expected
    assert not (low.alarm and not high.alarm)


@settings(max_examples=200, deadline=None)
@given(observed=counts, baseline=counts,
       p=st.sampled_from([0.1, 0.01, 0.001, 0.0001]), ratio=st.sampled_from([1.0, 1.5, 2.0, 3.0]))
def test_an_alarm_always_meets_every_threshold(observed, baseline, p, ratio):
    result = surge(observed, baseline, p_threshold=p, min_ratio=ratio)
    if result.alarm:
        assert result.observed >= 3 and result.p_value <= p and result.observed >= ratio * result.expected
    assert 0.0 <= result.p_value <= 1.0


@given(st.lists(st.integers(min_value=0, max_value=400), max_size=60), st.integers(min_value=0, max_value=10))
def test_episodes_start_after_gaps(days, gap):
    starts = detection.episodes(days, gap)
    ordered = sorted(set(days))
    assert starts == [d for i, d in enumerate(ordered) if i == 0 or d - ordered[i - 1] > gap]


def rows_for(entity, per_day: dict[int, int], *, sector=1, county=10, problem=("quality",), text="买到假货"):
    rows, next_id = [], entity * 10_000
    for back, n in per_day.items():
        for _ in range(n):
            next_id += 1
            rows.append(Row(id=next_id, received_on=ON - timedelta(days=back), county=county, entity=entity,
                            sector=sector, problem_types=problem, text=text))
    return rows


def kinds(findings, subject=None):
    return sorted(f.kind for f in findings if subject is None or f.subject == subject)


def test_detect_finds_a_business_surge_and_a_mass_incident():
    rows = rows_for(1, {0: 3, 1: 2, 30: 1, 60: 1})  # 5 in two days, 2 in the previous 84
    findings = detect(rows, on=ON, params=P)
    assert kinds(findings, "entity:1") == ["entity_surge", "mass_incident"]
    mass = next(f for f in findings if f.kind == "mass_incident")
    assert mass.observed == 5 and mass.window_start == ON - timedelta(days=1) and len(mass.evidence) == 5


def test_mass_incident_threshold_and_hours_are_configurable():
    rows = rows_for(1, {0: 2, 1: 2, 2: 2})
    assert "mass_incident" not in kinds(detect(rows, on=ON, params=Params(mass_threshold=5)))
    assert "mass_incident" in kinds(detect(rows, on=ON, params=Params(mass_threshold=5, mass_hours=72)))
    assert "mass_incident" in kinds(detect(rows, on=ON, params=Params(mass_threshold=4)))


def test_steady_business_raises_nothing():
    rows = rows_for(1, {back: 1 for back in range(0, 91, 3)})  # one every three days, as always
    assert detect(rows, on=ON, params=P) == []


def test_group_and_problem_surges_across_businesses():
    rows = []
    for entity in range(1, 9):  # eight businesses with one complaint each this week, none before
        rows += rows_for(entity, {entity % 3: 1}, problem=("prepaid",))
    found = detect(rows, on=ON, params=P, problem_labels={"prepaid": "预付卡"})
    assert "group:1:10" in {f.subject for f in found}
    problem = next(f for f in found if f.subject == "problem:prepaid:10")
    assert problem.reasons[0].startswith("预付卡：近 7 日 8 件") and problem.problem_type == "prepaid"
    assert not any(f.kind == "entity_surge" for f in found)


def test_one_business_surge_is_not_repeated_as_its_sector_and_problem():
    rows = rows_for(1, {0: 4, 1: 4})
    for entity in range(2, 6):  # the sector's other businesses as usual: one a month each
        rows += rows_for(entity, {back: 1 for back in range(20, 91, 30)})
    found = detect(rows, on=ON, params=P)
    assert kinds(found) == ["entity_surge", "mass_incident"]
    # a second business surging at the same time makes it the sector's rise too
    rows += rows_for(2, {0: 4, 2: 4})
    assert "group_surge" in kinds(detect(rows, on=ON, params=P))


def test_rows_after_the_scan_day_are_ignored():
    rows = rows_for(1, {-1: 6})
    assert detect(rows, on=ON, params=P) == []


def test_prepaid_risk_needs_a_declaration_and_a_signal():
    quiet = rows_for(1, {3: 1, 10: 1}, problem=("prepaid",), text="办的年卡想退卡，商家推脱")
    declared = {1: Prepaid(entity=1, declared=True, custody="bank", label="储值卡")}
    found = detect(quiet, on=ON, params=P, prepaid=declared)
    risk = next(f for f in found if f.kind == "prepaid_risk")
    assert risk.severity == "medium" and risk.reasons[0] == "已申报预付卡：储值卡"
    # the same two complaints for a business that declared nothing: no closure words, no warning
    assert "prepaid_risk" not in kinds(detect(quiet, on=ON, params=P,
                                              prepaid={1: Prepaid(entity=1, declared=False)}))
    # one complaint with a closure word is enough, and it is severe
    closing = rows_for(1, {2: 1}, problem=("contract",), text="健身房突然关门，老板跑路，会员卡里还有两千元")
    for scheme in (Prepaid(entity=1, declared=False), Prepaid(entity=1, declared=True, custody="none")):
        risk = next(f for f in detect(closing, on=ON, params=P, prepaid={1: scheme}) if f.kind == "prepaid_risk")
        assert risk.severity == "high" and "“跑路”" in risk.reasons[-1] and "“关门”" in risk.reasons[-1]
    # businesses outside the prepaid sectors are not in the map: nothing
    assert "prepaid_risk" not in kinds(detect(closing, on=ON, params=P))


def test_closure_words_come_from_the_parameters():
    closing = rows_for(1, {2: 1}, problem=("prepaid",), text="门店挂出旺铺招租")
    scheme = {1: Prepaid(entity=1, declared=False)}
    assert "prepaid_risk" not in kinds(detect(closing, on=ON, params=P, prepaid=scheme))
    assert "prepaid_risk" in kinds(detect(closing, on=ON, params=Params(closure_words=("招租",)), prepaid=scheme))


def test_backtest_reports_detection_false_alarms_and_delay():
    reports = backtest.run(seed=7, months=3)
    entity, group, mass = reports
    assert entity.planted > 20 and entity.detection_rate > 0.9 and entity.median_delay is not None
    assert mass.detection_rate == 1.0
    assert 0 <= entity.false_per_month < 20 and group.planted > 0
    text = backtest.format_report(reports)
    assert "经营者激增" in text and "误报/月" in text


def city(rows_per_group: int, *, recent_factor: float, groups=range(2, 12)) -> list[Row]:
    """Ten other sectors in the county, each with `rows_per_group` complaints a week in the baseline and
    `recent_factor` times that in the last week."""
    rows, next_id = [], 900_000
    for sector in groups:
        for week in range(13):
            n = round(rows_per_group * (recent_factor if week == 0 else 1))
            for i in range(n):
                next_id += 1
                rows.append(Row(id=next_id, received_on=ON - timedelta(days=week * 7 + i % 7), county=10,
                                entity=None, sector=sector, problem_types=("contract",)))
    return rows


def test_a_city_wide_rise_is_not_a_sector_surge():
    # sector 1 goes from 2 a week to 10 a week, as everyone else rises fivefold (a seasonal peak)
    rows = city(6, recent_factor=5.0) + [
        Row(id=i, received_on=ON - timedelta(days=(i % 7) + 7 * (i // 100)), county=10, sector=1)
        for i in list(range(0, 10)) + [j for week in range(1, 13) for j in range(week * 100, week * 100 + 2)]]
    assert not [f for f in detect(rows, on=ON, params=P) if f.subject == "group:1:10"]
    assert [f for f in detect(rows, on=ON, params=Params(volume_adjust=False)) if f.subject == "group:1:10"]
    # when only sector 1 rises, the rest of the city is flat: a surge, reported with no adjustment
    flat = city(6, recent_factor=1.0) + [r for r in rows if r.sector == 1]
    found = [f for f in detect(flat, on=ON, params=P) if f.subject == "group:1:10"]
    assert found and "总体上升" not in found[0].reasons[0]


def test_volume_scale_leaves_out_thin_data_and_never_lowers():
    assert detection.volume_scale(rest_window=50, rest_baseline=99, window_days=7, baseline_days=84) == 1.0
    assert detection.volume_scale(rest_window=10, rest_baseline=840, window_days=7, baseline_days=84) == 1.0
    assert math.isclose(detection.volume_scale(rest_window=140, rest_baseline=840, window_days=7, baseline_days=84),
                        2.0)


def test_replay_counts_one_warning_per_episode():
    rows = rows_for(1, {20: 4, 19: 2, 60: 1}) + rows_for(2, {3: 5})
    report = backtest.replay(rows, first=ON - timedelta(days=30), last=ON, params=P)
    # business 1 alarms for a week from day −19 on: one warning, not seven; business 2 from day −3
    assert report.warnings == {"entity_surge": 2, "mass_incident": 2}
    assert math.isclose(report.months, 31 / 30)
