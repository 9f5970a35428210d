"""The merchant's credit pages: its grade with the explanation (the events that moved it and by how much, caps,
repaired events) and history; asking for repair with evidence; scope (another business's page is 404)."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from fangxin.core.actors import Actor
from fangxin.core.tests import samples
from fangxin.credit import repair
from fangxin.credit.models import RepairEvidence, RepairRequest
from fangxin.credit.services import credit_event_record, list_enter

SYSTEM = Actor.system("test")
PNG = samples.PNG


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def merchant(client, users):
    client.force_login(users["merchant"])
    return client


def penalty(entity, ref="penalty:1", age=73):
    return credit_event_record(actor=SYSTEM, entity=entity, kind="penalty",
                               occurred_on=timezone.localdate() - timedelta(days=age), detail="销售过期食品",
                               source_ref=ref, document_number="临市监罚〔2026〕8号", authority="临河区市场监督管理局")


@pytest.mark.django_db
def test_the_merchant_sees_its_grade_and_the_events_that_moved_it(merchant, entities):
    entity = entities["a_food"]
    penalty(entity)
    list_enter(actor=SYSTEM, entity=entity, kind="abnormal", reason_code="1", reason="未按时公示年度报告",
               authority="临河区市场监督管理局", document_number="临市监异〔2026〕3号", entered_on=timezone.localdate())
    penalty(entities["b_food"], ref="penalty:other")
    page = merchant.get(reverse("credit:my_credit")).content.decode()
    # −15 × (1095 − 73) / 1095 = −14.00 → 86.00, B by score; the abnormal list caps at C
    assert "临河区华联超市" in page and "C 级（失信风险）" in page and "86.00 分" in page
    assert "按分数为 B 级" in page and "第 1 版" in page
    assert "行政处罚" in page and "销售过期食品" in page and "<strong>-14.00</strong>" in page
    assert "系数 0.9333" in page and "已过 73 天 / 有效期 1095 天" in page
    assert "列入经营异常名录：等级最高为 C 级。" in page
    assert "首次评级 → B" in page and "B → C" in page
    assert "未按时公示年度报告" in page
    assert "依据联合惩戒规则“经营异常名录主体不得申报示范单位”：已被列入经营异常名录" in page
    assert "措施：不得申报示范单位" in page
    assert "五原县" not in page  # another business's ledger is not shown


@pytest.mark.django_db
def test_the_merchant_asks_for_repair_with_evidence_and_sees_the_decision(merchant, entities, users):
    entity = entities["a_food"]
    event = penalty(entity)
    url = reverse("credit:repair_new", args=[entity.uscc])
    form = merchant.get(url + f"?target=event:{event.pk}").content.decode()
    assert f'value="event:{event.pk}"' in form and "checked" in form
    response = merchant.post(url, {"target": f"event:{event.pk}", "statement": "已缴纳罚款，过期食品全部下架销毁。",
                                   "files": [SimpleUploadedFile("缴款凭证.png", PNG, content_type="image/png")]})
    request = RepairRequest.objects.get()
    assert response.status_code == 302 and response.url.endswith(f"#repair-{request.pk}")
    assert (request.event, request.status, RepairEvidence.objects.count()) == (event, "submitted", 1)
    page = merchant.get(reverse("credit:my_credit")).content.decode()
    assert f'id="repair-{request.pk}"' in page and "待决定" in page
    repair.repair_decide(actor=Actor.for_user(users["county_a"]), request=request, approve=True,
                         reason="已履行处罚")
    page = merchant.get(reverse("credit:my_credit")).content.decode()
    assert "准予修复" in page and "已修复、不再计分的事件" in page and "不再计入 -14.00 分" in page
    assert "A 级（守信）" in page and "B → A（100.00 分，第 1 版模型），因信用修复" in page
    # the merchant may open its own evidence file
    stored = request.evidence.get()
    assert merchant.get(reverse("credit:repair_evidence", args=[request.pk, stored.pk])).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(("data", "message"), [
    ({"statement": "已缴纳罚款，过期食品全部下架销毁。"}, "请上传"),
    ({"statement": "已缴纳罚款，过期食品全部下架销毁。", "files": "fake"}, "不是图片或 PDF"),
    ({"statement": ""}, "请写明修复理由和已采取的整改措施"),
    ({"statement": "已缴纳罚款，过期食品全部下架销毁。", "target": "event:999999"}, "请选择要修复的记录"),
])
def test_bad_requests_show_a_message_and_write_nothing(merchant, entities, data, message):
    event = penalty(entities["a_food"])
    payload = {"target": f"event:{event.pk}", **data}
    if payload.get("files") == "fake":
        payload["files"] = [SimpleUploadedFile("凭证.png", b"only text", content_type="image/png")]
    response = merchant.post(reverse("credit:repair_new", args=[entities["a_food"].uscc]), payload)
    assert response.status_code == 200 and message in response.content.decode()
    assert not RepairRequest.objects.exists()


@pytest.mark.django_db
def test_another_business_and_other_roles_get_404(merchant, client, entities, users):
    assert merchant.get(reverse("credit:repair_new", args=[entities["b_food"].uscc])).status_code == 404
    client.force_login(users["county_a"])
    assert client.get(reverse("credit:my_credit")).status_code == 404


@pytest.mark.django_db
def test_without_anything_to_repair_the_page_says_so(merchant, entities):
    credit_event_record(actor=SYSTEM, entity=entities["a_food"], kind="inspection_passed",
                        occurred_on=timezone.localdate(), detail="抽查合格", source_ref="insp:1")
    page = merchant.get(reverse("credit:my_credit")).content.decode()
    assert "没有可以申请修复的扣分事件或名单记录" in page and "申请信用修复</a>" not in page
    page = merchant.get(reverse("credit:repair_new", args=[entities["a_food"].uscc])).content.decode()
    assert "目前没有可以申请修复的记录" in page


@pytest.mark.django_db
def test_the_page_costs_the_same_queries_for_3_or_12_events_and_stays_small(merchant, entities):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def measure():
        with CaptureQueriesContext(connection) as captured:
            response = merchant.get(reverse("credit:my_credit"))
        return len(captured), len(response.content)

    for n in range(3):
        penalty(entities["a_food"], ref=f"penalty:{n}", age=10 + n)
    few, _ = measure()
    for n in range(3, 12):
        penalty(entities["a_food"], ref=f"penalty:{n}", age=10 + n)
    many, size = measure()
    assert many == few and size < 150 * 1024
