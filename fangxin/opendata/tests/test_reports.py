"""Reports: the annual report as a valid DOCX and PDF with Chinese text and charts; the monthly XLSX whose figures
equal complaint_metrics; the job flow (request → run → progress → owner-only download), audited; the command."""

import io
import zipfile
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from fangxin.campaign.titles.tests.test_certificate import pdf_text
from fangxin.complaints.metrics import complaint_metrics
from fangxin.core.actors import Actor
from fangxin.core.exceptions import ValidationFailed
from fangxin.core.models import AuditRecord
from fangxin.opendata import services
from fangxin.opendata.choices import JobStatus, ReportKind
from fangxin.opendata.management.commands.report import whole_city_viewer
from fangxin.opendata.models import ReportJob
from fangxin.opendata.reports import annual, charts, monthly

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def report_dir(settings, tmp_path):
    settings.FANGXIN_REPORTS_DIR = tmp_path / "reports"
    settings.FANGXIN_REPORTS_IN_THREAD = False  # the tests run the queue themselves


def test_the_chart_font_is_installed_and_a_chart_is_a_png():
    assert charts.font_available()
    png = charts.render({"kind": "line", "title": "各月处理率", "labels": ["1月", "2月"],
                         "series": [("2026 年", [0.9, None])], "unit": "%"})
    assert png.startswith(b"\x89PNG") and len(png) > 5000


def test_annual_docx_has_chinese_text_tables_and_charts(planted):
    content = services.render(user=whole_city_viewer(), kind=ReportKind.ANNUAL, period=str(planted["today"].year),
                              fmt="docx")
    archive = zipfile.ZipFile(io.BytesIO(content))
    assert archive.testzip() is None
    xml = archive.read("word/document.xml").decode("utf-8")
    year = planted["today"].year
    assert f"全市{year} 年度放心消费创建工作报告" in xml
    for heading in ("目标一", "目标二", "目标三", "目标四", "目标五", "目标六", "旗县区督导评价排名", "典型案例", "处理率"):
        assert heading in xml
    assert "临河区" in xml  # the county ranking (computed, marked as not yet published)
    images = [name for name in archive.namelist() if name.startswith("word/media/") and name.endswith(".png")]
    assert len(images) >= 3


def test_annual_pdf_has_chinese_text_and_images(planted):
    year = planted["today"].year
    progress = []
    content = annual.build(whole_city_viewer(), year, "pdf", lambda p, s: progress.append(p))
    assert content.startswith(b"%PDF") and b"/Subtype /Image" in content
    text = pdf_text(content).replace("\n", "")
    assert "年度放心消费创建工作报告" in text and "目标四" in text and "处理成功率" in text
    assert progress == sorted(progress) and progress[-1] == 97


def test_monthly_xlsx_equals_complaint_metrics(planted):
    month = planted["month"]
    content = services.render(user=whole_city_viewer(), kind=ReportKind.MONTHLY, period=f"{month:%Y-%m}", fmt="xlsx")
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["总览", "按旗县区", "按行业", "按问题类型"]
    start, end = monthly.month_range(month)
    expected = complaint_metrics(start=start, end=end)
    assert expected.received == 5
    overview = {row[0]: row[1:] for row in book["总览"].iter_rows(min_row=5, values_only=True)}
    assert overview["收到"][0] == expected.received and overview["受理"][0] == expected.accepted
    assert overview["办结"][0] == expected.closed and overview["处理率"][0] == expected.handling_rate
    previous = complaint_metrics(start=monthly.previous_month(month), end=month - timedelta(days=1))
    assert overview["收到"][1] == previous.received
    for sheet in ("按旗县区", "按行业"):
        rows = list(book[sheet].iter_rows(values_only=True))
        header, body, total = rows[0], rows[1:-1], rows[-1]
        received, closed = header.index("收到"), header.index("办结")
        assert total[0] == "合计" and total[received] == expected.received and total[closed] == expected.closed
        if sheet == "按旗县区":  # every complaint lies in exactly one county
            assert sum(row[received] for row in body) == expected.received
    by_county = {row[0]: row for row in book["按旗县区"].iter_rows(min_row=2, values_only=True)}
    assert by_county["临河区"][1] == 5


def test_monthly_rejects_a_bad_or_future_month(users):
    with pytest.raises(ValidationFailed):
        services.report_job_request(actor=Actor.for_user(users["office"]), kind=ReportKind.MONTHLY, period="2026-13")
    with pytest.raises(ValidationFailed):
        services.report_job_request(actor=Actor.for_user(users["office"]), kind=ReportKind.MONTHLY, period="2999-01")
    with pytest.raises(ValidationFailed):
        services.report_job_request(actor=Actor.for_user(users["office"]), kind=ReportKind.ANNUAL, period="2026",
                                    fmt="xlsx")


def test_the_job_flow_from_the_page(client, planted, users):
    client.force_login(users["office"])
    page = client.get(reverse("opendata:reports"))
    assert page.status_code == 200 and "年度创建工作报告" in page.content.decode()
    month = planted["month"]
    response = client.post(reverse("opendata:reports"), {"kind": "monthly", "month": f"{month:%Y-%m}"})
    assert response.status_code == 302
    job = ReportJob.objects.get()
    assert job.status == JobStatus.QUEUED and job.requested_by == users["office"]
    fragment = client.get(reverse("opendata:job_status", args=[job.pk])).content.decode()
    assert "hx-trigger" in fragment and "排队中" in fragment
    assert client.get(reverse("opendata:job_download", args=[job.pk])).status_code == 404  # not yet made

    call_command("report", "run-pending", stdout=io.StringIO(), stderr=io.StringIO())
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.progress == 100
    fragment = client.get(reverse("opendata:job_status", args=[job.pk])).content.decode()
    assert "hx-trigger" not in fragment and reverse("opendata:job_download", args=[job.pk]) in fragment
    download = client.get(reverse("opendata:job_download", args=[job.pk]))
    assert download.status_code == 200 and f"{month:%Y-%m}".encode() in download["Content-Disposition"].encode()
    load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    actions = set(AuditRecord.objects.filter(object_id=str(job.pk), object_type__icontains="reportjob")
                  .values_list("action", flat=True))
    assert {"opendata.report.request", "opendata.report.done", "opendata.report.download"} <= actions

    client.logout()
    client.force_login(users["county_a"])
    assert client.get(reverse("opendata:job_download", args=[job.pk])).status_code == 404  # only the owner
    assert client.get(reverse("opendata:job_status", args=[job.pk])).status_code == 404


def test_a_failing_job_is_marked_failed_not_stuck(users, monkeypatch):
    job = services.report_job_request(actor=Actor.for_user(users["office"]), kind=ReportKind.ANNUAL, period="2025")

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services.annual, "build", broken)
    services.run_pending()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "RuntimeError" in job.error and job.finished_at
    assert services.report_job_run(job.pk) is None  # never claimed twice


def test_a_job_whose_worker_died_is_failed_by_the_next_run(users):
    job = services.report_job_request(actor=Actor.for_user(users["office"]), kind=ReportKind.ANNUAL, period="2025")
    started = timezone.now() - services.STALE_AFTER - timedelta(minutes=1)
    ReportJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=started)
    fresh = services.report_job_request(actor=Actor.for_user(users["office"]), kind=ReportKind.MONTHLY,
                                        period="2025-01")
    ReportJob.objects.filter(pk=fresh.pk).update(status=JobStatus.RUNNING, started_at=timezone.now())
    assert services.run_pending() == []
    job.refresh_from_db()
    fresh.refresh_from_db()
    assert job.status == JobStatus.FAILED and "重新生成" in job.error
    assert fresh.status == JobStatus.RUNNING  # a job still within its time is left to its worker


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)))
def test_month_parsing_round_trips(day):
    first = monthly.parse_month(f"{day:%Y-%m}")
    start, end = monthly.month_range(first)
    assert first == start == day.replace(day=1) and end.month == day.month and (end + timedelta(days=1)).day == 1
    assert monthly.previous_month(first) < first and monthly.same_month_last_year(first).month == first.month


@given(st.text(max_size=12))
def test_month_parsing_rejects_anything_else_with_a_message(text):
    try:
        first = monthly.parse_month(text)
    except ValidationFailed as error:
        assert "YYYY-MM" in error.message
    else:
        assert first.day == 1


def test_merchants_cannot_request_reports(client, users):
    client.force_login(users["merchant"])
    assert client.get(reverse("opendata:reports")).status_code == 404
    assert client.post(reverse("opendata:reports"), {"kind": "annual", "year": "2026"}).status_code == 404
    assert not ReportJob.objects.exists()


def test_invalid_request_shows_a_message(client, users):
    client.force_login(users["office"])
    response = client.post(reverse("opendata:reports"), {"kind": "annual", "year": "abc", "format": "pdf"})
    assert response.status_code == 422 and "年度格式应为四位数字" in response.content.decode()


def test_the_command_writes_the_files(planted, tmp_path):
    out = tmp_path / "annual.docx"
    call_command("report", "annual", str(planted["today"].year), "--format", "docx", "--output", str(out),
                 stdout=io.StringIO(), stderr=io.StringIO())
    assert zipfile.is_zipfile(out)
    out = tmp_path / "m.xlsx"
    call_command("report", "monthly", f"{planted['month']:%Y-%m}", "--output", str(out), stdout=io.StringIO(),
                 stderr=io.StringIO())
    assert load_workbook(out)["总览"]["A1"].value.endswith("消费投诉分析")


def test_a_font_list_cached_before_the_cjk_fonts_were_installed_is_mended(monkeypatch):
    from matplotlib import font_manager

    stale = [font for font in font_manager.fontManager.ttflist if "CJK" not in font.name]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", stale)
    assert not charts._font_listed()
    assert charts.font_available()
    assert charts.render({"kind": "bar", "title": "投诉量", "labels": ["临河区"], "series": [("投诉", [3])]})
