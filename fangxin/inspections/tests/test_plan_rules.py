"""Plans refuse due dates in the past and, for a department, sectors none of the plan's departments handles."""

from datetime import timedelta

import pytest

from fangxin.core.actors import Actor
from fangxin.core.exceptions import ValidationFailed
from fangxin.inspections.models import Plan
from fangxin.inspections.tests.factories import make_plan, today

pytestmark = pytest.mark.django_db


def test_a_due_date_in_the_past_is_refused_and_nothing_is_written(users):
    with pytest.raises(ValidationFailed, match="抽取截止日期不能早于今天"):
        make_plan(draw_due=today() - timedelta(days=1))
    assert not Plan.objects.exists()
    plan = make_plan(draw_due=today(), inspect_due=today() + timedelta(days=30))
    assert plan.draw_due == today()


def test_a_department_plans_only_in_its_own_or_its_partners_sectors(users):
    department = Actor.for_user(users["department"])  # 市食药监局 (fda)
    with pytest.raises(ValidationFailed, match="金融"):
        make_plan(actor=department, sectors=["finance"])
    assert make_plan(actor=department, sectors=["food_drug"]).sectors.get().code == "food_drug"
    office = Actor.for_user(users["office"])
    assert make_plan(actor=office, name="联合抽查", sectors=["finance"]).sectors.count() == 1
