"""The whole complaint journey across three people (issue 4, "Done when"): a consumer files on a phone; the
enrolled shop gets it first and offers a refund; the consumer rejects the offer; the county clerk accepts,
mediates to an agreement and closes it; the consumer rates it; the case then shows on the shop's public
disclosure with the personal information masked."""

import re

import pytest
from django.utils import timezone

from fangxin.campaign.tests.factories import make_enrollment
from fangxin.complaints.choices import Status
from fangxin.complaints.models import Complaint

from .conftest import PHONE, axe_check, click_and_wait, login, new_watched_page, screenshot

pytestmark = pytest.mark.browser

CONSUMER_PHONE = "13800001234"
PHONE_IN_TEXT = "13912345678"


def track(page, tracking_no: str) -> None:
    page.goto("/tousu/chaxun/")
    page.get_by_label("投诉编号").fill(tracking_no)
    page.get_by_label("手机号后四位").fill(CONSUMER_PHONE[-4:])
    click_and_wait(page, page.get_by_role("button", name="查询"))
    assert page.get_by_role("heading", level=1).inner_text() == "投诉进度"


def open_panel(page, action: str) -> None:
    panel = page.locator(f"#action-{action}")
    if panel.get_attribute("open") is None:
        panel.locator("summary").click()


def test_complaint_from_phone_form_to_public_disclosure(users, entities, phone_page, desktop_page, browser,
                                                        browser_guard):
    shop = entities["a_food"]
    make_enrollment(shop)  # an active enrolled unit; the merchant account is bound to it

    # 1. The consumer files the complaint on a phone, picking the shop from the search results.
    consumer = phone_page
    consumer.goto("/tousu/")
    consumer.get_by_label("您的姓名").fill("张三")
    consumer.get_by_label("联系电话").fill(CONSUMER_PHONE)
    consumer.get_by_label("查找经营者（店名中的两三个字）").fill("华联")
    choice = consumer.get_by_role("radio", name=re.compile(shop.name))
    choice.wait_for()
    choice.check()
    consumer.get_by_label("购买的商品或接受的服务").fill("纯牛奶一箱")
    consumer.get_by_label("涉及金额（元）").fill("59.90")
    consumer.get_by_label("发生了什么").fill(f"买到的牛奶已经过期三天，要求退货被拒绝。店员让我留电话 {PHONE_IN_TEXT} 等通知。")
    consumer.get_by_label("您的请求").fill("退款并赔偿")
    consumer.get_by_label("同意调解（包括先由经营者和解）").check()
    consumer.get_by_label("同意公示（隐去个人信息）").check()
    click_and_wait(consumer, consumer.get_by_role("button", name="提交投诉"))
    tracking_no = consumer.locator(".tracking-no").inner_text().strip()
    complaint = Complaint.objects.get(tracking_no=tracking_no)
    assert complaint.status == Status.OPERATOR  # enrolled + merchant account + consent: the shop settles first
    screenshot(consumer, "journey-1-filed-phone")

    # 2. The merchant, on a phone, offers a refund within its 10 working days.
    merchant_context, merchant = new_watched_page(browser, browser_guard, **PHONE)
    login(merchant, "merchant")
    merchant.goto("/workbench/merchant/complaints/")
    card = merchant.locator(".complaint-card", has_text=tracking_no)
    click_and_wait(merchant, card.get_by_role("link", name="纯牛奶一箱"))
    assert CONSUMER_PHONE not in merchant.locator("main").inner_text()
    merchant.get_by_label("退货退款").check()
    merchant.get_by_label("金额（元）").fill("59.90")
    merchant.get_by_label("和解方案说明").fill("退款 59.90 元。")
    click_and_wait(merchant, merchant.get_by_role("button", name="提交和解方案"))
    assert merchant.locator("#complaint-status").inner_text() == "待消费者确认和解方案"
    screenshot(merchant, "journey-2-offer-phone")
    merchant_context.close()

    # 3. The consumer finds the offer too small and rejects it: on to the bureau, nothing retyped.
    track(consumer, tracking_no)
    assert "59.90" in consumer.locator(".settlement-offer").inner_text()
    consumer.get_by_label("您的意见（选填）").fill("只退款不赔偿，不接受")
    click_and_wait(consumer, consumer.get_by_role("button", name="不接受，转监管部门处理"))
    complaint.refresh_from_db()
    assert complaint.status == Status.RECEIVED and complaint.bureau_received_on == timezone.localdate()
    screenshot(consumer, "journey-3-rejected-phone")

    # 4. The county clerk accepts, mediates to an agreement and so closes it.
    staff = desktop_page
    login(staff, "county_a")
    staff.goto("/workbench/complaints/?tab=unit")
    click_and_wait(staff, staff.get_by_role("link", name=tracking_no, exact=True))
    assert "纯牛奶一箱" in staff.locator("main").inner_text()
    open_panel(staff, "accept")
    click_and_wait(staff, staff.locator("#action-accept button[type=submit]"))
    assert staff.locator("#complaint-status").inner_text() == "已受理"
    open_panel(staff, "mediation_start")
    staff.locator("#id_mediation_start-held_on").fill(timezone.localdate().isoformat())
    staff.locator("#id_mediation_start-place").fill("临河区市场监管局调解室")
    staff.locator("#id_mediation_start-mediator").fill("李调解")
    click_and_wait(staff, staff.locator("#action-mediation_start button[type=submit]"))
    assert staff.locator("#complaint-status").inner_text() == "调解中"
    open_panel(staff, "agreement")
    staff.locator("#id_agreement-settlement_type").select_option(label="赔偿")
    staff.locator("#id_agreement-terms").fill("商家退款 59.90 元，另赔偿 500 元。")
    staff.locator("#id_agreement-recovered_amount").fill("559.90")
    click_and_wait(staff, staff.locator("#action-agreement button[type=submit]"))
    assert staff.locator("#complaint-status").inner_text() == "调解成功"
    axe_check(staff)
    screenshot(staff, "journey-4-agreement-desktop")

    # 5. The consumer sees each step with its date and rates the handling.
    track(consumer, tracking_no)
    steps = consumer.locator(".complaint-timeline .step-label").all_inner_texts()
    for step in ("收到投诉", "经营者提出和解方案", "消费者不接受和解方案，转监管部门", "受理", "组织调解", "调解成功，达成协议"):
        assert step in steps, steps
    consumer.get_by_label("4 分 · 满意").check()
    click_and_wait(consumer, consumer.get_by_role("button", name="提交评价"))
    complaint.refresh_from_db()
    assert complaint.rating == 4 and complaint.status == Status.AGREEMENT and complaint.closed_on
    screenshot(consumer, "journey-5-rated-phone")

    # 6. The shop's public disclosure lists the case, personal information masked.
    consumer.goto(f"/tousu/gongshi/{shop.uscc}/")
    page_text = consumer.locator("main").inner_text()
    assert "纯牛奶一箱" in page_text
    assert PHONE_IN_TEXT not in page_text and CONSUMER_PHONE not in page_text and "张三" not in page_text
    assert "139****5678" in page_text
    axe_check(consumer)
    screenshot(consumer, "journey-6-disclosure-phone")
