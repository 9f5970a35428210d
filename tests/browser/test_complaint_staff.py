"""County staff at the complaint workbench (desktop): the queue, acceptance, a refusal with reason 3 and its
printed decision, mediation to an agreement with the amount recovered, a transfer to 五原县, and staff entry
pre-filled by the triage suggestion (JOURNEYS: county staff 1–2)."""

import re
from pathlib import Path

import pytest
from django.utils import timezone

from fangxin.complaints import triage_bridge
from fangxin.complaints.choices import Status
from fangxin.complaints.models import Complaint
from fangxin.complaints.tests.factories import make_complaint

from .conftest import axe_check, click_and_wait, login, screenshot

pytestmark = pytest.mark.browser
REAL_TRIAGE = (Path(__file__).resolve().parents[2] / "fangxin" / "triage" / "classifier.py").exists()


@pytest.fixture(autouse=True)
def rule_sets(transactional_db):
    """The rule sets come from a data migration, which a live-server test's flush removes; put them back."""
    from fangxin.complaints.models import RuleReason, RuleSet
    from fangxin.complaints.rules import install

    install(RuleSet, RuleReason)


def open_menu(page, label: str) -> None:
    click_and_wait(page, page.get_by_role("navigation", name="工作台导航").get_by_role("link", name=label, exact=True))


def open_complaint(page, tracking_no: str) -> None:
    open_menu(page, "投诉办理")
    click_and_wait(page, page.get_by_role("link", name=tracking_no, exact=True))
    assert page.get_by_role("heading", level=1).inner_text().endswith(tracking_no)


def run_action(page, name: str) -> None:
    """Open the action's panel if it is closed, and submit its form (the caller fills the fields first)."""
    click_and_wait(page, page.locator(f"#action-{name} button[type=submit]"))


def open_action(page, name: str) -> None:
    panel = page.locator(f"#action-{name}")
    if panel.get_attribute("open") is None:
        panel.locator("summary").click()


def status_of(page) -> str:
    return page.locator("#complaint-status").inner_text()


def test_county_staff_handle_complaints(users, entities, desktop_page):
    page = desktop_page
    to_accept = make_complaint(description="买到的牛奶已经过期，要求退货被拒绝。")
    to_refuse = make_complaint(description="为公司食堂批量采购大米，发现有虫。", item="大米 50 袋")
    to_mediate = make_complaint(Status.ACCEPTED, description="店内买的冰柜不制冷，商家拒绝维修。", item="冰柜")
    to_transfer = make_complaint(description="在五原县分店买的酸奶胀袋，要求退款。", item="酸奶")

    login(page, "county_a")
    open_menu(page, "投诉办理")
    assert page.get_by_role("heading", level=1).inner_text() == "投诉办理"
    tabs = page.get_by_role("navigation", name="工作队列")
    current = tabs.locator("[aria-current=page]")
    assert current.inner_text().split() == ["本单位待办", "4"]
    assert page.locator("table tbody tr").count() == 4
    axe_check(page)
    screenshot(page, "complaints-staff-queue")

    # 1. accept
    click_and_wait(page, page.get_by_role("link", name=to_accept.tracking_no, exact=True))
    assert "138****1234" in page.locator("#complainant").inner_text()
    axe_check(page)
    screenshot(page, "complaints-staff-detail")
    open_action(page, "accept")
    run_action(page, "accept")
    assert status_of(page) == "已受理"
    assert "受理决定书" in page.get_by_role("region", name="文书").inner_text()

    # the complainant's phone, revealed on request (audited)
    page.get_by_role("button", name="查看完整个人信息").click()
    expect_text(page.locator("#complainant"), "13800001234")
    assert "已记入审计日志" in page.locator("#complainant").inner_text()

    # 2. refuse with reason 3 and print the decision
    open_complaint(page, to_refuse.tracking_no)
    open_action(page, "refuse")
    reason = page.locator("#action-refuse select")
    option = reason.locator("option", has_text="第（3）项").first
    reason.select_option(value=option.get_attribute("value"))
    page.locator("#action-refuse textarea").fill("为单位食堂采购，不属于生活消费。")
    run_action(page, "refuse")
    assert status_of(page) == "不予受理"
    click_and_wait(page, page.get_by_role("link", name="打印页：不予受理决定书"))
    document = page.locator("article.official-document")
    assert document.get_by_role("heading", level=1).inner_text() == "不予受理决定书"
    assert "第（3）项" in document.inner_text() and "（印章）" in document.inner_text()
    assert "向人民法院提起诉讼" in document.inner_text()
    assert page.get_by_role("button", name="打印").is_visible()
    axe_check(page)
    screenshot(page, "complaints-staff-refusal-decision")
    page.emulate_media(media="print")
    assert not page.get_by_role("navigation", name="工作台导航").is_visible()
    page.emulate_media(media="screen")

    # 3. mediate to an agreement
    open_complaint(page, to_mediate.tracking_no)
    open_action(page, "mediation_start")
    page.get_by_label("调解日期").first.fill(timezone.localdate().isoformat())
    page.locator("#id_mediation_start-place").fill("临河区市场监管局调解室")
    page.locator("#id_mediation_start-mediator").fill("李调解")
    run_action(page, "mediation_start")
    assert status_of(page) == "调解中"
    open_action(page, "agreement")
    page.locator("#id_agreement-settlement_type").select_option(label="修理")
    page.locator("#id_agreement-terms").fill("商家上门免费维修冰柜，并赔偿食品损失 300 元。")
    page.locator("#id_agreement-recovered_amount").fill("1280.50")
    run_action(page, "agreement")
    assert status_of(page) == "调解成功"
    assert "1280.50 元" in page.locator("#recovered-amount").inner_text()
    assert "调解书" in page.get_by_role("region", name="文书").inner_text()
    screenshot(page, "complaints-staff-agreement")

    # 4. transfer to 五原县 with a reason
    open_complaint(page, to_transfer.tracking_no)
    open_action(page, "transfer")
    page.locator("#id_transfer-region").select_option(label="五原县")
    page.locator("#id_transfer-reason").fill("经营地在五原县，依法由五原县市场监管局处理。")
    run_action(page, "transfer")
    assert page.url.endswith("/workbench/complaints/")
    assert "已分送" in page.get_by_role("status").first.inner_text()
    assert Complaint.objects.get(pk=to_transfer.pk).region.name == "五原县"
    assert page.get_by_role("link", name=to_transfer.tracking_no, exact=True).count() == 0

    statuses = dict(Complaint.objects.values_list("tracking_no", "status"))
    assert statuses[to_accept.tracking_no] == Status.ACCEPTED
    assert statuses[to_refuse.tracking_no] == Status.REFUSED
    assert statuses[to_mediate.tracking_no] == Status.AGREEMENT


def expect_text(locator, text: str) -> None:
    from playwright.sync_api import expect

    expect(locator).to_contain_text(text)


def test_staff_entry_prefilled_by_triage(users, entities, desktop_page, monkeypatch):
    if not REAL_TRIAGE:  # until the triage classifier lands, a stand-in gives the suggestion it would give
        monkeypatch.setattr(triage_bridge, "suggest", lambda text: {
            "sector": "food_drug", "problem_types": ["quality", "safety"], "department": "",
            "confidence": 0.91, "evidence": ["牛奶", "过期"]})
    page = desktop_page
    login(page, "county_a")
    open_menu(page, "登记投诉")
    assert page.get_by_role("heading", level=1).inner_text() == "登记投诉举报"
    page.get_by_label("来源渠道").select_option(label="热线电话")
    assert not page.get_by_label("受理的维权服务站").is_visible()
    page.get_by_label("投诉（举报）人姓名").fill("王小明")
    page.get_by_label("联系电话").fill("13911112222")
    page.get_by_label("被投诉经营者名称").fill("临河区华联超市")
    page.get_by_label("商品或服务").fill("纯牛奶一箱")
    page.get_by_label("投诉（举报）内容").fill("在超市买的纯牛奶已经过期变质，孩子喝了以后腹泻，要求退货被拒绝。")
    page.get_by_label("投诉请求").fill("退款并赔偿医药费")
    with page.expect_response(re.compile(r"/workbench/complaints/new/triage/")):
        page.get_by_role("button", name="智能分诊").click()
    classification = page.locator("#classification")
    expect_text(classification, "自动分诊建议，请核对")
    sector = page.get_by_label("行业", exact=True).input_value()
    assert sector != ""
    if not REAL_TRIAGE:
        assert sector == "food_drug"
        assert page.get_by_label("商品质量").is_checked() and page.get_by_label("人身财产安全").is_checked()
        assert "91%" in classification.inner_text()
    assert "牵头部门" in classification.inner_text() or "承办部门" in classification.inner_text()
    assert classification.locator("input[type=checkbox]:checked").count() >= 1
    axe_check(page)
    screenshot(page, "complaints-staff-entry-triage")

    # staff may correct the suggestion before saving
    page.get_by_label("价格", exact=True).check()
    click_and_wait(page, page.get_by_role("button", name="登记", exact=True))
    complaint = Complaint.objects.get(complainant_phone="13911112222")
    assert page.get_by_role("heading", level=1).inner_text().endswith(complaint.tracking_no)
    assert complaint.channel == "hotline" and "price" in complaint.problem_types
    assert complaint.classification_confirmed and complaint.sector.code == sector
