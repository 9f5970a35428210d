"""Demo random inspections: an inspector directory (the demo staff accounts among them, and one declared conflict),
two finished draws with results — one plan closed with every result published, one joint plan with results
recorded, one of them overdue for publication, and businesses the draw could not assign a team to — and one open
plan whose population is frozen and waits for the witnesses' entropy.

Everything goes through the real services, acting as the demo users. The services act "today", so each finished
plan is walked today and its dates are then moved back through the ORM (commitment, freeze, entropy and draw
times — in the draw record too, where they are inputs that derive nothing, so the record still verifies — then
inspection, recording and publication dates), as if it had happened months ago. Idempotent: an inspector or plan
that exists (by code or name) is left alone.
"""

import datetime as dt
from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from fangxin.accounts.models import User
from fangxin.core.actors import Actor
from fangxin.core.workdays import WorkCalendar
from fangxin.merchants.demo import GIVEN, SURNAMES

from . import draw as drawing
from . import services
from .choices import Outcome
from .models import Draw, Inspection, Inspector, InspectorConflict, Plan

# code, department, region, demo username (None: an inspector without a platform account)
INSPECTORS = [
    ("FDA150800001", "fda", "150800", "shiyaojian"),
    ("FDA150802001", "fda", "150802", None),
    ("FDA150802002", "fda", "150802", None),
    ("FDA150802003", "fda", "150802", None),
    ("FDA150821001", "fda", "150821", None),
    ("FDA150821002", "fda", "150821", None),
    ("AMR150802001", "amr", "150802", "linhe"),
    ("AMR150802002", "amr", "150802", None),
    ("AMR150802003", "amr", "150802", None),
    ("AMR150821001", "amr", "150821", "wuyuan"),
    ("AMR150821002", "amr", "150821", None),
    ("AMR150821003", "amr", "150821", None),
]
QUALIFICATION = {"fda": "食品药品行政执法资格（执法证有效期至 2028 年 12 月）",
                 "amr": "市场监管综合行政执法资格（执法证有效期至 2028 年 12 月）"}

CLOSED_PLAN = "2026 年上半年临河区食品经营者双随机抽查"
JOINT_PLAN = "2026 年价格与旅游市场跨部门联合抽查"
OPEN_PLAN = "2026 年第四季度电子商务经营者双随机抽查"

PROBLEMS = ["进货查验记录不全，部分批次食品无供货者资质证明，已责令限期整改。",
            "商品明码标价不规范，部分价签与结算价格不一致，已责令立即改正。",
            "经营场所未公示营业执照和食品经营许可证，已当场责令改正。"]
NOT_FOUND = "按登记的经营场所实地核查，门店已关闭，电话无人接听，无法取得联系。"
REFUSED = "经营者以负责人不在为由拒绝检查人员进入经营场所，已告知拒绝检查的法律后果。"
MINIMAL_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>"
               b"endobj 3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n"
               b"startxref 0\n%%EOF\n")  # pypdf (the upload checker) needs startxref


def load(*, rng, actor, stdout=None) -> int:
    created = _inspectors(rng, actor)
    users = {user.username: user for user in User.objects.filter(
        username__in=["shiyaojian", "linhe", "wuyuan", "lianxi"])}

    def as_user(username: str) -> Actor:
        return Actor.for_user(users[username]) if username in users else actor

    today = timezone.localdate()
    if not Plan.objects.filter(name=CLOSED_PLAN).exists():
        _closed_plan(as_user, today)
        created += 1
    if not Plan.objects.filter(name=JOINT_PLAN).exists():
        _joint_plan(as_user, today)
        created += 1
    if not Plan.objects.filter(name=OPEN_PLAN).exists():
        plan = services.plan_create(
            actor=as_user("lianxi"), name=OPEN_PLAN, lead_department="amr", departments=["amr", "fda"],
            sectors=["ecommerce"], counties=["150802", "150821"],
            items=["网店亮照亮证亮标", "七日无理由退货执行情况", "商品价格和促销信息公示"],
            draw_due=today + timedelta(days=7), inspect_due=today + timedelta(days=60))
        services.plan_freeze(actor=as_user("lianxi"), plan=plan)
        created += 1
    if stdout is not None and created:
        stdout.write(f"演示双随机抽查：新增 {created} 项（检查人员和计划）")
    return created


def _inspectors(rng, actor) -> int:
    created = 0
    users = {user.username: user for user in User.objects.filter(
        username__in=[username for *_, username in INSPECTORS if username])}
    for code, department, region, username in INSPECTORS:
        if Inspector.objects.filter(code=code).exists():
            continue
        user = users.get(username) if username else None
        if user is not None and Inspector.objects.filter(user=user).exists():
            user = None
        name = user.full_name.split()[-1] if user is not None and user.full_name else \
            rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        services.inspector_save(actor=actor, code=code, name=name, department=department, regions=[region],
                                qualification=QUALIFICATION[department], active=True, user=user)
        created += 1
    return created


def _at(day: date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _date_back(plan: Plan, drawn_on: date) -> None:
    """Move a plan walked today back so that it was drawn on `drawn_on` (frozen two days before, entropy the day
    before); the record's two timestamps are inputs only, so it still verifies."""
    committed, entropy_at, drawn_at = _at(drawn_on - timedelta(days=2), 10), _at(drawn_on - timedelta(days=1), 15), \
        _at(drawn_on, 9, 30)
    draw = plan.draw
    record = draw.record
    record["population"]["frozen_at"] = committed.astimezone(dt.UTC).isoformat(timespec="seconds")
    record["commitment"]["published_at"] = committed.astimezone(dt.UTC).isoformat(timespec="seconds")
    problems = drawing.verify(record)
    if problems:  # cannot happen: the timestamps derive nothing; refuse to store a record that would not verify
        raise RuntimeError(problems[0])
    Draw.objects.filter(pk=draw.pk).update(committed_at=committed, frozen_at=committed, entropy_at=entropy_at,
                                           drawn_at=drawn_at, record=record)
    Plan.objects.filter(pk=plan.pk).update(created_at=_at(drawn_on - timedelta(days=10), 11))
    plan.refresh_from_db()


def _walk(plan: Plan, runner: Actor, entropy: str, witnesses: str, drawn_on: date) -> Plan:
    services.plan_freeze(actor=runner, plan=plan)
    services.entropy_enter(actor=runner, plan=plan, entropy=entropy, witnesses=witnesses)
    services.draw_run(actor=runner, plan=plan)
    plan.refresh_from_db()
    _date_back(plan, drawn_on)
    return plan


# outcomes in turn: mostly passed, with each kind of failure early so that even a small demo shows them all
OUTCOME_CYCLE = [Outcome.PASSED, Outcome.PROBLEMS, Outcome.PASSED, Outcome.NOT_FOUND, Outcome.PASSED,
                 Outcome.PASSED, Outcome.PROBLEMS, Outcome.PASSED, Outcome.REFUSED, Outcome.PASSED]


def _outcome(index: int) -> tuple[str, str]:
    outcome = OUTCOME_CYCLE[index % len(OUTCOME_CYCLE)]
    description = {Outcome.PROBLEMS: PROBLEMS[index % len(PROBLEMS)], Outcome.NOT_FOUND: NOT_FOUND,
                   Outcome.REFUSED: REFUSED}.get(outcome, "")
    return outcome, description


def _record(recorder: Actor, inspection: Inspection, index: int, inspected_on: date) -> Inspection:
    outcome, description = _outcome(index)
    files = []
    if outcome != Outcome.PASSED:
        files = [SimpleUploadedFile(f"现场检查笔录-{inspection.entity.uscc[-6:]}.pdf", MINIMAL_PDF,
                                    content_type="application/pdf")]
    inspection = services.result_record(actor=recorder, inspection=inspection, outcome=outcome,
                                        description=description, inspected_on=inspected_on, files=files)
    Inspection.objects.filter(pk=inspection.pk).update(
        result_recorded_at=_at(inspected_on, 17), created_at=_at(inspected_on - timedelta(days=1), 9))
    return inspection


def _closed_plan(as_user, today: date) -> None:
    """Drawn four months ago, every business inspected and every result published on time, plan closed."""
    office, lead = as_user("lianxi"), as_user("shiyaojian")
    drawn_on = today - timedelta(days=120)
    plan = services.plan_create(
        actor=lead, name=CLOSED_PLAN, lead_department="fda", sectors=["food_drug"], counties=["150802"],
        ratios={"A": "0.10", "B": "0.20", "C": "0.30", "D": "0.50"},
        items=["证照公示", "进货查验和索证索票", "食品贮存和过期食品清理", "从业人员健康证明"],
        draw_due=today, inspect_due=today + timedelta(days=30))  # services take due dates from today on
    with transaction.atomic():
        plan = _walk(plan, lead, "4-1-6-3-2-5（见证人张某掷骰）/ 2-6-6-1-3-4（见证人李某掷骰）",
                     "市消费者协会 刘芳、临河区人大代表 王某", drawn_on)
    Plan.objects.filter(pk=plan.pk).update(draw_due=drawn_on, inspect_due=drawn_on + timedelta(days=30))
    recorder = as_user("linhe")
    calendar = WorkCalendar.load()
    rows = list(Inspection.objects.filter(plan=plan, unassigned_reason="").order_by("seq"))
    for index, inspection in enumerate(rows):
        inspected_on = drawn_on + timedelta(days=3 + 2 * index)
        inspection = _record(recorder, inspection, index, inspected_on)
        services.results_publish(actor=lead, inspections=[inspection])
        published_on = calendar.add_workdays(inspected_on, 8).due
        Inspection.objects.filter(pk=inspection.pk).update(published_at=_at(published_on, 10))
    services.plan_close(actor=office, plan=plan)
    Plan.objects.filter(pk=plan.pk).update(closed_at=_at(drawn_on + timedelta(days=60), 16))


def _joint_plan(as_user, today: date) -> None:
    """A joint plan of two departments drawn six weeks ago: a declared conflict, businesses in 磴口县 with no team
    (only one inspector covers that county), results recorded — one overdue for publication — and some pending."""
    office = as_user("lianxi")
    drawn_on = today - timedelta(days=45)
    plan = services.plan_create(
        actor=office, name=JOINT_PLAN, lead_department="amr", departments=["amr", "fda"],
        sectors=["price", "tourism"], counties=["150821", "150822"],
        ratios={"A": "0.05", "B": "0.10", "C": "0.20", "D": "0.30"},
        items=["明码标价和价格欺诈", "旅游合同和收费公示", "消费者投诉处理制度"],
        draw_due=today, inspect_due=today + timedelta(days=30))
    population = services.population_of(plan)
    inspector = Inspector.objects.filter(code="AMR150821002").first()
    first_local = next((row for row in population if row["county"] == "150821"), None)
    if inspector is not None and first_local is not None and not InspectorConflict.objects.filter(
            inspector=inspector).exists():
        from fangxin.merchants.models import MarketEntity

        services.conflict_declare(actor=office, inspector=inspector,
                                  entity=MarketEntity.objects.get(pk=first_local["id"]),
                                  reason="配偶在该单位任职，申请回避")
    with transaction.atomic():
        plan = _walk(plan, office, "7-3-9-0-2-8（两名见证人各掷三次十面骰）", "五原县消费者代表 赵某、市人大代表 钱某",
                     drawn_on)
    Plan.objects.filter(pk=plan.pk).update(draw_due=drawn_on)
    recorders = {"150821": as_user("wuyuan")}
    rows = list(Inspection.objects.filter(plan=plan, unassigned_reason="").select_related("entity__region")
                .order_by("seq"))
    for index, inspection in enumerate(rows[:max(1, len(rows) - 2)]):
        recorder = recorders.get(inspection.entity.region.code, office)
        # the first ones were inspected soon after the draw and are now past their publication deadline
        inspected_on = drawn_on + timedelta(days=4 + index) if index < 2 else today - timedelta(days=index)
        _record(recorder, inspection, index + 1, max(inspected_on, drawn_on))
