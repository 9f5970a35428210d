"""Reading a small staff-uploaded table (XLSX or CSV, judged by content) into a header and data rows.

The complaint import and the credit-event import read their files the same way: find the header among the first
rows, map each column name (or alias) to a field, refuse a repeated or missing required column, skip blank rows and
stop at a row limit. What differs between them is described by a `TableSpec`. (The registry import streams much
larger files and keeps its own reader in `importing.py`.)
"""

import csv
import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, ClassVar

from .importing import ImportFileError, cell_text, detect_encoding, header_key, sniff


@dataclass(frozen=True)
class TableSpec:
    header_index: dict[str, str]          # header_key(column name or alias) → field
    headers_by_field: dict[str, str]      # field → the template's column name
    required: tuple[str, ...]
    max_rows: int
    header_search_rows: int
    row_noun: str                         # in "文件超过 N 行…"; "" reads fine too
    noun: str                             # in "文件中没有…：表头下面没有数据行。"
    header_examples: str                  # in "前 N 行中没有…等列名"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a row. An importer subclasses it to name its columns (`headers`: field → column name)."""
    field: str
    message: str
    headers: ClassVar[dict[str, str]] = {}

    @property
    def column(self) -> str:
        return self.headers.get(self.field, "")


@dataclass
class RowError:
    row: int
    problems: list[Problem]
    cells: tuple = ()

    @property
    def columns(self) -> list[str]:
        return list(dict.fromkeys(p.column for p in self.problems if p.column))

    @property
    def message(self) -> str:
        return "；".join(p.message for p in self.problems)

    def as_dict(self) -> dict:
        return {"row": self.row, "columns": "、".join(self.columns), "message": self.message}


@dataclass
class Table:
    name: str
    headers: list[str]
    fields: list[str | None]
    header_row: int
    rows: list[tuple[int, tuple]]


def read_table(source: str | os.PathLike | BinaryIO, spec: TableSpec, name: str = "") -> Table:
    """The header and the data rows of an XLSX (first sheet with a header) or CSV, judged by content."""
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        try:
            with path.open("rb") as handle:
                return _read(handle, spec, name or path.name)
        except OSError as exc:
            raise ImportFileError(f"无法打开文件 {path}：{exc.strerror or exc}") from None
    handle = getattr(source, "file", source)
    return _read(handle, spec, name or getattr(source, "name", "") or "上传的文件")


def _read(handle: BinaryIO, spec: TableSpec, name: str) -> Table:
    kind = sniff(handle)  # "xlsx" or "csv"; ImportFileError for an empty file, .xls, a ZIP …
    rows = _xlsx_rows(handle, spec) if kind == "xlsx" else _csv_rows(handle)
    header_row, headers, fields = 0, [], []
    data: list[tuple[int, tuple]] = []
    for number, cells in rows:
        if not header_row:
            if number > spec.header_search_rows:
                break
            keys = [header_key(cell) for cell in cells]
            if any(key in spec.header_index for key in keys):
                header_row, headers = number, [cell_text(cell) for cell in cells]
                fields = [spec.header_index.get(key) for key in keys]
                _check_header(headers, fields, number, spec)
            continue
        if all(not cell_text(cell) for cell in cells):
            continue
        data.append((number, tuple(cells)))
        if len(data) > spec.max_rows:
            raise ImportFileError(f"文件超过 {spec.max_rows} 行{spec.row_noun}，请拆分成几个文件分别导入。")
    if not header_row:
        raise ImportFileError(f"没有找到表头：前 {spec.header_search_rows} 行中没有{spec.header_examples}等列名。"
                              "请使用导入模板的表头（CSV 用英文逗号分隔）。")
    if not data:
        raise ImportFileError(f"文件中没有{spec.noun}：表头下面没有数据行。")
    return Table(name=name, headers=headers, fields=fields, header_row=header_row, rows=data)


def _check_header(headers: list[str], fields: list[str | None], number: int, spec: TableSpec) -> None:
    present: dict[str, int] = {}
    for index, name in enumerate(fields):
        if name is None:
            continue
        if name in present:
            raise ImportFileError(f"表头（第 {number} 行）中“{headers[present[name]]}”与“{headers[index]}”是同一列，"
                                  "请只保留一列。")
        present[name] = index
    missing = [spec.headers_by_field[name] for name in spec.required if name not in present]
    if missing:
        raise ImportFileError(f"缺少必需的列：{'、'.join(missing)}。表头应包含 "
                              f"{'、'.join(spec.headers_by_field[n] for n in spec.required)}。")


def _csv_rows(handle: BinaryIO):
    encoding = detect_encoding(handle)   # ImportFileError for binary content or an unknown encoding
    text = handle.read().decode(encoding)
    handle.seek(0)
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error:
        raise ImportFileError("CSV 格式错误（可能有未配对的英文双引号）：请在 Excel 中打开后另存为 .xlsx 或 CSV。") from None
    return enumerate(records, start=1)


def _xlsx_rows(handle: BinaryIO, spec: TableSpec):
    from openpyxl import load_workbook

    damaged = "无法读取 Excel 工作簿（{}）：文件可能已损坏，请在 Excel 中打开后另存为 .xlsx。"
    try:
        book = load_workbook(handle, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise ImportFileError(damaged.format(exc.__class__.__name__)) from None
    try:
        limit = spec.max_rows + spec.header_search_rows + 500
        for sheet in book.worksheets:
            sheet.reset_dimensions()  # some writers store a wrong size
            rows = list(enumerate(sheet.iter_rows(values_only=True, max_row=limit), start=1))
            head = rows[:spec.header_search_rows]
            if any(header_key(cell) in spec.header_index for _, cells in head for cell in cells):
                return rows
    except Exception as exc:
        raise ImportFileError(damaged.format(exc.__class__.__name__)) from None
    finally:
        book.close()
    return []
