"""The standards pages and the joint-meeting office's pages: who may open them, what they show, the Chinese
messages for bad input, the XLSX download, publishing, the cycle, the dynamic-management queue and coverage."""

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from fangxin.accounts.tests.factories import make_user
from fangxin.campaign.choices import BadgeStatus, EnrollmentStatus
from fangxin.campaign.services import badge_check
from fangxin.campaign.tests.factories import make_enrollment
from fangxin.campaign.titles import services
from fangxin.campaign.titles.choices import (
    ApplicationStatus,
    CaseStatus,
    CycleStatus,
    DesignationKind,
    StandardStatus,
    TitleLevel,
    TitleStatus,
)
from fangxin.campaign.titles.models import Announcement, Cycle, Designation, ManagementCase, Standard
from fangxin.campaign.titles.seed import seed_standards
from fangxin.campaign.titles.tests.factories import (
    SYSTEM,
    award,
    make_application,
    open_cycle,
    sign_both,
    standard_for,
)
from fangxin.core.actors import Actor
from fangxin.credit.services import list_enter
from fangxin.organisation.models import Dimension, Sector

TODAY = timezone.localdate


@pytest.fixture
def seeded(users):
    seed_standards(actor=SYSTEM)
    return users


def food_county() -> Standard:
    return Standard.objects.get(sector__code="food_drug", level=TitleLevel.COUNTY, status=StandardStatus.PUBLISHED)


def as_user(client, user):
    client.force_login(user)
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def item_post(standard: Standard, rows: list[dict] | None = None, *, title=None, pass_mark=None, note="",
              initial: int | None = None) -> dict:
    """The edit form's POST data: the draft's rows (or `rows`) in the formset's shape."""
    if rows is None:
        rows = [{"dimension": i.dimension_id, "kind": i.kind, "text": i.text, "points": str(i.points),
                 "guidance": i.guidance, "evidence": i.evidence} for i in standard.items.all()]
    data = {"title": standard.title if title is None else title,
            "pass_mark": str(standard.pass_mark if pass_mark is None else pass_mark), "note": note,
            "items-TOTAL_FORMS": str(len(rows)),
            "items-INITIAL_FORMS": str(standard.items.count() if initial is None else initial),
            "items-MIN_NUM_FORMS": "0", "items-MAX_NUM_FORMS": "200"}
    for index, row in enumerate(rows):
        for key, value in row.items():
            if key == "DELETE":
                if value:
                    data[f"items-{index}-DELETE"] = "on"
            else:
                data[f"items-{index}-{key}"] = value
    return data


def draft_for(user, sector_code="food_drug", level=TitleLevel.COUNTY) -> Standard:
    return services.standard_draft(actor=Actor.for_user(user), sector=Sector.objects.get(code=sector_code),
                                   level=level)


# --- standards list and detail ----------------------------------------------------------------------------------

def test_the_list_shows_published_standards_and_drafts_only_to_their_owners(client, seeded):
    draft = draft_for(seeded["department"])

    page = as_user(client, seeded["county_a"]).get(reverse("campaign:standards"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "食品药品放心消费示范单位评价标准（旗县区级）" in text and "电子商务和电视购物" in text
    assert reverse("campaign:standard_detail", args=[draft.pk]) not in text
    assert ">草稿</span>" not in text

    page = as_user(client, seeded["department"]).get(reverse("campaign:standards"))
    assert reverse("campaign:standard_edit", args=[draft.pk]) in page.content.decode()

    filtered = client.get(reverse("campaign:standards"), {"sector": "tourism", "level": "city"})
    groups = filtered.context["groups"]
    assert [(g["sector"].code, [s.level for s in g["rows"]]) for g in groups] == [("tourism", ["city"])]


def test_the_list_shows_retired_versions_on_request(client, seeded):
    draft = draft_for(seeded["department"])
    services.standard_publish(actor=Actor.for_user(seeded["department"]), standard=draft)
    retired = Standard.objects.get(sector__code="food_drug", level="county", version=1)
    office = as_user(client, seeded["office"])
    plain = office.get(reverse("campaign:standards"), {"sector": "food_drug", "level": "county"})
    assert [s.pk for g in plain.context["groups"] for s in g["rows"]] == [draft.pk]
    history = office.get(reverse("campaign:standards"), {"sector": "food_drug", "level": "county", "history": "on"})
    assert [s.pk for g in history.context["groups"] for s in g["rows"]] == [draft.pk, retired.pk]


def test_the_standard_page_is_printable_and_grouped_by_the_five_dimensions(client, seeded):
    standard = food_county()
    page = as_user(client, seeded["county_a"]).get(reverse("campaign:standard_detail", args=[standard.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    dimensions = [d.name for d in Dimension.objects.order_by("seq")]
    positions = [text.index(f". {name}（") for name in dimensions]
    assert positions == sorted(positions), "the groups follow the dimensions' order"
    groups = page.context["groups"]
    assert [g["dimension"].code for g in groups] == ["safety", "quality", "price", "service", "rights"]
    assert sum(g["scored"] for g in groups) == Decimal("100")
    assert "一票否决" in text and "加分项" in text and "+3.0" in text
    assert "合格分" in text and "80.0" in text and "第 1 版" in text and "市食药监局" in text
    assert f"<dd>{timezone.localtime(standard.published_at):%Y-%m-%d}</dd>" in text
    assert "css/titles-staff.css" in text
    # no edit buttons for someone who does not own the standard
    assert reverse("campaign:standard_new") not in text


def test_the_print_stylesheet_hides_the_workbench_chrome(settings):
    css = (settings.BASE_DIR / "fangxin" / "static" / "css" / "titles-staff.css").read_text(encoding="utf-8")
    print_rules = css.split("@media print", 1)[1]
    assert ".workbench-nav" in print_rules and ".no-print" in print_rules and "size: A4" in print_rules


def test_a_draft_is_not_found_for_anyone_but_its_owners(client, seeded):
    draft = draft_for(seeded["department"])
    for name in ("county_a", "association", "merchant"):
        response = as_user(client, seeded[name]).get(reverse("campaign:standard_detail", args=[draft.pk]))
        assert response.status_code == 404, name
    assert as_user(client, seeded["office"]).get(
        reverse("campaign:standard_detail", args=[draft.pk])).status_code == 200


def test_the_xlsx_holds_the_facts_and_every_item_grouped_by_dimension(client, seeded):
    standard = food_county()
    response = as_user(client, seeded["auditor"]).get(reverse("campaign:standard_xlsx", args=[standard.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "standard-food_drug-county-v1.xlsx" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    assert values[0][0] == standard.title
    facts = {row[0]: row[1] for row in values[1:10]}
    assert facts["合格分"] == "80.0" and facts["版本"] == "第 1 版" and facts["制定部门"] == "市食药监局"
    header = values.index(["序号", "维度", "类别", "评价内容", "分值", "评分办法", "应提供的材料"])
    items = [row for row in values[header + 1:] if isinstance(row[0], int)]
    assert len(items) == standard.items.count()
    assert {row[3] for row in items} == set(standard.items.values_list("text", flat=True))
    assert round(sum(row[4] for row in items if row[2] == "评分项"), 1) == 100
    assert [row[3] for row in items if row[2] == "一票否决项"] == list(
        standard.items.filter(kind="veto").order_by("dimension__seq", "seq").values_list("text", flat=True))
    group_rows = [row[0] for row in values[header + 1:] if isinstance(row[0], str)]
    assert group_rows[0].startswith("消费安全放心（评分项") and len(group_rows) == 5


def test_the_xlsx_of_a_draft_is_not_found_for_others(client, seeded):
    draft = draft_for(seeded["department"])
    assert as_user(client, seeded["county_a"]).get(
        reverse("campaign:standard_xlsx", args=[draft.pk])).status_code == 404


# --- drafting, editing, publishing ------------------------------------------------------------------------------

def test_the_lead_department_drafts_a_copy_of_the_published_version(client, seeded):
    current = food_county()
    response = as_user(client, seeded["department"]).post(reverse("campaign:standard_new"),
                                                          {"sector": "food_drug", "level": "county"})
    draft = Standard.objects.get(sector__code="food_drug", level="county", status=StandardStatus.DRAFT)
    assert response.status_code == 302 and response["Location"] == reverse("campaign:standard_edit", args=[draft.pk])
    assert draft.version == 2 and draft.items.count() == current.items.count()
    assert list(draft.items.values_list("text", "points")) == list(current.items.values_list("text", "points"))


def test_a_department_that_does_not_lead_the_sector_cannot_draft(client, seeded):
    before = Standard.objects.count()
    response = as_user(client, seeded["department"]).post(reverse("campaign:standard_new"),
                                                          {"sector": "ecommerce", "level": "county"})
    assert response.status_code == 200
    assert "您所在部门不是该行业的牵头部门" in response.content.decode()
    assert Standard.objects.count() == before
    # the form offers only the sectors the department leads
    assert [code for code, _ in response.context["form"].fields["sector"].choices if code] == ["food_drug"]


@pytest.mark.parametrize("name", ["county_a", "association", "auditor", "merchant"])
def test_only_lead_departments_and_the_office_open_the_draft_page(client, seeded, name):
    assert as_user(client, seeded[name]).get(reverse("campaign:standard_new")).status_code == 404


def test_a_department_leading_no_sector_gets_404(client, seeded):
    psb = make_user("psb_staff", "department_staff", region="150800", department="psb")
    assert as_user(client, psb).get(reverse("campaign:standard_new")).status_code == 404


def test_a_second_draft_is_refused_with_a_link_to_the_first(client, seeded):
    draft = draft_for(seeded["department"])
    response = as_user(client, seeded["office"]).post(reverse("campaign:standard_new"),
                                                      {"sector": "food_drug", "level": "county"})
    text = response.content.decode()
    assert "该行业、该级别已有一份草稿" in text
    assert reverse("campaign:standard_edit", args=[draft.pk]) in text


def test_editing_changes_points_removes_and_adds_rows(client, seeded):
    draft = draft_for(seeded["department"])
    items = list(draft.items.all())
    rows = [{"dimension": i.dimension_id, "kind": i.kind, "text": i.text, "points": str(i.points),
             "guidance": i.guidance, "evidence": i.evidence} for i in items]
    rows[0]["points"] = str(items[0].points + 2)
    rows[1]["DELETE"] = True
    rows.append({"dimension": Dimension.objects.get(code="rights").pk, "kind": "bonus",
                 "text": "参加消费纠纷在线解决（ODR）", "points": "2", "guidance": "参加得 2 分", "evidence": "ODR 入驻证明"})
    rows.append({"dimension": "", "kind": "scored", "text": "", "points": "", "guidance": "", "evidence": ""})
    response = as_user(client, seeded["department"]).post(
        reverse("campaign:standard_edit", args=[draft.pk]),
        item_post(draft, rows, title="食品药品放心消费示范单位评价标准（旗县区级，2027 修订）", pass_mark="82",
                  note="提高安全项分值"))
    assert response.status_code == 302
    assert response["Location"] == reverse("campaign:standard_detail", args=[draft.pk])
    draft.refresh_from_db()
    saved = list(draft.items.all())
    assert len(saved) == len(items)  # one removed, one added, the blank row ignored
    assert saved[0].points == items[0].points + 2
    assert items[1].text not in [i.text for i in saved]
    assert saved[-1].text == "参加消费纠纷在线解决（ODR）" and saved[-1].kind == "bonus" and saved[-1].seq == len(saved)
    assert draft.pass_mark == Decimal("82") and draft.note == "提高安全项分值" and "2027 修订" in draft.title
    assert draft.status == StandardStatus.DRAFT


def test_bad_rows_show_chinese_errors_and_save_nothing(client, seeded):
    draft = draft_for(seeded["department"])
    before = list(draft.items.values_list("seq", "text", "points", "kind"))
    rows = [{"dimension": i.dimension_id, "kind": i.kind, "text": i.text, "points": str(i.points),
             "guidance": i.guidance, "evidence": i.evidence} for i in draft.items.all()]
    veto = next(index for index, row in enumerate(rows) if row["kind"] == "veto")
    rows[veto]["points"] = "5"
    rows[0]["points"] = ""
    rows[1]["text"] = ""
    rows[2]["points"] = "abc"
    rows[3]["dimension"] = ""
    response = as_user(client, seeded["department"]).post(reverse("campaign:standard_edit", args=[draft.pk]),
                                                          item_post(draft, rows, pass_mark=""))
    assert response.status_code == 200
    text = response.content.decode()
    for message in ("一票否决项不计分，分值应为 0。", "评分项请填写大于 0 的分值。", "请填写评价内容。", "请填写数字。",
                    "请选择维度。", "请填写合格分。", "请按提示修改标有错误的内容。"):
        assert message in text, message
    assert list(draft.items.values_list("seq", "text", "points", "kind")) == before


def test_a_draft_without_any_scored_item_is_refused(client, seeded):
    draft = draft_for(seeded["department"])
    rows = [{"dimension": i.dimension_id, "kind": i.kind, "text": i.text, "points": str(i.points),
             "guidance": i.guidance, "evidence": i.evidence, "DELETE": i.kind == "scored"} for i in draft.items.all()]
    response = as_user(client, seeded["department"]).post(reverse("campaign:standard_edit", args=[draft.pk]),
                                                          item_post(draft, rows))
    assert "标准至少要有一个评分项。" in response.content.decode()
    assert draft.items.filter(kind="scored").exists()


def test_a_published_standard_cannot_be_edited(client, seeded):
    standard = food_county()
    response = as_user(client, seeded["department"]).get(reverse("campaign:standard_edit", args=[standard.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("campaign:standard_detail", args=[standard.pk])
    follow = client.get(response["Location"])
    assert "已发布或已停用的标准不能修改；请新建草稿。" in messages_of(follow)


def test_publishing_retires_the_previous_version(client, seeded):
    old = food_county()
    draft = draft_for(seeded["department"])
    response = as_user(client, seeded["department"]).post(reverse("campaign:standard_publish", args=[draft.pk]),
                                                          follow=True)
    assert "已发布第 2 版，原第 1 版已停用。此后的申报和评审使用新版本。" in messages_of(response)
    old.refresh_from_db()
    draft.refresh_from_db()
    assert old.status == StandardStatus.RETIRED
    assert draft.status == StandardStatus.PUBLISHED and draft.published_at is not None
    assert standard_for(_food_entity(seeded)).pk == draft.pk  # new applications use the new version
    again = client.post(reverse("campaign:standard_publish", args=[draft.pk]), follow=True)
    assert "只有草稿可以发布。" in messages_of(again)
    assert Standard.objects.filter(sector__code="food_drug", level="county", status="published").count() == 1


def _food_entity(users):
    from fangxin.merchants.models import MarketEntity

    return MarketEntity.objects.get(name="临河区华联超市")


def test_publishing_checks_the_pass_mark_against_the_total(client, seeded):
    draft = draft_for(seeded["department"])
    services.standard_update_draft(actor=SYSTEM, standard=draft, title=draft.title, pass_mark="120",
                                   items=[services.ItemInput(dimension_id=i.dimension_id, text=i.text,
                                                             points=i.points, kind=i.kind)
                                          for i in draft.items.all()])
    response = as_user(client, seeded["department"]).post(reverse("campaign:standard_publish", args=[draft.pk]),
                                                          follow=True)
    assert "合格分应大于 0 且不超过评分项总分 100.0。" in messages_of(response)
    draft.refresh_from_db()
    assert draft.status == StandardStatus.DRAFT


def test_others_cannot_edit_or_publish_a_draft(client, seeded):
    food = draft_for(seeded["department"])
    ecommerce = draft_for(seeded["office"], "ecommerce")
    for name, pk in (("county_a", food.pk), ("association", food.pk), ("department", ecommerce.pk)):
        user = as_user(client, seeded[name])
        assert user.get(reverse("campaign:standard_edit", args=[pk])).status_code == 404, name
        assert user.post(reverse("campaign:standard_publish", args=[pk])).status_code == 404, name
    assert Standard.objects.filter(status=StandardStatus.DRAFT).count() == 2


def test_the_publish_action_takes_only_post(client, seeded):
    draft = draft_for(seeded["department"])
    assert as_user(client, seeded["department"]).get(
        reverse("campaign:standard_publish", args=[draft.pk])).status_code == 405


# --- the annual cycle -------------------------------------------------------------------------------------------

def cycle_post(year=None, **overrides) -> dict:
    today = TODAY()
    data = {"year": str(year or today.year), "applications_open": today.isoformat(),
            "applications_close": (today + timedelta(days=30)).isoformat(),
            "county_review_by": (today + timedelta(days=60)).isoformat(),
            "city_review_by": (today + timedelta(days=90)).isoformat(),
            "region_review_by": (today + timedelta(days=120)).isoformat(),
            "publicity_workdays": "7", "require_title_below": "on", "sector_coverage_threshold": "25",
            "county_coverage_threshold": "12.5", "complaint_window_days": "180", "complaint_limit": "3",
            "quotas-TOTAL_FORMS": "3", "quotas-INITIAL_FORMS": "0", "quotas-MIN_NUM_FORMS": "0",
            "quotas-MAX_NUM_FORMS": "100",
            "quotas-0-level": "county", "quotas-0-target": "150802", "quotas-0-number": "20",
            "quotas-1-level": "city", "quotas-1-target": "food_drug", "quotas-1-number": "3",
            "quotas-2-level": "", "quotas-2-target": "", "quotas-2-number": ""}
    data.update(overrides)
    return data


@pytest.mark.parametrize("name", ["county_a", "department", "association", "merchant"])
def test_the_cycle_pages_are_for_the_office_only(client, users, name):
    cycle = open_cycle()
    user = as_user(client, users[name])
    assert user.get(reverse("campaign:cycles")).status_code == 404
    assert user.get(reverse("campaign:cycle_new")).status_code == 404
    assert user.post(reverse("campaign:cycle_close", args=[cycle.pk])).status_code == 404
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.OPEN


def test_the_auditor_reads_the_cycles_but_cannot_change_them(client, users):
    open_cycle()
    auditor = as_user(client, users["auditor"])
    page = auditor.get(reverse("campaign:cycles"))
    assert page.status_code == 200 and "只读" in page.content.decode()
    assert reverse("campaign:cycle_new") not in page.content.decode()
    assert auditor.get(reverse("campaign:cycle_new")).status_code == 404


def test_the_office_opens_a_year_with_dates_quotas_and_thresholds(client, users):
    office = as_user(client, users["office"])
    form = office.get(reverse("campaign:cycle_new"))
    assert form.context["form"]["publicity_workdays"].value() == 5
    response = office.post(reverse("campaign:cycle_new"), cycle_post(), follow=True)
    cycle = Cycle.objects.get()
    assert cycle.year == TODAY().year and cycle.status == CycleStatus.OPEN
    assert cycle.publicity_workdays == 7 and cycle.require_title_below is True
    assert cycle.quotas == {"county:150802": 20, "city:food_drug": 3}
    assert cycle.sector_coverage_threshold == Decimal("0.250")
    assert cycle.county_coverage_threshold == Decimal("0.125")
    assert (cycle.complaint_window_days, cycle.complaint_limit) == (180, 3)
    assert any("年度已开启" in m for m in messages_of(response))
    text = response.content.decode()
    assert "旗县区级 · 临河区：20 名" in text and "盟市级 · 食品药品：3 名" in text and "12.5%" in text


@pytest.mark.parametrize(("overrides", "message"), [
    ({"applications_close": "2000-01-01"}, "日期应依次为：申报开始 ≤ 申报截止"),
    ({"applications_open": ""}, "请选择申报开始日期。"),
    ({"publicity_workdays": "0"}, "公示期应为 1 到 30 个工作日。"),
    ({"sector_coverage_threshold": "120"}, "门槛不能超过 100%。"),
    ({"quotas-2-level": "county"}, "名额行须同时选择级别、旗县区或行业并填写名额。"),
    ({"quotas-1-level": "county", "quotas-1-target": "150802"}, "名额设置有重复的行。"),
    ({"quotas-0-number": "-1"}, "名额不能为负数。"),
])
def test_bad_cycle_input_is_answered_in_chinese(client, users, overrides, message):
    response = as_user(client, users["office"]).post(reverse("campaign:cycle_new"), cycle_post(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Cycle.objects.exists()


def test_a_second_open_year_is_refused(client, users):
    open_cycle()
    response = as_user(client, users["office"]).post(reverse("campaign:cycle_new"), cycle_post(TODAY().year + 1))
    assert "还有未结束的创建年度，请先结束它。" in response.content.decode()
    assert Cycle.objects.count() == 1


def test_closing_a_year_with_pending_applications_shows_the_conflict(client, users, entities):
    cycle = open_cycle()
    application = make_application(entities["a_food"])
    office = as_user(client, users["office"])
    response = office.post(reverse("campaign:cycle_close", args=[cycle.pk]), follow=True)
    assert "还有 1 份申报未办结（评审或公示中），不能结束年度。" in messages_of(response)
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.OPEN
    assert "未办结 1 份" in response.content.decode()

    services.application_withdraw(actor=SYSTEM, application=application, reason="暂不申报")
    response = office.post(reverse("campaign:cycle_close", args=[cycle.pk]), follow=True)
    assert f"{cycle.year} 年度已结束。" in messages_of(response)
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.CLOSED


# --- dynamic management -----------------------------------------------------------------------------------------

def blacklist(entity, *, kind="serious"):
    return list_enter(actor=SYSTEM, entity=entity, kind=kind, reason_code="2-1", reason="提供虚假材料骗取许可",
                      authority="巴彦淖尔市市场监督管理局", document_number="巴市监列严〔2026〕1号", entered_on=TODAY())


def test_the_queue_shows_open_cases_with_titles_and_enrollment(client, users, entities):
    open_cycle()
    application = sign_both(make_application(entities["a_food"]), users["department"], users["association"])
    title = award(application, users["office"])
    blacklist(entities["a_food"])
    case = ManagementCase.objects.get()
    for name in ("office", "association", "auditor"):
        page = as_user(client, users[name]).get(reverse("campaign:cases"))
        assert page.status_code == 200, name
        text = page.content.decode()
        assert entities["a_food"].name in text and "列入严重违法失信名单" in text and "提供虚假材料骗取许可" in text
        assert title.name in text and title.certificate_no in text and "有效" in text
        decide = reverse("campaign:case_decide", args=[case.pk])
        assert (decide in text) == (name != "auditor"), name


@pytest.mark.parametrize("name", ["county_a", "department", "merchant"])
def test_the_queue_is_not_found_for_other_roles(client, users, entities, name):
    make_enrollment(entities["a_food"])
    blacklist(entities["a_food"])
    case = ManagementCase.objects.get()
    user = as_user(client, users[name])
    assert user.get(reverse("campaign:cases")).status_code == 404
    assert user.post(reverse("campaign:case_decide", args=[case.pk]),
                     {"decision": "revoke", "reason": "严重失信"}).status_code == 404
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN


def test_the_auditor_cannot_decide(client, users, entities):
    make_enrollment(entities["a_food"])
    blacklist(entities["a_food"])
    case = ManagementCase.objects.get()
    assert as_user(client, users["auditor"]).post(reverse("campaign:case_decide", args=[case.pk]),
                                                  {"decision": "revoke", "reason": "严重失信"}).status_code == 404


def test_revoking_from_the_queue_revokes_the_title_the_enrollment_and_the_badge(client, users, entities):
    open_cycle()
    shop = entities["a_food"]
    application = sign_both(make_application(shop), users["department"], users["association"])
    title = award(application, users["office"])
    enrollment = application.enrollment
    assert badge_check(enrollment.badge_token).verdict == BadgeStatus.VALID
    blacklist(shop)
    case = ManagementCase.objects.get()

    response = as_user(client, users["office"]).post(reverse("campaign:case_decide", args=[case.pk]),
                                                     {"decision": "revoke", "reason": "被列入严重违法失信名单"})
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('campaign:cases')}?decided={case.pk}#outcome"
    case.refresh_from_db()
    enrollment.refresh_from_db()
    title.refresh_from_db()
    assert case.status == CaseStatus.REVOKED and case.decided_by == "office"
    assert enrollment.status == EnrollmentStatus.REVOKED
    assert title.status == TitleStatus.REVOKED
    assert title.application.status == ApplicationStatus.REVOKED
    assert badge_check(enrollment.badge_token).verdict == BadgeStatus.REVOKED
    assert Announcement.objects.filter(entity=shop).count() == 2

    page = client.get(response["Location"])
    text = page.content.decode()
    assert page.context["outcome"]["check"].verdict == BadgeStatus.REVOKED
    assert "标志扫码核验现在显示：<strong class=\"badge-verdict\">已撤销</strong>" in text
    assert reverse("campaign:profile", args=[shop.uscc]) in text
    assert reverse("campaign:verify", args=[enrollment.badge_token]) in text
    assert f"已撤销{shop.name}的创建单位资格和示范称号，撤销公告已发布。" in messages_of(page)
    assert not page.context["cases"]


def test_the_association_may_keep_a_unit(client, users, entities):
    enrollment = make_enrollment(entities["a_food"])
    blacklist(entities["a_food"], kind="abnormal")
    case = ManagementCase.objects.get()
    response = as_user(client, users["association"]).post(
        reverse("campaign:case_decide", args=[case.pk]), {"decision": "keep", "reason": "已补报年报，移出在即"},
        follow=True)
    assert f"已保留{entities['a_food'].name}的资格。" in messages_of(response)
    case.refresh_from_db()
    enrollment.refresh_from_db()
    assert case.status == CaseStatus.KEPT and enrollment.status == EnrollmentStatus.ACTIVE
    assert response.context["outcome"]["check"].verdict == BadgeStatus.VALID


@pytest.mark.parametrize(("data", "message"), [
    ({"decision": "revoke", "reason": ""}, "请填写处理意见（撤销时将写入公告）。"),
    ({"reason": "严重失信"}, "请选择处理决定。"),
    ({"decision": "revoke", "reason": "   "}, "请填写处理意见（撤销时将写入公告）。"),
])
def test_a_decision_needs_a_choice_and_a_reason(client, users, entities, data, message):
    enrollment = make_enrollment(entities["a_food"])
    blacklist(entities["a_food"])
    case = ManagementCase.objects.get()
    response = as_user(client, users["office"]).post(reverse("campaign:case_decide", args=[case.pk]), data)
    assert response.status_code == 422
    assert message in response.content.decode()
    case.refresh_from_db()
    enrollment.refresh_from_db()
    assert case.status == CaseStatus.OPEN and enrollment.status == EnrollmentStatus.ACTIVE


def test_a_decided_case_cannot_be_decided_twice(client, users, entities):
    make_enrollment(entities["a_food"])
    blacklist(entities["a_food"])
    case = ManagementCase.objects.get()
    services.case_decide(actor=Actor.for_user(users["office"]), case=case, revoke=False, reason="核实无误")
    response = as_user(client, users["office"]).post(reverse("campaign:case_decide", args=[case.pk]),
                                                     {"decision": "revoke", "reason": "再次处理"})
    assert response.status_code == 422
    assert "该动态管理事项已经处理。" in response.content.decode()


def test_scan_now_opens_the_cases_the_triggers_call_for(client, users, entities):
    make_enrollment(entities["a_food"])
    blacklist(entities["a_food"])
    ManagementCase.objects.all().delete()  # as if the entry had been recorded before the case capability existed
    office = as_user(client, users["office"])
    response = office.post(reverse("campaign:case_scan"), follow=True)
    assert "检查完成：发现 1 项触发事由，新开动态管理事项 1 件。" in messages_of(response)
    assert ManagementCase.objects.filter(entity=entities["a_food"], status=CaseStatus.OPEN).count() == 1
    again = office.post(reverse("campaign:case_scan"), follow=True)
    assert "检查完成：发现 1 项触发事由，新开动态管理事项 0 件。" in messages_of(again)
    assert ManagementCase.objects.count() == 1
    assert as_user(client, users["auditor"]).post(reverse("campaign:case_scan")).status_code == 404


def test_the_titles_command_seeds_and_scans_idempotently(users, entities):
    out = io.StringIO()
    call_command("titles", "seed", stdout=out)
    published = Standard.objects.filter(status=StandardStatus.PUBLISHED).count()
    assert published == 36
    assert out.getvalue().strip() == f"已发布默认评价标准 {published} 份（已有标准的行业和级别不变）。"
    out = io.StringIO()
    call_command("titles", "seed", stdout=out)
    assert "已发布默认评价标准 0 份" in out.getvalue()

    make_enrollment(entities["a_food"])
    blacklist(entities["a_food"])
    ManagementCase.objects.all().delete()
    out = io.StringIO()
    call_command("titles", "scan", stdout=out)
    assert out.getvalue().strip() == "检查完成：发现触发事由 1 项，新开动态管理事项 1 件，待处理共 1 件。"
    out = io.StringIO()
    call_command("titles", "scan", stdout=out)
    assert "新开动态管理事项 0 件，待处理共 1 件" in out.getvalue()


# --- coverage and designations ----------------------------------------------------------------------------------

@pytest.fixture
def titled(users, entities):
    """One county title in 临河区 food_drug (the only enrolled unit there in that sector), 临河区 e-commerce enrolled
    without a title, 五原县 food_drug enrolled without a title."""
    cycle = open_cycle(sector_coverage_threshold="0.5", county_coverage_threshold="0.5")
    application = sign_both(make_application(entities["a_food"]), users["department"], users["association"])
    award(application, users["office"])
    make_enrollment(entities["a_ecommerce"])
    make_enrollment(entities["b_food"])
    return cycle


def _cell(page, county: str, sector: str):
    row = next(r for r in page.context["table"] if r["county"].code == county)
    return next(c for c in row["cells"] if c["sector"].code == sector), row


def test_coverage_shows_titles_over_enrolled_units_and_highlights_the_threshold(client, users, titled):
    page = as_user(client, users["office"]).get(reverse("campaign:coverage"), {"year": titled.year})
    assert page.status_code == 200
    food, linhe = _cell(page, "150802", "food_drug")
    assert (food["titled"], food["enrolled"], food["met"], food["percent"]) == (1, 1, True, "100%")
    ecommerce, _ = _cell(page, "150802", "ecommerce")
    assert (ecommerce["titled"], ecommerce["enrolled"], ecommerce["met"]) == (0, 1, False)
    assert (linhe["titled"], linhe["enrolled"], linhe["met"], linhe["percent"]) == (1, 2, True, "50%")
    wuyuan_food, wuyuan = _cell(page, "150821", "food_drug")
    assert wuyuan_food["met"] is False and wuyuan["met"] is False
    text = page.content.decode()
    assert 'class="coverage-met" data-county="150802" data-sector="food_drug"' in text
    assert "认定临河区食品药品为示范行业" in text and "认定临河区为示范旗县区" in text
    assert "认定五原县为示范旗县区" not in text
    assert "示范行业 ≥ 50%" in text


def test_the_office_designates_a_sector_and_a_county(client, users, titled):
    office = as_user(client, users["office"])
    response = office.post(reverse("campaign:designate"), {"kind": "sector", "year": titled.year,
                                                           "region": "150802", "sector": "food_drug"}, follow=True)
    assert f"已认定临河区食品药品为 {titled.year} 年度放心消费示范行业（覆盖率 100%）。" in messages_of(response)
    response = office.post(reverse("campaign:designate"), {"kind": "county", "year": titled.year,
                                                           "region": "150802"}, follow=True)
    assert f"已认定临河区为 {titled.year} 年度放心消费示范旗县区（覆盖率 50%）。" in messages_of(response)
    assert set(Designation.objects.values_list("kind", "region__code", "sector__code")) == {
        (DesignationKind.SECTOR, "150802", "food_drug"), (DesignationKind.COUNTY, "150802", None)}
    food, linhe = _cell(response, "150802", "food_drug")
    assert food["designated"] and linhe["designated"]
    text = response.content.decode()
    assert 'class="coverage-designated" data-county="150802" data-sector="food_drug"' in text
    assert [d.get_kind_display() for d in response.context["designations"]] == ["放心消费示范旗县区", "放心消费示范行业"]

    again = office.post(reverse("campaign:designate"), {"kind": "county", "year": titled.year, "region": "150802"},
                        follow=True)
    assert "已经认定过。" in messages_of(again)


def test_a_designation_below_the_threshold_is_refused(client, users, titled):
    response = as_user(client, users["office"]).post(
        reverse("campaign:designate"), {"kind": "sector", "year": titled.year, "region": "150821",
                                        "sector": "food_drug"}, follow=True)
    assert "覆盖率 0.0% 未达到认定门槛 50%。" in messages_of(response)
    assert not Designation.objects.exists()


def test_only_the_office_designates(client, users, titled):
    association = as_user(client, users["association"])
    page = association.get(reverse("campaign:coverage"))
    assert page.status_code == 200 and "认定临河区" not in page.content.decode()
    assert association.post(reverse("campaign:designate"), {"kind": "county", "year": titled.year,
                                                            "region": "150802"}).status_code == 404
    assert as_user(client, users["county_a"]).get(reverse("campaign:coverage")).status_code == 404
    assert not Designation.objects.exists()


def test_coverage_without_any_year(client, users):
    page = as_user(client, users["office"]).get(reverse("campaign:coverage"))
    assert "还没有创建年度，无法统计覆盖率。" in page.content.decode()


def test_the_menu_lists_the_office_pages_by_role(client, users):
    office = as_user(client, users["office"]).get(reverse("campaign:standards")).content.decode()
    for name in ("campaign:standards", "campaign:cycles", "campaign:cases", "campaign:coverage"):
        assert f'href="{reverse(name)}"' in office, name
    county = as_user(client, users["county_a"]).get(reverse("campaign:standards")).content.decode()
    assert f'href="{reverse("campaign:standards")}"' in county
    assert f'href="{reverse("campaign:cycles")}"' not in county
    assert f'href="{reverse("campaign:cases")}"' not in county


def test_a_past_year_can_be_chosen(client, users):
    Cycle.objects.create(year=2024, status=CycleStatus.CLOSED, applications_open=date(2024, 3, 1),
                         applications_close=date(2024, 4, 1), county_review_by=date(2024, 5, 1),
                         city_review_by=date(2024, 6, 1), region_review_by=date(2024, 7, 1))
    open_cycle()
    page = as_user(client, users["office"]).get(reverse("campaign:coverage"), {"year": "2024"})
    assert page.context["year"] == 2024 and page.context["cycle"].year == 2024
    assert as_user(client, users["office"]).get(reverse("campaign:coverage")).context["year"] == TODAY().year
