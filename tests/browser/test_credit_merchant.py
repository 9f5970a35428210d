"""Credit on a phone: the merchant opens its own grade from the workbench menu and reads the explanation (the
penalty that moved it and by how much), asks for credit repair with a photo of the payment slip; county staff
decide on the desktop; the merchant then sees the repaired event no longer counting and grade A."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from fangxin.core.actors import Actor
from fangxin.credit.models import RepairRequest
from fangxin.credit.services import credit_event_record

from .conftest import axe_check, click_and_wait, login, new_watched_page, screenshot

pytestmark = pytest.mark.browser
PHONE_WIDTH = 375


def payment_slip(tmp_path):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (30, 120, 200)).save(buffer, format="PNG")
    path = tmp_path / "罚款缴款凭证.png"
    path.write_bytes(buffer.getvalue())
    return path


def no_sideways_scroll(page):
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE_WIDTH


def test_merchant_reads_its_grade_explanation_asks_for_repair_and_staff_decide(
        users, entities, phone_page, browser, browser_guard, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    entity = entities["a_food"]  # the merchant account is bound to a_food
    event = credit_event_record(actor=Actor.system("test"), entity=entity, kind="penalty",
                                occurred_on=timezone.localdate() - timedelta(days=73), detail="销售过期食品",
                                source_ref="penalty:browser", document_number="临市监罚〔2026〕8号",
                                authority="临河区市场监督管理局")

    page = phone_page
    login(page, "merchant")
    page.goto("/workbench/")
    click_and_wait(page, page.locator(".workbench-nav").get_by_role("link", name="我的信用"))
    card = page.locator(f"#entity-{entity.uscc}")
    assert "B 级（基本守信）" in card.locator(f"#grade-{entity.uscc}").inner_text()
    explanation = card.locator(".credit-explanation").inner_text()
    assert "行政处罚" in explanation and "销售过期食品" in explanation and "-14.00" in explanation
    assert "系数 0.9333" in explanation
    axe_check(page)
    no_sideways_scroll(page)
    screenshot(page, "credit-merchant-grade-phone")

    click_and_wait(page, card.get_by_role("link", name="申请信用修复"))
    page.get_by_label("行政处罚", exact=False).check()
    page.get_by_label("修复理由和已采取的整改措施").fill("已于本月足额缴纳罚款，过期食品全部下架销毁，建立临期食品台账。")
    page.set_input_files("#id_files", str(payment_slip(tmp_path)))
    axe_check(page)
    no_sideways_scroll(page)
    screenshot(page, "credit-merchant-repair-phone")
    click_and_wait(page, page.get_by_role("button", name="提交修复申请"))

    request = RepairRequest.objects.get(entity=entity)
    assert request.event_id == event.pk and request.evidence.count() == 1
    assert "信用修复申请已提交" in page.locator(".messages").inner_text()
    assert "待决定" in page.locator(f"#repair-{request.pk}").inner_text()

    # county staff of 临河区 decide on a desktop
    context, staff = new_watched_page(browser, browser_guard, viewport={"width": 1280, "height": 900})
    login(staff, "county_a")
    staff.goto("/workbench/credit/repairs/")
    click_and_wait(staff, staff.get_by_role("link", name=f"第 {request.pk} 号"))
    assert "罚款缴款凭证.png" in staff.locator("main").inner_text()
    staff.get_by_label("准予修复").check()
    staff.get_by_label("决定理由").fill("已履行行政处罚，整改到位")
    axe_check(staff)
    click_and_wait(staff, staff.get_by_role("button", name="提交决定"))
    assert staff.locator("#repair-status").inner_text() == "准予修复"
    context.close()

    page.reload()
    card = page.locator(f"#entity-{entity.uscc}")
    assert "A 级（守信）" in card.locator(f"#grade-{entity.uscc}").inner_text()
    assert "不再计入 -14.00 分" in card.locator(".credit-repaired").inner_text()
    assert "准予修复" in page.locator(f"#repair-{request.pk}").inner_text()
    axe_check(page)
    screenshot(page, "credit-merchant-repaired-phone")
