"""Batch import of complaints: good rows imported, bad rows reported by row and column, files refused with one
Chinese line, a re-import skips what is already there; and the staff page around it."""

import io
import zipfile
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from fangxin.complaints import importing
from fangxin.complaints.choices import Channel, Status
from fangxin.complaints.models import Complaint
from fangxin.core.actors import Actor
from fangxin.core.exceptions import PermissionDenied

HEADERS = ["投诉编号", "收到日期", "投诉人", "联系电话", "被投诉经营者", "统一社会信用代码", "经营者地址", "事发旗县区",
           "商品或服务", "消费日期", "金额", "投诉内容", "投诉请求", "同意公示", "同意调解", "备注"]


def day(offset: int) -> str:
    return (timezone.localdate() - timedelta(days=offset)).isoformat()


def row(ref="12315-0001", **values):
    base = {"投诉编号": ref, "收到日期": day(3), "投诉人": "张三", "联系电话": "13800001234",
            "被投诉经营者": "五原县某某饭店", "统一社会信用代码": "", "经营者地址": "五原县新华街 1 号", "事发旗县区": "五原县",
            "商品或服务": "聚餐", "消费日期": day(5), "金额": "320", "投诉内容": f"饭菜里有异物（{ref}）。",
            "投诉请求": "退款", "同意公示": "是", "同意调解": "否", "备注": "随便写"}
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


def run(content: bytes, actor, name="12315导出.xlsx", **options):
    return importing.complaint_import(actor=actor, source=io.BytesIO(content), file_name=name, **options)


@pytest.fixture
def clerk(users):
    return Actor.for_user(users["county_a"])


def test_a_good_file_is_imported_with_its_own_dates_and_references(clerk, entities):
    food = entities["a_food"]
    content = xlsx([row("12315-0001"),
                    row("12315-0002", 被投诉经营者="随便", 统一社会信用代码=food.uscc, 事发旗县区="", 收到日期=day(10), 消费日期=day(12),
                        同意调解="是", 投诉内容="过期牛奶。")], title_rows=["12315 投诉导出（2026 年 11 月）"])
    result = run(content, clerk)
    assert (len(result.imported), len(result.errors), len(result.already)) == (2, 0, 0), [e.message for e in result.errors]
    first = Complaint.objects.get(external_ref="12315-0001")
    second = Complaint.objects.get(external_ref="12315-0002")
    assert first.channel == Channel.IMPORT and first.received_on.isoformat() == day(3)
    assert first.region.code == "150821" and str(first.amount) == "320.00" and first.consent_publication
    assert first.status == Status.RECEIVED
    assert second.entity == food and second.region.code == "150802" and second.received_on.isoformat() == day(10)
    assert [row_no for row_no, _ in result.imported] == [3, 4]  # a title row above the header
    assert "新登记 2" in result.summary()


def test_bad_rows_are_reported_by_row_and_column_and_the_good_rows_imported(clerk, entities):
    content = xlsx([
        row("A-1"),
        row("A-2", 联系电话="12345", 收到日期="2026-02-30"),
        row("A-3", 投诉内容=""),
        row("A-4", 事发旗县区="火星区", 金额="一百元"),
        row("A-1", 投诉内容="同一编号又出现"),
        row("A-6", 收到日期=(timezone.localdate() + timedelta(days=2)).isoformat(), 同意公示="也许"),
    ])
    result = run(content, clerk)
    assert [number for number, _ in result.imported] == [2]
    errors = {error.row: error for error in result.errors}
    assert sorted(errors) == [3, 4, 5, 6, 7]
    assert errors[3].columns == ["收到日期", "联系电话"]
    assert "收到日期“2026-02-30”不是有效的日期" in errors[3].message and "联系电话格式不正确" in errors[3].message
    assert errors[4].columns == ["投诉内容"] and errors[4].message == "投诉内容不能为空"
    assert errors[5].columns == ["事发旗县区", "金额"] and "未找到“火星区”" in errors[5].message
    assert errors[6].message == "外部编号 A-1 与第 2 行重复"
    assert "晚于今天" in errors[7].message and "同意公示“也许”无效" in errors[7].message
    assert Complaint.objects.count() == 1

    report = load_workbook(io.BytesIO(importing.error_report(result)), read_only=True)
    lines = list(report.active.iter_rows(values_only=True))
    assert lines[0][:4] == ("行号", "出错的列", "错误说明", "投诉编号")
    assert [line[0] for line in lines[1:]] == [3, 4, 5, 6, 7]
    assert lines[1][1] == "收到日期、联系电话" and lines[1][3] == "A-2"
    # the report goes back in as it is: its own three columns are ignored, the fixed rows import
    fixed = importing.read_table(io.BytesIO(importing.error_report(result)), "report.xlsx")
    assert fixed.fields[:4] == [None, None, None, "external_ref"]


def test_reimporting_the_same_file_skips_what_is_already_there(clerk, entities):
    content = xlsx([row("R-1"), row("R-2", 投诉内容="第二件")])
    assert len(run(content, clerk).imported) == 2
    again = run(content, clerk)
    assert again.imported == [] and [ref for _, ref, _ in again.already] == ["R-1", "R-2"]
    assert "已导入过（跳过） 2" in again.summary()
    assert Complaint.objects.count() == 2


def test_dry_run_writes_nothing(clerk, entities):
    result = run(xlsx([row("D-1"), row("D-2", 联系电话="")]), clerk, dry_run=True)
    assert result.valid == 1 and len(result.errors) == 1 and result.imported == []
    assert not Complaint.objects.exists()


def test_a_gb18030_csv_with_other_header_names(clerk, entities):
    headers = "诉求编号,登记日期,投诉人姓名,手机,被投诉方,事发地,商品名称,问题描述,诉求,是否同意调解\n"
    line = f"X-9,{day(4).replace('-', '/')},李四,139 0000 5678,某网店,150802,手机壳,收到的货与描述不符,退货,否\n"
    line2 = "X-10,2026年11月1日,王五,13900005679,某网店,临河区,耳机,耳机没有声音,换货,是\n"
    result = run((headers + line + line2).encode("gb18030"), clerk, name="导出.csv")
    assert len(result.imported) == 2, result.errors
    complaint = Complaint.objects.get(external_ref="X-9")
    assert complaint.complainant_phone == "13900005678" and complaint.region.code == "150802"
    assert Complaint.objects.get(external_ref="X-10").received_on.isoformat() == "2026-11-01"


@pytest.mark.parametrize(("content", "message"), [
    (b"", "文件是空的。"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "文件不是 CSV 文本也不是 XLSX 工作簿"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 50, "旧版 Excel（.xls）"),
    (b"name,value\nfoo,1\n", "没有找到表头"),
    ("收到日期,投诉人,被投诉经营者,商品或服务,投诉内容,投诉请求\n2026-11-01,张三,某店,鞋,开胶,退货\n".encode(),
     "缺少必需的列：联系电话。"),
    ("收到日期,投诉人,联系电话,被投诉经营者,商品或服务,投诉内容,投诉请求\n".encode(), "表头下面没有数据行"),
    ("收到日期,登记日期,投诉人,联系电话,被投诉经营者,商品或服务,投诉内容,投诉请求\n".encode(), "是同一列"),
])
def test_files_that_cannot_be_imported_are_refused_with_one_line(clerk, entities, content, message):
    with pytest.raises(importing.ImportFileError) as refused:
        run(content, clerk, name="文件.xlsx")
    assert message in str(refused.value)
    assert not Complaint.objects.exists()


def test_a_zip_that_is_not_a_workbook(clerk, entities):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(importing.ImportFileError, match="不是 Excel 工作簿"):
        run(buffer.getvalue(), clerk)


def test_only_staff_may_import(users, entities):
    with pytest.raises(PermissionDenied):
        run(xlsx([row()]), Actor.for_user(users["merchant"]))
    with pytest.raises(PermissionDenied):
        run(xlsx([row()]), Actor.for_user(users["auditor"]))
    assert not Complaint.objects.exists()


# --- the page --------------------------------------------------------------------------------------------------

def upload(client, content: bytes, name="导出.xlsx", **extra):
    return client.post(reverse("complaints:import"), {"file": SimpleUploadedFile(name, content), **extra})


def test_the_page_imports_shows_the_errors_and_serves_the_report_to_its_owner_only(client, users, entities,
                                                                                  settings, tmp_path):
    settings.FANGXIN_VAR_DIR = tmp_path
    client.force_login(users["county_a"])
    assert "批量导入投诉" in client.get(reverse("complaints:import")).content.decode()
    response = upload(client, xlsx([row("P-1"), row("P-2", 联系电话="123")]))
    assert response.status_code == 302
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "新登记 1" in html and "有误（未导入） 1" in html
    assert "<td>3</td><td>联系电话</td>" in html
    token = response["Location"].rstrip("/").rsplit("/", 1)[1]
    report = client.get(reverse("complaints:import_report", args=[token]))
    assert report.status_code == 200 and report["Content-Type"] == importing.XLSX_CONTENT_TYPE
    assert b"".join(report.streaming_content).startswith(b"PK")
    client.force_login(users["county_b"])
    assert client.get(response["Location"]).status_code == 404
    assert client.get(reverse("complaints:import_report", args=[token])).status_code == 404


def test_the_page_puts_file_problems_on_the_form(client, users, entities, settings, tmp_path):
    settings.FANGXIN_VAR_DIR = tmp_path
    client.force_login(users["county_a"])
    response = upload(client, b"%PDF-1.4 not a table \x00\x01", name="投诉.xlsx")
    assert response.status_code == 200
    assert "文件不是 CSV 文本也不是 XLSX 工作簿" in response.content.decode()
    template = client.get(reverse("complaints:import_template"))
    book = load_workbook(io.BytesIO(b"".join(template.streaming_content)), read_only=True)
    assert next(book["投诉"].iter_rows(values_only=True))[:3] == ("外部编号", "类别", "收到日期")


def test_other_roles_get_404(client, users):
    for name in ("merchant", "auditor"):
        client.force_login(users[name])
        assert client.get(reverse("complaints:import")).status_code == 404


def test_the_command(entities, tmp_path, capsys):
    from django.core.management import call_command

    path = tmp_path / "导出.xlsx"
    path.write_bytes(xlsx([row("C-1"), row("C-2", 金额="abc")]))
    report = tmp_path / "errors.xlsx"
    with pytest.raises(SystemExit) as stopped:
        call_command("complaint-import", str(path), "--error-report", str(report))
    assert stopped.value.code == 1
    out = capsys.readouterr().out
    assert "第 3 行：金额“abc”" in out and "新登记 1" in out
    assert report.read_bytes().startswith(b"PK")
    assert Complaint.objects.get(external_ref="C-1").events.first().actor_name == "系统:complaint-import"
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(SystemExit) as refused:
        call_command("complaint-import", str(tmp_path / "empty.csv"))
    assert refused.value.code == 2
