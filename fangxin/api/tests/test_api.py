import pytest

from fangxin.accounts.services import api_token_create, api_token_revoke
from fangxin.core.actors import Actor
from fangxin.organisation.models import Department, Region


@pytest.mark.django_db
def test_the_openapi_document_lists_every_router_and_the_docs_page_is_offline(client):
    document = client.get("/api/v1/openapi.json").json()
    assert document["info"]["title"] == "放心消费创建 API"
    for path in ("/api/v1/health", "/api/v1/entities/{uscc}", "/api/v1/reference/sectors", "/api/v1/audit/verify"):
        assert path in document["paths"], path
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()


@pytest.mark.django_db
def test_errors_are_structured_with_a_stable_code_and_a_chinese_message(client, users):
    unauthenticated = client.get("/api/v1/entities")
    assert unauthenticated.status_code == 401
    assert unauthenticated.json() == {"error": {"code": "unauthenticated", "message": "需要登录或有效的 API 令牌。",
                                                "details": {}}}
    invalid = client.get("/api/v1/tools/deadline?start=2026-13-40&days=3")
    assert invalid.status_code == 422
    body = invalid.json()["error"]
    assert body["code"] == "invalid" and body["details"]["fields"][0]["loc"][-1] == "start"
    client.force_login(users["county_a"])
    missing = client.get("/api/v1/entities/91150802MA00000000")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    assert client.get("/api/v1/no-such-route").status_code == 404


@pytest.mark.django_db
def test_reference_data_and_tools_are_public(client, reference):
    sectors = client.get("/api/v1/reference/sectors").json()
    assert [s["code"] for s in sectors][:3] == ["ecommerce", "tourism", "food_drug"]
    assert sectors[11]["lead"] == ["amr", "commerce", "sport"] or set(sectors[11]["lead"]) == {"amr", "commerce", "sport"}
    assert client.get("/api/v1/reference/commitment").json()["version"] == 1
    assert client.get("/api/v1/tools/uscc/91150802MA0N1234X1").json()["reason"].startswith("统一社会信用代码校验位错误")
    due = client.get("/api/v1/tools/deadline?start=2026-09-30&days=7").json()
    assert due == {"start": "2026-09-30", "due": "2026-10-15", "kind": "work", "warning": None}
    assert "\\u" not in client.get("/api/v1/reference/dimensions").content.decode()  # readable UTF-8


@pytest.mark.django_db
def test_a_token_works_until_revoked_and_only_its_hash_is_stored(client, reference):
    token, plain = api_token_create(actor=Actor.system("test"), name="对接", department=Department.objects.get(code="fda"),
                                    region=Region.objects.get(code="150800"))
    assert plain.startswith(f"fx_{token.key_id}_")
    assert plain.split("_", 2)[2] not in token.secret_hash
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {plain}"})
    assert me.status_code == 200
    assert me.json()["role"] == "department_staff" and me.json()["department_code"] == "fda"
    assert client.get("/api/v1/me", headers={"X-API-Key": plain}).status_code == 200
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {plain[:-2]}xx"}).status_code == 401
    api_token_revoke(actor=Actor.system("test"), token=token)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {plain}"}).status_code == 401


@pytest.mark.django_db
def test_session_auth_serves_the_signed_in_user(client, users):
    client.force_login(users["county_b"])
    me = client.get("/api/v1/me").json()
    assert (me["username"], me["region_code"], me["role_label"]) == ("county_b", "150821", "旗县区工作人员")
