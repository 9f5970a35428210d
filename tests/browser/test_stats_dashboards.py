"""The goal dashboards in the browser (desktop): each one draws its chart, filters by a county, drills from a
table cell into the records behind it and downloads its XLSX (issue 8, "done when")."""

import io

import pytest
from openpyxl import load_workbook

from fangxin.stats.tests.factories import make_history

from .conftest import axe_check, click_and_wait, login, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def history(users, entities):
    return make_history(entities)


def open_menu(page, label: str) -> None:
    click_and_wait(page, page.get_by_role("navigation", name="工作台导航").get_by_role("link", name=label, exact=True))


def filter_county(page, name: str) -> None:
    page.get_by_label("旗县区", exact=True).select_option(label=name)
    click_and_wait(page, page.get_by_role("button", name="查看"))
    assert page.get_by_label("旗县区", exact=True).input_value() == "150802"


def chart_drawn(page) -> None:
    page.locator(".stats-chart.is-drawn canvas").first.wait_for()


def download_xlsx(page, sheet: str) -> list[tuple]:
    with page.expect_download() as info:
        page.get_by_role("link", name="下载 XLSX").click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    with open(download.path(), "rb") as handle:
        book = load_workbook(io.BytesIO(handle.read()))
    return list(book[sheet].iter_rows(values_only=True))


def test_goal_one_heat_map(users, history, desktop_page):
    page = desktop_page
    login(page, "office")
    open_menu(page, "创建覆盖（目标一）")
    chart_drawn(page)
    screenshot(page, "stats-goal-1")
    axe_check(page)
    filter_county(page, "临河区")
    table = page.locator("table.heat-table")
    assert "五原县" not in table.inner_text() and "临河区" in table.inner_text()
    rows = download_xlsx(page, "行业×旗县区")
    assert [row[0] for row in rows[1:]] == ["临河区", "合计"]
    click_and_wait(page, table.locator("tbody td a").first)
    assert page.locator(".records-count").inner_text() == "1"
    assert "临河区华联超市" in page.locator("table.records-table").inner_text()
    axe_check(page)
    # the county's coordination mechanism, recorded by the office, counts on the goal page
    open_menu(page, "创建覆盖（目标一）")
    assert page.locator(".mechanisms-count").inner_text() == "0"
    click_and_wait(page, page.get_by_role("link", name="查看和登记"))
    axe_check(page)
    page.locator("form.form #id_county").select_option(label="临河区")
    page.get_by_label("建立日期").fill("2026-01-15")
    page.get_by_label("文件文号").fill("临政办发〔2026〕5 号")
    click_and_wait(page, page.get_by_role("button", name="保存"))
    assert "已登记临河区的消费维权协作机制" in page.locator(".messages").inner_text()
    open_menu(page, "创建覆盖（目标一）")
    assert page.locator(".mechanisms-count").inner_text() == "1"


def test_goal_two_operator_share(users, history, desktop_page):
    page = desktop_page
    login(page, "office")
    open_menu(page, "经营者和解（目标二）")
    chart_drawn(page)
    screenshot(page, "stats-goal-2")
    assert page.locator(".stats-chart.is-drawn").count() == 2
    axe_check(page)
    filter_county(page, "临河区")
    rows = download_xlsx(page, "按旗县区")
    assert rows[1] == ("临河区", 1, 2, 0.5)
    click_and_wait(page, page.locator("table.share-table tbody td a").first)
    assert page.locator(".records-count").inner_text() == "1"
    assert "经营者和解" in page.locator("table.records-table").inner_text()


def test_goal_four_rates_and_stations(users, history, desktop_page):
    page = desktop_page
    login(page, "county_a")
    open_menu(page, "投诉处理（目标四）")
    chart_drawn(page)
    screenshot(page, "stats-goal-4")
    axe_check(page)
    filter_county(page, "临河区")
    rows = download_xlsx(page, "维权服务站")
    assert rows[1][:3] == ("临河区", 1, 1)
    # this month's 处理率 in 临河区: 2 closed of 2 accepted; drill into the closed ones
    link = page.locator("table.rates-table tbody td a", has_text="100.0%").first
    click_and_wait(page, link)
    assert page.locator(".records-count").inner_text() == "2"


@pytest.fixture
def goals(users, entities):
    from fangxin.stats.tests.factories import make_goal_history

    return make_goal_history(entities)


def test_goal_three_pass_rate(users, goals, desktop_page):
    page = desktop_page
    login(page, "office")
    open_menu(page, "抽检合格率（目标三）")
    chart_drawn(page)
    assert page.locator(".stats-chart.is-drawn").count() == 3
    screenshot(page, "stats-goal-3")
    axe_check(page)
    filter_county(page, "临河区")
    table = page.locator("table.pass-table")
    assert "五原县" not in table.inner_text() and "50.0%" in table.inner_text()
    rows = download_xlsx(page, "按旗县区")
    assert rows[1] == ("临河区", 2, 1, 1, 0, 0, 0.5)
    click_and_wait(page, table.locator("tbody td a").first)  # the inspections of 临河区
    assert page.locator(".records-count").inner_text() == "2"
    assert "发现问题" in page.locator("table.records-table").inner_text()
    axe_check(page)


def test_goal_five_warnings(users, goals, desktop_page):
    page = desktop_page
    login(page, "office")
    open_menu(page, "预警处置（目标五）")
    chart_drawn(page)
    assert page.locator(".stats-chart.is-drawn").count() == 2
    screenshot(page, "stats-goal-5")
    axe_check(page)
    filter_county(page, "临河区")
    rows = download_xlsx(page, "处置情况")
    assert rows[-1][0] == "合计" and rows[-1][1] == len(goals["warnings"])
    handled = goals["handled"]
    link = page.locator("table.handling-table tbody a", has_text="1").nth(1)  # the closed one of its kind
    click_and_wait(page, link)
    assert page.locator(".records-count").inner_text() == "1"
    records = page.locator("table.records-table")
    assert "已办结" in records.inner_text()
    click_and_wait(page, records.get_by_role("link", name=handled.subject_label))
    assert f"/{handled.pk}/" in page.url


def test_goal_six_credit_and_publication(users, goals, desktop_page):
    page = desktop_page
    login(page, "county_a")
    open_menu(page, "信用与公示（目标六）")
    chart_drawn(page)
    assert page.locator(".stats-chart.is-drawn").count() == 3
    screenshot(page, "stats-goal-6")
    axe_check(page)
    filter_county(page, "临河区")
    rows = download_xlsx(page, "结果公示")
    assert rows[1] == ("临河区", 1, 1, 0, 0, 0.5)
    assert page.locator(".draws-on-time").inner_text() == "1"
    click_and_wait(page, page.locator("table.list-table tbody td a").first)  # abnormal list entries this month
    assert page.locator(".records-count").inner_text() == "1"
    assert "经营异常名录" in page.locator("table.records-table").inner_text()


def test_a_changed_dashboard_is_served_stale_once_and_says_so(users, history, desktop_page, settings):
    """Stale-while-revalidate as production runs it (MAX_STALE > 0): after a change the page says its figures
    are being updated, and the next view has them."""
    settings.FANGXIN_STATS_MAX_STALE = 60
    settings.FANGXIN_STATS_REFRESH = "inline"  # the refresh runs after the response, in the server's thread
    page = desktop_page
    login(page, "office")
    open_menu(page, "创建覆盖（目标一）")
    freshness = page.locator(".stats-freshness")
    assert "此后数据无变化" in freshness.inner_text()
    assert page.locator(".mechanisms-count").inner_text() == "0"
    click_and_wait(page, page.get_by_role("link", name="查看和登记"))
    page.locator("form.form #id_county").select_option(label="临河区")
    page.get_by_label("建立日期").fill("2026-01-15")
    page.get_by_label("文件文号").fill("临政办发〔2026〕6 号")
    click_and_wait(page, page.get_by_role("button", name="保存"))
    open_menu(page, "创建覆盖（目标一）")
    assert freshness.get_attribute("data-stale") == "true"
    assert "正在更新，刷新页面可看最新数据" in freshness.inner_text()
    page.reload()
    assert freshness.get_attribute("data-stale") == "false"
    assert page.locator(".mechanisms-count").inner_text() == "1"
