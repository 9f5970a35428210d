"""The public portal as a consumer sees it: on a phone, in Chinese, accessible, nothing loaded from elsewhere."""

import re

import pytest

from .conftest import axe_check, click_and_wait, screenshot

pytestmark = pytest.mark.browser

DIMENSIONS = ["消费安全放心", "消费质量放心", "消费价格放心", "消费服务放心", "消费维权放心"]

# Elements a thumb has to hit: every button, every form control, every link in the header and navigation.
SMALL_TARGETS_JS = """
() => [...document.querySelectorAll('button, .button, input:not([type=hidden]), select, header a, nav a')]
  .filter(el => el.offsetParent !== null)
  .map(el => ({el: el.outerHTML.slice(0, 80), rect: el.getBoundingClientRect()}))
  .filter(({rect}) => rect.height < 40 || rect.width < 24)
  .map(({el, rect}) => `${el} is ${Math.round(rect.width)}x${Math.round(rect.height)}`)
"""


def test_home_on_a_phone(users, phone_page):
    page = phone_page
    response = page.goto("/")
    assert response.status == 200
    assert page.title() == "首页 · 放心消费创建"
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    assert page.get_by_role("heading", level=1).inner_text() == "放心消费创建"

    search = page.get_by_role("searchbox", name="查询商家")
    assert search.is_visible()
    assert page.get_by_role("button", name="查询").is_visible()

    assert page.locator(".dimensions h3").all_inner_texts() == DIMENSIONS

    width = page.evaluate("() => document.scrollingElement.scrollWidth")
    assert width <= 375, f"the page scrolls sideways on a 375 px phone: scrollWidth is {width}"
    font_size = page.evaluate("() => parseFloat(getComputedStyle(document.body).fontSize)")
    assert font_size >= 16, f"body text is {font_size}px"
    small = page.evaluate(SMALL_TARGETS_JS)
    assert not small, "touch targets smaller than 40 px high (or 24 px wide):\n" + "\n".join(small)

    axe_check(page)
    screenshot(page, "portal-home-phone")


def test_home_on_a_desktop(users, desktop_page):
    desktop_page.goto("/")
    assert desktop_page.get_by_role("heading", level=1).inner_text() == "放心消费创建"
    assert desktop_page.locator(".dimensions h3").count() == 5
    axe_check(desktop_page)
    screenshot(desktop_page, "portal-home-desktop")


def search_from_home(page, text: str) -> None:
    page.goto("/")
    page.get_by_role("searchbox", name="查询商家").fill(text)
    click_and_wait(page, page.get_by_role("button", name="查询"))


def test_search_from_the_home_page(users, phone_page):
    page = phone_page
    search_from_home(page, "华联")
    assert "/search/?q=" in page.url
    assert page.title() == "查询商家 · 放心消费创建"
    assert page.get_by_role("heading", level=1).inner_text() == "查询商家"
    assert re.fullmatch(r"“华联”共找到 \d+ 家商家。", page.get_by_role("status").inner_text())
    assert page.get_by_role("searchbox").input_value() == "华联"
    assert page.evaluate("() => document.scrollingElement.scrollWidth") <= 375
    axe_check(page)
    screenshot(page, "portal-search-phone")


def test_search_finds_the_matching_shops(users, phone_page):
    page = phone_page
    search_from_home(page, "华联")
    assert page.get_by_role("status").inner_text() == "“华联”共找到 2 家商家。"
    names = page.locator(".result-name").all_inner_texts()
    assert sorted(names) == sorted(["临河区华联超市", "五原县华联生鲜超市"])
    # Journey 2: the campaign status on each result (neither fixture shop has enrolled).
    assert page.locator(".result .tag").all_inner_texts() == ["未参加创建", "未参加创建"]
    screenshot(page, "portal-search-results-phone")


def test_search_without_results_says_so(users, phone_page):
    phone_page.goto("/search/?q=不存在的商家名")
    assert phone_page.get_by_role("status").inner_text() == "“不存在的商家名”共找到 0 家商家。"
    assert "没有找到相符的商家" in phone_page.locator(".empty").inner_text()


@pytest.mark.parametrize(("path", "title"), [("/commitment/", "统一承诺"), ("/policy/", "实施意见")])
def test_document_pages_on_a_phone(users, phone_page, path, title):
    response = phone_page.goto(path)
    assert response.status == 200
    assert phone_page.title() == f"{title} · 放心消费创建"
    heading = phone_page.get_by_role("heading", level=1).inner_text()
    assert heading, "the page has no h1"
    assert phone_page.locator("article p").count() >= 3, "the document has (almost) no text"
    assert phone_page.evaluate("() => document.scrollingElement.scrollWidth") <= 375
    axe_check(phone_page)


def test_not_found_page_is_in_chinese(users, phone_page, browser_guard):
    browser_guard.allow(r"status of 404")
    response = phone_page.goto("/no-such-page/")
    assert response.status == 404
    assert phone_page.title() == "页面不存在 · 放心消费创建"
    assert phone_page.get_by_role("heading", level=1).inner_text() == "页面不存在"
    assert phone_page.get_by_role("link", name="返回首页").is_visible()
    axe_check(phone_page)
