"""The cached public pages (fangxin/core/cache.py): served from the cache, and never stale after a status change —
in one process, and with two separate caches standing for two app servers (each with its own LocMem)."""

import re
from datetime import date

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fangxin.campaign import services
from fangxin.campaign.tests.factories import make_enrollment
from fangxin.core.actors import Actor
from fangxin.credit.services import list_enter

SYSTEM = Actor.system("test")


def locmem(location):
    return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": location}}


def verify_url(enrollment):
    return reverse("campaign:verify", args=[enrollment.badge_token])


def queries_for(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


@pytest.fixture
def enrollment(entities):
    with override_settings(CACHES=locmem("page-cache-test")):
        yield make_enrollment(entities["a_food"])


@pytest.mark.django_db
def test_a_repeated_scan_is_served_from_the_cache_with_one_query(client, enrollment):
    first, page = queries_for(client, verify_url(enrollment))
    second, again = queries_for(client, verify_url(enrollment))
    assert "真实有效" in page and "真实有效" in again
    assert second == 1 < first  # the version lookup only: no enrollment, entity or title query


@pytest.mark.django_db
def test_revocation_through_the_service_shows_on_the_next_scan_in_one_process(client, enrollment):
    assert "真实有效" in queries_for(client, verify_url(enrollment))[1]
    assert "真实有效" in queries_for(client, verify_url(enrollment))[1]  # now cached
    services.enrollment_transition(actor=SYSTEM, enrollment=enrollment, to_status="revoked", reason="拒不整改")
    page = queries_for(client, verify_url(enrollment))[1]
    assert "创建资格已撤销" in page and "真实有效" not in page


@pytest.mark.django_db
def test_suspension_and_reissue_are_seen_by_a_second_server_with_its_own_cache(enrollment):
    """Server A and server B: two LocMem caches that share nothing but the database."""
    url = verify_url(enrollment)
    with override_settings(CACHES=locmem("server-b")):
        assert "真实有效" in queries_for(Client(), url)[1]
        assert queries_for(Client(), url)[0] == 1  # B holds the valid page
    with override_settings(CACHES=locmem("server-a")):
        assert "真实有效" in queries_for(Client(), url)[1]
        services.enrollment_transition(actor=SYSTEM, enrollment=enrollment, to_status="suspended", reason="整改期间")
        assert "创建资格已暂停" in queries_for(Client(), url)[1]
    with override_settings(CACHES=locmem("server-b")):
        page = queries_for(Client(), url)[1]
        assert "创建资格已暂停" in page and "真实有效" not in page
        services.enrollment_transition(actor=SYSTEM, enrollment=enrollment, to_status="active", reason="整改完成")
        assert "真实有效" in queries_for(Client(), url)[1]
    reissued = services.badge_reissue(actor=SYSTEM, enrollment=enrollment, reason="海报遗失")
    with override_settings(CACHES=locmem("server-a")):
        assert "该标志已失效" in queries_for(Client(), url)[1]  # the old sticker, cached as valid on A before
        assert "真实有效" in queries_for(Client(), verify_url(reissued))[1]


@pytest.mark.django_db
def test_a_credit_list_entry_shows_on_the_cached_profile(client, enrollment):
    entity = enrollment.entity
    url = reverse("campaign:profile", args=[entity.uscc])
    assert "未被列入" in queries_for(client, url)[1]
    assert queries_for(client, url)[0] == 1
    list_enter(actor=SYSTEM, entity=entity, kind="serious", reason_code="S02", reason="提供虚假材料",
               authority="临河区市场监督管理局", document_number="临市监〔2026〕12号", entered_on=date(2026, 9, 1))
    page = queries_for(client, url)[1]
    assert "严重违法失信名单" in page and "临市监〔2026〕12号" in page


@pytest.mark.django_db
def test_each_visitor_gets_their_own_csrf_token_from_the_cached_page(enrollment):
    url = verify_url(enrollment)
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.get(url)
    page = second.get(url).content.decode()  # a cache hit
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    assert "placeholder" not in page and token in page
    response = second.post(reverse("campaign:verify_report", args=[enrollment.badge_token]),
                           {"csrfmiddlewaretoken": token, "where_seen": "临河区某超市", "description": "标志贴在别家店里"})
    assert response.status_code == 200  # a token that did not match the visitor's cookie would be a 403


@pytest.mark.django_db
def test_a_signed_in_user_is_never_served_the_anonymous_page(client, users, enrollment):
    url = verify_url(enrollment)
    client.get(url)
    client.get(url)
    client.force_login(users["county_a"])
    page = client.get(url).content.decode()
    assert "工作台" in page and 'href="/accounts/login/' not in page


@pytest.mark.django_db
def test_search_results_are_cached_until_an_enrollment_changes(client, enrollment):
    url = reverse("portal:search") + "?q=" + enrollment.entity.name
    assert "放心消费创建单位" in queries_for(client, url)[1]
    count, page = queries_for(client, url)
    assert count == 1 and "放心消费创建单位" in page
    services.enrollment_transition(actor=SYSTEM, enrollment=enrollment, to_status="suspended", reason="整改期间")
    page = queries_for(client, url)[1]
    assert "创建资格暂停" in page and 'tag-ok">放心消费创建单位' not in page


@pytest.mark.django_db
def test_a_forged_token_for_a_cached_business_is_never_served_the_genuine_page(client, enrollment):
    client.get(verify_url(enrollment))
    client.get(verify_url(enrollment))  # the genuine page is cached now
    payload, signature = enrollment.badge_token.split(".")
    forged = f"{payload}.{'A' * len(signature)}"  # same claims (serial, USCC), not the office's signature
    stored = len(cache._cache)  # LocMem's own dict: what this process holds
    for _ in range(2):
        page = queries_for(client, reverse("campaign:verify", args=[forged]))[1]
        assert "疑似伪造" in page and "真实有效" not in page
    assert len(cache._cache) == stored  # rendered each time, never stored
