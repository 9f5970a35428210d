"""Issue 6 "Done when", in one run through the browser: a merchant applies for the county title on a phone; the
lead department and the consumer association sign off on a desktop; the association publishes the candidates; a
consumer objects on a phone and the association answers; after the period the title is awarded; the merchant
downloads the certificate and applies at city level. Then the shop goes on the serious-violation list, the
office revokes, and the badge page says revoked."""

import io
from datetime import date, timedelta

import pytest
from django.utils import timezone
from PIL import Image

from fangxin.campaign.models import Enrollment
from fangxin.campaign.tests.factories import make_enrollment
from fangxin.campaign.titles.choices import ApplicationStatus, ItemKind, TitleLevel
from fangxin.campaign.titles.models import Application, Publicity, Title
from fangxin.campaign.titles.tests.factories import open_cycle, standard_for
from fangxin.core.actors import Actor
from fangxin.credit.services import list_enter

from .conftest import PHONE, axe_check, click_and_wait, login, new_watched_page, screenshot

pytestmark = pytest.mark.browser


def menu(page, label: str) -> None:
    click_and_wait(page, page.get_by_role("navigation", name="工作台导航").get_by_role("link", name=label, exact=True))


def logout(page) -> None:
    click_and_wait(page, page.get_by_role("button", name="退出登录"))


def self_assess(page, standard, share: float) -> None:
    for item in standard.items.all():
        field = page.locator(f'[name="item_{item.seq}"]')
        if item.kind == ItemKind.VETO:
            field.check()
        else:
            field.fill(str(round(float(item.points) * share, 1)))


def sign_off(page, standard, share: float, opinion: str) -> None:
    for item in standard.items.all():
        if item.kind != ItemKind.VETO:
            page.locator(f"#id_score_{item.seq}").fill(str(round(float(item.points) * share, 1)))
    page.get_by_label("同意", exact=True).check()
    page.get_by_label("评审意见").fill(opinion)
    click_and_wait(page, page.get_by_role("button", name="签署评审意见"))


def test_unit_from_application_to_award_then_city_level_and_revocation(users, entities, phone_page, desktop_page,
                                                                       browser, browser_guard, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    shop = entities["a_food"]  # the merchant account is bound to it
    enrollment = make_enrollment(shop)
    open_cycle()
    county_standard = standard_for(shop, TitleLevel.COUNTY)

    # 1. The merchant applies for the county title on a phone, with one evidence photo.
    merchant = phone_page
    login(merchant, "merchant")
    merchant.goto("/workbench/merchant/titles/")
    click_and_wait(merchant, merchant.locator(f"#entity-{shop.uscc}").get_by_role("link", name="申报旗县区级"))
    self_assess(merchant, county_standard, 0.9)
    merchant.get_by_label("申报说明").fill("落实进货查验、明码标价和首问负责。")
    photo = tmp_path / "明厨亮灶.png"
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (30, 120, 30)).save(buffer, format="PNG")
    photo.write_bytes(buffer.getvalue())
    merchant.set_input_files("#id_files", str(photo))
    click_and_wait(merchant, merchant.get_by_role("button", name="提交申报"))
    assert merchant.locator("#application-status").inner_text() == "待评审"
    application = Application.objects.get(entity=shop, level=TitleLevel.COUNTY)
    screenshot(merchant, "journey-titles-1-applied-phone")

    # 2. Both sign-offs at the workbench: the lead department (市食药监局) and the consumer association.
    staff = desktop_page
    for username, share in (("department", 0.9), ("association", 0.95)):
        login(staff, username)
        menu(staff, "示范单位评审")
        click_and_wait(staff, staff.get_by_role("link", name=shop.name))
        sign_off(staff, county_standard, share, "材料齐全，现场核查属实，同意推荐。")
        logout(staff)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PASSED

    # 3. The association publishes the county's candidates.
    login(staff, "association")
    menu(staff, "示范单位公示")
    click_and_wait(staff, staff.get_by_role("button", name="发布公示：临河区旗县区级（1 家）"))
    publicity = Publicity.objects.get()
    assert staff.locator("#publicity-status").inner_text() == "公示中"

    # 4. A consumer objects on a phone; the association answers.
    consumer_context, consumer = new_watched_page(browser, browser_guard, **PHONE)
    consumer.goto("/gongshi/")
    click_and_wait(consumer, consumer.get_by_role("link", name=str(publicity)))
    click_and_wait(consumer, consumer.locator(f"#candidate-{application.pk}").get_by_role("link", name="对该单位提出异议"))
    consumer.get_by_label("您的姓名").fill("张三")
    consumer.get_by_label("联系电话").fill("13912345678")
    consumer.get_by_label("异议内容").fill("上个月在该超市买到过期酸奶，店员拒绝退换。")
    click_and_wait(consumer, consumer.get_by_role("button", name="提交异议"))
    reference = consumer.locator("#reference-no").inner_text().strip()
    screenshot(consumer, "journey-titles-4-objection-phone")
    staff.reload()
    objection = application.objections.get()
    assert objection.reference_no == reference
    card = staff.locator(f"#objection-{objection.pk}")
    card.get_by_label("异议不成立，保留候选资格").check()
    card.get_by_label("答复内容").fill("经核查，该批酸奶已下架并为消费者退款，异议不成立。")
    click_and_wait(staff, card.get_by_role("button", name="提交答复"))
    assert staff.locator("#award-button").is_disabled()  # the period is still running

    # 5. After the period (its dates moved into the past) the title is awarded.
    Publicity.objects.filter(pk=publicity.pk).update(starts_on=date(2000, 1, 3),
                                                     ends_on=timezone.localdate() - timedelta(days=1))
    staff.reload()
    click_and_wait(staff, staff.get_by_role("button", name="授牌并生成证书"))
    title = Title.objects.get(entity=shop)
    assert title.name.endswith("临河区放心消费示范单位")
    axe_check(staff)
    screenshot(staff, "journey-titles-5-awarded-desktop")

    # 6. The merchant downloads the certificate and applies at city level.
    merchant.goto(f"/workbench/merchant/titles/{application.pk}/")
    assert merchant.locator("#application-status").inner_text() == "已授牌"
    with merchant.expect_download() as download_info:
        merchant.get_by_role("link", name="下载证书（PDF）").click()
    with open(download_info.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    click_and_wait(merchant, merchant.get_by_role("link", name="申报盟市级"))
    self_assess(merchant, standard_for(shop, TitleLevel.CITY), 0.95)
    click_and_wait(merchant, merchant.get_by_role("button", name="提交申报"))
    city = Application.objects.get(entity=shop, level=TitleLevel.CITY)
    assert city.status == ApplicationStatus.SUBMITTED
    screenshot(merchant, "journey-titles-6-city-applied-phone")

    # 7. A serious-violation entry opens a case; the office revokes; the badge page says so at once.
    list_enter(actor=Actor.system("credit"), entity=shop, kind="serious", reason_code="2-1",
               reason="提供虚假材料骗取许可", authority="巴彦淖尔市市场监督管理局",
               document_number="巴市监列严〔2026〕8号", entered_on=timezone.localdate())
    logout(staff)
    login(staff, "office")
    menu(staff, "动态管理")
    case_item = staff.locator(".case-item", has_text=shop.name)
    case_item.get_by_label("撤销创建单位资格和示范称号").check()
    case_item.get_by_label("处理意见").fill("被列入严重违法失信名单")
    click_and_wait(staff, case_item.get_by_role("button", name="提交处理决定"))
    consumer.goto(f"/v/{enrollment.badge_token}")
    assert consumer.get_by_role("heading", level=1).inner_text() == "✘ 创建资格已撤销"
    assert Enrollment.objects.get(pk=enrollment.pk).status == "revoked"
    assert Title.objects.get(pk=title.pk).status == "revoked"
    screenshot(consumer, "journey-titles-7-badge-revoked-phone")
    consumer_context.close()
