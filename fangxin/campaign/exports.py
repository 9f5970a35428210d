"""XLSX exports of the roster (staff live in Excel)."""

import io

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook

from fangxin.core.import_reports import plain_cells

ROSTER_HEADERS = ["创建单位编号", "名称", "统一社会信用代码", "旗县区", "行业", "经营场所", "状态", "标志展示方式",
                  "签署人", "签署日期", "统一承诺版本"]


def roster_xlsx_response(enrollments) -> HttpResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("创建单位名录")
    sheet.append(ROSTER_HEADERS)
    for e in enrollments.iterator(chunk_size=2000):
        sheet.append(plain_cells(sheet, [  # imported names and addresses never become formulas
            e.serial, e.entity.name, e.entity.uscc, e.entity.region.name, e.entity.sector.name, e.entity.address,
            e.get_status_display(), e.get_display_method_display(), e.signed_name,
            timezone.localtime(e.signed_at).date(), e.commitment_id and e.commitment.version]))
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="roster-{timezone.localdate():%Y%m%d}.xlsx"'
    return response
