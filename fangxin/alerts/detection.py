"""Early-warning detectors (issue 8 item 3): pure functions over complaint rows, no database.

The daily scan (`services.scan`) loads the recent complaints, turns them into `Row`s and calls `detect`; the
backtest (`bench/alerts_backtest.py`) feeds the same `surge_test` synthetic daily counts. The method is written
up in docs/alerts.md; in short:

* Surge (per business, per sector × county, per problem type × county): the count in the last `window_days`
  days (ending on the scan day) against a Poisson expectation from the subject's own rate in the
  `baseline_days` days before the window. The rate has a floor (a business with no history is treated as
  having `entity_floor_per_30d` complaints a month), so the first complaints of a quiet business are not an
  alarm; a large business has a large own rate, so its expectation scales with its size. An alarm needs all
  three: at least `min_count` complaints, an upper-tail p-value P(X ≥ observed | expected) ≤ `p_threshold`,
  and observed ≥ `min_ratio` × expected (a practically relevant rise, not only a significant one). A group
  (sector × county, problem type × county) is not warned about when its rise disappears without its largest
  contributor: that is one business's surge, and the business's own warning covers it. When the rest of the
  city's complaints rose too (a seasonal peak, a new intake channel), the expectation is scaled up by that
  rise (`volume_scale`), so only a rise beyond everyone else's is a surge.
* Mass incident: at least `mass_threshold` complaints against one business received within `mass_hours`
  hours (counted in whole receipt days: 48 hours = the scan day and the day before).
* Prepaid-card risk (beauty/fitness/education): a declared prepaid scheme plus rising prepaid complaints
  (≥ `prepaid_min_count` in `prepaid_window_days` days and p ≤ 0.05 against the business's own prepaid rate)
  or closure words (跑路, 关门 …) in a recent complaint; a business that declared nothing but draws
  prepaid complaints with closure words is warned about too (nobody knows where the money is).
"""

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

KIND_ENTITY = "entity_surge"
KIND_GROUP = "group_surge"
KIND_PROBLEM = "problem_surge"
KIND_MASS = "mass_incident"
KIND_PREPAID = "prepaid_risk"

HIGH, MEDIUM = "high", "medium"

DEFAULT_CLOSURE_WORDS = ("跑路", "关门", "停业", "联系不上", "转让", "人去楼空", "倒闭", "卷款", "闭店", "停课",
                         "找不到人", "电话打不通")
PREPAID_WORDS = ("预付", "办卡", "储值", "会员卡", "充值", "次卡", "年卡", "课时", "退卡")
PREPAID_RISING_P = 0.05  # the prepaid rise is a second signal beside the declaration: a looser test is enough
# Floor of a business's prepaid-complaint rate: prepaid disputes are a fraction of its complaints, so the
# floor is a quarter of the business floor's default; with it two prepaid complaints in 30 days are a rise.
PREPAID_FLOOR_PER_30D = 0.25
EVIDENCE_LIMIT = 50
MIN_REST_BASELINE = 100  # complaints the rest of the city needs in the baseline before its trend is used


@dataclass(frozen=True)
class Params:
    window_days: int = 7
    baseline_days: int = 84
    p_threshold: float = 0.001
    min_ratio: float = 2.0
    entity_min_count: int = 3
    entity_floor_per_30d: float = 1.0
    group_min_count: int = 5
    group_floor_per_30d: float = 3.0
    mass_threshold: int = 5
    mass_hours: int = 48
    prepaid_window_days: int = 30
    prepaid_min_count: int = 2
    closure_words: tuple[str, ...] = DEFAULT_CLOSURE_WORDS
    volume_adjust: bool = True  # scale expectations by the rest of the city's rise (volume_scale)

    @property
    def mass_days(self) -> int:
        return max(1, math.ceil(self.mass_hours / 24))

    @property
    def history_days(self) -> int:
        """How far back the scan must read: the window, its baseline, and the prepaid look-back."""
        return max(self.window_days + self.baseline_days, self.prepaid_window_days + self.baseline_days,
                   self.mass_days)


# --- the Poisson test ------------------------------------------------------------------------------------------

def poisson_sf(k: int, mu: float) -> float:
    """P(X ≥ k) for X ~ Poisson(mu), accurate in the far upper tail (summed there, not 1 − cdf)."""
    if k <= 0:
        return 1.0
    if mu <= 0:
        return 0.0
    log_pmf = -mu + k * math.log(mu) - math.lgamma(k + 1)
    if k > mu:
        total, term, i = 0.0, math.exp(log_pmf), k
        while term > 0 and term > total * 1e-17:
            total += term
            i += 1
            term *= mu / i
        return min(1.0, total)
    cdf, term = 0.0, math.exp(-mu)
    for i in range(k):
        cdf += term
        term *= mu / (i + 1)
    return max(0.0, 1.0 - cdf)


@dataclass(frozen=True)
class SurgeResult:
    observed: int
    expected: float
    p_value: float
    alarm: bool

    @property
    def ratio(self) -> float:
        return self.observed / self.expected if self.expected > 0 else math.inf


def surge_test(*, observed: int, baseline_count: int, baseline_days: int, window_days: int, floor_per_30d: float,
               min_count: int, p_threshold: float, min_ratio: float, scale: float = 1.0) -> SurgeResult:
    """The window's count against the subject's own baseline rate (with a floor), scaled to the window and by
    `scale` (the rise of everyone else's complaints, see `volume_scale`)."""
    rate = baseline_count / baseline_days if baseline_days > 0 else 0.0
    expected = max(rate, floor_per_30d / 30.0) * window_days * max(1.0, scale)
    p_value = poisson_sf(observed, expected)
    alarm = observed >= min_count and p_value <= p_threshold and observed >= min_ratio * expected
    return SurgeResult(observed=observed, expected=expected, p_value=p_value, alarm=alarm)


def series_test(counts: Sequence[int], day: int, params: Params, *, group: bool = False) -> SurgeResult:
    """surge_test on a daily count series at index `day` (the window ends on it; the baseline is the
    `baseline_days` days before the window, fewer at the start of the series)."""
    start = day - params.window_days + 1
    base_start = max(0, start - params.baseline_days)
    observed = sum(counts[max(0, start):day + 1])
    return surge_test(observed=observed, baseline_count=sum(counts[base_start:max(0, start)]),
                      baseline_days=max(0, start) - base_start, window_days=params.window_days,
                      **_thresholds(params, group))


def _thresholds(params: Params, group: bool) -> dict:
    return {"floor_per_30d": params.group_floor_per_30d if group else params.entity_floor_per_30d,
            "min_count": params.group_min_count if group else params.entity_min_count,
            "p_threshold": params.p_threshold, "min_ratio": params.min_ratio}


def volume_scale(*, rest_window: int, rest_baseline: int, window_days: int, baseline_days: int) -> float:
    """How much everyone else's complaints rose: (their daily rate in the window) ÷ (in the baseline), at least
    1. A rise that every subject shares — a seasonal peak such as 3·15, a new intake channel, a publicity
    campaign — is then not a rise of this subject. Everyone else means the city without the subject, so a
    subject's own surge never hides itself; with fewer than MIN_REST_BASELINE complaints in their baseline the
    comparison is too noisy and the scale is 1."""
    if rest_baseline < MIN_REST_BASELINE or baseline_days <= 0 or window_days <= 0:
        return 1.0
    return max(1.0, (rest_window / window_days) / (rest_baseline / baseline_days))


def episodes(alarm_days: Iterable[int], gap: int) -> list[int]:
    """The first day of each alarm episode: a new warning only when the previous alarm is more than `gap`
    days back (the scan keeps refreshing a warning that is still open instead of raising a second one)."""
    starts, last = [], None
    for day in sorted(alarm_days):
        if last is None or day - last > gap:
            starts.append(day)
        last = day
    return starts


def closure_hits(text: str, words: Iterable[str]) -> list[str]:
    return [word for word in words if word and word in text]


def is_prepaid(problem_types: Iterable[str], text: str) -> bool:
    return "prepaid" in problem_types or any(word in text for word in PREPAID_WORDS)


# --- the daily scan over complaint rows ---------------------------------------------------------------------

@dataclass(frozen=True)
class Row:
    id: int
    received_on: date
    county: int
    entity: int | None = None
    sector: int | None = None
    problem_types: tuple[str, ...] = ()
    text: str = ""


@dataclass(frozen=True)
class Prepaid:
    """What the scan needs to know about a business that may sell prepaid cards."""

    entity: int
    declared: bool
    custody: str = ""          # "none" = no custody of the money: the worst case
    label: str = ""


@dataclass
class Finding:
    kind: str
    subject: str               # stable key of what the warning is about, e.g. "entity:12", "group:3:7"
    county: int
    window_start: date
    window_end: date
    observed: int
    expected: float
    p_value: float | None
    severity: str
    evidence: list[int]
    reasons: list[str] = field(default_factory=list)
    entity: int | None = None
    sector: int | None = None
    problem_type: str = ""


def detect(rows: Iterable[Row], *, on: date, params: Params, prepaid: dict[int, Prepaid] | None = None,
           problem_labels: dict[str, str] | None = None) -> list[Finding]:
    """Every warning the rows support on day `on` (rows after `on` are ignored)."""
    oldest = on - timedelta(days=params.history_days)
    rows = [row for row in rows if oldest <= row.received_on <= on]
    prepaid = prepaid or {}
    labels = problem_labels or {}
    window_start = on - timedelta(days=params.window_days - 1)
    base_start = window_start - timedelta(days=params.baseline_days)
    findings: list[Finding] = []

    by_entity: dict[int, list[Row]] = defaultdict(list)
    by_group: dict[tuple[int, int], list[Row]] = defaultdict(list)
    by_problem: dict[tuple[str, int], list[Row]] = defaultdict(list)
    for row in rows:
        if row.entity is not None:
            by_entity[row.entity].append(row)
        if row.sector is not None:
            by_group[(row.sector, row.county)].append(row)
        for problem in set(row.problem_types):
            by_problem[(problem, row.county)].append(row)

    city_window = sum(1 for r in rows if r.received_on >= window_start)
    city_baseline = sum(1 for r in rows if base_start <= r.received_on < window_start)

    def scale_without(window: int, baseline: int) -> float:
        if not params.volume_adjust:
            return 1.0
        return volume_scale(rest_window=city_window - window, rest_baseline=city_baseline - baseline,
                            window_days=params.window_days, baseline_days=params.baseline_days)

    def surge(kind: str, subject: str, members: list[Row], group: bool, prefix: str = "", **about) -> None:
        window = [r for r in members if r.received_on >= window_start]
        if not window:
            return
        baseline = sum(1 for r in members if base_start <= r.received_on < window_start)
        scale = scale_without(len(window), baseline)
        result = surge_test(observed=len(window), baseline_count=baseline, baseline_days=params.baseline_days,
                            window_days=params.window_days, scale=scale, **_thresholds(params, group))
        if result.alarm and group and _one_business(members, window, base_start, window_start, params, scale):
            return  # the rise is one business's: its own warning says so, a second one would only repeat it
        if result.alarm:
            severity = HIGH if result.p_value <= params.p_threshold / 100 else MEDIUM
            adjusted = f"，已计入全市其他投诉 {scale:.1f} 倍的总体上升" if scale > 1.05 else ""
            reason = (f"{prefix}近 {params.window_days} 日 {result.observed} 件，按前 {params.baseline_days} 日水平"
                      f"{adjusted}预计 {result.expected:.1f} 件（P = {result.p_value:.1e}）")
            findings.append(Finding(kind=kind, subject=subject, window_start=window_start, window_end=on,
                                    observed=result.observed, expected=result.expected, p_value=result.p_value,
                                    severity=severity, evidence=_ids(window), reasons=[reason], **about))

    for entity, members in by_entity.items():
        county, sector = members[-1].county, members[-1].sector
        surge(KIND_ENTITY, f"entity:{entity}", members, False, entity=entity, county=county, sector=sector)
        mass_start = on - timedelta(days=params.mass_days - 1)
        recent = [r for r in members if r.received_on >= mass_start]
        if len(recent) >= params.mass_threshold:
            findings.append(Finding(
                kind=KIND_MASS, subject=f"entity:{entity}", entity=entity, county=county, sector=sector,
                window_start=mass_start, window_end=on, observed=len(recent), expected=float(params.mass_threshold),
                p_value=None, severity=HIGH if len(recent) >= 2 * params.mass_threshold else MEDIUM,
                evidence=_ids(recent),
                reasons=[f"{params.mass_hours} 小时内 {len(recent)} 件投诉（阈值 {params.mass_threshold} 件）"]))
        if entity in prepaid:
            finding = _prepaid_finding(entity, members, prepaid[entity], on=on, params=params)
            if finding is not None:
                findings.append(finding)
    for (sector, county), members in by_group.items():
        surge(KIND_GROUP, f"group:{sector}:{county}", members, True, sector=sector, county=county)
    for (problem, county), members in by_problem.items():
        prefix = f"{labels[problem]}：" if problem in labels else ""
        surge(KIND_PROBLEM, f"problem:{problem}:{county}", members, True, prefix, problem_type=problem, county=county)
    return findings


def _one_business(members: list[Row], window: list[Row], base_start: date, window_start: date,
                  params: Params, scale: float) -> bool:
    """Whether a group's alarm disappears once its largest contributor in the window is left out."""
    named = [r.entity for r in window if r.entity is not None]
    if not named:
        return False
    top = max(set(named), key=named.count)
    rest = [r for r in members if r.entity != top]
    result = surge_test(observed=sum(1 for r in rest if r.received_on >= window_start),
                        baseline_count=sum(1 for r in rest if base_start <= r.received_on < window_start),
                        baseline_days=params.baseline_days, window_days=params.window_days, scale=scale,
                        **_thresholds(params, True))
    return not result.alarm


def _prepaid_finding(entity: int, members: list[Row], scheme: Prepaid, *, on: date, params: Params) -> Finding | None:
    start = on - timedelta(days=params.prepaid_window_days - 1)
    base_start = start - timedelta(days=params.baseline_days)
    recent = [r for r in members if r.received_on >= start and is_prepaid(r.problem_types, r.text)]
    if not recent:
        return None
    words = sorted({w for r in recent for w in closure_hits(r.text, params.closure_words)})
    baseline = sum(1 for r in members if base_start <= r.received_on < start and is_prepaid(r.problem_types, r.text))
    result = surge_test(observed=len(recent), baseline_count=baseline, baseline_days=params.baseline_days,
                        window_days=params.prepaid_window_days, floor_per_30d=PREPAID_FLOOR_PER_30D,
                        min_count=params.prepaid_min_count, p_threshold=PREPAID_RISING_P, min_ratio=1.0)
    reasons = []
    if result.alarm:
        reasons.append(f"近 {params.prepaid_window_days} 日预付卡投诉 {len(recent)} 件，"
                       f"预计 {result.expected:.1f} 件（P = {result.p_value:.1e}）")
    if words:
        reasons.append("投诉中出现“" + "”“".join(words) + "”")
    if not reasons or (not scheme.declared and not words):
        return None
    reasons.insert(0, f"已申报预付卡：{scheme.label}" if scheme.declared else "未申报预付卡经营情况")
    severe = bool(words) or not scheme.declared or scheme.custody == "none"
    return Finding(kind=KIND_PREPAID, subject=f"entity:{entity}", entity=entity, county=members[-1].county,
                   sector=members[-1].sector, window_start=start, window_end=on, observed=len(recent),
                   expected=result.expected, p_value=result.p_value, severity=HIGH if severe else MEDIUM,
                   evidence=_ids(recent), reasons=reasons)


def _ids(rows: list[Row]) -> list[int]:
    return sorted(row.id for row in rows)[-EVIDENCE_LIMIT:]
