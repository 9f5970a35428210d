import pytest
from django.urls import reverse

from fangxin.core.actors import Actor
from fangxin.triage.services import triage_correction_record


@pytest.mark.django_db
def test_county_staff_see_the_scores_and_recent_corrections(client, users, model_dir):
    triage_correction_record(actor=Actor.for_user(users["county_a"]), text="电话13812345678，理发店办卡后关门",
                             predicted={"sector": "other", "problem_types": ["contract"]}, sector="beauty_fitness",
                             problem_types=["prepaid"], source_ref="complaint:9")
    client.force_login(users["county_a"])
    page = client.get(reverse("triage:scores"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "自动分诊模型" in html and "行业准确率" in html and "complaint:9" in html
    assert "138****5678" in html and "13812345678" not in html
    assert "分诊模型" in client.get(reverse("workbench:home")).content.decode()  # the menu entry


@pytest.mark.django_db
def test_anonymous_go_to_login_and_merchants_get_404(client, users, model_dir):
    response = client.get(reverse("triage:scores"))
    assert response.status_code == 302 and "/accounts/" in response["Location"]
    client.force_login(users["merchant"])
    assert client.get(reverse("triage:scores")).status_code == 404


@pytest.mark.django_db
def test_api_classify_and_mask_for_staff(client, users, entities, model_dir):
    assert client.post("/api/v1/triage/classify", {"text": "快递丢了"}, content_type="application/json").status_code == 401
    client.force_login(users["merchant"])
    assert client.post("/api/v1/triage/mask", {"text": "x"}, content_type="application/json").status_code == 403
    client.force_login(users["county_a"])
    body = client.post("/api/v1/triage/classify", {"text": "在“临河区华联超市”买的牛奶过期了，喝了拉肚子"},
                       content_type="application/json").json()
    assert body["sector"] == "food_drug" and body["department"] == "fda"
    assert body["registry_matches"][0]["uscc"] == entities["a_food"].uscc
    masked = client.post("/api/v1/triage/mask", {"text": "电话13812345678"}, content_type="application/json").json()
    assert masked == {"text": "电话138****5678", "spans": [{"start": 2, "end": 13, "type": "mobile"}]}
    too_long = client.post("/api/v1/triage/mask", {"text": "字" * 100_001}, content_type="application/json")
    assert too_long.status_code == 422
