"""Early warning in the browser: county staff acknowledge → handle → close a warning raised by the daily scan
(desktop), and a fitness club's merchant declares its prepaid cards on a phone, which the scan then combines with
a closure complaint into a prepaid-risk warning."""

import pytest

from fangxin.accounts.tests.factories import make_user
from fangxin.alerts import services
from fangxin.alerts.choices import WarningKind, WarningStatus
from fangxin.alerts.models import PrepaidScheme, Warning
from fangxin.alerts.tests.factories import add_complaints
from fangxin.core.actors import Actor
from fangxin.merchants.tests.factories import make_entity

from .conftest import axe_check, click_and_wait, login, screenshot

pytestmark = pytest.mark.browser
PHONE_WIDTH = 375


def open_menu(page, label: str) -> None:
    click_and_wait(page, page.get_by_role("navigation", name="工作台导航").get_by_role("link", name=label, exact=True))


def test_county_staff_acknowledge_handle_and_close_a_warning(users, entities, desktop_page, browser_guard):
    browser_guard.allow(r"status of 422")  # the refused step re-renders the page with its message
    shop = entities["a_food"]
    add_complaints(shop, {0: 3, 1: 3, 60: 1}, description="同一批次月饼发霉，商家拒绝退款。")
    services.scan(actor=Actor.system("test"))
    warning = Warning.objects.get(kind=WarningKind.ENTITY_SURGE)
    page = desktop_page

    login(page, "county_a")
    open_menu(page, "预警")
    row = page.locator(f"#warning-{warning.pk}")
    assert "经营者投诉激增" in row.inner_text() and "待签收" in row.inner_text()
    axe_check(page)
    screenshot(page, "alerts-list")
    click_and_wait(page, row.get_by_role("link", name=shop.name))
    assert "相关投诉（6 件）" in page.content()
    assert page.locator("#warning-status").inner_text() == "待签收"
    axe_check(page)

    click_and_wait(page, page.get_by_role("button", name="签收"))
    assert "已签收" in page.locator(".messages").inner_text()
    assert page.locator("#warning-status").inner_text() == "已签收"
    click_and_wait(page, page.get_by_role("button", name="开始处置"))  # without the measures: refused
    assert "请填写处置措施" in page.get_by_role("alert").first.inner_text()
    page.get_by_label("说明").fill("已约谈经营者，同批次月饼下架并抽检")
    click_and_wait(page, page.get_by_role("button", name="开始处置"))
    assert page.locator("#warning-status").inner_text() == "处置中"
    page.get_by_label("说明").fill("抽检不合格已立案，消费者均已退款")
    click_and_wait(page, page.get_by_role("button", name="办结"))
    assert page.locator("#warning-status").inner_text() == "已办结"
    timeline = page.locator(".timeline").inner_text()
    for step in ("发出预警", "签收", "开始处置", "办结"):
        assert step in timeline
    axe_check(page)
    screenshot(page, "alerts-detail-closed")
    warning.refresh_from_db()
    assert warning.status == WarningStatus.CLOSED and warning.closed_note == "抽检不合格已立案，消费者均已退款"


def test_merchant_declares_prepaid_cards_on_a_phone(users, phone_page, browser_guard):
    browser_guard.allow(r"status of 422")  # the incomplete declaration is re-rendered with its message
    gym = make_entity(county="150802", sector="beauty_fitness", name="临河区力健健身会所")
    make_user("gym_owner", "merchant", entities=[gym])
    page = phone_page

    login(page, "gym_owner")
    page.goto("/workbench/")
    open_menu(page, "预付卡申报")
    card = page.locator(f"#prepaid-{gym.uscc}")
    assert "尚未申报" in card.inner_text()
    axe_check(page)
    click_and_wait(page, card.get_by_role("link", name="申报预付卡情况"))
    page.get_by_label("发行（储值卡、次卡、期限卡、课程包等）").check()
    page.get_by_label("期限卡（月卡、季卡、年卡）").check()
    page.get_by_label("次卡", exact=True).check()
    page.get_by_label("未消费余额（元）").fill("386000")
    page.get_by_label("持卡人数").fill("412")
    page.get_by_label("银行资金存管").check()
    click_and_wait(page, page.get_by_role("button", name="提交申报"))  # no bank named: refused
    assert "请填写存管银行或担保机构名称" in page.get_by_role("alert").first.inner_text()
    page.get_by_label("存管银行或担保机构").fill("中国银行巴彦淖尔分行")
    axe_check(page)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE_WIDTH
    screenshot(page, "alerts-prepaid-form-phone")
    click_and_wait(page, page.get_by_role("button", name="提交申报"))
    assert "已保存临河区力健健身会所的预付卡申报" in page.locator(".messages").inner_text()
    card = page.locator(f"#prepaid-{gym.uscc}")
    assert "期限卡" in card.inner_text() and "386000.00" in card.inner_text()
    scheme = PrepaidScheme.objects.get(entity=gym)
    assert scheme.card_types == ["count", "period"]
    assert scheme.custody == "bank" and scheme.custodian == "中国银行巴彦淖尔分行"

    add_complaints(gym, {2: 1}, problem_types=("prepaid",), description="健身房门口贴了转让，前台说老板跑路了")
    risk = next(w for w in services.scan(actor=Actor.system("test")).created if w.kind == WarningKind.PREPAID_RISK)
    assert "银行资金存管" in risk.reasons[0] and "“跑路”" in risk.reasons[-1]
