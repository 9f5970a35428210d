"""Signing in and out of the workbench, and the lockout after five wrong passwords (desktop)."""

import pytest

from .conftest import PASSWORD, axe_check, click_and_wait, login, screenshot

pytestmark = pytest.mark.browser

WRONG = "wrong-password-123"


def menu(page) -> list[str]:
    return page.get_by_role("navigation", name="工作台导航").get_by_role("link").all_inner_texts()


def test_login_page(users, desktop_page):
    page = desktop_page
    page.goto("/accounts/login/")
    assert page.title().startswith("登录 · ")
    assert page.get_by_role("heading", level=1).inner_text() == "工作人员和经营者登录"
    assert page.get_by_label("用户名").is_visible()
    assert page.get_by_label("密码").get_attribute("type") == "password"
    axe_check(page)
    screenshot(page, "login")


def test_login_page_names_the_site(users, desktop_page):
    desktop_page.goto("/accounts/login/")
    assert desktop_page.locator("header .brand-name").inner_text() == "放心消费创建"
    assert "放心消费创建" in desktop_page.locator("footer").inner_text()
    assert desktop_page.title() == "登录 · 放心消费创建"


def test_county_clerk_logs_in_to_the_workbench(users, desktop_page):
    page = desktop_page
    login(page, "county_a")
    assert page.url.endswith("/workbench/")
    assert page.title() == "工作台 · 放心消费创建"
    assert page.get_by_role("heading", level=1).inner_text() == "您好，测试county_a"
    assert page.locator(".who-name").inner_text() == "测试county_a"
    assert page.locator(".badge-role").inner_text() == "旗县区工作人员"
    items = menu(page)
    for label in ("工作台首页", "市场主体", "期限计算", "修改密码"):
        assert label in items
    assert "审计日志" not in items
    assert "临河区" in page.locator(".scope").inner_text()
    axe_check(page)
    screenshot(page, "workbench-home")


def test_auditor_menu_has_the_audit_log(users, desktop_page):
    login(desktop_page, "auditor")
    assert desktop_page.locator(".badge-role").inner_text() == "审计员"
    assert "审计日志" in menu(desktop_page)


def test_logout_returns_to_the_portal(users, live_server, desktop_page):
    page = desktop_page
    login(page, "county_a")
    click_and_wait(page, page.get_by_role("button", name="退出登录"))
    assert page.url == live_server.url + "/"
    assert page.get_by_role("heading", level=1).inner_text() == "放心消费创建"
    assert page.get_by_role("navigation", name="网站导航").get_by_role("link", name="登录").is_visible()

    page.goto("/workbench/")
    assert page.url == live_server.url + "/accounts/login/?next=/workbench/"


def test_wrong_password_shows_a_chinese_error(users, desktop_page):
    page = desktop_page
    login(page, "county_a", WRONG)
    assert page.url.endswith("/accounts/login/")
    alert = page.locator(".form-error[role=alert]")
    assert alert.inner_text() == "用户名或密码不正确。连续输错 5 次后，该账号将在本机被暂时锁定。"
    assert page.get_by_label("用户名").input_value() == "county_a"
    assert page.get_by_label("密码").input_value() == ""
    axe_check(page)


def test_five_failures_lock_the_account_on_this_address(users, live_server, desktop_page, browser_guard):
    browser_guard.allow(r"status of 429")  # django-axes answers a locked-out attempt with 429
    page = desktop_page
    for attempt in range(1, 5):
        login(page, "county_a", WRONG)
        assert page.locator(".form-error").inner_text().startswith("用户名或密码不正确"), f"attempt {attempt}"
    login(page, "county_a", WRONG)
    assert page.get_by_role("heading", level=1).inner_text() == "账号已暂时锁定"

    login(page, "county_a", PASSWORD)
    assert page.get_by_role("heading", level=1).inner_text() == "账号已暂时锁定"
    assert "15 分钟后再试" in page.get_by_role("alert").inner_text()
    assert page.title() == "账号已暂时锁定 · 放心消费创建"
    axe_check(page)
    screenshot(page, "locked-out")

    page.goto("/workbench/")
    assert page.url.startswith(live_server.url + "/accounts/login/"), "the locked-out user got in"

    # The lock is for county_a from this address only: another user in the same browser can sign in.
    login(page, "county_b", PASSWORD)
    assert page.url == live_server.url + "/workbench/"
    assert page.locator(".who-name").inner_text() == "测试county_b"
