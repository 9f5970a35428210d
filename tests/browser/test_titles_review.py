"""Demonstration titles at the staff workbench (desktop): the lead department and the consumer association each
sign off on a county application, the association publishes the candidates, answers an objection, awards the
title after the period and downloads the certificate (JOURNEYS: lead department and association 1–3)."""

from datetime import date, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from fangxin.campaign.titles import services
from fangxin.campaign.titles.choices import ApplicationStatus, ItemKind, ObjectionStatus
from fangxin.campaign.titles.models import Application, Objection, Publicity, Title
from fangxin.campaign.titles.tests.factories import make_application, open_cycle
from fangxin.core.actors import Actor

from .conftest import axe_check, click_and_wait, login, screenshot

pytestmark = pytest.mark.browser


def open_menu(page, label: str) -> None:
    click_and_wait(page, page.get_by_role("navigation", name="工作台导航").get_by_role("link", name=label, exact=True))


def logout(page) -> None:
    click_and_wait(page, page.get_by_role("button", name="退出登录"))


def status_of(page) -> str:
    return page.locator("#application-status").inner_text()


def sign_off(page, application, share: float, opinion: str) -> None:
    """Fill one score per scored or bonus item, a comment on the first, the decision and the opinion; submit."""
    for item in application.standard.items.all():
        if item.kind != ItemKind.VETO:
            page.locator(f"#id_score_{item.seq}").fill(str(round(float(item.points) * share, 1)))
    page.locator("#id_comment_1").fill("现场核查，排查记录齐全")
    page.get_by_label("同意", exact=True).check()
    page.get_by_label("评审意见").fill(opinion)
    click_and_wait(page, page.get_by_role("button", name="签署评审意见"))


def test_review_publicity_objection_award_and_certificate(users, entities, desktop_page, tmp_path):
    page = desktop_page
    open_cycle()
    application = make_application(entities["a_food"])

    # 1. the lead department (food and drug administration) scores every item and signs
    login(page, "department")
    open_menu(page, "示范单位评审")
    assert page.locator(".queue-tabs [aria-current=page]").inner_text().split() == ["待我评审", "1"]
    click_and_wait(page, page.get_by_role("link", name="临河区华联超市"))
    assert status_of(page) == "待评审"
    assert page.get_by_role("button", name="签署评审意见").is_visible()
    axe_check(page)
    screenshot(page, "titles-review-application")
    sign_off(page, application, 0.9, "各项材料齐全，现场核查属实，同意推荐。")
    assert "评审意见已签署" in page.get_by_role("status").first.inner_text()
    assert status_of(page) == "评审中"
    assert "行业牵头部门已于" in page.locator("#review-state").inner_text()
    assert page.get_by_role("button", name="签署评审意见").count() == 0
    logout(page)

    # 2. the consumer association signs too: the application passes
    login(page, "association")
    open_menu(page, "示范单位评审")
    click_and_wait(page, page.get_by_role("link", name="临河区华联超市"))
    assert "行业牵头部门" in page.locator(".score-table thead").inner_text()
    sign_off(page, application, 0.95, "消费者评价良好，同意推荐。")
    assert status_of(page) == "评审通过"
    application.refresh_from_db()
    assert f"{application.agreed_score} 分" in page.locator("#agreed-score").inner_text()
    screenshot(page, "titles-review-passed")

    # 3. the association publishes the county's candidates
    open_menu(page, "示范单位公示")
    waiting = page.locator(".waiting-table tbody tr")
    assert waiting.count() == 1 and "临河区" in waiting.inner_text() and "1 家" in waiting.inner_text()
    axe_check(page)
    screenshot(page, "titles-publicities")
    click_and_wait(page, page.get_by_role("button", name="发布公示：临河区旗县区级（1 家）"))
    publicity = Publicity.objects.get()
    assert page.locator("#publicity-status").inner_text() == "公示中"
    assert "临河区华联超市" in page.locator(".candidates-table").inner_text()

    # 4. someone objects during the period; the association answers
    objection = services.objection_file(actor=Actor.system("public"), application=application, name="李四",
                                        contact_phone="13700001111", content="听说该店曾销售临期食品未作提示。")
    page.reload()
    card = page.locator(f"#objection-{objection.pk}")
    assert "13700001111" in card.inner_text() and "李四" in card.inner_text()
    assert page.locator("#award-button").is_disabled()
    why = page.locator("#award-why").inner_text()
    assert f"公示期至 {publicity.ends_on:%Y-%m-%d}" in why and "还有 1 件异议未答复" in why
    axe_check(page)
    screenshot(page, "titles-publicity-objection")
    card.get_by_label("异议不成立，保留候选资格").check()
    card.get_by_label("答复内容").fill("经核查，该店临期食品均按规定设专区并提示，异议不成立。")
    click_and_wait(page, card.get_by_role("button", name="提交答复"))
    assert f"异议 {objection.reference_no} 已答复" in page.get_by_role("status").first.inner_text()
    assert Objection.objects.get(pk=objection.pk).status == ObjectionStatus.DISMISSED
    assert "还有" not in page.locator("#award-why").inner_text()
    assert page.locator("#award-button").is_disabled()  # the period has not ended

    # 5. after the period (dates moved into the past, as factories.award does) the title is awarded
    Publicity.objects.filter(pk=publicity.pk).update(starts_on=date(2000, 1, 3),
                                                     ends_on=timezone.localdate() - timedelta(days=1))
    page.reload()
    assert page.locator("#award-button").is_enabled()
    click_and_wait(page, page.get_by_role("button", name="授牌并生成证书"))
    title = Title.objects.get()
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.AWARDED
    assert title.certificate_no in page.get_by_role("status").first.inner_text()
    row = page.locator(".titles-table tbody tr", has_text=title.certificate_no)
    assert "临河区放心消费示范单位" in row.inner_text() and "有效" in row.inner_text()
    axe_check(page)
    screenshot(page, "titles-awarded")

    # 6. the certificate downloads as a PDF
    with page.expect_download() as download_info:
        row.get_by_role("link", name=f"下载证书 PDF：临河区华联超市 {title.certificate_no}").click()
    download = download_info.value
    assert download.suggested_filename == f"certificate-{title.certificate_no}.pdf"
    saved = Path(tmp_path) / download.suggested_filename
    download.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")
