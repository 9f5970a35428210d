"""Supervision in the browser: the office assigns a task to a county and a department, the county reports
progress (on a phone) and reports it done, the office confirms it; the evaluation page ranks the counties, the
office changes the weights, and the XLSX and PDF reports download."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from fangxin.merchants.models import MarketEntity
from fangxin.supervision.choices import AssignmentStatus
from fangxin.supervision.models import Assignment, EvaluationScheme

from .conftest import DESKTOP, axe_check, click_and_wait, login, new_watched_page, screenshot

pytestmark = pytest.mark.browser


def menu(page, label: str) -> None:
    click_and_wait(page, page.get_by_role("navigation", name="工作台导航").get_by_role("link", name=label, exact=True))


def test_office_assigns_county_reports_and_office_confirms(users, entities, desktop_page, phone_page, browser_guard):
    browser_guard.allow(r"status of 422")  # a refused form re-renders with its message
    office, county = desktop_page, phone_page
    due = timezone.localdate() + timedelta(days=20)

    login(office, "office")
    menu(office, "督导任务")
    click_and_wait(office, office.get_by_role("link", name="交办新任务"))
    office.get_by_label("任务名称").fill("建立旗县区消费维权协作机制")
    office.get_by_label("任务内容").fill("建立由分管领导牵头的消费维权联席会议制度，报送机制文件。")
    office.get_by_label("政策依据").fill("实施意见 六（一）")
    office.get_by_label("完成时限").fill(due.isoformat())
    click_and_wait(office, office.get_by_role("button", name="交办"))  # no assignee yet: refused
    assert "请至少选择一个承办部门或旗县区" in office.get_by_role("alert").first.inner_text()
    office.get_by_label("临河区").check()
    office.get_by_label("市食药监局").check()
    axe_check(office)
    click_and_wait(office, office.get_by_role("button", name="交办"))
    assert "已交办督导任务" in office.locator(".messages").inner_text()
    a = Assignment.objects.get(region__code="150802")
    assert office.locator(f"#status-{a.pk}").inner_text() == "已交办"
    axe_check(office)

    login(county, "county_a")
    menu(county, "督导任务")
    board = county.locator("#board").inner_text()
    assert "建立旗县区消费维权协作机制" in board and "市食药监局" not in board
    click_and_wait(county, county.get_by_role("link", name="建立旗县区消费维权协作机制"))
    form = county.get_by_role("form", name="报送进展")
    form.get_by_label("工作进展").fill("已起草联席会议制度，正在征求意见。")
    form.get_by_label("完成进度（%）").fill("60")
    click_and_wait(county, form.get_by_role("button", name="报送进展"))
    assert county.locator(f"#status-{a.pk}").inner_text() == "推进中"
    assert "60%" in county.locator(f"#timeline-{a.pk}").inner_text()
    assert county.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    axe_check(county)
    screenshot(county, "supervision-task-county-phone")
    done = county.get_by_role("form", name="报告完成")
    done.get_by_label("完成情况").fill("联席会议制度已印发。")
    click_and_wait(county, done.get_by_role("button", name="报告完成"))
    assert county.locator(f"#status-{a.pk}").inner_text() == "已报完成"

    office.reload()
    review = office.get_by_role("form", name="确认或退回")
    review.get_by_label("确认意见或退回理由").fill("文件齐全，同意办结。")
    click_and_wait(office, review.get_by_role("button", name="确认办结"))
    assert office.locator(f"#status-{a.pk}").inner_text() == "已办结"
    timeline = office.locator(f"#timeline-{a.pk}").inner_text()
    for step in ("交办", "报送进展", "报告完成", "确认办结"):
        assert step in timeline
    screenshot(office, "supervision-task-office")
    menu(office, "督导任务")
    row = office.locator(f"#assignment-{a.pk}").inner_text()
    assert "已办结" in row and "100%" in row
    a.refresh_from_db()
    assert a.status == AssignmentStatus.DONE and a.on_time


def test_evaluation_ranks_counties_and_downloads_reports(users, entities, browser, browser_guard, tmp_path):
    browser_guard.allow(r"status of 422")
    # 临河区 has one business enrolled of its two, so it leads on coverage; nobody else has any.
    from fangxin.campaign.tests.factories import make_enrollment

    make_enrollment(MarketEntity.objects.get(pk=entities["a_food"].pk))
    context, page = new_watched_page(browser, browser_guard, **DESKTOP, accept_downloads=True)
    year = timezone.localdate().year
    login(page, "office")
    menu(page, "督导评价")
    assert f"{year} 年度旗县区督导评价" in page.locator("h1").inner_text()
    ranking = page.locator("#ranking tbody tr")
    assert ranking.count() == 7
    assert "临河区" in ranking.first.inner_text() and ranking.first.locator("td").first.inner_text() == "1"
    axe_check(page)
    screenshot(page, "supervision-evaluation")

    page.get_by_label("预警办结率 权重（分）").fill("25")
    click_and_wait(page, page.get_by_role("button", name="保存方案"))
    assert "权重之和应为 100 分，现为 115 分" in page.get_by_role("alert").first.inner_text()
    page.get_by_label("预警办结率 权重（分）").fill("0")
    page.get_by_label("创建单位覆盖率 权重（分）").fill("25")
    click_and_wait(page, page.get_by_role("button", name="保存方案"))
    assert "评价方案已保存" in page.locator(".messages").inner_text()
    assert "预警办结率" not in page.locator("#ranking thead").inner_text()
    assert EvaluationScheme.objects.get(year=year).version == 2

    with page.expect_download() as info:
        page.get_by_role("link", name="导出 XLSX").click()
    path = tmp_path / "ranking.xlsx"
    info.value.save_as(path)
    sheet = load_workbook(io.BytesIO(path.read_bytes())).active
    assert sheet.cell(4, 1).value == 1 and sheet.cell(4, 3).value == "临河区"
    with page.expect_download() as info:
        page.get_by_role("link", name="下载 PDF 报告").click()
    pdf = tmp_path / "ranking.pdf"
    info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 5000

    click_and_wait(page, page.get_by_role("button", name="发布评价结果并锁定方案"))
    assert "已发布" in page.locator("#scheme-status").inner_text()
    assert page.get_by_role("button", name="保存方案").count() == 0
    context.close()
