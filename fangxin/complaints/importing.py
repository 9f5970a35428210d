"""Batch import of complaints from XLSX or CSV, e.g. an export of the national 12315 platform (docs/complaints.md).

The policy is the registry import's (docs/import.md): the whole file is read and every row checked first; a file
that cannot be read at all (not XLSX/CSV, empty, no header, a required column missing, too many rows) is refused
with one Chinese line and nothing is written; otherwise the good rows are imported — each one through
`services.complaint_submit(channel="import")`, its own transaction — and the bad rows are listed (row number,
column, Chinese message) on the page and in a downloadable XLSX error report that can be fixed in Excel and
uploaded again as it is. A row whose 外部编号 (the 12315 number) is already in the system is skipped and reported
as already imported, so importing the same file twice never duplicates a complaint.
"""

import io
import os
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, BinaryIO, ClassVar

from django.utils import timezone

from fangxin.accounts.choices import STAFF_ROLES, Role
from fangxin.core import uscc as uscc_rules
from fangxin.core.actors import SYSTEM_ROLE, Actor
from fangxin.core.exceptions import FangxinError, PermissionDenied
from fangxin.core.import_reports import (
    REPORT_COLUMN_HEADER,
    REPORT_MESSAGE_HEADER,
    REPORT_ROW_HEADER,
    error_rows_xlsx,
)
from fangxin.merchants import tables
from fangxin.merchants.importing import ImportFileError, cell_text, header_key  # noqa: F401 (callers catch importing.ImportFileError)
from fangxin.organisation.models import Region

from . import deadlines, routing, services
from .choices import Channel, Kind
from .identity import normalise_id_number
from .models import Complaint
from .validation import normalise_phone, parse_amount

MAX_ROWS = 2000                 # rows are imported in the request, one transaction each
HEADER_SEARCH_ROWS = 10         # a title row or two above the header is fine
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    help: str = ""
    max_length: int | None = None


COLUMNS: tuple[Column, ...] = (
    Column("external_ref", "外部编号", False, ("投诉编号", "登记编号", "12315编号", "工单编号", "投诉举报编号", "诉求编号"),
           "12315 等平台的登记编号；同一编号只导入一次，再次导入时跳过。", 60),
    Column("kind", "类别", False, ("投诉举报类别", "诉求类型"), "投诉 或 举报，空白为投诉。"),
    Column("received_on", "收到日期", True, ("登记日期", "登记时间", "接收日期", "收到时间", "投诉日期", "投诉时间"),
           "如 2026-11-20，不能晚于今天；期限从这一天起算。"),
    Column("complainant_name", "投诉人", True, ("投诉人姓名", "消费者", "消费者姓名", "姓名", "举报人"), "", 60),
    Column("complainant_phone", "联系电话", True, ("投诉人电话", "电话", "手机", "手机号码", "联系方式"),
           "11 位手机号码或带区号的固定电话。"),
    Column("complainant_address", "联系地址", False, ("投诉人地址", "消费者地址"), "", 200),
    Column("complainant_id_number", "证件号码", False, ("身份证号", "身份证号码", "投诉人身份证号码", "证件号"),
           "选填：18 位居民身份证号码（核对校验位）。", 20),
    Column("business_name", "被投诉经营者", True, ("被投诉经营者名称", "被投诉方", "被投诉单位", "被投诉人", "经营者名称"),
           "名称与名录一致时自动关联到该市场主体。", 120),
    Column("business_uscc", "统一社会信用代码", False, ("社会信用代码", "信用代码", "被投诉方统一社会信用代码"),
           "填写后按代码关联名录中的市场主体。"),
    Column("business_address", "经营者地址", False, ("被投诉方地址", "被投诉经营者地址", "经营地址"), "", 200),
    Column("platform_name", "所在网络平台", False, ("网络平台", "平台", "电商平台"), "网购的填写平台名称，如 淘宝。", 60),
    Column("region", "事发旗县区", False, ("旗县区", "事发地", "事发地区", "所在旗县区", "区县", "属地"),
           "旗县区名称或 6 位区划代码；被投诉经营者不在名录中时必填（旗县区工作人员可不填，默认本旗县区）。"),
    Column("item", "商品或服务", True, ("商品或服务名称", "商品名称", "服务名称", "涉及商品", "涉及商品或服务"), "", 120),
    Column("purchased_on", "消费日期", False, ("购买日期", "消费时间", "购买时间"), "如 2026-11-18。"),
    Column("amount", "金额", False, ("涉及金额", "涉案金额", "消费金额", "金额（元）", "涉及金额（元）"), "元，最多两位小数。"),
    Column("description", "投诉内容", True, ("投诉问题", "问题描述", "事实与理由", "举报内容", "诉求内容"), "", 5000),
    Column("demand", "投诉请求", True, ("诉求", "投诉诉求", "消费者诉求", "请求"), "举报可以空白。", 2000),
    Column("consent_publication", "同意公示", False, ("是否同意公示",), "是 或 否，空白为否。"),
    Column("consent_mediation", "同意调解", False, ("是否同意调解",), "是 或 否，空白为否。"),
)
COLUMN_BY_FIELD = {column.field: column for column in COLUMNS}
REQUIRED_FIELDS = tuple(column.field for column in COLUMNS if column.required)
# what a service's ValidationFailed names (details["field"]) → our column
SERVICE_FIELDS = {"region_code": "region", "entity": "business_name", "problem_types": "", "sector": ""}
REPORT_KEYS = {header_key(REPORT_ROW_HEADER), header_key(REPORT_COLUMN_HEADER), header_key(REPORT_MESSAGE_HEADER)}
YES = {"是", "y", "yes", "true", "1", "同意", "√", "✓", "对"}
NO = {"否", "n", "no", "false", "0", "不同意", "×", "✗", "不"}
KINDS = {"投诉": Kind.COMPLAINT, "complaint": Kind.COMPLAINT, "举报": Kind.REPORT, "report": Kind.REPORT}


def _header_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for column in COLUMNS:
        for name in (column.header, *column.aliases):
            index.setdefault(header_key(name), column.field)
    return index


HEADER_INDEX = _header_index()


# --- results ---------------------------------------------------------------------------------------------------

class Problem(tables.Problem):
    headers: ClassVar[dict[str, str]] = {column.field: column.header for column in COLUMNS}


RowError = tables.RowError


@dataclass
class ParsedRow:
    row: int
    data: services.ComplaintInput
    cells: tuple = ()


@dataclass
class ImportResult:
    file_name: str
    dry_run: bool = False
    headers: list[str] = field(default_factory=list)
    rows: int = 0
    imported: list[tuple[int, str]] = field(default_factory=list)      # (row, tracking number)
    already: list[tuple[int, str, str]] = field(default_factory=list)  # (row, external ref, tracking number)
    duplicates: list[tuple[int, str]] = field(default_factory=list)   # same complaint within 10 minutes
    valid: int = 0                                                     # rows that passed the checks
    errors: list[RowError] = field(default_factory=list)

    def summary(self) -> str:
        if self.dry_run:
            return (f"试导入完成（未写入任何数据）：共 {self.rows} 行，可导入 {self.valid}，"
                    f"已导入过（将跳过） {len(self.already)}，有误 {len(self.errors)}。")
        text = f"导入完成：共 {self.rows} 行，新登记 {len(self.imported)}，已导入过（跳过） {len(self.already)}"
        if self.duplicates:
            text += f"，与刚登记的投诉重复 {len(self.duplicates)}"
        return text + f"，有误（未导入） {len(self.errors)}。"


def may_import(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.role in STAFF_ROLES)


# --- reading the file ------------------------------------------------------------------------------------------

TABLE_SPEC = tables.TableSpec(
    header_index=HEADER_INDEX, headers_by_field={f: c.header for f, c in COLUMN_BY_FIELD.items()},
    required=REQUIRED_FIELDS, max_rows=MAX_ROWS, header_search_rows=HEADER_SEARCH_ROWS, row_noun="投诉",
    noun="投诉", header_examples="“收到日期”“投诉人”“联系电话”")


def read_table(source: str | os.PathLike | BinaryIO, name: str = "") -> tables.Table:
    """The header and the data rows of an XLSX (first sheet with a header) or CSV, judged by content."""
    return tables.read_table(source, TABLE_SPEC, name)


# --- checking a row --------------------------------------------------------------------------------------------

class Counties:
    """Counties by 6-digit code, by name and by name with the parents' names (巴彦淖尔市临河区)."""

    def __init__(self):
        regions = list(Region.objects.all())
        by_id = {region.pk: region for region in regions}
        self.by_key: dict[str, list[Region]] = {}
        self.examples = sorted((r for r in regions if r.level == "county"), key=lambda r: r.code)
        for region in regions:
            names, prefix, parent = [region.code, region.name], region.name, by_id.get(region.parent_id)
            while parent is not None:
                prefix = parent.name + prefix
                names.append(prefix)
                parent = by_id.get(parent.parent_id)
            for name in names:
                bucket = self.by_key.setdefault(_key(name), [])
                if region not in bucket:
                    bucket.append(region)

    def find(self, text: str) -> tuple[Region | None, str]:
        example = self.examples[0] if self.examples else None
        hint = f"请填写旗县区名称或 6 位区划代码（如 {example.name} 或 {example.code}）" if example else ""
        candidates = self.by_key.get(_key(text), [])
        counties = [region for region in candidates if region.level == "county"]
        if not candidates:
            return None, f"事发旗县区：未找到“{text}”，{hint}"
        if not counties:
            return None, f"事发旗县区：“{text}”不是旗县区，{hint}"
        if len(counties) > 1:
            return None, f"事发旗县区：“{text}”对应多个旗县区，请填写 6 位区划代码"
        return counties[0], ""


def _key(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).casefold()


DATE_TEXT = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


def parse_date(value: Any) -> date | None:
    """A cell as a date: an Excel date, 2026-11-20, 2026/11/20, 2026.11.20, 2026年11月20日, 20261120, with or
    without a time after it. None when blank; ValueError when it is not a date."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = unicodedata.normalize("NFKC", cell_text(value))
    if not text:
        return None
    text = re.split(r"[ T]", text, maxsplit=1)[0]
    match = DATE_TEXT.match(text)
    if match:
        return date(int(match[1]), int(match[2]), int(match[3]))
    if re.fullmatch(r"\d{8}", text):
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    raise ValueError(text)


def _yes_no(value: Any, name: str, problems: list[Problem]) -> bool:
    if isinstance(value, bool):
        return value
    text = _key(cell_text(value))
    if not text or text in NO:
        return False
    if text in YES:
        return True
    problems.append(Problem(name, f"{COLUMN_BY_FIELD[name].header}“{cell_text(value)}”无效：请填写 是 或 否"))
    return False


def parse_row(fields: dict[str, Any], counties: Counties, *, number: int, actor: Actor,
              today: date | None = None) -> ParsedRow | RowError:
    """Check one row given as {field: raw cell}; never raises for bad content."""
    today = today or timezone.localdate()
    problems: list[Problem] = []
    text: dict[str, str] = {}
    for column in COLUMNS:
        if column.field in ("received_on", "purchased_on", "consent_publication", "consent_mediation"):
            continue
        value = cell_text(fields.get(column.field))
        if column.max_length and len(value) > column.max_length:
            problems.append(Problem(column.field, f"{column.header}过长：最多 {column.max_length} 个字，"
                                                  f"实际 {len(value)} 个"))
        text[column.field] = value

    kind = KINDS.get(_key(text["kind"])) if text["kind"] else Kind.COMPLAINT
    if kind is None:
        problems.append(Problem("kind", f"类别“{text['kind']}”无效：请填写 投诉 或 举报"))
        kind = Kind.COMPLAINT
    for name in ("complainant_name", "business_name", "item", "description") + (
            ("demand",) if kind == Kind.COMPLAINT else ()):
        if not text[name]:
            problems.append(Problem(name, f"{COLUMN_BY_FIELD[name].header}不能为空"))

    phone = ""
    if not text["complainant_phone"]:
        problems.append(Problem("complainant_phone", "联系电话不能为空"))
    else:
        try:
            phone = normalise_phone(text["complainant_phone"])
        except FangxinError as exc:
            problems.append(Problem("complainant_phone", f"联系电话“{text['complainant_phone']}”：{exc.message}"))

    id_number = ""
    try:
        id_number = normalise_id_number(text["complainant_id_number"])
    except FangxinError as exc:  # the number itself is not repeated in the error report (personal data)
        problems.append(Problem("complainant_id_number", exc.message))

    dates: dict[str, date | None] = {}
    for name in ("received_on", "purchased_on"):
        header = COLUMN_BY_FIELD[name].header
        try:
            dates[name] = parse_date(fields.get(name))
        except ValueError:
            dates[name] = None
            problems.append(Problem(name, f"{header}“{cell_text(fields.get(name))}”不是有效的日期，"
                                          "请填写如 2026-11-20"))
            continue
        if dates[name] and dates[name] > today:
            problems.append(Problem(name, f"{header} {dates[name].isoformat()} 晚于今天"))
    received = dates["received_on"]
    if received is None and not any(p.field == "received_on" for p in problems):
        problems.append(Problem("received_on", "收到日期不能为空"))
    elif received is not None and received <= today:
        try:
            deadlines.rule_set_for(received)
        except FangxinError as exc:
            problems.append(Problem("received_on", f"收到日期：{exc.message}"))
    if received and dates["purchased_on"] and dates["purchased_on"] > received:
        problems.append(Problem("purchased_on", "消费日期晚于收到日期"))

    amount = None
    if text["amount"]:
        try:
            amount = parse_amount(text["amount"])
        except FangxinError as exc:
            problems.append(Problem("amount", f"金额“{text['amount']}”：{exc.message}"))

    uscc = _key(text["business_uscc"]).upper()
    if uscc:
        reason = uscc_rules.problem(uscc)
        if reason:
            problems.append(Problem("business_uscc", f"统一社会信用代码“{text['business_uscc']}”：{reason}"))

    region_code = ""
    if text["region"]:
        region, reason = counties.find(text["region"])
        if reason:
            problems.append(Problem("region", reason))
        else:
            region_code = region.code
    elif text["business_name"]:
        own_county = actor.role == Role.COUNTY_STAFF and getattr(getattr(actor.user, "region", None), "level",
                                                                  "") == "county"
        if not own_county and routing.match_entity(uscc=uscc, name=text["business_name"],
                                                   address=text["business_address"]) is None:
            problems.append(Problem("region", "事发旗县区不能为空：被投诉经营者不在名录中，请填写事发旗县区"))

    consent_publication = _yes_no(fields.get("consent_publication"), "consent_publication", problems)
    consent_mediation = _yes_no(fields.get("consent_mediation"), "consent_mediation", problems)
    if problems:
        order = {column.field: index for index, column in enumerate(COLUMNS)}
        problems.sort(key=lambda problem: order.get(problem.field, len(order)))
        return RowError(row=number, problems=problems)
    data = services.ComplaintInput(
        complainant_name=text["complainant_name"], complainant_phone=phone, business_name=text["business_name"],
        item=text["item"], description=text["description"], demand=text["demand"], region_code=region_code,
        complainant_address=text["complainant_address"], complainant_id_number=id_number, business_uscc=uscc,
        business_address=text["business_address"], platform_name=text["platform_name"],
        purchased_on=dates["purchased_on"], amount=amount, consent_publication=consent_publication,
        consent_mediation=consent_mediation, kind=kind, received_on=received, external_ref=text["external_ref"])
    return ParsedRow(row=number, data=data)


# --- the import ------------------------------------------------------------------------------------------------

def complaint_import(*, actor: Actor, source, file_name: str = "", dry_run: bool = False) -> ImportResult:
    """Check every row, then register the good ones (see the module docstring). ImportFileError when the file
    cannot be read at all (nothing written); PermissionDenied for anyone but staff."""
    if actor.role not in STAFF_ROLES | {SYSTEM_ROLE}:
        raise PermissionDenied("只有工作人员可以批量导入投诉。")
    table = read_table(source, file_name)
    result = ImportResult(file_name=file_name or table.name, dry_run=dry_run, headers=table.headers)
    counties = Counties()
    columns = [(index, name) for index, name in enumerate(table.fields) if name]
    parsed: list[ParsedRow] = []
    first_row_of: dict[str, int] = {}
    for number, cells in table.rows:
        result.rows += 1
        fields = {name: cells[index] if index < len(cells) else None for index, name in columns}
        outcome = parse_row(fields, counties, number=number, actor=actor)
        ref = outcome.data.external_ref if isinstance(outcome, ParsedRow) else cell_text(fields.get("external_ref"))
        if ref:
            first = first_row_of.setdefault(ref, number)
            if first != number:
                problem = Problem("external_ref", f"外部编号 {ref} 与第 {first} 行重复")
                if isinstance(outcome, RowError):
                    outcome.problems.insert(0, problem)
                else:
                    outcome = RowError(row=number, problems=[problem])
        outcome.cells = cells
        if isinstance(outcome, RowError):
            result.errors.append(outcome)
        else:
            parsed.append(outcome)
    known = _already_imported([row.data.external_ref for row in parsed if row.data.external_ref])
    for row in parsed:
        ref = row.data.external_ref
        if ref and ref in known:
            result.already.append((row.row, ref, known[ref]))
            continue
        result.valid += 1
        if dry_run:
            continue
        try:
            complaint, created = services.complaint_submit(actor=actor, data=row.data, channel=Channel.IMPORT)
        except FangxinError as exc:  # a rule only the service knows: the row is reported, nothing of it written
            name = exc.details.get("field", "")
            name = name if name in COLUMN_BY_FIELD else SERVICE_FIELDS.get(name, "")
            result.errors.append(RowError(row=row.row, problems=[Problem(name, exc.message)], cells=row.cells))
            result.valid -= 1
            continue
        (result.imported if created else result.duplicates).append((row.row, complaint.tracking_no))
    result.errors.sort(key=lambda error: error.row)
    return result


def _already_imported(refs: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for start in range(0, len(refs), 500):
        rows = (Complaint.objects.filter(external_ref__in=refs[start:start + 500])
                .order_by("id").values_list("external_ref", "tracking_no"))
        for ref, tracking_no in rows:
            found.setdefault(ref, tracking_no)
    return found


# --- the error report and the template -------------------------------------------------------------------------

def error_report(result: ImportResult) -> bytes:
    """The error rows as an XLSX that can be fixed in Excel and uploaded again (core.import_reports)."""
    return error_rows_xlsx(result, header_index=HEADER_INDEX, header_key=header_key, cell_text=cell_text)


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


def template_workbook() -> bytes:
    """A blank import file: the headers (required ones in red) and a sheet explaining each column."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = "投诉"
    sheet.append([column.header for column in COLUMNS])
    for index, column in enumerate(COLUMNS, start=1):
        sheet.cell(row=1, column=index).font = Font(bold=True, color="A4161A" if column.required else "000000")
        sheet.column_dimensions[_letter(index)].width = 16
        sheet.column_dimensions[_letter(index)].number_format = "@"
    notes = book.create_sheet("填写说明")
    notes.append(["列名", "必填", "也接受的列名", "说明"])
    for column in COLUMNS:
        notes.append([column.header, "是" if column.required else "", "、".join(column.aliases), column.help])
    for row in notes.iter_rows(min_row=2):
        row[-1].alignment = Alignment(wrap_text=True, vertical="top")
    notes.column_dimensions["C"].width = 40
    notes.column_dimensions["D"].width = 70
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
