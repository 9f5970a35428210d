"""Found by the fuzzers on PostgreSQL: a NUL character anywhere in the input was a 500 (PostgreSQL refuses it).

The address (path or query) is refused before any view runs (fangxin.core.middleware), and an API body the
database cannot store is a structured 422 (fangxin.api.errors), on both databases.
"""

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/m/9115%00/", "/tousu/chaxun/TS%00/", "/workbench/complaints/TS%00/",
                                 "/search/?q=%00", "/v/a%00.b"])
def test_a_nul_in_a_page_address_is_a_bad_request(client, users, url):
    client.force_login(users["office"])
    response = client.get(url)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/v1/public/complaints/TS%00?phone_last4=1234", "/api/v1/entities/9115%00",
                                 "/api/v1/credit/grades/x%00", "/api/v1/entities?q=%00"])
def test_a_nul_in_an_api_address_is_a_structured_400(client, users, url):
    client.force_login(users["office"])
    response = client.get(url)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"


@pytest.mark.django_db
def test_a_nul_in_an_api_body_never_becomes_a_server_error(client, entities):
    body = {"complainant_name": "张\u0000三", "complainant_phone": "13800001234", "business_name": "临河区华联超市",
            "item": "纯牛奶", "description": "买到的牛奶已经过期\u0000，要求退货被拒绝。", "demand": "退款",
            "region_code": "150802", "consent_publication": True, "consent_mediation": True}
    response = client.post("/api/v1/public/complaints", body, content_type="application/json")
    assert response.status_code < 500, response.content
    if response.status_code >= 400:
        assert response.json()["error"]["code"]


@pytest.mark.django_db
def test_the_database_refusal_handler_answers_422(rf):
    from django.db import DataError

    from fangxin.api.api import api

    request = rf.get("/api/v1/health")
    handler = api._lookup_exception_handler(DataError("PostgreSQL text fields cannot contain NUL (0x00) bytes"))
    response = handler(request, DataError("x"))
    assert response.status_code == 422


@pytest.mark.django_db
def test_an_id_beyond_64_bits_in_an_api_body_is_a_422(client, users):
    """schemathesis found this one: SQLite raises OverflowError for `pk__in=[2**70]` (PostgreSQL finds nothing)."""
    client.force_login(users["office"])
    response = client.post("/api/v1/inspections/results/publish", {"inspection_ids": [2**70]},
                           content_type="application/json")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid"
