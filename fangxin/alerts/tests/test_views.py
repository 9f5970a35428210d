"""The pages and the API: scope (404 for others), the workflow buttons, thresholds, the merchant's declaration,
and the profile include."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from fangxin.accounts.services import api_token_create
from fangxin.accounts.tests.factories import make_user
from fangxin.alerts import selectors, services
from fangxin.alerts.choices import WarningKind, WarningStatus
from fangxin.alerts.models import AlertSettings, PrepaidScheme, Warning
from fangxin.core.actors import Actor
from fangxin.merchants.tests.factories import make_entity
from fangxin.organisation.models import Department, Region

from .factories import add_complaints, declare

pytestmark = pytest.mark.django_db
API = "/api/v1"


@pytest.fixture
def warning(users, entities):
    add_complaints(entities["a_food"], {0: 3, 1: 3, 60: 1})
    services.scan(actor=Actor.system("test"))
    return Warning.objects.get(kind=WarningKind.ENTITY_SURGE)


def test_list_is_scoped(client, users, warning):
    url = reverse("alerts:list")
    client.force_login(users["county_a"])
    page = client.get(url).content.decode()
    assert "临河区华联超市" in page and "经营者投诉激增" in page and "立即扫描" not in page
    assert "6 / 0.23" in page and "6（阈值 5）" in page  # a surge's expectation, a mass incident's threshold
    client.force_login(users["county_b"])
    assert "临河区华联超市" not in client.get(url).content.decode()
    assert client.get(reverse("alerts:detail", args=[warning.pk])).status_code == 404
    client.force_login(users["merchant"])
    assert client.get(url).status_code == 404
    client.force_login(users["office"])
    page = client.get(url + "?status=closed").content.decode()
    assert "临河区华联超市" not in page and "立即扫描" in page
    assert "临河区华联超市" in client.get(url + "?kind=entity_surge&status=").content.decode()
    Warning.objects.update(status=WarningStatus.CLOSED)
    assert "临河区华联超市" not in client.get(url + "?page=1").content.decode()  # still only the unclosed


def test_detail_walks_the_workflow(client, users, warning):
    client.force_login(users["county_a"])
    detail = reverse("alerts:detail", args=[warning.pk])
    page = client.get(detail).content.decode()
    assert 'value="acknowledged"' in page and 'value="closed"' not in page
    assert warning.entity.name in page and "相关投诉（6 件）" in page
    transition = reverse("alerts:transition", args=[warning.pk])
    response = client.post(transition, {"to_status": "acknowledged"})
    assert response.status_code == 302
    response = client.post(transition, {"to_status": "handling", "note": ""})
    assert response.status_code == 422 and "请填写处置措施" in response.content.decode()
    client.post(transition, {"to_status": "handling", "note": "约谈经营者"})
    response = client.post(transition, {"to_status": "acknowledged"})
    assert response.status_code == 422 and "不能从" in response.content.decode()
    client.post(transition, {"to_status": "closed", "note": "已整改"})
    warning.refresh_from_db()
    assert warning.status == WarningStatus.CLOSED and warning.closed_note == "已整改"
    page = client.get(detail).content.decode()
    assert "已办结" in page and "约谈经营者" in page and 'name="to_status"' not in page
    # a closed warning has no action form left: the refusal is said at the top of the page
    again = client.post(transition, {"to_status": "closed", "note": "再次办结"}).content.decode()
    assert "不能从" in again and 'class="message message-error"' in again
    bogus = client.post(transition, {"to_status": "bogus"}).content.decode()
    assert "请从页面上的按钮选择要执行的处置步骤" in bogus


def test_readers_see_no_buttons_and_cannot_post(client, users, warning):
    client.force_login(users["auditor"])
    page = client.get(reverse("alerts:detail", args=[warning.pk])).content.decode()
    assert "只读" in page and 'name="to_status"' not in page
    response = client.post(reverse("alerts:transition", args=[warning.pk]), {"to_status": "acknowledged"})
    assert response.status_code == 422 and "签收处置" in response.content.decode()
    assert Warning.objects.get(pk=warning.pk).status == WarningStatus.OPEN


def test_office_scans_and_sets_thresholds(client, users, entities):
    add_complaints(entities["a_food"], {0: 3, 1: 1})
    client.force_login(users["office"])
    client.post(reverse("alerts:scan"))
    assert not Warning.objects.filter(kind=WarningKind.MASS_INCIDENT).exists()
    url = reverse("alerts:settings")
    form = {name: getattr(AlertSettings(), name) for name in services.SETTING_FIELDS}
    response = client.post(url, {**form, "mass_threshold": "1"})
    assert response.status_code == 422 and "field-error" in response.content.decode()
    response = client.post(url, {**form, "mass_threshold": "4"})
    assert response.status_code == 302 and AlertSettings.objects.get().mass_threshold == 4
    response = client.post(reverse("alerts:scan"), follow=True)
    assert "扫描完成：新发预警" in response.content.decode()
    assert Warning.objects.filter(kind=WarningKind.MASS_INCIDENT).exists()
    client.force_login(users["county_a"])
    assert client.get(url).status_code == 404
    assert client.post(reverse("alerts:scan")).status_code == 404
    client.force_login(users["auditor"])
    page = client.get(url).content.decode()
    assert "只读" in page and "<form method=\"post\" class=\"form\"" not in page


@pytest.fixture
def salon(users):
    salon = make_entity(county="150802", sector="beauty_fitness", name="临河区丽人美发店")
    owner = make_user("salon", "merchant", entities=[salon])
    return salon, owner


def test_merchant_declares_on_the_page(client, users, salon):
    entity, owner = salon
    client.force_login(owner)
    page = client.get(reverse("alerts:prepaid_list")).content.decode()
    assert "临河区丽人美发店" in page and "尚未申报" in page
    url = reverse("alerts:prepaid_declare", args=[entity.uscc])
    response = client.post(url, {"issues_cards": "yes", "card_types": ["count"], "outstanding_balance": "5000",
                                 "cardholders": "40", "custody": "bank", "custodian": ""})
    assert response.status_code == 422 and "请填写存管银行或担保机构名称" in response.content.decode()
    response = client.post(url, {"issues_cards": "yes", "card_types": ["count"], "outstanding_balance": "5000",
                                 "cardholders": "40", "custody": "bank", "custodian": "建设银行"}, follow=True)
    assert "已保存临河区丽人美发店的预付卡申报" in response.content.decode()
    scheme = PrepaidScheme.objects.get(entity=entity)
    assert scheme.custodian == "建设银行" and scheme.cardholders == 40
    # someone else's business, and a business outside the prepaid sectors: 404
    other = make_entity(county="150802", sector="beauty_fitness", name="临河区别家美容院")
    assert client.get(reverse("alerts:prepaid_declare", args=[other.uscc])).status_code == 404
    client.force_login(users["merchant"])
    assert client.get(reverse("alerts:prepaid_declare", args=[users["merchant"].bindings.get().entity.uscc])
                      ).status_code == 404
    client.force_login(users["county_a"])
    assert client.get(reverse("alerts:prepaid_list")).status_code == 404


def test_profile_include(users, salon, entities):
    entity, _ = salon
    assert render_to_string("alerts/_prepaid_profile.html", {"prepaid": selectors.prepaid_for_profile(
        entities["a_food"])}).strip() == ""
    assert "尚未申报" in render_to_string("alerts/_prepaid_profile.html",
                                          {"prepaid": selectors.prepaid_for_profile(entity)})
    declare(entity, custody="none", custodian="", card_types=["stored_value", "period"])
    html = render_to_string("alerts/_prepaid_profile.html", {"prepaid": selectors.prepaid_for_profile(entity)})
    assert "储值卡（充值卡）、期限卡（月卡、季卡、年卡）" in html and "125000.00 元（310 名持卡人）" in html
    assert "无存管或担保" in html and "办卡请谨慎" in html


# --- API ------------------------------------------------------------------------------------------------------

def test_api_lists_and_moves_a_warning(client, users, warning):
    client.force_login(users["department"])
    body = client.get(f"{API}/alerts/warnings?kind=entity_surge").json()
    row = body["items"][0]
    assert body["count"] == 1 and row["uscc"] == warning.entity.uscc and row["department"] == "fda"
    assert row["allowed"] == ["acknowledged"] and row["events"][0]["label"] == "发出预警"
    url = f"{API}/alerts/warnings/{warning.pk}/transition"
    bad = client.post(url, {"to": "closed", "note": "x"}, content_type="application/json")
    assert bad.status_code == 409 and bad.json()["error"]["details"]["allowed"] == ["acknowledged"]
    ok = client.post(url, {"to": "acknowledged"}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["status"] == "acknowledged"
    missing = client.post(url, {"to": "handling"}, content_type="application/json")
    assert missing.status_code == 422 and missing.json()["error"]["details"]["field"] == "note"
    assert client.get(f"{API}/alerts/warnings?status=nonsense").status_code == 422
    client.force_login(users["county_b"])
    assert client.get(f"{API}/alerts/warnings/{warning.pk}").status_code == 404
    client.force_login(users["merchant"])
    assert client.get(f"{API}/alerts/warnings").status_code == 403


def test_api_department_token(client, users, warning):
    _, plain = api_token_create(actor=Actor.system("test"), name="对接", department=Department.objects.get(code="fda"),
                                region=Region.objects.get(code="150800"))
    headers = {"Authorization": f"Bearer {plain}"}
    response = client.post(f"{API}/alerts/warnings/{warning.pk}/transition", {"to": "acknowledged"},
                           content_type="application/json", headers=headers)
    assert response.status_code == 200 and response.json()["events"][-1]["label"] == "签收"


def test_api_prepaid_declaration(client, users, salon):
    entity, owner = salon
    client.force_login(owner)
    assert client.get(f"{API}/alerts/prepaid").json() == [{
        "uscc": entity.uscc, "name": entity.name, "declared": False, "issues_cards": None, "card_types": [],
        "outstanding_balance": None, "cardholders": None, "custody": None, "custodian": "", "refund_policy": "",
        "declared_at": None}]
    url = f"{API}/alerts/prepaid/{entity.uscc}"
    bad = client.put(url, {"issues_cards": True, "card_types": ["gold"]}, content_type="application/json")
    assert bad.status_code == 422 and bad.json()["error"]["details"]["field"] == "card_types"
    ok = client.put(url, {"issues_cards": True, "card_types": ["period"], "outstanding_balance": "8800",
                          "cardholders": 12, "custody": "deposit"}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["declared"] and ok.json()["outstanding_balance"] == "8800.00"
    client.force_login(users["county_a"])
    assert client.put(url, {"issues_cards": False}, content_type="application/json").status_code == 403


def test_the_public_profile_shows_the_declaration(client, users, salon, entities):
    entity, _ = salon
    declare(entity, custody="none", custodian="", card_types=["stored_value"])
    page = client.get(reverse("campaign:profile", args=[entity.uscc])).content.decode()
    assert "预付卡经营情况（经营者申报）" in page and "办卡请谨慎" in page
    other = client.get(reverse("campaign:profile", args=[entities["a_food"].uscc])).content.decode()
    assert "预付卡经营情况" not in other
