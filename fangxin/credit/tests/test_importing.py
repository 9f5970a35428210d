"""Import of credit events from other departments: the row parser (property-based), the import (good rows recorded,
bad rows reported by row and column, a re-import adds nothing, files refused with one line), the page and the
command."""

import io
from datetime import date, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from fangxin.core import uscc as uscc_rules
from fangxin.core.actors import Actor
from fangxin.core.exceptions import PermissionDenied
from fangxin.credit import importing
from fangxin.credit.choices import EventKind
from fangxin.credit.models import CreditEvent, CreditGrade

HEADERS = ["统一社会信用代码", "事件类别", "发生日期", "内容", "决定书文号", "作出决定机关", "来源编号", "备注"]
TODAY = date(2026, 11, 20)


def day(offset: int) -> str:
    return (timezone.localdate() - timedelta(days=offset)).isoformat()


def row(entity, number="CF-0001", **values):
    base = {"统一社会信用代码": entity.uscc, "事件类别": "行政处罚", "发生日期": day(10),
            "内容": f"销售不合格商品（{number}）", "决定书文号": f"临市监处罚〔2026〕{number}号",
            "作出决定机关": "临河区市场监督管理局", "来源编号": number, "备注": "随便写"}
    base.update(values)
    return [base[h] for h in HEADERS]


def xlsx(rows, headers=HEADERS, title_rows=()) -> bytes:
    book = Workbook()
    sheet = book.active
    for title in title_rows:
        sheet.append([title])
    sheet.append(headers)
    for values in rows:
        sheet.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows, headers=HEADERS, encoding="utf-8-sig") -> bytes:
    lines = [",".join(headers)] + [",".join(str(v) for v in values) for values in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def run(content: bytes, actor, name="处罚信息.xlsx", **options):
    return importing.event_import(actor=actor, source=io.BytesIO(content), file_name=name, **options)


@pytest.fixture
def clerk(users):
    return Actor.for_user(users["county_a"])


# --- the row parser (no database) -------------------------------------------------------------------------------

CELL = st.one_of(st.none(), st.text(max_size=40), st.integers(-10**12, 10**12), st.floats(allow_nan=True),
                 st.dates(), st.datetimes(), st.booleans())


@given(fields=st.fixed_dictionaries({}, optional={column.field: CELL for column in importing.COLUMNS}))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_the_parser_never_raises_and_every_problem_names_a_known_column(fields):
    outcome = importing.parse_row(fields, number=7, today=TODAY)
    assert isinstance(outcome, importing.ParsedRow | importing.RowError) and outcome.row == 7
    if isinstance(outcome, importing.RowError):
        assert outcome.problems and all(p.message for p in outcome.problems)
        assert set(outcome.columns) <= {column.header for column in importing.COLUMNS}
    else:
        data = outcome.data
        assert data.kind in importing.IMPORTABLE_KINDS and data.occurred_on <= TODAY
        assert uscc_rules.problem(data.uscc) is None and data.detail and data.source_no
        assert len(data.detail) <= 300 and len(data.source_no) <= 40
        if data.kind == EventKind.PENALTY:
            assert data.document_number and data.authority


def _spaced(text: str, draw) -> str:
    """The way people type a label into a cell: spaces around, sometimes full-width letters."""
    padded = draw(st.sampled_from(["", " ", "\u3000"])) + text + draw(st.sampled_from(["", " ", "\t"]))
    return padded.upper() if draw(st.booleans()) and text.isascii() else padded


@st.composite
def good_rows(draw):
    kind = draw(st.sampled_from(importing.IMPORTABLE_KINDS))
    label = draw(st.sampled_from([kind.value, kind.label]))
    serial = draw(st.integers(0, 10**7 - 1))
    code = uscc_rules.complete(f"91150802MA{serial:07d}")
    occurred = draw(st.dates(min_value=date(2000, 1, 1), max_value=TODAY))
    as_cell = draw(st.sampled_from([
        occurred, datetime.combine(occurred, datetime.min.time()), occurred.isoformat(),
        occurred.strftime("%Y/%m/%d"), f"{occurred.year}年{occurred.month}月{occurred.day}日"]))
    detail = draw(st.text(st.characters(categories=("Lo", "Nd", "Lu")), min_size=1, max_size=300))
    number = draw(st.text(st.characters(categories=("Nd", "Lu")), min_size=1, max_size=40))
    return kind, occurred, detail, number, {
        "uscc": _spaced(code.lower() if draw(st.booleans()) else code, draw), "kind": _spaced(label, draw),
        "occurred_on": as_cell, "detail": detail, "document_number": "临市监处罚〔2026〕1号",
        "authority": "临河区市场监督管理局", "source_no": number}


@given(good_rows())
@settings(max_examples=200, deadline=None)
def test_a_good_row_in_any_of_its_accepted_forms_parses_to_the_same_event(case):
    kind, occurred, detail, number, fields = case
    outcome = importing.parse_row(fields, number=2, today=TODAY)
    assert isinstance(outcome, importing.ParsedRow), getattr(outcome, "message", "")
    assert outcome.data.kind == kind and outcome.data.occurred_on == occurred
    assert outcome.data.detail == detail and outcome.data.source_no == number
    assert outcome.data.uscc == outcome.data.uscc.upper() and len(outcome.data.uscc) == 18


@given(good_rows(), st.sampled_from(["detail", "source_no", "uscc", "kind", "occurred_on"]))
@settings(max_examples=100, deadline=None)
def test_a_required_cell_left_blank_is_an_error_on_that_column(case, blank):
    *_, fields = case
    outcome = importing.parse_row({**fields, blank: "  "}, number=3, today=TODAY)
    assert isinstance(outcome, importing.RowError)
    assert outcome.columns == [importing.COLUMN_BY_FIELD[blank].header]


def test_list_and_title_events_are_not_importable_and_say_where_they_belong():
    for label, hint in (("列入信用名单", "信用名单"), ("title_awarded", "自动记入"), ("黑名单", "无效")):
        outcome = importing.parse_row({"uscc": uscc_rules.complete("91150802MA0000001"), "kind": label,
                                       "occurred_on": "2026-01-01", "detail": "x", "source_no": "1"},
                                      number=2, today=TODAY)
        assert isinstance(outcome, importing.RowError) and hint in outcome.message


def test_a_penalty_needs_its_document_and_authority_and_a_date_not_in_the_future():
    outcome = importing.parse_row({"uscc": uscc_rules.complete("91150802MA0000001"), "kind": "行政处罚",
                                   "occurred_on": "2026-12-01", "detail": "x", "source_no": "1"},
                                  number=2, today=TODAY)
    assert outcome.columns == ["发生日期", "决定书文号", "作出决定机关"]
    assert "晚于今天" in outcome.message


# --- the import ------------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_good_file_is_recorded_in_the_ledgers_and_regrades(clerk, entities):
    content = xlsx([row(entities["a_food"], "CF-1"),
                    row(entities["a_ecommerce"], "CF-2", 事件类别="inspection_failed", 决定书文号="", 作出决定机关="")],
                   title_rows=["临河区市场监管局 2026 年 11 月报送"])
    result = run(content, clerk)
    assert result.summary() == "导入完成：共 2 行，新记入信用事件 2，已导入过（跳过） 0，有误（未导入） 0。"
    penalty = CreditEvent.objects.get(entity=entities["a_food"])
    assert penalty.kind == "penalty" and penalty.source_ref == "import:临河区市场监督管理局:CF-1"
    assert penalty.document_number == "临市监处罚〔2026〕CF-1号"
    failed = CreditEvent.objects.get(entity=entities["a_ecommerce"])
    # no authority in the row: the importer's region names the source (a county clerk has no department)
    assert failed.kind == "inspection_failed" and failed.source_ref == "import:150802:CF-2"
    assert CreditGrade.objects.get(entity=entities["a_food"]).score < 100


@pytest.mark.django_db
def test_reimporting_the_same_file_adds_nothing(clerk, entities):
    content = xlsx([row(entities["a_food"], "R-1"), row(entities["a_ecommerce"], "R-2")])
    run(content, clerk)
    again = run(content, clerk)
    assert len(again.already) == 2 and not again.imported and not again.errors
    assert CreditEvent.objects.count() == 2


@pytest.mark.django_db
def test_bad_rows_are_reported_by_row_and_column_and_the_good_rows_recorded(clerk, entities):
    content = xlsx([
        row(entities["a_food"], "B-1"),
        row(entities["a_food"], "B-2", 发生日期="2026-02-30"),
        row(entities["a_food"], "B-3", 统一社会信用代码="91150802MA00000000"),
        row(entities["b_food"], "B-4"),                        # another county: not in the clerk's scope
        row(entities["a_food"], "B-1"),                        # the same source twice in the file
        row(entities["a_food"], "B-6", 事件类别="列入信用名单"),
        row(entities["a_food"], "B-7", 内容="长" * 301),
    ])
    result = run(content, clerk)
    assert len(result.imported) == 1
    errors = {error.row: (error.columns, error.message) for error in result.errors}
    assert errors[3] == (["发生日期"], "发生日期“2026-02-30”不是有效的日期，请填写如 2026-11-20")
    assert errors[4][0] == ["统一社会信用代码"]
    assert errors[5][0] == ["统一社会信用代码"] and "不在您的管辖范围" in errors[5][1]
    assert errors[6] == (["来源编号"], "来源编号 B-1 与第 2 行重复（同一作出决定机关）")
    assert errors[7][0] == ["事件类别"] and "信用名单" in errors[7][1]
    assert errors[8][0] == ["内容"] and "最多 300 个字" in errors[8][1]
    assert CreditEvent.objects.count() == 1
    report = load_workbook(io.BytesIO(importing.error_report(result)), read_only=True)
    lines = list(report["错误行"].iter_rows(values_only=True))
    assert lines[0][:4] == ("行号", "出错的列", "错误说明", "统一社会信用代码") and len(lines) == 7
    # the report can be uploaded again as it is: its first three columns are ignored
    fixed = run(importing.error_report(result), clerk, name="错误报告.xlsx")
    assert not fixed.imported and len(fixed.errors) == 5 and len(fixed.already) == 1  # B-1 is in the ledger now


@pytest.mark.django_db
def test_a_source_already_used_for_another_business_is_an_error(clerk, entities):
    run(xlsx([row(entities["a_food"], "S-1")]), clerk)
    result = run(xlsx([row(entities["a_ecommerce"], "S-1")]), clerk)
    assert result.errors and "已记为另一市场主体" in result.errors[0].message
    assert CreditEvent.objects.count() == 1


@pytest.mark.django_db
def test_dry_run_writes_nothing(clerk, entities):
    result = run(xlsx([row(entities["a_food"], "D-1"), row(entities["a_food"], "D-2", 事件类别="")]), clerk,
                 dry_run=True)
    assert result.valid == 1 and len(result.errors) == 1 and result.summary().startswith("试导入完成")
    assert not CreditEvent.objects.exists()


@pytest.mark.django_db
def test_a_gb18030_csv_with_other_header_names(clerk, entities):
    headers = ["社会信用代码", "事件类型", "处罚决定日期", "违法事实", "文号", "处罚机关", "案件编号"]
    values = [entities["a_food"].uscc, "抽查不合格", "2026/10/3", "抽检不合格", "", "", "G-1"]
    result = run(csv_bytes([values], headers=headers, encoding="gb18030"), clerk, name="抽查.csv")
    assert len(result.imported) == 1 and CreditEvent.objects.get().kind == "inspection_failed"


@pytest.mark.django_db
@pytest.mark.parametrize("content, message", [
    (b"", "文件是空的"),
    (b"a,b\r\n1,2\r\n", "没有找到表头"),
    ("统一社会信用代码,事件类别,内容\r\n1,2,3\r\n".encode(), "缺少必需的列：发生日期、来源编号"),
    ("统一社会信用代码,事件类别,发生日期,内容,来源编号\r\n".encode(), "表头下面没有数据行"),
    ("统一社会信用代码,信用代码,事件类别,发生日期,内容,来源编号\r\n1,2,3,4,5,6\r\n".encode(), "是同一列"),
    (b"%PDF-1.4 \x00\x01", "文件不是 CSV 文本也不是 XLSX 工作簿"),
])
def test_files_that_cannot_be_imported_are_refused_with_one_line(clerk, entities, content, message):
    with pytest.raises(importing.ImportFileError) as refused:
        run(content, clerk, name="x.csv")
    assert message in str(refused.value)
    assert not CreditEvent.objects.exists()


@pytest.mark.django_db
def test_only_those_who_decide_may_import(users, entities):
    for name in ("merchant", "auditor", "association"):
        with pytest.raises(PermissionDenied):
            run(xlsx([row(entities["a_food"])]), Actor.for_user(users[name]))
    assert not CreditEvent.objects.exists()


def test_a_long_authority_name_gives_a_short_stable_source():
    data = importing.EventInput(uscc="x", kind="penalty", occurred_on=TODAY, detail="x", document_number="x",
                                authority="某" * 90, source_no="N" * 40)
    first = importing.source_ref(data, Actor.system("t"))
    assert len(first) <= 80 and first == importing.source_ref(data, Actor.system("t"))


# --- the page and the command --------------------------------------------------------------------------------

def upload(client, content: bytes, name="处罚信息.xlsx", **extra):
    return client.post(reverse("credit:import"), {"file": SimpleUploadedFile(name, content), **extra})


@pytest.mark.django_db
def test_the_page_imports_shows_the_errors_and_serves_the_report_to_its_owner_only(client, users, entities,
                                                                                  settings, tmp_path):
    settings.FANGXIN_VAR_DIR = tmp_path
    client.force_login(users["county_a"])
    assert "导入信用事件" in client.get(reverse("credit:import")).content.decode()
    response = upload(client, xlsx([row(entities["a_food"], "P-1"), row(entities["a_food"], "P-2", 发生日期="昨天")]))
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert "新记入信用事件 1" in html and "有误（未导入） 1" in html and "<td>3</td><td>发生日期</td>" in html
    token = response["Location"].rstrip("/").rsplit("/", 1)[1]
    report = client.get(reverse("credit:import_report", args=[token]))
    assert report.status_code == 200 and b"".join(report.streaming_content).startswith(b"PK")
    client.force_login(users["county_b"])
    assert client.get(response["Location"]).status_code == 404
    assert client.get(reverse("credit:import_report", args=[token])).status_code == 404


@pytest.mark.django_db
def test_the_page_puts_file_problems_on_the_form_and_serves_the_template(client, users, entities, settings, tmp_path):
    settings.FANGXIN_VAR_DIR = tmp_path
    client.force_login(users["office"])
    response = upload(client, b"%PDF-1.4 not a table \x00\x01")
    assert response.status_code == 200 and "文件不是 CSV 文本也不是 XLSX 工作簿" in response.content.decode()
    template = client.get(reverse("credit:import_template"))
    book = load_workbook(io.BytesIO(b"".join(template.streaming_content)), read_only=True)
    assert next(book["信用事件"].iter_rows(values_only=True)) == tuple(c.header for c in importing.COLUMNS)
    kinds = [r[1] for r in book["事件类别"].iter_rows(min_row=2, values_only=True)]
    assert kinds == [k.value for k in importing.IMPORTABLE_KINDS]


@pytest.mark.django_db
def test_the_command(entities, tmp_path, capsys):
    from django.core.management import call_command

    path = tmp_path / "处罚.xlsx"
    path.write_bytes(xlsx([row(entities["b_food"], "C-1"), row(entities["b_food"], "C-2", 事件类别="罚款")]))
    report = tmp_path / "errors.xlsx"
    with pytest.raises(SystemExit) as stopped:
        call_command("credit-import", str(path), "--error-report", str(report))
    assert stopped.value.code == 1
    out = capsys.readouterr().out
    assert "第 3 行：事件类别“罚款”无效" in out and "新记入信用事件 1" in out
    assert report.read_bytes().startswith(b"PK")
    with pytest.raises(SystemExit):
        call_command("credit-import", str(path))
    assert "已导入过（跳过） 1" in capsys.readouterr().out and CreditEvent.objects.count() == 1
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(SystemExit) as refused:
        call_command("credit-import", str(tmp_path / "empty.csv"))
    assert refused.value.code == 2
    good = tmp_path / "good.xlsx"
    good.write_bytes(xlsx([row(entities["b_food"], "C-9")]))
    call_command("credit-import", str(good), "--dry-run")  # no errors: exit code 0
    assert "试导入完成" in capsys.readouterr().out and CreditEvent.objects.count() == 1
