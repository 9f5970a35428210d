"""The inspections demo: two finished draws with results (one plan closed and published, one joint plan with an
overdue result and unassigned businesses) and one open plan; every record verifies; loading twice adds nothing."""

import random
from datetime import timedelta
from io import StringIO

import pytest
from django.utils import timezone

from fangxin.core import audit
from fangxin.core.actors import Actor
from fangxin.inspections import demo, selectors
from fangxin.inspections import draw as drawing
from fangxin.inspections.choices import PlanStatus
from fangxin.inspections.models import Draw, Inspection, Inspector, InspectorConflict, Plan

pytestmark = pytest.mark.django_db


# county, sector, businesses: enough that a random draw always reaches 磴口县 (no team there) and 五原县
WORLD = [("150802", "food_drug", 40), ("150802", "ecommerce", 10), ("150821", "ecommerce", 10),
         ("150821", "price", 100), ("150821", "tourism", 100), ("150822", "price", 100), ("150822", "tourism", 100)]


@pytest.fixture
def demo_world(reference):
    from fangxin.accounts import demo as accounts_demo
    from fangxin.merchants.models import MarketEntity
    from fangxin.merchants.tests.factories import make_uscc
    from fangxin.organisation.models import Region, Sector

    # The registry slice the demo plans draw from, written directly: the services would take half a minute.
    rows = []
    for county, sector, count in WORLD:
        region, branch = Region.objects.get(code=county), Sector.objects.get(code=sector)
        rows += [MarketEntity(uscc=make_uscc(county), name=f"{region.name}{branch.name}测试{i}号", region=region,
                              sector=branch) for i in range(count)]
    MarketEntity.objects.bulk_create(rows)
    actor = Actor.system("demo")
    accounts_demo.load(rng=random.Random(7), actor=actor)
    return actor


def test_the_demo_walks_every_state_and_is_idempotent(demo_world):
    out = StringIO()
    created = demo.load(rng=random.Random(7), actor=demo_world, stdout=out)
    assert created == len(demo.INSPECTORS) + 3 and "演示双随机抽查" in out.getvalue()
    assert Inspector.objects.filter(user__username__in=["shiyaojian", "linhe", "wuyuan"]).count() == 3
    assert InspectorConflict.objects.current().count() == 1

    closed = Plan.objects.get(name=demo.CLOSED_PLAN)
    assert closed.status == PlanStatus.CLOSED
    rows = Inspection.objects.filter(plan=closed)
    assert rows.exists() and not rows.filter(published_at__isnull=True).exists()
    assert all(row.published_at.date() <= row.publish_due for row in rows)
    assert rows.exclude(outcome="passed").exists() and rows.filter(outcome="passed").exists()
    assert all(row.documents.exists() for row in rows.exclude(outcome="passed"))
    assert closed.draw.drawn_at.date() < timezone.localdate() - timedelta(days=100)

    joint = Plan.objects.get(name=demo.JOINT_PLAN)
    assert joint.status == PlanStatus.DRAWN and joint.is_joint
    assert Inspection.objects.filter(plan=joint).exclude(unassigned_reason="").exists()  # 磴口县: no team
    assert Inspection.objects.filter(plan=joint, unassigned_reason="", outcome="").exists()
    assert selectors.overdue_publications(None).filter(plan=joint).exists()
    assert not Inspection.objects.filter(plan=joint, published_at__isnull=False).exists()

    open_plan = Plan.objects.get(name=demo.OPEN_PLAN)
    assert open_plan.status == PlanStatus.FROZEN and open_plan.draw.record is None

    for draw in Draw.objects.exclude(record=None):
        assert drawing.verify(selectors.draw_record(draw)) == []
    assert audit.verify().ok

    assert demo.load(rng=random.Random(7), actor=demo_world) == 0
    assert Plan.objects.count() == 3 and Inspector.objects.count() == len(demo.INSPECTORS)

