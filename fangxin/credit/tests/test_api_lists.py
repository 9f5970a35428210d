"""The credit API: public list data, the scoped staff lists, entering and exiting a list, a business's ledger,
recording a penalty or a breach, and the event import; structured errors, never a 500."""

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from fangxin.accounts.services import api_token_create
from fangxin.core.actors import Actor
from fangxin.credit import exports, services
from fangxin.credit.models import CreditEvent, ListEntry
from fangxin.organisation.models import Department, Region

API = "/api/v1"
SYSTEM = Actor.system("test")
ENTRY = {"list": "abnormal", "reason_code": "AB02", "authority": "临河区市场监督管理局",
         "document_number": "临市监异〔2026〕31号", "entered_on": "2026-10-01"}


def error(response) -> dict:
    return response.json()["error"]


def post(client, url, body, **extra):
    return client.post(f"{API}{url}", body, content_type="application/json", **extra)


def enter(entity, kind="abnormal", code="AB01", number="临市监异〔2026〕1号"):
    return services.list_enter(actor=SYSTEM, entity=entity, kind=kind, reason_code=code,
                               reason=services.reason_label(kind, code), authority="临河区市场监督管理局",
                               document_number=number, entered_on=date(2026, 9, 1))


@pytest.mark.django_db
def test_the_public_list_data_is_the_documented_export(client, entities):
    enter(entities["a_food"])
    enter(entities["b_food"], kind="serious", code="SV02", number="五市监严〔2026〕1号")
    data = client.get(f"{API}/public/credit/lists", {"list": "serious"}).json()
    assert data["count"] == 1 and data["list"] == "serious" and data["format_version"] == 1
    assert set(data["records"][0]) == {key for key, _, _, _ in exports.FIELDS}
    assert data["records"][0]["uscc"] == entities["b_food"].uscc
    assert client.get(f"{API}/public/credit/lists").json()["count"] == 2
    bad = client.get(f"{API}/public/credit/lists", {"status": "gone"})
    assert bad.status_code == 422 and error(bad)["details"]["field"] == "status"


@pytest.mark.django_db
def test_the_staff_list_is_scoped_and_filtered(client, users, entities):
    enter(entities["a_food"])
    enter(entities["b_food"], number="五市监异〔2026〕1号")
    client.force_login(users["county_a"])
    items = client.get(f"{API}/credit/lists").json()["items"]
    assert [row["uscc"] for row in items] == [entities["a_food"].uscc]
    client.force_login(users["office"])
    assert client.get(f"{API}/credit/lists").json()["count"] == 2
    assert client.get(f"{API}/credit/lists", {"county": "150821"}).json()["count"] == 1
    assert client.get(f"{API}/credit/lists", {"status": "exited"}).json()["count"] == 0


@pytest.mark.django_db
def test_merchants_and_anonymous_callers_are_refused(client, users, entities):
    assert client.get(f"{API}/credit/lists").status_code == 401
    client.force_login(users["merchant"])
    assert client.get(f"{API}/credit/lists").status_code == 403
    assert client.get(f"{API}/credit/ledger/{entities['a_food'].uscc}").status_code == 403
    response = post(client, "/credit/lists", {**ENTRY, "uscc": entities["a_food"].uscc})
    assert response.status_code == 403 and not ListEntry.objects.exists()


@pytest.mark.django_db
def test_enter_and_exit_through_the_api(client, users, entities):
    client.force_login(users["county_a"])
    created = post(client, "/credit/lists", {**ENTRY, "uscc": entities["a_food"].uscc.lower()})
    assert created.status_code == 201
    body = created.json()
    assert body["reason"] == "未在责令的期限内公示有关企业信息" and body["status"] == "current"
    again = post(client, "/credit/lists", {**ENTRY, "uscc": entities["a_food"].uscc})
    assert again.status_code == 409 and error(again)["code"] == "conflict"
    url = f"/credit/lists/{body['id']}/exit"
    exit_body = {"exit_reason": "remedied", "exited_on": "2026-11-01", "document_number": "临市监移〔2026〕2号"}
    done = post(client, url, exit_body)
    assert done.status_code == 200 and done.json()["status"] == "exited" and done.json()["exit_reason"] == "remedied"
    twice = post(client, url, exit_body)
    assert twice.status_code == 409 and error(twice)["code"] == "transition_not_allowed"


@pytest.mark.django_db
@pytest.mark.parametrize("change, status, code", [
    ({"reason_code": "WN01"}, 422, "invalid"),
    ({"list": "blacklist"}, 422, "invalid"),
    ({"entered_on": "2026-02-30"}, 422, "invalid"),
    ({"document_number": " "}, 422, "invalid"),
    ({"uscc": "91150821MA0000001X"}, 404, "not_found"),
])
def test_bad_entries_are_structured_errors_and_write_nothing(client, users, entities, change, status, code):
    client.force_login(users["county_a"])
    response = post(client, "/credit/lists", {**ENTRY, "uscc": entities["a_food"].uscc, **change})
    assert response.status_code == status and error(response)["code"] == code and error(response)["message"]
    assert not ListEntry.objects.exists() and not CreditEvent.objects.exists()


@pytest.mark.django_db
def test_another_countys_business_is_not_found_and_an_auditor_may_not_write(client, users, entities):
    client.force_login(users["county_a"])
    assert post(client, "/credit/lists", {**ENTRY, "uscc": entities["b_food"].uscc}).status_code == 404
    assert client.get(f"{API}/credit/ledger/{entities['b_food'].uscc}").status_code == 404
    client.force_login(users["auditor"])
    assert client.get(f"{API}/credit/ledger/{entities['b_food'].uscc}").status_code == 200
    assert post(client, "/credit/lists", {**ENTRY, "uscc": entities["b_food"].uscc}).status_code == 403
    assert not ListEntry.objects.exists()


@pytest.mark.django_db
def test_a_department_token_records_a_penalty_once_and_reads_the_ledger(client, users, entities):
    _, plain = api_token_create(actor=SYSTEM, name="食药监对接", department=Department.objects.get(code="fda"),
                                region=Region.objects.get(code="150800"))
    headers = {"Authorization": f"Bearer {plain}"}
    uscc = entities["b_food"].uscc
    body = {"kind": "penalty", "occurred_on": "2026-10-09", "detail": "经营超过保质期的食品",
            "document_number": "巴食药监罚〔2026〕9号", "authority": "巴彦淖尔市食品药品监督管理局"}
    first = post(client, f"/credit/ledger/{uscc}/events", body, headers=headers)
    assert first.status_code == 201 and first.json()["created"] is True
    second = post(client, f"/credit/ledger/{uscc}/events", body, headers=headers)
    assert second.status_code == 200 and second.json()["created"] is False
    assert second.json()["event"]["id"] == first.json()["event"]["id"]
    ledger = client.get(f"{API}/credit/ledger/{uscc}", headers=headers).json()
    assert [e["kind"] for e in ledger["events"]] == ["penalty"] and ledger["grade"]["grade"] in "ABCD"
    missing = post(client, f"/credit/ledger/{uscc}/events", {**body, "document_number": ""}, headers=headers)
    assert missing.status_code == 422
    other = post(client, f"/credit/ledger/{uscc}/events", {**body, "kind": "title_awarded"}, headers=headers)
    assert other.status_code == 422 and error(other)["details"]["field"] == "kind"
    assert CreditEvent.objects.count() == 1


@pytest.mark.django_db
def test_the_import_endpoint(client, users, entities):
    book = Workbook()
    sheet = book.active
    sheet.append(["统一社会信用代码", "事件类别", "发生日期", "内容", "来源编号"])
    sheet.append([entities["a_food"].uscc, "抽查检查合格", "2026-10-10", "双随机抽查合格", "JC-1"])
    sheet.append([entities["a_food"].uscc, "抽查检查合格", "后天", "双随机抽查合格", "JC-2"])
    buffer = io.BytesIO()
    book.save(buffer)
    client.force_login(users["county_a"])
    dry = client.post(f"{API}/credit/import", {"file": SimpleUploadedFile("jc.xlsx", buffer.getvalue()),
                                               "dry_run": "true"})
    assert dry.status_code == 200 and dry.json()["valid"] == 1 and not CreditEvent.objects.exists()
    response = client.post(f"{API}/credit/import", {"file": SimpleUploadedFile("jc.xlsx", buffer.getvalue())})
    body = response.json()
    assert response.status_code == 200 and len(body["imported"]) == 1
    assert body["errors"] == [{"row": 3, "columns": "发生日期", "message": "发生日期“后天”不是有效的日期，请填写如 2026-11-20"}]
    refused = client.post(f"{API}/credit/import", {"file": SimpleUploadedFile("x.csv", b"")})
    assert refused.status_code == 422 and "文件是空的" in error(refused)["message"]
    assert CreditEvent.objects.count() == 1
