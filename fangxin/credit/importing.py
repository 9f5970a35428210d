"""Import of credit events from other departments (XLSX or CSV, one row per event; docs/credit-lists.md).

The policy is the registry and complaint imports' (docs/import.md): the whole file is read and every row checked
first; a file that cannot be read at all (not XLSX/CSV, empty, no header, a required column missing, too many
rows) is refused with one Chinese line and nothing is written; otherwise the good rows are recorded — each one
through `services.credit_event_record`, its own transaction, so a row is written whole or not at all — and the bad
rows are listed (row number, column, Chinese message) on the page and in a downloadable XLSX error report that can
be fixed in Excel and uploaded again as it is.

Each row's source reference is `import:{作出决定机关 or the importer's department}:{来源编号}`, unique in the ledger:
importing the same file again adds nothing (those rows are reported as already imported).
"""

import hashlib
import io
import os
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Any, BinaryIO, ClassVar

from django.utils import timezone

from fangxin.complaints.importing import parse_date  # the same date forms as the complaint import
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
from fangxin.merchants.importing import ImportFileError, cell_text, header_key
from fangxin.merchants.models import MarketEntity

from . import services
from .choices import EventKind
from .models import CreditEvent

__all__ = ["ImportFileError", "error_report", "event_import", "parse_row", "template_workbook"]

MAX_ROWS = 2000                 # rows are recorded in the request, one transaction each
HEADER_SEARCH_ROWS = 10         # a title row or two above the header is fine
SOURCE_REF_MAX = 80             # CreditEvent.source_ref
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The kinds another department reports. List entries and exits are decisions entered on the list pages (they
# also change the list); titles are awarded and revoked by the campaign workflow; repairs by their own decision.
IMPORTABLE_KINDS = (
    EventKind.PENALTY, EventKind.INSPECTION_PASSED, EventKind.INSPECTION_FAILED, EventKind.COMMITMENT_BREACH,
    EventKind.COMPLAINT_UPHELD, EventKind.MEDIATION_REFUSED, EventKind.OPERATOR_SETTLED,
    EventKind.ADVANCE_COMPENSATION,
)
NOT_IMPORTABLE = {
    EventKind.LIST_ENTERED: "列入信用名单须在“信用名单”页面录入列入决定",
    EventKind.LIST_EXITED: "移出信用名单须在“信用名单”页面录入移出决定",
    EventKind.TITLE_AWARDED: "示范单位称号由创建活动授予，自动记入",
    EventKind.TITLE_REVOKED: "撤销示范单位称号由动态管理决定，自动记入",
}


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    help: str = ""
    max_length: int | None = None


COLUMNS: tuple[Column, ...] = (
    Column("uscc", "统一社会信用代码", True, ("社会信用代码", "信用代码", "统一代码"),
           "18 位代码；该市场主体须已登记在名录中（且在导入人的管辖范围内）。"),
    Column("kind", "事件类别", True, ("事件类型", "类别", "信用事件"),
           "填写类别名称或代码，如 行政处罚 或 penalty；可用的类别见“事件类别”表。"),
    Column("occurred_on", "发生日期", True, ("日期", "决定日期", "处罚决定日期", "作出决定日期", "检查日期"),
           "如 2026-11-20，不能晚于今天。"),
    Column("detail", "内容", True, ("事件内容", "事由", "违法事实", "处罚内容", "情况说明"), "", 300),
    Column("document_number", "决定书文号", False, ("文书编号", "文号", "处罚决定书文号", "决定文号"),
           "行政处罚必填。", 100),
    Column("authority", "作出决定机关", False, ("决定机关", "处罚机关", "作出决定部门", "检查机关", "报送部门"),
           "行政处罚必填；空白时以导入人的部门为来源。", 100),
    Column("source_no", "来源编号", True, ("编号", "业务编号", "原系统编号", "案件编号"),
           "报送部门系统中这件事的编号；同一机关的同一编号只记一次，重复导入同一文件不会重复记入。", 40),
)
COLUMN_BY_FIELD = {column.field: column for column in COLUMNS}
REQUIRED_FIELDS = tuple(column.field for column in COLUMNS if column.required)
REPORT_KEYS = {header_key(REPORT_ROW_HEADER), header_key(REPORT_COLUMN_HEADER), header_key(REPORT_MESSAGE_HEADER)}


def _header_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for column in COLUMNS:
        for name in (column.header, *column.aliases):
            index.setdefault(header_key(name), column.field)
    return index


HEADER_INDEX = _header_index()


def _kind_index() -> dict[str, str]:
    index = {}
    for kind in EventKind:
        index[_key(kind.value)] = kind.value
        index[_key(kind.label)] = kind.value
    index[_key("行政处罚决定")] = EventKind.PENALTY
    index[_key("抽查合格")] = EventKind.INSPECTION_PASSED
    index[_key("抽查不合格")] = EventKind.INSPECTION_FAILED
    index[_key("检查合格")] = EventKind.INSPECTION_PASSED
    index[_key("检查不合格")] = EventKind.INSPECTION_FAILED
    index[_key("先行赔付")] = EventKind.ADVANCE_COMPENSATION
    return index


def _key(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text or "").split()).casefold()


KIND_INDEX = _kind_index()


# --- results ---------------------------------------------------------------------------------------------------

class Problem(tables.Problem):
    headers: ClassVar[dict[str, str]] = {column.field: column.header for column in COLUMNS}


RowError = tables.RowError


@dataclass(frozen=True)
class EventInput:
    uscc: str
    kind: str
    occurred_on: date
    detail: str
    document_number: str
    authority: str
    source_no: str


@dataclass
class ParsedRow:
    row: int
    data: EventInput
    cells: tuple = ()


@dataclass
class ImportResult:
    file_name: str
    dry_run: bool = False
    headers: list[str] = field(default_factory=list)
    rows: int = 0
    imported: list[dict] = field(default_factory=list)   # {"row", "uscc", "name", "kind", "source_ref"}
    already: list[dict] = field(default_factory=list)    # {"row", "source_ref"}
    valid: int = 0                                       # rows that passed the checks (and were not imported before)
    errors: list[RowError] = field(default_factory=list)

    def summary(self) -> str:
        if self.dry_run:
            return (f"试导入完成（未写入任何数据）：共 {self.rows} 行，可导入 {self.valid}，"
                    f"已导入过（将跳过） {len(self.already)}，有误 {len(self.errors)}。")
        return (f"导入完成：共 {self.rows} 行，新记入信用事件 {len(self.imported)}，"
                f"已导入过（跳过） {len(self.already)}，有误（未导入） {len(self.errors)}。")


def may_import(user) -> bool:
    return services.may_decide(user)


# --- reading the file ------------------------------------------------------------------------------------------

TABLE_SPEC = tables.TableSpec(
    header_index=HEADER_INDEX, headers_by_field={f: c.header for f, c in COLUMN_BY_FIELD.items()},
    required=REQUIRED_FIELDS, max_rows=MAX_ROWS, header_search_rows=HEADER_SEARCH_ROWS, row_noun="",
    noun="信用事件", header_examples="“统一社会信用代码”“事件类别”“发生日期”")


def read_table(source: str | os.PathLike | BinaryIO, name: str = "") -> tables.Table:
    """The header and the data rows of an XLSX (first sheet with a header) or CSV, judged by content."""
    return tables.read_table(source, TABLE_SPEC, name)


# --- checking a row --------------------------------------------------------------------------------------------

def parse_row(fields: dict[str, Any], *, number: int, today: date | None = None) -> ParsedRow | RowError:
    """Check one row given as {field: raw cell}; never raises for bad content (and touches no database)."""
    today = today or timezone.localdate()
    problems: list[Problem] = []
    text: dict[str, str] = {}
    for column in COLUMNS:
        if column.field == "occurred_on":
            continue
        value = cell_text(fields.get(column.field))
        if column.max_length and len(value) > column.max_length:
            problems.append(Problem(column.field, f"{column.header}过长：最多 {column.max_length} 个字，"
                                                  f"实际 {len(value)} 个"))
        text[column.field] = value
    for name in ("uscc", "kind", "detail", "source_no"):
        if not text[name]:
            problems.append(Problem(name, f"{COLUMN_BY_FIELD[name].header}不能为空"))

    uscc = _key(text["uscc"]).upper()
    if uscc:
        reason = uscc_rules.problem(uscc)
        if reason:
            problems.append(Problem("uscc", f"统一社会信用代码“{text['uscc']}”：{reason}"))

    kind = ""
    if text["kind"]:
        kind = KIND_INDEX.get(_key(text["kind"]), "")
        if not kind:
            problems.append(Problem("kind", f"事件类别“{text['kind']}”无效：请填写 "
                                            f"{'、'.join(EventKind(k).label for k in IMPORTABLE_KINDS)} 之一"))
        elif kind not in IMPORTABLE_KINDS:
            reason = NOT_IMPORTABLE.get(kind, "该类别由系统自动记入")
            problems.append(Problem("kind", f"事件类别“{text['kind']}”不能导入：{reason}"))
            kind = ""

    occurred = None
    raw_date = fields.get("occurred_on")
    try:
        occurred = parse_date(raw_date)
    except ValueError:
        problems.append(Problem("occurred_on", f"发生日期“{cell_text(raw_date)}”不是有效的日期，请填写如 2026-11-20"))
    else:
        if occurred is None:
            problems.append(Problem("occurred_on", "发生日期不能为空"))
        elif occurred > today:
            problems.append(Problem("occurred_on", f"发生日期 {occurred.isoformat()} 晚于今天"))

    if kind == EventKind.PENALTY:
        for name in ("document_number", "authority"):
            if not text[name]:
                problems.append(Problem(name, f"行政处罚须填写{COLUMN_BY_FIELD[name].header}"))
    if problems:
        order = {column.field: index for index, column in enumerate(COLUMNS)}
        problems.sort(key=lambda problem: order.get(problem.field, len(order)))
        return RowError(row=number, problems=problems)
    return ParsedRow(row=number, data=EventInput(
        uscc=uscc, kind=kind, occurred_on=occurred, detail=text["detail"], document_number=text["document_number"],
        authority=text["authority"], source_no=text["source_no"]))


def importer_tag(actor: Actor) -> str:
    """Who reported an event whose row names no authority: the importer's department, else their region."""
    user = actor.user
    department = getattr(user, "department", None) if user is not None else None
    if department is not None:
        return department.code
    region = getattr(user, "region", None) if user is not None else None
    return region.code if region is not None else "system"


def source_ref(data: EventInput, actor: Actor) -> str:
    """`import:{authority or the importer's department}:{来源编号}`, within the 80 characters of the ledger's
    source column (a long authority name is replaced by a digest of it, the same for the same name)."""
    origin = data.authority or importer_tag(actor)
    ref = f"import:{origin}:{data.source_no}"
    if len(ref) > SOURCE_REF_MAX:
        ref = f"import:h{hashlib.sha256(origin.encode('utf-8')).hexdigest()[:24]}:{data.source_no}"
    return ref


# --- the import ------------------------------------------------------------------------------------------------

def event_import(*, actor: Actor, source, file_name: str = "", dry_run: bool = False) -> ImportResult:
    """Check every row, then record the good ones (see the module docstring). ImportFileError when the file
    cannot be read at all (nothing written); PermissionDenied for anyone who may not enter credit decisions."""
    if actor.role != SYSTEM_ROLE and not may_import(actor.user):
        raise PermissionDenied("只有旗县区、职能部门工作人员和联席会议办公室可以导入信用事件。")
    table = read_table(source, file_name)
    result = ImportResult(file_name=file_name or table.name, dry_run=dry_run, headers=table.headers)
    columns = [(index, name) for index, name in enumerate(table.fields) if name]
    parsed: list[tuple[ParsedRow, str]] = []
    first_row_of: dict[str, int] = {}
    for number, cells in table.rows:
        result.rows += 1
        fields = {name: cells[index] if index < len(cells) else None for index, name in columns}
        outcome = parse_row(fields, number=number)
        if isinstance(outcome, ParsedRow):
            ref = source_ref(outcome.data, actor)
            first = first_row_of.setdefault(ref, number)
            if first != number:
                outcome = RowError(row=number, problems=[Problem(
                    "source_no", f"来源编号 {outcome.data.source_no} 与第 {first} 行重复（同一作出决定机关）")])
            else:
                parsed.append((outcome, ref))
        outcome.cells = cells
        if isinstance(outcome, RowError):
            result.errors.append(outcome)

    entities = _entities(actor, [row.data.uscc for row, _ in parsed])
    known = _known_refs([ref for _, ref in parsed])
    for row, ref in parsed:
        entity = entities.get(row.data.uscc)
        if entity is None:
            result.errors.append(RowError(row=row.row, cells=row.cells, problems=[Problem(
                "uscc", f"统一社会信用代码 {row.data.uscc}：名录中没有该市场主体，或不在您的管辖范围")]))
            continue
        if ref in known:
            entity_id, kind = known[ref]
            if entity_id == entity.pk and kind == row.data.kind:
                result.already.append({"row": row.row, "source_ref": ref})
            else:
                result.errors.append(RowError(row=row.row, cells=row.cells, problems=[Problem(
                    "source_no", f"来源编号 {row.data.source_no} 已记为另一市场主体或另一类别的事件，请核对")]))
            continue
        result.valid += 1
        if dry_run:
            continue
        data = row.data
        try:
            services.credit_event_record(actor=actor, entity=entity, kind=data.kind, occurred_on=data.occurred_on,
                                         detail=data.detail, source_ref=ref, document_number=data.document_number,
                                         authority=data.authority)
        except FangxinError as exc:  # a rule only the service knows: the row is reported, nothing of it written
            result.errors.append(RowError(row=row.row, problems=[Problem("", exc.message)], cells=row.cells))
            result.valid -= 1
            continue
        result.imported.append({"row": row.row, "uscc": entity.uscc, "name": entity.name,
                                "kind": EventKind(data.kind).label, "source_ref": ref})
    result.errors.sort(key=lambda error: error.row)
    return result


def _entities(actor: Actor, usccs: list[str]) -> dict[str, MarketEntity]:
    rows = MarketEntity.objects.all() if actor.role == SYSTEM_ROLE else MarketEntity.objects.visible_to(actor.user)
    found: dict[str, MarketEntity] = {}
    unique = sorted(set(usccs))
    for start in range(0, len(unique), 500):
        for entity in rows.filter(uscc__in=unique[start:start + 500]):
            found[entity.uscc] = entity
    return found


def _known_refs(refs: list[str]) -> dict[str, tuple[int, str]]:
    found: dict[str, tuple[int, str]] = {}
    for start in range(0, len(refs), 500):
        rows = CreditEvent.objects.filter(source_ref__in=refs[start:start + 500])
        for ref, entity_id, kind in rows.values_list("source_ref", "entity_id", "kind"):
            found[ref] = (entity_id, kind)
    return found


# --- the error report and the template -------------------------------------------------------------------------

def error_report(result: ImportResult) -> bytes:
    """The error rows as an XLSX that can be fixed in Excel and uploaded again (core.import_reports)."""
    return error_rows_xlsx(result, header_index=HEADER_INDEX, header_key=header_key, cell_text=cell_text)


def template_workbook() -> bytes:
    """A blank import file: the headers (required ones in red), a sheet explaining each column and one listing
    the event kinds that may be imported."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = "信用事件"
    sheet.append([column.header for column in COLUMNS])
    for index, column in enumerate(COLUMNS, start=1):
        sheet.cell(row=1, column=index).font = Font(bold=True, color="A4161A" if column.required else "000000")
        sheet.column_dimensions[get_column_letter(index)].width = 30 if column.field == "detail" else 18
        sheet.column_dimensions[get_column_letter(index)].number_format = "@"
    notes = book.create_sheet("填写说明")
    notes.append(["列名", "必填", "也接受的列名", "说明"])
    for column in COLUMNS:
        notes.append([column.header, "是" if column.required else "", "、".join(column.aliases), column.help])
    for row in notes.iter_rows(min_row=2):
        row[-1].alignment = Alignment(wrap_text=True, vertical="top")
    notes.column_dimensions["C"].width = 40
    notes.column_dimensions["D"].width = 70
    kinds = book.create_sheet("事件类别")
    kinds.append(["类别名称", "代码"])
    for kind in IMPORTABLE_KINDS:
        kinds.append([EventKind(kind).label, kind.value])
    kinds.column_dimensions["A"].width = 20
    kinds.column_dimensions["B"].width = 24
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
