"""The goal dashboards (workbench/stats/…): parse the filters, call one selector, render the chart data, the
table (also the no-JS view) and the drill-down links; the same data as XLSX. A filter error becomes a Chinese
message on the page. Staff see their own scope; auditors and administrators everything."""

import io
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from fangxin.accounts.choices import STAFF_ROLES
from fangxin.accounts.permissions import AUDIT_READERS
from fangxin.core.actors import Actor
from fangxin.core.exceptions import FangxinError, NotFound
from fangxin.core.import_reports import xlsx_download
from fangxin.workbench.decorators import page_for

from . import exports, selectors, services
from .forms import DashboardFilterForm, HeatMeasureForm, MechanismForm

GOAL_TITLES = {
    "one": "目标一：放心消费创建覆盖",
    "two": "目标二：纠纷解决在经营者",
    "three": "目标三：抽检合格率与质量问题",
    "four": "目标四：投诉处理与维权服务站",
    "five": "目标五：消费预警及处置",
    "six": "目标六：信用分类、名单与按时公示",
}


def reads_stats(user) -> bool:
    return user.role in STAFF_ROLES | AUDIT_READERS


def _records_url(f: selectors.Filters, source: str, measure: str, *, month: int | None = None,
                 county: str | None = None, sector: str | None = None, year: int | None = None,
                 level: str = "") -> str:
    query = {**f.as_query(), "source": source, "measure": measure}
    if level:
        query["level"] = level
    if year is not None:
        query["year"] = year
    if month:
        query["month"] = month
    if county:
        query["county"] = county
    if sector:
        query["sector"] = sector
    return reverse("stats:records") + "?" + urlencode(query)


def _parse(request, form_class=DashboardFilterForm):
    form = form_class(request.GET or None, user=request.user)
    codes = form.codes()
    try:
        return form, selectors.filters_from(**codes), None
    except FangxinError as exc:
        return form, selectors.filters_from(), exc.message


def _xlsx_query(request) -> str:
    return request.GET.urlencode()


def _number(charts: list[dict]) -> None:
    """Each chart's element id, for its json_script block and the element that draws it."""
    for index, chart in enumerate(charts, start=1):
        chart["id"] = f"chart-{index}"


def _percent(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


# --- goal 一 -----------------------------------------------------------------------------------------------------

def _goal_one(request, *, allow_stale: bool):
    form, f, error = _parse(request, HeatMeasureForm)
    measure = form.measure_code()
    data = selectors.goal_one(request.user, f, measure=measure, allow_stale=allow_stale)
    return form, f, error, data


@page_for(reads_stats)
def goal_one(request):
    form, f, error, data = _goal_one(request, allow_stale=True)
    source, measure = ("enrollment", "enrollments") if data["measure"] == "enrollments" else ("title", data["measure"])
    for line in data["counties"]:
        line["cells"] = [{"value": value, "url": _records_url(f, source, measure, county=line["county"],
                                                               sector=sector["code"])}
                         for value, sector in zip(line["values"], data["sectors"], strict=True)]
        line["url"] = _records_url(f, source, measure, county=line["county"])
    chart = {"kind": "heatmap", "title": data["measure_label"], "x": [s["name"] for s in data["sectors"]],
             "y": [line["county_name"] for line in data["counties"]],
             "cells": [[x, y, cell["value"], cell["url"]] for y, line in enumerate(data["counties"])
                       for x, cell in enumerate(line["cells"])]}
    return render(request, "stats/goal_one.html", {
        "title": GOAL_TITLES["one"], "form": form, "error": error, "data": data, "chart": chart,
        "xlsx": reverse("stats:goal_one_xlsx") + "?" + _xlsx_query(request)})


@page_for(reads_stats)
def goal_one_xlsx(request):
    _form, f, _error, data = _goal_one(request, allow_stale=False)  # an export is always current
    return xlsx_download(io.BytesIO(exports.goal_one_xlsx(data)), f"goal-1-{f.year}-{timezone.localdate():%Y%m%d}.xlsx")


# --- goal 一: the counties' coordination mechanisms ------------------------------------------------------------

@page_for(reads_stats)
def mechanisms(request):
    counties = [c for c in selectors.scope_counties(request.user)
                if services.can_record_mechanism(request.user, c)]
    form = MechanismForm(request.POST or None, counties=counties) if counties else None
    if request.method == "POST" and form is not None and form.is_valid():
        data = form.cleaned_data
        try:
            mechanism = services.mechanism_record(
                actor=Actor.from_request(request), county_code=data["county"],
                established_on=data["established_on"], document_no=data["document_no"], members=data["members"],
                note=data["note"])
        except FangxinError as exc:
            form.add_error(exc.details.get("field") if exc.details.get("field") in form.fields else None,
                           exc.message)
        else:
            messages.success(request, f"已登记{mechanism.region.name}的消费维权协作机制（{mechanism.document_no}）。")
            return redirect("stats:mechanisms")
    return render(request, "stats/mechanisms.html", {
        "title": "旗县区消费维权协作机制", "rows": selectors.mechanism_table(request.user), "record_form": form})


# --- goal 二 -----------------------------------------------------------------------------------------------------

@page_for(reads_stats)
def goal_two(request):
    form, f, error = _parse(request)
    data = selectors.goal_two(request.user, f, allow_stale=True)
    for line in data["counties"]:
        line["share_text"] = _percent(line["share"])
        line["url"] = _records_url(f, "complaint", "operator_settled", county=line["county"])
        for cell in line["months"]:
            cell["share_text"] = _percent(cell["share"])
            cell["url"] = _records_url(f, "complaint", "operator_settled", county=line["county"], month=cell["month"])
    for cell in data["month_totals"]:
        cell["share_text"] = _percent(cell["share"])
        cell["url"] = _records_url(f, "complaint", "operator_settled", month=cell["month"])
    data["total"]["share_text"] = _percent(data["total"]["share"])
    for line in data["sectors"]:
        line["share_text"] = _percent(line["share"])
        line["url"] = _records_url(f, "complaint", "operator_settled", sector=line["sector"]) if line["sector"] else ""
    charts = [
        {"kind": "bar", "title": f"{f.year} 年各旗县区经营者和解占比", "percent": True,
         "categories": [line["county_name"] for line in data["counties"]],
         "series": [{"name": "经营者和解占比", "data": [line["share"] for line in data["counties"]],
                     "links": [line["url"] for line in data["counties"]]}]},
        {"kind": "line", "title": f"{f.year} 年各月经营者和解占比", "percent": True,
         "categories": [f"{m} 月" for m in selectors.MONTHS],
         "series": [{"name": "经营者和解占比", "data": [c["share"] for c in data["month_totals"]],
                     "links": [c["url"] for c in data["month_totals"]]}]},
    ]
    _number(charts)
    return render(request, "stats/goal_two.html", {
        "title": GOAL_TITLES["two"], "form": form, "error": error, "data": data, "charts": charts,
        "xlsx": reverse("stats:goal_two_xlsx") + "?" + _xlsx_query(request)})


@page_for(reads_stats)
def goal_two_xlsx(request):
    _form, f, _error = _parse(request)
    data = selectors.goal_two(request.user, f)
    return xlsx_download(io.BytesIO(exports.goal_two_xlsx(data)), f"goal-2-{f.year}-{timezone.localdate():%Y%m%d}.xlsx")


# --- goal 四 -----------------------------------------------------------------------------------------------------

RATES = (("handling_rate", "处理率", "closed", "accepted"), ("success_rate", "处理成功率", "settled", "closed"),
         ("satisfaction_rate", "满意率", "satisfied", "ratings"))


@page_for(reads_stats)
def goal_four(request):
    form, f, error = _parse(request)
    data = selectors.goal_four(request.user, f, allow_stale=True)
    for line in [*data["months"], data["total"]]:
        month = line.get("month")
        for period, year in (("current", f.year), ("previous", f.year - 1)):
            values = line[period]
            values["cells"] = [{"label": label, "text": _percent(values[key]), "numerator": values[num],
                                "denominator": values[den],
                                "url": _records_url(f, "complaint", num, month=month, year=year),
                                "denominator_url": _records_url(f, "complaint", den, month=month, year=year)}
                               for key, label, num, den in RATES]
        line["periods"] = [line["current"], line["previous"]]
    for station in data["stations"]:
        station["coverage_text"] = _percent(station["coverage"])
        station["url"] = reverse("complaints:stations") + "?" + urlencode({"region": station["county"]})
    months = [f"{m} 月" for m in selectors.MONTHS]
    series = []
    for key, label, num, _den in RATES:
        for period, year in (("current", f.year), ("previous", f.year - 1)):
            series.append({"name": f"{label}（{year}）", "dashed": period == "previous",
                           "data": [line[period][key] for line in data["months"]],
                           "links": [_records_url(f, "complaint", num, month=line["month"], year=year)
                                     for line in data["months"]]})
    charts = [
        {"kind": "line", "title": f"{f.year} 年与 {f.year - 1} 年同月对比", "percent": True, "categories": months,
         "series": series},
        {"kind": "bar", "title": "维权服务站覆盖苏木乡镇（街道）", "percent": True,
         "categories": [s["county_name"] for s in data["stations"]],
         "series": [{"name": "覆盖率", "data": [s["coverage"] for s in data["stations"]],
                     "links": [s["url"] for s in data["stations"]]}]},
    ]
    _number(charts)
    return render(request, "stats/goal_four.html", {
        "title": GOAL_TITLES["four"], "form": form, "error": error, "data": data, "charts": charts,
        "xlsx": reverse("stats:goal_four_xlsx") + "?" + _xlsx_query(request)})


@page_for(reads_stats)
def goal_four_xlsx(request):
    _form, f, _error = _parse(request)
    data = selectors.goal_four(request.user, f)
    return xlsx_download(io.BytesIO(exports.goal_four_xlsx(data)), f"goal-4-{f.year}-{timezone.localdate():%Y%m%d}.xlsx")


# --- goal 三 -----------------------------------------------------------------------------------------------------

@page_for(reads_stats)
def goal_three(request):
    form, f, error = _parse(request)
    data = selectors.goal_three(request.user, f, allow_stale=True)
    for line in data["counties"]:
        line["rate_text"] = _percent(line["pass_rate"])
        line["url"] = _records_url(f, "inspection", "passed", county=line["county"])
        line["inspected_url"] = _records_url(f, "inspection", "inspected", county=line["county"])
        line["failed_url"] = _records_url(f, "inspection", "failed", county=line["county"])
    for line in data["months"]:
        line["rate_text"] = _percent(line["pass_rate"])
        line["url"] = _records_url(f, "inspection", "passed", month=line["month"])
        line["inspected_url"] = _records_url(f, "inspection", "inspected", month=line["month"])
    for line in data["sectors"]:
        line["rate_text"] = _percent(line["pass_rate"])
        line["url"] = _records_url(f, "inspection", "inspected", sector=line["sector"]) if line["sector"] else ""
    for line in data["problems"]:
        line["share_text"] = _percent(line["share"])
        line["url"] = _records_url(f, "inspection", line["outcome"])
    data["total"]["rate_text"] = _percent(data["total"]["pass_rate"])
    charts = [
        {"kind": "bar", "title": f"{f.year} 年各旗县区抽检合格率", "percent": True,
         "categories": [line["county_name"] for line in data["counties"]],
         "series": [{"name": "合格率", "data": [line["pass_rate"] for line in data["counties"]],
                     "links": [line["url"] for line in data["counties"]]}]},
        {"kind": "line", "title": f"{f.year} 年各月抽检合格率", "percent": True,
         "categories": [f"{m} 月" for m in selectors.MONTHS],
         "series": [{"name": "合格率", "data": [line["pass_rate"] for line in data["months"]],
                     "links": [line["url"] for line in data["months"]]}]},
        {"kind": "bar", "title": "发现的问题（按检查结果）",
         "categories": [line["label"] for line in data["problems"]],
         "series": [{"name": "件数", "data": [line["count"] for line in data["problems"]],
                     "links": [line["url"] for line in data["problems"]]}]},
    ]
    _number(charts)
    return render(request, "stats/goal_three.html", {
        "title": GOAL_TITLES["three"], "form": form, "error": error, "data": data, "charts": charts,
        "xlsx": reverse("stats:goal_three_xlsx") + "?" + _xlsx_query(request)})


@page_for(reads_stats)
def goal_three_xlsx(request):
    _form, f, _error = _parse(request)
    data = selectors.goal_three(request.user, f)
    return xlsx_download(io.BytesIO(exports.goal_three_xlsx(data)),
                         f"goal-3-{f.year}-{timezone.localdate():%Y%m%d}.xlsx")


# --- goal 五 -----------------------------------------------------------------------------------------------------

def _days(value) -> str:
    return "—" if value is None else f"{value:g} 天"


@page_for(reads_stats)
def goal_five(request):
    form, f, error = _parse(request)
    data = selectors.goal_five(request.user, f, allow_stale=True)
    for line in data["kinds"]:
        for cell in line["months"]:
            cell["url"] = _records_url(f, "warning", "detected", month=cell["month"], level=line["kind"])
        line["url"] = _records_url(f, "warning", "detected", level=line["kind"])
        line["acknowledged_url"] = _records_url(f, "warning", "acknowledged", level=line["kind"])
        line["closed_url"] = _records_url(f, "warning", "closed", level=line["kind"])
    for line in [*data["kinds"], *data["counties"], data["total"]]:
        line["acknowledged_text"] = _percent(line["acknowledged_share"])
        line["closed_text"] = _percent(line["closed_share"])
        line["median_text"] = _days(line["median_days"])
    for line in data["counties"]:
        line["url"] = _records_url(f, "warning", "detected", county=line["county"])
        line["closed_url"] = _records_url(f, "warning", "closed", county=line["county"])
    for cell in data["month_totals"]:
        cell["url"] = _records_url(f, "warning", "detected", month=cell["month"])
    charts = [
        {"kind": "bar", "title": f"{f.year} 年各月预警（按类型）", "categories": [f"{m} 月" for m in selectors.MONTHS],
         "series": [{"name": line["label"], "data": [c["detected"] for c in line["months"]],
                     "links": [c["url"] for c in line["months"]]} for line in data["kinds"]]},
        {"kind": "bar", "title": "各类预警的签收率和办结率", "percent": True,
         "categories": [line["label"] for line in data["kinds"]],
         "series": [{"name": "签收率", "data": [line["acknowledged_share"] for line in data["kinds"]],
                     "links": [line["acknowledged_url"] for line in data["kinds"]]},
                    {"name": "办结率", "data": [line["closed_share"] for line in data["kinds"]],
                     "links": [line["closed_url"] for line in data["kinds"]]}]},
    ]
    _number(charts)
    return render(request, "stats/goal_five.html", {
        "title": GOAL_TITLES["five"], "form": form, "error": error, "data": data, "charts": charts,
        "xlsx": reverse("stats:goal_five_xlsx") + "?" + _xlsx_query(request)})


@page_for(reads_stats)
def goal_five_xlsx(request):
    _form, f, _error = _parse(request)
    data = selectors.goal_five(request.user, f)
    return xlsx_download(io.BytesIO(exports.goal_five_xlsx(data)),
                         f"goal-5-{f.year}-{timezone.localdate():%Y%m%d}.xlsx")


# --- goal 六 -----------------------------------------------------------------------------------------------------

@page_for(reads_stats)
def goal_six(request):
    form, f, error = _parse(request)
    data = selectors.goal_six(request.user, f, allow_stale=True)
    for line in data["grade_counties"]:
        line["cells"] = [{"value": value, "url": _records_url(f, "grade", "entities", county=line["county"],
                                                               level=grade)}
                         for value, grade in zip(line["values"], data["grades"], strict=True)]
    data["grade_total_cells"] = [{"value": value, "url": _records_url(f, "grade", "entities", level=grade)}
                                 for value, grade in zip(data["grade_totals"], data["grades"], strict=True)]
    for line in data["lists"]:
        for measure in ("entered", "exited"):
            line[measure + "_cells"] = [
                {"value": value, "url": _records_url(f, "listentry", measure, month=month, level=line["kind"])}
                for month, value in zip(selectors.MONTHS, line[measure + "_months"], strict=True)]
            line[measure + "_url"] = _records_url(f, "listentry", measure, level=line["kind"])
    for line in data["publication"]:
        line["share_text"] = _percent(line["on_time_share"])
        for name, measure in (("on_time", "published_on_time"), ("late", "published_late"), ("overdue", "overdue")):
            line[name + "_url"] = _records_url(f, "inspection", measure, county=line["county"])
    data["publication_total"]["share_text"] = _percent(data["publication_total"]["on_time_share"])
    data["draw_share_text"] = _percent(data["draw_on_time_share"])
    for plan in data["draws"]:
        plan["url"] = reverse("inspections:plan_detail", args=[plan["id"]])
    months = [f"{m} 月" for m in selectors.MONTHS]
    charts = [
        {"kind": "bar", "title": "各旗县区信用等级分布（当前）",
         "categories": [line["county_name"] for line in data["grade_counties"]],
         "series": [{"name": f"{grade} 级", "data": [line["values"][i] for line in data["grade_counties"]],
                     "links": [line["cells"][i]["url"] for line in data["grade_counties"]]}
                    for i, grade in enumerate(data["grades"])]},
        {"kind": "line", "title": f"{f.year} 年各月列入和移出信用名单", "categories": months,
         "series": [{"name": f"{line['label']}{label}", "dashed": measure == "exited",
                     "data": line[measure + "_months"], "links": [c["url"] for c in line[measure + "_cells"]]}
                    for line in data["lists"] for measure, label in (("entered", "列入"), ("exited", "移出"))]},
        {"kind": "bar", "title": f"{f.year} 年抽查结果公示（按期 / 逾期）",
         "categories": [line["county_name"] for line in data["publication"]],
         "series": [{"name": label, "data": [line[name] for line in data["publication"]],
                     "links": [line[name + "_url"] for line in data["publication"]]}
                    for name, label in (("on_time", "按期公示"), ("late", "逾期公示"), ("overdue", "逾期未公示"))]},
    ]
    _number(charts)
    return render(request, "stats/goal_six.html", {
        "title": GOAL_TITLES["six"], "form": form, "error": error, "data": data, "charts": charts,
        "xlsx": reverse("stats:goal_six_xlsx") + "?" + _xlsx_query(request)})


@page_for(reads_stats)
def goal_six_xlsx(request):
    _form, f, _error = _parse(request)
    data = selectors.goal_six(request.user, f)
    return xlsx_download(io.BytesIO(exports.goal_six_xlsx(data)),
                         f"goal-6-{f.year}-{timezone.localdate():%Y%m%d}.xlsx")


# --- drill-down --------------------------------------------------------------------------------------------------

@page_for(reads_stats)
def records(request):
    """The records behind one cell, under the same definition and scope as the rollup figure."""
    params = request.GET
    error = None
    try:
        f = selectors.filters_from(year=params.get("year"), county=params.get("county", ""),
                                   sector=params.get("sector", ""), department=params.get("department", ""))
        if f.county and f.county not in selectors.scope_counties(request.user):
            raise NotFound("该旗县区不在您的管辖范围。")  # as the goal pages' county filter refuses it
        drill = selectors.drill_from(source=params.get("source", ""), measure=params.get("measure", ""),
                                     month=params.get("month"), level=params.get("level", ""))
        rows = selectors.drill_records(request.user, f, drill)
    except NotFound:
        raise  # outside the user's scope: the 404 page, as for a missing record
    except FangxinError as exc:
        f, drill, rows, error = None, None, None, exc.message
    page = Paginator(rows, 50).get_page(params.get("page")) if rows is not None else None
    query = params.copy()
    query.pop("page", None)
    return render(request, "stats/records.html", {
        "title": "统计明细", "error": error, "f": f, "drill": drill, "page": page, "query": query.urlencode()})
