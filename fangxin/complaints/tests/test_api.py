"""The complaints API: token intake, duplicates, scope, masking and audited personal views, workflow actions
with 409 on an illegal transition, metrics, and the public endpoints."""

from datetime import timedelta

import pytest
from django.utils import timezone

from fangxin.accounts.services import api_token_create
from fangxin.complaints.choices import Status
from fangxin.complaints.models import Complaint
from fangxin.complaints.tests.factories import make_complaint
from fangxin.core.actors import Actor
from fangxin.core.models import AuditRecord
from fangxin.organisation.models import Department, Region

API = "/api/v1"

BODY = {
    "complainant_name": "李四", "complainant_phone": "13900005678", "business_name": "临河区华联超市",
    "item": "食用油一桶", "description": "食用油有哈喇味，超市拒绝退货。", "demand": "退货退款",
    "region_code": "150802", "amount": "89.00", "consent_mediation": True, "external_ref": "12315-2026-0001",
}


@pytest.fixture
def token(reference):
    _, plain = api_token_create(actor=Actor.system("test"), name="12315 对接", department=Department.objects.get(code="fda"),
                                region=Region.objects.get(code="150800"))
    return {"Authorization": f"Bearer {plain}"}


def error(response) -> dict:
    return response.json()["error"]


def test_token_intake_is_201_and_a_quick_resubmission_is_200_with_the_same_number(client, users, token):
    first = client.post(f"{API}/complaints", BODY, content_type="application/json", headers=token)
    assert first.status_code == 201, first.content
    body = first.json()
    complaint = Complaint.objects.get(tracking_no=body["tracking_no"])
    assert complaint.channel == "api" and complaint.external_ref == "12315-2026-0001"
    assert body == {"tracking_no": complaint.tracking_no, "status": "received", "status_label": "待受理",
                    "region": "150802", "region_name": "临河区", "department": "fda", "duplicate": False}
    again = client.post(f"{API}/complaints", {**BODY, "external_ref": ""}, content_type="application/json",
                        headers=token)
    assert again.status_code == 200
    assert again.json()["tracking_no"] == complaint.tracking_no and again.json()["duplicate"] is True
    same_ref = client.post(f"{API}/complaints", {**BODY, "description": "另一段文字"},
                           content_type="application/json", headers=token)
    assert same_ref.status_code == 200 and same_ref.json()["tracking_no"] == complaint.tracking_no
    assert Complaint.objects.count() == 1


def test_intake_errors_are_structured(client, users, token):
    bad = client.post(f"{API}/complaints", {**BODY, "complainant_phone": "12345"}, content_type="application/json",
                      headers=token)
    assert bad.status_code == 422
    assert error(bad)["code"] == "invalid" and error(bad)["details"] == {"field": "complainant_phone"}
    assert "联系电话格式不正确" in error(bad)["message"]
    missing = client.post(f"{API}/complaints", {"complainant_name": "李四"}, content_type="application/json",
                          headers=token)
    assert missing.status_code == 422 and error(missing)["code"] == "invalid"
    assert client.post(f"{API}/complaints", BODY, content_type="application/json").status_code == 401
    client.force_login(users["auditor"])
    denied = client.post(f"{API}/complaints", BODY, content_type="application/json")
    assert denied.status_code == 403 and error(denied)["code"] == "forbidden"
    client.force_login(users["merchant"])
    assert client.post(f"{API}/complaints", BODY, content_type="application/json").status_code == 403
    assert not Complaint.objects.exists()


def test_out_of_scope_is_404_and_the_list_is_scoped(client, users):
    own = make_complaint(Status.RECEIVED)
    other = make_complaint(Status.RECEIVED, business_name="五原县华联生鲜超市", region_code="150821",
                           description="五原县的投诉。")
    client.force_login(users["county_a"])
    missing = client.get(f"{API}/complaints/{other.tracking_no}")
    assert missing.status_code == 404 and error(missing)["code"] == "not_found"
    accept_other = client.post(f"{API}/complaints/{other.tracking_no}/actions/accept", {},
                               content_type="application/json")
    assert accept_other.status_code == 404
    assert Complaint.objects.get(pk=other.pk).status == Status.RECEIVED
    listed = client.get(f"{API}/complaints").json()
    assert [row["tracking_no"] for row in listed["items"]] == [own.tracking_no]
    assert client.get(f"{API}/complaints?status=accepted").json()["count"] == 0
    assert client.get(f"{API}/complaints?region=150802&status=received").json()["count"] == 1
    assert client.get(f"{API}/complaints?status=nonsense").status_code == 422
    client.force_login(users["auditor"])
    assert client.get(f"{API}/complaints").json()["count"] == 2
    assert client.get(f"{API}/complaints?region=150821").json()["items"][0]["tracking_no"] == other.tracking_no


def test_personal_data_is_masked_unless_asked_for_by_handling_staff_and_the_view_is_audited(client, users):
    complaint = make_complaint(Status.RECEIVED, complainant_name="王小明", complainant_phone="13912345678")
    client.force_login(users["county_a"])
    masked = client.get(f"{API}/complaints/{complaint.tracking_no}").json()
    assert masked["personal_masked"] is True
    assert masked["complainant"]["name"] == "王**" and masked["complainant"]["phone"] == "139****5678"
    assert not AuditRecord.objects.filter(action="complaints.personal_view").exists()
    shown = client.get(f"{API}/complaints/{complaint.tracking_no}?include_personal=true").json()
    assert shown["personal_masked"] is False and shown["complainant"]["phone"] == "13912345678"
    assert AuditRecord.objects.filter(action="complaints.personal_view").count() == 1
    client.force_login(users["association"])  # sees the complaint, does not handle it
    assert client.get(f"{API}/complaints/{complaint.tracking_no}").json()["complainant"]["name"] == "王**"
    refused = client.get(f"{API}/complaints/{complaint.tracking_no}?include_personal=true")
    assert refused.status_code == 403
    assert AuditRecord.objects.filter(action="complaints.personal_view").count() == 1


def test_actions_walk_the_workflow_and_an_illegal_transition_is_409(client, users):
    complaint = make_complaint(Status.RECEIVED)
    url = f"{API}/complaints/{complaint.tracking_no}/actions"
    client.force_login(users["county_a"])
    accepted = client.post(f"{url}/accept", {"note": "符合受理条件"}, content_type="application/json")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    again = client.post(f"{url}/accept", {}, content_type="application/json")
    assert again.status_code == 409
    assert error(again) == {"code": "transition_not_allowed", "message": "不能从“已受理”变为“已受理”。",
                            "details": {"machine": "complaint", "from": "accepted", "to": "accepted",
                                        "allowed": ["agreement", "mediating", "mediation_ended", "referred",
                                                    "testing", "withdrawn"]}}
    refuse = client.post(f"{url}/refuse", {"reason_number": 3}, content_type="application/json")
    assert refuse.status_code == 409 and error(refuse)["code"] == "transition_not_allowed"
    no_date = client.post(f"{url}/mediation_start", {"place": "调解室", "mediator": "李调解"},
                          content_type="application/json")
    assert no_date.status_code == 422 and error(no_date)["details"] == {"field": "held_on"}
    started = client.post(f"{url}/mediation_start", {"held_on": timezone.localdate().isoformat(),
                                                      "place": "临河区市场监管局调解室", "mediator": "李调解"},
                          content_type="application/json")
    assert started.json()["status"] == "mediating"
    agreed = client.post(f"{url}/agreement", {"settlement_type": "refund", "terms": "退款 59.90 元",
                                              "recovered_amount": "59.90"}, content_type="application/json")
    assert agreed.status_code == 200
    assert agreed.json()["status"] == "agreement" and agreed.json()["recovered_amount"] == "59.90"
    assert [e["action"] for e in agreed.json()["timeline"]][-3:] == ["accept", "mediation_start", "agreement"]
    assert client.post(f"{url}/explode", {}, content_type="application/json").status_code == 404
    client.force_login(users["auditor"])
    read_only = client.post(f"{url}/withdraw", {}, content_type="application/json")
    assert read_only.status_code == 403 and "只读" in error(read_only)["message"]
    assert Complaint.objects.get(pk=complaint.pk).status == Status.AGREEMENT


def test_refuse_needs_a_reason_number(client, users):
    complaint = make_complaint(Status.RECEIVED)
    client.force_login(users["county_a"])
    url = f"{API}/complaints/{complaint.tracking_no}/actions/refuse"
    assert client.generic("POST", url).status_code == 422  # no body at all: the reason is missing
    refused = client.post(url, {"reason_number": 3, "note": "已起诉"}, content_type="application/json")
    assert refused.status_code == 200 and refused.json()["status"] == "refused"


def test_metrics_match_the_fixture_and_stay_in_scope(client, users):
    make_complaint(Status.AGREEMENT, description="一：调解成功")
    make_complaint(Status.REFUSED, description="二：不予受理")
    make_complaint(Status.RECEIVED, description="三：待受理")
    make_complaint(Status.RECEIVED, business_name="五原县华联生鲜超市", region_code="150821",
                   description="四：五原县")
    today = timezone.localdate()
    query = f"start={(today - timedelta(days=7)).isoformat()}&end={today.isoformat()}"
    client.force_login(users["county_a"])
    data = client.get(f"{API}/complaints/metrics?{query}").json()
    assert (data["received"], data["accepted"], data["closed"], data["settled"]) == (3, 1, 1, 1)
    assert data["recovered_amount"] == "559.90"
    assert (data["handling_rate"], data["success_rate"], data["satisfaction_rate"]) == (1.0, 1.0, None)
    assert client.get(f"{API}/complaints/metrics?{query}&region=150821").json()["received"] == 0
    client.force_login(users["auditor"])
    assert client.get(f"{API}/complaints/metrics?{query}").json()["received"] == 4
    assert client.get(f"{API}/complaints/metrics?{query}&region=150821").json()["received"] == 1
    assert client.get(f"{API}/complaints/metrics?{query}&sector=food_drug").json()["received"] == 4
    backwards = client.get(f"{API}/complaints/metrics?start={today.isoformat()}&end=2020-01-01")
    assert backwards.status_code == 422 and error(backwards)["details"] == {"field": "end"}


def test_public_intake_and_tracking(client, entities):
    body = {key: value for key, value in BODY.items() if key != "external_ref"}
    filed = client.post(f"{API}/public/complaints", body, content_type="application/json")
    assert filed.status_code == 201
    number = filed.json()["tracking_no"]
    assert Complaint.objects.get(tracking_no=number).channel == "web"
    assert client.post(f"{API}/public/complaints", body, content_type="application/json").json() == {
        **filed.json(), "duplicate": True}
    tracked = client.get(f"{API}/public/complaints/{number}?phone_last4=5678")
    assert tracked.status_code == 200
    assert tracked.json()["status_label"] == "待受理" and tracked.json()["timeline"][0]["label"] == "收到投诉"
    wrong = client.get(f"{API}/public/complaints/{number}?phone_last4=0000")
    assert wrong.status_code == 404 and error(wrong)["code"] == "not_found"
    assert client.get(f"{API}/public/complaints/{number}").status_code == 404
    assert client.get(f"{API}/public/complaints/T20260101K7M2QA?phone_last4=5678").status_code == 404


def test_public_disclosure_counts_and_masks(client, entities):
    make_complaint(Status.AGREEMENT, description="店员王小明给我打电话 13912345678，态度恶劣。")
    make_complaint(Status.RECEIVED, description="还没办结的不公示。")
    make_complaint(Status.REFUSED, consent_publication=False, description="不同意公示的不公示。")
    data = client.get(f"{API}/public/disclosure/{entities['a_food'].uscc}").json()
    assert (data["received"], data["accepted"], data["settled"]) == (3, 1, 1)
    assert data["mediation_success_rate"] == 1.0
    assert len(data["cases"]) == 1
    case = data["cases"][0]
    assert "13912345678" not in case["description"] and "态度恶劣" in case["description"]
    assert client.get(f"{API}/public/disclosure/91150802MA00000000").status_code == 404
