"""Staff at the workbench (desktop): scope of the register, the audit chain, the deadline calculator."""

import pytest

from .conftest import axe_check, click_and_wait, login, screenshot

pytestmark = pytest.mark.browser


def open_menu(page, label: str) -> None:
    click_and_wait(page, page.get_by_role("navigation", name="工作台导航").get_by_role("link", name=label, exact=True))


def test_county_clerk_sees_only_their_county(users, entities, desktop_page, browser_guard):
    page = desktop_page
    login(page, "county_a")
    open_menu(page, "市场主体")
    assert page.get_by_role("heading", level=1).inner_text() == "市场主体"
    assert page.get_by_role("status").inner_text() == "共 2 家"
    rows = page.locator("table tbody tr")
    names = rows.locator("td:first-child a").all_inner_texts()
    assert sorted(names) == sorted(["临河区乐购电商旗舰店", "临河区华联超市"])
    assert set(rows.locator("td:nth-child(3)").all_inner_texts()) == {"临河区"}
    axe_check(page)
    screenshot(page, "workbench-entities")

    click_and_wait(page, page.get_by_role("link", name="临河区华联超市"))
    assert page.get_by_role("heading", level=1).inner_text() == "临河区华联超市"

    browser_guard.allow(r"status of 404")
    response = page.goto(f"/workbench/entities/{entities['b_food'].uscc}/")
    assert response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "页面不存在"
    assert "五原县华联生鲜超市" not in page.content()


def test_auditor_verifies_the_audit_chain(users, desktop_page):
    page = desktop_page
    login(page, "auditor")
    open_menu(page, "审计日志")
    assert page.get_by_role("heading", level=1).inner_text() == "审计日志"
    assert page.locator("table tbody tr").count() >= 1
    click_and_wait(page, page.get_by_role("link", name="校验审计链"))
    assert page.url.endswith("/workbench/audit/?verify=1")
    status = page.locator(".notice-ok[role=status]")
    assert status.inner_text().startswith("审计链完整")
    axe_check(page)


def test_deadline_in_working_days_skips_national_day(users, desktop_page):
    page = desktop_page
    login(page, "county_a")
    open_menu(page, "期限计算")
    page.get_by_label("起算日期").fill("2026-09-30")
    page.get_by_label("天数").fill("7")
    page.get_by_label("期限类型").select_option(label="工作日")
    click_and_wait(page, page.get_by_role("button", name="计算"))
    assert "/workbench/deadline/?" in page.url
    assert page.locator(".due").inner_text() == "2026年10月15日"
    assert "自 2026年9月30日 起算" in page.get_by_role("status").inner_text()
    axe_check(page)
