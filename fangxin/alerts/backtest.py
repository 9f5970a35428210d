"""Backtest of the surge detectors on synthetic complaint streams with planted surges (no database).

The streams imitate the city's complaint flow: businesses whose monthly rates are log-normal (most get a
complaint every few months, a few large ones dozens a month), a weekly rhythm (weekends lower) and week-to-week
over-dispersion (gamma-distributed rate noise, so the counts are more variable than Poisson — as real ones
are, and as the Poisson test does not assume) and two ten-day city-wide peaks a year (×1.8). Sector × county streams add up their businesses plus the
complaints that name no registered business. Planted surges add extra complaints over a few days; planted mass
incidents put five or more complaints on one business within two days.

For every stream and every day the detector runs exactly as the daily scan does (`detection.surge_test` with
the default `Params`, the expectation scaled by the rise of the rest of the city, `detection.volume_scale`); consecutive alarms of one subject are one warning (`detection.episodes`), as the scan
refreshes an open warning. A planted event counts as detected when an alarm falls within its span plus one
window; the delay is the first such alarm day minus the event's first day. Every other new warning is a false
alarm. Reported per level: detection rate, false alarms per month (whole synthetic city and per 100 subjects)
and the median delay in days.
"""

import math
import random
import statistics
from dataclasses import dataclass, field
from datetime import date, timedelta

from . import detection

ENTITIES = 600
GROUPS = 40
DISPERSION_SHAPE = 4.0  # gamma shape of the weekly rate noise: coefficient of variation 0.5
PEAK = 1.8


@dataclass
class Stream:
    counts: list[int]
    events: list[tuple[int, int, str]] = field(default_factory=list)  # (first day, last day, kind) planted


@dataclass
class LevelReport:
    name: str
    subjects: int
    planted: int
    detected: int
    false_alarms: int
    months: float
    delays: list[int]

    @property
    def detection_rate(self) -> float:
        return self.detected / self.planted if self.planted else 0.0

    @property
    def false_per_month(self) -> float:
        return self.false_alarms / self.months

    @property
    def false_per_100_per_month(self) -> float:
        return self.false_per_month * 100 / self.subjects

    @property
    def median_delay(self) -> float | None:
        return statistics.median(self.delays) if self.delays else None


def _poisson(rng: random.Random, mu: float) -> int:
    """Knuth's method for small means, a rounded normal for large ones (never needed above ~30 here)."""
    if mu <= 0:
        return 0
    if mu > 30:
        return max(0, round(rng.gauss(mu, math.sqrt(mu))))
    limit, k, p = math.exp(-mu), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _background(rng: random.Random, per_30d: float, days: int, season: list[float]) -> list[int]:
    counts, noise = [], 1.0
    for day in range(days):
        if day % 7 == 0:
            noise = rng.gammavariate(DISPERSION_SHAPE, 1 / DISPERSION_SHAPE)
        weekday = 0.7 if day % 7 in (5, 6) else 1.1
        counts.append(_poisson(rng, per_30d / 30 * weekday * noise * season[day]))
    return counts


def _season(days: int, warmup: int) -> list[float]:
    """City-wide peaks every business shares: 1.8 times the usual flow for ten days twice a year (as around
    3·15 and the November shopping festival). Not planted events: an alarm in them is a false alarm."""
    season = [1.0] * days
    for start in range(warmup + 60, days, 180):
        for day in range(start, min(days, start + 10)):
            season[day] = PEAK
    return season


def _plant(rng: random.Random, stream: Stream, *, first: int, last: int, extra: int, duration: int,
           kind: str) -> None:
    start = rng.randint(first, last - duration)
    for _ in range(extra):
        stream.counts[start + rng.randrange(duration)] += 1
    stream.events.append((start, start + duration - 1, kind))


def build(seed: int, months: int, params: detection.Params) -> tuple[list[Stream], list[Stream], int, int]:
    """Entity and group streams; returns (entities, groups, first evaluated day, number of days)."""
    rng = random.Random(seed)
    warmup = params.baseline_days + params.window_days
    days = warmup + months * 30
    season = _season(days, warmup)
    entities = []
    for _ in range(ENTITIES):
        rate = min(60.0, math.exp(rng.gauss(math.log(0.6), 1.1)))
        entities.append(Stream(_background(rng, rate, days, season)))
    # one in four businesses gets a planted surge: 4–12 extra complaints within 2–7 days, or (one in
    # twenty) a mass incident of 5–8 complaints within two days
    for stream in entities:
        draw = rng.random()
        if draw < 0.20:
            _plant(rng, stream, first=warmup, last=days - 1, extra=rng.randint(4, 12), duration=rng.randint(2, 7),
                   kind="surge")
        elif draw < 0.25:
            _plant(rng, stream, first=warmup, last=days - 1, extra=rng.randint(5, 8), duration=2, kind="mass")
    groups = []
    for index in range(GROUPS):
        members = entities[index::GROUPS]
        unnamed = _background(rng, rng.uniform(5, 40), days, season)
        total = [sum(m.counts[d] for m in members) + unnamed[d] for d in range(days)]
        stream = Stream(total)
        # the members' planted surges are in the group's counts too: they are real events for it
        stream.events = [event for m in members for event in m.events]
        if rng.random() < 0.5:
            base = sum(total[warmup:]) / (days - warmup) * 30
            duration = rng.randint(5, 14)
            _plant(rng, stream, first=warmup, last=days - 1,
                   extra=max(8, round(base / 30 * duration * rng.uniform(1.0, 2.5))), duration=duration,
                   kind="group")
        groups.append(stream)
    return entities, groups, warmup, days


def _prefix(counts: list[int]) -> list[int]:
    prefix = [0]
    for count in counts:
        prefix.append(prefix[-1] + count)
    return prefix


def _alarm_days(stream: Stream, first: int, days: int, params: detection.Params, group: bool,
                city: list[int]) -> list[int]:
    """Alarm days of one subject; `city` is the prefix sum of the whole city's counts (for the volume scale)."""
    prefix = _prefix(stream.counts)
    thresholds = detection._thresholds(params, group)
    alarms = []
    for day in range(first, days):
        start = day - params.window_days + 1
        base_start = max(0, start - params.baseline_days)
        observed, baseline = prefix[day + 1] - prefix[start], prefix[start] - prefix[base_start]
        scale = detection.volume_scale(
            rest_window=city[day + 1] - city[start] - observed, rest_baseline=city[start] - city[base_start] - baseline,
            window_days=params.window_days, baseline_days=start - base_start) if params.volume_adjust else 1.0
        result = detection.surge_test(observed=observed, baseline_count=baseline, baseline_days=start - base_start,
                                      window_days=params.window_days, scale=scale, **thresholds)
        if result.alarm:
            alarms.append(day)
    return alarms


def evaluate(name: str, streams: list[Stream], first: int, days: int, params: detection.Params, *,
             kinds: tuple[str, ...], city: list[int], group: bool = False, mass: bool = False) -> LevelReport:
    """`kinds`: the planted events this detector is meant to find; alarms during any planted event are not
    false alarms (they are real rises, whichever detector was meant for them)."""
    planted = detected = false = 0
    delays: list[int] = []
    for stream in streams:
        if mass:
            alarms = [d for d in range(first, days)
                      if sum(stream.counts[max(0, d - params.mass_days + 1):d + 1]) >= params.mass_threshold]
        else:
            alarms = _alarm_days(stream, first, days, params, group, city)
        spans = [(start, end + params.window_days - 1) for start, end, _kind in stream.events]
        for (start, _end, kind), (_, until) in zip(stream.events, spans, strict=True):
            if kind not in kinds:
                continue
            planted += 1
            hit = next((d for d in alarms if start <= d <= until), None)
            if hit is not None:
                detected += 1
                delays.append(hit - start)
        for day in detection.episodes(alarms, params.window_days):
            if not any(start <= day <= until for start, until in spans):
                false += 1
    return LevelReport(name=name, subjects=len(streams), planted=planted, detected=detected, false_alarms=false,
                       months=(days - first) / 30, delays=delays)


def run(*, seed: int = 2026, months: int = 12, params: detection.Params | None = None) -> list[LevelReport]:
    params = params or detection.Params()
    entities, groups, first, days = build(seed, months, params)
    city = _prefix([sum(g.counts[d] for g in groups) for d in range(days)])
    return [
        evaluate("经营者激增", entities, first, days, params, kinds=("surge", "mass"), city=city),
        evaluate("行业×旗县区激增", groups, first, days, params, kinds=("group",), city=city, group=True),
        evaluate("群体性投诉（48 小时 ≥ N）", entities, first, days, params, kinds=("mass",), city=city, mass=True),
    ]


def format_report(reports: list[LevelReport]) -> str:
    lines = ["层级 | 对象数 | 植入事件 | 检出 | 检出率 | 误报/月（全市） | 误报/月/百个对象 | 延迟中位数（天）"]
    for r in reports:
        delay = "—" if r.median_delay is None else f"{r.median_delay:g}"
        lines.append(f"{r.name} | {r.subjects} | {r.planted} | {r.detected} | {r.detection_rate:.1%} | "
                     f"{r.false_per_month:.2f} | {r.false_per_100_per_month:.3f} | {delay}")
    return "\n".join(lines)


# --- replay over stored complaints ------------------------------------------------------------------------------

@dataclass
class ReplayReport:
    first: date
    last: date
    warnings: dict[str, int]  # new warnings per kind over the period

    @property
    def months(self) -> float:
        return ((self.last - self.first).days + 1) / 30


def replay(rows: list[detection.Row], *, first: date, last: date, params: detection.Params,
           prepaid: dict[int, detection.Prepaid] | None = None) -> ReplayReport:
    """Run `detection.detect` for every day from `first` to `last` over stored complaints, as if the scan had
    run daily and each warning stayed open until its subject had been quiet for a window (read-only): the new
    warnings per kind."""
    rows = sorted(rows, key=lambda r: r.received_on)
    last_alarm: dict[tuple[str, str], date] = {}
    counts: dict[str, int] = {}
    day = first
    while day <= last:
        for finding in detection.detect(rows, on=day, params=params, prepaid=prepaid):
            key = (finding.kind, finding.subject)
            previous = last_alarm.get(key)
            if previous is None or (day - previous).days > params.window_days:
                counts[finding.kind] = counts.get(finding.kind, 0) + 1
            last_alarm[key] = day
        day += timedelta(days=1)
    return ReplayReport(first=first, last=last, warnings=counts)
