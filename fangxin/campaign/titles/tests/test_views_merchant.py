"""The merchant's title pages: what each business may apply for (and why not, in the service's words), the
self-assessment with evidence, bad inputs refused with a Chinese message and nothing written, scope (404 for
another business), the application page with its timeline, result, withdrawal, certificate and next level."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from fangxin.campaign.tests.factories import make_enrollment
from fangxin.campaign.titles import selectors, services
from fangxin.campaign.titles.choices import ApplicationStatus, ItemKind, TitleLevel
from fangxin.campaign.titles.forms_merchant import VETO_CONFIRM
from fangxin.campaign.titles.models import Application, ApplicationEvent, ApplicationEvidence
from fangxin.campaign.titles.tests.factories import (
    SYSTEM,
    award,
    make_application,
    open_cycle,
    sign_both,
    standard_for,
)
from fangxin.core.exceptions import FangxinError
from fangxin.core.models import AuditRecord
from fangxin.core.tests import samples

PNG = samples.PNG


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def merchant(client, users):
    client.force_login(users["merchant"])
    return client


def form_data(standard, *, share=0.9, confirm_vetoes=True, **overrides) -> dict:
    data = {"statement": "落实五个放心，制度健全"}
    for item in standard.items.all():
        if item.kind == ItemKind.VETO:
            if confirm_vetoes:
                data[f"item_{item.seq}"] = "on"
        else:
            data[f"item_{item.seq}"] = str(round(float(item.points) * share, 1))
    data.update(overrides)
    return data


def apply_url(entity, level=TitleLevel.COUNTY) -> str:
    return reverse("campaign:title_apply", args=[entity.uscc, level])


def written() -> tuple:
    return (Application.objects.count(), ApplicationEvidence.objects.count(), ApplicationEvent.objects.count(),
            AuditRecord.objects.filter(action__startswith="campaign.application").count())


def service_message(entity, level) -> str:
    standard = standard_for(entity, level)
    with pytest.raises(FangxinError) as caught:
        services.application_submit(actor=SYSTEM, entity=entity, level=level,
                                    self_scores={str(i.seq): "1" for i in standard.items.all()}, statement="")
    return caught.value.message


# --- the overview ------------------------------------------------------------------------------------------------

def test_overview_offers_the_county_level_and_says_why_not_the_others(merchant, entities):
    open_cycle()
    make_enrollment(entities["a_food"])
    standard_for(entities["a_food"])
    page = merchant.get(reverse("campaign:my_applications")).content.decode()
    assert entities["a_food"].name in page
    assert apply_url(entities["a_food"]) in page and "申报旗县区级" in page
    assert "暂不能申报：申报盟市级前须先获得旗县区级放心消费示范单位称号。" in page
    assert apply_url(entities["a_food"], TitleLevel.CITY) not in page
    assert entities["b_food"].name not in page  # not the merchant's business


def test_overview_without_an_open_cycle_says_so(merchant, entities):
    make_enrollment(entities["a_food"])
    page = merchant.get(reverse("campaign:my_applications")).content.decode()
    assert "目前没有进行中的创建年度" in page and "暂不能申报：现在不在申报期内。" in page
    assert apply_url(entities["a_food"]) not in page


def test_merchant_home_links_each_enrolled_business_to_its_applications(merchant, entities):
    make_enrollment(entities["a_food"])
    page = merchant.get(reverse("campaign:merchant_home")).content.decode()
    assert f'{reverse("campaign:my_applications")}#entity-{entities["a_food"].uscc}' in page and "申报示范单位" in page


def test_staff_do_not_get_the_merchant_pages(client, users):
    client.force_login(users["county_a"])
    assert client.get(reverse("campaign:my_applications")).status_code == 404


# --- applying ----------------------------------------------------------------------------------------------------

def test_apply_with_self_assessment_and_evidence(merchant, entities):
    open_cycle()
    make_enrollment(entities["a_food"])
    standard = standard_for(entities["a_food"])
    page = merchant.get(apply_url(entities["a_food"])).content.decode()
    assert standard.title in page and "本单位不存在此情形" in page and "一票否决项" in page
    data = form_data(standard, files=[SimpleUploadedFile("制度.png", PNG, content_type="image/png")])
    response = merchant.post(apply_url(entities["a_food"]), data)
    application = Application.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("campaign:my_application",
                                                                           args=[application.pk])
    assert application.status == ApplicationStatus.SUBMITTED and application.level == TitleLevel.COUNTY
    assert application.statement == "落实五个放心，制度健全"
    expected = sum(round(float(i.points) * 0.9, 1) for i in standard.items.all() if i.kind != ItemKind.VETO)
    assert float(application.self_total) == pytest.approx(expected)
    assert [e.original_name for e in application.evidence.all()] == ["制度.png"]
    page = merchant.get(response["Location"]).content.decode()
    assert "待评审" in page and "提交申报" in page and "制度.png" in page
    assert "撤回申报" in page


def test_a_blank_bonus_item_is_no_claim(merchant, entities):
    open_cycle()
    make_enrollment(entities["a_food"])
    standard = standard_for(entities["a_food"])
    bonus = standard.items.get(kind=ItemKind.BONUS)
    merchant.post(apply_url(entities["a_food"]), form_data(standard, **{f"item_{bonus.seq}": ""}))
    assert str(bonus.seq) not in Application.objects.get().self_scores


@pytest.mark.parametrize("case", ["outside_window", "level_not_earned", "veto", "twice", "quota"])
def test_refusals_show_the_service_message_and_write_nothing(case, merchant, entities, users):
    entity = entities["a_food"]
    level = TitleLevel.COUNTY
    today = timezone.localdate()
    if case == "outside_window":
        open_cycle(applications_open=today + timedelta(days=3))
        make_enrollment(entity)
        expected = "现在不在申报期内。"
    elif case == "level_not_earned":
        open_cycle()
        make_enrollment(entity)
        level = TitleLevel.CITY
        expected = "申报盟市级前须先获得旗县区级放心消费示范单位称号。"
    elif case == "veto":
        from fangxin.credit.services import list_enter

        open_cycle()
        make_enrollment(entity)
        list_enter(actor=SYSTEM, entity=entity, kind="serious", reason_code="1", reason="销售假冒商品",
                   authority="巴彦淖尔市市场监督管理局", document_number="巴市监严〔2026〕1号", entered_on=date(2026, 3, 2))
        expected = "存在一票否决情形：依据联合惩戒规则“严重违法失信名单主体不得参加创建”：已被列入严重违法失信名单"
    elif case == "twice":
        open_cycle()
        make_application(entity)
        expected = "本年度已经申报过该级别，不能重复申报。"
    else:
        open_cycle(quotas={"county:150802": 1})
        make_application(entities["a_ecommerce"])  # the other business in 临河区 took the one place
        make_enrollment(entity)
        expected = "临河区本年度旗县区级名额（1 个）已满。"
    standard = standard_for(entity, level)
    # the page says why before anything is typed, in the same words as the service
    assert selectors.apply_blocker(entity, level) == service_message(entity, level)
    page = merchant.get(apply_url(entity, level)).content.decode()
    assert "暂不能申报：" + expected in page and 'name="item_1"' not in page
    before = written()
    response = merchant.post(apply_url(entity, level), form_data(standard))
    assert response.status_code == 200
    assert expected in response.content.decode() and "申报没有提交" in response.content.decode()
    assert written() == before


def test_county_applications_close_with_the_window(merchant, entities):
    today = timezone.localdate()
    open_cycle(applications_open=today - timedelta(days=20), applications_close=today - timedelta(days=1))
    make_enrollment(entities["a_food"])
    standard_for(entities["a_food"])
    expected = f"旗县区级申报已于 {(today - timedelta(days=1)).isoformat()} 截止。"
    assert selectors.apply_blocker(entities["a_food"], TitleLevel.COUNTY) == expected
    assert service_message(entities["a_food"], TitleLevel.COUNTY) == expected


def test_score_above_the_items_points_is_refused(merchant, entities):
    open_cycle()
    make_enrollment(entities["a_food"])
    standard = standard_for(entities["a_food"])
    first = standard.items.filter(kind=ItemKind.SCORED).order_by("seq").first()
    before = written()
    response = merchant.post(apply_url(entities["a_food"]),
                             form_data(standard, **{f"item_{first.seq}": str(first.points + 1)}))
    page = response.content.decode()
    assert response.status_code == 200
    assert f"自评：第 {first.seq} 项得分 {first.points + 1} 超出范围（0–{first.points} 分）。" in page
    assert written() == before


@pytest.mark.parametrize("bad", ["abc", "-1"])
def test_a_score_that_is_not_a_number_in_range_is_refused(bad, merchant, entities):
    open_cycle()
    make_enrollment(entities["a_food"])
    standard = standard_for(entities["a_food"])
    before = written()
    page = merchant.post(apply_url(entities["a_food"]), form_data(standard, item_1=bad)).content.decode()
    assert "第 1 项" in page and "申报没有提交" in page
    assert written() == before


def test_missing_score_and_unconfirmed_veto_items_are_refused_on_the_form(merchant, entities):
    open_cycle()
    make_enrollment(entities["a_food"])
    standard = standard_for(entities["a_food"])
    data = form_data(standard, confirm_vetoes=False)
    del data["item_1"]
    before = written()
    page = merchant.post(apply_url(entities["a_food"]), data).content.decode()
    first = standard.items.get(seq=1)
    assert f"请为第 1 项自评打分（0–{first.points} 分）。" in page
    assert VETO_CONFIRM in page
    assert written() == before


def test_evidence_that_is_not_an_image_or_pdf_is_refused(merchant, entities):
    open_cycle()
    make_enrollment(entities["a_food"])
    standard = standard_for(entities["a_food"])
    before = written()
    fake = SimpleUploadedFile("照片.png", b"just text pretending to be a photo")
    page = merchant.post(apply_url(entities["a_food"]), form_data(standard, files=[fake])).content.decode()
    assert "不是图片或 PDF" in page and "已选择的材料文件没有保存" in page
    assert written() == before


def test_more_than_five_evidence_files_are_refused(merchant, entities):
    open_cycle()
    make_enrollment(entities["a_food"])
    standard = standard_for(entities["a_food"])
    files = [SimpleUploadedFile(f"{n}.png", PNG) for n in range(6)]
    before = written()
    page = merchant.post(apply_url(entities["a_food"]), form_data(standard, files=files)).content.decode()
    assert "证据材料最多 5 个文件。" in page
    assert written() == before


# --- scope -------------------------------------------------------------------------------------------------------

def test_another_business_is_not_found(merchant, entities):
    open_cycle()
    other = make_application(entities["b_food"])
    assert merchant.get(reverse("campaign:my_application", args=[other.pk])).status_code == 404
    assert merchant.post(reverse("campaign:my_application_withdraw", args=[other.pk])).status_code == 404
    assert merchant.get(apply_url(entities["b_food"])).status_code == 404
    before = written()
    assert merchant.post(apply_url(entities["b_food"]), form_data(standard_for(entities["b_food"]))).status_code == 404
    assert written() == before
    other.refresh_from_db()
    assert other.status == ApplicationStatus.SUBMITTED


def test_an_unknown_level_is_not_found(merchant, entities):
    assert merchant.get(reverse("campaign:title_apply", args=[entities["a_food"].uscc, "nation"])).status_code == 404


# --- one application ---------------------------------------------------------------------------------------------

def test_withdraw_while_allowed_then_no_more(merchant, entities):
    open_cycle()
    application = make_application(entities["a_food"])
    url = reverse("campaign:my_application_withdraw", args=[application.pk])
    response = merchant.post(url, {"reason": "材料准备不足"}, follow=True)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN
    page = response.content.decode()
    assert "申报已撤回" in page and "材料准备不足" in page and "确定撤回" not in page
    again = merchant.post(url, {"reason": ""}, follow=True).content.decode()
    assert "不能从“已撤回”变为“已撤回”。" in again


def test_result_objections_certificate_and_next_level(merchant, entities, users):
    from fangxin.core.actors import Actor

    open_cycle()
    application = sign_both(make_application(entities["a_food"]), users["department"], users["association"])
    detail = reverse("campaign:my_application", args=[application.pk])
    page = merchant.get(detail).content.decode()
    assert "评审通过" in page and f"{application.agreed_score} 分" in page
    assert f"{application.standard.pass_mark} 分" in page and "同意推荐" in page and "撤回申报" in page

    publicity = services.publicity_open(actor=Actor.for_user(users["office"]), cycle=application.cycle,
                                        level=application.level, region=application.region)
    application.refresh_from_db()
    services.objection_file(actor=Actor.system("test"), application=application, name="李四",
                            contact_phone="13800001111", content="该店曾销售过期食品")
    page = merchant.get(detail).content.decode()
    assert "公示期间收到 1 件异议：待答复 1 件" in page
    assert "李四" not in page and "13800001111" not in page and "1111" not in page
    assert "撤回申报" not in page  # in publicity: no longer withdrawable

    objection = application.objections.get()
    services.objection_answer(actor=Actor.for_user(users["office"]), objection=objection, upheld=False,
                              answer="经核实，该店已整改，异议不成立。")
    type(publicity).objects.filter(pk=publicity.pk).update(ends_on=timezone.localdate() - timedelta(days=1),
                                                           starts_on=timezone.localdate() - timedelta(days=8))
    publicity.refresh_from_db()
    title = services.publicity_award(actor=Actor.for_user(users["office"]), publicity=publicity)[0]
    page = merchant.get(detail).content.decode()
    assert "已授牌" in page and title.certificate_no in page
    assert reverse("campaign:certificate", args=[title.pk]) in page and "下载证书" in page
    assert reverse("campaign:title_apply", args=[entities["a_food"].uscc, TitleLevel.CITY]) in page
    assert "申报盟市级" in page
    overview = merchant.get(reverse("campaign:my_applications")).content.decode()
    assert apply_url(entities["a_food"], TitleLevel.CITY) in overview and title.certificate_no in overview


def test_a_failed_application_shows_the_reason(merchant, entities, users):
    open_cycle()
    application = sign_both(make_application(entities["a_food"]), users["department"], users["association"],
                            share=0.5)
    assert application.status == ApplicationStatus.FAILED
    page = merchant.get(reverse("campaign:my_application", args=[application.pk])).content.decode()
    assert "评审未通过" in page and f"低于合格分 {application.standard.pass_mark}" in page


def test_the_city_level_application_after_the_county_title(merchant, entities, users):
    open_cycle()
    application = sign_both(make_application(entities["a_food"]), users["department"], users["association"])
    award(application, users["office"])
    city_standard = standard_for(entities["a_food"], TitleLevel.CITY)
    response = merchant.post(apply_url(entities["a_food"], TitleLevel.CITY), form_data(city_standard))
    city = Application.objects.get(level=TitleLevel.CITY)
    assert response.status_code == 302 and city.status == ApplicationStatus.SUBMITTED
    assert city.region.level == "city"
