import pytest
from django.urls import reverse

from fangxin.core.actors import Actor
from fangxin.core.exceptions import Conflict, ValidationFailed
from fangxin.core.models import AuditRecord
from fangxin.merchants.models import MarketEntity
from fangxin.merchants.services import entity_create, entity_update
from fangxin.merchants.tests.factories import make_uscc
from fangxin.organisation.models import Region, Sector

SYSTEM = Actor.system("test")


def create(**overrides):
    values = {"uscc": make_uscc("150802"), "name": "临河区测试商店", "region": Region.objects.get(code="150802"),
              "sector": Sector.objects.get(code="price"), **overrides}
    return entity_create(actor=SYSTEM, **values)


@pytest.mark.django_db
@pytest.mark.parametrize(("code", "fragment"), [
    ("91150802MA0N1234X1", "校验位错误"), ("91150802MA0N1234", "应为 18 位"), ("91150802MA0N1I34X6", "“I”"),
    ("91150802MA0N1Z34X6", "“Z”")])
def test_invalid_codes_are_refused_in_chinese(reference, code, fragment):
    with pytest.raises(ValidationFailed, match=fragment):
        create(uscc=code)
    assert not MarketEntity.objects.exists()


@pytest.mark.django_db
def test_a_duplicate_is_refused_and_nothing_is_half_written(reference):
    entity = create()
    audits = AuditRecord.objects.count()
    with pytest.raises(Conflict, match="已在名录中"):
        create(uscc=entity.uscc.lower(), name="另一家")
    assert MarketEntity.objects.count() == 1 and AuditRecord.objects.count() == audits


@pytest.mark.django_db
def test_updates_are_audited_field_by_field_and_the_code_never_changes(reference):
    entity = create()
    entity_update(actor=SYSTEM, entity=entity, name="临河区测试商店（新）", contact_phone="0478-1234567")
    record = AuditRecord.objects.filter(action="merchants.entity.update").get()
    assert record.changes == {"name": ["临河区测试商店", "临河区测试商店（新）"], "contact_phone": ["", "0478-1234567"]}
    with pytest.raises(ValidationFailed):
        entity_update(actor=SYSTEM, entity=entity, uscc=make_uscc())
    with pytest.raises(ValidationFailed, match="网店地址"):
        entity_update(actor=SYSTEM, entity=entity, online_shop_url="not a url")


@pytest.mark.django_db
def test_staff_create_and_edit_in_their_county_only(client, users, entities):
    client.force_login(users["county_a"])
    form = client.get(reverse("merchants:entity_create")).content.decode()
    assert "临河区" in form and "五原县" not in form  # the county list is the clerk's own subtree
    code = make_uscc("150802")
    response = client.post(reverse("merchants:entity_create"), {
        "uscc": code, "name": "临河区新开超市", "entity_type": "company", "region": Region.objects.get(code="150802").pk,
        "sector": Sector.objects.get(code="price").pk, "operating_status": "operating"})
    assert response.status_code == 302
    assert MarketEntity.objects.get(uscc=code).name == "临河区新开超市"
    bad = client.post(reverse("merchants:entity_create"), {
        "uscc": code[:-1] + ("0" if code[-1] != "0" else "1"), "name": "x", "entity_type": "company",
        "region": Region.objects.get(code="150802").pk, "sector": Sector.objects.get(code="price").pk,
        "operating_status": "operating"})
    assert "校验位错误" in bad.content.decode()
    elsewhere = client.post(reverse("merchants:entity_create"), {
        "uscc": make_uscc("150821"), "name": "y", "entity_type": "company", "region": Region.objects.get(code="150821").pk,
        "sector": Sector.objects.get(code="price").pk, "operating_status": "operating"})
    assert elsewhere.status_code == 200 and MarketEntity.objects.filter(name="y").count() == 0
    assert client.get(reverse("merchants:entity_edit", args=[entities["b_food"].uscc])).status_code == 404
    edit = client.post(reverse("merchants:entity_edit", args=[entities["a_food"].uscc]), {
        "name": "临河区华联超市（新华街店）", "entity_type": "company", "region": Region.objects.get(code="150802").pk,
        "sector": Sector.objects.get(code="food_drug").pk, "operating_status": "operating"})
    assert edit.status_code == 302
    entities["a_food"].refresh_from_db()
    assert entities["a_food"].name == "临河区华联超市（新华街店）"


@pytest.mark.django_db
def test_merchants_and_auditors_cannot_create(client, users):
    for role in ("merchant", "auditor"):
        client.force_login(users[role])
        assert client.get(reverse("merchants:entity_create")).status_code == 404
