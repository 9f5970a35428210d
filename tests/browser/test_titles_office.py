"""The joint-meeting office and a lead department at the workbench (desktop): the office opens the year with its
dates and a quota; the food and drug administration drafts a new version of the food_drug county standard, changes
an item's points and publishes it; a serious-violation entry opens a dynamic-management case, the office revokes,
and the consumer's scan of the shop's badge says revoked at once (JOURNEYS: joint-meeting office 1 and 3, lead
department 1)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from fangxin.campaign.models import Enrollment
from fangxin.campaign.tests.factories import make_enrollment
from fangxin.campaign.titles.choices import CaseStatus, CycleStatus, StandardStatus
from fangxin.campaign.titles.models import Cycle, ManagementCase, Standard
from fangxin.campaign.titles.seed import seed_standards
from fangxin.core.actors import Actor
from fangxin.credit.services import list_enter

from .conftest import DESKTOP, PHONE, axe_check, click_and_wait, login, new_watched_page, screenshot

pytestmark = pytest.mark.browser


def open_menu(page, label: str) -> None:
    click_and_wait(page, page.get_by_role("navigation", name="工作台导航").get_by_role("link", name=label, exact=True))


def test_office_cycle_standard_revision_and_revocation(users, entities, desktop_page, browser, browser_guard):
    seed_standards(actor=Actor.system("test"))
    shop = entities["a_food"]
    enrollment = make_enrollment(shop)
    today = timezone.localdate()
    office = desktop_page

    # 1. The office opens the year with its dates, the default publicity length and a quota for 临河区.
    login(office, "office")
    open_menu(office, "创建年度")
    assert "还没有创建年度" in office.locator("table").inner_text()
    click_and_wait(office, office.get_by_role("link", name="开启新年度"))
    assert office.get_by_label("公示期（工作日）").input_value() == "5"
    office.locator("#id_year").fill(str(today.year))
    office.get_by_label("申报开始").fill(today.isoformat())
    office.get_by_label("申报截止（旗县区级）").fill((today + timedelta(days=30)).isoformat())
    office.get_by_label("旗县区级评审截止").fill((today + timedelta(days=60)).isoformat())
    office.get_by_label("盟市级评审截止").fill((today + timedelta(days=90)).isoformat())
    office.get_by_label("自治区级评审截止").fill((today + timedelta(days=120)).isoformat())
    office.get_by_label("第 1 行 级别").select_option("county")
    office.get_by_label("第 1 行 旗县区或行业").select_option("150802")
    office.get_by_label("第 1 行 名额").fill("20")
    office.get_by_role("button", name="添加一行").click()  # the script adds a third quota row
    office.get_by_label("第 3 行 级别").select_option("city")
    office.get_by_label("第 3 行 旗县区或行业").select_option("food_drug")
    office.get_by_label("第 3 行 名额").fill("4")
    axe_check(office)
    submit = office.get_by_role("button", name="开启年度")
    submit.scroll_into_view_if_needed()  # a full-page shot restores the scroll position late: scroll first
    screenshot(office, "titles-office-cycle-form")
    click_and_wait(office, submit)
    assert f"{today.year} 年度已开启" in office.locator(".messages").inner_text()
    row = office.locator(f"#cycle-{today.year}")
    assert "进行中" in row.inner_text() and "5 个工作日" in row.inner_text()
    assert "旗县区级 · 临河区：20 名" in row.inner_text() and "盟市级 · 食品药品：4 名" in row.inner_text()
    cycle = Cycle.objects.get(year=today.year)
    assert cycle.status == CycleStatus.OPEN and cycle.quotas == {"county:150802": 20, "city:food_drug": 4}
    axe_check(office)
    screenshot(office, "titles-office-cycles")

    open_menu(office, "示范行业与旗县区")
    assert office.get_by_role("heading", level=1).inner_text() == "示范行业与示范旗县区"
    assert "临河区" in office.locator(".coverage-table").inner_text()
    axe_check(office)
    screenshot(office, "titles-coverage")

    # 2. The food and drug administration drafts version 2 of the food_drug county standard, changes an item's
    #    points and publishes it.
    context, department = new_watched_page(browser, browser_guard, **DESKTOP)
    login(department, "department")
    open_menu(department, "评价标准")
    axe_check(department)
    click_and_wait(department, department.get_by_role("button", name="修订食品药品旗县区级标准（新建草稿）"))
    assert "已新建食品药品旗县区级标准第 2 版草稿" in department.locator(".messages").inner_text()
    points = department.locator("#id_items-0-points")
    before = Decimal(points.input_value())
    assert department.locator("#scored-total").inner_text() == "100"
    points.fill(str(before - 2))
    assert department.locator("#scored-total").inner_text() == "98"
    department.get_by_label("修订说明").fill("安全隐患排查项减 2 分")
    axe_check(department)
    save = department.get_by_role("button", name="保存草稿")
    save.scroll_into_view_if_needed()
    screenshot(department, "titles-standard-edit")
    click_and_wait(department, save)
    assert "草稿已保存" in department.locator(".messages").inner_text()
    assert "这是尚未发布的草稿" in department.locator("main").inner_text()
    department.once("dialog", lambda dialog: dialog.accept())
    click_and_wait(department, department.get_by_role("button", name="发布此版本"))
    assert "已发布第 2 版，原第 1 版已停用" in department.locator(".messages").inner_text()
    facts = department.locator(".standard-facts").inner_text()
    assert "第 2 版" in facts and "已发布" in facts and "市食药监局" in facts and today.isoformat() in facts
    assert "评分项满分 98.0 分" in department.locator(".standard-summary").inner_text()
    axe_check(department)
    screenshot(department, "titles-standard-published")
    versions = dict(Standard.objects.filter(sector__code="food_drug", level="county").values_list("version", "status"))
    assert versions == {1: StandardStatus.RETIRED, 2: StandardStatus.PUBLISHED}
    assert Standard.objects.get(sector__code="food_drug", level="county", version=2).items.first().points == before - 2
    with department.expect_download() as download:
        department.get_by_role("link", name="下载 Excel").click()
    assert download.value.suggested_filename == "standard-food_drug-county-v2.xlsx"
    context.close()

    # 3. The shop goes on the serious-violation list: a case opens; the office revokes from the queue.
    list_enter(actor=Actor.system("credit"), entity=shop, kind="serious", reason_code="2-1",
               reason="提供虚假材料骗取许可", authority="巴彦淖尔市市场监督管理局",
               document_number="巴市监列严〔2026〕7号", entered_on=today)
    open_menu(office, "动态管理")
    case_item = office.locator(".case-item", has_text=shop.name)
    assert "列入严重违法失信名单" in case_item.inner_text() and "提供虚假材料骗取许可" in case_item.inner_text()
    assert "有效（" in case_item.inner_text()
    axe_check(office)
    case_item.scroll_into_view_if_needed()
    screenshot(office, "titles-cases-queue")
    case_item.get_by_label("撤销创建单位资格和示范称号").check()
    case_item.get_by_label("处理意见").fill("被列入严重违法失信名单")
    click_and_wait(office, case_item.get_by_role("button", name="提交处理决定"))
    assert "撤销公告已发布" in office.locator(".messages").inner_text()
    outcome = office.locator(".case-outcome")
    assert "已撤销资格" in outcome.inner_text()
    assert "标志扫码核验现在显示：已撤销" in outcome.inner_text()
    assert office.locator(".case-item").count() == 0
    axe_check(office)
    screenshot(office, "titles-case-revoked")
    assert ManagementCase.objects.get(entity=shop).status == CaseStatus.REVOKED
    verify_href = outcome.get_by_role("link", name="打开标志核验页").get_attribute("href")
    assert verify_href == f"/v/{enrollment.badge_token}"

    # 4. The consumer scans the shop's badge on a phone: revoked.
    consumer_context, consumer = new_watched_page(browser, browser_guard, **PHONE)
    consumer.goto(f"/v/{enrollment.badge_token}")
    assert consumer.get_by_role("heading", level=1).inner_text() == "✘ 创建资格已撤销"
    assert Enrollment.objects.get(pk=enrollment.pk).status == "revoked"
    screenshot(consumer, "titles-badge-revoked-phone")
    consumer_context.close()
