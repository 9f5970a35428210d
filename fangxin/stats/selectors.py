"""Reads of the goal dashboards. Every figure comes from the rollup counters (O(groups)); only the drill-down
lists and the service-station coverage read raw rows, and those are small or paginated.

Scope: `Rollup.objects.visible_to(user)` narrows by the viewer's region subtree and, for department staff, by the
sectors their department leads or co-operates in, exactly as the raw records are narrowed; the drill-down lists
start from each model's own `visible_to(user)`, so a cell and the list behind it always agree.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from fangxin.accounts.choices import STAFF_ROLES
from fangxin.accounts.scope import department_sector_ids
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
from fangxin.organisation.selectors import counties, sector_list

from .models import CoordinationMechanism, Rollup, Source

MONTHS = list(range(1, 13))


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
        return list(counties(within=region).order_by("code"))
    return list(counties().order_by("code"))


def _rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def _rollups(user, source: str, f: Filters) -> QuerySet[Rollup]:
    rows = Rollup.objects.visible_to(user).filter(source=source)
    if f.county:
        rows = rows.filter(region=f.county)
    if f.sector:
        rows = rows.filter(sector=f.sector.pk)
    if f.department:
        if source == Source.COMPLAINT:
            rows = rows.filter(department=f.department.pk)
        else:  # a department's businesses are those of the sectors it leads or co-operates in
            rows = rows.filter(sector__in=department_sector_ids(f.department.pk))
    return rows


def _rows_counties(user, f: Filters) -> list[Region]:
    return [f.county] if f.county else scope_counties(user)


# --- goal 二: disputes settled by the business itself ------------------------------------------------------------

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
    sectors = [f.sector] if f.sector else list(sector_list())
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


def _monthly(user, f: Filters, year: int) -> dict[int, dict[str, int]]:
    rows = (_rollups(user, Source.COMPLAINT, f)
            .filter(period__gte=dt.date(year, 1, 1), period__lte=dt.date(year, 12, 1), measure__in=RATE_PARTS)
            .values("period", "measure").annotate(total=Sum("value")))
    months = {m: dict.fromkeys(RATE_PARTS, 0) for m in MONTHS}
    for row in rows:
        months[row["period"].month][row["measure"]] += row["total"]
    return months


def _rates(parts: dict[str, int]) -> dict:
    return {**parts, "handling_rate": _rate(parts["closed"], parts["accepted"]),
            "success_rate": _rate(parts["settled"], parts["closed"]),
            "satisfaction_rate": _rate(parts["satisfied"], parts["ratings"])}


def goal_four(user, f: Filters) -> dict:
    """处理率, 处理成功率, 满意率 by receipt month (DESIGN 4), this year against the same month last year."""
    this_year, last_year = _monthly(user, f, f.year), _monthly(user, f, f.year - 1)
    months = [{"month": m, "current": _rates(this_year[m]), "previous": _rates(last_year[m])} for m in MONTHS]
    totals = {}
    for name, data in (("current", this_year), ("previous", last_year)):
        totals[name] = _rates({part: sum(data[m][part] for m in MONTHS) for part in RATE_PARTS})
    return {"goal": "four", "filters": f.as_dict(), "year": f.year, "previous_year": f.year - 1,
            "months": months, "total": totals, "stations": station_coverage(user, f)}


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
    town_names: dict[str, set[str]] = {}
    for path, name in Region.objects.filter(level=RegionLevel.TOWN).values_list("path", "name"):
        town_names.setdefault(path.rstrip("/").rsplit("/", 1)[0] + "/", set()).add(name)
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


def goal_one(user, f: Filters, *, measure: str = "enrollments", today: dt.date | None = None) -> dict:
    today = today or timezone.localdate()
    rows = _heat_rows(user, f, measure, today).values("region_id", "sector").annotate(total=Sum("value"))
    cells = {(row["region_id"], row["sector"]): row["total"] for row in rows}
    sectors = [f.sector] if f.sector else list(sector_list())
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

    @property
    def label(self) -> str:
        return RECORD_MEASURES[self.source][self.measure][0]


def drill_from(*, source: str = "", measure: str = "", month=None) -> Drill:
    if source not in RECORD_MEASURES or measure not in RECORD_MEASURES[source]:
        raise ValidationFailed("未知的统计口径。", details={"field": "measure"})
    if month in (None, ""):
        return Drill(source, measure, None)
    try:
        month = int(month)
    except (TypeError, ValueError):
        raise ValidationFailed("月份须为 1–12。", details={"field": "month"}) from None
    if not 1 <= month <= 12:
        raise ValidationFailed("月份须为 1–12。", details={"field": "month"})
    return Drill(source, measure, month)


def _year_start(year: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, 1, 1))


def drill_records(user, f: Filters, drill: Drill, *, today: dt.date | None = None) -> QuerySet:
    """The raw records one dashboard cell counts, with the same definition as its rollup measure."""
    today = today or timezone.localdate()
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
