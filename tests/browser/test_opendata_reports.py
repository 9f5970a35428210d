"""Open data and reports: a member of the public on a phone opens /open/, reads a dataset's field description and
downloads its CSV; the joint-meeting office asks for the annual report at the workbench, watches its progress and
downloads the finished DOCX."""

import csv
import io
import zipfile

import pytest
from django.utils import timezone

from fangxin.core.actors import Actor
from fangxin.credit import services as credit_services
from fangxin.opendata.datasets import CREDIT_FIELDS
from fangxin.opendata.models import ReportJob

from .conftest import axe_check, click_and_wait, login, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def listed(entities):
    return credit_services.list_enter(
        actor=Actor.system("test"), entity=entities["b_tourism"], kind="abnormal", reason_code="AB-1",
        reason="未按规定期限公示年度报告；联系人王小明 13912345678", authority="巴彦淖尔市市场监督管理局",
        document_number="巴市监异〔2026〕15号", entered_on=timezone.localdate())


def test_public_downloads_a_csv_on_a_phone(listed, phone_page, tmp_path):
    phone = phone_page
    phone.goto("/open/")
    datasets = phone.locator("#datasets").inner_text()
    assert "消费投诉统计" in datasets and "信用名单（含移出记录）" in datasets and "更新日期" in datasets
    assert phone.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scroll
    axe_check(phone)
    screenshot(phone, "opendata-index-phone")

    credit = phone.locator('[data-slug="credit-lists"]')
    click_and_wait(phone, credit.get_by_role("link", name="字段说明"))
    assert "统一社会信用代码" in phone.locator(".field-table").inner_text()
    axe_check(phone)
    with phone.expect_download() as download_info:
        phone.get_by_role("link", name="下载 CSV").click()
    path = tmp_path / "credit.csv"
    download_info.value.save_as(path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == [f.name for f in CREDIT_FIELDS]
    assert [row[1] for row in rows[1:]] == [listed.entity.uscc]
    assert "13912345678" not in raw.decode("utf-8-sig") and "王小明" not in raw.decode("utf-8-sig")


def test_office_requests_the_annual_report_and_downloads_it(users, entities, desktop_page, settings, tmp_path):
    settings.FANGXIN_REPORTS_DIR = tmp_path / "reports"
    page = desktop_page
    login(page, "office")
    click_and_wait(page, page.get_by_role("navigation", name="工作台导航").get_by_role("link", name="报告", exact=True))
    year = str(timezone.localdate().year)
    page.get_by_label("年度创建工作报告").check()
    page.get_by_label("年度（年度报告）").fill(year)
    page.get_by_label("格式").select_option("docx")
    axe_check(page)
    click_and_wait(page, page.get_by_role("button", name="生成报告"))
    assert "已提交" in page.locator(".messages").inner_text()
    job = ReportJob.objects.get()
    row = page.locator(f"#job-{job.pk}")
    # the background thread makes the file; the row polls (htmx) until the download link appears
    link = page.locator(f"#job-{job.pk} .job-download")
    link.wait_for(timeout=90_000)
    assert "年度创建工作报告" in row.inner_text()
    screenshot(page, "reports-done")
    with page.expect_download() as download_info:
        link.click()
    path = tmp_path / "annual.docx"
    download_info.value.save_as(path)
    assert download_info.value.suggested_filename == f"年度创建工作报告-{year}.docx"
    archive = zipfile.ZipFile(path)
    assert "年度放心消费创建工作报告" in archive.read("word/document.xml").decode("utf-8")
    assert any(name.startswith("word/media/") for name in archive.namelist())
