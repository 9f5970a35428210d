"""Idempotent submission and tracking without enumeration (issue 10, item 5).

A retried submission carrying the same one-time token (web form) or Idempotency-Key (API) returns the first
tracking number and stores nothing new, even when its content differs from the first copy or the 10-minute
content de-duplication has expired. A wrong tracking number and wrong phone digits answer exactly alike."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from fangxin.complaints.idempotency import SubmissionKey
from fangxin.complaints.models import Complaint
from fangxin.complaints.tests.factories import make_complaint

pytestmark = pytest.mark.django_db

API = "/api/v1"
BODY = {"complainant_name": "李四", "complainant_phone": "13900005678", "business_name": "临河区华联超市",
        "item": "食用油一桶", "description": "食用油有哈喇味，超市拒绝退货。", "demand": "退货退款",
        "region_code": "150802"}
FORM = {"complainant_name": "张三", "complainant_phone": "138 0000 1234", "complainant_email": "", "entity": "",
        "business_name": "临河区某某小卖部", "business_address": "临河区胜利路 8 号", "platform_name": "",
        "region_code": "150802", "item": "纯牛奶一箱", "purchased_on": "", "amount": "",
        "description": "买到的牛奶已经过期，要求退货被拒绝。", "demand": "退款"}


def post_api(client, body, key=None):
    extra = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(f"{API}/public/complaints", body, content_type="application/json", **extra)


def expire_content_dedupe():
    """Move every complaint out of the service's 10-minute duplicate window."""
    Complaint.objects.update(created_at=timezone.now() - timedelta(hours=1))


# --- API ---------------------------------------------------------------------------------------------------------

def test_a_retry_with_the_same_key_returns_the_first_tracking_number(client, reference):
    first = post_api(client, BODY, key="retry-1")
    assert first.status_code == 201
    expire_content_dedupe()  # so only the key can make the retry a replay
    again = post_api(client, BODY, key="retry-1")
    assert again.status_code == 200
    assert again.json() == {**first.json(), "duplicate": True}
    assert Complaint.objects.count() == 1 and SubmissionKey.objects.count() == 1


def test_without_a_key_the_same_content_after_the_window_is_a_new_complaint(client, reference):
    """The control for the test above: the key, not the content check, made the retry a replay."""
    post_api(client, BODY)
    expire_content_dedupe()
    assert post_api(client, BODY).status_code == 201
    assert Complaint.objects.count() == 2


def test_a_key_reused_with_other_content_is_refused(client, reference):
    post_api(client, BODY, key="k-2")
    clash = post_api(client, {**BODY, "item": "花生油一桶"}, key="k-2")
    assert clash.status_code == 409 and clash.json()["error"]["code"] == "idempotency_key_reused"
    assert Complaint.objects.count() == 1


def test_keys_are_scoped_to_the_phone(client, reference):
    """Another consumer sending the same key value gets their own complaint, never the first one's number."""
    first = post_api(client, BODY, key="1")
    other = post_api(client, {**BODY, "complainant_phone": "13700001111", "complainant_name": "王五"}, key="1")
    assert other.status_code == 201 and other.json()["tracking_no"] != first.json()["tracking_no"]


def test_the_key_stores_no_plain_text(client, reference):
    post_api(client, BODY, key="my-visible-key")
    row = SubmissionKey.objects.get()
    assert "my-visible-key" not in row.key and "5678" not in row.key and len(row.key) == 64


def test_an_overlong_key_is_a_422(client, reference):
    answer = post_api(client, BODY, key="x" * 201)
    assert answer.status_code == 422 and Complaint.objects.count() == 0


def test_a_staff_integration_retry_is_idempotent_too(client, users):
    client.force_login(users["county_a"])
    body = {**BODY, "complainant_phone": "13900009999"}
    first = client.post(f"{API}/complaints", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="s-1")
    assert first.status_code == 201
    expire_content_dedupe()
    again = client.post(f"{API}/complaints", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="s-1")
    assert again.status_code == 200 and again.json()["tracking_no"] == first.json()["tracking_no"]
    assert Complaint.objects.count() == 1


# --- the web form ------------------------------------------------------------------------------------------------

def token_of(page: str) -> str:
    match = re.search(r'name="submission_token" value="([0-9a-f]{32})"', page)
    assert match, "the form carries a one-time submission token"
    return match.group(1)


def test_the_form_token_makes_a_resubmitted_form_a_replay(client, reference):
    url = reverse("complaints:file")
    token = token_of(client.get(url).content.decode())
    first = client.post(url, {**FORM, "submission_token": token})
    assert first.status_code == 302
    number = Complaint.objects.get().tracking_no
    expire_content_dedupe()
    # the browser re-sends the form (back button, a lost answer), even with an edit: still the first complaint
    again = client.post(url, {**FORM, "description": FORM["description"] + "补充。", "submission_token": token},
                        follow=True)
    assert Complaint.objects.count() == 1
    page = again.content.decode()
    assert number in page and "没有重复登记" in page


def test_each_showing_of_the_form_has_a_fresh_token_and_an_error_keeps_it(client, reference):
    url = reverse("complaints:file")
    one, two = token_of(client.get(url).content.decode()), token_of(client.get(url).content.decode())
    assert one != two
    shown_again = client.post(url, {**FORM, "description": "", "submission_token": one})
    assert shown_again.status_code == 200 and token_of(shown_again.content.decode()) == one


def test_a_forged_token_is_ignored_not_trusted(client, reference):
    url = reverse("complaints:file")
    assert client.post(url, {**FORM, "submission_token": "../../etc"}).status_code == 302
    assert SubmissionKey.objects.count() == 0 and Complaint.objects.count() == 1


# --- no enumeration ----------------------------------------------------------------------------------------------

def _without(text: str, *echoed: str) -> str:
    for value in echoed:
        text = text.replace(value, "")
    text = re.sub(r"\b[A-Za-z0-9]{64}\b", "", text)  # CSRF tokens are masked afresh in every response
    return text


def test_wrong_number_and_wrong_digits_answer_the_same_on_the_page(client, reference):
    complaint = make_complaint()
    url = reverse("complaints:track")
    wrong_digits = "0000" if complaint.complainant_phone[-4:] != "0000" else "1111"
    missing_no = "T20991231ZZZZZZ"
    a = client.post(url, {"tracking_no": complaint.tracking_no, "last4": wrong_digits})
    b = client.post(url, {"tracking_no": missing_no, "last4": complaint.complainant_phone[-4:]})
    assert a.status_code == b.status_code == 200
    assert "投诉编号或手机号后四位不正确" in a.content.decode()
    assert (_without(a.content.decode(), complaint.tracking_no, wrong_digits)
            == _without(b.content.decode(), missing_no, complaint.complainant_phone[-4:]))


def test_wrong_number_and_wrong_digits_answer_the_same_in_the_api(client, reference):
    complaint = make_complaint()
    wrong_digits = "0000" if complaint.complainant_phone[-4:] != "0000" else "1111"
    a = client.get(f"{API}/public/complaints/{complaint.tracking_no}?phone_last4={wrong_digits}")
    b = client.get(f"{API}/public/complaints/T20991231ZZZZZZ?phone_last4={complaint.complainant_phone[-4:]}")
    assert a.status_code == b.status_code == 404
    assert a.content == b.content
    assert client.get(f"{API}/public/complaints/{complaint.tracking_no}?phone_last4="
                      f"{complaint.complainant_phone[-4:]}").status_code == 200


# --- retries -----------------------------------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_a_locked_database_or_a_lost_connection_is_retried_once_more(reference):
    from django.db import OperationalError

    from fangxin.complaints import idempotency, services
    from fangxin.complaints.tests.factories import PUBLIC, complaint_input

    calls = []

    def flaky():
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("database is locked")
        return services.complaint_submit(actor=PUBLIC, data=complaint_input(), channel="web")

    complaint, created, replayed = idempotency.submit_once(key=idempotency.form_key("a" * 32), submit=flaky)
    assert len(calls) == 2 and created and not replayed
    assert Complaint.objects.count() == 1 and SubmissionKey.objects.get().complaint == complaint


def test_no_retry_inside_an_outer_transaction(reference):
    """The pytest transaction stands for a caller's atomic block: the error is the caller's to handle."""
    from django.db import OperationalError

    from fangxin.complaints import idempotency

    calls = []

    def failing():
        calls.append(1)
        raise OperationalError("database is locked")

    with pytest.raises(OperationalError):
        idempotency.submit_once(key=None, submit=failing)
    assert len(calls) == 1
