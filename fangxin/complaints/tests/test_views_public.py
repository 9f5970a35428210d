"""The consumer's complaint pages: the web form, tracking, settlement answer, withdrawal, rating, stations, the
ranking and the per-business disclosure."""

import os
import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fangxin.campaign.tests.factories import make_enrollment
from fangxin.complaints import services
from fangxin.complaints.choices import DocumentKind, Status
from fangxin.complaints.models import Complaint, ComplaintFile
from fangxin.complaints.tests.factories import make_complaint
from fangxin.core.actors import Actor
from fangxin.core.tests import samples
from fangxin.organisation.models import Region

pytestmark = pytest.mark.django_db

FILE_URL = reverse("complaints:file")
TRACK_URL = reverse("complaints:track")
JPEG = samples.JPEG
SCRIPT = "<script>alert('x')</script>"


def form_data(**overrides):
    data = {"complainant_name": "张三", "complainant_phone": "138 0000 1234", "complainant_email": "",
            "entity": "", "business_name": "临河区某某小卖部", "business_address": "临河区胜利路 8 号",
            "platform_name": "", "region_code": "150802", "item": "纯牛奶一箱", "purchased_on": "2026-11-20",
            "amount": "59.90", "description": "买到的牛奶已经过期，要求退货被拒绝。", "demand": "退款",
            "consent_publication": "on", "consent_mediation": "on"}
    data.update(overrides)
    return data


def page_of(response) -> str:
    return response.content.decode()


def track_in(client, complaint, last4=None):
    return client.post(TRACK_URL, {"tracking_no": complaint.tracking_no,
                                   "last4": last4 or complaint.complainant_phone[-4:]})


def detail_url(complaint, name="complaints:track_detail"):
    return reverse(name, args=[complaint.tracking_no])


# --- the complaint form ---------------------------------------------------------------------------------------

def test_the_form_lists_the_counties_and_explains_both_consents(client, entities):
    page = page_of(client.get(FILE_URL))
    assert '<option value="150802">临河区</option>' in page
    assert "同意公示（隐去个人信息）" in page and "个人信息一律隐去" in page
    assert "同意调解（包括先由经营者和解）" in page and "10 个工作日" in page
    assert 'type="file"' in page and "multiple" in page and 'enctype="multipart/form-data"' in page


def test_a_business_is_pre_picked_from_its_profile_link(client, entities):
    shop = entities["b_food"]
    page = page_of(client.get(FILE_URL, {"entity": shop.pk}))
    assert f'value="{shop.pk}" id="entity-pick-{shop.pk}" checked' in page
    assert shop.name in page


def test_an_unknown_pre_picked_business_is_said_plainly(client, entities):
    response = client.get(FILE_URL, {"entity": "999999"})
    assert response.status_code == 200
    assert "没有找到您要投诉的经营者" in page_of(response)
    assert "entity-pick-" not in page_of(response)


def test_the_lookup_lists_registry_matches_as_radio_buttons(client, entities):
    page = page_of(client.get(reverse("complaints:entity_lookup"), {"entity_q": "华联"}))
    for shop in (entities["a_food"], entities["b_food"]):
        assert f'name="entity" value="{shop.pk}"' in page and shop.name in page
    assert entities["b_tourism"].name not in page
    assert "至少两个字" in page_of(client.get(reverse("complaints:entity_lookup"), {"entity_q": "华"}))
    assert "没有找到" in page_of(client.get(reverse("complaints:entity_lookup"), {"entity_q": "不存在的店"}))


def test_the_lookup_works_without_javascript_and_submits_nothing(client, entities):
    response = client.post(FILE_URL, form_data(_lookup="1", entity_q="华联"))
    page = page_of(response)
    assert entities["a_food"].name in page and 'name="entity"' in page
    assert 'value="纯牛奶一箱"' in page  # what was typed is kept
    assert not Complaint.objects.exists()


def test_filing_with_a_picked_business_gives_a_tracking_number(client, entities):
    shop = entities["a_food"]
    response = client.post(FILE_URL, form_data(entity=str(shop.pk), business_name="", business_address="",
                                               region_code=""))
    complaint = Complaint.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("complaints:filed", args=[complaint.tracking_no])
    assert complaint.entity == shop and complaint.business_name == shop.name
    assert complaint.channel == "web" and complaint.complainant_phone == "13800001234"
    assert complaint.consent_publication and complaint.consent_mediation
    page = page_of(client.get(response["Location"]))
    assert complaint.tracking_no in page and "尾号 1234" in page and "请记下或截图保存" in page
    # the browser that filed it may follow it at once
    assert "收到投诉" in page_of(client.get(detail_url(complaint)))


def test_the_confirmation_page_needs_the_browser_that_filed(client, entities):
    complaint = make_complaint()
    response = client.get(reverse("complaints:filed", args=[complaint.tracking_no]))
    assert response.status_code == 302 and response["Location"].startswith(TRACK_URL)


def test_a_resubmission_within_ten_minutes_returns_the_same_tracking_number(client, entities):
    first = client.post(FILE_URL, form_data())
    again = client.post(FILE_URL, form_data())
    assert Complaint.objects.count() == 1
    assert first["Location"] == again["Location"]
    assert "10 分钟内提交过相同的投诉" in page_of(client.get(again["Location"]))


def test_a_malformed_phone_is_shown_on_its_field_and_what_was_typed_is_kept(client, entities):
    response = client.post(FILE_URL, form_data(complainant_phone="12345", description=SCRIPT))
    page = page_of(response)
    assert response.status_code == 200
    assert "联系电话格式不正确" in page
    field = re.search(r'<div class="field field-invalid">\s*<label for="id_complainant_phone"', page)
    assert field, "the phone field is not highlighted"
    assert 'value="张三"' in page and 'value="纯牛奶一箱"' in page
    assert SCRIPT not in page and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert not Complaint.objects.exists()


def test_a_missing_phone_is_asked_for(client, entities):
    page = page_of(client.post(FILE_URL, form_data(complainant_phone="")))
    assert "请填写联系电话。" in page
    assert not Complaint.objects.exists()


def test_a_jpg_that_is_really_text_is_refused_and_files_must_be_chosen_again(client, entities):
    fake = SimpleUploadedFile("receipt.jpg", b"just some text, not a picture", content_type="image/jpeg")
    page = page_of(client.post(FILE_URL, {**form_data(), "files": [fake]}))
    assert "不是图片或 PDF" in page
    assert "已选择的证据文件没有保存，请重新选择" in page
    assert 'value="张三"' in page
    assert not Complaint.objects.exists() and not ComplaintFile.objects.exists()


def test_a_file_over_the_size_limit_is_refused(client, entities, settings):
    settings.FANGXIN_EVIDENCE_MAX_BYTES = 1024 * 1024
    big = SimpleUploadedFile("photo.jpg", JPEG + b"\x00" * (1024 * 1024), content_type="image/jpeg")
    page = page_of(client.post(FILE_URL, {**form_data(), "files": [big]}))
    assert "“photo.jpg”超过 1 MB" in page
    assert not Complaint.objects.exists()


def test_real_evidence_is_stored(client, entities):
    photo = SimpleUploadedFile("photo.jpg", JPEG, content_type="image/jpeg")
    response = client.post(FILE_URL, {**form_data(), "files": [photo]})
    assert response.status_code == 302
    stored = ComplaintFile.objects.get()
    assert stored.content_type == "image/jpeg" and stored.original_name == "photo.jpg"


def test_an_unknown_business_id_is_refused(client, entities):
    page = page_of(client.post(FILE_URL, form_data(entity="999999")))
    assert "所选的经营者不存在" in page
    page = page_of(client.post(FILE_URL, form_data(entity="abc")))
    assert "所选的经营者不存在" in page
    assert not Complaint.objects.exists()


def test_the_county_is_required_when_no_business_is_picked(client, entities):
    page = page_of(client.post(FILE_URL, form_data(region_code="")))
    assert "请选择事发地所在的旗县区。" in page
    assert re.search(r'<div class="field field-invalid">\s*<label for="id_region_code"', page)
    assert not Complaint.objects.exists()


def test_script_typed_into_the_complaint_is_shown_escaped_on_the_tracking_page(client, entities):
    client.post(FILE_URL, form_data(business_name=SCRIPT, item="<b>牛奶</b>"))
    complaint = Complaint.objects.get()
    page = page_of(client.get(detail_url(complaint)))
    assert SCRIPT not in page and "<b>牛奶</b>" not in page
    assert "&lt;b&gt;牛奶&lt;/b&gt;" in page


# --- tracking --------------------------------------------------------------------------------------------------

def test_tracking_with_number_and_last_four_digits_shows_the_steps_masked(client, entities):
    complaint = make_complaint()
    response = track_in(client, complaint)
    assert response["Location"] == detail_url(complaint)
    page = page_of(client.get(response["Location"]))
    assert "收到投诉" in page and complaint.received_on.strftime("%Y-%m-%d") in page
    assert "张*" in page and "138****1234" in page
    assert "张三" not in page and "13800001234" not in page
    assert "作出受理决定" in page and "个工作日" in page
    assert complaint.tracking_no in client.session["tracked"]


@pytest.mark.parametrize("pair", [("right", "9999"), ("T20260101ZZZZZZ", "1234"), ("right", "12a4")])
def test_a_wrong_or_missing_pair_gets_one_message(client, entities, pair):
    complaint = make_complaint()
    number, last4 = pair
    response = client.post(TRACK_URL, {"tracking_no": complaint.tracking_no if number == "right" else number,
                                       "last4": last4})
    assert response.status_code == 200
    assert "投诉编号或手机号后四位不正确" in page_of(response)
    assert "tracked" not in client.session


def test_the_tracking_page_needs_the_pair_first(client, entities):
    complaint = make_complaint()
    response = client.get(detail_url(complaint))
    assert response.status_code == 302
    assert response["Location"] == f"{TRACK_URL}?no={complaint.tracking_no}"
    assert complaint.tracking_no in page_of(client.get(response["Location"]))
    for name in ("complaints:track_withdraw", "complaints:track_rate", "complaints:track_settlement"):
        assert client.post(detail_url(complaint, name), {"answer": "accept", "rating": "5"}).status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == Status.RECEIVED


@pytest.fixture
def offered(users, entities):
    make_enrollment(entities["a_food"])
    complaint = make_complaint(Status.OPERATOR_OFFERED, entity_id=entities["a_food"].pk)
    assert complaint.status == Status.OPERATOR_OFFERED
    return complaint


def test_the_consumer_rejects_the_business_offer(client, offered):
    track_in(client, offered)
    page = page_of(client.get(detail_url(offered)))
    assert "经营者的和解方案" in page and "退货退款" in page and "全额退款" in page
    assert "不接受，转监管部门处理" in page
    response = client.post(detail_url(offered, "complaints:track_settlement"),
                           {"answer": "reject", "comment": "只退一半不行"})
    assert response["Location"] == detail_url(offered)
    offered.refresh_from_db()
    assert offered.status == Status.RECEIVED and offered.bureau_received_on
    page = page_of(client.get(detail_url(offered)))
    assert "转市场监管部门处理" in page and "消费者不接受和解方案" in page


def test_the_consumer_accepts_the_business_offer(client, offered):
    track_in(client, offered)
    client.post(detail_url(offered, "complaints:track_settlement"), {"answer": "accept"})
    offered.refresh_from_db()
    assert offered.status == Status.OPERATOR_SETTLED


def test_a_settlement_answer_in_the_wrong_state_is_a_message_not_an_error(client, entities):
    complaint = make_complaint()
    track_in(client, complaint)
    response = client.post(detail_url(complaint, "complaints:track_settlement"), {"answer": "accept"}, follow=True)
    assert response.status_code == 200
    assert "不能从“待受理”变为" in page_of(response)
    complaint.refresh_from_db()
    assert complaint.status == Status.RECEIVED


def test_the_consumer_withdraws_an_open_complaint(client, entities):
    complaint = make_complaint()
    track_in(client, complaint)
    assert "撤回投诉" in page_of(client.get(detail_url(complaint)))
    response = client.post(detail_url(complaint, "complaints:track_withdraw"), {"reason": "商家已退款"}, follow=True)
    complaint.refresh_from_db()
    assert complaint.status == Status.WITHDRAWN
    assert "投诉已撤回" in page_of(response)
    assert "确定撤回" not in page_of(response)


def test_rating_a_closed_complaint_once(client, entities):
    complaint = make_complaint(Status.AGREEMENT)
    track_in(client, complaint)
    page = page_of(client.get(detail_url(complaint)))
    assert "评价处理情况" in page and "5 分 · 很满意" in page and "1 分 · 很不满意" in page
    url = detail_url(complaint, "complaints:track_rate")
    assert "请选择 1 到 5 分" in page_of(client.post(url, {"rating": "9"}, follow=True))
    response = client.post(url, {"rating": "5", "comment": "调解很及时"}, follow=True)
    assert "感谢您的评价" in page_of(response) and "您的评价：5 分（很满意）" in page_of(response)
    again = client.post(url, {"rating": "1"}, follow=True)
    assert again.status_code == 200 and "您已经评价过了" in page_of(again)
    complaint.refresh_from_db()
    assert complaint.rating == 5 and complaint.rating_comment == "调解很及时"


def test_an_open_complaint_cannot_be_rated(client, entities):
    complaint = make_complaint()
    track_in(client, complaint)
    assert "评价处理情况" not in page_of(client.get(detail_url(complaint)))
    response = client.post(detail_url(complaint, "complaints:track_rate"), {"rating": "5"}, follow=True)
    assert "投诉办结后才能评价" in page_of(response)


def test_the_consumer_reads_the_documents_addressed_to_them(client, entities):
    complaint = make_complaint(Status.AGREEMENT)
    other = make_complaint(Status.ACCEPTED, complainant_phone="13900005678", description="另一件投诉")
    track_in(client, complaint)
    page = page_of(client.get(detail_url(complaint)))
    agreement = complaint.documents.get(kind=DocumentKind.AGREEMENT)
    registration = complaint.documents.get(kind=DocumentKind.REGISTRATION)
    assert "受理决定书" in page and "调解书" in page and "投诉登记表" not in page
    body = page_of(client.get(reverse("complaints:track_document", args=[complaint.tracking_no, agreement.pk])))
    assert agreement.number in body and agreement.content["paragraphs"][0] in body
    assert "data-print" in body
    assert client.get(reverse("complaints:track_document",
                              args=[complaint.tracking_no, registration.pk])).status_code == 404
    foreign = other.documents.get(kind=DocumentKind.ACCEPTANCE)
    assert client.get(reverse("complaints:track_document",
                              args=[complaint.tracking_no, foreign.pk])).status_code == 404


# --- stations, ranking, disclosure -----------------------------------------------------------------------------

def _station(county, town, name):
    return services.station_save(actor=Actor.system("test"), region=Region.objects.get(code=county), town=town,
                                 name=name, host=f"{name}设站单位", address=f"{town}人民路 1 号", hours="工作日 9:00-17:00",
                                 contact_phone="0478-1234567", is_active=True)


def test_stations_are_grouped_by_county_then_town_and_filtered(client, reference):
    _station("150802", "车站街道", "华联超市维权服务站")
    _station("150802", "解放街道", "百货大楼维权服务站")
    _station("150821", "隆兴昌镇", "五原县市场维权服务站")
    closed = _station("150821", "隆兴昌镇", "已撤销的服务站")
    services.station_save(actor=Actor.system("test"), station=closed, region=closed.region, town=closed.town,
                          name=closed.name, host=closed.host, address=closed.address, hours=closed.hours,
                          contact_phone=closed.contact_phone, is_active=False)
    page = page_of(client.get(reverse("complaints:stations_public")))
    sections = re.findall(r'<section class="station-county".*?</section>', page, re.S)
    assert len(sections) == 2
    linhe, wuyuan = sections
    assert "<h2" in linhe and "临河区</h2>" in linhe and "五原县</h2>" in wuyuan
    assert linhe.count('class="station-town"') == 2 and wuyuan.count('class="station-town"') == 1
    assert linhe.index("车站街道</h3>") < linhe.index("华联超市维权服务站")
    assert linhe.index("解放街道</h3>") < linhe.index("百货大楼维权服务站")
    assert "五原县市场维权服务站" in wuyuan
    assert "0478-1234567" in page and "工作日 9:00-17:00" in page and "华联超市维权服务站设站单位" in page
    assert "已撤销的服务站" not in page
    page = page_of(client.get(reverse("complaints:stations_public"), {"region": "150821"}))
    assert "五原县市场维权服务站" in page and "华联超市维权服务站" not in page


def test_the_ranking_orders_businesses_by_complaints_and_filters(client, entities):
    for n in range(2):
        make_complaint(entity_id=entities["a_food"].pk, description=f"投诉 {n}")
    make_complaint(entity_id=entities["b_food"].pk, description="五原县的投诉")
    make_complaint(entity_id=entities["b_tourism"].pk, description="旅行社的投诉")
    page = page_of(client.get(reverse("complaints:ranking")))
    assert page.index(entities["a_food"].name) < page.index(entities["b_food"].name)
    assert reverse("complaints:disclosure", args=[entities["a_food"].uscc]) in page
    page = page_of(client.get(reverse("complaints:ranking"), {"region": "150821"}))
    assert entities["a_food"].name not in page and entities["b_food"].name in page
    page = page_of(client.get(reverse("complaints:ranking"), {"sector": "tourism"}))
    assert entities["b_tourism"].name in page and entities["b_food"].name not in page


def test_the_disclosure_masks_personal_data_and_omits_non_consenting_complaints(client, entities):
    shop = entities["a_food"]
    shown = make_complaint(Status.AGREEMENT, entity_id=shop.pk, complainant_name="赵敏敏",
                           description="店员说不退。我叫王小明，电话13912345678，请联系我。")
    services.complaint_business_reply(actor=Actor.system("test"), complaint=shown,
                                      text="已联系消费者李大伟，电话13712349876，全额退款。")
    make_complaint(Status.AGREEMENT, entity_id=shop.pk, consent_publication=False, item="不公开的洗衣机",
                   complainant_phone="13900005678", description="不同意公示的投诉")
    make_complaint(Status.RECEIVED, entity_id=shop.pk, item="尚未办结的电视机", complainant_phone="13600001111",
                   description="尚未办结")
    page = page_of(client.get(reverse("complaints:disclosure", args=[shop.uscc])))
    assert "纯牛奶一箱" in page and "退款 59.90 元并赔偿 500 元" in page
    for raw in ("13912345678", "王小明", "13712349876", "李大伟", "赵敏敏", "13800001234"):
        assert raw not in page, f"{raw} is on the public page"
    assert "139****5678" in page and "王**" in page and "经营者回复" in page
    assert "不公开的洗衣机" not in page and "尚未办结的电视机" not in page
    assert "<dt>收到投诉</dt><dd>3 件</dd>" in page
    assert "<dt>调解成功率</dt><dd>100.0%</dd>" in page


def test_the_disclosure_of_an_unknown_business_is_404(client, entities):
    assert client.get(reverse("complaints:disclosure", args=["91150802MA0000000X"])).status_code == 404


def test_the_profile_page_links_to_the_disclosure_and_the_form(client, entities):
    shop = entities["a_food"]
    page = page_of(client.get(reverse("campaign:profile", args=[shop.uscc])))
    assert reverse("complaints:disclosure", args=[shop.uscc]) in page
    assert f"{FILE_URL}?entity={shop.pk}" in page


def test_the_home_page_links_to_the_complaint_pages(client, reference):
    page = page_of(client.get(reverse("portal:home")))
    for name in ("complaints:file", "complaints:track", "complaints:stations_public", "complaints:ranking"):
        assert f'href="{reverse(name)}"' in page


# --- page weight -----------------------------------------------------------------------------------------------

def page_weight(client, url) -> int:
    """The HTML plus every stylesheet, script and icon it loads from our static files, in bytes."""
    response = client.get(url)
    assert response.status_code == 200
    total = len(response.content)
    html = page_of(response)
    assets = re.findall(r'<(?:script[^>]*\ssrc|link[^>]*\shref)="([^"]+)"', html)
    assert any(a.endswith(".css") for a in assets) and any(a.endswith(".js") for a in assets)
    for asset in assets:
        assert asset.startswith(settings.STATIC_URL), asset
        found = finders.find(asset[len(settings.STATIC_URL):])
        assert found, asset
        total += os.path.getsize(found)
    return total


def test_the_form_and_tracking_pages_stay_under_150_kb(client, entities):
    complaint = make_complaint(Status.AGREEMENT)
    track_in(client, complaint)
    for url in (FILE_URL, TRACK_URL, detail_url(complaint)):
        weight = page_weight(client, url)
        assert weight < 150 * 1024, f"{url} weighs {weight} bytes"
