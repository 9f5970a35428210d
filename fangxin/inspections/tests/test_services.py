"""The inspection workflow's services: plans, the four draw steps, results, publication and the bad inputs."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fangxin.campaign.tests.factories import make_enrollment
from fangxin.campaign.titles.models import ManagementCase
from fangxin.core.actors import Actor
from fangxin.core.exceptions import Conflict, PermissionDenied, TransitionNotAllowed, ValidationFailed
from fangxin.core.models import AuditRecord
from fangxin.core.workdays import WorkCalendar
from fangxin.credit.models import CreditEvent
from fangxin.inspections import draw as drawing
from fangxin.inspections import selectors, services
from fangxin.inspections.choices import Outcome, PlanStatus
from fangxin.inspections.models import Draw, Inspection, InspectionDocument

from .factories import PNG, SYSTEM, make_inspector, make_plan, make_team, run_draw, today

pytestmark = pytest.mark.django_db


def as_user(user):
    return Actor.for_user(user)


@pytest.fixture
def team(entities):
    return make_team()


def test_plan_defaults_and_joint_departments(users, entities):
    plan = services.plan_create(actor=as_user(users["department"]), name="食品抽查", counties=["150802"],
                                departments=["fda", "amr"])
    assert plan.lead_department.code == "fda"
    assert plan.ratios == {"A": "0.03", "B": "0.05", "C": "0.10", "D": "0.20"}
    assert plan.team_size == 2 and plan.recent_days == 365 and plan.status == PlanStatus.DRAFT
    assert plan.is_joint
    assert AuditRecord.objects.filter(action="inspections.plan.create", object_id=str(plan.pk)).exists()


@pytest.mark.parametrize("ratio", ["1.5", "-0.1", "abc", "", "0.1.2"])
def test_a_ratio_outside_0_to_1_is_refused(users, entities, ratio):
    with pytest.raises(ValidationFailed):
        make_plan(ratios={"A": ratio, "B": "0.05", "C": "0.10", "D": "0.20"})
    plan = make_plan()
    with pytest.raises(ValidationFailed):
        services.plan_update(actor=SYSTEM, plan=plan, ratios={"A": ratio, "B": "0.05", "C": "0.1", "D": "0.2"})
    plan.refresh_from_db()
    assert plan.ratios["A"] == "1"


def test_who_may_plan(users, entities):
    with pytest.raises(PermissionDenied):
        services.plan_create(actor=as_user(users["county_a"]), name="县区自建计划", counties=["150802"])
    with pytest.raises(PermissionDenied):  # a department plans only under its own lead
        services.plan_create(actor=as_user(users["department"]), name="替别的部门", lead_department="amr",
                             counties=["150802"])
    office_plan = services.plan_create(actor=as_user(users["office"]), name="联合抽查", lead_department="amr",
                                       departments=["amr", "fda"], counties=["150802"])
    with pytest.raises(PermissionDenied):  # fda takes part but does not lead: it cannot run the draw
        services.plan_freeze(actor=as_user(users["department"]), plan=office_plan)


def test_the_full_draw_is_verifiable_and_reveals_the_secret_only_at_the_end(users, entities, team):
    plan = make_plan()
    draw = services.plan_freeze(actor=SYSTEM, plan=plan)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.FROZEN
    assert draw.population_size == 4
    assert draw.commitment_sha256 == drawing.commitment_sha256(draw.server_secret)
    assert draw.population_sha256 == drawing.population_sha256(draw.population)
    # A business never graded is stratified with the grade of an empty ledger (A under the default model).
    assert sorted(draw.population["A"]) == sorted(entity.uscc for entity in entities.values())
    summary = selectors.draw_summary(draw)
    assert summary["server_secret"] is None and summary["seed"] is None
    assert draw.server_secret not in str(summary)
    with pytest.raises(TransitionNotAllowed):  # no entropy yet
        services.draw_run(actor=SYSTEM, plan=plan)
    services.entropy_enter(actor=SYSTEM, plan=plan, entropy="  4-2-6  ", witnesses="张三、李四")
    with pytest.raises(Conflict):
        services.entropy_enter(actor=SYSTEM, plan=plan, entropy="9-9-9", witnesses="王五")
    draw = services.draw_run(actor=SYSTEM, plan=plan)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAWN
    record = selectors.draw_record(draw)
    assert drawing.verify(record) == []
    assert record["public_entropy"] == "4-2-6" and record["server_secret"] == draw.server_secret
    assert record["seed"] == drawing.seed_of(draw.server_secret, "4-2-6")
    assert record["population"]["sha256"] == draw.population_sha256
    assert len(record["selected"]) == 4  # ratio 1: everyone
    inspections = list(Inspection.objects.filter(plan=plan).order_by("seq"))
    assert [i.entity.uscc for i in inspections] == [entry["uscc"] for entry in record["selected"]]
    for inspection, assignment in zip(inspections, record["assignments"], strict=True):
        assert inspection.inspector_codes == assignment["inspectors"]
        assert sorted(inspection.inspectors.values_list("code", flat=True)) == sorted(assignment["inspectors"])
        assert len(assignment["inspectors"]) == 2 and inspection.unassigned_reason == ""
    summary = selectors.draw_summary(draw)
    assert summary["server_secret"] == draw.server_secret and len(summary["selected"]) == 4
    assert {row["name"] for row in summary["selected"]} == {entity.name for entity in entities.values()}
    with pytest.raises(Conflict):
        services.draw_run(actor=SYSTEM, plan=plan)
    assert Inspection.objects.filter(plan=plan).count() == 4


def test_a_tampered_record_fails_verification(users, entities, team):
    plan = make_plan()
    record = dict(selectors.draw_record(run_draw(plan)))
    record["public_entropy"] = "1-1-1"
    assert drawing.verify(record)


def test_no_eligible_inspectors_still_draws_and_reports_every_business(users, entities, team):
    plan = make_plan(team_size=6)
    draw = run_draw(plan)
    record = draw.record
    assert len(record["selected"]) == 4
    assert all(a["inspectors"] == [] and a["unassigned_reason"] for a in record["assignments"])
    rows = Inspection.objects.filter(plan=plan)
    assert rows.count() == 4 and not rows.filter(unassigned_reason="").exists()
    assert "少于每组 6 名" in rows.first().unassigned_reason
    assert drawing.verify(record) == []
    assert selectors.plan_progress(plan).unassigned == 4


def test_a_plan_with_no_inspectors_at_all(users, entities):
    draw = run_draw(make_plan())
    assert all("没有覆盖县区" in a["unassigned_reason"] for a in draw.record["assignments"])


def test_conflicts_and_recent_inspections_exclude_inspectors(users, entities, team):
    a_food = entities["a_food"]
    for code in ("fda-a1", "fda-a2"):
        services.conflict_declare(actor=SYSTEM, inspector=team[code], entity=a_food, reason="近亲属经营")
    with pytest.raises(Conflict):
        services.conflict_declare(actor=SYSTEM, inspector=team["fda-a1"], entity=a_food, reason="再次申报")
    plan = make_plan(counties=["150802"])
    draw = run_draw(plan)
    [frozen_a1] = [i for i in draw.inspectors if i["code"] == "fda-a1"]
    assert frozen_a1["conflicts"] == [a_food.uscc]
    assignment = next(a for a in draw.record["assignments"] if a["uscc"] == a_food.uscc)
    assert not {"fda-a1", "fda-a2"} & set(assignment["inspectors"])
    # the record those were inspected in becomes a recent-inspection exclusion for the next plan
    inspection = Inspection.objects.get(plan=plan, entity=a_food)
    services.result_record(actor=SYSTEM, inspection=inspection, outcome=Outcome.PASSED, description="",
                           inspected_on=today())
    second = services.plan_freeze(actor=SYSTEM, plan=make_plan(counties=["150802"], name="第二批"))
    assert sorted(second.exclusions, key=lambda e: e["inspector"]) == [
        {"inspector": code, "uscc": a_food.uscc} for code in sorted(inspection.inspector_codes)]
    withdrawn = services.conflict_withdraw(actor=SYSTEM, conflict=team["fda-a1"].conflicts.get())
    assert withdrawn.withdrawn_at is not None
    with pytest.raises(Conflict):
        services.conflict_withdraw(actor=SYSTEM, conflict=withdrawn)


def test_inactive_inspectors_are_listed_but_never_drawn(users, entities):
    make_inspector("x-1", regions=["150802"])
    make_inspector("x-2", regions=["150802"], active=False)
    make_inspector("x-3", regions=["150802"])
    draw = run_draw(make_plan(counties=["150802"]))
    assert {i["code"]: i["active"] for i in draw.inspectors} == {"x-1": True, "x-2": False, "x-3": True}
    assert all(a["inspectors"] == ["x-1", "x-3"] or a["inspectors"] == ["x-3", "x-1"]
               for a in draw.record["assignments"])


def test_joint_punishment_rules_raise_ratios_at_freeze(users, entities, team):
    from fangxin.credit.models import JointRule

    JointRule.objects.create(name="D 级企业加大抽查比例", condition_kind="grade", condition_value="D",
                             effects=["raise_inspection_ratio"], inspection_ratio="0.50", active=True, position=1)
    plan = make_plan(ratios={"A": "0.03", "B": "0.05", "C": "0.10", "D": "0.20"})
    draw = services.plan_freeze(actor=SYSTEM, plan=plan)
    assert draw.ratios["D"] == "0.50" and draw.applied_rules == ["D 级企业加大抽查比例"]
    plan.refresh_from_db()
    assert plan.ratios["D"] == "0.20"  # the plan keeps what was decided; the draw shows what was applied
    services.entropy_enter(actor=SYSTEM, plan=plan, entropy="1", witnesses="甲")
    record = services.draw_run(actor=SYSTEM, plan=plan).record
    assert record["plan"]["ratios"]["D"] == "0.50" and record["plan"]["applied_rules"] == ["D 级企业加大抽查比例"]


def test_a_plan_whose_scope_is_empty_cannot_be_frozen(users, entities):
    plan = make_plan(sectors=["tourism"], counties=["150802"])
    with pytest.raises(ValidationFailed):
        services.plan_freeze(actor=SYSTEM, plan=plan)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT and not Draw.objects.filter(plan=plan).exists()


def test_a_frozen_plan_cannot_be_edited_or_frozen_again(users, entities, team):
    plan = make_plan()
    services.plan_freeze(actor=SYSTEM, plan=plan)
    with pytest.raises(TransitionNotAllowed):
        services.plan_update(actor=SYSTEM, plan=plan, name="改名")
    with pytest.raises(Conflict):
        services.plan_freeze(actor=SYSTEM, plan=plan)


def drawn_inspection(entities, entity="a_food", **plan_fields):
    plan = make_plan(**plan_fields)
    run_draw(plan)
    return Inspection.objects.get(plan=plan, entity=entities[entity])


def test_a_passed_result_enters_the_ledger_and_starts_the_publication_clock(users, entities, team):
    inspection = drawn_inspection(entities)
    upload = SimpleUploadedFile("检查记录.png", PNG, content_type="image/png")
    day = today()
    inspection = services.result_record(actor=as_user(users["county_a"]), inspection=inspection,
                                        outcome=Outcome.PASSED, description="", inspected_on=day, files=[upload])
    assert inspection.outcome == Outcome.PASSED
    assert inspection.publish_due == WorkCalendar.load().add_workdays(day, 20).due
    event = CreditEvent.objects.get(source_ref=f"inspection:{inspection.pk}")
    assert event.kind == "inspection_passed" and event.entity == entities["a_food"]
    assert InspectionDocument.objects.get(inspection=inspection).sha256
    with pytest.raises(Conflict):
        services.result_record(actor=SYSTEM, inspection=inspection, outcome=Outcome.PASSED, description="",
                               inspected_on=day)


def test_a_failed_result_opens_a_title_review(users, entities, team):
    make_enrollment(entities["a_food"])
    inspection = drawn_inspection(entities)
    with pytest.raises(ValidationFailed):  # what was found must be described
        services.result_record(actor=SYSTEM, inspection=inspection, outcome=Outcome.PROBLEMS, description=" ",
                               inspected_on=today())
    services.result_record(actor=SYSTEM, inspection=inspection, outcome=Outcome.PROBLEMS,
                           description="进货查验记录缺失", inspected_on=today())
    ref = f"inspection:{inspection.pk}"
    assert CreditEvent.objects.get(source_ref=ref).kind == "inspection_failed"
    assert ManagementCase.objects.get(source_ref=ref).trigger == "failed_inspection"


@pytest.mark.parametrize("outcome", [Outcome.NOT_FOUND, Outcome.REFUSED])
def test_not_found_and_refused_count_as_failures(users, entities, team, outcome):
    inspection = drawn_inspection(entities)
    services.result_record(actor=SYSTEM, inspection=inspection, outcome=outcome, description="现场情况说明",
                           inspected_on=today())
    assert CreditEvent.objects.get(source_ref=f"inspection:{inspection.pk}").kind == "inspection_failed"


def test_bad_result_input_writes_nothing(users, entities, team):
    inspection = drawn_inspection(entities)
    fake = SimpleUploadedFile("记录.pdf", b"not a pdf at all", content_type="application/pdf")
    cases = [dict(outcome="great", description="", inspected_on=today()),
             dict(outcome=Outcome.PASSED, description="", inspected_on=today() + timedelta(days=1)),
             dict(outcome=Outcome.PASSED, description="", inspected_on=today() - timedelta(days=1)),
             dict(outcome=Outcome.PASSED, description="", inspected_on="昨天"),
             dict(outcome=Outcome.PASSED, description="", inspected_on=today(), files=[fake])]
    for case in cases:
        with pytest.raises(ValidationFailed):
            services.result_record(actor=SYSTEM, inspection=inspection, **case)
    inspection.refresh_from_db()
    assert inspection.outcome == "" and not CreditEvent.objects.exists() and not InspectionDocument.objects.exists()


def test_who_may_record_results(users, entities, team):
    inspection = drawn_inspection(entities)
    for name in ("county_b", "association", "auditor", "merchant"):
        with pytest.raises(PermissionDenied):
            services.result_record(actor=as_user(users[name]), inspection=inspection, outcome=Outcome.PASSED,
                                   description="", inspected_on=today())
    services.result_record(actor=as_user(users["department"]), inspection=inspection, outcome=Outcome.PASSED,
                           description="", inspected_on=today())


def test_unassigned_businesses_take_no_result(users, entities, team):
    inspection = drawn_inspection(entities, team_size=6)
    with pytest.raises(TransitionNotAllowed):
        services.result_record(actor=SYSTEM, inspection=inspection, outcome=Outcome.PASSED, description="",
                               inspected_on=today())


def test_publication_is_all_or_nothing_and_closes_the_plan(users, entities, team):
    plan = make_plan()
    run_draw(plan)
    rows = list(Inspection.objects.filter(plan=plan).order_by("seq"))
    services.result_record(actor=SYSTEM, inspection=rows[0], outcome=Outcome.PASSED, description="",
                           inspected_on=today())
    with pytest.raises(TransitionNotAllowed):
        services.results_publish(actor=SYSTEM, inspections=rows[:2])
    assert not Inspection.objects.filter(published_at__isnull=False).exists()
    with pytest.raises(TransitionNotAllowed):
        services.plan_close(actor=SYSTEM, plan=plan)
    for row in rows[1:]:
        services.result_record(actor=SYSTEM, inspection=row, outcome=Outcome.PASSED, description="",
                               inspected_on=today())
    assert services.results_publish(actor=SYSTEM, inspections=rows[:2]) == 2
    assert services.results_publish(actor=SYSTEM, inspections=rows) == 2  # the first two are not published again
    assert selectors.published_results().count() == 4
    services.plan_close(actor=SYSTEM, plan=plan)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CLOSED
    with pytest.raises(TransitionNotAllowed):
        services.result_record(actor=SYSTEM, inspection=rows[0], outcome=Outcome.PASSED, description="",
                               inspected_on=today())


def test_overdue_publications_are_flagged(users, entities, team):
    inspection = drawn_inspection(entities)
    services.result_record(actor=SYSTEM, inspection=inspection, outcome=Outcome.PASSED, description="",
                           inspected_on=today())
    assert not selectors.overdue_publications(users["office"]).exists()
    Inspection.objects.filter(pk=inspection.pk).update(publish_due=today() - timedelta(days=3))
    assert list(selectors.overdue_publications(users["office"])) == [inspection]
    assert not selectors.overdue_publications(users["county_b"]).filter(pk=inspection.pk).exists()
    inspection.refresh_from_db()
    state = selectors.publication_states([inspection])[inspection.pk]
    assert state.overdue and "已逾期" in state.label
    services.results_publish(actor=SYSTEM, inspections=[inspection])
    assert not selectors.overdue_publications(users["office"]).exists()
    audit = AuditRecord.objects.get(action="inspections.result.publish", object_id=str(inspection.pk))
    assert audit.changes["overdue"] == [None, True]


def test_inspector_directory_rules(users, entities):
    inspector = make_inspector("fda-001", actor=as_user(users["department"]))
    with pytest.raises(Conflict):
        make_inspector("fda-001")
    with pytest.raises(PermissionDenied):  # a department manages only its own inspectors
        make_inspector("amr-001", department="amr", actor=as_user(users["department"]))
    with pytest.raises(PermissionDenied):
        services.inspector_save(actor=as_user(users["county_a"]), inspector=inspector, active=False)
    with pytest.raises(ValidationFailed):
        services.inspector_save(actor=SYSTEM, inspector=inspector, regions=[])
    with pytest.raises(ValidationFailed):
        services.inspector_save(actor=SYSTEM, inspector=inspector, regions=["999999"])
    inspector = services.inspector_save(actor=as_user(users["office"]), inspector=inspector, active=False,
                                        regions=["150802", "150821"])
    assert not inspector.active and sorted(inspector.regions.values_list("code", flat=True)) == ["150802", "150821"]
    record = AuditRecord.objects.filter(action="inspections.inspector.update").first()
    assert record.changes["active"] == [True, False]


def test_the_drawn_team_and_the_business_are_told_after_commit(users, entities, django_capture_on_commit_callbacks):
    from fangxin.accounts.models import User
    from fangxin.core.models import Notification

    User.objects.filter(pk=users["county_a"].pk).update(phone="13900000001")
    users["county_a"].refresh_from_db()
    for code in ("n-1", "n-2"):
        make_inspector(code, regions=["150802"], user=users["county_a"] if code == "n-1" else None)
    plan = make_plan(counties=["150802"], sectors=["food_drug"])
    services.plan_freeze(actor=SYSTEM, plan=plan)
    services.entropy_enter(actor=SYSTEM, plan=plan, entropy="8", witnesses="甲")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.draw_run(actor=SYSTEM, plan=plan)
    assert len(callbacks) == 1
    [message] = Notification.objects.filter(object_type="inspections.plan")
    assert message.recipient == "13900000001" and "1 家企业" in message.body
    inspection = Inspection.objects.get(plan=plan)
    entities["a_food"].__class__.objects.filter(pk=entities["a_food"].pk).update(contact_phone="13900000002")
    services.result_record(actor=SYSTEM, inspection=inspection, outcome=Outcome.PASSED, description="",
                           inspected_on=today())
    with django_capture_on_commit_callbacks(execute=True):
        services.results_publish(actor=SYSTEM, inspections=[inspection])
    assert Notification.objects.get(object_type="inspections.inspection").recipient == "13900000002"
