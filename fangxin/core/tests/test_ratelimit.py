"""Rate limits (fangxin.core.ratelimit, config/settings/ratelimits.py): the real rules with their limits lowered to
2 by settings; pages answer a Chinese 429 page, the API 429 JSON, both with Retry-After."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from fangxin.core import ratelimit

pytestmark = pytest.mark.django_db

LIMIT = 2
API = "/api/v1"
BODY = {"complainant_name": "李四", "complainant_phone": "13900005678", "business_name": "临河区华联超市",
        "item": "食用油一桶", "description": "食用油有哈喇味，超市拒绝退货。", "demand": "退货退款",
        "region_code": "150802"}


# A second into a window of every length the rules use (600 s, 3600 s): with the real clock a test could straddle two
# fixed windows (its third request counted afresh) or be told "N 秒" in a window's last minute.
FROZEN_NOW = 1_800_000_000.0 + 1


@pytest.fixture(autouse=True)
def low_limits(settings, monkeypatch):
    """Every configured rule, limit 2; the counters start empty (LocMem outlives a test); the clock stands still."""
    real_hit = ratelimit.hit
    monkeypatch.setattr(ratelimit, "hit",
                        lambda rule, ident, now=None: real_hit(rule, ident, FROZEN_NOW if now is None else now))
    settings.FANGXIN_RATELIMIT_SCALE = 1
    settings.FANGXIN_RATELIMITS_ENABLED = True
    settings.FANGXIN_RATELIMITS = {name: {**spec, "limit": LIMIT} for name, spec in settings.FANGXIN_RATELIMITS.items()}
    cache.clear()
    yield
    cache.clear()


def posts(client, url, n, data=None, **extra):
    return [client.post(url, data or {}, **extra) for _ in range(n)]


def assert_limited_page(response, words):
    assert response.status_code == 429
    seconds = int(response["Retry-After"])
    assert 0 < seconds <= 3600
    page = response.content.decode()
    assert "操作过于频繁" in page and words in page and "后再试" in page


def test_the_complaint_form_is_limited_per_address_with_a_chinese_page(client, reference):
    url = reverse("complaints:file")
    first, second, third = posts(client, url, 3, {"complainant_name": ""})
    assert first.status_code == 200 and second.status_code == 200  # the form with its errors, not a 429
    assert_limited_page(third, "提交投诉举报")
    assert "分钟" in third.content.decode()
    # showing the form is never limited, and another address has its own count
    assert client.get(url).status_code == 200
    assert client.post(url, {}, REMOTE_ADDR="10.1.2.3").status_code == 200


def test_the_public_api_submission_answers_429_json(client, reference):
    answers = [client.post(f"{API}/public/complaints", BODY, content_type="application/json") for _ in range(3)]
    assert [a.status_code for a in answers[:2]] == [201, 200]  # the second is the service's duplicate answer
    limited = answers[2]
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0
    body = limited.json()
    assert body["code"] == "rate_limited" and "请在" in body["detail"] and "后再试" in body["detail"]
    assert body["error"]["code"] == "rate_limited" and body["error"]["details"]["retry_after"] > 0


def test_tracking_is_limited_per_address_on_page_and_api(client, reference):
    url = reverse("complaints:track")
    answers = posts(client, url, 3, {"tracking_no": "T1", "last4": "1234"}, REMOTE_ADDR="10.0.0.9")
    assert [a.status_code for a in answers[:2]] == [200, 200]
    assert_limited_page(answers[2], "查询")
    api = [client.get(f"{API}/public/complaints/T9?phone_last4=1234", REMOTE_ADDR="10.0.0.8") for _ in range(3)]
    assert [a.status_code for a in api] == [404, 404, 429]
    assert api[2].json()["code"] == "rate_limited"


def test_one_tracking_number_is_limited_across_addresses(client, reference):
    """Guessing the last 4 digits of one number from many addresses meets the per-number limit."""
    url = reverse("complaints:track")
    answers = [client.post(url, {"tracking_no": "t20261128abc", "last4": f"{i:04d}"}, REMOTE_ADDR=f"10.9.0.{i}")
               for i in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    # the number is normalised: upper case from a fourth address is the same target
    assert client.post(url, {"tracking_no": "T20261128ABC", "last4": "0000"}, REMOTE_ADDR="10.9.1.1").status_code == 429
    # another number from a fresh address is free
    assert client.post(url, {"tracking_no": "T20261128XYZ", "last4": "0000"}, REMOTE_ADDR="10.9.2.1").status_code == 200


def test_logins_are_limited_per_address_across_usernames(client, users):
    url = reverse("accounts:login")
    answers = [client.post(url, {"username": f"nobody{i}", "password": "wrong-password-1"}) for i in range(3)]
    assert [a.status_code for a in answers[:2]] == [200, 200]
    assert_limited_page(answers[2], "登录")


def test_objections_and_badge_reports_are_limited(client, reference):
    objection = reverse("campaign:objection_new", args=[999999])
    answers = posts(client, objection, 3, {"content": "x"})
    assert answers[2].status_code == 429 and answers[0].status_code != 429
    assert_limited_page(answers[2], "提出异议")
    report = reverse("campaign:verify_report", args=["not-a-token"])
    answers = posts(client, report, 3, {"content": "x"}, REMOTE_ADDR="10.3.3.3")
    assert answers[0].status_code != 429 and answers[2].status_code == 429
    assert_limited_page(answers[2], "举报冒用放心消费标识")


def test_limits_can_be_switched_off(client, reference, settings):
    settings.FANGXIN_RATELIMITS_ENABLED = False
    answers = posts(client, reverse("complaints:file"), 4, {"complainant_name": ""})
    assert {a.status_code for a in answers} == {200}


def test_the_window_resets_and_the_wait_is_the_rest_of_the_window():
    rule = ratelimit.Rule(name="t", views=frozenset(), methods=frozenset({"POST"}), limit=2, window=600, label="测试")
    start = 600 * 1000 + 100.0
    verdicts = [ratelimit.hit(rule, "1.2.3.4", now=start + i) for i in range(3)]
    assert [v.blocked for v in verdicts] == [False, False, True]
    assert verdicts[2].retry_after == 600 - 102
    assert ratelimit.hit(rule, "1.2.3.4", now=start + 600).blocked is False  # next window
    assert ratelimit.message_for(verdicts[2]) == "您测试的次数过多，请在 9 分钟后再试。"


def test_a_cache_outage_lets_requests_through(client, reference, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(ratelimit.cache, "add", broken)
    answers = posts(client, reverse("complaints:file"), 3, {"complainant_name": ""})
    assert {a.status_code for a in answers} == {200}


def test_wait_words():
    assert ratelimit.wait_words(30) == "30 秒"
    assert ratelimit.wait_words(61) == "2 分钟"
    assert ratelimit.wait_words(3600) == "1 小时"
    assert ratelimit.wait_words(3700) == "1 小时 2 分钟"
