"""The inspections API: a plan driven from creation to a published result, the public draw and record (which
verifies with no database), and the structured errors for bad input."""

import json

import pytest
from django.utils import timezone

from fangxin.inspections import draw as drawing
from fangxin.inspections.models import Draw, Inspection

from .factories import make_team

API = "/api/v1"
pytestmark = pytest.mark.django_db


def error(response) -> dict:
    return response.json()["error"]


def post(client, path, body=None):
    return client.post(f"{API}{path}", json.dumps(body or {}), content_type="application/json")


@pytest.fixture
def department_client(client, users, entities):
    make_team()
    client.force_login(users["department"])
    return client


def new_plan(client, **overrides):
    body = {"name": "食品经营者抽查", "counties": ["150802", "150821"], "ratios": {"A": "1", "B": "1", "C": "1",
                                                                            "D": "1"}, "items": ["证照公示"]}
    body.update(overrides)
    return post(client, "/inspections/plans", body)


def test_a_plan_through_the_api_to_a_published_result(department_client, client, entities):
    response = new_plan(department_client)
    assert response.status_code == 201, response.content
    plan = response.json()
    assert plan["lead_department"] == "fda" and plan["status"] == "draft" and plan["draw"] is None
    pid = plan["id"]
    # not yet frozen: drawing is an illegal step, with the allowed ones
    response = post(department_client, f"/inspections/plans/{pid}/draw")
    assert response.status_code == 409 and error(response)["details"]["allowed"] == ["frozen"]
    frozen = post(department_client, f"/inspections/plans/{pid}/freeze").json()
    assert frozen["status"] == "frozen" and frozen["draw"]["population_size"] == 4
    assert "server_secret" not in json.dumps(frozen)
    draw_id = frozen["draw"]["id"]
    secret = Draw.objects.get(pk=draw_id).server_secret
    for path in (f"/public/inspections/draws/{draw_id}", "/public/inspections/draws", f"/inspections/plans/{pid}"):
        assert secret not in department_client.get(f"{API}{path}").content.decode()
    public = client.get(f"{API}/public/inspections/draws/{draw_id}").json()
    assert public["server_secret"] is None and public["commitment_sha256"] == frozen["draw"]["commitment_sha256"]
    [brief] = client.get(f"{API}/public/inspections/draws").json()["items"]
    assert brief["id"] == draw_id and brief["population_size"] == 4 and brief["seed"] is None
    assert client.get(f"{API}/public/inspections/draws/{draw_id}/record").status_code == 404
    body = {"entropy": "6-2-3-5", "witnesses": "见证人王某、李某"}
    assert post(department_client, f"/inspections/plans/{pid}/entropy", body).status_code == 200
    again = post(department_client, f"/inspections/plans/{pid}/entropy", body)
    assert again.status_code == 409 and error(again)["code"] == "conflict"
    drawn = post(department_client, f"/inspections/plans/{pid}/draw").json()
    assert drawn["status"] == "drawn" and drawn["draw"]["seed"]
    second = post(department_client, f"/inspections/plans/{pid}/draw")
    assert second.status_code == 409 and error(second)["code"] == "conflict"

    client.logout()
    record = client.get(f"{API}/public/inspections/draws/{draw_id}/record").json()
    assert drawing.verify(record) == []
    public = client.get(f"{API}/public/inspections/draws/{draw_id}").json()
    assert public["server_secret"] == record["server_secret"] and len(public["selected"]) == 4
    assert all(len(row["inspectors"]) == 2 and row["inspectors"][0]["name"] for row in public["selected"])

    department_client.force_login(Inspection.objects.first().plan.created_by)
    rows = department_client.get(f"{API}/inspections/plans/{pid}/inspections").json()["items"]
    assert [row["uscc"] for row in rows] == [entry["uscc"] for entry in record["selected"]]
    first = rows[0]["id"]
    assert department_client.get(f"{API}/inspections/plans/{pid}/inspections", {"status": "x"}).status_code == 422
    bad = post(department_client, f"/inspections/inspections/{first}/result",
               {"outcome": "problems", "description": "", "inspected_on": timezone.localdate().isoformat()})
    assert bad.status_code == 422
    ok = post(department_client, f"/inspections/inspections/{first}/result",
              {"outcome": "problems", "description": "未公示营业执照", "inspected_on": timezone.localdate().isoformat()})
    assert ok.status_code == 200 and ok.json()["status"] == "recorded" and ok.json()["publish_due"]
    blocked = post(department_client, "/inspections/results/publish", {"inspection_ids": [rows[0]["id"], rows[1]["id"]]})
    assert blocked.status_code == 409
    published = post(department_client, "/inspections/results/publish", {"inspection_ids": [first]})
    assert published.json() == {"published": 1}
    results = client.get(f"{API}/public/inspections/results").json()["items"]
    assert [(r["id"], r["outcome"], r["description"], r["draw_id"]) for r in results] == [
        (first, "problems", "未公示营业执照", draw_id)]
    assert client.get(f"{API}/public/inspections/results", {"outcome": "passed"}).json()["items"] == []


def test_bad_plans_answer_422(department_client):
    response = new_plan(department_client, ratios={"A": "1.5", "B": "0.05", "C": "0.1", "D": "0.2"})
    assert response.status_code == 422 and "超出 0 到 1" in error(response)["message"]
    response = new_plan(department_client, counties=["999999"])
    assert response.status_code == 422
    response = new_plan(department_client, team_size=0)
    assert response.status_code == 422


def test_plans_are_scoped(client, users, entities):
    make_team()
    client.force_login(users["department"])
    plan = new_plan(client, counties=["150802"]).json()
    client.force_login(users["county_b"])
    assert client.get(f"{API}/inspections/plans/{plan['id']}").status_code == 404
    assert client.get(f"{API}/inspections/plans").json()["items"] == []
    client.force_login(users["county_a"])
    assert [p["id"] for p in client.get(f"{API}/inspections/plans").json()["items"]] == [plan["id"]]
    freeze = post(client, f"/inspections/plans/{plan['id']}/freeze")
    assert freeze.status_code == 403
    client.force_login(users["merchant"])
    assert client.get(f"{API}/inspections/plans").status_code == 403
    client.logout()
    assert client.get(f"{API}/inspections/plans").status_code == 401


def test_unknown_public_draw_is_404(client, db):
    assert client.get(f"{API}/public/inspections/draws/999").status_code == 404
    assert client.get(f"{API}/public/inspections/draws/999/record").status_code == 404
