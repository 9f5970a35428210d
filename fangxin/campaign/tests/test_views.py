import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from fangxin.accounts.models import BindingStatus, MerchantBinding
from fangxin.accounts.tests.factories import make_user
from fangxin.campaign.models import Enrollment
from fangxin.campaign.tests.factories import make_enrollment
from fangxin.core.models import AuditRecord


@pytest.mark.django_db
def test_a_merchant_claims_staff_confirm_then_the_merchant_enrolls(client, users, entities):
    owner = make_user("newshop", "merchant")
    entity = entities["a_ecommerce"]
    client.force_login(owner)
    wrong = client.post(reverse("campaign:claim"), {"uscc": entity.uscc, "legal_representative": "别人"})
    assert "不匹配" in wrong.content.decode()
    client.post(reverse("campaign:claim"), {"uscc": entity.uscc.lower(), "legal_representative": ""})
    from fangxin.core.actors import Actor
    from fangxin.merchants.services import entity_update

    entity_update(actor=Actor.system("test"), entity=entity, legal_representative="王 建国",
                  online_platform="淘宝", online_shop_url="https://shop.example.cn/lg")
    response = client.post(reverse("campaign:claim"), {"uscc": entity.uscc, "legal_representative": "王建国"})
    assert response.status_code == 302
    binding = MerchantBinding.objects.get(user=owner, entity=entity)
    assert binding.status == BindingStatus.PENDING
    assert client.get(reverse("campaign:enroll", args=[entity.uscc])).status_code == 404  # not confirmed yet

    client.force_login(users["county_b"])  # another county never sees the claim
    assert entity.name not in client.get(reverse("campaign:claims")).content.decode()
    assert client.post(reverse("campaign:claim_decision", args=[binding.pk]), {"approve": "1"}).status_code == 404
    client.force_login(users["county_a"])
    assert entity.name in client.get(reverse("campaign:claims")).content.decode()
    client.post(reverse("campaign:claim_decision", args=[binding.pk]), {"approve": "1"})
    binding.refresh_from_db()
    assert binding.status == BindingStatus.CONFIRMED

    client.force_login(owner)
    page = client.get(reverse("campaign:enroll", args=[entity.uscc])).content.decode()
    assert "放心消费创建单位统一承诺" in page
    response = client.post(reverse("campaign:enroll", args=[entity.uscc]), {
        "commitment_version": "1", "specific": ["online_7day_return"], "display_method": "both",
        "signed_name": "王建国", "agreed": "on"})
    enrollment = Enrollment.objects.get(entity=entity)
    assert response["Location"] == reverse("campaign:enrollment_detail", args=[enrollment.serial])
    detail = client.get(response["Location"]).content.decode()
    assert enrollment.serial in detail and "下载 A4 张贴海报" in detail
    poster = client.get(reverse("campaign:poster", args=[enrollment.serial]))
    assert poster["Content-Type"] == "application/pdf" and poster.content.startswith(b"%PDF")
    assert AuditRecord.objects.filter(action="merchants.claim.confirm").exists()


@pytest.mark.django_db
def test_the_enroll_form_shows_problems_in_chinese_and_writes_nothing(client, users, entities):
    client.force_login(users["county_a"])
    response = client.post(reverse("campaign:enroll", args=[entities["a_food"].uscc]), {
        "commitment_version": "1", "display_method": "online", "signed_name": "", "agreed": ""})
    page = response.content.decode()
    assert response.status_code == 200
    assert "这个字段是必填项" in page or "必填" in page
    response = client.post(reverse("campaign:enroll", args=[entities["a_food"].uscc]), {
        "commitment_version": "1", "display_method": "online", "signed_name": "李敏", "agreed": "on"})
    assert "没有登记网店地址" in response.content.decode()
    assert not Enrollment.objects.exists()


@pytest.mark.django_db
def test_staff_of_another_county_cannot_enroll_or_see_the_enrollment(client, users, entities):
    enrollment = make_enrollment(entities["a_food"])
    client.force_login(users["county_b"])
    assert client.get(reverse("campaign:enroll", args=[entities["a_food"].uscc])).status_code == 404
    assert client.get(reverse("campaign:enrollment_detail", args=[enrollment.serial])).status_code == 404
    assert client.get(reverse("campaign:poster", args=[enrollment.serial])).status_code == 404
    assert client.post(reverse("campaign:enrollment_transition", args=[enrollment.serial]),
                       {"to_status": "revoked", "reason": "x"}).status_code == 404
    enrollment.refresh_from_db()
    assert enrollment.status == "active"


@pytest.mark.django_db
def test_a_revocation_shows_on_the_next_scan(client, users, entities):
    enrollment = make_enrollment(entities["a_food"])
    assert "真实有效" in client.get(reverse("campaign:verify", args=[enrollment.badge_token])).content.decode()
    client.force_login(users["county_a"])
    client.post(reverse("campaign:enrollment_transition", args=[enrollment.serial]),
                {"to_status": "revoked", "reason": "拒不履行七日无理由退货承诺"})
    client.logout()
    page = client.get(reverse("campaign:verify", args=[enrollment.badge_token])).content.decode()
    assert "创建资格已撤销" in page
    forged = enrollment.badge_token[:-3] + ("AAA" if not enrollment.badge_token.endswith("AAA") else "BBB")
    assert "疑似伪造" in client.get(reverse("campaign:verify", args=[forged])).content.decode()


@pytest.mark.django_db
def test_a_consumer_reports_a_fake_badge_and_staff_see_it(client, users, entities):
    response = client.post(reverse("campaign:verify_report", args=["not.a-token"]),
                           {"where_seen": "五原县某超市", "description": "门口的放心标志扫不出来"})
    assert "举报已收到" in response.content.decode()
    bad = client.post(reverse("campaign:verify_report", args=["not.a-token"]), {"where_seen": "", "description": ""})
    assert bad.status_code == 400
    client.force_login(users["office"])
    assert "五原县某超市" in client.get(reverse("campaign:badge_reports")).content.decode()
    client.force_login(users["county_a"])
    assert "五原县某超市" not in client.get(reverse("campaign:badge_reports")).content.decode()


@pytest.mark.django_db
def test_the_roster_counts_filters_and_exports_within_scope(client, users, entities):
    for key in ("a_food", "a_ecommerce", "b_food"):
        make_enrollment(entities[key])
    client.force_login(users["county_a"])
    page = client.get(reverse("campaign:roster")).content.decode()
    assert "临河区" in page and "五原县华联生鲜超市" not in page
    export = client.get(reverse("campaign:roster") + "?format=xlsx&sector=food_drug")
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("创建单位编号", "名称", "统一社会信用代码")
    assert [row[1] for row in rows[1:]] == ["临河区华联超市"]


@pytest.mark.django_db
def test_the_public_profile_and_badge_keys(client, entities):
    enrollment = make_enrollment(entities["a_food"], specific=["first_inquiry"])
    page = client.get(reverse("campaign:profile", args=[entities["a_food"].uscc])).content.decode()
    assert "放心消费创建单位" in page and "首问负责" in page and "临河区" in page
    assert client.get(reverse("campaign:profile", args=["91150802MA00000000"])).status_code == 404
    keys = client.get("/.well-known/fangxin-badge-keys.json").json()
    assert keys["keys"][0]["alg"] == "Ed25519"
    svg = client.get(reverse("campaign:badge_svg", args=[enrollment.serial]))
    assert svg["Content-Type"].startswith("image/svg+xml")


@pytest.mark.django_db
def test_the_public_api_answers_a_bank(client, entities):
    enrollment = make_enrollment(entities["b_tourism"])
    data = client.get(f"/api/v1/public/entities/{entities['b_tourism'].uscc}").json()
    assert data["enrolled"] is True and data["enrollment"]["serial"] == enrollment.serial
    assert "legal_representative" not in data and "contact_phone" not in data
    check = client.get("/api/v1/badges/verify", {"token": enrollment.badge_token}).json()
    assert (check["verdict"], check["genuine"]) == ("valid", True)
    assert client.get("/api/v1/badges/verify", {"token": "junk"}).json()["verdict"] == "counterfeit"
    assert client.get("/api/v1/public/entities/91150802MA00000000").status_code == 404


@pytest.mark.django_db
def test_the_api_enrolls_on_behalf_and_refuses_a_duplicate_with_409(client, users, entities):
    client.force_login(users["county_b"])
    body = {"uscc": entities["b_food"].uscc, "commitment_version": 1, "display_method": "in_store",
            "signed_name": "张磊", "agreed": True}
    created = client.post("/api/v1/enrollments", body, content_type="application/json")
    assert created.status_code == 201, created.content
    again = client.post("/api/v1/enrollments", body, content_type="application/json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"
    other = client.post("/api/v1/enrollments", {**body, "uscc": entities["a_food"].uscc},
                        content_type="application/json")
    assert other.status_code == 404


@pytest.mark.django_db
def test_merchant_signup_then_claim_page(client, reference):
    response = client.post(reverse("accounts:signup"), {
        "username": "laowang", "full_name": "王建国", "phone": "13812345678",
        "password1": "河套放心-2026-abc", "password2": "河套放心-2026-abc"})
    assert response["Location"] == reverse("campaign:claim")
    bad = client.post(reverse("accounts:signup"), {"username": "x", "full_name": "", "phone": "123"})
    assert bad.status_code == 302 or "11 位手机号码" in bad.content.decode()


@pytest.mark.django_db
def test_the_enroll_page_names_the_joint_punishment_rule_before_anything_is_typed(client, users, entities):
    from datetime import date

    from fangxin.core.actors import Actor
    from fangxin.credit.services import list_enter

    list_enter(actor=Actor.system("test"), entity=entities["a_food"], kind="serious", reason_code="SV01",
               reason="销售不符合食品安全标准的食品", authority="临河区市场监督管理局", document_number="临市监严〔2026〕1号",
               entered_on=date(2026, 3, 2))
    client.force_login(users["county_a"])
    page = client.get(reverse("campaign:enroll", args=[entities["a_food"].uscc])).content.decode()
    assert "依据联合惩戒规则“严重违法失信名单主体不得参加创建”" in page
    assert "签署承诺并登记" not in page  # no form to fill in for nothing
