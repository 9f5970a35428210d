"""The titles API: the public title check by USCC (banks, procurement offices) and the current publicity; for
staff the scoped application list and the review sign-off with 409 and the allowed transitions."""

import pytest
from django.utils import timezone

from fangxin.accounts.services import api_token_create
from fangxin.campaign.titles import services
from fangxin.campaign.titles.choices import ApplicationStatus
from fangxin.campaign.titles.models import Review
from fangxin.campaign.titles.tests.factories import (
    SYSTEM,
    award,
    full_marks,
    make_application,
    open_cycle,
    sign_both,
)
from fangxin.core.actors import Actor
from fangxin.organisation.models import Department, Region

API = "/api/v1"
UNKNOWN_USCC = "91150802MA0000000X"


def error(response) -> dict:
    return response.json()["error"]


def review_body(application, **overrides) -> dict:
    return {"scores": full_marks(application.standard), "decision": "approve", "opinion": "材料齐全，同意推荐",
            **overrides}


def review(client, application, **overrides):
    return client.post(f"{API}/titles/applications/{application.pk}/review", review_body(application, **overrides),
                       content_type="application/json")


# --- public --------------------------------------------------------------------------------------------------

def test_title_check_for_a_bank(client, users, entities):
    open_cycle()
    application = sign_both(make_application(entities["a_food"]), users["department"], users["association"])
    title = award(application, users["office"])
    response = client.get(f"{API}/public/titles/{entities['a_food'].uscc.lower()}")
    assert response.status_code == 200
    body = response.json()
    assert body["uscc"] == entities["a_food"].uscc and body["name"] == entities["a_food"].name
    assert body["holds_valid_title"] is True and body["highest_valid_level"] == "county"
    assert body["titles"] == [{
        "name": title.name, "level": "county", "level_label": "旗县区级", "year": title.year, "region": "临河区",
        "certificate_no": title.certificate_no, "awarded_on": title.awarded_on.isoformat(),
        "valid_until": title.valid_until.isoformat(), "status": "valid", "status_label": "有效"}]

    services.title_revoke(actor=Actor.for_user(users["office"]), title=title, reason="发生重大消费安全事故")
    body = client.get(f"{API}/public/titles/{entities['a_food'].uscc}").json()
    assert body["holds_valid_title"] is False and body["highest_valid_level"] is None
    assert [(t["certificate_no"], t["status"], t["status_label"]) for t in body["titles"]] == [
        (title.certificate_no, "revoked", "已撤销")]


def test_title_check_without_titles_and_for_an_unknown_code(client, entities):
    body = client.get(f"{API}/public/titles/{entities['b_food'].uscc}").json()
    assert body == {"uscc": entities["b_food"].uscc, "name": entities["b_food"].name, "holds_valid_title": False,
                    "highest_valid_level": None, "titles": []}
    missing = client.get(f"{API}/public/titles/{UNKNOWN_USCC}")
    assert missing.status_code == 404 and error(missing)["code"] == "not_found"


def test_current_publicity_lists_the_remaining_candidates(client, users, entities):
    open_cycle()
    office = Actor.for_user(users["office"])
    a = sign_both(make_application(entities["a_food"]), users["department"], users["association"])
    assert client.get(f"{API}/public/publicity").json() == []
    publicity = services.publicity_open(actor=office, cycle=a.cycle, level=a.level, region=a.region)
    a.refresh_from_db()
    body = client.get(f"{API}/public/publicity").json()
    assert [p["id"] for p in body] == [publicity.pk]
    notice = body[0]
    assert notice["title"] == str(publicity) and notice["level"] == "county" and notice["region"] == "150802"
    assert notice["candidates"] == [{
        "application_id": a.pk, "uscc": entities["a_food"].uscc, "name": entities["a_food"].name,
        "sector": "food_drug", "sector_name": entities["a_food"].sector.name, "county": "150802",
        "county_name": "临河区", "agreed_score": str(a.agreed_score), "standard_title": a.standard.title,
        "standard_version": a.standard.version, "pass_mark": str(a.standard.pass_mark)}]
    objection = services.objection_file(actor=SYSTEM, application=a, name="张三", contact_phone="13912345678",
                                        content="有过期商品")
    services.objection_answer(actor=office, objection=objection, upheld=True, answer="属实")
    assert client.get(f"{API}/public/publicity").json()[0]["candidates"] == []


# --- staff: the list -----------------------------------------------------------------------------------------

def test_the_application_list_is_scoped(client, users, entities):
    open_cycle()
    a = make_application(entities["a_food"])
    b = make_application(entities["b_food"])
    client.force_login(users["county_b"])
    body = client.get(f"{API}/titles/applications").json()
    assert [row["id"] for row in body["items"]] == [b.pk] and body["count"] == 1
    row = body["items"][0]
    assert row["uscc"] == entities["b_food"].uscc and row["status"] == "submitted" and row["status_label"] == "待评审"
    assert row["level"] == "county" and row["region"] == "150821" and row["reviews"] == []
    client.force_login(users["department"])  # fda at city level: both food businesses
    ids = {row["id"] for row in client.get(f"{API}/titles/applications").json()["items"]}
    assert ids == {a.pk, b.pk}
    assert client.get(f"{API}/titles/applications?status=reviewing").json()["items"] == []
    bad = client.get(f"{API}/titles/applications?status=nonsense")
    assert bad.status_code == 422 and error(bad)["details"] == {"field": "status"}


def test_the_list_refuses_merchants_and_anonymous_callers(client, users, entities):
    open_cycle()
    make_application(entities["a_food"])
    assert client.get(f"{API}/titles/applications").status_code == 401
    client.force_login(users["merchant"])
    response = client.get(f"{API}/titles/applications")
    assert response.status_code == 403 and error(response)["code"] == "forbidden"


# --- staff: the review ---------------------------------------------------------------------------------------

def test_both_sign_offs_then_a_third_is_409_with_the_allowed_transitions(client, users, entities):
    open_cycle()
    application = make_application(entities["a_food"])
    client.force_login(users["department"])
    first = review(client, application)
    assert first.status_code == 200, first.content
    assert first.json()["status"] == "reviewing" and first.json()["reviews"][0]["role"] == "lead_department"
    again = review(client, application)
    assert again.status_code == 409 and error(again)["code"] == "conflict"
    client.force_login(users["association"])
    second = review(client, application)
    body = second.json()
    assert body["status"] == "passed" and body["agreed_score"] is not None
    assert {r["role"] for r in body["reviews"]} == {"lead_department", "association"}

    client.force_login(users["department"])
    late = review(client, application)
    assert late.status_code == 409
    err = error(late)
    assert err["code"] == "transition_not_allowed" and "不能从“评审通过”变为“评审中”" in err["message"]
    assert err["details"]["from"] == "passed" and err["details"]["allowed"] == ["publicity", "withdrawn"]
    assert Review.objects.filter(application=application).count() == 2


def test_review_errors(client, users, entities):
    open_cycle()
    application = make_application(entities["a_food"])
    first_item = application.standard.items.filter(kind="scored").order_by("seq").first()
    client.force_login(users["department"])
    too_high = review(client, application, scores={**full_marks(application.standard),
                                                   str(first_item.seq): str(first_item.points + 5)})
    assert too_high.status_code == 422 and "超出范围" in error(too_high)["message"]
    no_decision = review(client, application, decision="maybe")
    assert no_decision.status_code == 422 and error(no_decision)["message"] == "请选择评审结论。"
    services.conflict_declare(actor=Actor.for_user(users["department"]), entity=entities["a_food"],
                              reason="亲属在该单位任职")
    conflicted = review(client, application)
    assert conflicted.status_code == 403 and "利益冲突" in error(conflicted)["message"]
    client.force_login(users["county_b"])  # another county: not found, as for a missing one
    assert review(client, application).status_code == 404
    assert client.post(f"{API}/titles/applications/999999/review", review_body(application),
                       content_type="application/json").status_code == 404
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED and not application.reviews.exists()


def test_a_department_token_cannot_sign(client, users, entities):
    open_cycle()
    application = make_application(entities["a_food"])
    _, plain = api_token_create(actor=Actor.system("test"), name="对接", department=Department.objects.get(code="fda"),
                                region=Region.objects.get(code="150800"))
    headers = {"Authorization": f"Bearer {plain}"}
    listed = client.get(f"{API}/titles/applications", headers=headers).json()["items"]
    assert [row["id"] for row in listed] == [application.pk]
    response = client.post(f"{API}/titles/applications/{application.pk}/review", review_body(application),
                           content_type="application/json", headers=headers)
    assert response.status_code == 403 and "API 令牌不能签署" in error(response)["message"]
    assert not application.reviews.exists()


@pytest.mark.parametrize("year, expected", [(None, 1), (2000, 0)])
def test_the_year_filter(client, users, entities, year, expected):
    open_cycle()
    make_application(entities["a_food"])
    client.force_login(users["office"])
    query = f"?year={year}" if year else f"?year={timezone.localdate().year}"
    assert client.get(f"{API}/titles/applications{query}").json()["count"] == expected
