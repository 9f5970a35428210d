"""Bulk import of the registry (fangxin/merchants/importing.py): files, rows, upsert, batches, CLI and pages."""

import csv
import gc
import io
import re
import tracemalloc
import zipfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import include, path
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

import config.urls
from fangxin.core import audit
from fangxin.core import uscc as uscc_rules
from fangxin.core.actors import Actor
from fangxin.core.exceptions import PermissionDenied
from fangxin.core.models import AuditRecord
from fangxin.merchants import importing, search
from fangxin.merchants.choices import EntityType, OperatingStatus
from fangxin.merchants.importing import COLUMNS, ImportFileError, ImportInterrupted, entity_import
from fangxin.merchants.models import MarketEntity
from fangxin.merchants.tests.factories import make_uscc
from fangxin.organisation.models import Region, Sector

# The import pages are mounted by config/urls.py once the maintainers add them; until then (and after) these
# tests route them here, ahead of the project's own URLs.
urlpatterns = [
    path("workbench/registry/import/", include("fangxin.merchants.urls_import")),
    *(pattern for pattern in config.urls.urlpatterns if getattr(pattern, "namespace", None) != "registry_import"),
]
handler400, handler403 = config.urls.handler400, config.urls.handler403
handler404, handler500 = config.urls.handler404, config.urls.handler500

HEADERS = [column.header for column in COLUMNS]
SYSTEM = Actor.system("test")
XLSX = importing.XLSX_CONTENT_TYPE


# --- helpers --------------------------------------------------------------------------------------------------

def good_row(county: str = "150802", **overrides) -> dict:
    """A valid row keyed by Chinese header; county names and sector names come from the reference data."""
    region = Region.objects.get(code=county)
    row = {
        "统一社会信用代码": make_uscc(county),
        "名称": f"{region.name}测试商行",
        "主体类型": "个体工商户",
        "法定代表人": "王伟",
        "经营场所": f"巴彦淖尔市{region.name}新华街 1 号",
        "所在旗县区": region.name,
        "行业": Sector.objects.get(code="food_drug").name,
        "网店平台": "",
        "网店地址": "",
        "经营状态": "存续（在营）",
        "联系电话": "0478-8888888",
    }
    row.update(overrides)
    return row


def write_csv(target: Path, rows: list[dict], headers=None, encoding="utf-8") -> Path:
    headers = headers or list(rows[0]) if rows else HEADERS
    with target.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        for row in rows:
            writer.writerow([row.get(h, "") for h in headers])
    return target


def write_xlsx(target: Path, rows: list, headers=None) -> Path:
    """rows: dicts by header, or None for a blank row."""
    headers = headers or HEADERS
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append([] if row is None else [row.get(h) for h in headers])
    book.save(target)
    return target


def run(source, actor=SYSTEM, **options) -> importing.ImportResult:
    return entity_import(actor=actor, source=source, **options)


def only_error(result) -> importing.RowError:
    assert result.errors == 1, [e.message for e in result.error_rows]
    return result.error_rows[0]


def command(*args) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("import_entities", *[str(a) for a in args], stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


def import_records():
    return list(AuditRecord.objects.filter(action=importing.AUDIT_ACTION).order_by("seq"))


# --- creating, updating, unchanged ---------------------------------------------------------------------------

@pytest.mark.django_db
def test_new_rows_are_created_in_batches_each_with_one_audit_record(reference, tmp_path):
    rows = [good_row(名称=f"临河区第{i}号商行") for i in range(5)]
    result = run(write_csv(tmp_path / "新名录.csv", rows), batch_size=2)
    assert (result.rows, result.created, result.updated, result.unchanged, result.errors) == (5, 5, 0, 0, 0)
    assert result.batches == 3
    entity = MarketEntity.objects.get(uscc=rows[0]["统一社会信用代码"])
    assert (entity.name, entity.entity_type, entity.region.code, entity.sector.code) == (
        "临河区第0号商行", EntityType.INDIVIDUAL, "150802", "food_drug")
    assert entity.operating_status == OperatingStatus.OPERATING
    assert entity.contact_phone == "0478-8888888"

    records = import_records()
    assert [r.object_repr for r in records] == ["导入批次 1（第 2–3 行）", "导入批次 2（第 4–5 行）", "导入批次 3（第 6–6 行）"]
    assert all(r.object_type == "merchants.marketentity" and r.actor_name == "系统:test" for r in records)
    assert records[0].changes == {"created": [rows[0]["统一社会信用代码"], rows[1]["统一社会信用代码"]],
                                  "updated": {}, "file": "新名录.csv"}
    assert audit.verify().ok


@pytest.mark.django_db
def test_existing_entities_update_only_the_changed_fields_and_identical_rows_are_unchanged(entities, tmp_path):
    food, shop = entities["a_food"], entities["a_ecommerce"]
    rows = [
        {"统一社会信用代码": food.uscc, "名称": food.name, "所在旗县区": "临河区", "行业": food.sector.name,
         "联系电话": "13800000000", "经营状态": "停业"},
        {"统一社会信用代码": shop.uscc, "名称": shop.name, "所在旗县区": "150802", "行业": "ecommerce",
         "联系电话": ""},   # blank optional cell: keep the current value
    ]
    result = run(write_csv(tmp_path / "更新.csv", rows))
    assert (result.created, result.updated, result.unchanged, result.errors) == (0, 1, 1, 0)
    food.refresh_from_db()
    assert (food.contact_phone, food.operating_status) == ("13800000000", OperatingStatus.SUSPENDED)
    assert food.address == "巴彦淖尔市临河区新华街 1 号"   # not in the file: untouched
    record = import_records()[-1]
    assert record.changes["created"] == []
    assert record.changes["updated"] == {food.uscc: {"contact_phone": ["", "13800000000"],
                                                      "operating_status": ["operating", "suspended"]}}


@pytest.mark.django_db
def test_moving_an_entity_to_another_county_records_the_region_change(entities, tmp_path):
    food = entities["a_food"]
    row = {"统一社会信用代码": food.uscc, "名称": food.name, "所在旗县区": "五原县", "行业": "食品药品"}
    result = run(write_csv(tmp_path / "迁移.csv", [row]))
    assert result.updated == 1
    wuyuan = Region.objects.get(code="150821")
    assert MarketEntity.objects.get(pk=food.pk).region == wuyuan
    assert import_records()[-1].changes["updated"][food.uscc] == {"region": [food.region_id, wuyuan.pk]}


@pytest.mark.django_db
def test_running_the_same_file_again_changes_nothing(reference, tmp_path):
    source = write_csv(tmp_path / "a.csv", [good_row() for _ in range(4)])
    first = run(source, batch_size=3)
    records = len(import_records())
    second = run(source, batch_size=3)
    assert (first.created, second.created, second.updated, second.unchanged) == (4, 0, 0, 4)
    assert len(import_records()) == records   # nothing changed, nothing audited


# --- bad input -------------------------------------------------------------------------------------------------

def _replace(code: str, index: int, char: str) -> str:
    return code[:index] + char + code[index + 1:]


def _bad_check_character(code: str) -> str:
    wrong = uscc_rules.ALPHABET[(uscc_rules.VALUES[code[-1]] + 1) % 31]
    return code[:-1] + wrong


BAD_CELLS = [
    ("wrong check character", "统一社会信用代码", _bad_check_character, "校验位错误"),
    ("17 characters", "统一社会信用代码", lambda c: c[:-1], "应为 18 位，实际为 17 位"),
    ("19 characters", "统一社会信用代码", lambda c: c + "1", "应为 18 位，实际为 19 位"),
    *[(f"forbidden letter {letter}", "统一社会信用代码", lambda c, x=letter: _replace(c, 10, x), f"不允许的字符“{letter}”")
      for letter in "IOSVZ"],
    ("empty USCC", "统一社会信用代码", lambda c: "", "统一社会信用代码不能为空"),
    ("unknown county", "所在旗县区", lambda c: "火星区", "未找到“火星区”"),
    ("unknown county code", "所在旗县区", lambda c: "150899", "未找到区划代码“150899”"),
    ("the city is not a county", "所在旗县区", lambda c: "巴彦淖尔市", "是盟市，不是旗县区"),
    ("the city code is not a county", "所在旗县区", lambda c: "150800", "是盟市，不是旗县区"),
    ("the region is not a county", "所在旗县区", lambda c: "内蒙古自治区", "是自治区，不是旗县区"),
    ("empty county", "所在旗县区", lambda c: "", "所在旗县区不能为空"),
    ("unknown sector", "行业", lambda c: "挖矿", "未找到行业“挖矿”"),
    ("empty sector", "行业", lambda c: "　", "行业不能为空"),
    ("bad URL", "网店地址", lambda c: "shop.example.com/123", "不是有效的网址"),
    ("bad URL scheme", "网店地址", lambda c: "ftp//x", "不是有效的网址"),
    ("name too long", "名称", lambda c: "商" * 121, "名称过长：最多 120 个字符，实际 121 个"),
    ("empty name", "名称", lambda c: " ", "名称不能为空"),
    ("phone too long", "联系电话", lambda c: "1" * 21, "联系电话过长：最多 20 个字符"),
    ("unknown entity type", "主体类型", lambda c: "外星企业", "主体类型“外星企业”无效：应为 企业、个体工商户"),
    ("unknown status", "经营状态", lambda c: "休眠", "经营状态“休眠”无效"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "header", "change", "expected"), BAD_CELLS, ids=[c[0] for c in BAD_CELLS])
def test_a_bad_cell_makes_an_error_row_in_chinese_and_the_good_rows_still_import(
        reference, tmp_path, case, header, change, expected):
    bad, good = good_row(), good_row()
    bad[header] = change(bad["统一社会信用代码"])
    result = run(write_csv(tmp_path / "x.csv", [good, bad]))
    error = only_error(result)
    assert expected in error.message
    assert (error.row, error.columns) == (3, [header])
    assert error.values["名称"] == bad["名称"].strip()          # the original values travel with the error
    assert result.created == 1
    assert MarketEntity.objects.filter(uscc=good["统一社会信用代码"]).exists()
    assert MarketEntity.objects.count() == 1


@pytest.mark.django_db
def test_every_problem_of_a_row_is_reported_with_its_column(reference, tmp_path):
    row = good_row(所在旗县区="火星区", 行业="挖矿", 网店地址="not a url")
    row["统一社会信用代码"] = _bad_check_character(row["统一社会信用代码"])
    error = only_error(run(write_csv(tmp_path / "x.csv", [row])))
    assert error.columns == ["统一社会信用代码", "所在旗县区", "行业", "网店地址"]   # in the order of the columns
    assert len(error.problems) == 4


@pytest.mark.django_db
def test_a_uscc_repeated_in_the_file_is_an_error_from_its_second_row(reference, tmp_path):
    first = good_row()
    again = good_row(名称="另一家", 统一社会信用代码=first["统一社会信用代码"].lower())
    result = run(write_csv(tmp_path / "x.csv", [first, good_row(), again]), batch_size=1)
    error = only_error(result)
    assert (error.row, error.message) == (4, f"统一社会信用代码 {first['统一社会信用代码']} 与第 2 行重复")
    assert MarketEntity.objects.get(uscc=first["统一社会信用代码"]).name == first["名称"]


@pytest.mark.django_db
def test_an_entity_already_in_the_registry_is_not_a_duplicate_but_an_update(entities, tmp_path):
    food = entities["a_food"]
    row = {"统一社会信用代码": food.uscc, "名称": "临河区华联超市（新华店）", "所在旗县区": "临河区", "行业": "食品药品"}
    result = run(write_csv(tmp_path / "x.csv", [row]))
    assert (result.updated, result.errors) == (1, 0)


@pytest.mark.django_db
@pytest.mark.parametrize("missing", ["统一社会信用代码", "名称", "所在旗县区", "行业"])
def test_a_missing_required_column_rejects_the_whole_file_before_writing(reference, tmp_path, missing):
    headers = [h for h in HEADERS if h != missing]
    source = write_csv(tmp_path / "x.csv", [good_row()], headers=headers)
    with pytest.raises(ImportFileError, match=f"缺少必需的列：{missing}"):
        run(source)
    assert MarketEntity.objects.count() == 0
    assert AuditRecord.objects.filter(action=importing.AUDIT_ACTION).count() == 0


JUNK = bytes((i * 7919 + 13) % 256 for i in range(4096))


@pytest.mark.django_db
@pytest.mark.parametrize(("content", "expected"), [
    (JUNK, "不是 CSV 文本也不是 XLSX 工作簿"),
    (b"", "文件是空的"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "旧版 Excel（.xls）"),
    ("统一社会信用代码,名称\n".encode("utf-16"), "UTF-16"),
    (b"PK\x03\x04broken zip", "损坏"),
    (b"\xc3\x28\xa0\xa1\x80\xff\xfe\xfd" * 20, "无法识别 CSV 文件的编码"),
    ("这是一封信，不是表格。\n第二行。\n".encode(), "没有找到表头"),
    ('统一社会信用代码,名称,所在旗县区,行业\n"91150802MA0000001X,没有配对的引号\n'.encode(), "未配对的英文双引号"),
    ("统一社会信用代码,名称,名称,所在旗县区,行业\n".encode(), "是同一列"),
], ids=["binary junk", "empty", "xls", "utf-16", "broken zip", "undecodable", "no header", "unpaired quote",
        "duplicate column"])
def test_an_unreadable_file_is_one_clear_error_and_nothing_is_written(reference, tmp_path, content, expected):
    source = tmp_path / "upload.csv"
    source.write_bytes(content)
    with pytest.raises(ImportFileError, match=re.escape(expected)):
        run(source)
    assert MarketEntity.objects.count() == 0


@pytest.mark.django_db
def test_a_zip_that_is_not_a_workbook_is_refused(reference, tmp_path):
    source = tmp_path / "x.xlsx"
    with zipfile.ZipFile(source, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    with pytest.raises(ImportFileError, match="不是 Excel 工作簿"):
        run(source)


# --- encodings, headers, cells ----------------------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig", "utf-8"])
def test_csv_in_gb18030_or_utf8_with_or_without_bom(reference, tmp_path, encoding):
    row = good_row(名称="临河区鑫源华联超市", 经营场所="巴彦淖尔市临河区胜利北路 8 号")
    source = write_csv(tmp_path / "x.csv", [row], encoding=encoding)
    assert source.read_bytes().startswith(b"\xef\xbb\xbf") == (encoding == "utf-8-sig")
    result = run(source)
    assert (result.created, result.errors) == (1, 0)
    entity = MarketEntity.objects.get()
    assert (entity.name, entity.address) == ("临河区鑫源华联超市", "巴彦淖尔市临河区胜利北路 8 号")


@pytest.mark.django_db
def test_headers_in_any_order_with_spaces_unknown_columns_and_a_title_row(reference, tmp_path):
    row = good_row(名称="\u3000临河区 利民商行 ", 所在旗县区=" 巴彦淖尔市临河区\u3000", 行业="ＦＯＯＤ_ＤＲＵＧ",
                   主体类型="individual", 经营状态="在营")
    headers = ["备注", " 行业 ", "名称", "\u3000统一社会信用代码", "所在旗县区", "主体类型", "经营状态", "法定代表人（经营者）"]
    target = tmp_path / "x.csv"
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["巴彦淖尔市市场主体名录（2026 年 3 月）"])
        writer.writerow([])
        writer.writerow(headers)
        writer.writerow(["随便写", row["行业"], row["名称"], " " + row["统一社会信用代码"].lower() + " ",
                         row["所在旗县区"], row["主体类型"], row["经营状态"], "李娜"])
    result = run(target)
    assert (result.created, result.errors) == (1, 0)
    entity = MarketEntity.objects.get()
    assert entity.uscc == row["统一社会信用代码"]
    assert (entity.name, entity.region.code, entity.sector.code) == ("临河区 利民商行", "150802", "food_drug")
    assert (entity.entity_type, entity.operating_status, entity.legal_representative) == (
        EntityType.INDIVIDUAL, OperatingStatus.OPERATING, "李娜")


@pytest.mark.django_db
def test_region_and_sector_names_come_from_the_database(reference, tmp_path):
    Region.objects.filter(code="150802").update(name="临河新区")
    Sector.objects.filter(code="tourism").update(name="文化旅游")
    rows = [good_row(所在旗县区="临河新区", 行业="文化旅游"), good_row(所在旗县区="临河区")]
    result = run(write_csv(tmp_path / "x.csv", rows))
    assert result.created == 1
    assert "未找到“临河区”" in only_error(result).message
    assert MarketEntity.objects.get().sector.code == "tourism"


def _add_cached_values(source: Path, cached: dict[str, str]) -> None:
    """Give formula cells the result Excel would have saved with them (openpyxl writes none; its XML writer
    spells the empty value <v/> or <v></v> depending on whether lxml is installed)."""
    with zipfile.ZipFile(source) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    for ref, value in cached.items():
        xml, count = re.subn(rf'<c r="{ref}"><f>(.*?)</f>(?:<v\s*/>|<v></v>)', rf'<c r="{ref}" t="str"><f>\1</f><v>{value}</v>',
                             xml)
        assert count == 1, ref
    parts["xl/worksheets/sheet1.xml"] = xml.encode()
    with zipfile.ZipFile(source, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


@pytest.mark.django_db
def test_xlsx_with_formulas_blank_rows_and_numbers(reference, tmp_path):
    county = Region.objects.get(code="150821")
    rows = [
        good_row(名称="五原县第一商行"),
        None,
        None,
        good_row(所在旗县区=150821, 联系电话=13900000000, 名称='="五原县"&"第二商行"'),   # row 5: numbers, a formula
        good_row(名称="=B2&\"分店\""),                                                 # row 6: formula, no result
        None,
    ]
    source = write_xlsx(tmp_path / "公式.xlsx", rows)
    _add_cached_values(source, {"B5": "五原县第二商行"})
    result = run(source)
    error = only_error(result)
    assert error.row == 6
    assert "公式" in error.message and "没有保存计算结果" in error.message
    assert result.created == 2
    second = MarketEntity.objects.get(name="五原县第二商行")
    assert (second.region, second.contact_phone) == (county, "13900000000")


@pytest.mark.django_db
def test_xlsx_header_is_found_on_a_later_sheet_and_a_wrong_stored_size_is_ignored(reference, tmp_path):
    book = Workbook()
    book.active.title = "说明"
    book.active.append(["这张表是说明"])
    sheet = book.create_sheet("名录")
    sheet.append(HEADERS)
    sheet.append([good_row()[h] for h in HEADERS])
    target = tmp_path / "x.xlsx"
    book.save(target)
    with zipfile.ZipFile(target) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts["xl/worksheets/sheet2.xml"] = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1"',
                                               parts["xl/worksheets/sheet2.xml"])
    with zipfile.ZipFile(target, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    result = run(target)
    assert (result.created, result.errors) == (1, 0)


@pytest.mark.django_db
def test_a_uscc_typed_as_a_number_explains_excels_precision(reference, tmp_path):
    row = good_row(统一社会信用代码=915008021234567000)
    error = only_error(run(write_xlsx(tmp_path / "x.xlsx", [row])))
    assert "数字格式" in error.message


# --- dry run, batches, crashes ----------------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_dry_run_reports_and_writes_nothing(entities, tmp_path):
    food = entities["a_food"]
    before = AuditRecord.objects.count()
    rows = [good_row(), good_row(所在旗县区="火星区"),
            {"统一社会信用代码": food.uscc, "名称": "新名字", "所在旗县区": "临河区", "行业": "食品药品"},
            {"统一社会信用代码": entities["b_food"].uscc, "名称": entities["b_food"].name, "所在旗县区": "五原县",
             "行业": "食品药品"}]
    result = run(write_csv(tmp_path / "x.csv", rows), dry_run=True, error_report=tmp_path / "report.xlsx")
    assert (result.created, result.updated, result.unchanged, result.errors) == (1, 1, 1, 1)
    assert result.dry_run and "试导入" in result.summary() and "将新增 1" in result.summary()
    assert MarketEntity.objects.count() == 4
    assert MarketEntity.objects.get(pk=food.pk).name == food.name
    assert AuditRecord.objects.count() == before
    assert result.report_path == tmp_path / "report.xlsx" and result.report_path.exists()


@pytest.fixture
def fail_in_second_batch(monkeypatch):
    calls = []
    real = search.reindex_entities

    def reindex(ids):
        calls.append(list(ids))
        if len(calls) == 2:
            raise RuntimeError("搜索索引写入失败（测试）\nDETAIL: 第二行")
        return real(ids)

    monkeypatch.setattr(search, "reindex_entities", reindex)
    return calls


@pytest.mark.django_db(transaction=True)
def test_a_crash_in_a_batch_rolls_that_batch_back_and_keeps_the_ones_before(reference, tmp_path,
                                                                           fail_in_second_batch, monkeypatch):
    rows = [good_row() for _ in range(7)]
    source = write_csv(tmp_path / "x.csv", rows)
    with pytest.raises(ImportInterrupted) as caught:
        run(source, batch_size=3)
    interrupted = caught.value
    assert "导入批次 2（第 5–7 行）未能完成，该批已整批撤销" in interrupted.message
    assert "此前已提交 1 批（新增 3，更新 0）" in interrupted.message
    assert (interrupted.result.created, interrupted.result.batches) == (3, 1)
    assert isinstance(interrupted.__cause__, RuntimeError)

    stored = set(MarketEntity.objects.values_list("uscc", flat=True))
    assert stored == {row["统一社会信用代码"] for row in rows[:3]}     # batch 1 stayed, batch 2 left nothing
    assert [r.object_repr for r in import_records()] == ["导入批次 1（第 2–4 行）"]
    assert audit.verify().ok

    monkeypatch.undo()
    again = run(source, batch_size=3)
    assert (again.created, again.updated, again.unchanged, again.errors) == (4, 0, 3, 0)
    assert MarketEntity.objects.count() == 7
    third = run(source, batch_size=3)
    assert (third.created, third.updated, third.unchanged) == (0, 0, 7)
    assert audit.verify().ok


@pytest.mark.django_db(transaction=True)
def test_a_crash_in_an_update_batch_leaves_the_entities_as_they_were(entities, tmp_path, fail_in_second_batch):
    food, shop = entities["a_food"], entities["a_ecommerce"]
    rows = [{"统一社会信用代码": e.uscc, "名称": e.name + "（改）", "所在旗县区": "临河区", "行业": e.sector.name}
            for e in (food, shop)]
    with pytest.raises(ImportInterrupted):
        run(write_csv(tmp_path / "x.csv", rows), batch_size=1)
    assert MarketEntity.objects.get(pk=food.pk).name == food.name + "（改）"
    assert MarketEntity.objects.get(pk=shop.pk).name == shop.name


@pytest.mark.django_db
def test_reindex_receives_the_ids_of_created_and_updated_entities(entities, tmp_path, monkeypatch):
    seen = []
    monkeypatch.setattr(search, "reindex_entities", lambda ids: seen.append(sorted(ids)))
    food = entities["a_food"]
    rows = [good_row(), {"统一社会信用代码": food.uscc, "名称": "改名", "所在旗县区": "临河区", "行业": "食品药品"},
            {"统一社会信用代码": entities["a_ecommerce"].uscc, "名称": entities["a_ecommerce"].name,
             "所在旗县区": "临河区", "行业": "ecommerce"}]
    run(write_csv(tmp_path / "x.csv", rows))
    new = MarketEntity.objects.get(uscc=rows[0]["统一社会信用代码"])
    assert seen == [sorted([new.pk, food.pk])]


# --- the error report ---------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_error_report_can_be_fixed_in_excel_and_imported_again(reference, tmp_path):
    rows = [good_row() for _ in range(6)]
    rows[1]["所在旗县区"] = "火星区"
    rows[3]["统一社会信用代码"] = _bad_check_character(rows[3]["统一社会信用代码"])
    rows[4]["行业"] = "挖矿"
    rows[4]["网店地址"] = "shop.example.com"
    report = tmp_path / "错误报告.xlsx"
    first = run(write_xlsx(tmp_path / "名录.xlsx", rows, headers=["备注", *HEADERS]), error_report=report)
    assert (first.created, first.errors) == (3, 3)

    book = load_workbook(report)
    sheet = book.active
    header = [cell.value for cell in sheet[1]]
    assert header == ["行号", "错误说明", "备注", *HEADERS]
    lines = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [line[0] for line in lines] == [3, 5, 6]
    assert "所在旗县区" in lines[0][1] and "校验位错误" in lines[1][1]
    assert "行业" in lines[2][1] and "网店地址" in lines[2][1]

    col = {h: header.index(h) + 1 for h in HEADERS}
    sheet.cell(row=2, column=col["所在旗县区"], value="杭锦后旗")
    sheet.cell(row=3, column=col["统一社会信用代码"], value=make_uscc())
    sheet.cell(row=4, column=col["行业"], value="电子商务和电视购物")
    sheet.cell(row=4, column=col["网店地址"], value="https://shop.example.com/1")
    book.save(report)

    second_report = tmp_path / "第二次.xlsx"
    second = run(report, error_report=second_report)
    assert (second.created, second.updated, second.errors) == (3, 0, 0)
    assert not second_report.exists()          # no error rows, no report
    assert MarketEntity.objects.count() == 6
    assert MarketEntity.objects.filter(region__code="150826").count() == 1


@pytest.mark.django_db
def test_report_cells_keep_the_text_of_the_file_and_never_become_formulas(reference, tmp_path):
    bad = good_row(网店地址="=HYPERLINK(\"http://evil.example\")", 名称="=1+1")
    report = tmp_path / "r.xlsx"
    run(write_csv(tmp_path / "x.csv", [bad]), error_report=report)
    sheet = load_workbook(report).active
    row = {sheet.cell(row=1, column=i).value: sheet.cell(row=2, column=i) for i in range(1, sheet.max_column + 1)}
    assert (row["网店地址"].value, row["网店地址"].data_type) == ('=HYPERLINK("http://evil.example")', "s")
    assert (row["名称"].value, row["名称"].data_type) == ("=1+1", "s")
    assert row["网店地址"].fill.fgColor.rgb.endswith("FDECEA")      # the bad cell is highlighted


@pytest.mark.django_db
def test_a_report_of_a_report_does_not_repeat_its_own_columns(reference, tmp_path):
    bad = good_row(行业="挖矿")
    report = tmp_path / "r1.xlsx"
    run(write_csv(tmp_path / "x.csv", [bad]), error_report=report)
    report2 = tmp_path / "r2.xlsx"
    result = run(report, error_report=report2)
    assert result.errors == 1
    header = [cell.value for cell in load_workbook(report2).active[1]]
    assert header == ["行号", "错误说明", *HEADERS]


# --- scope and permission ---------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_county_staff_import_only_rows_of_their_own_county(users, entities, tmp_path):
    clerk = Actor.for_user(users["county_a"])
    b_food = entities["b_food"]
    rows = [good_row("150802"), good_row("150821"),
            {"统一社会信用代码": b_food.uscc, "名称": b_food.name, "所在旗县区": "临河区", "行业": "食品药品"}]
    result = run(write_csv(tmp_path / "x.csv", rows), actor=clerk)
    assert (result.created, result.updated, result.errors) == (1, 0, 2)
    messages = {e.row: e.message for e in result.error_rows}
    assert "五原县不在您的管辖范围" in messages[3]
    assert "不在您的管辖范围" in messages[4]
    assert MarketEntity.objects.get(pk=b_food.pk).region.code == "150821"   # not moved into county A
    assert import_records()[-1].actor_name == "county_a"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["merchant", "department", "association", "auditor"])
def test_other_roles_may_not_import(users, tmp_path, role):
    with pytest.raises(PermissionDenied):
        run(write_csv(tmp_path / "x.csv", [good_row()]), actor=Actor.for_user(users[role]))
    assert not MarketEntity.objects.filter(name="临河区测试商行").exists()


# --- the template -------------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_blank_template_imports_as_is_skipping_its_example_row(reference, tmp_path):
    target = tmp_path / "模板.xlsx"
    target.write_bytes(importing.template_workbook())
    book = load_workbook(target)
    assert book.sheetnames == ["市场主体", "选项", "填写说明"]
    assert [c.value for c in book["市场主体"][1]] == HEADERS
    counties = [row[0] for row in book["选项"].iter_rows(min_row=2, values_only=True) if row[0]]
    assert counties == list(Region.objects.filter(level="county").order_by("code").values_list("name", flat=True))
    result = run(target)
    assert (result.rows, result.created, result.skipped, result.errors) == (1, 0, 1, 0)

    sheet = book["市场主体"]
    sheet.append([good_row()[h] for h in HEADERS])
    book.save(target)
    assert run(target).created == 1


# --- the samples in data/samples --------------------------------------------------------------------------------

SAMPLES = Path(__file__).resolve().parents[3] / "data" / "samples"


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["entities-sample.csv", "entities-sample.xlsx"])
def test_the_sample_files_import_with_their_five_documented_bad_rows(reference, name):
    result = run(SAMPLES / name)
    assert (result.rows, result.created, result.errors) == (20, 15, 5)
    errors = {error.row: error.message for error in result.error_rows}
    assert sorted(errors) == [5, 10, 11, 16, 17]
    assert "校验位错误" in errors[5]
    assert "不允许的字符“O”" in errors[10]
    assert "是盟市，不是旗县区" in errors[11]
    assert "未找到行业“直播带货”" in errors[16] and "不是有效的网址" in errors[16]
    assert "与第 4 行重复" in errors[17]


# --- the command line -----------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_cli_exit_0_when_every_row_is_imported(reference, tmp_path):
    code, out, _err = command(write_csv(tmp_path / "x.csv", [good_row(), good_row()]))
    assert code == 0
    assert "导入完成：共 2 行，新增 2，更新 0，未变 0，有误 0" in out
    assert MarketEntity.objects.count() == 2


@pytest.mark.django_db
def test_cli_exit_1_with_the_error_rows_when_some_rows_fail(reference, tmp_path):
    report = tmp_path / "errors.xlsx"
    code, out, _err = command(write_csv(tmp_path / "x.csv", [good_row(), good_row(行业="挖矿")]),
                             "--error-report", report, "--batch-size", "1")
    assert code == 1
    assert "第 3 行" in out and "未找到行业“挖矿”" in out
    assert "新增 1" in out and "有误 1" in out
    assert f"错误报告：{report}" in out and report.exists()
    assert MarketEntity.objects.count() == 1


@pytest.mark.django_db
def test_cli_dry_run(reference, tmp_path):
    code, out, _err = command(write_csv(tmp_path / "x.csv", [good_row()]), "--dry-run")
    assert code == 0 and "试导入完成（未写入任何数据）" in out and "将新增 1" in out
    assert MarketEntity.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(("setup", "expected"), [
    (lambda d: d / "missing.csv", "无法打开文件"),
    (lambda d: _bytes(d / "junk.xlsx", JUNK), "不是 CSV 文本也不是 XLSX 工作簿"),
    (lambda d: write_csv(d / "x.csv", [{"名称": "只有名称"}], headers=["名称"]), "缺少必需的列：统一社会信用代码、所在旗县区、行业"),
], ids=["missing file", "binary junk", "missing header"])
def test_cli_exit_2_with_one_line_for_an_unreadable_file(reference, tmp_path, setup, expected):
    code, out, err = command(setup(tmp_path))
    assert code == 2
    assert expected in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err and out == ""


def _bytes(target: Path, data: bytes) -> Path:
    target.write_bytes(data)
    return target


@pytest.mark.django_db
def test_cli_actor_and_options(users, tmp_path):
    source = write_csv(tmp_path / "x.csv", [good_row("150802"), good_row("150821")])
    assert command(source, "--actor", "nobody")[0:3:2] == (2, "账号 nobody 不存在。\n")
    code, _, err = command(source, "--actor", "merchant")
    assert code == 2 and "无权批量导入" in err
    code, _, err = command(source, "--batch-size", "0")
    assert code == 2 and "--batch-size" in err
    code, out, _ = command(source, "--actor", "county_a")
    assert code == 1 and "五原县不在您的管辖范围" in out
    assert import_records()[-1].actor_name == "county_a"


@pytest.mark.django_db(transaction=True)
def test_cli_exit_3_when_interrupted(reference, tmp_path, fail_in_second_batch):
    code, _out, err = command(write_csv(tmp_path / "x.csv", [good_row() for _ in range(4)]), "--batch-size", "2")
    assert code == 3
    assert "导入中断" in err and len(err.strip().splitlines()) == 1
    assert MarketEntity.objects.count() == 2


# --- the row parser, as a property ----------------------------------------------------------------------------------

CELL = st.one_of(
    st.none(), st.text(max_size=30), st.integers(), st.floats(allow_nan=True), st.booleans(),
    st.dates(), st.datetimes(), st.decimals(allow_nan=True),
    st.sampled_from(["临河区", "150802", "五原县", "巴彦淖尔市", "食品药品", "ecommerce", "企业", "注销",
                     "https://shop.example.com/", " ", "\u3000", "=A1", "91150802MA0000001X"]),
)
ROW = st.dictionaries(
    st.one_of(st.sampled_from([*HEADERS, "行号", "错误说明", " 名称 ", "法定代表人（经营者）"]), st.text(max_size=10)),
    CELL, max_size=14)


@pytest.mark.django_db
@hypothesis_settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(row=ROW, code=st.one_of(st.none(), st.builds(lambda n: make_uscc("150802"), st.integers())))
def test_the_row_parser_never_raises_and_what_it_accepts_the_model_accepts(reference, row, code):
    reference_data = importing.Reference.load()
    if code:
        row = {**row, "统一社会信用代码": code}
    outcome = importing.parse_row(row, reference_data, number=7)
    if isinstance(outcome, importing.RowError):
        assert outcome.row == 7 and outcome.problems
        assert all(problem.message and re.search(r"[\u4e00-\u9fff]", problem.message) for problem in outcome.problems)
    else:
        entity = MarketEntity(**outcome.values)
        entity.full_clean(exclude=["region", "sector"], validate_unique=False)
        assert entity.region_id in reference_data.region_by_id and entity.sector_id


# --- streaming ---------------------------------------------------------------------------------------------------------

def _peak(read) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        read()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _read_with_importer(source: Path) -> int:
    with importing.open_table(source) as table:
        return sum(1 for _ in table.rows())


def _read_with_openpyxl(source: Path) -> int:
    book = load_workbook(source, read_only=True, data_only=True)
    try:
        return sum(1 for _ in book.worksheets[0].iter_rows(values_only=True))
    finally:
        book.close()


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_reading_streams_rows_without_holding_them(tmp_path, kind):
    # Texts repeat, so an XLSX's shared-string table (which every XLSX reader holds) stays the same size.
    def make(count: int) -> Path:
        target = tmp_path / f"{count}.{kind}"
        lines = (["91150802MA0000001X", "某商行", "临河区", "食品药品", "巴彦淖尔市临河区新华街 1 号", 13900000000 + i]
                 for i in range(count))
        headers = ["统一社会信用代码", "名称", "所在旗县区", "行业", "经营场所", "联系电话"]
        if kind == "csv":
            with target.open("w", encoding="utf-8", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(headers)
                writer.writerows(lines)
        else:
            book = Workbook(write_only=True)
            sheet = book.create_sheet()
            sheet.append(headers)
            for line in lines:
                sheet.append(line)
            book.save(target)
        return target

    small, large = make(1_000), make(10_000)
    assert (_read_with_importer(small), _read_with_importer(large)) == (1_000, 10_000)   # also warms up
    if kind == "csv":
        # Holding 9,000 more rows would cost several MB; reading line by line costs the same for any length.
        growth = _peak(lambda: _read_with_importer(large)) - _peak(lambda: _read_with_importer(small))
        assert growth < 400_000, growth
    else:
        # openpyxl's read-only parser itself grows by ~80 bytes a row (it leaves an emptied <row> element behind,
        # docs/import.md); the importer must add nothing per row on top of it.
        _read_with_openpyxl(large)
        floor = _peak(lambda: _read_with_openpyxl(large))
        ours = _peak(lambda: _read_with_importer(large))
        assert ours < floor * 1.15 + 300_000, (floor, ours)


# --- the pages -----------------------------------------------------------------------------------------------------------

UPLOAD = "/workbench/registry/import/"


@pytest.fixture
def report_dir(settings, tmp_path):
    settings.FANGXIN_VAR_DIR = tmp_path / "var"
    return tmp_path / "var" / "import-reports"


def upload_file(name: str, data: bytes, content_type: str = XLSX) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def xlsx_bytes(rows: list, headers=None) -> bytes:
    buffer = io.BytesIO()
    headers = headers or HEADERS
    book = Workbook()
    book.active.append(headers)
    for row in rows:
        book.active.append([row.get(h) for h in headers])
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.urls(__name__)
@pytest.mark.django_db
@pytest.mark.parametrize(("who", "status"), [
    ("office", 200), ("sysadmin", 200), ("county_a", 200),
    ("merchant", 404), ("department", 404), ("association", 404), ("auditor", 404),
])
def test_who_may_open_the_import_page(client, users, who, status, report_dir):
    client.force_login(users[who])
    for url in (UPLOAD, UPLOAD + "template.xlsx"):
        assert client.get(url).status_code == status


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_anonymous_users_are_sent_to_the_login_page(client, report_dir):
    response = client.get(UPLOAD)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_upload_page_lists_the_columns_and_links_the_template(client, users, report_dir):
    client.force_login(users["county_a"])
    page = client.get(UPLOAD).content.decode()
    for column in COLUMNS:
        assert column.header in page
    assert "您只能导入临河区的市场主体" in page
    response = client.get(UPLOAD + "template.xlsx")
    assert response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert [c.value for c in book.active[1]] == HEADERS


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_upload_imports_good_rows_and_offers_the_error_report_to_its_owner_only(client, users, report_dir):
    rows = [good_row() for _ in range(4)] + [good_row(所在旗县区="火星区")]
    client.force_login(users["office"])
    response = client.post(UPLOAD, {"file": upload_file("名录.xlsx", xlsx_bytes(rows))})
    assert response.status_code == 302
    result_url = response["Location"]
    token = result_url.rstrip("/").split("/")[-1]
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}", token)

    page = client.get(result_url).content.decode()
    assert '<dd id="count-created">4</dd>' in page and '<dd id="count-errors">1</dd>' in page
    assert "未找到“火星区”" in page
    report_url = f"{result_url}errors.xlsx"
    assert report_url in page
    response = client.get(report_url)
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    report = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert [row[0] for row in report.active.iter_rows(min_row=2, values_only=True)] == [6]
    assert MarketEntity.objects.filter(name="临河区测试商行").count() == 4
    assert import_records()[-1].actor_name == "office"
    assert import_records()[-1].changes["file"] == "名录.xlsx"

    for other in ("sysadmin", "county_a"):
        client.force_login(users[other])
        assert client.get(result_url).status_code == 404
        assert client.get(report_url).status_code == 404
    client.force_login(users["office"])
    assert client.get(UPLOAD + "results/" + "A" * 32 + "/").status_code == 404
    assert client.get(UPLOAD + "results/..%2F..%2Fsecret_key/errors.xlsx").status_code == 404


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_county_staff_upload_rejects_rows_of_other_counties(client, users, report_dir):
    client.force_login(users["county_b"])
    rows = [good_row("150821"), good_row("150802")]
    response = client.post(UPLOAD, {"file": upload_file("x.xlsx", xlsx_bytes(rows))}, follow=True)
    page = response.content.decode()
    assert '<dd id="count-created">1</dd>' in page
    assert "临河区不在您的管辖范围" in page
    assert MarketEntity.objects.filter(region__code="150802", name="临河区测试商行").count() == 0


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_upload_dry_run_writes_nothing(client, users, report_dir):
    client.force_login(users["office"])
    before = AuditRecord.objects.count()
    response = client.post(UPLOAD, {"file": upload_file("x.xlsx", xlsx_bytes([good_row()])), "dry_run": "on"},
                           follow=True)
    page = response.content.decode()
    assert "试导入结果" in page and "没有写入任何数据" in page and '<dd id="count-created">1</dd>' in page
    assert MarketEntity.objects.filter(name="临河区测试商行").count() == 0
    assert AuditRecord.objects.count() == before


@pytest.mark.urls(__name__)
@pytest.mark.django_db
@pytest.mark.parametrize(("name", "data", "expected"), [
    ("junk.xlsx", JUNK, "不是 CSV 文本也不是 XLSX 工作簿"),
    ("名录.csv", "名称,行业\n某商行,食品药品\n".encode(), "缺少必需的列：统一社会信用代码、所在旗县区"),
    ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "旧版 Excel"),
], ids=["junk", "missing header", "xls"])
def test_upload_of_an_unreadable_file_shows_the_reason_on_the_form(client, users, report_dir, name, data, expected):
    client.force_login(users["office"])
    response = client.post(UPLOAD, {"file": upload_file(name, data, "application/octet-stream")})
    assert response.status_code == 200
    assert expected in response.content.decode()
    assert 'class="field-error"' in response.content.decode()


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_upload_over_the_size_limit_is_refused(client, users, report_dir, monkeypatch):
    from fangxin.merchants import forms_import

    monkeypatch.setattr(forms_import, "MAX_UPLOAD_BYTES", 1000)
    client.force_login(users["office"])
    data = xlsx_bytes([good_row() for _ in range(30)])
    response = client.post(UPLOAD, {"file": upload_file("big.xlsx", data)})
    assert response.status_code == 200 and "文件过大" in response.content.decode()
    assert MarketEntity.objects.filter(name="临河区测试商行").count() == 0


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_upload_csv_in_gb18030(client, users, report_dir):
    client.force_login(users["office"])
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    writer.writerow([good_row(名称="临河区鑫源超市")[h] for h in HEADERS])
    data = buffer.getvalue().encode("gb18030")
    response = client.post(UPLOAD, {"file": upload_file("名录.csv", data, "text/csv")}, follow=True)
    assert '<dd id="count-created">1</dd>' in response.content.decode()
    assert MarketEntity.objects.filter(name="临河区鑫源超市").exists()


@pytest.mark.urls(__name__)
@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_upload_spooled_to_a_temporary_file(client, users, report_dir, settings, kind):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0     # every upload goes to disk, as files over 2.5 MB do
    client.force_login(users["office"])
    rows = [good_row(), good_row(行业="挖矿")]
    if kind == "xlsx":
        data = xlsx_bytes(rows)
    else:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(HEADERS)
        writer.writerows([[row[h] for h in HEADERS] for row in rows])
        data = buffer.getvalue().encode("utf-8-sig")
    response = client.post(UPLOAD, {"file": upload_file(f"名录.{kind}", data)}, follow=True)
    page = response.content.decode()
    assert '<dd id="count-created">1</dd>' in page and '<dd id="count-errors">1</dd>' in page
