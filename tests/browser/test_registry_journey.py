"""The registry journey: a merchant signs up on a phone, claims the shop, the county clerk confirms, the merchant
enrolls and downloads the poster, a consumer scans the badge; a revocation and a forged badge show at once."""

import pytest

from fangxin.core.actors import Actor
from fangxin.merchants.services import entity_update

from .conftest import PHONE, _new_page, axe_check, click_and_wait, login, screenshot

pytestmark = pytest.mark.browser

MERCHANT_PASSWORD = "河套放心-2026-abc"


def test_merchant_to_consumer(users, entities, phone_page, desktop_page, browser, browser_guard):
    shop = entities["a_food"]
    entity_update(actor=Actor.system("test"), entity=shop, legal_representative="王建国")

    # 1. The merchant signs up and claims the shop, on a phone.
    page = phone_page
    page.goto("/accounts/login/")
    click_and_wait(page, page.get_by_role("link", name="注册"))
    page.get_by_label("用户名").fill("laowang")
    page.get_by_label("姓名").fill("王建国")
    page.get_by_label("手机号码").fill("13812345678")
    page.locator("#id_password1").fill(MERCHANT_PASSWORD)
    page.get_by_label("再次输入密码").fill(MERCHANT_PASSWORD)
    click_and_wait(page, page.get_by_role("button", name="注册"))
    assert page.get_by_role("heading", level=1).inner_text() == "认领市场主体"
    page.get_by_label("统一社会信用代码").fill(shop.uscc)
    page.get_by_label("法定代表人（经营者）姓名").fill("王建国")
    click_and_wait(page, page.get_by_role("button", name="提交认领"))
    assert "认领申请已提交" in page.locator(".messages").inner_text()
    assert "待确认" in page.locator(".card").inner_text()
    axe_check(page)
    screenshot(page, "merchant-claim-pending-phone")

    # 2. The county clerk confirms the claim, on a desktop.
    login(desktop_page, "county_a")
    desktop_page.goto("/workbench/claims/")
    row = desktop_page.locator("tr", has_text=shop.name)
    row.get_by_label("审核结果").select_option("1")
    click_and_wait(desktop_page, row.get_by_role("button", name="提交"))
    assert "认领已确认" in desktop_page.locator(".messages").inner_text()

    # 3. The merchant enrolls, signs the commitment and downloads the poster.
    page.goto("/workbench/merchant/")
    click_and_wait(page, page.get_by_role("link", name="登记为放心消费创建单位"))
    assert "放心消费创建单位统一承诺" in page.locator(".commitment-text").inner_text()
    page.get_by_label("首问负责", exact=False).check()
    page.get_by_label("在经营场所悬挂、张贴").check()
    page.get_by_label("签署人姓名").fill("王建国")
    page.get_by_label("我已阅读上述统一承诺", exact=False).check()
    axe_check(page)
    click_and_wait(page, page.get_by_role("button", name="签署承诺并登记"))
    assert "登记成功" in page.locator(".messages").inner_text()
    assert page.locator(".status").inner_text() == "有效"
    screenshot(page, "merchant-enrolled-phone")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载 A4 张贴海报（PDF）").click()
    poster = download_info.value
    assert poster.suggested_filename.endswith(".pdf")
    with open(poster.path(), "rb") as handle:
        assert handle.read(4) == b"%PDF"
    verification_url = page.locator(".verify-link").get_attribute("href")
    token_path = verification_url.split("://", 1)[1].split("/", 1)[1]

    # 4. A consumer scans the QR code (opens the verification URL) on a phone.
    consumer_context, consumer = _new_page(browser, browser_guard, PHONE)  # a second phone, no session
    consumer.goto("/" + token_path)
    assert consumer.get_by_role("heading", level=1).inner_text() == "✔ 真实有效的放心消费创建单位"
    assert shop.name in consumer.locator(".shop").inner_text()
    assert "首问负责" in consumer.locator(".shop").inner_text()
    assert consumer.evaluate("document.scrollingElement.scrollWidth") <= 375
    axe_check(consumer)
    screenshot(consumer, "badge-valid-phone")

    # 5. The clerk revokes the enrollment; the next scan says so.
    desktop_page.goto(f"/workbench/entities/{shop.uscc}/")
    click_and_wait(desktop_page, desktop_page.locator(".facts + h2 + p a"))
    desktop_page.get_by_label("变更为").select_option("revoked")
    desktop_page.get_by_label("原因").fill("拒不履行七日无理由退货承诺")
    desktop_page.once("dialog", lambda dialog: dialog.accept())
    click_and_wait(desktop_page, desktop_page.get_by_role("button", name="提交", exact=True))
    assert "创建资格状态已更新" in desktop_page.locator(".messages").inner_text()
    consumer.reload()
    assert consumer.get_by_role("heading", level=1).inner_text() == "✘ 创建资格已撤销"
    screenshot(consumer, "badge-revoked-phone")

    # 6. One changed character: the counterfeit warning, and the consumer reports it.
    token = token_path.split("v/", 1)[1]
    forged = token[:30] + ("A" if token[30] != "A" else "B") + token[31:]
    consumer.goto("/v/" + forged)
    assert consumer.get_by_role("heading", level=1).inner_text() == "⚠ 疑似伪造的标志"
    axe_check(consumer)
    screenshot(consumer, "badge-counterfeit-phone")
    consumer.get_by_label("在哪里看到这个标志", exact=False).fill("临河区新华街某超市门口")
    consumer.get_by_label("情况说明").fill("店门口贴的标志扫出来提示伪造")
    click_and_wait(consumer, consumer.get_by_role("button", name="提交举报"))
    assert consumer.get_by_role("heading", level=1).inner_text() == "举报已收到"
    consumer_context.close()
