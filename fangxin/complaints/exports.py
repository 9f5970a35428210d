"""XLSX export of a work queue. Personal information is masked unless the caller asked for it and is allowed
(the view checks and audits that); free text goes through the triage masking either way it is masked."""

import io

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook

from fangxin.core.import_reports import plain_cells

from .document_render import mask_complainant
from .templatetags.complaint_tags import mask_name, mask_phone

HEADERS = ["投诉编号", "类别", "来源渠道", "收到日期", "状态", "旗县区", "行业", "承办部门", "承办人",
           "投诉人", "联系电话", "证件号码", "被投诉经营者", "统一社会信用代码", "商品或服务", "涉及金额（元）", "投诉内容",
           "投诉请求", "当前期限", "期限日期", "剩余工作日", "办结日期", "挽回经济损失（元）", "满意度"]


def _row(complaint, include_personal: bool) -> list:
    line = getattr(complaint, "current_deadline", None)
    if include_personal:
        name, phone, id_number = complaint.complainant_name, complaint.complainant_phone, complaint.complainant_id_number
        description, demand = complaint.description, complaint.demand
    else:
        name, phone = mask_name(complaint.complainant_name), mask_phone(complaint.complainant_phone)
        id_number = "（已隐去）" if complaint.complainant_id_number else ""
        description = mask_complainant(complaint.description, complaint)
        demand = mask_complainant(complaint.demand, complaint)
    return [
        complaint.tracking_no, complaint.get_kind_display(), complaint.get_channel_display(), complaint.received_on,
        complaint.get_status_display(), complaint.region.name, complaint.sector.name if complaint.sector else "",
        complaint.department.name if complaint.department else "",
        complaint.assignee.display_name if complaint.assignee else "", name, phone, id_number, complaint.business_name,
        complaint.business_uscc, complaint.item, complaint.amount, description, demand,
        line.label if line else "", line.due if line else None,
        line.days_left if line and not line.paused else None, complaint.closed_on, complaint.recovered_amount,
        complaint.rating,
    ]


def complaints_xlsx(rows, *, include_personal: bool = False) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("投诉举报")
    sheet.append(HEADERS)
    for complaint in rows:
        sheet.append(plain_cells(sheet, _row(complaint, include_personal)))  # typed text never becomes a formula
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def complaints_xlsx_response(rows, *, include_personal: bool = False) -> HttpResponse:
    response = HttpResponse(complaints_xlsx(rows, include_personal=include_personal),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    suffix = "-personal" if include_personal else ""
    response["Content-Disposition"] = f'attachment; filename="complaints-{timezone.localdate():%Y%m%d}{suffix}.xlsx"'
    return response
