"""Reads of the goal dashboards. Every figure comes from the rollup counters (O(groups)); only the drill-down
lists and the service-station coverage read raw rows, and those are small or paginated.

Scope: `Rollup.objects.visible_to(user)` narrows by the viewer's region subtree and, for department staff, by the
sectors their department leads or co-operates in, exactly as the raw records are narrowed; the drill-down lists
start from each model's own `visible_to(user)`, so a cell and the list behind it always agree.
"""

import datetime as dt
import functools
from dataclasses import dataclass

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from fangxin.accounts.choices import STAFF_ROLES
from fangxin.accounts.scope import department_sector_ids, scope_of
from fangxin.campaign.choices import CURRENT_STATUSES
from fangxin.campaign.models import Enrollment
from fangxin.campaign.titles.choices import TitleLevel, TitleStatus
from fangxin.campaign.titles.models import Title
from fangxin.complaints.choices import SETTLED_STATUSES, Kind, Status
from fangxin.complaints.metrics import ACCEPTED_Q, CLOSED_ACCEPTED
from fangxin.complaints.models import Complaint, ServiceStation
from fangxin.core.exceptions import ValidationFailed
from fangxin.organisation.choices import RegionLevel
from fangxin.organisation.models import Department, Region, Sector
from fangxin.organisation.selectors import counties

from . import cache
from .models import CoordinationMechanism, Rollup, Source

MONTHS = list(range(1, 13))
# Sources whose records name a department (the complaint's handler, the plan's lead, the warning's department);
# for the others a department filter means the sectors the department leads or co-operates in.
DEPARTMENT_SOURCES = frozenset({Source.COMPLAINT, Source.INSPECTION, Source.WARNING})


@dataclass(frozen=True)
class Filters:
    year: int
    county: Region | None = None
    sector: Sector | None = None
    department: Department | None = None

    def as_query(self) -> dict:
        """The filters as URL parameters (for links and exports)."""
        query = {"year": self.year}
        if self.county:
            query["county"] = self.county.code
        if self.sector:
            query["sector"] = self.sector.code
        if self.department:
            query["department"] = self.department.code
        return query

    def as_dict(self) -> dict:
        return {"year": self.year, "county": self.county.code if self.county else None,
                "sector": self.sector.code if self.sector else None,
                "department": self.department.code if self.department else None}


def filters_from(*, year=None, county: str = "", sector: str = "", department: str = "") -> Filters:
    """Parse filter codes; an unknown code is a validation error (the page shows it, the API answers 422)."""
    today = timezone.localdate()
    try:
        year = int(year) if year not in (None, "") else today.year
    except (TypeError, ValueError):
        raise ValidationFailed("年度须为数字。", details={"field": "year"}) from None
    if not 2000 <= year <= today.year + 1:
        raise ValidationFailed("年度超出范围。", details={"field": "year"})
    found = {}
    for name, model, code, extra in (("county", Region, county, {"level": RegionLevel.COUNTY}),
                                     ("sector", Sector, sector, {}), ("department", Department, department, {})):
        found[name] = None
        if code:
            found[name] = model.objects.filter(code=code, **extra).first()
            if found[name] is None:
                raise ValidationFailed("筛选条件不存在。", details={"field": name})
    return Filters(year=year, **found)


def scope_counties(user) -> list[Region]:
    """The counties a viewer's figures can fall in: their region's (everything for whole-system roles)."""
    region = getattr(user, "region", None)
    if user.role in STAFF_ROLES and region is not None:
        return cache.reference(f"counties:{region.path}", lambda: list(counties(within=region).order_by("code")))
    return cache.reference("counties", lambda: list(counties().order_by("code")))


def _sectors() -> list[Sector]:
    """Every sector in display order (the dashboards need code and name only: no departments prefetched)."""
    return cache.reference("sectors", lambda: list(Sector.objects.order_by("seq")))


def _rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def cached(goal: str, *inputs: str):
    """Serve the dashboard from the cache while its inputs are unchanged (stats.cache); `.__wrapped__` computes.
    The payload gains `computed_at` and `stale`. `allow_stale=True` (the dashboard pages and the API) accepts a
    payload up to settings.FANGXIN_STATS_MAX_STALE seconds old while it is refreshed after the response; the
    default (XLSX exports, reports) always returns figures current at the call."""
    names = (*inputs, cache.INPUTS)

    def decorate(compute):
        @functools.wraps(compute)
        def dashboard(user, f: Filters, *, allow_stale: bool = False, **options) -> dict:
            return cache.get_or_compute(goal, names, user, f.as_dict(), options,
                                        lambda: compute(user, f, **options), allow_stale=allow_stale)
        return dashboard
    return decorate


def _visible_rollups(user) -> QuerySet[Rollup]:
    """`Rollup.objects.visible_to(user)` (accounts.scope: the region subtree, and a department's sectors), with the
    subtree given as region ids (cached under `inputs`) instead of a join to the region table on every counter."""
    scope = scope_of(user)
    rows = Rollup.objects.all()
    if scope.everything:
        return rows
    if scope.entity_ids is not None or scope.region_path is None:
        return rows.none()  # no region path on a rollup for a merchant's entities; no scope at all
    path = scope.region_path
    ids = cache.reference(f"region-ids:{path}", lambda: list(Region.objects.filter(path__startswith=path)
                                                             .values_list("id", flat=True)))
    rows = rows.filter(region_id__in=ids)
    if scope.sector_ids is not None:
        rows = rows.filter(sector__in=scope.sector_ids)
    return rows


def _rollups(user, source: str, f: Filters) -> QuerySet[Rollup]:
    if source == Source.COMPLAINT and not f.department:
        source = Source.COMPLAINT_SECTOR  # the same counters summed over departments: ~5x fewer rows to read
    rows = _visible_rollups(user).filter(source=source)
    if f.county:
        rows = rows.filter(region=f.county)
    if f.sector:
        rows = rows.filter(sector=f.sector.pk)
    if f.department:
        if source in DEPARTMENT_SOURCES:
            rows = rows.filter(department=f.department.pk)
        else:  # a department's businesses are those of the sectors it leads or co-operates in
            rows = rows.filter(sector__in=department_sector_ids(f.department.pk))
    return rows


def _rows_counties(user, f: Filters) -> list[Region]:
    return [f.county] if f.county else scope_counties(user)


# --- goal 二: disputes settled by the business itself ------------------------------------------------------------

@cached("two", Source.COMPLAINT)
def goal_two(user, f: Filters) -> dict:
    """纠纷解决在经营者: operator-settled ÷ closed, for the cohort received in each month of the year, by county."""
    rows = (_rollups(user, Source.COMPLAINT, f)
            .filter(period__gte=dt.date(f.year, 1, 1), period__lte=dt.date(f.year, 12, 1),
                    measure__in=["closed", "operator_settled"])
            .values("region_id", "period", "measure").annotate(total=Sum("value")))
    cells: dict[tuple[int, int], dict[str, int]] = {}
    for row in rows:
        cell = cells.setdefault((row["region_id"], row["period"].month), {"closed": 0, "operator_settled": 0})
        cell[row["measure"]] += row["total"]
    table = []
    month_totals = {m: {"closed": 0, "operator_settled": 0} for m in MONTHS}
    for county in _rows_counties(user, f):
        line = {"county": county.code, "county_name": county.name, "months": [], "closed": 0, "operator_settled": 0}
        for month in MONTHS:
            cell = cells.get((county.pk, month), {"closed": 0, "operator_settled": 0})
            line["months"].append({"month": month, **cell, "share": _rate(cell["operator_settled"], cell["closed"])})
            line["closed"] += cell["closed"]
            line["operator_settled"] += cell["operator_settled"]
            for name in ("closed", "operator_settled"):
                month_totals[month][name] += cell[name]
        line["share"] = _rate(line["operator_settled"], line["closed"])
        table.append(line)
    totals = [{"month": m, **month_totals[m], "share": _rate(month_totals[m]["operator_settled"],
                                                             month_totals[m]["closed"])} for m in MONTHS]
    closed = sum(t["closed"] for t in totals)
    settled = sum(t["operator_settled"] for t in totals)
    return {"goal": "two", "filters": f.as_dict(), "months": MONTHS, "counties": table, "month_totals": totals,
            "sectors": _two_by_sector(user, f),
            "total": {"closed": closed, "operator_settled": settled, "share": _rate(settled, closed)}}


def _two_by_sector(user, f: Filters) -> list[dict]:
    """The same share by sector (the year, all counties in view); unclassified complaints last."""
    rows = (_rollups(user, Source.COMPLAINT, f)
            .filter(period__gte=dt.date(f.year, 1, 1), period__lte=dt.date(f.year, 12, 1),
                    measure__in=["closed", "operator_settled"])
            .values("sector", "measure").annotate(total=Sum("value")))
    counts: dict[int, dict[str, int]] = {}
    for row in rows:
        counts.setdefault(row["sector"], {"closed": 0, "operator_settled": 0})[row["measure"]] += row["total"]
    sectors = [f.sector] if f.sector else _sectors()
    table = []
    for sector in sectors:
        cell = counts.get(sector.pk, {"closed": 0, "operator_settled": 0})
        table.append({"sector": sector.code, "sector_name": sector.name, **cell,
                      "share": _rate(cell["operator_settled"], cell["closed"])})
    if not f.sector and 0 in counts:
        table.append({"sector": "", "sector_name": "未分类", **counts[0],
                      "share": _rate(counts[0]["operator_settled"], counts[0]["closed"])})
    return table


# --- goal 四: handling, success and satisfaction rates; service stations -------------------------------------------

RATE_PARTS = ("accepted", "closed", "settled", "ratings", "satisfied")


def _monthly(user, f: Filters) -> dict[int, dict[int, dict[str, int]]]:
    """{year: {month: parts}} for the year and the one before, in one query."""
    rows = (_rollups(user, Source.COMPLAINT, f)
            .filter(period__gte=dt.date(f.year - 1, 1, 1), period__lte=dt.date(f.year, 12, 1), measure__in=RATE_PARTS)
            .values_list("period", "measure").annotate(total=Sum("value")))
    years = {year: {m: dict.fromkeys(RATE_PARTS, 0) for m in MONTHS} for year in (f.year - 1, f.year)}
    for period, measure, total in rows:
        years[period.year][period.month][measure] += total
    return years


def _rates(parts: dict[str, int]) -> dict:
    return {**parts, "handling_rate": _rate(parts["closed"], parts["accepted"]),
            "success_rate": _rate(parts["settled"], parts["closed"]),
            "satisfaction_rate": _rate(parts["satisfied"], parts["ratings"])}


@cached("four", Source.COMPLAINT)
def goal_four(user, f: Filters) -> dict:
    """处理率, 处理成功率, 满意率 by receipt month (DESIGN 4), this year against the same month last year."""
    years = _monthly(user, f)
    this_year, last_year = years[f.year], years[f.year - 1]
    months = [{"month": m, "current": _rates(this_year[m]), "previous": _rates(last_year[m])} for m in MONTHS]
    totals = {}
    for name, data in (("current", this_year), ("previous", last_year)):
        totals[name] = _rates({part: sum(data[m][part] for m in MONTHS) for part in RATE_PARTS})
    return {"goal": "four", "filters": f.as_dict(), "year": f.year, "previous_year": f.year - 1,
            "months": months, "total": totals, "stations": station_coverage(user, f)}


def _town_names() -> dict[str, set[str]]:
    """The towns (苏木乡镇) of each county, by the county's path."""
    town_names: dict[str, set[str]] = {}
    for path, name in Region.objects.filter(level=RegionLevel.TOWN).values_list("path", "name"):
        town_names.setdefault(path.rstrip("/").rsplit("/", 1)[0] + "/", set()).add(name)
    return town_names


def station_coverage(user, f: Filters) -> list[dict]:
    """Active service stations per county and the towns (苏木乡镇) they cover. When the reference data lists the
    county's towns, coverage is covered towns ÷ towns; otherwise only whether the county has a station at all."""
    stations = ServiceStation.objects.visible_to(user).filter(is_active=True)
    if f.county:
        stations = stations.filter(region=f.county)
    by_county: dict[int, dict] = {}
    for region_id, town in stations.values_list("region_id", "town"):
        entry = by_county.setdefault(region_id, {"stations": 0, "towns": set()})
        entry["stations"] += 1
        entry["towns"].add(town.strip())
    town_names = cache.reference("towns", _town_names)
    table = []
    for county in _rows_counties(user, f):
        entry = by_county.get(county.pk, {"stations": 0, "towns": set()})
        known = town_names.get(county.path)
        covered = len(entry["towns"] & known) if known else len(entry["towns"])
        table.append({"county": county.code, "county_name": county.name, "stations": entry["stations"],
                      "towns_covered": covered, "towns": len(known) if known else None,
                      "coverage": _rate(covered, len(known)) if known else (1.0 if entry["stations"] else 0.0)})
    return table


# --- goal 一: enrollments and titles, sector × county ------------------------------------------------------------

HEAT_MEASURES = {
    "enrollments": "有效创建单位（截至年末签署）",
    "titles_awarded": "当年授予的示范单位称号",
    "titles_valid": "有效示范单位称号（截至今天）",
}


def _heat_rows(user, f: Filters, measure: str, today: dt.date) -> QuerySet[Rollup]:
    if measure == "enrollments":
        return _rollups(user, Source.ENROLLMENT, f).filter(measure="current", period__lte=dt.date(f.year, 1, 1))
    if measure == "titles_awarded":
        return _rollups(user, Source.TITLE, f).filter(measure="awarded", period=dt.date(f.year, 1, 1))
    if measure == "titles_valid":
        return _rollups(user, Source.TITLE, f).filter(measure="valid", period__lte=dt.date(f.year, 1, 1),
                                                      bucket__gte=today.isoformat())
    raise ValidationFailed("未知的指标。", details={"field": "measure"})


@cached("one", Source.ENROLLMENT, Source.TITLE)
def goal_one(user, f: Filters, *, measure: str = "enrollments", today: dt.date | None = None) -> dict:
    today = today or timezone.localdate()
    rows = _heat_rows(user, f, measure, today).values("region_id", "sector").annotate(total=Sum("value"))
    cells = {(row["region_id"], row["sector"]): row["total"] for row in rows}
    sectors = [f.sector] if f.sector else _sectors()
    if f.department:
        allowed = department_sector_ids(f.department.pk)
        sectors = [s for s in sectors if s.pk in allowed]
    county_rows = _rows_counties(user, f)
    table = []
    for county in county_rows:
        values = [cells.get((county.pk, sector.pk), 0) for sector in sectors]
        table.append({"county": county.code, "county_name": county.name, "values": values, "total": sum(values)})
    sector_totals = [sum(line["values"][i] for line in table) for i in range(len(sectors))]
    levels = {}
    if measure != "enrollments":  # titles by level, for the table under the heat map
        level_rows = _heat_rows(user, f, measure, today).values("level").annotate(total=Sum("value"))
        levels = {row["level"]: row["total"] for row in level_rows}
    mechanisms = mechanism_table(user, f)
    return {"goal": "one", "filters": f.as_dict(), "measure": measure, "measure_label": HEAT_MEASURES[measure],
            "mechanisms": mechanisms, "mechanisms_in_place": sum(1 for m in mechanisms if m["in_place"]),
            "sectors": [{"code": s.code, "name": s.name} for s in sectors], "counties": table,
            "sector_totals": sector_totals, "total": sum(sector_totals),
            "levels": [{"level": level.value, "label": level.label, "total": levels.get(level.value, 0)}
                       for level in TitleLevel] if levels or measure != "enrollments" else []}


def mechanism_table(user, f: Filters | None = None) -> list[dict]:
    """Per county in view: whether its coordination mechanism is in place (by the end of the chosen year)."""
    year_end = dt.date(f.year, 12, 31) if f else None
    recorded = {m.region_id: m for m in CoordinationMechanism.objects.visible_to(user)}
    table = []
    for county in (_rows_counties(user, f) if f else scope_counties(user)):
        m = recorded.get(county.pk)
        in_place = m is not None and (year_end is None or m.established_on <= year_end)
        table.append({"county": county.code, "county_name": county.name, "in_place": in_place,
                      "established_on": m.established_on.isoformat() if m else None,
                      "document_no": m.document_no if m else "", "members": m.members if m else "",
                      "note": m.note if m else ""})
    return table


# --- drill-down: the records behind a cell ------------------------------------------------------------------------

COMPLAINT_MEASURES = {
    "received": ("收到的投诉", Q()),
    "accepted": ("受理的投诉（含经营者和解）", ACCEPTED_Q),
    "closed": ("办结的投诉", ACCEPTED_Q & Q(status__in=CLOSED_ACCEPTED)),
    "settled": ("和解或调解成功", Q(status__in=SETTLED_STATUSES)),
    "operator_settled": ("经营者和解", Q(status=Status.OPERATOR_SETTLED)),
    "ratings": ("已评价", Q(rating__isnull=False)),
    "satisfied": ("评价满意（4–5 分）", Q(rating__gte=4)),
}
RECORD_MEASURES = {"complaint": COMPLAINT_MEASURES,
                   "enrollment": {"enrollments": ("有效创建单位（截至年末签署）", None)},
                   "title": {"titles_awarded": ("当年授予的示范单位称号", None),
                             "titles_valid": ("有效示范单位称号（截至今天）", None)}}


@dataclass(frozen=True)
class Drill:
    source: str
    measure: str
    month: int | None = None
    level: str = ""

    @property
    def label(self) -> str:
        label = RECORD_MEASURES[self.source][self.measure][0]
        level = dict(LEVEL_CHOICES.get(self.source, ())).get(self.level)
        return f"{label}（{level}）" if level else label


def drill_from(*, source: str = "", measure: str = "", month=None, level: str = "") -> Drill:
    if source not in RECORD_MEASURES or measure not in RECORD_MEASURES[source]:
        raise ValidationFailed("未知的统计口径。", details={"field": "measure"})
    level = level or ""
    if level and level not in dict(LEVEL_CHOICES.get(source, ())):
        raise ValidationFailed("未知的分类。", details={"field": "level"})
    if month in (None, ""):
        return Drill(source, measure, None, level)
    try:
        month = int(month)
    except (TypeError, ValueError):
        raise ValidationFailed("月份须为 1–12。", details={"field": "month"}) from None
    if not 1 <= month <= 12:
        raise ValidationFailed("月份须为 1–12。", details={"field": "month"})
    return Drill(source, measure, month, level)


def _year_start(year: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, 1, 1))


def drill_records(user, f: Filters, drill: Drill, *, today: dt.date | None = None) -> QuerySet:
    """The raw records one dashboard cell counts, with the same definition as its rollup measure."""
    today = today or timezone.localdate()
    if drill.source in EXTRA_DRILLS:
        return EXTRA_DRILLS[drill.source](user, f, drill, today)
    if drill.source == "complaint":
        if drill.month:
            start = dt.date(f.year, drill.month, 1)
            end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        else:
            start, end = dt.date(f.year, 1, 1), dt.date(f.year, 12, 31)
        rows = (Complaint.objects.visible_to(user).filter(kind=Kind.COMPLAINT, received_on__gte=start,
                                                          received_on__lte=end)
                .filter(COMPLAINT_MEASURES[drill.measure][1]).select_related("region", "sector", "department"))
        if f.county:
            rows = rows.filter(region=f.county)
        if f.sector:
            rows = rows.filter(sector=f.sector)
        if f.department:
            rows = rows.filter(department=f.department)
        return rows.order_by("-received_on", "-id")
    if drill.source == "enrollment":
        rows = (Enrollment.objects.visible_to(user)
                .filter(status__in=CURRENT_STATUSES, signed_at__lt=_year_start(f.year + 1))
                .select_related("entity", "entity__region", "entity__sector").order_by("-signed_at", "-id"))
    else:
        rows = Title.objects.visible_to(user).select_related("entity", "entity__region", "entity__sector")
        if drill.measure == "titles_awarded":
            rows = rows.filter(year=f.year)
        else:
            rows = rows.filter(status=TitleStatus.VALID, valid_until__gte=today, year__lte=f.year)
        rows = rows.order_by("-year", "-id")
    if f.county:
        rows = rows.filter(entity__region=f.county)
    if f.sector:
        rows = rows.filter(entity__sector=f.sector)
    if f.department:
        rows = rows.filter(entity__sector__in=department_sector_ids(f.department.pk))
    return rows


def _month_range(year: int, month: int | None) -> tuple[dt.date, dt.date]:
    if month:
        start = dt.date(year, month, 1)
        return start, (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def _year_rows(user, source: str, f: Filters, measures) -> QuerySet[Rollup]:
    return _rollups(user, source, f).filter(period__gte=dt.date(f.year, 1, 1), period__lte=dt.date(f.year, 12, 1),
                                            measure__in=list(measures))


# --- goal 三: inspection pass rate and the problems found ---------------------------------------------------------

OUTCOME_LABELS = {"passed": "合格", "problems": "发现问题", "not_found": "无法联系（未发现）", "refused": "拒绝检查"}
PROBLEM_OUTCOMES = ("problems", "not_found", "refused")
INSPECTION_PARTS = ("inspected", *OUTCOME_LABELS)


def _pass(parts: dict[str, int]) -> dict:
    return {**parts, "pass_rate": _rate(parts["passed"], parts["inspected"]),
            "failed": sum(parts[name] for name in PROBLEM_OUTCOMES)}


@cached("three", Source.INSPECTION)
def goal_three(user, f: Filters) -> dict:
    """抽检合格率: passed ÷ recorded results, by county, month and sector (month of the inspection); the failed
    outcomes with their counts."""
    # two small groupings (county × sector, then month) rather than one by all three: the database sums, and
    # Python reads a few hundred rows instead of months × counties × sectors × measures
    year_rows = _year_rows(user, Source.INSPECTION, f, INSPECTION_PARTS)
    by_county: dict[int, dict] = {}
    by_month = {m: dict.fromkeys(INSPECTION_PARTS, 0) for m in MONTHS}
    by_sector: dict[int, dict] = {}
    for region_id, sector, measure, total in (year_rows.values_list("region_id", "sector", "measure")
                                              .annotate(total=Sum("value"))):
        for table, key in ((by_county, region_id), (by_sector, sector)):
            table.setdefault(key, dict.fromkeys(INSPECTION_PARTS, 0))[measure] += total
    for period, measure, total in year_rows.values_list("period", "measure").annotate(total=Sum("value")):
        by_month[period.month][measure] += total
    empty = dict.fromkeys(INSPECTION_PARTS, 0)
    counties_table = [{"county": c.code, "county_name": c.name, **_pass(by_county.get(c.pk, empty))}
                      for c in _rows_counties(user, f)]
    # inspections name their department (the plan's lead), so a department filter does not narrow the sectors
    sectors_table = [{"sector": s.code, "sector_name": s.name, **_pass(by_sector.get(s.pk, empty))}
                     for s in ([f.sector] if f.sector else _sectors())]
    if not f.sector and 0 in by_sector:
        sectors_table.append({"sector": "", "sector_name": "未分类", **_pass(by_sector[0])})
    total = _pass({part: sum(line[part] for line in counties_table) for part in INSPECTION_PARTS})
    problems = [{"outcome": name, "label": OUTCOME_LABELS[name], "count": total[name],
                 "share": _rate(total[name], total["failed"])} for name in PROBLEM_OUTCOMES]
    return {"goal": "three", "filters": f.as_dict(), "months": [{"month": m, **_pass(by_month[m])} for m in MONTHS],
            "counties": counties_table, "sectors": sectors_table, "problems": problems, "total": total}


# --- goal 五: early warnings and their handling -------------------------------------------------------------------

WARNING_PARTS = ("detected", "acknowledged", "closed", "high")


def median_from_histogram(histogram: dict[int, int]) -> float | None:
    """The median of values given as {value: count}: the mean of the values at sorted positions (n-1)//2 and
    n//2 (the same value for an odd count)."""
    count = sum(histogram.values())
    if not count:
        return None
    wanted = ((count - 1) // 2, count // 2)
    found: list[int] = []
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        while len(found) < 2 and seen > wanted[len(found)]:
            found.append(value)
        if len(found) == 2:
            break
    return (found[0] + found[1]) / 2


def _handling(parts: dict[str, int], histogram: dict[int, int]) -> dict:
    return {**parts, "acknowledged_share": _rate(parts["acknowledged"], parts["detected"]),
            "closed_share": _rate(parts["closed"], parts["detected"]),
            "median_days": median_from_histogram(histogram)}


@cached("five", Source.WARNING)
def goal_five(user, f: Filters) -> dict:
    """Warnings by kind and month of detection; the share acknowledged and closed, and the median handling time
    (detection to closing, whole days) from the closed warnings' day histogram in the rollups."""
    from fangxin.alerts.choices import WarningKind

    # two small aggregations rather than one by bucket: the counts without the bucket, then only the closed
    # warnings' day histogram (groups: kinds × counties × distinct days)
    rows = (_year_rows(user, Source.WARNING, f, WARNING_PARTS)
            .values("region_id", "level", "period", "measure").annotate(total=Sum("value")))
    kinds: dict[str, dict] = {}
    counties_: dict[int, dict] = {}
    months = {m: dict.fromkeys(WARNING_PARTS, 0) for m in MONTHS}
    kind_months: dict[tuple[str, int], int] = {}
    for row in rows:
        measure, total = row["measure"], row["total"]
        kinds.setdefault(row["level"], dict.fromkeys(WARNING_PARTS, 0))[measure] += total
        counties_.setdefault(row["region_id"], dict.fromkeys(WARNING_PARTS, 0))[measure] += total
        months[row["period"].month][measure] += total
        if measure == "detected":
            key = (row["level"], row["period"].month)
            kind_months[key] = kind_months.get(key, 0) + total
    histograms: dict[tuple[str, object], dict[int, int]] = {}
    days_rows = (_year_rows(user, Source.WARNING, f, ["closed"]).exclude(bucket="")
                 .values("region_id", "level", "bucket").annotate(total=Sum("value")))
    for row in days_rows:
        days = int(row["bucket"])
        for group in (("kind", row["level"]), ("county", row["region_id"]), ("all", None)):
            histogram = histograms.setdefault(group, {})
            histogram[days] = histogram.get(days, 0) + row["total"]
    empty = dict.fromkeys(WARNING_PARTS, 0)
    kind_table = [{"kind": kind.value, "label": kind.label,
                   "months": [{"month": m, "detected": kind_months.get((kind.value, m), 0)} for m in MONTHS],
                   **_handling(kinds.get(kind.value, empty), histograms.get(("kind", kind.value), {}))}
                  for kind in WarningKind]
    county_table = [{"county": c.code, "county_name": c.name,
                     **_handling(counties_.get(c.pk, empty), histograms.get(("county", c.pk), {}))}
                    for c in _rows_counties(user, f)]
    total = _handling({part: sum(line[part] for line in kind_table) for part in WARNING_PARTS},
                      histograms.get(("all", None), {}))
    return {"goal": "five", "filters": f.as_dict(), "kinds": kind_table, "counties": county_table,
            "month_totals": [{"month": m, **months[m]} for m in MONTHS], "total": total}


# --- goal 六: credit grades, list entries and exits, draws and publication on time ------------------------------

GRADES = ("A", "B", "C", "D")


@cached("six", Source.GRADE, Source.LIST_ENTRY, Source.LIST_EXIT, Source.INSPECTION)
def goal_six(user, f: Filters, *, today: dt.date | None = None) -> dict:
    from fangxin.credit.choices import ListKind

    today = today or timezone.localdate()
    grade_rows = (_rollups(user, Source.GRADE, f).filter(measure="entities")
                  .values("region_id", "level").annotate(total=Sum("value")))
    grades = {(row["region_id"], row["level"]): row["total"] for row in grade_rows}
    grade_table = []
    for county in _rows_counties(user, f):
        values = [grades.get((county.pk, g), 0) for g in GRADES]
        grade_table.append({"county": county.code, "county_name": county.name, "values": values,
                            "total": sum(values)})
    grade_totals = [sum(line["values"][i] for line in grade_table) for i in range(len(GRADES))]

    list_counts: dict[tuple[str, str, int], int] = {}
    for source, measure in ((Source.LIST_ENTRY, "entered"), (Source.LIST_EXIT, "exited")):
        for row in (_year_rows(user, source, f, [measure]).values("level", "period")
                    .annotate(total=Sum("value"))):
            list_counts[(measure, row["level"], row["period"].month)] = row["total"]
    current = dict(_rollups(user, Source.LIST_ENTRY, f).filter(measure="current")
                   .values("level").annotate(total=Sum("value")).values_list("level", "total"))
    lists = []
    for kind in ListKind:
        line = {"kind": kind.value, "label": kind.label, "current": current.get(kind.value, 0)}
        for measure in ("entered", "exited"):
            line[measure + "_months"] = [list_counts.get((measure, kind.value, m), 0) for m in MONTHS]
            line[measure] = sum(line[measure + "_months"])
        lists.append(line)

    pub_rows = (_year_rows(user, Source.INSPECTION, f, ["published_on_time", "published_late", "unpublished"])
                .values("region_id", "measure", "bucket").annotate(total=Sum("value")))
    publication: dict[int, dict[str, int]] = {}
    for row in pub_rows:
        cell = publication.setdefault(row["region_id"], {"on_time": 0, "late": 0, "overdue": 0, "pending": 0})
        if row["measure"] == "published_on_time":
            cell["on_time"] += row["total"]
        elif row["measure"] == "published_late":
            cell["late"] += row["total"]
        elif row["bucket"] and row["bucket"] < today.isoformat():
            cell["overdue"] += row["total"]
        else:
            cell["pending"] += row["total"]
    empty = {"on_time": 0, "late": 0, "overdue": 0, "pending": 0}
    pub_table = []
    for county in _rows_counties(user, f):
        cell = publication.get(county.pk, empty)
        published = cell["on_time"] + cell["late"]
        pub_table.append({"county": county.code, "county_name": county.name, **cell,
                          "on_time_share": _rate(cell["on_time"], published)})
    pub_total = {name: sum(line[name] for line in pub_table) for name in empty}
    pub_total["on_time_share"] = _rate(pub_total["on_time"], pub_total["on_time"] + pub_total["late"])
    draws = draw_timeliness(user, f, today=today)
    return {"goal": "six", "filters": f.as_dict(), "grades": list(GRADES),
            "grade_counties": grade_table, "grade_totals": grade_totals, "grade_total": sum(grade_totals),
            "lists": lists, "publication": pub_table, "publication_total": pub_total, **draws}


def draw_timeliness(user, f: Filters, *, today: dt.date) -> dict:
    """Draws of the plans due in the year: on time (drawn by the draw deadline), late, overdue (not drawn, deadline
    passed) or not yet due. Read from the plans themselves: a city draws tens of plans a year, so this is
    O(plans of the year) — the same order as the rollup groups — and a plan spans several counties and
    departments, which one rollup key cannot hold."""
    from fangxin.inspections.models import Plan

    plans = (Plan.objects.visible_to(user).filter(draw_due__year=f.year)
             .select_related("lead_department", "draw").prefetch_related("counties", "sectors"))
    if f.county:
        plans = plans.filter(counties=f.county)
    if f.department:
        plans = plans.filter(departments=f.department)
    if f.sector:  # a plan without sectors covers every sector
        plans = plans.filter(Q(sectors=f.sector) | Q(sectors__isnull=True))
    table = []
    counts = {"on_time": 0, "late": 0, "overdue": 0, "pending": 0}
    for plan in plans.distinct().order_by("draw_due", "id"):
        drawn = getattr(getattr(plan, "draw", None), "drawn_at", None)
        if drawn is not None:
            state = "on_time" if timezone.localtime(drawn).date() <= plan.draw_due else "late"
        else:
            state = "overdue" if plan.draw_due < today else "pending"
        counts[state] += 1
        table.append({"id": plan.pk, "name": plan.name, "department": plan.lead_department.name,
                      "counties": "、".join(c.name for c in plan.counties.all()),
                      "draw_due": plan.draw_due.isoformat(),
                      "drawn_on": timezone.localtime(drawn).date().isoformat() if drawn else None,
                      "state": state, "state_label": DRAW_STATES[state]})
    return {"draws": table, "draw_counts": counts,
            "draw_on_time_share": _rate(counts["on_time"], counts["on_time"] + counts["late"])}


DRAW_STATES = {"on_time": "按期", "late": "逾期完成", "overdue": "逾期未抽取", "pending": "未到期"}


# --- drill-down for goals 三, 五, 六 ---------------------------------------------------------------------------

def _level_choices() -> dict[str, list[tuple[str, str]]]:
    from fangxin.alerts.choices import WarningKind
    from fangxin.credit.choices import ListKind

    return {"warning": list(WarningKind.choices), "grade": [(g, f"{g} 级") for g in GRADES],
            "listentry": list(ListKind.choices)}


LEVEL_CHOICES = _level_choices()

RECORD_MEASURES.update({
    "inspection": {"inspected": ("已录入结果的抽查检查", None), "passed": ("检查合格", None),
                   "problems": ("发现问题", None), "not_found": ("无法联系（未发现）", None),
                   "refused": ("拒绝检查", None), "failed": ("不合格（发现问题、无法联系、拒绝检查）", None),
                   "published_on_time": ("按期公示的检查结果", None),
                   "published_late": ("逾期公示的检查结果", None),
                   "overdue": ("逾期未公示的检查结果（截至今天）", None)},
    "warning": {"detected": ("预警", None), "acknowledged": ("已签收的预警", None),
                "closed": ("已办结的预警", None), "high": ("高等级预警", None)},
    "grade": {"entities": ("当前信用等级", None)},
    "listentry": {"entered": ("列入信用名单", None), "exited": ("移出信用名单", None)},
})


def _entity_filters(rows, f: Filters, prefix: str = "entity__"):
    if f.county:
        rows = rows.filter(**{prefix + "region": f.county})
    if f.sector:
        rows = rows.filter(**{prefix + "sector": f.sector})
    if f.department:
        rows = rows.filter(**{prefix + "sector__in": department_sector_ids(f.department.pk)})
    return rows


def _inspection_records(user, f: Filters, drill: Drill, today: dt.date) -> QuerySet:
    from fangxin.inspections.models import Inspection

    start, end = _month_range(f.year, drill.month)
    # the month of the inspection, or of the recording when no inspection date was entered (as in the rollup)
    in_period = (Q(inspected_on__gte=start, inspected_on__lte=end)
                 | Q(inspected_on__isnull=True, result_recorded_at__gte=_aware(start),
                     result_recorded_at__lt=_aware(end + dt.timedelta(days=1))))
    rows = Inspection.objects.visible_to(user).exclude(outcome="").filter(in_period)
    measure = drill.measure
    if measure in OUTCOME_LABELS:
        rows = rows.filter(outcome=measure)
    elif measure == "failed":
        rows = rows.filter(outcome__in=PROBLEM_OUTCOMES)
    elif measure in ("published_on_time", "published_late"):
        ids = [pk for pk, published, due in rows.filter(published_at__isnull=False)
               .values_list("pk", "published_at", "publish_due")
               if (due is None or timezone.localtime(published).date() <= due) == (measure == "published_on_time")]
        rows = rows.filter(pk__in=ids)
    elif measure == "overdue":
        rows = rows.filter(published_at__isnull=True, publish_due__lt=today)
    if f.county:
        rows = rows.filter(entity__region=f.county)
    if f.sector:
        rows = rows.filter(entity__sector=f.sector)
    if f.department:
        rows = rows.filter(plan__lead_department=f.department)
    return rows.select_related("plan", "entity", "entity__region", "entity__sector").order_by("-inspected_on", "-id")


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day))


def _warning_records(user, f: Filters, drill: Drill, today: dt.date) -> QuerySet:
    from fangxin.alerts.choices import Severity, WarningStatus
    from fangxin.alerts.models import Warning

    start, end = _month_range(f.year, drill.month)
    rows = Warning.objects.visible_to(user).filter(detected_on__gte=start, detected_on__lte=end)
    if drill.level:
        rows = rows.filter(kind=drill.level)
    if drill.measure == "acknowledged":
        rows = rows.filter(Q(acknowledged_at__isnull=False) | ~Q(status=WarningStatus.OPEN))
    elif drill.measure == "closed":
        rows = rows.filter(status=WarningStatus.CLOSED, closed_at__isnull=False)
    elif drill.measure == "high":
        rows = rows.filter(severity=Severity.HIGH)
    if f.county:
        rows = rows.filter(region=f.county)
    if f.sector:
        rows = rows.filter(sector=f.sector)
    if f.department:
        rows = rows.filter(department=f.department)
    return rows.select_related("region", "sector").order_by("-detected_on", "-id")


def _grade_records(user, f: Filters, drill: Drill, today: dt.date) -> QuerySet:
    from fangxin.merchants.models import MarketEntity

    rows = MarketEntity.objects.visible_to(user).filter(credit_grade__isnull=False)
    if drill.level:
        rows = rows.filter(credit_grade__grade=drill.level)
    return (_entity_filters(rows, f, prefix="").select_related("region", "sector", "credit_grade")
            .order_by("credit_grade__grade", "name", "id"))


def _list_records(user, f: Filters, drill: Drill, today: dt.date) -> QuerySet:
    from fangxin.credit.models import ListEntry

    start, end = _month_range(f.year, drill.month)
    field = "entered_on" if drill.measure == "entered" else "exited_on"
    rows = ListEntry.objects.visible_to(user).filter(**{field + "__gte": start, field + "__lte": end})
    if drill.level:
        rows = rows.filter(kind=drill.level)
    return (_entity_filters(rows, f).select_related("entity", "entity__region", "entity__sector")
            .order_by("-" + field, "-id"))


EXTRA_DRILLS = {"inspection": _inspection_records, "warning": _warning_records, "grade": _grade_records,
                "listentry": _list_records}
