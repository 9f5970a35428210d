"""The merchant's complaint pages: own complaints only, masked personal data, offer / decline / public reply."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from fangxin.campaign.tests.factories import make_enrollment
from fangxin.complaints import services
from fangxin.complaints.choices import Channel, Status
from fangxin.complaints.models import Complaint
from fangxin.complaints.tests.factories import PUBLIC, make_complaint


@pytest.fixture
def enrolled(users, entities):
    make_enrollment(entities["a_food"])
    return entities["a_food"]


@pytest.fixture
def merchant_client(client, users):
    client.force_login(users["merchant"])
    return client


def detail_url(complaint, name="merchant_detail"):
    return reverse(f"complaints:{name}", args=[complaint.tracking_no])


def test_merchant_sees_only_complaints_about_own_businesses(merchant_client, enrolled):
    own_closed = make_complaint(Status.REFUSED, consent_mediation=False, description="牛奶变质，第一次投诉。")
    own_open = make_complaint(Status.OPERATOR, description="酸奶胀袋，要求退货。")
    other = make_complaint(Status.RECEIVED, business_name="五原县华联生鲜超市", region_code="150821",
                           description="五原县的另一家超市。")
    assert own_open.status == Status.OPERATOR and own_open.entity == enrolled
    page = merchant_client.get(reverse("complaints:merchant_list"))
    assert page.status_code == 200
    html = page.content.decode()
    assert own_open.tracking_no in html and own_closed.tracking_no in html
    assert other.tracking_no not in html
    # operator-stage complaints come first, with the 10-working-day deadline and the days left
    assert html.index(own_open.tracking_no) < html.index(own_closed.tracking_no)
    assert "还剩 10 个工作日" in html
    assert "有 <strong>1</strong> 件投诉等待您提出和解方案" in html
    assert merchant_client.get(detail_url(other)).status_code == 404
    assert merchant_client.post(detail_url(other, "merchant_offer"), {
        "settlement_type": "refund", "amount": "1", "note": "退款"}).status_code == 404
    assert Complaint.objects.get(pk=other.pk).status == Status.RECEIVED


def test_detail_masks_the_complainants_personal_data(merchant_client, enrolled):
    complaint = make_complaint(Status.OPERATOR, complainant_name="王小明", complainant_phone="13912345678",
                               description="买的奶粉过期了，联系我 13912345678。")
    html = merchant_client.get(detail_url(complaint)).content.decode()
    assert "13912345678" not in html and "王小明" not in html
    assert "139****5678" in html and "王**" in html
    assert "买的奶粉过期了" in html
    assert "提出和解方案" in html and "无法和解，转监管部门" in html
    assert "赔偿先付" in html


def test_offer_then_consumer_accepts(merchant_client, enrolled):
    complaint = make_complaint(Status.OPERATOR)
    response = merchant_client.post(detail_url(complaint, "merchant_offer"), {
        "settlement_type": "advance_compensation", "amount": "59.90", "note": "先行赔付 59.90 元，三日内到账"})
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == Status.OPERATOR_OFFERED
    assert complaint.settlement_amount == Decimal("59.90")
    html = merchant_client.get(detail_url(complaint)).content.decode()
    assert "待消费者确认和解方案" in html and "先行赔付 59.90 元" in html
    assert 'name="settlement_type"' not in html  # no second offer
    services.complaint_settlement_answer(actor=PUBLIC, complaint=complaint, accept=True)
    complaint.refresh_from_db()
    assert complaint.status == Status.OPERATOR_SETTLED
    assert complaint.advance_compensation == Decimal("59.90") == complaint.recovered_amount
    assert "经营者和解" in merchant_client.get(detail_url(complaint)).content.decode()


def test_offer_errors_come_back_on_the_form_and_nothing_is_written(merchant_client, enrolled):
    complaint = make_complaint(Status.OPERATOR)
    response = merchant_client.post(detail_url(complaint, "merchant_offer"),
                                    {"settlement_type": "refund", "amount": "", "note": "退款"})
    assert response.status_code == 200
    assert "退款或赔偿请填写金额。" in response.content.decode()
    response = merchant_client.post(detail_url(complaint, "merchant_offer"),
                                    {"settlement_type": "refund", "amount": "五十", "note": "退款"})
    assert "金额请填写数字" in response.content.decode()
    response = merchant_client.post(detail_url(complaint, "merchant_offer"), {"amount": "5", "note": "退款"})
    assert "请选择和解方式。" in response.content.decode()
    complaint.refresh_from_db()
    assert complaint.status == Status.OPERATOR and complaint.settlement_type == ""


def test_no_offer_after_the_deadline(merchant_client, enrolled):
    received = timezone.localdate() - timedelta(days=30)
    complaint = make_complaint(Status.OPERATOR, channel=Channel.HOTLINE, received_on=received,
                               purchased_on=received - timedelta(days=1))
    assert complaint.status == Status.OPERATOR
    html = merchant_client.get(detail_url(complaint)).content.decode()
    assert "已逾期" in html and 'name="settlement_type"' not in html
    response = merchant_client.post(detail_url(complaint, "merchant_offer"),
                                    {"settlement_type": "refund", "amount": "1", "note": "退款"}, follow=True)
    assert "已过，投诉将转市场监管部门处理" in response.content.decode()
    assert Complaint.objects.get(pk=complaint.pk).status == Status.OPERATOR


def test_decline_sends_it_to_the_bureau(merchant_client, enrolled):
    complaint = make_complaint(Status.OPERATOR)
    empty = merchant_client.post(detail_url(complaint, "merchant_decline"), {"reason": " "})
    assert "请填写无法和解的原因。" in empty.content.decode()
    response = merchant_client.post(detail_url(complaint, "merchant_decline"), {"reason": "消费者要求十倍赔偿"},
                                    follow=True)
    assert "投诉转监管部门处理" in response.content.decode()
    complaint.refresh_from_db()
    assert complaint.status == Status.RECEIVED
    assert complaint.bureau_received_on == timezone.localdate()
    assert complaint.events.filter(action="operator_decline", note="消费者要求十倍赔偿").exists()


def test_public_reply_only_after_closing_and_with_consent(merchant_client, enrolled):
    open_one = make_complaint(Status.OPERATOR, description="第一件，未办结。")
    assert 'name="text"' not in merchant_client.get(detail_url(open_one)).content.decode()
    early = merchant_client.post(detail_url(open_one, "merchant_reply"), {"text": "我们已处理"}, follow=True)
    assert "只有已办结并公示的投诉可以回复。" in early.content.decode()
    assert Complaint.objects.get(pk=open_one.pk).business_reply == ""

    no_consent = make_complaint(Status.OPERATOR_SETTLED, consent_publication=False, description="第二件，不公示。")
    assert 'name="text"' not in merchant_client.get(detail_url(no_consent)).content.decode()
    merchant_client.post(detail_url(no_consent, "merchant_reply"), {"text": "我们已处理"})
    assert Complaint.objects.get(pk=no_consent.pk).business_reply == ""

    closed = make_complaint(Status.OPERATOR_SETTLED, description="第三件，已和解并同意公示。")
    assert 'name="text"' in merchant_client.get(detail_url(closed)).content.decode()
    response = merchant_client.post(detail_url(closed, "merchant_reply"), {"text": "感谢监督，已全额退款。"}, follow=True)
    assert "公开回复已发布" in response.content.decode()
    closed.refresh_from_db()
    assert closed.business_reply == "感谢监督，已全额退款。" and closed.business_reply_at is not None


def test_other_roles_do_not_get_the_merchant_pages(client, users, enrolled):
    complaint = make_complaint(Status.OPERATOR)
    client.force_login(users["county_a"])
    assert client.get(reverse("complaints:merchant_list")).status_code == 404
    assert client.get(detail_url(complaint)).status_code == 404
    client.logout()
    assert client.get(reverse("complaints:merchant_list")).status_code == 302
