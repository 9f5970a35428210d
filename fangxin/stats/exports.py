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
