"""The role × object matrix: who sees which entity, through the selector, the pages and the API alike."""

import pytest
from django.urls import reverse

from fangxin.accounts.scope import scope_of, user_can_write
from fangxin.accounts.services import api_token_create, token_principal
from fangxin.core.actors import Actor
from fangxin.merchants.models import MarketEntity
from fangxin.organisation.models import Department, Region

ALL = {"a_ecommerce", "a_food", "b_food", "b_tourism"}

# role → the fixture entities it must see (and no others).
EXPECTED = {
    "merchant": {"a_food"},                      # its own bound entity only
    "county_a": {"a_ecommerce", "a_food"},       # 临河区 subtree
    "county_b": {"b_food", "b_tourism"},         # 五原县 subtree
    "department": ALL,  # 市食药监局 leads food_drug, co-operates on ecommerce and tourism (policy 四)
    "association": ALL,
    "office": ALL,
    "auditor": ALL,
    "sysadmin": ALL,
}


def visible_keys(user, entities) -> set[str]:
    ids = set(MarketEntity.objects.visible_to(user).values_list("pk", flat=True))
    return {key for key, entity in entities.items() if entity.pk in ids}


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_each_role_sees_exactly_its_scope(role, users, entities):
    assert visible_keys(users[role], entities) == EXPECTED[role]


@pytest.mark.django_db
def test_department_staff_lose_sectors_their_department_has_no_part_in(users, entities):
    from fangxin.accounts.tests.factories import make_user

    post_staff = make_user("post_staff", "department_staff", region="150800", department="post")
    assert visible_keys(post_staff, entities) == set()  # 邮政管理局 leads express only
    edu_in_a = make_user("edu_a", "department_staff", region="150802", department="amr")
    assert visible_keys(edu_in_a, entities) == {"a_ecommerce", "a_food"}  # amr co-operates everywhere, county A only


@pytest.mark.django_db
def test_anonymous_and_inactive_users_see_nothing(users, entities):
    from django.contrib.auth.models import AnonymousUser

    assert visible_keys(AnonymousUser(), entities) == set()
    users["office"].is_active = False
    users["office"]._fangxin_scope = None
    assert visible_keys(users["office"], entities) == set()


@pytest.mark.django_db
def test_a_merchant_binding_gives_access_only_once_confirmed(users, entities):
    from fangxin.accounts.models import BindingStatus, MerchantBinding
    from fangxin.accounts.tests.factories import make_user

    pending = make_user("pending_merchant", "merchant")
    MerchantBinding.objects.create(user=pending, entity=entities["b_food"], status=BindingStatus.PENDING)
    assert visible_keys(pending, entities) == set()


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_pages_answer_404_outside_the_scope_exactly_as_for_a_missing_entity(role, users, entities, client):
    client.force_login(users[role])
    for key, entity in entities.items():
        response = client.get(reverse("workbench:entity_detail", args=[entity.uscc]))
        assert response.status_code == (200 if key in EXPECTED[role] else 404), key
    assert client.get(reverse("workbench:entity_detail", args=["91150802MA00000000"])).status_code == 404
    listed = client.get(reverse("workbench:entity_list")).content.decode()
    for key, entity in entities.items():
        assert (entity.uscc in listed) == (key in EXPECTED[role]), key


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_the_api_uses_the_same_scope(role, users, entities, client):
    client.force_login(users[role])
    for key, entity in entities.items():
        response = client.get(f"/api/v1/entities/{entity.uscc}")
        assert response.status_code == (200 if key in EXPECTED[role] else 404), key
        if response.status_code == 404:
            assert response.json()["error"]["code"] == "not_found"
    listed = {row["uscc"] for row in client.get("/api/v1/entities").json()["items"]}
    assert listed == {entities[key].uscc for key in EXPECTED[role]}


@pytest.mark.django_db
def test_an_api_token_is_scoped_like_its_departments_staff(users, entities, client):
    _, plain = api_token_create(actor=Actor.system("test"), name="12315 对接",
                                department=Department.objects.get(code="post"),
                                region=Region.objects.get(code="150800"))
    response = client.get("/api/v1/entities", headers={"Authorization": f"Bearer {plain}"})
    assert response.status_code == 200
    assert response.json()["items"] == []  # 邮政管理局: express only
    principal = token_principal(_)
    assert scope_of(principal).region_path == "/150000/150800/"


@pytest.mark.django_db
def test_auditors_read_everything_and_write_nothing(users):
    assert scope_of(users["auditor"]).everything
    assert not user_can_write(users["auditor"])
    assert user_can_write(users["county_a"])


@pytest.mark.django_db
def test_only_auditors_and_administrators_open_the_audit_log(users, client):
    for role, allowed in [("auditor", True), ("sysadmin", True), ("office", False), ("county_a", False),
                          ("merchant", False)]:
        client.force_login(users[role])
        assert client.get(reverse("workbench:audit_log")).status_code == (200 if allowed else 404), role
        assert client.get("/api/v1/audit").status_code == (200 if allowed else 404), role
