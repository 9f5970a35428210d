"""Query counts per page do not grow with the rows shown (an N+1 fails here): each page is requested with one row,
then with 30, and the second request may not make more queries than the first."""

from datetime import date

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fangxin.campaign.tests.factories import make_enrollment
from fangxin.complaints.tests.factories import make_complaint
from fangxin.core.actors import Actor
from fangxin.credit.services import list_enter
from fangxin.merchants.tests.factories import make_entity

SYSTEM = Actor.system("test")
MANY = 30
# No page cache here: every request below must run the view itself.
NO_CACHE = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


def count(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def shops(n, start=0):
    return [make_entity(name=f"查询计数测试店{start + i:03d}", county="150802", sector="food_drug")
            for i in range(n)]


@pytest.fixture(autouse=True)
def no_page_cache():
    with override_settings(CACHES=NO_CACHE):
        yield


@pytest.mark.django_db
def test_search_results_page(client, reference, django_assert_max_num_queries):
    url = reverse("portal:search") + "?q=查询计数测试店"
    make_enrollment(shops(1)[0])
    one = count(client, url)
    for entity in shops(MANY - 1, start=1):
        make_enrollment(entity)
    with django_assert_max_num_queries(one):
        assert client.get(url).content.decode().count("查询计数测试店") >= 20  # a full page of results


@pytest.mark.django_db
def test_profile_with_every_list_entry(client, reference, django_assert_max_num_queries):
    few, many = shops(2)
    make_enrollment(few)
    make_enrollment(many)

    def enter(entity, kind, i):
        list_enter(actor=SYSTEM, entity=entity, kind=kind, reason_code="AB01", reason=f"列入事由{i}",
                   authority="临河区市场监督管理局", document_number=f"临市监〔2026〕{i}号", entered_on=date(2026, 9, 1))

    enter(few, "abnormal", 0)
    one = count(client, reverse("campaign:profile", args=[few.uscc]))
    for i, kind in enumerate(("abnormal", "serious", "warning"), start=1):  # one entry per list at most
        enter(many, kind, i)
    with django_assert_max_num_queries(one):
        page = client.get(reverse("campaign:profile", args=[many.uscc])).content.decode()
    assert "临市监〔2026〕3号" in page


@pytest.mark.django_db
def test_verification_page_with_and_without_history(client, reference, django_assert_max_num_queries):
    first, second = shops(2)
    one = count(client, reverse("campaign:verify", args=[make_enrollment(first).badge_token]))
    enrollment = make_enrollment(second, specific=("offline_7day_return", "clear_real_price", "first_inquiry"))
    with django_assert_max_num_queries(one):
        client.get(reverse("campaign:verify", args=[enrollment.badge_token]))


@pytest.mark.django_db
def test_roster(client, users, django_assert_max_num_queries):
    client.force_login(users["county_a"])
    url = reverse("campaign:roster")
    make_enrollment(shops(1)[0])
    one = count(client, url)
    for entity in shops(MANY - 1, start=1):
        make_enrollment(entity)
    with django_assert_max_num_queries(one):
        assert client.get(url).content.decode().count("查询计数测试店") >= 25  # one full page


@pytest.mark.django_db
def test_complaint_queue(client, users, django_assert_max_num_queries):
    client.force_login(users["county_a"])
    url = reverse("complaints:queue")
    make_complaint()
    one = count(client, url)
    for i in range(MANY - 1):
        make_complaint(complainant_phone=f"138{i:08d}", item=f"纯牛奶{i}")
    with django_assert_max_num_queries(one):
        assert client.get(url).status_code == 200
