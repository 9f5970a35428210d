"""The public title pages: publicity notices with candidates and the standard's summary, objections (contact
details required and kept private, one evidence file), the objector's look-up, revocation announcements, and the
示范单位称号 block on the public profile and the badge verification page."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from fangxin.campaign.models import Enrollment
from fangxin.campaign.titles import services
from fangxin.campaign.titles.choices import ApplicationStatus, ObjectionStatus, TitleStatus
from fangxin.campaign.titles.models import Objection, Publicity
from fangxin.campaign.titles.tests.factories import SYSTEM, award, make_application, open_cycle, sign_both
from fangxin.core.actors import Actor
from fangxin.core.models import AuditRecord
from fangxin.core.tests import samples

PNG = samples.PNG
PAGE_LIMIT = 150 * 1024


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def candidate(users, entities):
    """a_food passed the county review and is on a running publicity notice."""
    open_cycle()
    application = sign_both(make_application(entities["a_food"]), users["department"], users["association"])
    services.publicity_open(actor=Actor.for_user(users["office"]), cycle=application.cycle,
                            level=application.level, region=application.region)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PUBLICITY
    return application


def objection_data(**overrides) -> dict:
    data = {"name": "张三", "contact_phone": "13912345678", "content": "该超市上月仍在销售过期酸奶，有照片为证。"}
    data.update(overrides)
    return data


def end_period(publicity: Publicity) -> None:
    today = timezone.localdate()
    Publicity.objects.filter(pk=publicity.pk).update(starts_on=today - timedelta(days=9),
                                                     ends_on=today - timedelta(days=1))


def written() -> tuple:
    return Objection.objects.count(), AuditRecord.objects.filter(action="campaign.objection.file").count()


# --- publicity -----------------------------------------------------------------------------------------------

def test_the_publicity_list_and_notice(client, candidate):
    publicity = candidate.publicity
    response = client.get(reverse("campaign:publicity_public"))
    page = response.content.decode()
    assert str(publicity) in page and reverse("campaign:publicity_public_detail", args=[publicity.pk]) in page
    assert len(response.content) < PAGE_LIMIT

    response = client.get(reverse("campaign:publicity_public_detail", args=[publicity.pk]))
    page = response.content.decode()
    assert len(response.content) < PAGE_LIMIT
    assert candidate.entity.name in page and candidate.entity.sector.name in page and "临河区" in page
    assert f"{candidate.agreed_score} 分" in page
    assert f"{candidate.standard.title}（第 {candidate.standard.version} 版）" in page
    assert f"{publicity.starts_on:%Y年%-m月%-d日} 至 {publicity.ends_on:%Y年%-m月%-d日}" in page
    assert reverse("campaign:objection_new", args=[candidate.pk]) in page
    # the standard is a staff page: its summary is shown inline
    assert reverse("campaign:standard_detail", args=[candidate.standard_id]) not in page
    assert "评价标准摘要" in page and "一票否决：" in page and "列入严重违法失信名单或经营异常名录" in page


def test_the_standard_summary_counts_each_dimension(client, candidate):
    from fangxin.campaign.titles.selectors import standard_summary

    summary = standard_summary(candidate.standard)
    assert summary["total"] == candidate.standard.max_score
    assert sum(row["items"] for row in summary["dimensions"]) == candidate.standard.items.filter(kind="scored").count()
    assert len(summary["vetoes"]) == candidate.standard.items.filter(kind="veto").count()
    page = client.get(reverse("campaign:publicity_public_detail", args=[candidate.publicity_id])).content.decode()
    for row in summary["dimensions"]:
        assert f"<td>{row['name']}</td><td>{row['items']} 项</td><td>{row['points']} 分</td>" in page


def test_after_the_period_no_objection_link(client, candidate):
    end_period(candidate.publicity)
    page = client.get(reverse("campaign:publicity_public_detail", args=[candidate.publicity_id])).content.decode()
    assert candidate.entity.name in page and "公示期已结束" in page
    assert reverse("campaign:objection_new", args=[candidate.pk]) not in page
    current = client.get(reverse("campaign:publicity_public")).content.decode()
    assert "目前没有正在公示的候选名单" in current and "往期公示" in current


def test_a_notice_not_yet_started_is_not_public(client, candidate):
    Publicity.objects.filter(pk=candidate.publicity_id).update(starts_on=timezone.localdate() + timedelta(days=2))
    assert client.get(reverse("campaign:publicity_public_detail", args=[candidate.publicity_id])).status_code == 404
    assert client.get(reverse("campaign:objection_new", args=[candidate.pk])).status_code == 404


def test_the_portal_home_links_publicity_and_announcements(client, reference):
    page = client.get(reverse("portal:home")).content.decode()
    assert reverse("campaign:publicity_public") in page and reverse("campaign:announcements") in page


# --- objections ----------------------------------------------------------------------------------------------

def test_an_objection_with_evidence_gets_a_reference_number(client, candidate):
    page = client.get(reverse("campaign:objection_new", args=[candidate.pk])).content.decode()
    assert "不公开，也不告知被异议单位" in page
    response = client.post(reverse("campaign:objection_new", args=[candidate.pk]),
                           objection_data(evidence=SimpleUploadedFile("过期酸奶.png", PNG)))
    objection = Objection.objects.get()
    page = response.content.decode()
    assert response.status_code == 200 and objection.reference_no in page
    assert reverse("campaign:objection_lookup") in page and "手机号码的后四位" in page
    assert objection.contact_phone == "13912345678" and objection.evidence.name.endswith(".png")
    assert objection.status == ObjectionStatus.PENDING


def test_an_objection_without_contact_is_refused(client, candidate):
    before = written()
    page = client.post(reverse("campaign:objection_new", args=[candidate.pk]),
                       objection_data(contact_phone="")).content.decode()
    assert "请填写联系电话" in page and "异议没有提交" in page
    assert written() == before


def test_an_objection_with_a_bad_phone_gets_the_service_message_on_the_field(client, candidate):
    before = written()
    page = client.post(reverse("campaign:objection_new", args=[candidate.pk]),
                       objection_data(contact_phone="12345")).content.decode()
    assert "联系电话格式不正确" in page
    assert written() == before


def test_an_objection_with_a_fake_image_is_refused(client, candidate):
    before = written()
    page = client.post(reverse("campaign:objection_new", args=[candidate.pk]),
                       objection_data(evidence=SimpleUploadedFile("photo.png", b"not really a picture"))
                       ).content.decode()
    assert "不是图片或 PDF" in page and "已选择的证据文件没有保存" in page
    assert written() == before


def test_no_objection_after_the_period(client, candidate):
    end_period(candidate.publicity)
    url = reverse("campaign:objection_new", args=[candidate.pk])
    assert "该单位不在公示期内，不能提出异议。" in client.get(url).content.decode()
    before = written()
    assert "该单位不在公示期内" in client.post(url, objection_data()).content.decode()
    assert written() == before


def test_an_application_never_published_is_not_found(client, entities):
    open_cycle()
    application = make_application(entities["a_food"])
    assert client.get(reverse("campaign:objection_new", args=[application.pk])).status_code == 404
    assert client.post(reverse("campaign:objection_new", args=[application.pk]), objection_data()).status_code == 404
    assert written() == (0, 0)


# --- the objector's look-up ----------------------------------------------------------------------------------

def test_lookup_with_the_right_digits_shows_the_answer(client, candidate, users):
    objection = services.objection_file(actor=SYSTEM, application=candidate, name="张三",
                                        contact_phone="13912345678", content="有过期商品")
    url = reverse("campaign:objection_lookup")
    page = client.post(url, {"reference_no": objection.reference_no.lower(), "last4": "5678"}).content.decode()
    assert "待答复" in page and "正在核实" in page
    services.objection_answer(actor=Actor.for_user(users["office"]), objection=objection, upheld=True,
                              answer="经现场核查属实，取消该单位候选资格。")
    page = client.post(url, {"reference_no": objection.reference_no, "last4": "5678"}).content.decode()
    assert "异议成立" in page and "经现场核查属实" in page and candidate.entity.name in page
    assert "13912345678" not in page and "张三" not in page


def test_lookup_with_wrong_digits_is_not_found(client, candidate):
    objection = services.objection_file(actor=SYSTEM, application=candidate, name="张三",
                                        contact_phone="13912345678", content="有过期商品")
    page = client.post(reverse("campaign:objection_lookup"),
                       {"reference_no": objection.reference_no, "last4": "1234"}).content.decode()
    assert "异议编号或手机号后四位不正确。" in page and "有过期商品" not in page and "待答复" not in page
    page = client.post(reverse("campaign:objection_lookup"), {"reference_no": "", "last4": ""}).content.decode()
    assert "请填写异议编号。" in page and "请填写手机号后四位。" in page


# --- titles on the profile and the badge page; announcements -------------------------------------------------

def badge_path(entity) -> str:
    enrollment = Enrollment.objects.current().get(entity=entity)
    return reverse("campaign:verify", args=[enrollment.badge_token])


def test_profile_and_badge_page_show_the_title(client, users, entities):
    open_cycle()
    application = sign_both(make_application(entities["a_food"]), users["department"], users["association"])
    title = award(application, users["office"])
    for url in (reverse("campaign:profile", args=[entities["a_food"].uscc]), badge_path(entities["a_food"])):
        page = client.get(url).content.decode()
        assert "示范单位称号" in page and title.name in page and title.certificate_no in page
        assert f"{title.year} 年度" in page and "旗县区级" in page and ">有效<" in page


def test_a_business_without_titles_says_so(client, entities):
    page = client.get(reverse("campaign:profile", args=[entities["b_food"].uscc])).content.decode()
    assert "暂无放心消费示范单位称号。" in page


def test_a_revocation_from_a_blacklist_entry_shows_revoked_everywhere(client, users, entities):
    from fangxin.campaign.titles.models import ManagementCase
    from fangxin.credit.services import list_enter

    open_cycle()
    application = sign_both(make_application(entities["a_food"]), users["department"], users["association"])
    title = award(application, users["office"])
    badge = badge_path(entities["a_food"])
    list_enter(actor=SYSTEM, entity=entities["a_food"], kind="serious", reason_code="1", reason="销售假冒商品",
               authority="巴彦淖尔市市场监督管理局", document_number="巴市监严〔2026〕7号", entered_on=date(2026, 3, 2))
    case = ManagementCase.objects.get(entity=entities["a_food"])
    services.case_decide(actor=Actor.for_user(users["office"]), case=case, revoke=True, reason="列入严重违法失信名单")
    title.refresh_from_db()
    assert title.status == TitleStatus.REVOKED
    for url in (reverse("campaign:profile", args=[entities["a_food"].uscc]), badge):
        page = client.get(url).content.decode()
        assert title.certificate_no in page and ">已撤销<" in page and "该称号已撤销，不再有效" in page
        assert ">有效<" not in page
    assert "创建资格已撤销" in client.get(badge).content.decode()
    page = client.get(reverse("campaign:announcements")).content.decode()
    assert f"关于撤销{entities['a_food'].name}“{title.name}”称号的公告" in page and title.certificate_no in page


def test_no_announcements_yet(client, reference):
    assert "暂无公告。" in client.get(reverse("campaign:announcements")).content.decode()
