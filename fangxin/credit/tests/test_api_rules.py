"""The grades, rules and repair API: scope (404 outside), roles (403), the explanation and the rules that apply,
editing rules as the office only, repair submission with files and the decision with 409 when decided."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from fangxin.accounts.services import api_token_create
from fangxin.core.actors import Actor
from fangxin.core.tests import samples
from fangxin.credit.models import JointRule, RepairRequest
from fangxin.credit.services import credit_event_record, list_enter
from fangxin.organisation.models import Department, Region

API = "/api/v1"
SYSTEM = Actor.system("test")
PNG = samples.PNG


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def penalty(entity, ref="penalty:1"):
    return credit_event_record(actor=SYSTEM, entity=entity, kind="penalty",
                               occurred_on=timezone.localdate() - timedelta(days=73), detail="销售过期食品",
                               source_ref=ref, document_number="临市监罚〔2026〕8号", authority="临河区市场监督管理局")


def error(response) -> dict:
    return response.json()["error"]


@pytest.mark.django_db
def test_the_merchant_reads_its_grade_and_explanation_and_no_one_elses(client, users, entities):
    event = penalty(entities["a_food"])
    list_enter(actor=SYSTEM, entity=entities["a_food"], kind="serious", reason_code="1", reason="销售假冒商品",
               authority="巴彦淖尔市市场监督管理局", document_number="巴市监严〔2026〕1号", entered_on=timezone.localdate())
    penalty(entities["b_food"], ref="penalty:2")
    client.force_login(users["merchant"])
    body = client.get(f"{API}/credit/grades/{entities['a_food'].uscc}").json()
    assert (body["grade"], body["score"], body["model_version"]) == ("D", "86.00", 1)
    assert body["explanation"]["grade_by_score"] == "B"
    assert [(line["event_id"], line["applied"]) for line in body["explanation"]["events"]] == [(event.pk, "-14.00")]
    assert body["explanation"]["list_caps"] == [{"list": "serious", "label": "严重违法失信名单", "cap": "D"}]
    assert [h["to_grade"] for h in body["history"]] == ["D", "B"]
    assert body["rules_applied"][0].startswith("依据联合惩戒规则“严重违法失信名单主体不得参加创建”")
    assert client.get(f"{API}/credit/grades/{entities['b_food'].uscc}").status_code == 404
    client.force_login(users["county_b"])
    assert client.get(f"{API}/credit/grades/{entities['a_food'].uscc}").status_code == 404
    assert client.get(f"{API}/credit/grades/{entities['b_food'].uscc}").json()["grade"] == "B"


@pytest.mark.django_db
def test_rules_are_read_by_staff_and_changed_by_the_office(client, users):
    client.force_login(users["county_a"])
    rules = client.get(f"{API}/credit/rules").json()
    assert {r["name"] for r in rules} >= {"严重违法失信名单主体不得参加创建", "D 级主体提高抽查比例"}
    d_rule = next(r for r in rules if r["name"] == "D 级主体提高抽查比例")
    assert d_rule["inspection_ratio"] == "0.30" and d_rule["effect_labels"] == ["提高抽查比例"]
    payload = {**{k: d_rule[k] for k in ("name", "condition_kind", "condition_value", "effects", "warning_text",
                                         "basis", "active", "position")}, "inspection_ratio": "0.40"}
    response = client.put(f"{API}/credit/rules/{d_rule['id']}", payload, content_type="application/json")
    assert response.status_code == 403
    client.force_login(users["office"])
    response = client.put(f"{API}/credit/rules/{d_rule['id']}", payload, content_type="application/json")
    assert response.status_code == 200 and response.json()["inspection_ratio"] == "0.40"
    assert str(JointRule.objects.get(pk=d_rule["id"]).inspection_ratio) == "0.40"
    bad = client.post(f"{API}/credit/rules", {**payload, "name": "新规则", "condition_kind": "list",
                                              "condition_value": "warning"}, content_type="application/json")
    assert bad.status_code == 422 and "只能按信用等级设定" in error(bad)["message"]
    made = client.post(f"{API}/credit/rules", {"name": "警示名单提示", "condition_kind": "list",
                                               "condition_value": "warning", "effects": ["profile_warning"],
                                               "warning_text": "已被列入警示名单"}, content_type="application/json")
    assert made.status_code == 201 and made.json()["condition_label"] == "列入警示名单"
    assert client.put(f"{API}/credit/rules/999999", payload, content_type="application/json").status_code == 404


@pytest.mark.django_db
def test_repair_through_the_api(client, users, entities):
    event = penalty(entities["a_food"])
    client.force_login(users["merchant"])
    response = client.post(f"{API}/credit/repairs", {
        "uscc": entities["a_food"].uscc, "event_id": event.pk, "statement": "已缴纳罚款，过期食品全部下架销毁。",
        "files": [SimpleUploadedFile("凭证.png", PNG, content_type="image/png")]})
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["status"], created["event_id"], created["evidence"]) == ("submitted", event.pk, ["凭证.png"])
    no_files = client.post(f"{API}/credit/repairs", {"uscc": entities["a_food"].uscc, "event_id": event.pk,
                                                    "statement": "已缴纳罚款，过期食品全部下架销毁。"})
    assert no_files.status_code == 422
    other = client.post(f"{API}/credit/repairs", {
        "uscc": entities["b_food"].uscc, "statement": "已缴纳罚款，过期食品全部下架销毁。",
        "files": [SimpleUploadedFile("凭证.png", PNG, content_type="image/png")]})
    assert other.status_code == 404
    decide = {"approve": True, "reason": "已履行处罚"}
    assert client.post(f"{API}/credit/repairs/{created['id']}/decision", decide,
                       content_type="application/json").status_code == 403
    client.force_login(users["county_b"])
    assert client.post(f"{API}/credit/repairs/{created['id']}/decision", decide,
                       content_type="application/json").status_code == 404
    assert client.get(f"{API}/credit/repairs").json() == []
    client.force_login(users["county_a"])
    assert [r["id"] for r in client.get(f"{API}/credit/repairs?status=submitted").json()] == [created["id"]]
    assert client.get(f"{API}/credit/repairs?status=maybe").status_code == 422
    done = client.post(f"{API}/credit/repairs/{created['id']}/decision", decide, content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "approved" and done.json()["repair_event_id"]
    again = client.post(f"{API}/credit/repairs/{created['id']}/decision", decide, content_type="application/json")
    assert again.status_code == 409
    assert RepairRequest.objects.get().status == "approved"
    client.force_login(users["merchant"])
    grade = client.get(f"{API}/credit/grades/{entities['a_food'].uscc}").json()
    assert grade["score"] == "100.00" and grade["explanation"]["repaired"][0]["event_id"] == event.pk


@pytest.mark.django_db
def test_a_department_token_reads_grades_in_scope_but_cannot_decide_or_submit(client, users, entities):
    event = penalty(entities["a_food"])
    _, plain = api_token_create(actor=SYSTEM, name="对接", department=Department.objects.get(code="fda"),
                                region=Region.objects.get(code="150800"))
    headers = {"Authorization": f"Bearer {plain}"}
    assert client.get(f"{API}/credit/grades/{entities['a_food'].uscc}", headers=headers).json()["grade"] == "B"
    response = client.post(f"{API}/credit/repairs", {
        "uscc": entities["a_food"].uscc, "event_id": event.pk, "statement": "已缴纳罚款，过期食品全部下架销毁。",
        "files": [SimpleUploadedFile("凭证.png", PNG, content_type="image/png")]}, headers=headers)
    assert response.status_code == 403
    assert client.get(f"{API}/credit/grades/{entities['a_food'].uscc}").status_code == 401
