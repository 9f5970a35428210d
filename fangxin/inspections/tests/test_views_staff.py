"""The staff pages of random inspections: who may open them, the plan form (percent ratios, bad input), the draw
steps from the plan page (freeze, entropy, draw, and their refusals), results with documents, publication with the
overdue flag, the downloaded record verifying offline, and the two directories."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from fangxin.credit.models import CreditEvent
from fangxin.inspections import draw as drawing
from fangxin.inspections import services
from fangxin.inspections.choices import Outcome, PlanStatus
from fangxin.inspections.forms import percent_to_ratio, ratio_to_percent
from fangxin.inspections.models import Draw, Inspection, InspectionDocument, Inspector, InspectorConflict, Plan
from fangxin.merchants.tests.factories import make_entity

from .factories import PNG, SYSTEM, make_inspector, make_plan, make_team, run_draw, today

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def plan_post(**overrides) -> dict:
    data = {"name": "2026 年食品经营者双随机抽查", "departments": ["fda"], "lead_department": "fda",
            "counties": [], "sectors": [], "entity_types": [], "items": "证照公示\n进货查验记录\n\n明码标价",
            "ratio_A": "3", "ratio_B": "5", "ratio_C": "10", "ratio_D": "20", "team_size": "2",
            "recent_days": "365", "draw_due": (today() + timedelta(days=7)).isoformat(),
            "inspect_due": (today() + timedelta(days=30)).isoformat()}
    data.update(overrides)
    return data


def form_ids(data: dict) -> dict:
    """The plan form posts primary keys for departments and counties: turn codes into keys."""
    from fangxin.organisation.models import Department, Region

    out = dict(data)
    out["departments"] = [Department.objects.get(code=c).pk for c in data["departments"]]
    out["lead_department"] = Department.objects.get(code=data["lead_department"]).pk
    out["counties"] = [Region.objects.get(code=c).pk for c in data["counties"]]
    return out


@pytest.fixture
def team(entities):
    return make_team()


def drawn_plan(**fields):
    plan = make_plan(**fields)
    run_draw(plan)
    return plan


# --- percent on the page, decimal string in the record ------------------------------------------------------------

@given(st.decimals(min_value=0, max_value=100, places=2))
def test_a_typed_percent_becomes_the_exact_ratio_string_and_back(percent):
    ratio = percent_to_ratio(percent)
    assert "E" not in ratio and "e" not in ratio
    assert drawing.parse_ratio(ratio) == percent / 100  # the draw reads it exactly, never as a float
    assert ratio_to_percent(ratio) == percent
    assert "E" not in str(ratio_to_percent(ratio))


@given(st.decimals(min_value=-1000, max_value=1000, places=3, allow_nan=False, allow_infinity=False))
def test_the_form_accepts_a_ratio_exactly_when_it_lies_within_0_and_100_percent(value):
    from fangxin.inspections.forms import PlanForm

    form = PlanForm({"ratio_A": str(value)})
    form.is_valid()
    accepted = "ratio_A" not in form.errors
    assert accepted == (0 <= value <= 100 and value == value.quantize(Decimal("0.01")))  # "5.000" is 5
    if accepted:
        assert form.cleaned_data["ratio_A"] == value


# --- access ------------------------------------------------------------------------------------------------------

def test_menu_and_access(client, users):
    url = reverse("inspections:plans")
    assert client.get(url).status_code == 302  # anonymous → login
    login(client, users["merchant"])
    assert client.get(url).status_code == 404
    assert client.get(reverse("inspections:inspectors")).status_code == 404
    login(client, users["department"])
    page = client.get(reverse("workbench:home")).content.decode()
    for label in ("双随机抽查", "检查对象名录", "检查人员名录"):
        assert label in page
    assert client.get(url).status_code == 200
    login(client, users["auditor"])
    response = client.get(url)
    assert response.status_code == 200 and "新建抽查计划" not in response.content.decode()
    assert client.get(reverse("inspections:plan_new")).status_code == 404
    login(client, users["county_a"])
    assert client.get(reverse("inspections:plan_new")).status_code == 404  # county staff do not plan


def test_a_plan_outside_the_users_scope_is_404(client, users, team):
    plan = make_plan(counties=["150802"])
    login(client, users["county_b"])
    assert client.get(reverse("inspections:plan_detail", args=[plan.pk])).status_code == 404
    assert client.post(reverse("inspections:plan_freeze", args=[plan.pk])).status_code == 404
    assert not Draw.objects.exists()
    login(client, users["county_a"])
    assert client.get(reverse("inspections:plan_detail", args=[plan.pk])).status_code == 200


# --- the plan form ----------------------------------------------------------------------------------------------

def test_create_a_plan_with_percent_ratios_and_scope_defaults(client, users, entities):
    login(client, users["department"])
    form = client.get(reverse("inspections:plan_new")).content.decode()
    for default in ('name="ratio_A" value="3"', 'name="ratio_D" value="20"', 'name="team_size" value="2"',
                    'name="recent_days" value="365"'):
        assert default in form
    response = client.post(reverse("inspections:plan_new"),
                           form_ids(plan_post(departments=["fda", "amr"], ratio_C="12.5")))
    plan = Plan.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("inspections:plan_detail", args=[plan.pk])
    assert plan.ratios == {"A": "0.03", "B": "0.05", "C": "0.125", "D": "0.2"}
    assert plan.items == ["证照公示", "进货查验记录", "明码标价"]
    assert plan.is_joint and plan.lead_department.code == "fda"
    # No county ticked: every county in the user's region (the city 150800 → both counties of the fixtures).
    assert {"150802", "150821"} <= set(plan.counties.values_list("code", flat=True))
    detail = client.get(response["Location"]).content.decode()
    assert "联合抽查" in detail and "C 级 12.5%" in detail and "冻结名录并公布承诺值" in detail


@pytest.mark.parametrize(("field", "value", "message"), [
    ("ratio_A", "150", "抽查比例应在 0% 到 100% 之间"),
    ("ratio_B", "-1", "抽查比例应在 0% 到 100% 之间"),
    ("ratio_C", "abc", "请输入数字"),
    ("items", "  \n ", "请至少填写一项检查事项"),
])
def test_bad_plan_input_is_a_chinese_message_and_nothing_is_written(client, users, entities, field, value, message):
    login(client, users["department"])
    response = client.post(reverse("inspections:plan_new"), form_ids(plan_post(**{field: value})))
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Plan.objects.exists()


def test_a_lead_department_outside_the_departments_and_a_service_refusal(client, users, entities):
    login(client, users["department"])
    response = client.post(reverse("inspections:plan_new"), form_ids(plan_post(lead_department="amr")))
    assert "牵头部门须是实施部门之一" in response.content.decode()
    response = client.post(reverse("inspections:plan_new"),
                           form_ids(plan_post(departments=["fda", "amr"], lead_department="amr")))
    assert response.status_code == 422 and "只能制定本部门牵头的抽查计划" in response.content.decode()
    assert not Plan.objects.exists()


def test_edit_a_draft_but_not_a_frozen_plan(client, users, team):
    plan = make_plan(lead_department="fda")
    login(client, users["department"])
    url = reverse("inspections:plan_edit", args=[plan.pk])
    page = client.get(url).content.decode()
    assert 'value="100"' in page  # the factory's ratio "1" shown as 100%
    client.post(url, form_ids(plan_post(name="改名后的计划", counties=["150802"])))
    plan.refresh_from_db()
    assert plan.name == "改名后的计划" and list(plan.counties.values_list("code", flat=True)) == ["150802"]
    services.plan_freeze(actor=SYSTEM, plan=plan)
    response = client.get(url, follow=True)
    assert "名录冻结后计划不能再修改" in " ".join(messages_of(response))


# --- the draw steps ----------------------------------------------------------------------------------------------

def test_freeze_entropy_draw_from_the_plan_page(client, users, team):
    plan = make_plan(lead_department="fda")
    login(client, users["department"])
    detail = reverse("inspections:plan_detail", args=[plan.pk])
    assert "检查对象名录（4 家）" in client.get(detail).content.decode()

    response = client.post(reverse("inspections:plan_freeze", args=[plan.pk]), follow=True)
    draw = Draw.objects.get(plan=plan)
    page = response.content.decode()
    assert "名录已冻结（4 家）" in " ".join(messages_of(response))
    assert draw.population_sha256 in page and draw.commitment_sha256 in page
    assert draw.server_secret not in page  # kept secret until the draw
    assert "录入公开随机数" in page

    bad = client.post(reverse("inspections:plan_entropy", args=[plan.pk]), {"entropy": " ", "witnesses": ""})
    assert bad.status_code == 422 and "请填写公开随机数" in bad.content.decode()
    client.post(reverse("inspections:plan_entropy", args=[plan.pk]),
                {"entropy": "3 6 1 / 4 4 2", "witnesses": "张三（消费者代表）\n李四（人大代表）"})
    draw.refresh_from_db()
    assert draw.public_entropy == "3 6 1 / 4 4 2" and draw.witnesses == "张三（消费者代表）、李四（人大代表）"
    again = client.post(reverse("inspections:plan_entropy", args=[plan.pk]), {"entropy": "9", "witnesses": "王五"},
                        follow=True)
    assert "不能再次录入" in " ".join(messages_of(again))
    draw.refresh_from_db()
    assert draw.public_entropy == "3 6 1 / 4 4 2"

    response = client.post(reverse("inspections:plan_draw", args=[plan.pk]), follow=True)
    draw.refresh_from_db()
    page = response.content.decode()
    assert "抽取完成：抽中 4 家企业" in " ".join(messages_of(response))
    assert draw.seed in page and draw.server_secret in page
    for inspection in Inspection.objects.filter(plan=plan):
        assert inspection.entity.name in page
        for code in inspection.inspector_codes:
            assert code in page
    response = client.post(reverse("inspections:plan_draw", args=[plan.pk]), follow=True)
    assert "不能再次抽取" in " ".join(messages_of(response))
    assert Inspection.objects.filter(plan=plan).count() == 4


def test_only_the_lead_department_or_the_office_runs_the_draw(client, users, team):
    plan = make_plan(lead_department="amr", counties=["150802"])
    login(client, users["department"])  # fda staff, plan led by amr: not in its scope at all
    assert client.post(reverse("inspections:plan_freeze", args=[plan.pk])).status_code == 404
    login(client, users["county_a"])  # sees the plan, may not run it
    page = client.get(reverse("inspections:plan_detail", args=[plan.pk])).content.decode()
    assert "冻结名录并公布承诺值" not in page
    response = client.post(reverse("inspections:plan_freeze", args=[plan.pk]), follow=True)
    assert "由牵头部门或联席会议办公室办理" in " ".join(messages_of(response))
    assert not Draw.objects.exists()


def test_unassigned_businesses_are_listed_with_their_reason(client, users, entities):
    make_inspector("fda-only-1", regions=["150802"])  # one inspector, teams of two: nobody can be assigned
    plan = drawn_plan(lead_department="fda", counties=["150802"])
    login(client, users["department"])
    page = client.get(reverse("inspections:plan_detail", args=[plan.pk])).content.decode()
    assert "其中 2 家未能分派" in page
    assert "符合条件的检查人员只有 1 名，少于每组 2 名" in page


def test_record_download_verifies_offline(client, users, team):
    plan = drawn_plan(lead_department="fda")
    login(client, users["department"])
    response = client.get(reverse("inspections:plan_record", args=[plan.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    record = json.loads(response.content)
    assert drawing.verify(record) == []
    record["selected"][0]["uscc"], record["selected"][1]["uscc"] = (record["selected"][1]["uscc"],
                                                                    record["selected"][0]["uscc"])
    assert drawing.verify(record)


def test_no_record_before_the_draw(client, users, team):
    plan = make_plan(lead_department="fda")
    services.plan_freeze(actor=SYSTEM, plan=plan)
    login(client, users["department"])
    assert client.get(reverse("inspections:plan_record", args=[plan.pk])).status_code == 404


# --- results and publication ------------------------------------------------------------------------------------

def test_record_results_with_documents_then_publish_and_close(client, users, team, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    plan = drawn_plan(lead_department="fda")
    first, second, *rest = list(Inspection.objects.filter(plan=plan).order_by("seq"))
    login(client, users["department"])
    url = reverse("inspections:result", args=[first.pk])
    form = client.get(url).content.decode()
    assert "录入检查结果" in form and "证照公示" in form

    missing = client.post(url, {"outcome": Outcome.PROBLEMS, "description": "", "inspected_on": today().isoformat()})
    assert missing.status_code == 422 and "请写明情况和处理措施" in missing.content.decode()
    assert not Inspection.objects.get(pk=first.pk).outcome

    photo = SimpleUploadedFile("现场.png", PNG, content_type="image/png")
    response = client.post(url, {"outcome": Outcome.PROBLEMS, "description": "进货查验记录不全，已责令整改。",
                                 "inspected_on": today().isoformat(), "files": [photo]})
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.outcome == Outcome.PROBLEMS and first.publish_due is not None
    assert InspectionDocument.objects.filter(inspection=first).count() == 1
    assert CreditEvent.objects.filter(source_ref=f"inspection:{first.pk}").exists()
    page = client.get(url).content.decode()
    assert "保存检查结果" not in page and "现场.png" in page  # recorded once; shown, not editable
    again = client.post(url, {"outcome": Outcome.PASSED, "description": "", "inspected_on": today().isoformat()})
    assert again.status_code == 409 and "该检查结果已经录入" in again.content.decode()
    assert Inspection.objects.get(pk=first.pk).outcome == Outcome.PROBLEMS
    document = InspectionDocument.objects.get(inspection=first)
    document_url = reverse("inspections:document", args=[first.pk, document.pk])
    assert document_url in page
    download = client.get(document_url)
    assert download.status_code == 200 and download["Content-Type"] == "image/png"
    assert b"".join(download.streaming_content) == PNG
    outsider = users["county_b"] if first.entity.region.code == "150802" else users["county_a"]
    login(client, outsider)
    assert client.get(document_url).status_code == 404
    login(client, users["department"])

    for inspection in [second, *rest]:
        client.post(reverse("inspections:result", args=[inspection.pk]),
                    {"outcome": Outcome.PASSED, "description": "", "inspected_on": today().isoformat()})
    detail = client.get(reverse("inspections:plan_detail", args=[plan.pk])).content.decode()
    assert "公示已录入的 4 项结果" in detail
    assert "结束计划" not in detail
    ids = list(Inspection.objects.filter(plan=plan).values_list("pk", flat=True))
    response = client.post(reverse("inspections:plan_publish", args=[plan.pk]), {"inspection": ids}, follow=True)
    assert "已公示 4 项检查结果" in " ".join(messages_of(response))
    assert Inspection.objects.filter(plan=plan, published_at__isnull=False).count() == 4
    assert "结束计划" in response.content.decode()
    twice = client.post(reverse("inspections:plan_publish", args=[plan.pk]), {"inspection": ids}, follow=True)
    assert "所选检查结果都已公示，无需重复公示" in " ".join(messages_of(twice))
    response = client.post(reverse("inspections:plan_close", args=[plan.pk]), follow=True)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CLOSED and "计划已结束" in " ".join(messages_of(response))


def test_publishing_nothing_or_an_unrecorded_result_is_refused(client, users, team):
    plan = drawn_plan(lead_department="fda")
    pending = Inspection.objects.filter(plan=plan).first()
    login(client, users["department"])
    response = client.post(reverse("inspections:plan_publish", args=[plan.pk]), {}, follow=True)
    assert "请选择要公示的检查结果" in " ".join(messages_of(response))
    response = client.post(reverse("inspections:plan_publish", args=[plan.pk]), {"inspection": [pending.pk]},
                           follow=True)
    assert "尚未录入检查结果，不能公示" in " ".join(messages_of(response))
    assert not Inspection.objects.filter(published_at__isnull=False).exists()


def test_overdue_publication_is_flagged(client, users, team):
    plan = drawn_plan(lead_department="fda")
    inspection = Inspection.objects.filter(plan=plan).first()
    services.result_record(actor=SYSTEM, inspection=inspection, outcome=Outcome.PASSED, description="",
                           inspected_on=today())
    Inspection.objects.filter(pk=inspection.pk).update(publish_due=today() - timedelta(days=3))
    login(client, users["department"])
    plans_page = client.get(reverse("inspections:plans")).content.decode()
    assert "1 项抽查结果已超过公示期限" in plans_page and inspection.entity.name in plans_page
    detail = client.get(reverse("inspections:plan_detail", args=[plan.pk])).content.decode()
    assert "已逾期" in detail


def test_county_staff_record_only_their_own_countys_results(client, users, team):
    plan = drawn_plan(lead_department="fda")
    other = Inspection.objects.filter(plan=plan, entity__region__code="150821").first()
    own = Inspection.objects.filter(plan=plan, entity__region__code="150802").first()
    login(client, users["county_a"])  # a county sees, and records, the businesses of its own county only
    assert client.get(reverse("inspections:result", args=[other.pk])).status_code == 404
    detail = client.get(reverse("inspections:plan_detail", args=[plan.pk])).content.decode()
    assert other.entity.name not in detail and reverse("inspections:result", args=[own.pk]) in detail
    queue = client.get(reverse("inspections:plans")).content.decode()
    assert "待您录入的检查结果" in queue and own.entity.name in queue and other.entity.name not in queue
    response = client.post(reverse("inspections:result", args=[other.pk]),
                           {"outcome": Outcome.PASSED, "inspected_on": today().isoformat()})
    other.refresh_from_db()
    assert response.status_code == 404 and not other.outcome


# --- the inspection-object directory ----------------------------------------------------------------------------

def test_object_directory_of_a_draft_and_of_a_frozen_plan(client, users, team):
    plan = make_plan(lead_department="fda", counties=["150802"])
    closed = make_entity(county="150802", sector="food_drug", name="临河区已注销小店")
    closed.operating_status = "cancelled"
    closed.save()
    login(client, users["department"])
    url = reverse("inspections:plan_objects", args=[plan.pk])
    page = client.get(url).content.decode()
    assert "临河区华联超市" in page and "临河区乐购电商旗舰店" in page
    assert "五原县华联生鲜超市" not in page and "临河区已注销小店" not in page
    assert "共 2 家" in page and "尚无信用记录" in page
    filtered = client.get(url, {"q": "华联"}).content.decode()
    assert "临河区华联超市" in filtered and "临河区乐购电商旗舰店" not in filtered

    services.plan_freeze(actor=SYSTEM, plan=plan)
    make_entity(county="150802", sector="food_drug", name="临河区冻结后新开店")
    page = client.get(url).content.decode()
    assert "下表为冻结时的名录" in page and "临河区冻结后新开店" not in page
    picker = client.get(reverse("inspections:objects"), {"plan": plan.pk}).content.decode()
    assert plan.name in picker and "临河区华联超市" in picker


# --- inspectors ----------------------------------------------------------------------------------------------------

def test_add_edit_an_inspector_and_declare_then_withdraw_a_conflict(client, users, entities):
    from fangxin.organisation.models import Department, Region

    login(client, users["department"])
    fda, linhe = Department.objects.get(code="fda"), Region.objects.get(code="150802")
    response = client.post(reverse("inspections:inspector_new"), {
        "code": "15080212345", "name": "王检查", "department": fda.pk, "regions": [linhe.pk],
        "qualification": "食品安全执法资格", "active": "on"})
    assert response.status_code == 302
    inspector = Inspector.objects.get(code="15080212345")
    assert inspector.active and list(inspector.regions.values_list("code", flat=True)) == ["150802"]
    duplicate = client.post(reverse("inspections:inspector_new"), {
        "code": "15080212345", "name": "重复", "department": fda.pk, "regions": [linhe.pk]})
    assert duplicate.status_code == 422 and "已登记" in duplicate.content.decode()

    edit = reverse("inspections:inspector_edit", args=[inspector.pk])
    client.post(edit, {"code": inspector.code, "name": "王检查", "department": fda.pk, "regions": [linhe.pk],
                       "qualification": "食品安全执法资格"})  # active unticked
    inspector.refresh_from_db()
    assert not inspector.active

    declare = reverse("inspections:conflict_declare", args=[inspector.pk])
    unknown = client.post(declare, {"uscc": "91150802MA0N000000", "reason": "亲属"})
    assert unknown.status_code == 422
    shop = entities["a_food"]
    client.post(declare, {"uscc": shop.uscc.lower(), "reason": "配偶在该企业任职"})
    conflict = InspectorConflict.objects.get(inspector=inspector)
    assert conflict.entity == shop and conflict.withdrawn_at is None
    listing = client.get(reverse("inspections:inspectors")).content.decode()
    assert "配偶在该企业任职" in listing and "不在岗" in listing
    twice = client.post(declare, {"uscc": shop.uscc, "reason": "再次"})
    assert twice.status_code == 422 and "已申报" in twice.content.decode()
    client.post(reverse("inspections:conflict_withdraw", args=[conflict.pk]))
    conflict.refresh_from_db()
    assert conflict.withdrawn_at is not None


def test_county_staff_read_the_inspector_directory_but_do_not_edit_other_departments(client, users, entities):
    inspector = make_inspector("fda-x1", regions=["150802"])
    login(client, users["county_a"])
    listing = client.get(reverse("inspections:inspectors")).content.decode()
    assert "fda-x1" in listing
    response = client.post(reverse("inspections:inspector_edit", args=[inspector.pk]), {
        "code": "fda-x1", "name": "改名", "department": inspector.department_id,
        "regions": list(inspector.regions.values_list("pk", flat=True))})
    assert response.status_code == 403 and "本部门工作人员维护" in response.content.decode()
    inspector.refresh_from_db()
    assert inspector.name != "改名"


def test_link_an_account_and_the_inspector_declares_their_own_conflict(client, users, entities):
    inspector = make_inspector("fda-self-1", regions=["150802"])
    login(client, users["department"])
    edit = reverse("inspections:inspector_edit", args=[inspector.pk])
    fields = {"code": inspector.code, "name": inspector.name, "department": inspector.department_id,
              "regions": list(inspector.regions.values_list("pk", flat=True)), "active": "on"}
    unknown = client.post(edit, {**fields, "username": "nobody-here"})
    assert unknown.status_code == 422 and "没有用户名为“nobody-here”的账号" in unknown.content.decode()
    merchant = client.post(edit, {**fields, "username": "merchant"})
    assert merchant.status_code == 422 and "只能关联工作人员账号" in merchant.content.decode()
    client.post(edit, {**fields, "username": "county_a"})
    inspector.refresh_from_db()
    assert inspector.user == users["county_a"]
    assert 'value="county_a"' in client.get(edit).content.decode()

    login(client, users["county_a"])  # not of the department, but the inspector themself
    client.post(reverse("inspections:conflict_declare", args=[inspector.pk]),
                {"uscc": entities["a_food"].uscc, "reason": "曾在该企业任职"})
    assert InspectorConflict.objects.filter(inspector=inspector, entity=entities["a_food"]).exists()


def test_a_county_sees_its_part_of_a_draft_directory_and_is_told_the_whole(client, users, team):
    plan = make_plan(lead_department="fda")  # both counties
    login(client, users["county_a"])
    page = client.get(reverse("inspections:plan_objects", args=[plan.pk])).content.decode()
    assert "临河区华联超市" in page and "五原县华联生鲜超市" not in page
    assert "计划范围内在营的市场主体共 4 家" in page and "下表列出其中 2 家" in page
    login(client, users["office"])
    assert "计划范围内在营的市场主体共" not in client.get(
        reverse("inspections:plan_objects", args=[plan.pk])).content.decode()


def test_the_plan_page_costs_the_same_queries_for_4_or_40_selected(client, users, team):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_for(plan) -> int:
        url = reverse("inspections:plan_detail", args=[plan.pk])
        client.get(url)  # warm the calendar and the session
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context.captured_queries)

    login(client, users["department"])
    small = drawn_plan(lead_department="fda", name="小计划")
    for number in range(36):
        make_entity(county="150802", sector="food_drug", name=f"临河区第{number}号食杂店")
    large = drawn_plan(lead_department="fda", name="大计划")
    assert Inspection.objects.filter(plan=large).count() == 40
    assert queries_for(large) == queries_for(small)


@pytest.mark.parametrize("scope", [
    {}, {"counties": ["150821"]}, {"sectors": ["food_drug"]}, {"sectors": ["tourism", "ecommerce"]},
    {"entity_types": ["individual"]}, {"entity_types": ["company"], "counties": ["150802"]},
])
def test_the_counted_scope_matches_the_population_a_freeze_takes(entities, scope):
    from fangxin.inspections.views_staff import scope_count

    make_entity(county="150802", sector="food_drug", name="临河区个体小吃店", entity_type="individual")
    plan = make_plan(**scope)
    assert scope_count(plan) == len(services.population_of(plan))


def test_a_failed_result_of_an_enrolled_business_says_it_went_to_review(client, users, team):
    from fangxin.campaign.tests.factories import make_enrollment
    from fangxin.campaign.titles.models import ManagementCase

    plan = drawn_plan(lead_department="fda")
    failed, passed, *_ = Inspection.objects.filter(plan=plan).order_by("seq")
    make_enrollment(failed.entity)
    make_enrollment(passed.entity)
    login(client, users["department"])
    response = client.post(reverse("inspections:result", args=[failed.pk]), {
        "outcome": Outcome.REFUSED, "description": "经营者拒绝出示进货台账", "inspected_on": today().isoformat()},
        follow=True)
    failed.refresh_from_db()
    said = " ".join(messages_of(response))
    assert "已记入其信用记录" in said and "已提交动态管理复核" in said
    assert f"请于 {failed.publish_due:%Y-%m-%d} 前公示" in said
    assert ManagementCase.objects.filter(source_ref=f"inspection:{failed.pk}").exists()
    response = client.post(reverse("inspections:result", args=[passed.pk]), {
        "outcome": Outcome.PASSED, "description": "", "inspected_on": today().isoformat()}, follow=True)
    said = " ".join(messages_of(response))
    assert "已记入其信用记录" in said and "动态管理" not in said


def test_passed_due_dates_are_flagged_on_the_plan_page(client, users, team):
    late_draw = make_plan(lead_department="fda", name="逾期未抽取")
    Plan.objects.filter(pk=late_draw.pk).update(draw_due=today() - timedelta(days=1))
    late_check = drawn_plan(lead_department="fda", name="逾期未检查")
    Plan.objects.filter(pk=late_check.pk).update(inspect_due=today() - timedelta(days=1))
    on_time = drawn_plan(lead_department="fda", name="按期", inspect_due=today() + timedelta(days=9))
    login(client, users["department"])
    page = client.get(reverse("inspections:plan_detail", args=[late_draw.pk])).content.decode()
    assert "已过，尚未抽取" in page
    page = client.get(reverse("inspections:plan_detail", args=[late_check.pk])).content.decode()
    assert "已过，还有 4 家未录入检查结果" in page
    assert 'id="late"' not in client.get(reverse("inspections:plan_detail", args=[on_time.pk])).content.decode()


def test_another_departments_inspector_is_read_only(client, users, team):
    other = make_inspector("amr-x1", department="amr", regions=["150802"])
    login(client, users["department"])  # 市食药监局
    page = client.get(reverse("inspections:inspector_edit", args=[other.pk])).content.decode()
    assert 'id="inspector-facts"' in page and 'class="inspector-form"' not in page and "申报利益冲突" not in page
    response = client.post(reverse("inspections:inspector_edit", args=[other.pk]),
                           {"code": "amr-x1", "name": "改名", "department": "amr", "regions": ["150802"]})
    assert response.status_code == 403 and "未作修改" in response.content.decode()
    own = next(iter(team.values()))
    assert 'class="inspector-form"' in client.get(reverse("inspections:inspector_edit", args=[own.pk])).content.decode()
