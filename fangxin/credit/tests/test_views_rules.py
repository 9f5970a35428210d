"""Staff pages: the rules list (read by staff and auditors), editing by the joint-meeting office only (audited,
the change takes effect at the next check), the repair queue in scope and the decision form."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from fangxin.core.actors import Actor
from fangxin.core.models import AuditRecord
from fangxin.core.tests import samples
from fangxin.credit import repair, rules
from fangxin.credit.forms_rules import percent_of
from fangxin.credit.models import JointRule, RepairRequest
from fangxin.credit.selectors import enrollment_blockers, grade_of
from fangxin.credit.services import credit_event_record, list_enter

SYSTEM = Actor.system("test")
PNG = samples.PNG


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def login(client, user):
    client.force_login(user)
    return client


def rule_post(rule, **changes):
    data = {"name": rule.name, "condition": f"{rule.condition_kind}:{rule.condition_value}",
            "effects": rule.effects, "inspection_ratio": percent_of(rule.inspection_ratio), "warning_text": rule.warning_text,
            "basis": rule.basis, "position": rule.position}
    if rule.active:
        data["active"] = "on"
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def a_request(users, entities):
    event = credit_event_record(actor=SYSTEM, entity=entities["a_food"], kind="penalty",
                                occurred_on=timezone.localdate() - timedelta(days=5), detail="销售过期食品",
                                source_ref="penalty:1", document_number="临市监罚〔2026〕8号", authority="临河区市场监督管理局")
    return repair.repair_submit(actor=Actor.for_user(users["merchant"]), entity=entities["a_food"],
                                statement="已缴纳罚款并整改到位，附凭证。",
                                files=[SimpleUploadedFile("凭证.png", PNG, content_type="image/png")], event=event)


@pytest.mark.django_db
def test_staff_and_auditors_read_the_rules_only_the_office_edits(client, users):
    for who in ("county_a", "department", "association", "auditor"):
        page = login(client, users[who]).get(reverse("credit:rules"))
        assert page.status_code == 200 and "严重违法失信名单主体不得参加创建" in page.content.decode()
        assert "新增规则" not in page.content.decode()
        assert client.get(reverse("credit:rule_new")).status_code == 404
    page = login(client, users["office"]).get(reverse("credit:rules")).content.decode()
    assert "新增规则" in page and "抽查比例 30%" in page and "列入严重违法失信名单" in page
    assert login(client, users["merchant"]).get(reverse("credit:rules")).status_code == 404


@pytest.mark.django_db
def test_the_office_switches_a_rule_off_and_the_block_goes(client, users, entities):
    list_enter(actor=SYSTEM, entity=entities["a_food"], kind="serious", reason_code="1", reason="销售假冒商品",
               authority="巴彦淖尔市市场监督管理局", document_number="巴市监严〔2026〕1号", entered_on=timezone.localdate())
    assert enrollment_blockers(entities["a_food"])
    rule = JointRule.objects.get(name="严重违法失信名单主体不得参加创建")
    login(client, users["office"])
    form = client.get(reverse("credit:rule_edit", args=[rule.pk])).content.decode()
    assert 'value="block_enrollment"' in form and "checked" in form
    response = client.post(reverse("credit:rule_edit", args=[rule.pk]), rule_post(rule, active=None))
    assert response.status_code == 302
    rule.refresh_from_db()
    assert not rule.active and enrollment_blockers(entities["a_food"]) == []
    audit = AuditRecord.objects.get(action="credit.rule.update")
    assert audit.changes == {"active": [True, False]} and audit.actor_name == "office"


@pytest.mark.django_db
def test_the_office_adds_a_rule_and_bad_input_is_a_message(client, users, entities):
    login(client, users["office"])
    bad = client.post(reverse("credit:rule_new"), {"name": "警示名单提高抽查", "condition": "list:warning",
                                                    "effects": ["raise_inspection_ratio"], "inspection_ratio": "50",
                                                    "position": "60", "active": "on"})
    assert bad.status_code == 200 and "提高抽查比例只能按信用等级设定" in bad.content.decode()
    assert not JointRule.objects.filter(name="警示名单提高抽查").exists()
    good = client.post(reverse("credit:rule_new"), {"name": "警示名单公开提示", "condition": "list:warning",
                                                     "effects": ["profile_warning"], "position": "60",
                                                     "warning_text": "该经营者已被列入警示名单。", "active": "on"})
    assert good.status_code == 302
    list_enter(actor=SYSTEM, entity=entities["a_food"], kind="warning", reason_code="1", reason="多次被投诉",
               authority="临河区市场监督管理局", document_number="临市监警〔2026〕2号", entered_on=timezone.localdate())
    from fangxin.credit.rules import profile_warnings

    assert profile_warnings(entities["a_food"]) == ["该经营者已被列入警示名单。"]


@pytest.mark.django_db
def test_the_repair_queue_is_scoped_and_the_county_decides(client, users, entities):
    item = a_request(users, entities)
    page = login(client, users["county_b"]).get(reverse("credit:repairs")).content.decode()
    assert "临河区华联超市" not in page
    assert client.get(reverse("credit:repair_detail", args=[item.pk])).status_code == 404
    assert client.post(reverse("credit:repair_decide", args=[item.pk]),
                       {"decision": "approve", "reason": "同意"}).status_code == 404
    page = login(client, users["department"]).get(reverse("credit:repair_detail", args=[item.pk])).content.decode()
    assert "只读" in page and "提交决定" not in page
    login(client, users["county_a"])
    assert "临河区华联超市" in client.get(reverse("credit:repairs")).content.decode()
    detail = client.get(reverse("credit:repair_detail", args=[item.pk])).content.decode()
    assert "提交决定" in detail and "凭证.png" in detail and "已缴纳罚款并整改到位" in detail
    missing = client.post(reverse("credit:repair_decide", args=[item.pk]), {"decision": "approve", "reason": ""})
    assert "请写明决定理由" in missing.content.decode()
    assert RepairRequest.objects.get().status == "submitted"
    done = client.post(reverse("credit:repair_decide", args=[item.pk]),
                       {"decision": "approve", "reason": "已履行处罚", "document_number": "临市监修〔2026〕1号"})
    assert done.status_code == 302
    assert RepairRequest.objects.get().status == "approved" and grade_of(entities["a_food"]).score == 100
    again = client.get(reverse("credit:repair_detail", args=[item.pk])).content.decode()
    assert "准予修复" in again and "提交决定" not in again and "已修复：行政处罚" in again
    twice = client.post(reverse("credit:repair_decide", args=[item.pk]),
                        {"decision": "reject", "reason": "重复提交", "document_number": ""}).content.decode()
    assert 'id="decide-error"' in twice and RepairRequest.objects.get().status == "approved"
    assert client.get(reverse("credit:repairs") + "?status=approved").content.decode().count("第 ") >= 1
    stored = item.evidence.get()
    assert client.get(reverse("credit:repair_evidence", args=[item.pk, stored.pk]))["X-Content-Type-Options"] == \
        "nosniff"
    assert login(client, users["county_b"]).get(
        reverse("credit:repair_evidence", args=[item.pk, stored.pk])).status_code == 404


@pytest.mark.django_db
def test_the_menu_lists_the_pages_by_role(client, users):
    from fangxin.workbench.navigation import items_for

    assert {"credit:rules", "credit:repairs"} <= {item.url_name for item in items_for(users["county_a"])}
    assert "credit:my_credit" in {item.url_name for item in items_for(users["merchant"])}
    assert "credit:rules" not in {item.url_name for item in items_for(users["merchant"])}


@pytest.mark.django_db
def test_the_public_profile_shows_the_grade_lists_and_rule_warnings_but_not_the_score(client, entities):
    entity = entities["a_food"]
    for n in range(2):
        credit_event_record(actor=SYSTEM, entity=entity, kind="penalty", occurred_on=timezone.localdate(),
                            detail="销售过期食品", source_ref=f"penalty:{n}", document_number=f"临市监罚〔2026〕{n}号",
                            authority="临河区市场监督管理局")
    credit_event_record(actor=SYSTEM, entity=entity, kind="inspection_failed", occurred_on=timezone.localdate(),
                        detail="抽检不合格", source_ref="insp:1")
    list_enter(actor=SYSTEM, entity=entity, kind="warning", reason_code="1", reason="多次被投诉",
               authority="临河区市场监督管理局", document_number="临市监警〔2026〕2号", entered_on=timezone.localdate())
    page = client.get(reverse("campaign:profile", args=[entity.uscc])).content.decode()
    assert grade_of(entity).grade == "C"
    assert "该经营者信用等级为 C 级（失信风险），请谨慎消费并保留购物凭证。" in page
    assert "C 级（失信风险）" in page and "警示名单" in page and "临市监警〔2026〕2号" in page
    assert "62.00" not in page and "销售过期食品" not in page  # the score and the ledger are not published
    rule = JointRule.objects.get(name="C 级主体公开提示")  # through the service: the cached profile follows it
    rules.rule_update(actor=Actor(user=None, name="联席会议办公室", role="joint_office"), rule=rule,
                      data={**rules.rule_data(rule), "active": False})
    page = client.get(reverse("campaign:profile", args=[entity.uscc])).content.decode()
    assert "请谨慎消费" not in page
    other = client.get(reverse("campaign:profile", args=[entities["b_food"].uscc])).content.decode()
    assert "尚未评级" in other and "未被列入经营异常名录" in other


@pytest.mark.django_db
def test_the_rule_form_takes_the_ratio_in_percent_like_the_plan_form(client, users):
    login(client, users["office"])
    rule = JointRule.objects.get(name="D 级主体提高抽查比例")
    page = client.get(reverse("credit:rule_edit", args=[rule.pk])).content.decode()
    assert 'value="30"' in page and "抽查比例（%）" in page
    assert "抽查比例 30%" in client.get(reverse("credit:rules")).content.decode()
    too_big = client.post(reverse("credit:rule_edit", args=[rule.pk]), rule_post(rule, inspection_ratio="150"))
    assert "抽查比例不能超过 100%。" in too_big.content.decode()
    client.post(reverse("credit:rule_edit", args=[rule.pk]), rule_post(rule, inspection_ratio="40"))
    rule.refresh_from_db()
    assert str(rule.inspection_ratio) == "0.40"
