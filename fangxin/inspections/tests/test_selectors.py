"""Reads: the object directory, plan lookups (forbidden = missing), the public draw views that never leak the
secret early, published results and the queues of results to record and to publish."""

from datetime import timedelta

import pytest
from django.utils import timezone

from fangxin.core.actors import Actor
from fangxin.core.exceptions import NotFound
from fangxin.credit.choices import EventKind
from fangxin.credit.services import credit_event_record
from fangxin.inspections import selectors, services
from fangxin.inspections.choices import Outcome
from fangxin.inspections.models import Inspection

from .factories import SYSTEM, make_inspector, make_plan, make_team, run_draw

pytestmark = pytest.mark.django_db


def test_object_directory_follows_the_plan_scope_and_shows_grades(users, entities):
    plan = make_plan(counties=["150802"], sectors=["food_drug"])
    rows = list(selectors.object_directory(users["office"], plan=plan))
    assert [row.pk for row in rows] == [entities["a_food"].pk]
    assert rows[0].grade is None  # never graded
    for _ in range(3):
        credit_event_record(actor=SYSTEM, entity=entities["b_food"], kind=EventKind.INSPECTION_FAILED,
                            occurred_on=timezone.localdate(), detail="不合格",
                            source_ref=f"test:{_}")
    graded = selectors.object_directory(users["office"], grade="B")
    assert [row.pk for row in graded] == [entities["b_food"].pk]
    assert {row.pk for row in selectors.object_directory(users["county_a"])} == {
        entities["a_food"].pk, entities["a_ecommerce"].pk}
    assert [row.pk for row in selectors.object_directory(users["office"], q="五原县河套")] == [
        entities["b_tourism"].pk]


def test_plan_get_hides_what_is_out_of_scope(users, entities):
    plan = make_plan(counties=["150802"])
    assert selectors.plan_get(users["county_a"], plan.pk) == plan
    for user, pk in ((users["county_b"], plan.pk), (users["county_a"], 99999), (users["county_a"], "x")):
        with pytest.raises(NotFound):
            selectors.plan_get(user, pk)
    assert list(selectors.plans_for(users["office"], status="draft", q="食品")) == [plan]
    assert not selectors.plans_for(users["office"], status="drawn").exists()


def test_inspector_directory_lists_current_conflicts(users, entities):
    inspector = make_inspector("fda-9", regions=["150802"])
    services.conflict_declare(actor=SYSTEM, inspector=inspector, entity=entities["a_food"], reason="曾任职")
    old = services.conflict_declare(actor=SYSTEM, inspector=inspector, entity=entities["a_ecommerce"], reason="亲属")
    services.conflict_withdraw(actor=SYSTEM, conflict=old)
    [row] = selectors.inspectors_for(users["county_a"], q="fda-9")
    assert [c.entity for c in row.current_conflicts] == [entities["a_food"]]
    assert [c.entity for c in selectors.conflicts_of(inspector)] == [entities["a_food"], entities["a_ecommerce"]]
    assert selectors.inspector_get(users["county_a"], inspector.pk) == inspector
    with pytest.raises(NotFound):
        selectors.inspector_get(users["county_b"], inspector.pk)
    with pytest.raises(NotFound):
        selectors.conflict_get(users["county_b"], old.pk)


def test_public_draw_reads(users, entities):
    make_team()
    plan = make_plan()
    draw = services.plan_freeze(actor=SYSTEM, plan=plan)
    assert list(selectors.public_draws()) == [draw]
    with pytest.raises(NotFound):
        selectors.draw_record(draw)
    summary = selectors.draw_summary(selectors.public_draw_get(draw.pk))
    assert summary["population_sha256"] == draw.population_sha256 and summary["strata"]["A"] == 4
    assert summary["server_secret"] is None and summary["selected"] == []
    services.entropy_enter(actor=SYSTEM, plan=plan, entropy="5-5", witnesses="甲")
    services.draw_run(actor=SYSTEM, plan=plan)
    draw.refresh_from_db()
    assert selectors.draw_record(draw)["server_secret"] == draw.server_secret
    with pytest.raises(NotFound):
        selectors.public_draw_get(draw.pk + 100)


def test_published_results_and_the_work_queues(users, entities):
    make_team()
    plan = make_plan()
    run_draw(plan)
    department, county_b = users["department"], users["county_b"]
    assert selectors.results_to_record(department).count() == 4
    assert {i.entity.region.code for i in selectors.results_to_record(county_b)} == {"150821"}
    assert not selectors.results_to_record(users["association"]).exists()
    food = Inspection.objects.get(plan=plan, entity=entities["a_food"])
    services.result_record(actor=Actor.for_user(department), inspection=food, outcome=Outcome.PROBLEMS,
                           description="价签不全", inspected_on=timezone.localdate())
    assert selectors.results_to_record(department).count() == 3
    assert [i.pk for i in selectors.inspections_for(department, plan, status="recorded")] == [food.pk]
    assert selectors.inspections_for(department, plan, status="pending").count() == 3
    assert not selectors.published_results().exists()
    Inspection.objects.filter(pk=food.pk).update(publish_due=timezone.localdate() - timedelta(days=1))
    assert [i.pk for i in selectors.overdue_publications(department)] == [food.pk]
    services.results_publish(actor=SYSTEM, inspections=[food])
    assert [r.pk for r in selectors.published_results(q="华联超市")] == [food.pk]
    assert [r.pk for r in selectors.published_results(county="150802", outcome="problems")] == [food.pk]
    assert not selectors.published_results(county="150821").exists()
    assert selectors.published_result_get(food.pk) == food
    assert selectors.plan_progress(plan).published == 1 and selectors.plan_progress(plan).pending == 3
    summary = selectors.draw_summary(plan.draw)
    row = next(r for r in summary["selected"] if r["uscc"] == entities["a_food"].uscc)
    assert row["outcome"] == "problems" and row["outcome_label"] == "发现问题"
