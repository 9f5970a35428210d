"""Merchant journey 3 on a phone: the merchant applies for the county title with a self-assessment and one
evidence photo, follows the application (待评审 with its timeline); after both sign-offs, publicity and the award
it downloads the certificate and starts the city-level application."""

import io

import pytest
from PIL import Image

from fangxin.campaign.tests.factories import make_enrollment
from fangxin.campaign.titles.choices import ApplicationStatus, ItemKind, TitleLevel
from fangxin.campaign.titles.models import Application
from fangxin.campaign.titles.tests.factories import award, open_cycle, sign_both, standard_for

from .conftest import axe_check, click_and_wait, login, screenshot

pytestmark = pytest.mark.browser
PHONE_WIDTH = 375


def png_file(tmp_path):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, format="PNG")
    path = tmp_path / "安全检查记录.png"
    path.write_bytes(buffer.getvalue())
    return path


def fill_self_assessment(page, standard, share=0.9):
    for item in standard.items.all():
        field = page.locator(f'[name="item_{item.seq}"]')
        if item.kind == ItemKind.VETO:
            field.check()
        else:
            field.fill(str(round(float(item.points) * share, 1)))


def no_sideways_scroll(page):
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE_WIDTH


def test_merchant_applies_follows_downloads_the_certificate_and_applies_at_city_level(
        users, entities, phone_page, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    entity = entities["a_food"]  # the merchant account is bound to a_food
    make_enrollment(entity)
    open_cycle()
    standard = standard_for(entity, TitleLevel.COUNTY)

    page = phone_page
    login(page, "merchant")
    page.goto("/workbench/merchant/")
    click_and_wait(page, page.get_by_role("link", name="申报示范单位"))
    card = page.locator(f"#entity-{entity.uscc}")
    assert "申报盟市级前须先获得旗县区级放心消费示范单位称号" in card.inner_text()
    axe_check(page)
    no_sideways_scroll(page)
    screenshot(page, "titles-merchant-overview-phone")
    click_and_wait(page, card.get_by_role("link", name="申报旗县区级"))

    assert standard.title in page.locator("main").inner_text()
    fill_self_assessment(page, standard)
    page.get_by_label("申报说明").fill("本店落实进货查验、明码标价和首问负责，年内无消费安全事故。")
    page.set_input_files("#id_files", str(png_file(tmp_path)))
    axe_check(page)
    no_sideways_scroll(page)
    screenshot(page, "titles-merchant-apply-phone")
    click_and_wait(page, page.get_by_role("button", name="提交申报"))

    application = Application.objects.get(entity=entity, level=TitleLevel.COUNTY)
    assert page.url.endswith(f"/workbench/merchant/titles/{application.pk}/")
    assert "申报已提交" in page.locator(".messages").inner_text()
    assert page.locator("#application-status").inner_text() == "待评审"
    timeline = page.locator("#timeline").inner_text()
    assert "提交申报" in timeline and "材料 1 份" in timeline
    assert "安全检查记录.png" in page.locator("main").inner_text()
    axe_check(page)
    no_sideways_scroll(page)
    screenshot(page, "titles-merchant-submitted-phone")

    # the lead department and the consumer association sign off, the publicity runs, the title is awarded
    application = sign_both(application, users["department"], users["association"])
    assert application.status == ApplicationStatus.PASSED
    title = award(application, users["office"])

    page.reload()
    assert page.locator("#application-status").inner_text() == "已授牌"
    assert title.certificate_no in page.locator("#title-award").inner_text()
    timeline = page.locator("#timeline").inner_text()
    assert "评审通过" in timeline and "进入公示" in timeline and "授牌" in timeline
    axe_check(page)
    no_sideways_scroll(page)
    screenshot(page, "titles-merchant-awarded-phone")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载证书（PDF）").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    click_and_wait(page, page.get_by_role("link", name="申报盟市级"))
    assert "申报盟市级放心消费示范单位" in page.locator("h1").inner_text()
    city_standard = standard_for(entity, TitleLevel.CITY)
    fill_self_assessment(page, city_standard, share=0.95)
    no_sideways_scroll(page)
    click_and_wait(page, page.get_by_role("button", name="提交申报"))
    city = Application.objects.get(entity=entity, level=TitleLevel.CITY)
    assert city.status == ApplicationStatus.SUBMITTED and city.region.name != application.region.name
    assert page.locator("#application-status").inner_text() == "待评审"
    screenshot(page, "titles-merchant-city-submitted-phone")


def test_consumer_objects_to_a_candidate_on_a_phone_and_reads_the_answer(users, entities, phone_page, tmp_path,
                                                                        settings):
    """Consumer journey 4, the public side of the merchant's publicity."""
    from fangxin.campaign.titles import services
    from fangxin.campaign.titles.tests.factories import make_application
    from fangxin.core.actors import Actor

    settings.MEDIA_ROOT = tmp_path / "media"
    open_cycle()
    application = sign_both(make_application(entities["a_food"]), users["department"], users["association"])
    publicity = services.publicity_open(actor=Actor.for_user(users["office"]), cycle=application.cycle,
                                        level=application.level, region=application.region)

    page = phone_page
    page.goto("/")
    click_and_wait(page, page.get_by_role("link", name="示范单位公示"))
    click_and_wait(page, page.get_by_role("link", name=str(publicity)))
    candidate = page.locator(f"#candidate-{application.pk}")
    assert entities["a_food"].name in candidate.inner_text() and "评审得分" in candidate.inner_text()
    axe_check(page)
    no_sideways_scroll(page)
    screenshot(page, "titles-public-publicity-phone")
    click_and_wait(page, candidate.get_by_role("link", name="对该单位提出异议"))

    page.get_by_label("您的姓名").fill("张三")
    page.get_by_label("异议内容").fill("上个月在该超市买到过期酸奶，店员拒绝退换。")
    click_and_wait(page, page.get_by_role("button", name="提交异议"))
    assert "请填写联系电话" in page.locator("main").inner_text()  # refused: contact details are required
    page.get_by_label("联系电话").fill("13912345678")
    page.get_by_label("异议内容").fill("上个月在该超市买到过期酸奶，店员拒绝退换。")
    page.set_input_files("#id_evidence", str(png_file(tmp_path)))
    axe_check(page)
    no_sideways_scroll(page)
    click_and_wait(page, page.get_by_role("button", name="提交异议"))
    reference = page.locator("#reference-no").inner_text().strip()
    assert application.objections.get().reference_no == reference
    screenshot(page, "titles-public-objection-filed-phone")

    objection = application.objections.get()
    services.objection_answer(actor=Actor.for_user(users["office"]), objection=objection, upheld=False,
                              answer="经核查，该批酸奶已下架并为消费者退款，异议不成立。")
    click_and_wait(page, page.get_by_role("link", name="异议答复查询"))
    page.get_by_label("手机号后四位").fill("0000")
    click_and_wait(page, page.get_by_role("button", name="查询"))
    assert "异议编号或手机号后四位不正确" in page.locator("main").inner_text()
    page.get_by_label("异议编号").fill(reference)
    page.get_by_label("手机号后四位").fill("5678")
    click_and_wait(page, page.get_by_role("button", name="查询"))
    answer = page.locator("#objection-answer").inner_text()
    assert "异议不成立" in answer and "已下架" in answer
    axe_check(page)
    no_sideways_scroll(page)
    screenshot(page, "titles-public-objection-answer-phone")
