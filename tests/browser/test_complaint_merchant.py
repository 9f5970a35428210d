"""Merchant journey 2: a complaint reaches an enrolled business first; on a phone the merchant offers a refund
within the 10 working days, and the complaint waits for the consumer's confirmation."""

import pytest

from fangxin.campaign.tests.factories import make_enrollment
from fangxin.complaints.choices import Status
from fangxin.complaints.tests.factories import make_complaint

from .conftest import axe_check, click_and_wait, login, screenshot

pytestmark = pytest.mark.browser


def test_merchant_offers_a_refund_on_a_phone(users, entities, phone_page):
    make_enrollment(entities["a_food"])  # the merchant account is bound to a_food
    complaint = make_complaint(Status.OPERATOR, complainant_name="王小明", complainant_phone="13912345678")
    assert complaint.status == Status.OPERATOR

    page = phone_page
    login(page, "merchant")
    page.goto("/workbench/merchant/complaints/")
    card = page.locator(".complaint-card", has_text=complaint.tracking_no)
    assert "还剩 10 个工作日" in card.inner_text()
    axe_check(page)
    click_and_wait(page, card.get_by_role("link", name=complaint.item))

    text = page.locator("main").inner_text()
    assert "13912345678" not in text and "139****5678" in text and "王**" in text
    page.get_by_label("退货退款").check()
    page.get_by_label("金额（元）").fill("59.90")
    page.get_by_label("和解方案说明").fill("全额退款 59.90 元，三个工作日内原路退回。")
    axe_check(page)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
    click_and_wait(page, page.get_by_role("button", name="提交和解方案"))

    assert "和解方案已提交" in page.locator(".messages").inner_text()
    assert page.locator("#complaint-status").inner_text() == "待消费者确认和解方案"
    assert "59.90 元" in page.locator("#settlement").inner_text()
    assert page.get_by_role("button", name="提交和解方案").count() == 0
    screenshot(page, "merchant-complaint-offered-phone")
    complaint.refresh_from_db()
    assert complaint.status == Status.OPERATOR_OFFERED and str(complaint.settlement_amount) == "59.90"
