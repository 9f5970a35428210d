"""A consumer on a phone, no account: files a complaint choosing the shop from the search results, keeps the
tracking number, follows it with the number and the last 4 phone digits; rates a closed complaint."""

import re

import pytest

from fangxin.complaints.choices import Status
from fangxin.complaints.models import Complaint
from fangxin.complaints.tests.factories import make_complaint

from .conftest import PHONE, axe_check, click_and_wait, new_watched_page, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def rule_sets(transactional_db):
    """The rule sets come from a data migration, which a live-server test's flush removes; put them back."""
    from fangxin.complaints.models import RuleReason, RuleSet
    from fangxin.complaints.rules import install

    install(RuleSet, RuleReason)


WIDE_ELEMENTS_JS = """
limit => [...document.querySelectorAll('body *')]
  .filter(el => el.getBoundingClientRect().right > limit + 1)
  .slice(0, 5).map(el => `${el.outerHTML.slice(0, 100)} ends at ${Math.round(el.getBoundingClientRect().right)}`)
"""


def fits_the_phone(page) -> None:
    limit = PHONE["viewport"]["width"]
    width = page.evaluate("() => document.scrollingElement.scrollWidth")
    assert width <= limit, (f"the page scrolls sideways on a phone: scrollWidth is {width}; "
                            + "; ".join(page.evaluate(WIDE_ELEMENTS_JS, limit)))


def test_a_consumer_files_a_complaint_and_follows_it(entities, phone_page, browser, browser_guard):
    shop = entities["a_food"]
    page = phone_page
    page.goto("/")
    click_and_wait(page, page.get_by_role("link", name="我要投诉"))
    assert page.get_by_role("heading", level=1).inner_text() == "我要投诉"

    page.get_by_label("您的姓名").fill("张三")
    page.get_by_label("联系电话").fill("13800001234")
    page.get_by_label("查找经营者（店名中的两三个字）").fill("华联")
    choice = page.get_by_role("radio", name=re.compile(shop.name))
    choice.wait_for()  # the htmx partial with the registry matches
    assert page.get_by_role("radio", name=re.compile(entities["b_food"].name)).is_visible()
    screenshot(page, "complaint-form-search-phone")
    choice.check()
    page.get_by_label("购买的商品或接受的服务").fill("纯牛奶一箱")
    page.get_by_label("涉及金额（元）").fill("59.90")
    page.get_by_label("发生了什么").fill("买到的牛奶已经过期三天，要求退货被拒绝。")
    page.get_by_label("您的请求").fill("退款并赔偿")
    page.get_by_label("同意调解（包括先由经营者和解）").check()
    page.get_by_label("同意公示（隐去个人信息）").check()
    fits_the_phone(page)
    axe_check(page)
    click_and_wait(page, page.get_by_role("button", name="提交投诉"))

    assert page.get_by_role("heading", level=1).inner_text() == "投诉已提交"
    tracking_no = page.locator(".tracking-no").inner_text().strip()
    complaint = Complaint.objects.get(tracking_no=tracking_no)
    assert complaint.entity == shop and complaint.channel == "web"
    assert "尾号 1234" in page.locator(".filed-box").inner_text()
    fits_the_phone(page)
    axe_check(page)
    screenshot(page, "complaint-filed-phone")

    # Later, on another phone (no session): the tracking number and the last 4 digits.
    context, other = new_watched_page(browser, browser_guard, **PHONE)
    other.goto("/")
    click_and_wait(other, other.get_by_role("link", name="查询投诉进度"))
    other.get_by_label("投诉编号").fill(tracking_no)
    other.get_by_label("手机号后四位").fill("1234")
    click_and_wait(other, other.get_by_role("button", name="查询"))
    assert other.get_by_role("heading", level=1).inner_text() == "投诉进度"
    steps = other.locator(".complaint-timeline .step-label").all_inner_texts()
    assert steps[0] == "收到投诉"
    facts = other.locator(".facts").inner_text()
    assert shop.name in facts and "张*" in facts and "138****1234" in facts and "13800001234" not in facts
    assert "作出受理决定" in facts
    fits_the_phone(other)
    axe_check(other)
    screenshot(other, "complaint-track-phone")
    context.close()


def test_a_consumer_rates_a_closed_complaint(entities, phone_page):
    complaint = make_complaint(Status.AGREEMENT, complainant_phone="13900005678")
    page = phone_page
    page.goto("/tousu/chaxun/")
    page.get_by_label("投诉编号").fill(complaint.tracking_no)
    page.get_by_label("手机号后四位").fill("1111")
    click_and_wait(page, page.get_by_role("button", name="查询"))
    assert "投诉编号或手机号后四位不正确" in page.get_by_role("alert").first.inner_text()
    page.get_by_label("手机号后四位").fill("5678")
    click_and_wait(page, page.get_by_role("button", name="查询"))

    assert page.locator(".status-line").inner_text() == "调解成功"
    assert page.get_by_role("link", name="调解书").is_visible()
    page.get_by_label("5 分 · 很满意").check()
    page.get_by_label("评价意见（选填）").fill("调解员很耐心")
    fits_the_phone(page)
    axe_check(page)
    screenshot(page, "complaint-rate-phone")
    click_and_wait(page, page.get_by_role("button", name="提交评价"))

    assert "感谢您的评价" in page.locator(".messages").inner_text()
    assert page.locator(".notice-ok").inner_text() == "您的评价：5 分（很满意）。感谢您的反馈！"
    assert page.get_by_role("button", name="提交评价").count() == 0
    complaint.refresh_from_db()
    assert complaint.rating == 5 and complaint.rating_comment == "调解员很耐心"
    screenshot(page, "complaint-rated-phone")
