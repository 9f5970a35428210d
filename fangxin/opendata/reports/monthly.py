"""The monthly complaint analysis (月度投诉分析) as XLSX: the month's complaint metrics (complaints.metrics, DESIGN 4)
overall and by county, sector and problem type, against the previous month and the same month last year.

The cohort is the complaints received in the month, within the requester's scope (`Complaint.objects.visible_to`),
so every figure equals `complaint_metrics` for the same month and scope."""

import datetime as dt
import io

from fangxin.complaints.metrics import Metrics, cohort, complaint_metrics
from fangxin.complaints.models import Complaint
from fangxin.core.exceptions import ValidationFailed
from fangxin.organisation.selectors import sector_list
from fangxin.stats.selectors import scope_counties
from fangxin.triage.choices import ProblemType

COLUMNS = (("received", "收到", "0"), ("accepted", "受理", "0"), ("closed", "办结", "0"),
           ("settled", "和解或调解成功", "0"), ("operator_settled", "经营者和解", "0"), ("ratings", "评价数", "0"),
           ("satisfied", "满意数", "0"), ("handling_rate", "处理率", "0.0%"), ("success_rate", "处理成功率", "0.0%"),
           ("satisfaction_rate", "满意率", "0.0%"), ("operator_share", "经营者和解占比", "0.0%"),
           ("recovered_amount", "挽回经济损失（元）", "#,##0.00"), ("median_workdays_to_close", "办结用时中位数（工作日）", "0.0"),
           ("overdue", "超期未办结", "0"))
COMPARED = (("received", "收到"), ("handling_rate", "处理率"), ("success_rate", "处理成功率"),
            ("satisfaction_rate", "满意率"))


def parse_month(text: str) -> dt.date:
    try:
        year, month = (int(part) for part in str(text).split("-"))
        return dt.date(year, month, 1)
    except (TypeError, ValueError):
        raise ValidationFailed("月份格式应为 YYYY-MM，例如 2026-10。", details={"field": "month"}) from None


def month_range(first: dt.date) -> tuple[dt.date, dt.date]:
    following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def previous_month(first: dt.date) -> dt.date:
    return (first - dt.timedelta(days=1)).replace(day=1)


def same_month_last_year(first: dt.date) -> dt.date:
    return first.replace(year=first.year - 1)


def _metrics(user, first: dt.date, **scope) -> Metrics:
    start, end = month_range(first)
    return complaint_metrics(start=start, end=end, queryset=Complaint.objects.visible_to(user), **scope)


def _problem_ids(user, first: dt.date) -> dict[str, list[int]]:
    start, end = month_range(first)
    ids: dict[str, list[int]] = {code: [] for code in ProblemType.values}
    for pk, types in cohort(start=start, end=end, queryset=Complaint.objects.visible_to(user)).values_list(
            "id", "problem_types"):
        for code in types or []:
            ids.setdefault(code, []).append(pk)
    return ids


def groups(user, first: dt.date) -> dict[str, list[tuple[str, dict]]]:
    """For each sheet, (label, scope kwargs) pairs."""
    return {
        "按旗县区": [(county.name, {"region": county}) for county in scope_counties(user)],
        "按行业": [(sector.name, {"sector": sector}) for sector in sector_list()],
        "按问题类型": [(label, {"problem_type": code}) for code, label in ProblemType.choices],
    }


def analysis(user, first: dt.date, progress=lambda percent, step: None) -> dict:
    months = {"current": first, "previous": previous_month(first), "last_year": same_month_last_year(first)}
    problem_ids = {name: _problem_ids(user, month) for name, month in months.items()}

    def metrics_for(name, scope):
        if "problem_type" in scope:
            ids = problem_ids[name].get(scope["problem_type"], [])
            start, end = month_range(months[name])
            return complaint_metrics(start=start, end=end, queryset=Complaint.objects.visible_to(user).filter(pk__in=ids))
        return _metrics(user, months[name], **scope)

    result = {"month": first, "months": months,
              "overall": {name: _metrics(user, month) for name, month in months.items()}, "sheets": {}}
    sheet_groups = groups(user, first)
    for index, (sheet, pairs) in enumerate(sheet_groups.items()):
        progress(10 + index * 28, f"统计{sheet}")
        result["sheets"][sheet] = [(label, {name: metrics_for(name, scope) for name in months}) for label, scope in pairs]
    return result


def _change(current, before):
    if current is None or before is None:
        return None
    return current - before


def render_xlsx(data: dict) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    bold = Font(bold=True)
    book = Workbook()
    first = data["month"]
    months = data["months"]
    sheet = book.active
    sheet.title = "总览"
    sheet.append([f"{first.year} 年 {first.month} 月消费投诉分析"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(["口径：当月收到的投诉（不含举报）；处理率 = 办结 ÷ 受理，处理成功率 = 和解或调解成功 ÷ 办结，"
                  "满意率 = 4–5 分评价 ÷ 评价数。"])
    sheet.append([])
    sheet.append(["指标", f"本月（{first:%Y-%m}）", f"上月（{months['previous']:%Y-%m}）",
                  f"去年同月（{months['last_year']:%Y-%m}）", "环比变化", "同比变化"])
    for cell in sheet[4]:
        cell.font = bold
    overall = data["overall"]
    for key, label, number_format in COLUMNS:
        values = [getattr(overall[name], key) for name in ("current", "previous", "last_year")]
        values = [float(v) if key == "recovered_amount" else v for v in values]
        sheet.append([label, *values, _change(values[0], values[1]), _change(values[0], values[2])])
        for cell in sheet[sheet.max_row][1:]:
            cell.number_format = number_format
    sheet.column_dimensions["A"].width = 26
    for column in "BCDEF":
        sheet.column_dimensions[column].width = 18

    for title, rows in data["sheets"].items():
        ws = book.create_sheet(title)
        header = [title[1:]] + [label for _, label, _ in COLUMNS]
        header += [f"上月{label}" for _, label in COMPARED] + [f"去年同月{label}" for _, label in COMPARED]
        ws.append(header)
        for cell in ws[1]:
            cell.font = bold
        column_format = {key: fmt for key, _, fmt in COLUMNS}
        formats = [fmt for _, _, fmt in COLUMNS] + [column_format[key] for key, _ in COMPARED] * 2
        for label, metrics in rows:
            line = [label] + [_cell(metrics["current"], key) for key, _, _ in COLUMNS]
            line += [_cell(metrics["previous"], key) for key, _ in COMPARED]
            line += [_cell(metrics["last_year"], key) for key, _ in COMPARED]
            ws.append(line)
            for cell, fmt in zip(ws[ws.max_row][1:], formats, strict=False):
                cell.number_format = fmt
        total = ["合计"] + [_cell(overall["current"], key) for key, _, _ in COLUMNS]
        total += [_cell(overall["previous"], key) for key, _ in COMPARED]
        total += [_cell(overall["last_year"], key) for key, _ in COMPARED]
        ws.append(total)
        for cell, fmt in zip(ws[ws.max_row][1:], formats, strict=False):
            cell.number_format = fmt
            cell.font = bold
        ws.cell(ws.max_row, 1).font = bold
        if title == "按问题类型":
            ws.append(["注：一件投诉可有多个问题类型，各行相加可能大于合计。"])
        ws.column_dimensions["A"].width = 16
        ws.freeze_panes = "B2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _cell(metrics: Metrics, key: str):
    value = getattr(metrics, key)
    return float(value) if key == "recovered_amount" else value


def build(user, month: str, progress=lambda percent, step: None) -> bytes:
    first = parse_month(month)
    data = analysis(user, first, progress)
    progress(95, "排版文件")
    return render_xlsx(data)
