"""Inspections test helpers: inspectors, a plan, and a plan walked through freeze, entropy and draw."""

from django.utils import timezone

from fangxin.core.actors import Actor
from fangxin.core.tests import samples
from fangxin.inspections import services

SYSTEM = Actor.system("test")
PNG = samples.PNG


def make_inspector(code: str, *, regions=("150802",), department="fda", active=True, name=None, user=None,
                   actor=SYSTEM):
    return services.inspector_save(actor=actor, code=code, name=name or f"检查员{code[-3:]}", department=department,
                                   regions=list(regions), qualification="执法证有效", active=active, user=user)


def make_team(department="fda"):
    """Four inspectors in 临河区, three in 五原县 and one at city level, all of one department."""
    codes = [("150802", f"{department}-a{i}") for i in range(1, 5)] + \
            [("150821", f"{department}-b{i}") for i in range(1, 4)] + [("150800", f"{department}-c1")]
    return {code: make_inspector(code, regions=[region], department=department) for region, code in codes}


def make_plan(*, actor=SYSTEM, **fields):
    values = dict(name="2026 年食品经营者双随机抽查", lead_department="fda", counties=["150802", "150821"],
                  ratios={"A": "1", "B": "1", "C": "1", "D": "1"}, team_size=2,
                  items=["证照公示", "进货查验记录"])
    values.update(fields)
    return services.plan_create(actor=actor, **values)


def run_draw(plan, *, actor=SYSTEM, entropy="3-1-4-1-5-9"):
    services.plan_freeze(actor=actor, plan=plan)
    services.entropy_enter(actor=actor, plan=plan, entropy=entropy, witnesses="见证人甲、见证人乙")
    draw = services.draw_run(actor=actor, plan=plan)
    plan.refresh_from_db()
    return draw


def today():
    return timezone.localdate()
