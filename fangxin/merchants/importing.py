"""Bulk import of the market-entity registry from CSV and XLSX, upserting by USCC (docs/import.md).

Reading streams: a CSV is decoded line by line (UTF-8 with or without BOM, or GB18030), an XLSX is read with
openpyxl's read-only parser, so rows are never held; what grows with the file is a USCC → row-number map (for
repeats inside the file) and, for XLSX, openpyxl's shared-string table. Only the first `max_error_rows` error rows
are kept on the result; the error report is written streaming. Each batch of rows is one
transaction: bulk_create the new rows, bulk_update the changed ones, one audit record for the batch, then
`search.reindex_entities`. A crash rolls back the batch it happened in and keeps every batch before it, so
running the same file again carries on (the rows already imported come back as unchanged).
"""

import codecs
import csv
import datetime as dt
import io
import os
import re
import tempfile
import time
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone

from fangxin.accounts.choices import Role
from fangxin.accounts.scope import Scope, scope_of
from fangxin.core import audit
from fangxin.core import uscc as uscc_rules
from fangxin.core.actors import Actor
from fangxin.core.exceptions import PermissionDenied
from fangxin.organisation.choices import RegionLevel
from fangxin.organisation.models import Region, Sector

from . import search
from .choices import EntityType, OperatingStatus
from .models import MarketEntity

DEFAULT_BATCH_SIZE = 1000
MAX_BATCH_SIZE = 10_000
MAX_ERROR_ROWS = 1000          # error rows kept on the result (the report file holds all of them)
HEADER_SEARCH_ROWS = 20        # the header row may sit below a title row or two
AUDIT_ACTION = "merchants.entity.import"
IMPORT_ROLES = frozenset({Role.JOINT_OFFICE, Role.SYSADMIN, Role.COUNTY_STAFF})
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REPORT_ROW_HEADER = "行号"
REPORT_MESSAGE_HEADER = "错误说明"
EXAMPLE_MARK = "MA0EXAMPL"     # characters 9–17 of the template's example USCC: that row is skipped


# --- columns ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    field: str                     # MarketEntity field
    header: str                    # the Chinese header of the template
    required: bool = False
    aliases: tuple[str, ...] = ()  # other headers accepted for the same column
    help: str = ""


COLUMNS: tuple[Column, ...] = (
    Column("uscc", "统一社会信用代码", True, ("社会信用代码", "信用代码"),
           "18 位，字母大写，不使用 I、O、S、V、Z；按此代码新增或更新（已在名录中的更新，不在的新增）。"),
    Column("name", "名称", True, ("企业名称", "主体名称", "市场主体名称"), "营业执照上的名称。"),
    Column("entity_type", "主体类型", False, (), "填名称或代码（见模板“选项”表）；新增时空白为“企业”。"),
    Column("legal_representative", "法定代表人", False, ("经营者", "负责人"), "法定代表人或经营者姓名。"),
    Column("address", "经营场所", False, ("地址", "经营地址", "住所"), "详细地址。"),
    Column("region", "所在旗县区", True, ("旗县区",), "旗县区名称或 6 位区划代码，必须是旗县区一级。"),
    Column("sector", "行业", True, ("所属行业",), "重点行业名称或代码（见模板“选项”表）。"),
    Column("online_platform", "网店平台", False, ("网店所在平台", "平台"), "电子商务经营者填写，如 淘宝、京东、抖音。"),
    Column("online_shop_url", "网店地址", False, ("网店网址",), "以 http:// 或 https:// 开头的网址。"),
    Column("operating_status", "经营状态", False, (), "填名称或代码（见模板“选项”表）；新增时空白为“存续（在营）”。"),
    Column("contact_phone", "联系电话", False, ("电话",), "手机或固定电话。"),
)
COLUMN_BY_FIELD = {column.field: column for column in COLUMNS}
COLUMN_ORDER = {column.field: index for index, column in enumerate(COLUMNS)}
REQUIRED_FIELDS = tuple(column.field for column in COLUMNS if column.required)
TEXT_FIELDS = ("name", "legal_representative", "address", "online_platform", "online_shop_url", "contact_phone")
CHOICE_FIELDS = {"entity_type": EntityType, "operating_status": OperatingStatus}
# The column → model attribute the parsed value is stored under (foreign keys by id).
ATTNAME = {column.field: MarketEntity._meta.get_field(column.field).attname for column in COLUMNS}
MAX_LENGTH = {column.field: MarketEntity._meta.get_field(column.field).max_length for column in COLUMNS
              if MarketEntity._meta.get_field(column.field).max_length}

_STRIP = " \t\r\n\f\v\u3000\xa0\ufeff\u200b\u200c\u200d\u2060"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_BREAKS = re.compile(r"[\t\r\n]+")
_WHITESPACE = re.compile(r"\s+")


def header_key(text: Any) -> str:
    """Headers match whatever their width, spacing and required-marks: "法定代表人（经营者）" == "法定代表人(经营者)"."""
    text = unicodedata.normalize("NFKC", cell_text(text))
    return _WHITESPACE.sub("", text).strip("*＊").casefold()


def _header_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for column in COLUMNS:
        verbose = str(MarketEntity._meta.get_field(column.field).verbose_name)
        for name in (column.header, verbose, *column.aliases):
            index.setdefault(header_key(name), column.field)
    return index


def cell_text(value: Any) -> str:
    """A cell as text: numbers without a trailing .0, dates in ISO form, spaces (also full-width) stripped,
    line breaks and tabs folded into one space, control characters dropped."""
    if value is None:
        return ""
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool):
        text = "是" if value else "否"
    elif isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        text = str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)
    elif isinstance(value, Decimal):
        text = format(value.normalize(), "f") if value.is_finite() else str(value)
    elif isinstance(value, dt.datetime):
        text = value.isoformat(sep=" ", timespec="seconds") if value.time() != dt.time() else value.date().isoformat()
    elif isinstance(value, dt.date | dt.time):
        text = value.isoformat()
    else:
        text = str(value)
    if _CONTROL.search(text):
        text = _CONTROL.sub("", text)
    if "\n" in text or "\r" in text or "\t" in text:
        text = _LINE_BREAKS.sub(" ", text)
    return text.strip(_STRIP)


HEADER_INDEX = _header_index()
REPORT_HEADER_KEYS = {header_key(REPORT_ROW_HEADER), header_key(REPORT_MESSAGE_HEADER)}


def _lookup_key(text: str) -> str:
    return _WHITESPACE.sub("", unicodedata.normalize("NFKC", text)).casefold()


# --- results ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Problem:
    field: str      # MarketEntity field ("" for the row as a whole)
    message: str    # Chinese, names the column
    blank: bool = False   # the cell was empty

    @property
    def column(self) -> str:
        return COLUMN_BY_FIELD[self.field].header if self.field in COLUMN_BY_FIELD else ""


@dataclass
class RowError:
    row: int                       # row number as the spreadsheet shows it (the header row is usually 1)
    uscc: str                      # as normalised from the row, possibly invalid
    problems: list[Problem]
    values: dict[str, str] = field(default_factory=dict)   # the row's cells by original header
    uscc_valid: bool = False

    @property
    def columns(self) -> list[str]:
        return list(dict.fromkeys(p.column for p in self.problems if p.column))

    @property
    def message(self) -> str:
        return "；".join(p.message for p in self.problems)

    def as_dict(self) -> dict:
        return {"row": self.row, "uscc": self.uscc, "columns": self.columns, "message": self.message,
                "values": self.values}


@dataclass
class ParsedRow:
    row: int
    uscc: str
    values: dict[str, Any]         # attname → value, for the cells that were filled in (uscc included)
    cells: tuple = ()              # the row as read (for the error report, should it fail later)


@dataclass
class ImportResult:
    file_name: str
    dry_run: bool
    rows: int = 0                  # data rows read (blank rows are not counted)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0               # the template's example row
    errors: int = 0
    error_rows: list[RowError] = field(default_factory=list)   # the first MAX_ERROR_ROWS of them
    batches: int = 0               # batches committed (dry run: checked)
    elapsed: float = 0.0
    report_path: Path | None = None

    @property
    def ok(self) -> bool:
        return self.errors == 0

    def summary(self) -> str:
        verb = "将" if self.dry_run else ""
        head = "试导入完成（未写入任何数据）" if self.dry_run else "导入完成"
        text = (f"{head}：共 {self.rows} 行，{verb}新增 {self.created}，{verb}更新 {self.updated}，"
                f"未变 {self.unchanged}，有误 {self.errors}")
        if self.skipped:
            text += f"，跳过模板示例行 {self.skipped}"
        rate = f"，{self.rows / self.elapsed:,.0f} 行/秒" if self.rows and self.elapsed > 0 else ""
        return text + f"；用时 {self.elapsed:.1f} 秒{rate}。"


class ImportFileError(Exception):
    """The file cannot be imported at all (not CSV/XLSX, unknown encoding, missing columns). One Chinese line."""


class ImportInterrupted(Exception):
    """A batch failed and was rolled back; the batches before it are committed. `result` counts those."""

    def __init__(self, message: str, result: ImportResult):
        super().__init__(message)
        self.message = message
        self.result = result


def may_import(user) -> bool:
    """The system (no user), the joint-meeting office, administrators and county staff (their county only)."""
    if user is None:
        return True
    return bool(getattr(user, "is_authenticated", False)) and user.is_active and user.role in IMPORT_ROLES


# --- reference data: counties, sectors, choices, scope -----------------------------------------------------

class Reference:
    """Everything a row is checked against, loaded once per import from the database."""

    def __init__(self, *, regions: Iterable[Region], sectors: Iterable[Sector], scope: Scope):
        self.scope = scope
        self.regions = list(regions)
        self.region_by_id = {region.pk: region for region in self.regions}
        self.region_by_code = {region.code: region for region in self.regions}
        self.counties = [region for region in self.regions if region.level == RegionLevel.COUNTY]
        self.region_by_name: dict[str, list[Region]] = {}
        for region in self.regions:
            for name in self._names_of(region):
                bucket = self.region_by_name.setdefault(_lookup_key(name), [])
                if region not in bucket:
                    bucket.append(region)
        self.sectors = list(sectors)
        self.sector_by_key: dict[str, Sector] = {}
        for sector in self.sectors:
            self.sector_by_key.setdefault(_lookup_key(sector.code), sector)
            self.sector_by_key.setdefault(_lookup_key(sector.name), sector)
        self.choices = {name: self._choice_index(choices) for name, choices in CHOICE_FIELDS.items()}
        self._region_cache: dict[str, tuple[Region | None, str]] = {}
        self._sector_cache: dict[str, tuple[Sector | None, str]] = {}
        self.level_labels = dict(RegionLevel.choices)

    @classmethod
    def load(cls, user=None) -> "Reference":
        scope = Scope(everything=True) if user is None else scope_of(user)
        return cls(regions=Region.objects.all(), sectors=Sector.objects.order_by("seq"), scope=scope)

    def _names_of(self, region: Region) -> list[str]:
        """A county answers to its own name and to its name prefixed by its ancestors' ("巴彦淖尔市临河区")."""
        names, prefix, parent = [region.name], region.name, region.parent_id
        seen = set()
        while parent and parent not in seen:
            seen.add(parent)
            ancestor = self.region_by_id.get(parent)
            if ancestor is None:
                break
            prefix = ancestor.name + prefix
            names.append(prefix)
            parent = ancestor.parent_id
        return names

    @staticmethod
    def _choice_index(choices) -> dict[str, str]:
        index: dict[str, str] = {}
        extra: dict[str, set[str]] = {}
        for value, label in choices.choices:
            index[_lookup_key(value)] = value
            index[_lookup_key(str(label))] = value
            # "存续（在营）" also answers to "存续" and to "在营" when no other choice claims them.
            for part in re.split(r"[()（）]", unicodedata.normalize("NFKC", str(label))):
                if part.strip():
                    extra.setdefault(_lookup_key(part), set()).add(value)
        for key, values in extra.items():
            if len(values) == 1:
                index.setdefault(key, next(iter(values)))
        return index

    def choice_labels(self, name: str) -> str:
        return "、".join(str(label) for _, label in CHOICE_FIELDS[name].choices)

    def example_county(self) -> Region | None:
        counties = sorted(self.counties, key=lambda r: r.code)
        return counties[0] if counties else None

    def region(self, text: str) -> tuple[Region | None, str]:
        """(county, "") or (None, the Chinese reason)."""
        cached = self._region_cache.get(text)
        if cached is None:
            cached = self._region_cache[text] = self._find_region(text)
        return cached

    def _find_region(self, text: str) -> tuple[Region | None, str]:
        key = _lookup_key(text)
        example = self.example_county()
        hint = f"请填写旗县区名称或 6 位区划代码（如 {example.name} 或 {example.code}）" if example else "请填写旗县区"
        if key.isdigit():
            region = self.region_by_code.get(key)
            if region is None:
                return None, f"所在旗县区：未找到区划代码“{text}”，{hint}"
            candidates = [region]
        else:
            candidates = self.region_by_name.get(key, [])
            if not candidates:
                return None, f"所在旗县区：未找到“{text}”，{hint}"
        counties = [region for region in candidates if region.level == RegionLevel.COUNTY]
        if len(counties) > 1:
            codes = "、".join(region.code for region in counties)
            return None, f"所在旗县区：“{text}”对应多个旗县区（{codes}），请填写 6 位区划代码"
        if not counties:
            region = candidates[0]
            level = self.level_labels.get(region.level, region.level)
            return None, f"所在旗县区：“{text}”是{level}，不是旗县区，{hint}"
        return counties[0], ""

    def sector(self, text: str) -> tuple[Sector | None, str]:
        cached = self._sector_cache.get(text)
        if cached is None:
            sector = self.sector_by_key.get(_lookup_key(text))
            reason = "" if sector else f"行业：未找到行业“{text}”，请填写重点行业名称或代码（见模板“选项”表）"
            cached = self._sector_cache[text] = (sector, reason)
        return cached

    def in_scope(self, region_id: int | None, sector_id: int | None) -> bool:
        scope = self.scope
        if scope.everything:
            return True
        if scope.region_path is None:
            return False
        region = self.region_by_id.get(region_id)
        if region is None or not region.path.startswith(scope.region_path):
            return False
        return scope.sector_ids is None or sector_id in scope.sector_ids


# --- one row ------------------------------------------------------------------------------------------------

_url_validator = URLValidator()


def parse_row(row: Mapping[str, Any], reference: Reference, *, number: int = 0) -> ParsedRow | RowError:
    """Check one row given as {header: value}; unknown headers are ignored. Never raises for bad content."""
    fields: dict[str, Any] = {}
    for header, value in row.items():
        name = HEADER_INDEX.get(header_key(header))
        if name is not None:
            fields[name] = value
    values = {str(header): cell_text(value) for header, value in row.items()}
    return parse_fields(fields, reference, number=number, original=values)


def parse_fields(fields: Mapping[str, Any], reference: Reference, *, number: int = 0,
                 original: dict[str, str] | None = None) -> ParsedRow | RowError:
    """Check one row given as {field: raw cell value}. Fields absent from `fields` were not in the file
    (they are left as they are on update); blank optional cells are treated the same way."""
    problems: list[Problem] = []
    values: dict[str, Any] = {}

    raw_uscc = fields.get("uscc")
    code = _WHITESPACE.sub("", unicodedata.normalize("NFKC", cell_text(raw_uscc))).upper()
    uscc_valid = False
    try:
        code = uscc_rules.validate(code)
        uscc_valid = True
    except uscc_rules.InvalidUSCC as exc:
        message = str(exc)
        if isinstance(raw_uscc, int | float) and code:
            message += "（该单元格是数字格式，Excel 只保留 15 位有效数字：请把这一列设为“文本”后重新填写）"
        problems.append(Problem("uscc", message, blank=not code))
    values["uscc"] = code

    for name in TEXT_FIELDS:
        if name not in fields:
            continue
        text = cell_text(fields[name])
        header = COLUMN_BY_FIELD[name].header
        if not text:
            if COLUMN_BY_FIELD[name].required:
                problems.append(Problem(name, f"{header}不能为空", blank=True))
            continue
        limit = MAX_LENGTH.get(name)
        if limit and len(text) > limit:
            problems.append(Problem(name, f"{header}过长：最多 {limit} 个字符，实际 {len(text)} 个"))
            continue
        if name == "online_shop_url":
            try:
                _url_validator(text)
            except ValidationError:
                problems.append(Problem(name, f"网店地址“{_short(text)}”不是有效的网址：应以 http:// 或 https:// 开头，"
                                              "如 https://shop.example.com/123"))
                continue
        values[name] = text
    if "name" not in fields:
        problems.append(Problem("name", "名称不能为空", blank=True))

    for name in CHOICE_FIELDS:
        text = cell_text(fields.get(name))
        if not text:
            continue
        value = reference.choices[name].get(_lookup_key(text))
        if value is None:
            header = COLUMN_BY_FIELD[name].header
            problems.append(Problem(name, f"{header}“{_short(text)}”无效：应为 {reference.choice_labels(name)} 之一"))
        else:
            values[name] = value

    region = sector = None
    text = cell_text(fields.get("region"))
    if not text:
        problems.append(Problem("region", "所在旗县区不能为空", blank=True))
    else:
        region, reason = reference.region(text)
        if reason:
            problems.append(Problem("region", reason))
    text = cell_text(fields.get("sector"))
    if not text:
        problems.append(Problem("sector", "行业不能为空", blank=True))
    else:
        sector, reason = reference.sector(text)
        if reason:
            problems.append(Problem("sector", reason))
    if region is not None and sector is not None and not reference.in_scope(region.pk, sector.pk):
        problems.append(Problem("region", f"所在旗县区：{region.name}不在您的管辖范围"))
    if region is not None:
        values["region_id"] = region.pk
    if sector is not None:
        values["sector_id"] = sector.pk

    if problems:
        problems.sort(key=lambda problem: COLUMN_ORDER.get(problem.field, len(COLUMN_ORDER)))  # stable
        return RowError(row=number, uscc=code, problems=problems, values=original or {}, uscc_valid=uscc_valid)
    return ParsedRow(row=number, uscc=code, values=values)


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def is_example_row(parsed: ParsedRow) -> bool:
    """The template's example row (its USCC carries EXAMPLE_MARK and its name starts with 示例)."""
    return parsed.uscc[8:17] == EXAMPLE_MARK and str(parsed.values.get("name", "")).startswith("示例")


# --- reading files ------------------------------------------------------------------------------------------

class Table:
    """An open CSV or XLSX: its header and a stream of (row number, cells) for the rows below it."""

    kind = ""

    def __init__(self, handle: BinaryIO, name: str, *, owned: bool = False):
        self.handle = handle
        self.name = name
        self.owned = owned                      # close the handle with the table (we opened it)
        self.headers: list[str] = []            # the header row as text, in file order
        self.fields: list[str | None] = []      # the registry field of each column, or None (ignored)
        self.header_row = 0
        self.estimated_rows: int | None = None
        self._rows: Iterator[tuple[int, tuple]] = iter(())

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        try:
            self._close()
        finally:
            if self.owned:
                self.handle.close()

    def _close(self) -> None:
        pass

    def rows(self) -> Iterator[tuple[int, tuple]]:
        return self._rows

    def formula_columns(self, row_number: int) -> set[int]:
        return set()

    def _take_header(self, rows: Iterator[tuple[int, tuple]]) -> bool:
        """Find the header row among the first rows; leave `rows` positioned just below it."""
        for number, cells in rows:
            if number > HEADER_SEARCH_ROWS:
                return False
            keys = [header_key(cell) for cell in cells]
            if any(key in HEADER_INDEX for key in keys):
                self.header_row = number
                self.headers = [cell_text(cell) for cell in cells]
                self.fields = [HEADER_INDEX.get(key) for key in keys]
                self._rows = rows
                return True
        return False

    def _check_header(self) -> None:
        present: dict[str, int] = {}
        for index, name in enumerate(self.fields):
            if name is None:
                continue
            if name in present:
                first = self.headers[present[name]]
                raise ImportFileError(f"表头（第 {self.header_row} 行）中“{first}”与“{self.headers[index]}”是同一列，请只保留一列。")
            present[name] = index
        missing = [COLUMN_BY_FIELD[name].header for name in REQUIRED_FIELDS if name not in present]
        if missing:
            raise ImportFileError(f"缺少必需的列：{'、'.join(missing)}。表头应包含 "
                                  f"{'、'.join(c.header for c in COLUMNS if c.required)}，可下载导入模板对照。")


NO_HEADER = (f"没有找到表头：前 {HEADER_SEARCH_ROWS} 行中没有“统一社会信用代码”等列名。"
             "请使用导入模板的表头（CSV 用英文逗号分隔）。")


class CsvTable(Table):
    kind = "csv"

    def __init__(self, handle: BinaryIO, name: str, *, owned: bool = False):
        super().__init__(handle, name, owned=owned)
        self.encoding = detect_encoding(handle)
        records = self._check_structure()
        handle.seek(0)
        self._text = io.TextIOWrapper(io.BufferedReader(_Unclosable(handle), 1 << 16), encoding=self.encoding,
                                      newline="")
        rows = ((number, tuple(cells)) for number, cells in enumerate(csv.reader(self._text), start=1))
        if not self._take_header(rows):
            raise ImportFileError(NO_HEADER)
        self._check_header()
        self.estimated_rows = max(records - self.header_row, 0)

    def _check_structure(self) -> int:
        """Parse the whole file once (strictly) before anything is written: an unpaired quote or a runaway
        cell is a file error, not a crash half-way through. Returns the number of records."""
        self.handle.seek(0)
        text = io.TextIOWrapper(io.BufferedReader(_Unclosable(self.handle), 1 << 16), encoding=self.encoding,
                                newline="")
        records = 0
        try:
            for _ in csv.reader(text, strict=True):
                records += 1
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                raise ImportFileError(f"CSV 格式错误：第 {records + 1} 行的单元格过长（可能有未配对的英文双引号）。") from None
            if "unexpected end of data" in str(exc):
                raise ImportFileError(f"CSV 格式错误：第 {records + 1} 行起有未配对的英文双引号（\"），"
                                      "请在 Excel 中打开后另存为 CSV 或 .xlsx。") from None
            records = 0  # a quirk the lenient reader accepts (e.g. text after a closing quote): no estimate
        finally:
            text.close()
            self.handle.seek(0)
        return records

    def _close(self) -> None:
        self._text.close()


class XlsxTable(Table):
    kind = "xlsx"

    def __init__(self, handle: BinaryIO, name: str, *, owned: bool = False):
        super().__init__(handle, name, owned=owned)
        from openpyxl import load_workbook

        self._raw_book = None
        self._raw_rows: Iterator[tuple[int, tuple]] | None = None
        self._raw_current: tuple[int, tuple] = (0, ())
        try:
            self._book = load_workbook(handle, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
            raise ImportFileError(f"无法读取 Excel 工作簿（{exc.__class__.__name__}）：文件可能已损坏，"
                                  "请在 Excel 中打开后另存为 .xlsx。") from None
        self.sheet_title = ""
        try:
            for sheet in self._book.worksheets:
                estimated = sheet.max_row
                sheet.reset_dimensions()   # some writers store a wrong size: read every cell there is
                if self._take_header(enumerate(sheet.iter_rows(values_only=True), start=1)):
                    self.sheet_title = sheet.title
                    self.estimated_rows = max(estimated - self.header_row, 0) if estimated else None
                    break
            else:
                raise ImportFileError(f"没有找到表头：各工作表前 {HEADER_SEARCH_ROWS} 行中都没有“统一社会信用代码”等列名。"
                                      "请使用导入模板。")
            self._check_header()
        except ImportFileError:
            self._close()
            raise
        except Exception as exc:
            self._close()
            raise ImportFileError(f"无法读取 Excel 工作簿（{exc.__class__.__name__}）：文件可能已损坏，"
                                  "请在 Excel 中打开后另存为 .xlsx。") from None

    def formula_columns(self, row_number: int) -> set[int]:
        """Columns of `row_number` holding a formula. Read from a second, formula-preserving pass that is
        opened only when a row with an empty cell needs explaining, and that only moves forward."""
        from openpyxl import load_workbook

        if self._raw_rows is None:
            self._raw_book = load_workbook(self.handle, read_only=True, data_only=False)
            sheet = self._raw_book[self.sheet_title]
            sheet.reset_dimensions()
            self._raw_rows = enumerate(sheet.iter_rows(values_only=True), start=1)
        number, cells = self._raw_current
        while number < row_number:
            number, cells = self._raw_current = next(self._raw_rows, (row_number + 1, ()))
        if number != row_number:
            return set()
        return {index for index, value in enumerate(cells) if isinstance(value, str) and value.startswith("=")}

    def _close(self) -> None:
        for book in (getattr(self, "_book", None), self._raw_book):
            if book is not None:
                book.close()
        self._raw_book = None


class _Unclosable(io.RawIOBase):
    """Lets a TextIOWrapper read a caller's binary file without closing it."""

    def __init__(self, handle):
        super().__init__()
        self._handle = handle

    def readable(self):
        return True

    def readinto(self, buffer):
        data = self._handle.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)


def open_table(source: str | os.PathLike | BinaryIO, name: str = "") -> Table:
    """Open a CSV or XLSX judged by its content (never its name). Raises ImportFileError with one Chinese line."""
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        try:
            handle = path.open("rb")
        except OSError as exc:
            raise ImportFileError(f"无法打开文件 {path}：{exc.strerror or exc}") from None
        try:
            return _open_handle(handle, name or path.name, owned=True)
        except BaseException:
            handle.close()
            raise
    handle = getattr(source, "file", source)  # Django's UploadedFile wraps the real file
    return _open_handle(handle, name or getattr(source, "name", "") or "上传的文件", owned=False)


def _open_handle(handle: BinaryIO, name: str, *, owned: bool) -> Table:
    if sniff(handle) == "xlsx":
        return XlsxTable(handle, name, owned=owned)
    return CsvTable(handle, name, owned=owned)


def sniff(handle: BinaryIO) -> str:
    """"xlsx" or "csv" judged by content; ImportFileError for anything else."""
    handle = getattr(handle, "file", handle)
    handle.seek(0)
    head = handle.read(8)
    handle.seek(0)
    if not head:
        raise ImportFileError("文件是空的。")
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(handle) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            raise ImportFileError("文件是损坏的 ZIP/Excel 文件，请在 Excel 中打开后另存为 .xlsx。") from None
        finally:
            handle.seek(0)
        if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
            return "xlsx"
        raise ImportFileError("文件是 ZIP 压缩包，但不是 Excel 工作簿（.xlsx）：请上传 .xlsx 或 .csv 文件。")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError("这是旧版 Excel（.xls）或加了密码的工作簿：请在 Excel 中另存为不加密的 .xlsx 或"
                              "“CSV UTF-8（逗号分隔）”后再导入。")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportFileError("文件是 UTF-16 编码的文本，不支持：请在 Excel 中另存为 .xlsx 或“CSV UTF-8（逗号分隔）”。")
    return "csv"


NOT_TABLE = "文件不是 CSV 文本也不是 XLSX 工作簿（{}）：请上传 .xlsx 或 .csv 文件。"


def detect_encoding(handle: BinaryIO) -> str:
    """"utf-8-sig" (UTF-8 with or without BOM) or "gb18030", after decoding the whole file chunk by chunk."""
    for encoding in ("utf-8-sig", "gb18030"):
        handle.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        first = True
        try:
            while chunk := handle.read(1 << 16):
                if b"\x00" in chunk:
                    raise ImportFileError(NOT_TABLE.format("含有二进制内容"))
                text = decoder.decode(chunk)
                if first and len(_CONTROL.findall(text)) > max(2, len(text) // 200):
                    raise ImportFileError(NOT_TABLE.format("含有大量控制字符"))
                first = False
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        finally:
            handle.seek(0)
        return encoding
    raise ImportFileError("无法识别 CSV 文件的编码：请保存为 UTF-8 或 GB18030（GBK）编码，或直接上传 .xlsx。")


def inspect_file(source: BinaryIO, name: str = "") -> str:
    """Check that a file can be imported (type, encoding, structure, header) without importing; its kind."""
    table = open_table(source, name)
    try:
        return table.kind
    finally:
        table.close()
        getattr(source, "file", source).seek(0)


# --- the error report ---------------------------------------------------------------------------------------

class ErrorReport:
    """The error rows as an XLSX: 行号, 错误说明, then the file's own columns, so staff can fix the rows in Excel
    and import the same file again (行号 and 错误说明 are ignored on import). Written streaming (write-only)."""

    def __init__(self, path: Path, table: Table):
        self.path = Path(path)
        self.keep = [i for i, header in enumerate(table.headers)
                     if header and header_key(header) not in REPORT_HEADER_KEYS]
        self.headers = [table.headers[i] for i in self.keep]
        self.fields = [table.fields[i] for i in self.keep]
        self.rows = 0
        self._book = None

    def _open(self) -> None:
        from openpyxl import Workbook
        from openpyxl.styles import Alignment, Font, PatternFill
        from openpyxl.utils import get_column_letter

        self._book = Workbook(write_only=True)
        self._sheet = self._book.create_sheet("错误行")
        self._fill = PatternFill("solid", fgColor="FDECEA")
        self._wrap = Alignment(wrap_text=True, vertical="top")
        widths = [8, 60] + [max(12, min(40, len(header) * 2 + 4)) for header in self.headers]
        for index, width in enumerate(widths, start=1):
            self._sheet.column_dimensions[get_column_letter(index)].width = width
        self._sheet.freeze_panes = "C2"
        bold = Font(bold=True)
        header = [self._text(text) for text in [REPORT_ROW_HEADER, REPORT_MESSAGE_HEADER, *self.headers]]
        for cell in header:
            cell.font = bold
        self._sheet.append(header)

    def _text(self, text: str):
        """A text cell, never a formula: a value like "=A1" stays the text the file had."""
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        cell = WriteOnlyCell(self._sheet, value=ILLEGAL_CHARACTERS_RE.sub("", text) or None)
        if cell.value is not None:
            cell.data_type = "s"
        return cell

    def add(self, error: RowError, cells: tuple) -> None:
        if self._book is None:
            self._open()
        bad = {problem.field for problem in error.problems}
        message = self._text(error.message)
        message.alignment = self._wrap
        row = [error.row, message]
        for index, name in zip(self.keep, self.fields, strict=True):
            cell = self._text(cell_text(cells[index]) if index < len(cells) else "")
            cell.number_format = "@"
            if name in bad:
                cell.fill = self._fill
            row.append(cell)
        self._sheet.append(row)
        self.rows += 1

    def save(self) -> Path | None:
        """Write the file (atomically) if there was any error row; its path, or None."""
        if self._book is None:
            return None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=self.path.parent, suffix=".part")
        os.close(fd)
        try:
            self._book.save(temporary)
            os.replace(temporary, self.path)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
        self._book = None
        return self.path


# --- the import ---------------------------------------------------------------------------------------------

@dataclass
class _Batch:
    number: int
    first_row: int
    last_row: int
    headers: list[str]
    parsed: list[ParsedRow] = field(default_factory=list)
    errors: list[tuple[RowError, tuple]] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"导入批次 {self.number}（第 {self.first_row}–{self.last_row} 行）"

    def fail(self, error: RowError, cells: tuple) -> None:
        width = min(len(cells), len(self.headers))
        error.values = {self.headers[i] or f"第 {i + 1} 列": cell_text(cells[i]) for i in range(width)}
        self.errors.append((error, cells))


def entity_import(
    *,
    actor: Actor,
    source: str | os.PathLike | BinaryIO,
    file_name: str = "",
    dry_run: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
    error_report: str | os.PathLike | None = None,
    progress: Callable[[int, int | None], None] | None = None,
    max_error_rows: int = MAX_ERROR_ROWS,
) -> ImportResult:
    """Import a CSV or XLSX into the registry, upserting by USCC (see the module docstring).

    Raises ImportFileError when the file cannot be read at all (nothing is written), PermissionDenied when the
    actor may not import, and ImportInterrupted when a batch fails: that batch is rolled back, the batches
    before it stay committed, and the exception carries the result so far."""
    if not may_import(actor.user):
        raise PermissionDenied("您没有批量导入市场主体的权限。")
    if not 1 <= batch_size <= MAX_BATCH_SIZE:
        raise ValueError(f"batch_size must be between 1 and {MAX_BATCH_SIZE}")
    started = time.monotonic()
    reference = Reference.load(actor.user)
    table = open_table(source, file_name)
    result = ImportResult(file_name=file_name or table.name, dry_run=dry_run)
    report = ErrorReport(Path(error_report), table) if error_report else None
    seen: dict[str, int] = {}
    batch: _Batch | None = None
    try:
        with table:
            for batch in _batches(table, reference, seen, batch_size):
                _explain_formulas(table, batch)
                if dry_run:
                    _check_batch(batch, reference, result)
                else:
                    _write_batch(batch, reference, result, actor)
                result.batches += 1
                for error, cells in sorted(batch.errors, key=lambda item: item[0].row):
                    result.errors += 1
                    if len(result.error_rows) < max_error_rows:
                        result.error_rows.append(error)
                    if report is not None:
                        report.add(error, cells)
                batch = None
                if progress is not None:
                    progress(result.rows, table.estimated_rows)
    except (Exception, KeyboardInterrupt) as exc:
        result.elapsed = time.monotonic() - started
        if report is not None:
            result.report_path = report.save()
        if batch is not None:
            where = f"{batch.label}未能完成，该批已整批撤销"
        else:
            where = f"读取文件第 {result.rows + 1} 行附近时出错"
        detail = _short(" ".join(str(exc).split()), 200)   # one line, whatever the database said
        reason = "操作被中止" if isinstance(exc, KeyboardInterrupt) else f"{exc.__class__.__name__}: {detail}"
        kept = (f"此前已提交 {result.batches} 批（新增 {result.created}，更新 {result.updated}）" if not dry_run
                else "试导入未写入任何数据")
        message = (f"导入中断：{where}；{kept}。修正后重新导入同一文件即可，已导入的行会显示为“未变”。原因：{reason}")
        raise ImportInterrupted(message, result) from exc
    if report is not None:
        result.report_path = report.save()
    result.elapsed = time.monotonic() - started
    return result


def _batches(table: Table, reference: Reference, seen: dict[str, int], size: int) -> Iterator[_Batch]:
    """Parse the rows into batches of `size` non-blank rows; repeats inside the file become error rows."""
    columns = [(index, name) for index, name in enumerate(table.fields) if name is not None]
    number = 0
    batch: _Batch | None = None
    for row_number, cells in table.rows():
        width = len(cells)
        fields = {name: cells[index] if index < width else None for index, name in columns}
        if all(value is None or (isinstance(value, str) and not value.strip(_STRIP)) for value in fields.values()):
            continue  # a blank row
        if batch is None:
            number += 1
            batch = _Batch(number=number, first_row=row_number, last_row=row_number, headers=table.headers)
        batch.last_row = row_number
        outcome = parse_fields(fields, reference, number=row_number)
        valid = outcome.uscc_valid if isinstance(outcome, RowError) else True
        if valid:
            first = seen.setdefault(outcome.uscc, row_number)
            if first != row_number:
                problem = Problem("uscc", f"统一社会信用代码 {outcome.uscc} 与第 {first} 行重复")
                if isinstance(outcome, RowError):
                    outcome.problems.insert(0, problem)
                else:
                    outcome = RowError(row=row_number, uscc=outcome.uscc, problems=[problem], uscc_valid=True)
        if isinstance(outcome, RowError):
            batch.fail(outcome, cells)
        else:
            outcome.cells = cells
            batch.parsed.append(outcome)
        if len(batch.parsed) + len(batch.errors) >= size:
            yield batch
            batch = None
    if batch is not None:
        yield batch


def _explain_formulas(table: Table, batch: _Batch) -> None:
    """An XLSX formula whose result was never saved reads as empty: say so instead of "不能为空"."""
    if table.kind != "xlsx":
        return
    by_field = {name: index for index, name in enumerate(table.fields) if name}
    for error, _cells in batch.errors:
        if not any(problem.blank for problem in error.problems):
            continue
        formulas = table.formula_columns(error.row)
        for position, problem in enumerate(error.problems):
            if problem.blank and by_field.get(problem.field) in formulas:
                error.problems[position] = Problem(problem.field, (
                    f"{problem.column}：单元格是公式，但文件中没有保存计算结果（文件可能由程序生成）。"
                    "请在 Excel 中打开并保存后再导入，或把公式改为数值"), blank=True)


@dataclass
class _Plan:
    create: list[MarketEntity] = field(default_factory=list)
    update: list[tuple[MarketEntity, dict[str, list]]] = field(default_factory=list)
    unchanged: int = 0
    skipped: int = 0
    errors: list[tuple[RowError, tuple]] = field(default_factory=list)


OUT_OF_SCOPE = "统一社会信用代码：该市场主体已登记在其他旗县区，不在您的管辖范围，不能由您导入或修改；如需变更请联系联席会议办公室"


def _plan(batch: _Batch, reference: Reference, existing: dict[str, MarketEntity], now) -> _Plan:
    plan = _Plan()
    for parsed in batch.parsed:
        if is_example_row(parsed):
            plan.skipped += 1
            continue
        entity = existing.get(parsed.uscc)
        if entity is None:
            plan.create.append(MarketEntity(**parsed.values))
            continue
        if not reference.in_scope(entity.region_id, entity.sector_id):
            plan.errors.append((RowError(row=parsed.row, uscc=parsed.uscc, uscc_valid=True,
                                         problems=[Problem("uscc", OUT_OF_SCOPE)]), parsed.cells))
            continue
        changes: dict[str, list] = {}
        for attname, value in parsed.values.items():
            before = getattr(entity, attname)
            if before != value:
                name = attname.removesuffix("_id") if attname in ("region_id", "sector_id") else attname
                changes[name] = [audit.jsonable(before), audit.jsonable(value)]
                setattr(entity, attname, value)
        if changes:
            entity.updated_at = now
            plan.update.append((entity, changes))
        else:
            plan.unchanged += 1
    return plan


def _existing(usccs: list[str], *, lock: bool) -> dict[str, MarketEntity]:
    if not usccs:
        return {}
    entities = MarketEntity.objects.filter(uscc__in=usccs).order_by("uscc")
    if lock:
        entities = entities.select_for_update()  # PostgreSQL; SQLite's IMMEDIATE transaction is the one writer
    return {entity.uscc: entity for entity in entities}


def _check_batch(batch: _Batch, reference: Reference, result: ImportResult) -> None:
    plan = _plan(batch, reference, _existing([p.uscc for p in batch.parsed], lock=False), timezone.now())
    _count(batch, plan, result)


def _write_batch(batch: _Batch, reference: Reference, result: ImportResult, actor: Actor) -> None:
    usccs = [parsed.uscc for parsed in batch.parsed]
    for attempt in range(3):
        try:
            with transaction.atomic():
                plan = _plan(batch, reference, _existing(usccs, lock=True), timezone.now())
                if plan.create or plan.update:
                    _save(plan, batch, result, actor)
            break
        except IntegrityError:
            # Another writer registered one of these USCCs between our read and our insert: read again.
            if attempt == 2:
                raise
    _count(batch, plan, result)


def _save(plan: _Plan, batch: _Batch, result: ImportResult, actor: Actor) -> None:
    created = MarketEntity.objects.bulk_create(plan.create)
    if any(entity.pk is None for entity in created):  # a backend that cannot return ids from a bulk insert
        ids = dict(MarketEntity.objects.filter(uscc__in=[e.uscc for e in created]).values_list("uscc", "pk"))
        for entity in created:
            entity.pk = ids[entity.uscc]
    if plan.update:
        names = sorted({name for _, changes in plan.update for name in changes} | {"updated_at"})
        MarketEntity.objects.bulk_update([entity for entity, _ in plan.update], names)
    audit.record(
        actor=actor, action=AUDIT_ACTION, object_type=MarketEntity._meta.label_lower, object_repr=batch.label,
        changes={"created": [entity.uscc for entity in created],
                 "updated": {entity.uscc: changes for entity, changes in plan.update},
                 "file": result.file_name})
    search.reindex_entities([entity.pk for entity in created] + [entity.pk for entity, _ in plan.update])


def _count(batch: _Batch, plan: _Plan, result: ImportResult) -> None:
    result.rows += len(batch.parsed) + len(batch.errors)
    result.created += len(plan.create)
    result.updated += len(plan.update)
    result.unchanged += plan.unchanged
    result.skipped += plan.skipped
    batch.errors.extend(plan.errors)


# --- the blank template -------------------------------------------------------------------------------------

def template_workbook(reference: Reference | None = None) -> bytes:
    """The import template: 市场主体 (headers and one example row, skipped on import), 填写说明 and 选项
    (the counties, sectors and choices of this installation, read from the database)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    reference = reference or Reference.load()
    county = reference.example_county()
    sector = reference.sectors[0] if reference.sectors else None
    book = Workbook()
    sheet = book.active
    sheet.title = "市场主体"
    sheet.append([column.header for column in COLUMNS])
    example = {
        "uscc": uscc_rules.complete(f"91{county.code if county else '150802'}{EXAMPLE_MARK}"),
        "name": "示例：某某商贸有限公司（此行为示例，导入时自动跳过）",
        "entity_type": str(EntityType.COMPANY.label),
        "legal_representative": "张某某",
        "address": f"{county.name if county else ''}某某路 1 号",
        "region": county.name if county else "",
        "sector": sector.name if sector else "",
        "online_platform": "",
        "online_shop_url": "",
        "operating_status": str(OperatingStatus.OPERATING.label),
        "contact_phone": "0478-1234567",
    }
    sheet.append([example[column.field] for column in COLUMNS])
    red = Font(bold=True, color="A4161A")
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = red if column.required else Font(bold=True)
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(14, len(column.header) * 2 + 6)
        if column.field in ("uscc", "contact_phone", "region"):
            sheet.column_dimensions[letter].number_format = "@"
    sheet.freeze_panes = "A2"

    options = book.create_sheet("选项")
    lists = {
        "所在旗县区": [f"{r.name}" for r in sorted(reference.counties, key=lambda r: r.code)],
        "区划代码": [r.code for r in sorted(reference.counties, key=lambda r: r.code)],
        "行业": [s.name for s in reference.sectors],
        "行业代码": [s.code for s in reference.sectors],
        "主体类型": [str(label) for _, label in EntityType.choices],
        "经营状态": [str(label) for _, label in OperatingStatus.choices],
    }
    for index, (title, values) in enumerate(lists.items(), start=1):
        options.cell(row=1, column=index, value=title).font = Font(bold=True)
        options.column_dimensions[get_column_letter(index)].width = 30
        for offset, value in enumerate(values, start=2):
            options.cell(row=offset, column=index, value=value)
    dropdowns = {"region": "所在旗县区", "sector": "行业", "entity_type": "主体类型", "operating_status": "经营状态"}
    titles = list(lists)
    for name, title in dropdowns.items():
        position = [c.field for c in COLUMNS].index(name) + 1
        source = get_column_letter(titles.index(title) + 1)
        validation = DataValidation(type="list", allow_blank=True, showErrorMessage=False,
                                    formula1=f"=选项!${source}$2:${source}${len(lists[title]) + 1}")
        letter = get_column_letter(position)
        validation.add(f"{letter}2:{letter}20001")
        sheet.add_data_validation(validation)

    notes = book.create_sheet("填写说明")
    notes.append(["列名", "必填", "说明"])
    for column in COLUMNS:
        notes.append([column.header, "是" if column.required else "", column.help])
    notes.append([])
    for number, line in enumerate(IMPORT_NOTES, start=1):
        notes.append([f"{number}. {line}"])
    notes.column_dimensions["A"].width = 18
    notes.column_dimensions["B"].width = 6
    notes.column_dimensions["C"].width = 90
    for row in notes.iter_rows(min_row=2):
        row[-1].alignment = Alignment(wrap_text=True, vertical="top")
    for cell in notes[1]:
        cell.font = Font(bold=True)

    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


IMPORT_NOTES = (
    "第一张含表头的工作表被导入；表头的列可以任意顺序，多余的列会被忽略，列名前后的空格（含全角空格）不影响识别。",
    "按统一社会信用代码导入：名录中没有的新增，已有的只更新有变化的项，完全相同的记为“未变”。",
    "更新已有主体时，空白的选填单元格表示“不修改该项”。",
    "同一文件中重复出现的统一社会信用代码，第二次及以后出现的行记为错误行。",
    "有错误的行不会导入，其余的行照常导入；下载错误报告，按“错误说明”改正后可直接再次上传。",
    "可先选择“试导入”，只检查、不写入。重复导入同一文件是安全的：已导入的行记为“未变”。",
    "模板第二行是示例，导入时自动跳过，可以删除。",
)
