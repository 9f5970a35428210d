"""Parsing the reference files under data/reference/ (facts of the policy in table form).

Pure functions: they read and check the files and return plain rows, or raise ReferenceFileError naming
the file, the line and the problem. Nothing is written until every file has been read cleanly.
"""

import csv
from dataclasses import dataclass
from pathlib import Path

from .choices import RegionLevel


class ReferenceFileError(ValueError):
    def __init__(self, path: Path, line: int | None, problem: str):
        self.path, self.line, self.problem = path, line, problem
        where = f"{path.name} 第 {line} 行" if line else path.name
        super().__init__(f"{where}：{problem}")


@dataclass(frozen=True)
class RegionRow:
    code: str
    name: str
    level: str
    parent_code: str


@dataclass(frozen=True)
class DepartmentRow:
    code: str
    name: str
    note: str


@dataclass(frozen=True)
class SectorRow:
    code: str
    seq: int
    name: str
    lead: tuple[str, ...]
    cooperating: tuple[str, ...]


@dataclass(frozen=True)
class DimensionRow:
    code: str
    seq: int
    name: str
    summary: str


@dataclass(frozen=True)
class SpecificCommitmentRow:
    code: str
    seq: int
    name: str
    dimension: str
    description: str


@dataclass(frozen=True)
class CommitmentText:
    title: str
    body: str


@dataclass(frozen=True)
class ReferenceData:
    regions: list[RegionRow]
    departments: list[DepartmentRow]
    sectors: list[SectorRow]
    dimensions: list[DimensionRow]
    commitment: CommitmentText
    specific_commitments: list[SpecificCommitmentRow]


def read_rows(path: Path, required: tuple[str, ...]) -> list[tuple[int, dict]]:
    if not path.exists():
        raise ReferenceFileError(path, None, "文件不存在")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ReferenceFileError(path, None, "不是 UTF-8 编码的文本文件") from None
    reader = csv.DictReader(text.splitlines())
    missing = [name for name in required if name not in (reader.fieldnames or [])]
    if missing:
        raise ReferenceFileError(path, 1, f"缺少列 {', '.join(missing)}（需要 {', '.join(required)}）")
    rows = []
    for number, row in enumerate(reader, start=2):
        if None in row or any(value is None for value in row.values()):
            raise ReferenceFileError(path, number, "列数与表头不一致")
        rows.append((number, {key: (value or "").strip() for key, value in row.items()}))
    if not rows:
        raise ReferenceFileError(path, None, "没有数据行")
    return rows


def check_unique(path: Path, number: int, code: str, seen: set[str]) -> None:
    if not code:
        raise ReferenceFileError(path, number, "代码为空")
    if code in seen:
        raise ReferenceFileError(path, number, f"代码 {code} 重复")
    seen.add(code)


def parse_regions(path: Path, known_codes: set[str] | None = None) -> list[RegionRow]:
    """known_codes: regions already in the database; None skips the check for parents outside the file."""
    rows, seen = [], set()
    for number, row in read_rows(path, ("code", "name", "level", "parent_code")):
        check_unique(path, number, row["code"], seen)
        if not row["code"].isdigit():
            raise ReferenceFileError(path, number, f"区划代码 {row['code']} 应为数字")
        if not row["name"]:
            raise ReferenceFileError(path, number, "名称为空")
        if row["level"] not in RegionLevel.values:
            raise ReferenceFileError(path, number, f"未知层级 {row['level']}（可用：{', '.join(RegionLevel.values)}）")
        rows.append(RegionRow(row["code"], row["name"], row["level"], row["parent_code"]))
    codes = {row.code for row in rows} | set(known_codes or ())
    for number, row in enumerate(rows, start=2):
        if row.parent_code and row.parent_code not in codes and known_codes is not None:
            raise ReferenceFileError(path, number, f"上级区划 {row.parent_code} 不存在")
    return order_parents_first(path, rows)


def order_parents_first(path: Path, rows: list[RegionRow]) -> list[RegionRow]:
    in_file = {row.code for row in rows}
    ordered, placed, pending = [], set(), list(rows)
    while pending:
        ready = [row for row in pending if not row.parent_code or row.parent_code in placed or row.parent_code not in in_file]
        if not ready:
            raise ReferenceFileError(path, None, f"区划上下级形成循环：{', '.join(row.code for row in pending)}")
        ordered.extend(ready)
        placed.update(row.code for row in ready)
        pending = [row for row in pending if row.code not in placed]
    return ordered


def parse_departments(path: Path) -> list[DepartmentRow]:
    rows, seen = [], set()
    for number, row in read_rows(path, ("code", "name")):
        check_unique(path, number, row["code"], seen)
        if not row["name"]:
            raise ReferenceFileError(path, number, "名称为空")
        rows.append(DepartmentRow(row["code"], row["name"], row.get("note", "")))
    return rows


def split_codes(value: str) -> tuple[str, ...]:
    return tuple(code.strip() for code in value.split(";") if code.strip())


def parse_sectors(path: Path, department_codes: set[str]) -> list[SectorRow]:
    rows, seen = [], set()
    for number, row in read_rows(path, ("code", "seq", "name", "lead", "cooperating")):
        check_unique(path, number, row["code"], seen)
        if not row["seq"].isdigit():
            raise ReferenceFileError(path, number, f"序号 {row['seq']!r} 应为整数")
        lead, cooperating = split_codes(row["lead"]), split_codes(row["cooperating"])
        if not lead:
            raise ReferenceFileError(path, number, "缺少牵头单位")
        unknown = [code for code in lead + cooperating if code not in department_codes]
        if unknown:
            raise ReferenceFileError(path, number, f"未知的部门代码 {', '.join(unknown)}")
        rows.append(SectorRow(row["code"], int(row["seq"]), row["name"], lead, cooperating))
    return rows


def parse_dimensions(path: Path) -> list[DimensionRow]:
    rows, seen = [], set()
    for seq, (number, row) in enumerate(read_rows(path, ("code", "name")), start=1):
        check_unique(path, number, row["code"], seen)
        summary = row.get("summary_zh") or row.get("summary", "")  # users read Chinese; the English note is for developers
        rows.append(DimensionRow(row["code"], seq, row["name"], summary))
    return rows


def parse_specific_commitments(path: Path, dimension_codes: set[str]) -> list[SpecificCommitmentRow]:
    rows, seen = [], set()
    for seq, (number, row) in enumerate(read_rows(path, ("code", "name", "dimension", "description")), start=1):
        check_unique(path, number, row["code"], seen)
        if row["dimension"] not in dimension_codes:
            raise ReferenceFileError(path, number, f"未知的维度代码 {row['dimension']}")
        if not row["name"]:
            raise ReferenceFileError(path, number, "名称为空")
        rows.append(SpecificCommitmentRow(row["code"], seq, row["name"], row["dimension"], row["description"]))
    return rows


def parse_commitment(path: Path) -> CommitmentText:
    if not path.exists():
        raise ReferenceFileError(path, None, "文件不存在")
    lines = path.read_text(encoding="utf-8-sig").strip().splitlines()
    if len(lines) < 2 or not lines[0].strip():
        raise ReferenceFileError(path, None, "第一行应为标题，其后为承诺正文")
    return CommitmentText(lines[0].strip(), "\n".join(lines[1:]).strip())


def parse_all(directory: Path, known_region_codes: set[str] | None = None) -> ReferenceData:
    departments = parse_departments(directory / "departments.csv")
    dimensions = parse_dimensions(directory / "dimensions.csv")
    return ReferenceData(
        regions=parse_regions(directory / "regions.csv", known_region_codes),
        departments=departments,
        sectors=parse_sectors(directory / "sectors.csv", {row.code for row in departments}),
        dimensions=dimensions,
        commitment=parse_commitment(directory / "commitment.zh.txt"),
        specific_commitments=parse_specific_commitments(directory / "specific_commitments.csv",
                                                        {row.code for row in dimensions}),
    )
