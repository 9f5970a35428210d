"""Who sees which plans, inspectors and inspections (models' visible_to), and the derived result status."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from fangxin.core.workdays import WorkCalendar
from fangxin.inspections import services
from fangxin.inspections.choices import Outcome, ResultStatus
from fangxin.inspections.deadlines import publish_deadline, publish_state
from fangxin.inspections.models import Inspection, Inspector, Plan

from .factories import SYSTEM, make_inspector, make_plan, make_team, run_draw

pytestmark = pytest.mark.django_db


def visible(model, user):
    return set(model.objects.visible_to(user).values_list("pk", flat=True))


def test_plan_visibility(users, entities):
    fda_a = make_plan(name="临河区食品", counties=["150802"])
    fda_both = make_plan(name="两县食品", counties=["150802", "150821"])
    amr_a = make_plan(name="市场监管局临河区", lead_department="amr", counties=["150802"])
    joint = make_plan(name="联合抽查", lead_department="amr", departments=["amr", "fda"], counties=["150821"])
    assert visible(Plan, users["department"]) == {fda_a.pk, fda_both.pk, joint.pk}
    assert visible(Plan, users["county_a"]) == {fda_a.pk, fda_both.pk, amr_a.pk}
    assert visible(Plan, users["county_b"]) == {fda_both.pk, joint.pk}
    everything = {fda_a.pk, fda_both.pk, amr_a.pk, joint.pk}
    for name in ("office", "association", "auditor", "sysadmin"):
        assert visible(Plan, users[name]) == everything
    assert visible(Plan, users["merchant"]) == set()


def test_inspector_visibility_reaches_up_the_region_tree(users, entities):
    county_a = make_inspector("i-a", regions=["150802"])
    county_b = make_inspector("i-b", regions=["150821"])
    city = make_inspector("i-c", regions=["150800"])
    both = make_inspector("i-ab", regions=["150802", "150821"])
    assert visible(Inspector, users["county_a"]) == {county_a.pk, city.pk, both.pk}
    assert visible(Inspector, users["county_b"]) == {county_b.pk, city.pk, both.pk}
    assert visible(Inspector, users["office"]) == {county_a.pk, county_b.pk, city.pk, both.pk}
    assert visible(Inspector, users["merchant"]) == set()
    assert Inspector.objects.visible_to(users["county_a"]).count() == 3  # no duplicate rows


def test_inspection_visibility_and_result_status(users, entities):
    make_team()
    plan = make_plan()
    run_draw(plan)
    mine = Inspection.objects.get(plan=plan, entity=entities["a_food"])
    assert visible(Inspection, users["merchant"]) == {mine.pk}
    county_a = set(Inspection.objects.filter(entity__region__code="150802").values_list("pk", flat=True))
    assert visible(Inspection, users["county_a"]) == county_a
    assert len(visible(Inspection, users["department"])) == 4
    assert mine.result_status == ResultStatus.PENDING and mine.tone == "info"
    services.result_record(actor=SYSTEM, inspection=mine, outcome=Outcome.REFUSED, description="拒绝开门",
                           inspected_on=timezone.localdate())
    mine.refresh_from_db()
    assert mine.result_status == ResultStatus.RECORDED and mine.is_failed and mine.outcome_tone == "danger"
    services.results_publish(actor=SYSTEM, inspections=[mine])
    mine.refresh_from_db()
    assert mine.result_status == ResultStatus.PUBLISHED
    assert Inspection(unassigned_reason="人员不足").result_status == ResultStatus.UNASSIGNED


def test_publication_deadline_counts_working_days():
    calendar = WorkCalendar()
    # 2026-09-28 (Mon) + 20 working days runs across the National Day holiday (official calendar)
    due = publish_deadline(date(2026, 9, 28), calendar).due
    assert due == date(2026, 10, 30)
    pending = Inspection(publish_due=due)
    assert publish_state(pending, due, calendar).label.startswith("今日")
    weekend = publish_state(pending, due + timedelta(days=1), calendar)  # the Saturday after a Friday deadline
    assert weekend.overdue and weekend.days_left == 0 and weekend.label == "已逾期（应于 2026-10-30 前公示）"
    late = publish_state(pending, due + timedelta(days=3), calendar)
    assert late.overdue and late.days_left == -1 and "已逾期 1 个工作日" in late.label
    assert publish_state(pending, due - timedelta(days=1), calendar).label.startswith("还剩 1 个工作日")
    assert not publish_state(Inspection(publish_due=due, published_at=timezone.now()), due + timedelta(days=9),
                             calendar).overdue
