"""The credit lists as CSV and JSON for the enterprise credit publicity system (docs/credit-lists.md documents
every field). One record per list entry; the same records in both formats and in the API.

CSV: UTF-8 with a byte-order mark (Excel opens it as UTF-8), a header row of the Chinese column names below, one
line per entry, dates as YYYY-MM-DD, empty cells for "none". A cell that starts with = + - @ gets a leading
apostrophe so a spreadsheet never takes it for a formula."""

import csv
import io
import json

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone

FORMAT_VERSION = 1

# (key in JSON, column name in CSV, JSON type, meaning) — the order of the CSV columns.
FIELDS: tuple[tuple[str, str, str, str], ...] = (
    ("id", "记录编号", "integer", "本系统中名单记录的编号，长期不变；同一主体再次列入是新的记录"),
    ("uscc", "统一社会信用代码", "string", "18 位统一社会信用代码"),
    ("name", "市场主体名称", "string", "登记名称"),
    ("county_code", "所在旗县区代码", "string", "6 位行政区划代码"),
    ("county_name", "所在旗县区", "string", "旗县区名称"),
    ("list", "名单代码", "string", "abnormal 经营异常名录；serious 严重违法失信名单；warning 警示名单"),
    ("list_name", "名单名称", "string", "名单的中文名称"),
    ("reason_code", "列入事由代码", "string", "见本页“列入事由代码”表"),
    ("reason", "列入事由", "string", "列入决定中写明的事由"),
    ("authority", "作出决定机关", "string", "作出列入决定的机关"),
    ("document_number", "列入决定书文号", "string", "列入决定书的文号"),
    ("entered_on", "列入日期", "string (date)", "YYYY-MM-DD"),
    ("status", "状态", "string", "current 在名单中；exited 已移出"),
    ("exited_on", "移出日期", "string (date) 或 null", "YYYY-MM-DD；在名单中时为 null（CSV 为空）"),
    ("exit_reason", "移出原因代码", "string 或 null", "remedied 已改正；repair_served 信用修复期满；"
                                                       "decision_revoked 决定被撤销；在名单中时为 null"),
    ("exit_reason_name", "移出原因", "string 或 null", "移出原因的中文名称"),
    ("exit_document_number", "移出决定书文号", "string 或 null", "移出决定书的文号"),
)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def record(entry) -> dict:
    """One list entry as an export record (the keys of FIELDS)."""
    exited = entry.exited_on is not None
    return {
        "id": entry.pk,
        "uscc": entry.entity.uscc,
        "name": entry.entity.name,
        "county_code": entry.entity.region.code,
        "county_name": entry.entity.region.name,
        "list": entry.kind,
        "list_name": entry.get_kind_display(),
        "reason_code": entry.reason_code,
        "reason": entry.reason,
        "authority": entry.authority,
        "document_number": entry.document_number,
        "entered_on": entry.entered_on.isoformat(),
        "status": "exited" if exited else "current",
        "exited_on": entry.exited_on.isoformat() if exited else None,
        "exit_reason": (entry.exit_reason or None) if exited else None,
        "exit_reason_name": (entry.get_exit_reason_display() or None) if exited else None,
        "exit_document_number": (entry.exit_document_number or None) if exited else None,
    }


def document(entries, *, kind: str, status: str) -> dict:
    """The JSON export: what was asked for, when it was made, and the records."""
    records = [record(entry) for entry in entries]
    return {"format_version": FORMAT_VERSION, "generated_at": timezone.localtime().isoformat(timespec="seconds"),
            "list": kind or None, "status": status, "count": len(records), "records": records}


def _safe(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


class _Echo:
    def write(self, value):
        return value


def csv_rows(entries):
    """The CSV text, line by line: the BOM and header first."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([column for _, column, _, _ in FIELDS])
    for entry in entries:
        data = record(entry)
        yield writer.writerow([_safe(data[key]) for key, _, _, _ in FIELDS])


def csv_response(entries, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse((line.encode("utf-8") for line in csv_rows(entries)),
                                     content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_text(entries) -> str:
    buffer = io.StringIO()
    for line in csv_rows(entries):
        buffer.write(line)
    return buffer.getvalue()


def json_response(entries, *, kind: str, status: str, filename: str) -> HttpResponse:
    body = json.dumps(document(entries, kind=kind, status=status), ensure_ascii=False, indent=1)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
