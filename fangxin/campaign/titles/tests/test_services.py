"""The rules of services.py, above all its refusals: each bad input of issue 6 gets a clear Chinese message and
leaves every table exactly as it was."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from fangxin.campaign.tests.factories import make_enrollment
from fangxin.campaign.titles import services
from fangxin.campaign.titles.choices import (
    ApplicationStatus,
    CycleStatus,
    ObjectionStatus,
    StandardStatus,
    TitleLevel,
    TitleStatus,
)
from fangxin.campaign.titles.models import Application, Publicity, Review, Standard, Title
from fangxin.campaign.titles.tests.factories import (
    SYSTEM,
    award,
    full_marks,
    make_application,
    open_cycle,
    sign_both,
    standard_for,
)
from fangxin.campaign.titles.tests.helpers import rows, scores_totalling
from fangxin.core.actors import Actor
from fangxin.core.exceptions import Conflict, PermissionDenied, TransitionNotAllowed, ValidationFailed
from fangxin.organisation.models import Dimension, Sector

TODAY = timezone.localdate


def refused(exc_type, call, *args, match: str = "", **kwargs):
    """Run a refused call: the right error with a Chinese message, and not one row written or changed."""
    before = rows()
    with pytest.raises(exc_type) as caught:
        call(*args, **kwargs)
    assert rows() == before, "a refused call wrote something"
    assert caught.value.message and any("\u4e00" <= ch <= "\u9fff" for ch in caught.value.message)
    assert match in caught.value.message, caught.value.message
    return caught.value


def as_(user):
    return Actor.for_user(user)


def submit(entity, level=TitleLevel.COUNTY, actor=SYSTEM, **kwargs):
    standard = Standard.objects.get(sector=entity.sector, level=level, status=StandardStatus.PUBLISHED)
    kwargs.setdefault("self_scores", full_marks(standard))
    return services.application_submit(actor=actor, entity=entity, level=level, statement="自评", **kwargs)


def sign(application, user, total, *, decision="approve", veto=False):
    return services.review_sign(actor=as_(user), application=application,
                                scores=scores_totalling(application.standard, total, veto=veto), decision=decision,
                                opinion="逐项核对")


def county_title(entity, users):
    """A valid county title for `entity` in the open cycle, through the real services."""
    application = make_application(entity)
    sign_both(application, users["department"], users["association"])
    return award(application, users["office"])


@pytest.fixture
def world(users, entities):
    cycle = open_cycle()
    for entity in entities.values():
        standard_for(entity)
    return cycle


# --- the application window, the level earned, vetoes, duplicates ---------------------------------------------

def test_no_open_cycle_means_no_application(users, entities):
    make_enrollment(entities["a_food"])
    standard_for(entities["a_food"])
    refused(ValidationFailed, submit, entities["a_food"], match="不在申报期内")


def test_before_the_window_opens(users, entities):
    today = TODAY()
    open_cycle(applications_open=today + timedelta(days=1), applications_close=today + timedelta(days=20))
    make_enrollment(entities["a_food"])
    standard_for(entities["a_food"])
    refused(ValidationFailed, submit, entities["a_food"], match="不在申报期内")


def test_county_applications_close_with_the_window_but_city_ones_run_to_the_city_review(users, entities):
    today = TODAY()
    open_cycle(applications_open=today - timedelta(days=30), applications_close=today - timedelta(days=1),
               county_review_by=today + timedelta(days=10))
    make_enrollment(entities["a_food"])
    standard_for(entities["a_food"])
    refused(ValidationFailed, submit, entities["a_food"], match="旗县区级申报已于")
    # the city level is still open, and refuses for its own reason: no county title yet
    standard_for(entities["a_food"], TitleLevel.CITY)
    refused(ValidationFailed, submit, entities["a_food"], TitleLevel.CITY, match="须先获得旗县区级")


def test_after_the_city_review_deadline(users, entities, world):
    title = county_title(entities["a_food"], users)
    standard_for(entities["a_food"], TitleLevel.CITY)
    world.__class__.objects.filter(pk=world.pk).update(city_review_by=TODAY() - timedelta(days=1),
                                                        region_review_by=TODAY() - timedelta(days=1))
    refused(ValidationFailed, submit, title.entity, TitleLevel.CITY, match="不在申报期内")


def test_a_closed_cycle_takes_no_application(users, entities, world):
    services.cycle_close(actor=as_(users["office"]), cycle=world)
    make_enrollment(entities["a_food"])
    refused(ValidationFailed, submit, entities["a_food"], match="不在申报期内")


def test_only_active_enrolled_units_apply(users, entities, world):
    refused(ValidationFailed, submit, entities["a_food"], match="有效的放心消费创建单位")
    from fangxin.campaign.services import enrollment_transition

    enrollment = make_enrollment(entities["a_food"])
    enrollment_transition(actor=SYSTEM, enrollment=enrollment, to_status="suspended", reason="整改")
    refused(ValidationFailed, submit, entities["a_food"], match="有效的放心消费创建单位")


def test_a_veto_blocks_the_application(users, entities, world):
    from fangxin.credit.services import list_enter

    make_enrollment(entities["a_food"])
    list_enter(actor=SYSTEM, entity=entities["a_food"], kind="serious", reason_code="S1", reason="食品安全严重违法",
               authority="巴彦淖尔市市场监督管理局", document_number="巴市监严〔2026〕1号", entered_on=TODAY())
    error = refused(ValidationFailed, submit, entities["a_food"], match="一票否决")
    assert "严重违法失信名单" in error.message


def test_a_warning_list_entry_is_no_veto(users, entities, world):
    from fangxin.credit.services import list_enter

    make_enrollment(entities["a_food"])
    list_enter(actor=SYSTEM, entity=entities["a_food"], kind="warning", reason_code="W1", reason="价格提醒告诫",
               authority="巴彦淖尔市市场监督管理局", document_number="巴市监警〔2026〕2号", entered_on=TODAY())
    assert submit(entities["a_food"]).status == ApplicationStatus.SUBMITTED


def test_twice_in_a_year_is_a_conflict(users, entities, world):
    first = make_application(entities["a_food"])
    refused(Conflict, submit, entities["a_food"], match="不能重复申报")
    # not even after withdrawing: one application per unit, level and year
    services.application_withdraw(actor=SYSTEM, application=first, reason="材料不全")
    refused(Conflict, submit, entities["a_food"], match="不能重复申报")


def test_the_city_level_needs_the_county_title(users, entities, world):
    make_enrollment(entities["a_food"])
    standard_for(entities["a_food"], TitleLevel.CITY)
    standard_for(entities["a_food"], TitleLevel.REGION)
    refused(ValidationFailed, submit, entities["a_food"], TitleLevel.CITY, match="须先获得旗县区级")
    refused(ValidationFailed, submit, entities["a_food"], TitleLevel.REGION, match="须先获得盟市级")


def test_with_the_county_title_the_city_level_is_open(users, entities, world):
    title = county_title(entities["a_food"], users)
    standard_for(entities["a_food"], TitleLevel.CITY)
    application = submit(title.entity, TitleLevel.CITY)
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.region.code == "150800" and application.standard.level == TitleLevel.CITY


def test_a_revoked_or_expired_county_title_does_not_earn_the_city_level(users, entities, world):
    title = county_title(entities["a_food"], users)
    standard_for(entities["a_food"], TitleLevel.CITY)
    Title.objects.filter(pk=title.pk).update(valid_until=TODAY() - timedelta(days=1))
    refused(ValidationFailed, submit, title.entity, TitleLevel.CITY, match="须先获得旗县区级")
    Title.objects.filter(pk=title.pk).update(valid_until=date(TODAY().year + 1, 12, 31))
    services.title_revoke(actor=as_(users["office"]), title=title, reason="虚假宣传")
    refused(ValidationFailed, submit, title.entity, TitleLevel.CITY, match="须先获得旗县区级")


def test_require_title_below_ignores_a_recommendation(users, entities, world):
    county = sign_both(make_application(entities["a_food"]), users["department"], users["association"])
    assert county.status == ApplicationStatus.PASSED
    standard_for(entities["a_food"], TitleLevel.CITY)
    refused(ValidationFailed, submit, entities["a_food"], TitleLevel.CITY, recommended_by=county,
            match="须先获得旗县区级")


def test_without_require_title_below_a_recommendation_from_below_is_enough(users, entities):
    open_cycle(require_title_below=False)
    county = sign_both(make_application(entities["a_food"]), users["department"], users["association"])
    other = sign_both(make_application(entities["b_food"]), users["department"], users["association"])
    standard_for(entities["a_food"], TitleLevel.CITY)
    # no recommendation, or somebody else's: still refused
    refused(ValidationFailed, submit, entities["a_food"], TitleLevel.CITY, match="须先获得旗县区级")
    refused(ValidationFailed, submit, entities["a_food"], TitleLevel.CITY, recommended_by=other,
            match="须先获得旗县区级")
    application = submit(entities["a_food"], TitleLevel.CITY, recommended_by=county)
    assert application.recommended_by == county


def test_a_failed_county_application_is_no_recommendation(users, entities):
    open_cycle(require_title_below=False)
    county = sign_both(make_application(entities["a_food"]), users["department"], users["association"],
                       share=0.5)
    assert county.status == ApplicationStatus.FAILED
    standard_for(entities["a_food"], TitleLevel.CITY)
    refused(ValidationFailed, submit, entities["a_food"], TitleLevel.CITY, recommended_by=county,
            match="须先获得旗县区级")


# --- self-assessment and review scores --------------------------------------------------------------------------

@pytest.mark.parametrize(("change", "message"), [
    (lambda s, seq, pts: {**s, seq: str(pts + Decimal("0.5"))}, "超出范围"),
    (lambda s, seq, pts: {**s, seq: "-1"}, "超出范围"),
    (lambda s, seq, pts: {**s, seq: "八分"}, "请填写数字"),
    (lambda s, seq, pts: {**s, seq: "NaN"}, "请填写数字"),
    (lambda s, seq, pts: {k: v for k, v in s.items() if k != seq}, "请为第"),
])
def test_bad_self_scores(users, entities, world, change, message):
    make_enrollment(entities["a_food"])
    standard = Standard.objects.get(sector=entities["a_food"].sector, level="county", status="published")
    item = standard.items.filter(kind="scored").first()
    scores = change(full_marks(standard), str(item.seq), item.points)
    refused(ValidationFailed, submit, entities["a_food"], self_scores=scores, match=message)


def test_a_score_above_the_items_points_in_a_review(users, entities, world):
    application = make_application(entities["a_food"])
    scores = full_marks(application.standard, 1.0)
    item = application.standard.items.filter(kind="scored").last()
    scores[str(item.seq)] = str(item.points + 1)
    error = refused(ValidationFailed, services.review_sign, actor=as_(users["department"]), application=application,
                    scores=scores, decision="approve", opinion="好", match="超出范围")
    assert f"第 {item.seq} 项" in error.message


@pytest.mark.parametrize(("decision", "opinion", "message"), [
    ("maybe", "好", "评审结论"), ("approve", "   ", "评审意见"),
])
def test_a_review_needs_a_decision_and_an_opinion(users, entities, world, decision, opinion, message):
    application = make_application(entities["a_food"])
    refused(ValidationFailed, services.review_sign, actor=as_(users["department"]), application=application,
            scores=full_marks(application.standard), decision=decision, opinion=opinion, match=message)


# --- who reviews ------------------------------------------------------------------------------------------------

def test_a_reviewer_with_a_declared_conflict_cannot_review(users, entities, world):
    application = make_application(entities["a_food"])
    services.conflict_declare(actor=as_(users["association"]), entity=entities["a_food"], reason="亲属在该店任职")
    refused(PermissionDenied, sign, application, users["association"], 90, match="利益冲突")
    # the other sign-off is unaffected
    sign(application, users["department"], 90)
    assert Review.objects.filter(application=application).count() == 1


def test_a_conflict_declaration_is_idempotent_and_needs_a_reason(users, entities):
    declare = services.conflict_declare
    refused(ValidationFailed, declare, actor=as_(users["department"]), entity=entities["a_food"], reason=" ",
            match="关系说明")
    refused(PermissionDenied, declare, actor=as_(users["county_a"]), entity=entities["a_food"], reason="同学")
    first = declare(actor=as_(users["department"]), entity=entities["a_food"], reason="同学")
    before = rows()
    assert declare(actor=as_(users["department"]), entity=entities["a_food"], reason="同学") == first
    assert rows() == before


def test_a_department_that_does_not_lead_the_sector_cannot_review(users, entities, world):
    application = make_application(entities["a_ecommerce"])  # e-commerce is led by amr, not fda
    refused(PermissionDenied, sign, application, users["department"], 90, match="牵头部门")


@pytest.mark.parametrize("who", ["county_a", "office", "merchant", "auditor"])
def test_only_the_two_sign_offs_review(users, entities, world, who):
    application = make_application(entities["a_food"])
    refused(PermissionDenied, sign, application, users[who], 90, match="只有行业牵头部门和消费者协会")


def test_a_reviewer_outside_the_region_cannot_review(users, entities, world):
    from fangxin.accounts.tests.factories import make_user

    elsewhere = make_user("county_reviewer", "consumer_association", region="150821")
    application = make_application(entities["a_food"])  # 临河区
    refused(PermissionDenied, sign, application, elsewhere, 90, match="评审范围")


def test_each_side_signs_once(users, entities, world):
    application = make_application(entities["a_food"])
    sign(application, users["department"], 90)
    refused(Conflict, sign, application, users["department"], 95, match="已经签署过")


def test_no_review_after_the_result(users, entities, world):
    application = sign_both(make_application(entities["a_food"]), users["department"], users["association"])
    from fangxin.accounts.tests.factories import make_user

    second = make_user("association2", "consumer_association", region="150800", department="cca")
    error = refused(TransitionNotAllowed, sign, application, second, 90)
    assert error.details == {"machine": "application", "from": "passed", "to": "reviewing",
                             "allowed": ["publicity", "withdrawn"]}


# --- the result of a level --------------------------------------------------------------------------------------

def _result(users, entities, lead_total, association_total, **kwargs):
    application = make_application(entities["a_food"])
    sign(application, users["department"], lead_total, **kwargs)
    sign(application, users["association"], association_total)
    application.refresh_from_db()
    return application


def test_agreed_score_at_the_pass_mark_passes(users, entities, world):
    application = _result(users, entities, 80, 80)
    assert application.standard.pass_mark == Decimal("80")
    assert (application.status, application.agreed_score) == (ApplicationStatus.PASSED, Decimal("80.0"))
    assert application.decided_on == TODAY()


def test_agreed_score_is_the_mean_of_the_two_totals(users, entities, world):
    application = _result(users, entities, 95, 65)
    assert (application.status, application.agreed_score) == (ApplicationStatus.PASSED, Decimal("80.0"))


def test_just_below_the_pass_mark_fails(users, entities, world):
    application = _result(users, entities, "79.9", "79.9")
    assert (application.status, application.agreed_score) == (ApplicationStatus.FAILED, Decimal("79.9"))
    assert "低于合格分" in application.events.last().note


def test_a_mean_a_hair_below_the_pass_mark_is_not_rounded_up(users, entities, world):
    """80 and 79.9 average 79.95: below the pass mark, so it fails, and the score shown is not 80.0."""
    application = _result(users, entities, 80, "79.9")
    assert application.status == ApplicationStatus.FAILED
    assert application.agreed_score < application.standard.pass_mark


def test_a_marked_veto_item_fails_even_with_full_marks(users, entities, world):
    application = _result(users, entities, 100, 100, veto=True)
    assert (application.status, application.agreed_score) == (ApplicationStatus.FAILED, Decimal("100.0"))
    assert "一票否决" in application.events.last().note
    assert Review.objects.get(application=application, role="lead_department").vetoes


def test_a_veto_arising_during_the_review_fails_the_level(users, entities, world):
    from fangxin.credit.services import list_enter

    application = make_application(entities["a_food"])
    sign(application, users["department"], 95)
    list_enter(actor=SYSTEM, entity=entities["a_food"], kind="serious", reason_code="S1", reason="严重违法",
               authority="市场监管局", document_number="巴市监〔2026〕9号", entered_on=TODAY())
    sign(application, users["association"], 95)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.FAILED


def test_one_disagreement_fails_the_level(users, entities, world):
    application = _result(users, entities, 98, 98, decision="reject")
    assert application.status == ApplicationStatus.FAILED and "评审方不同意" in application.events.last().note


# --- standards --------------------------------------------------------------------------------------------------

def _items(total=100):
    rights = Dimension.objects.get(code="rights")
    return [services.ItemInput(dimension_id=rights.pk, text="首问负责", points=total - 10),
            services.ItemInput(dimension_id=rights.pk, text="赔偿先付", points=10),
            services.ItemInput(dimension_id=rights.pk, text="列入严重违法失信名单", kind="veto")]


def test_a_draft_copies_the_published_items_and_publishing_retires_the_previous(users, entities):
    seeded = standard_for(entities["a_food"])
    draft = services.standard_draft(actor=as_(users["department"]), sector=seeded.sector, level="county")
    assert (draft.status, draft.version, draft.pass_mark) == (StandardStatus.DRAFT, 2, seeded.pass_mark)
    copied = list(draft.items.values_list("seq", "kind", "text", "points", "dimension"))
    assert copied == list(seeded.items.values_list("seq", "kind", "text", "points", "dimension"))
    services.standard_update_draft(actor=as_(users["department"]), standard=draft, items=_items(), pass_mark=82,
                                   title="食品药品示范单位评价标准（2026 修订）")
    assert list(seeded.items.values_list("text", flat=True)) != list(draft.items.values_list("text", flat=True))
    services.standard_publish(actor=as_(users["department"]), standard=draft)
    seeded.refresh_from_db()
    draft.refresh_from_db()
    assert (seeded.status, draft.status) == (StandardStatus.RETIRED, StandardStatus.PUBLISHED)
    assert Standard.objects.filter(sector=seeded.sector, level="county", status="published").get() == draft
    assert draft.max_score == Decimal("100") and draft.pass_mark == Decimal("82")


def test_a_published_standard_cannot_be_edited_or_published_again(users, entities):
    seeded = standard_for(entities["a_food"])
    refused(Conflict, services.standard_update_draft, actor=as_(users["department"]), standard=seeded,
            items=_items(), pass_mark=80, title="改", match="已发布的标准不能修改")
    refused(Conflict, services.standard_publish, actor=as_(users["department"]), standard=seeded,
            match="只有草稿可以发布")


def test_one_draft_at_a_time_and_only_the_lead_department(users, entities):
    seeded = standard_for(entities["a_food"])
    ecommerce = Sector.objects.get(code="ecommerce")
    refused(PermissionDenied, services.standard_draft, actor=as_(users["department"]), sector=ecommerce,
            level="county", match="牵头部门")
    refused(PermissionDenied, services.standard_draft, actor=as_(users["association"]), sector=seeded.sector,
            level="county", match="牵头部门")
    services.standard_draft(actor=as_(users["department"]), sector=seeded.sector, level="county")
    refused(Conflict, services.standard_draft, actor=as_(users["office"]), sector=seeded.sector, level="county",
            match="已有一份草稿")


@pytest.mark.parametrize(("items", "pass_mark", "message"), [
    ([], 80, "至少要有一个评分项"),
    (None, 101, "合格分应大于 0"),
    (None, 0, "合格分应大于 0"),
])
def test_publishing_checks_items_and_pass_mark(users, entities, items, pass_mark, message):
    sector = Sector.objects.get(code="food_drug")
    draft = services.standard_draft(actor=as_(users["department"]), sector=sector, level="city",
                                    items=_items() if items is None else items, pass_mark=pass_mark)
    refused(ValidationFailed, services.standard_publish, actor=as_(users["department"]), standard=draft,
            match=message)


@pytest.mark.parametrize(("item", "message"), [
    (dict(text="有分值的否决项", kind="veto", points=5), "否决项不计分"),
    (dict(text="负分", points=-1), "分值无效"),
    (dict(text="", points=5), "评价内容"),
    (dict(text="类别", points=5, kind="penalty"), "类别无效"),
])
def test_bad_items_leave_the_draft_as_it_was(users, entities, item, message):
    sector = Sector.objects.get(code="food_drug")
    draft = services.standard_draft(actor=as_(users["department"]), sector=sector, level="city", items=_items(),
                                    pass_mark=85)
    rights = Dimension.objects.get(code="rights")
    bad = [*_items(), services.ItemInput(dimension_id=rights.pk, **item)]
    refused(ValidationFailed, services.standard_update_draft, actor=as_(users["department"]), standard=draft,
            items=bad, pass_mark=85, title="新标题", match=message)
    draft.refresh_from_db()
    assert draft.items.count() == 3 and draft.title != "新标题"


def test_an_application_keeps_the_version_it_was_made_under(users, entities, world):
    application = make_application(entities["a_food"])
    old = application.standard
    draft = services.standard_draft(actor=as_(users["department"]), sector=old.sector, level="county",
                                    items=_items(), pass_mark=60)
    services.standard_publish(actor=as_(users["department"]), standard=draft)
    application.refresh_from_db()
    assert application.standard == old and old.items.count() > 3
    # the review is scored against the old version's items and pass mark
    sign_both(application, users["department"], users["association"], share=0.7)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.FAILED  # 70 < 80 of the old version, though ≥ 60 of the new


# --- the annual cycle -------------------------------------------------------------------------------------------

def _dates(**overrides):
    today = TODAY()
    values = dict(applications_open=today, applications_close=today + timedelta(days=10),
                  county_review_by=today + timedelta(days=20), city_review_by=today + timedelta(days=30),
                  region_review_by=today + timedelta(days=40))
    values.update(overrides)
    return values


def test_only_the_office_opens_and_closes_a_cycle(users):
    for who in ("county_a", "department", "association"):
        refused(PermissionDenied, services.cycle_open, actor=as_(users[who]), year=2030, **_dates(),
                match="联席会议办公室")
    cycle = services.cycle_open(actor=as_(users["office"]), year=2030, **_dates())
    refused(PermissionDenied, services.cycle_close, actor=as_(users["association"]), cycle=cycle)


@pytest.mark.parametrize(("overrides", "message"), [
    (dict(applications_close=TODAY() - timedelta(days=1)), "日期应依次为"),
    (dict(city_review_by=TODAY() + timedelta(days=15)), "日期应依次为"),
    (dict(publicity_workdays=0), "公示期应为 1 到 30 个工作日"),
    (dict(publicity_workdays=31), "公示期应为 1 到 30 个工作日"),
    (dict(quotas={"county:150802": -1}), "名额设置"),
    (dict(quotas={"150802": 3}), "名额设置"),
    (dict(quotas={"county:150802": "三"}), "名额设置"),
])
def test_bad_cycle_settings(users, overrides, message):
    refused(ValidationFailed, services.cycle_open, actor=as_(users["office"]), year=2030, **_dates(**overrides),
            match=message)


def test_one_open_cycle_and_one_per_year(users):
    office = as_(users["office"])
    cycle = services.cycle_open(actor=office, year=2030, **_dates())
    refused(Conflict, services.cycle_open, actor=office, year=2031, **_dates(), match="未结束的创建年度")
    services.cycle_close(actor=office, cycle=cycle)
    refused(Conflict, services.cycle_open, actor=office, year=2030, **_dates(), match="2030 年度已经存在")
    refused(Conflict, services.cycle_close, actor=office, cycle=cycle, match="已经结束")
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.CLOSED and cycle.closed_at is not None
    assert services.cycle_open(actor=office, year=2031, **_dates()).status == CycleStatus.OPEN


def test_a_cycle_closes_only_when_every_application_is_settled(users, entities, world):
    application = sign_both(make_application(entities["a_food"]), users["department"], users["association"])
    refused(Conflict, services.cycle_close, actor=as_(users["office"]), cycle=world, match="未办结")
    award(application, users["office"])
    make_application(entities["b_food"])
    refused(Conflict, services.cycle_close, actor=as_(users["office"]), cycle=world, match="1 份申报未办结")


# --- quotas -----------------------------------------------------------------------------------------------------

def test_a_county_quota_counts_live_applications_in_that_county(users, entities):
    from fangxin.merchants.tests.factories import make_entity

    open_cycle(quotas={"county:150802": 1})
    first = make_application(entities["a_food"])
    make_enrollment(entities["a_ecommerce"])
    standard_for(entities["a_ecommerce"])
    refused(ValidationFailed, submit, entities["a_ecommerce"], match="名额（1 个）已满")
    # another county is not counted
    assert make_application(entities["b_food"]).region.code == "150821"
    # a withdrawn application frees its place
    services.application_withdraw(actor=SYSTEM, application=first, reason="退出")
    assert submit(entities["a_ecommerce"]).status == ApplicationStatus.SUBMITTED
    third = make_entity(county="150802", sector="food_drug", name="临河区第三家")
    make_enrollment(third)
    refused(ValidationFailed, submit, third, match="名额（1 个）已满")


def test_a_sector_quota_counts_live_applications_of_that_sector_in_each_county(users, entities):
    from fangxin.merchants.tests.factories import make_entity

    open_cycle(quotas={"county:food_drug": 1})
    make_application(entities["a_food"])
    second = make_entity(county="150802", sector="food_drug", name="临河区第二家超市")
    make_enrollment(second)
    refused(ValidationFailed, submit, second, match="临河区食品药品行业本年度旗县区级名额（1 个）已满")
    # other sectors, and the same sector in another county, are not counted
    assert make_application(entities["a_ecommerce"]).status == ApplicationStatus.SUBMITTED
    assert make_application(entities["b_food"]).status == ApplicationStatus.SUBMITTED


# --- who may apply and withdraw ---------------------------------------------------------------------------------

def test_a_merchant_applies_only_for_a_business_of_their_own(users, entities, world):
    make_enrollment(entities["a_food"])
    make_enrollment(entities["b_food"])
    refused(PermissionDenied, submit, entities["b_food"], actor=as_(users["merchant"]))
    refused(PermissionDenied, submit, entities["a_food"], actor=as_(users["county_b"]))
    refused(PermissionDenied, submit, entities["a_food"], actor=as_(users["department"]), match="只有创建单位本人")
    application = submit(entities["a_food"], actor=as_(users["merchant"]))
    assert application.submitted_by == "merchant"
    refused(PermissionDenied, services.application_withdraw, actor=as_(users["county_b"]), application=application)
    services.application_withdraw(actor=as_(users["county_a"]), application=application, reason="材料不全")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN


def test_withdrawing_after_the_publicity_started_is_not_allowed(users, entities, world):
    application = sign_both(make_application(entities["a_food"]), users["department"], users["association"])
    services.publicity_open(actor=as_(users["office"]), cycle=world, level="county", region=application.region)
    error = refused(TransitionNotAllowed, services.application_withdraw, actor=SYSTEM, application=application)
    assert error.details["from"] == "publicity" and error.details["to"] == "withdrawn"


# --- publicity, objections, award -------------------------------------------------------------------------------

def _in_publicity(users, entities, world, *names):
    applications = [sign_both(make_application(entities[name]), users["department"], users["association"])
                    for name in names]
    publicity = services.publicity_open(actor=as_(users["association"]), cycle=world, level="county",
                                        region=applications[0].region)
    return publicity, applications


def test_publicity_lasts_the_cycles_working_days(users, entities, world):
    from fangxin.core.workdays import WorkCalendar

    publicity, (application,) = _in_publicity(users, entities, world, "a_food")
    calendar = WorkCalendar.load()
    days = [publicity.starts_on + timedelta(days=n) for n in range((publicity.ends_on - publicity.starts_on).days + 1)]
    assert sum(calendar.is_workday(day) for day in days) == world.publicity_workdays
    assert calendar.is_workday(publicity.ends_on)
    application.refresh_from_db()
    assert (application.status, application.publicity) == (ApplicationStatus.PUBLICITY, publicity)


def test_publicity_refusals(users, entities, world):
    refused(ValidationFailed, services.publicity_open, actor=as_(users["office"]), cycle=world, level="county",
            region=entities["a_food"].region, match="没有评审通过")
    sign_both(make_application(entities["a_food"]), users["department"], users["association"])
    refused(ValidationFailed, services.publicity_open, actor=as_(users["office"]), cycle=world, level="county",
            region=entities["a_food"].region, starts_on=TODAY() - timedelta(days=1), match="不能早于今天")
    refused(PermissionDenied, services.publicity_open, actor=as_(users["department"]), cycle=world,
            level="county", region=entities["a_food"].region)


@pytest.mark.parametrize(("fields", "message"), [
    (dict(contact_phone=""), "联系电话"),
    (dict(contact_phone="12345"), "联系电话格式不正确"),
    (dict(name=" "), "您的姓名"),
    (dict(content=""), "异议内容"),
])
def test_an_objection_needs_name_contact_and_content(users, entities, world, fields, message):
    _publicity, (application,) = _in_publicity(users, entities, world, "a_food")
    values = dict(name="张三", contact_phone="13800001234", content="该店出售过期食品")
    values.update(fields)
    refused(ValidationFailed, services.objection_file, actor=Actor.system("public"), application=application,
            match=message, **values)


def test_no_objection_outside_the_publicity(users, entities, world):
    application = sign_both(make_application(entities["a_food"]), users["department"], users["association"])
    refused(ValidationFailed, services.objection_file, actor=Actor.system("public"), application=application,
            name="张三", contact_phone="13800001234", content="有问题", match="不在公示期内")
    publicity = services.publicity_open(actor=as_(users["office"]), cycle=world, level="county",
                                        region=application.region)
    Publicity.objects.filter(pk=publicity.pk).update(starts_on=TODAY() - timedelta(days=10),
                                                     ends_on=TODAY() - timedelta(days=1))
    refused(ValidationFailed, services.objection_file, actor=Actor.system("public"), application=application,
            name="张三", contact_phone="13800001234", content="有问题", match="不在公示期内")


def test_award_waits_for_the_end_of_the_period_and_every_answer(users, entities, world):
    publicity, (kept, removed) = _in_publicity_two(users, entities, world)
    office = as_(users["office"])
    refused(ValidationFailed, services.publicity_award, actor=office, publicity=publicity, match="期满后才能授牌")
    objection = services.objection_file(actor=Actor.system("public"), application=removed, name="李四",
                                        contact_phone="139 4781 0001", content="以次充好")
    dismissed = services.objection_file(actor=Actor.system("public"), application=kept, name="王五",
                                        contact_phone="13947810002", content="态度不好")
    assert objection.contact_phone == "13947810001" and objection.reference_no.startswith("YY")
    Publicity.objects.filter(pk=publicity.pk).update(starts_on=TODAY() - timedelta(days=9),
                                                     ends_on=TODAY() - timedelta(days=1))
    refused(ValidationFailed, services.publicity_award, actor=office, publicity=publicity, match="2 件异议未答复")
    services.objection_answer(actor=office, objection=objection, upheld=True, answer="经核查属实，取消候选资格")
    refused(ValidationFailed, services.publicity_award, actor=office, publicity=publicity, match="1 件异议未答复")
    services.objection_answer(actor=office, objection=dismissed, upheld=False, answer="经核查不属实")
    refused(Conflict, services.objection_answer, actor=office, objection=dismissed, upheld=True, answer="改判",
            match="已经答复")
    removed.refresh_from_db()
    assert removed.status == ApplicationStatus.REMOVED
    refused(PermissionDenied, services.publicity_award, actor=as_(users["department"]), publicity=publicity)
    titles = services.publicity_award(actor=office, publicity=publicity)
    assert [t.entity_id for t in titles] == [kept.entity_id]
    title = titles[0]
    year = world.year
    assert title.name == f"{year}年度临河区放心消费示范单位"
    assert title.valid_until == date(year + 1, 12, 31) and title.awarded_on == TODAY()
    assert title.certificate_no == f"FXSF{year}X1508020001" and title.status == TitleStatus.VALID
    refused(Conflict, services.publicity_award, actor=office, publicity=publicity, match="已经授牌")


def _in_publicity_two(users, entities, world):
    """Two food businesses in 临河区 in one publicity (the fda department leads food_drug)."""
    from fangxin.merchants.tests.factories import make_entity

    second = make_entity(county="150802", sector="food_drug", name="临河区第二家超市")
    entities = {**entities, "a_food2": second}
    return _in_publicity(users, entities, world, "a_food", "a_food2")


def test_an_answer_needs_text_and_the_right_office(users, entities, world):
    _publicity, (application,) = _in_publicity(users, entities, world, "a_food")
    objection = services.objection_file(actor=Actor.system("public"), application=application, name="张三",
                                        contact_phone="13800001234", content="有问题")
    refused(ValidationFailed, services.objection_answer, actor=as_(users["office"]), objection=objection,
            upheld=True, answer=" ", match="答复内容")
    refused(PermissionDenied, services.objection_answer, actor=as_(users["county_a"]), objection=objection,
            upheld=True, answer="成立")
    assert objection.status == ObjectionStatus.PENDING


def test_certificate_numbers_are_unique_per_level_region_and_year(users, entities, world):
    publicity, _applications = _in_publicity_two(users, entities, world)
    Publicity.objects.filter(pk=publicity.pk).update(starts_on=TODAY() - timedelta(days=9),
                                                     ends_on=TODAY() - timedelta(days=1))
    titles = services.publicity_award(actor=as_(users["office"]), publicity=publicity)
    numbers = sorted(t.certificate_no for t in titles)
    assert numbers == [f"FXSF{world.year}X1508020001", f"FXSF{world.year}X1508020002"]
    assert all(a.status == ApplicationStatus.AWARDED for a in Application.objects.filter(publicity=publicity))


def test_an_award_with_every_candidate_removed_closes_the_publicity_on_the_record(users, entities, world):
    from fangxin.core.models import AuditRecord

    publicity, (application,) = _in_publicity(users, entities, world, "a_food")
    office = as_(users["office"])
    objection = services.objection_file(actor=Actor.system("public"), application=application, name="张三",
                                        contact_phone="13800001234", content="虚假宣传")
    services.objection_answer(actor=office, objection=objection, upheld=True, answer="属实")
    Publicity.objects.filter(pk=publicity.pk).update(starts_on=TODAY() - timedelta(days=9),
                                                     ends_on=TODAY() - timedelta(days=1))
    assert services.publicity_award(actor=office, publicity=publicity) == []
    publicity.refresh_from_db()
    assert publicity.closed_at is not None and not Title.objects.exists()
    record = AuditRecord.objects.get(action="campaign.publicity.award", object_id=str(publicity.pk))
    assert record.changes["titles"] == [None, 0]


def test_publicity_only_within_the_publishers_region(users, entities, world):
    from fangxin.accounts.tests.factories import make_user
    from fangxin.core.exceptions import PermissionDenied

    application = sign_both(make_application(entities["a_food"]), users["department"], users["association"])
    outsider = make_user("wuyuan_association", "consumer_association", region="150821", department="cca")
    with pytest.raises(PermissionDenied):
        services.publicity_open(actor=Actor.for_user(outsider), cycle=application.cycle, level=application.level,
                                region=application.region)
    application.refresh_from_db()
    assert application.status == "passed" and application.publicity is None
