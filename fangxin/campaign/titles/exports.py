"""XLSX download of an evaluation standard: the facts on top, then the items grouped by the five dimensions."""

import io

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from .choices import ItemKind

ITEM_HEADERS = ["序号", "维度", "类别", "评价内容", "分值", "评分办法", "应提供的材料"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def dimension_groups(standard) -> list[dict]:
    """The items grouped by dimension in the dimensions' order, with each group's scored and bonus points."""
    groups: dict[int, dict] = {}
    for item in sorted(standard.items.all(), key=lambda i: (i.dimension.seq, i.seq)):
        group = groups.setdefault(item.dimension_id, {"dimension": item.dimension, "items": [], "scored": 0,
                                                      "bonus": 0})
        group["items"].append(item)
        if item.kind == ItemKind.SCORED:
            group["scored"] += item.points
        elif item.kind == ItemKind.BONUS:
            group["bonus"] += item.points
    return list(groups.values())


def standard_facts(standard) -> list[tuple[str, str]]:
    published = timezone.localtime(standard.published_at).strftime("%Y-%m-%d") if standard.published_at else "未发布"
    return [
        ("行业", standard.sector.name), ("级别", standard.get_level_display()), ("版本", f"第 {standard.version} 版"),
        ("状态", standard.get_status_display()), ("合格分", f"{standard.pass_mark}"),
        ("评分项满分", f"{standard.max_score}"), ("制定部门", standard.owner.name), ("发布日期", published),
        ("修订说明", standard.note or "—"),
    ]


def standard_xlsx(standard) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "评价标准"
    sheet.append([standard.title])
    sheet["A1"].font = Font(bold=True, size=14)
    for label, value in standard_facts(standard):
        sheet.append([label, value])
    sheet.append([])
    sheet.append(ITEM_HEADERS)
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    group_fill = PatternFill("solid", fgColor="F6F3EF")
    for group in dimension_groups(standard):
        sheet.append([f"{group['dimension'].name}（评分项 {group['scored']} 分"
                      + (f"，加分项 {group['bonus']} 分" if group["bonus"] else "") + "）"])
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
        for cell in sheet[sheet.max_row]:
            cell.fill = group_fill
        for item in group["items"]:
            sheet.append([item.seq, item.dimension.name, item.get_kind_display(), item.text,
                          float(item.points), item.guidance, item.evidence])
    for column, width in zip("ABCDEFG", (8, 16, 12, 50, 8, 36, 36), strict=True):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=header_row + 1):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def standard_xlsx_response(standard) -> HttpResponse:
    response = HttpResponse(standard_xlsx(standard), content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="standard-{standard.sector.code}-{standard.level}-v{standard.version}.xlsx"')
    return response
