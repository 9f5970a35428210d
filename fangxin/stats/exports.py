"""XLSX of each dashboard: the same tables the page shows, one sheet per table, rates as fractions formatted as
percentages so a spreadsheet can compute with them."""

import io

from openpyxl import Workbook
from openpyxl.styles import Font

PERCENT = "0.0%"
MONTH_LABELS = [f"{m} 月" for m in range(1, 13)]


def _sheet(workbook, title: str, header: list[str], rows: list[list], percent_columns=()) -> None:
    sheet = workbook.create_sheet(title)
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    for column in percent_columns:
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            cell.number_format = PERCENT
    sheet.freeze_panes = "B2"


def _bytes(workbook) -> bytes:
    del workbook["Sheet"]
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _filters_row(filters: dict, labels: dict) -> list[list]:
    return [["筛选条件", "值"]] + [[labels[name], value or "全部"] for name, value in filters.items()]


FILTER_LABELS = {"year": "年度", "county": "旗县区代码", "sector": "行业代码", "department": "部门代码"}


def goal_one_xlsx(data: dict) -> bytes:
    workbook = Workbook()
    sectors = [s["name"] for s in data["sectors"]]
    rows = [[line["county_name"], *line["values"], line["total"]] for line in data["counties"]]
    rows.append(["合计", *data["sector_totals"], data["total"]])
    _sheet(workbook, "行业×旗县区", ["旗县区", *sectors, "合计"], rows)
    if data["levels"]:
        _sheet(workbook, "按级别", ["级别", "数量"], [[level["label"], level["total"]] for level in data["levels"]])
    _sheet(workbook, "协作机制", ["旗县区", "已建立", "建立日期", "文件文号"],
           [[m["county_name"], "是" if m["in_place"] else "否", m["established_on"] or "", m["document_no"]]
            for m in data["mechanisms"]])
    conditions = [*_filters_row(data["filters"], FILTER_LABELS), ["指标", data["measure_label"]]]
    _sheet(workbook, "说明", conditions[0], conditions[1:])
    return _bytes(workbook)


def goal_two_xlsx(data: dict) -> bytes:
    workbook = Workbook()
    rows = [[line["county_name"], line["operator_settled"], line["closed"], line["share"]] for line in data["counties"]]
    rows.append(["合计", data["total"]["operator_settled"], data["total"]["closed"], data["total"]["share"]])
    _sheet(workbook, "按旗县区", ["旗县区", "经营者和解", "办结", "经营者和解占比"], rows, percent_columns=(4,))
    monthly = [[line["county_name"], *[m["share"] for m in line["months"]]] for line in data["counties"]]
    monthly.append(["合计", *[m["share"] for m in data["month_totals"]]])
    _sheet(workbook, "按月占比", ["旗县区", *MONTH_LABELS], monthly, percent_columns=range(2, 14))
    counts = [[line["county_name"], *[f"{m['operator_settled']}/{m['closed']}" for m in line["months"]]]
              for line in data["counties"]]
    _sheet(workbook, "按行业", ["行业", "经营者和解", "办结", "经营者和解占比"],
           [[line["sector_name"], line["operator_settled"], line["closed"], line["share"]] for line in data["sectors"]],
           percent_columns=(4,))
    _sheet(workbook, "按月件数", ["旗县区（经营者和解/办结）", *MONTH_LABELS], counts)
    conditions = _filters_row(data["filters"], FILTER_LABELS)
    _sheet(workbook, "说明", conditions[0], [*conditions[1:], ["口径", "按收到月份统计的投诉中，经营者和解件数 ÷ 办结件数"]])
    return _bytes(workbook)


def goal_four_xlsx(data: dict) -> bytes:
    workbook = Workbook()
    year, previous = data["year"], data["previous_year"]
    header = ["月份"]
    for label in ("受理", "办结", "和解或调解成功", "评价", "满意", "处理率", "处理成功率", "满意率"):
        header += [f"{year} {label}", f"{previous} {label}"]
    parts = ("accepted", "closed", "settled", "ratings", "satisfied", "handling_rate", "success_rate",
             "satisfaction_rate")
    rows = []
    for line in [*data["months"], {"month": "全年", **data["total"]}]:
        label = f"{line['month']} 月" if isinstance(line["month"], int) else line["month"]
        row = [label]
        for part in parts:
            row += [line["current"][part], line["previous"][part]]
        rows.append(row)
    _sheet(workbook, "处理情况", header, rows, percent_columns=range(12, 18))
    stations = [[s["county_name"], s["stations"], s["towns_covered"], s["towns"] if s["towns"] is not None else "—",
                 s["coverage"]] for s in data["stations"]]
    _sheet(workbook, "维权服务站", ["旗县区", "在用服务站", "覆盖苏木乡镇", "苏木乡镇总数", "覆盖率"], stations,
           percent_columns=(5,))
    conditions = _filters_row(data["filters"], FILTER_LABELS)
    _sheet(workbook, "说明", conditions[0], [*conditions[1:], ["处理率", "办结 ÷ 受理（含经营者和解）"], ["处理成功率", "和解或调解成功 ÷ 办结"], ["满意率", "评价 4–5 分 ÷ 评价件数（未评价不计）"], ["队列", "按投诉收到月份统计"]])
    return _bytes(workbook)


def goal_three_xlsx(data: dict) -> bytes:
    workbook = Workbook()
    header = ["已检查", "合格", "发现问题", "无法联系", "拒绝检查", "合格率"]
    parts = ("inspected", "passed", "problems", "not_found", "refused", "pass_rate")
    rows = [[line["county_name"], *[line[p] for p in parts]] for line in data["counties"]]
    rows.append(["合计", *[data["total"][p] for p in parts]])
    _sheet(workbook, "按旗县区", ["旗县区", *header], rows, percent_columns=(7,))
    _sheet(workbook, "按月", ["月份", *header], [[f"{line['month']} 月", *[line[p] for p in parts]]
                                                 for line in data["months"]], percent_columns=(7,))
    _sheet(workbook, "按行业", ["行业", *header], [[line["sector_name"], *[line[p] for p in parts]]
                                                   for line in data["sectors"]], percent_columns=(7,))
    _sheet(workbook, "发现的问题", ["检查结果", "件数", "占不合格"],
           [[line["label"], line["count"], line["share"]] for line in data["problems"]], percent_columns=(3,))
    conditions = _filters_row(data["filters"], FILTER_LABELS)
    _sheet(workbook, "说明", conditions[0], [*conditions[1:], ["合格率", "检查合格 ÷ 已录入结果的检查，按检查月份"],
                                             ["部门", "抽查计划的牵头部门"]])
    return _bytes(workbook)


def goal_five_xlsx(data: dict) -> bytes:
    workbook = Workbook()
    rows = [[line["label"], *[c["detected"] for c in line["months"]], line["detected"]] for line in data["kinds"]]
    rows.append(["合计", *[c["detected"] for c in data["month_totals"]], data["total"]["detected"]])
    _sheet(workbook, "按类型和月份", ["预警类型", *MONTH_LABELS, "全年"], rows)
    parts = ("detected", "high", "acknowledged", "acknowledged_share", "closed", "closed_share", "median_days")
    header = ["预警", "高等级", "已签收", "签收率", "已办结", "办结率", "中位处置天数"]
    handling = [[line["label"], *[line[p] for p in parts]] for line in data["kinds"]]
    handling.append(["合计", *[data["total"][p] for p in parts]])
    _sheet(workbook, "处置情况", ["预警类型", *header], handling, percent_columns=(5, 7))
    _sheet(workbook, "按旗县区", ["旗县区", *header],
           [[line["county_name"], *[line[p] for p in parts]] for line in data["counties"]], percent_columns=(5, 7))
    conditions = _filters_row(data["filters"], FILTER_LABELS)
    _sheet(workbook, "说明", conditions[0], [*conditions[1:], ["期间", "预警首次发现的月份"],
                                             ["处置天数", "首次发现到办结的整天数，已办结预警的中位数"]])
    return _bytes(workbook)


def goal_six_xlsx(data: dict) -> bytes:
    workbook = Workbook()
    grades = [f"{g} 级" for g in data["grades"]]
    rows = [[line["county_name"], *line["values"], line["total"]] for line in data["grade_counties"]]
    rows.append(["合计", *data["grade_totals"], data["grade_total"]])
    _sheet(workbook, "信用等级", ["旗县区", *grades, "合计"], rows)
    lists = []
    for line in data["lists"]:
        lists.append([line["label"], "列入", *line["entered_months"], line["entered"], line["current"]])
        lists.append([line["label"], "移出", *line["exited_months"], line["exited"], ""])
    _sheet(workbook, "信用名单", ["名单", "变动", *MONTH_LABELS, "全年", "目前在列"], lists)
    parts = ("on_time", "late", "overdue", "pending", "on_time_share")
    publication = [[line["county_name"], *[line[p] for p in parts]] for line in data["publication"]]
    publication.append(["合计", *[data["publication_total"][p] for p in parts]])
    _sheet(workbook, "结果公示", ["旗县区", "按期公示", "逾期公示", "逾期未公示", "待公示（未到期）", "按期率"], publication,
           percent_columns=(6,))
    _sheet(workbook, "抽签", ["抽查计划", "牵头部门", "旗县区", "抽取截止", "抽取日期", "情况"],
           [[p["name"], p["department"], p["counties"], p["draw_due"], p["drawn_on"] or "", p["state_label"]]
            for p in data["draws"]])
    conditions = _filters_row(data["filters"], FILTER_LABELS)
    _sheet(workbook, "说明", conditions[0], [*conditions[1:], ["信用等级", "当前等级，不随年度变化"],
                                             ["抽签按期", "抽取截止日期当天或之前完成抽取"],
                                             ["结果公示按期", "在公示期限（录入后 20 个工作日）内公示"]])
    return _bytes(workbook)
