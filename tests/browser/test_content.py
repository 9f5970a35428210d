"""Portal content in the browser: county staff write a typical case with a preview and submit it, the
joint-meeting office sees what publishing masks and publishes it, and a consumer reads it on a phone; a consumer
answers a satisfaction survey on a phone (once per device)."""

import pytest

from fangxin.content.models import Article, Response
from fangxin.content.tests.factories import make_survey

from .conftest import axe_check, click_and_wait, login, new_watched_page, screenshot

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
BODY = ("## 基本案情\n\n消费者张建国（电话 13847801234）在临河区某超市购买的酸奶已过保质期。\n\n"
        "## 处理结果\n\n超市**退一赔十**，当日化解纠纷。\n\n<script>alert(1)</script>")


def open_menu(page, label: str) -> None:
    click_and_wait(page, page.get_by_role("navigation", name="工作台导航").get_by_role("link", name=label, exact=True))


def test_staff_write_office_publishes_consumer_reads_on_a_phone(users, desktop_page, browser, browser_guard):
    page = desktop_page
    login(page, "county_a")
    page.goto("/workbench/")
    open_menu(page, "资讯发布")
    click_and_wait(page, page.get_by_role("link", name="撰写资讯"))
    page.get_by_label("栏目").select_option(label="典型案例")
    page.get_by_label("标题").fill("临河区某超市销售过期酸奶退一赔十案")
    page.get_by_label("摘要").fill("创建单位落实赔偿先付，纠纷当日化解。")
    page.get_by_label("正文").fill(BODY)
    page.get_by_label("行业").select_option(label="食品药品")
    page.get_by_label("发布部门").select_option(label="市工商质监局")
    click_and_wait(page, page.get_by_role("button", name="预览"))
    preview = page.locator("#preview-body")
    assert "退一赔十" in preview.inner_text() and "13847801234" not in preview.inner_text()
    assert preview.locator("strong").inner_text() == "退一赔十"
    assert "手机号：13847801234" in page.get_by_role("note").first.inner_text()
    axe_check(page)
    screenshot(page, "content-edit-preview")
    click_and_wait(page, page.get_by_role("button", name="保存草稿"))
    assert page.locator("#article-status").inner_text() == "草稿"
    click_and_wait(page, page.get_by_role("button", name="提交审核"))
    assert page.locator("#article-status").inner_text() == "待审核"
    article = Article.objects.get()

    office_context, office = new_watched_page(browser, browser_guard, viewport={"width": 1280, "height": 900})
    login(office, "office")
    office.goto("/workbench/")
    open_menu(office, "资讯审核")
    click_and_wait(office, office.locator(f"#queue-{article.pk}").get_by_role("link"))
    assert "手机号：13847801234" in office.get_by_role("note").first.inner_text()
    assert "姓名" in office.get_by_role("note").first.inner_text()
    axe_check(office)
    click_and_wait(office, office.get_by_role("button", name="审核通过并发布"))
    assert office.locator("#article-status").inner_text() == "已发布"
    screenshot(office, "content-reviewed")
    office_context.close()

    reader_context, reader = new_watched_page(browser, browser_guard, **PHONE)
    reader.goto("/zixun/")
    assert reader.evaluate("() => document.documentElement.scrollWidth") <= 375
    click_and_wait(reader, reader.get_by_role("link", name="典型案例", exact=True))
    click_and_wait(reader, reader.get_by_role("link", name="临河区某超市销售过期酸奶退一赔十案"))
    text = reader.locator("article").inner_text()
    assert "退一赔十" in text and "13847801234" not in text and "张建国" not in text
    assert "<script>alert(1)</script>" in text  # shown as text, never run
    assert reader.locator("article script").count() == 0
    assert reader.evaluate("() => document.documentElement.scrollWidth") <= 375
    axe_check(reader)
    screenshot(reader, "content-article-phone")
    reader_context.close()


def test_consumer_answers_a_survey_on_a_phone(users, phone_page, browser_guard):
    browser_guard.allow(r"status of 422")  # the incomplete answer is shown again with its message
    survey = make_survey(title="2026 年冬季供电服务满意度调查")
    page = phone_page
    page.goto("/diaocha/")
    click_and_wait(page, page.get_by_role("link", name="2026 年冬季供电服务满意度调查"))
    axe_check(page)
    first = page.get_by_role("group", name="1. 您对供水服务的总体满意度")
    first.get_by_label("4 分 · 满意").check()
    click_and_wait(page, page.get_by_role("button", name="提交"))  # the second question is missing
    assert "请回答第 2 题" in page.locator("#question-2").inner_text()
    assert page.get_by_role("group", name="1. 您对供水服务的总体满意度").get_by_label("4 分 · 满意").is_checked()
    page.get_by_role("group", name="2. 停水前是否提前得到通知？").get_by_label("有时有").check()
    page.get_by_label("意见建议（选填，请勿填写姓名、电话等个人信息）").fill("希望停水提前两天通知")
    screenshot(page, "content-survey-phone")
    click_and_wait(page, page.get_by_role("button", name="提交"))
    assert "答卷已提交" in page.locator("main").inner_text()
    axe_check(page)
    page.goto(f"/diaocha/{survey.pk}/")
    assert "您已参加过本次调查" in page.locator("main").inner_text()
    response = Response.objects.get()
    assert [a.value for a in response.answers.order_by("question__seq")] == [4, 2]
    assert response.comment == "希望停水提前两天通知"
