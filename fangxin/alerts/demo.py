"""Demo early warnings: prepaid-card declarations for beauty/fitness/education businesses, planted surges in the
recent complaints, and one day's scan.

Planted (each through the real intake service, as a hotline registration back-dated to its receipt day):
* a mass incident — six complaints about one batch of mooncakes against a 临河区 food business in two days,
  which is also a business surge;
* prepaid-card risk — a fitness club that declared cards without custody, with complaints that it closed and
  cannot be reached;
* a sector surge — two complaints each against six businesses of one sector in one (quiet) county in a week.
Then a weekly scan over the past half year, whose warnings were handled and closed within days — except in the
lagging county of the complaint demo's story, where they stay open — and `services.scan` for today, whose oldest
warning is acknowledged so the list shows the workflow moving.
Idempotent: the planted complaints carry the external reference prefix DEMO_REF and are planted once; the scan
is idempotent itself; a business that declared keeps its declaration.
"""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone

from fangxin.complaints.choices import Channel
from fangxin.complaints.models import Complaint
from fangxin.complaints.services import ComplaintInput, complaint_submit
from fangxin.merchants.models import MarketEntity

from . import services
from .choices import PREPAID_SECTORS, CardType, Custody, WarningStatus
from .models import PrepaidScheme, Warning

DEMO_REF = "ALERT-DEMO-"
CUSTODIES = [(Custody.BANK, "中国银行巴彦淖尔分行"), (Custody.GUARANTEE, "中国人保财险巴彦淖尔分公司"),
             (Custody.DEPOSIT, ""), (Custody.NONE, "")]
SURNAMES = "王李张刘陈杨赵黄周吴"
MOONCAKE = ("月饼", "中秋买的月饼礼盒打开发现发霉，同一批次很多人都遇到了，商家只肯换货不肯退款。", "退款并赔偿")
GYM = ("健身年卡", "办的年卡还有八个月，健身房突然关门停业，老板联系不上，会员卡余额退不了。", "退还卡内余额")
GROUP = ("服务", "收费后不按约定提供服务，多次催促无人处理，要求退费被拒绝。", "退还费用")


def load(*, rng, actor, stdout=None) -> int:
    """Declarations, planted complaints (once) and today's scan. Returns the warnings created."""
    declared = _declarations(rng, actor)
    planted = 0
    if not Complaint.objects.filter(external_ref__startswith=DEMO_REF).exists():
        planted = _plant(rng, actor)
    _history(actor, rng)
    result = services.scan(actor=actor)
    first = Warning.objects.filter(status=WarningStatus.OPEN).order_by("detected_on", "id").first()
    if result.created and first is not None:
        services.warning_transition(actor=actor, warning=first, to_status=WarningStatus.ACKNOWLEDGED)
    if stdout is not None and (declared or planted or result.created):
        stdout.write(f"演示预警：预付卡申报 {declared} 家，植入投诉 {planted} 件，今日扫描新发预警 "
                     f"{len(result.created)} 条")
    return len(result.created)


HISTORY_DAYS, HISTORY_STEP = 182, 7


def _history(actor, rng) -> None:
    """Weekly scans of the past half year; their warnings walked to closed (dated as if handled then)."""
    from fangxin.complaints.demo import LAGGING_COUNTY

    today = timezone.localdate()
    for back in range(HISTORY_DAYS, HISTORY_STEP - 1, -HISTORY_STEP):
        services.scan(actor=actor, on=today - timedelta(days=back))
    old = (Warning.objects.filter(status=WarningStatus.OPEN, detected_on__lte=today - timedelta(days=HISTORY_STEP))
           .exclude(region__code=LAGGING_COUNTY).order_by("detected_on", "id"))
    for warning in old:
        for status, note in ((WarningStatus.ACKNOWLEDGED, ""), (WarningStatus.HANDLING, "约谈经营者，责令限期整改"),
                             (WarningStatus.CLOSED, "经营者已整改，涉及投诉均已调解办结")):
            services.warning_transition(actor=actor, warning=warning, to_status=status, note=note)
        acknowledged = _at(warning.detected_on + timedelta(days=rng.choice((0, 1, 1, 2))), 10)
        closed = _at(warning.detected_on + timedelta(days=rng.randint(3, 15)), 16)
        Warning.objects.filter(pk=warning.pk).update(acknowledged_at=acknowledged, closed_at=closed)
        events = list(warning.events.order_by("at", "id"))
        for event, at in zip(events[-3:], (acknowledged, acknowledged, closed), strict=False):
            type(event).objects.filter(pk=event.pk).update(at=at)


def _at(day, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _declarations(rng, actor) -> int:
    """Three in four beauty/fitness/education businesses declare; the rest are left undeclared. Once: when any
    declaration exists the step has run (or merchants have declared for real) and nothing is added."""
    made = 0
    if PrepaidScheme.objects.exists():
        return 0
    entities = MarketEntity.objects.filter(sector__code__in=PREPAID_SECTORS).order_by("id")
    for entity in entities:
        if rng.random() < 0.25:
            continue
        custody, custodian = rng.choice(CUSTODIES)
        kinds = rng.sample(CardType.values, rng.randint(1, 2))
        holders = rng.randint(20, 600)
        data = services.PrepaidInput(
            issues_cards=rng.random() < 0.9, card_types=kinds, cardholders=holders, custody=custody,
            custodian=custodian, outstanding_balance=Decimal(holders * rng.randint(300, 3000)),
            refund_policy="未消费余额按原价扣除已享受服务后退还，七日内办结。" if rng.random() < 0.6 else "")
        services.prepaid_declare(actor=actor, entity=entity, data=data)
        made += 1
    return made


def _complaint(actor, rng, entity, text, received_on, number, problem_types) -> None:
    item, description, demand = text
    data = ComplaintInput(
        complainant_name=rng.choice(SURNAMES) + rng.choice("伟芳娜敏静丽强磊"),
        complainant_phone=f"139{rng.randint(0, 99_999_999):08d}", business_name=entity.name, item=item,
        description=description, demand=demand, entity_id=entity.pk, region_code=entity.region.code,
        received_on=received_on, consent_mediation=True, problem_types=problem_types,
        external_ref=f"{DEMO_REF}{number:03d}")
    complaint_submit(actor=actor, data=data, channel=Channel.HOTLINE)


def _plant(rng, actor) -> int:
    today = timezone.localdate()
    number = 0

    def add(entity, text, days_back, problems):
        nonlocal number
        number += 1
        _complaint(actor, rng, entity, text, today - timedelta(days=days_back), number, problems)

    shop = MarketEntity.objects.filter(sector__code="food_drug", region__code="150802").order_by("id").first()
    if shop is not None:
        for days_back in (0, 0, 0, 1, 1, 1):
            add(shop, MOONCAKE, days_back, ["quality"])
    gym = MarketEntity.objects.filter(sector__code="beauty_fitness").order_by("id").first()
    if gym is not None:
        # the demo's story needs this declaration (an update when the business had declared otherwise)
        services.prepaid_declare(actor=actor, entity=gym, data=services.PrepaidInput(
            issues_cards=True, card_types=[CardType.PERIOD, CardType.COUNT], outstanding_balance="386000",
            cardholders=412, custody=Custody.NONE))
        for days_back in (1, 4, 9):
            add(gym, GYM, days_back, ["prepaid"])
    # the quietest sector × county with six businesses: a rise there stands out from the city's own trend
    recent = Q(complaints__received_on__gte=today - timedelta(days=91))
    group = (MarketEntity.objects.exclude(sector__code__in=("food_drug", "other", *PREPAID_SECTORS))
             .values("sector", "region").annotate(n=Count("id", distinct=True),
                                                  recent=Count("complaints", filter=recent, distinct=True))
             .filter(n__gte=6).order_by("recent", "sector", "region").first())
    if group is not None:
        members = MarketEntity.objects.filter(sector=group["sector"], region=group["region"]).order_by("id")[:6]
        for index, entity in enumerate(members):
            for days_back in (index % 3, index % 3 + 2):
                add(entity, GROUP, days_back, ["contract"])
    return number
