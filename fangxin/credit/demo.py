"""Demo credit data: the ledger rows the demo complaints would have written (the complaint demo writes its rows
in bulk, past the services), administrative penalties and commitment breaches for a few businesses, list entries
on each of the three lists (through the real services, so they also open title reviews), and a grade for every
demo business. Idempotent: loaded once, marked by one audit record."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from fangxin.complaints.choices import Status
from fangxin.complaints.credit_feed import ground_allows_business_refusal, outcome_events, source_ref
from fangxin.complaints.models import Complaint
from fangxin.core import audit
from fangxin.core.models import AuditRecord
from fangxin.merchants.models import MarketEntity

from . import services
from .batch import recompute_all
from .choices import EventKind, ListKind
from .models import CreditEvent, ListEntry

LOAD_ACTION = "credit.demo_load"
PENALTY_SHARE = 0.015
BREACH_SHARE = 0.01
PENALTIES = [
    ("销售超过保质期的食品", "食品安全法第一百二十四条"),
    ("未按规定明码标价", "价格法第四十二条"),
    ("发布虚假广告", "广告法第五十五条"),
    ("销售不合格产品", "产品质量法第四十九条"),
    ("利用格式条款排除消费者权利", "消费者权益保护法第五十六条"),
]
BREACHES = ["承诺七日无理由退货，却拒绝为消费者办理退货", "承诺明码标价，结账时加收未标示的服务费",
            "承诺先行赔付，消费者索赔后拒不履行"]
# (list, reason code, reason, years back) — a few businesses per list
LIST_PLAN = [  # one of each list first, so a small registry still shows all three
    (ListKind.SERIOUS, "SV01", "销售不符合食品安全标准的食品，受到较重行政处罚", 0),
    (ListKind.ABNORMAL, "AB04", "通过登记的住所或者经营场所无法联系", 0),
    (ListKind.WARNING, "WN01", "违反放心消费承诺，经责令仍未改正", 0),
    (ListKind.ABNORMAL, "AB01", "未按规定期限公示年度报告", 1),
    (ListKind.WARNING, "WN02", "一年内多次被投诉且拒绝调解", 0),
]


def load(*, rng, actor, stdout=None) -> int:
    if AuditRecord.objects.filter(action=LOAD_ACTION).exists():
        return 0
    today = timezone.localdate()
    with transaction.atomic():
        from_complaints = _complaint_events(rng)
        penalties, breaches = _penalties_and_breaches(rng, today)
        CreditEvent.objects.bulk_create(from_complaints + penalties + breaches, batch_size=1000)
        listed = _list_entries(rng, actor, today)
        audit.record(actor=actor, action=LOAD_ACTION, object_type="credit.creditevent", object_id="demo",
                     object_repr="演示信用数据", changes={
                         "complaint_events": [None, len(from_complaints)], "penalties": [None, len(penalties)],
                         "breaches": [None, len(breaches)], "list_entries": [None, listed]})
    summary = recompute_all(actor=actor)
    if stdout is not None:
        grades = "，".join(f"{grade} 级 {count} 户" for grade, count in sorted(summary.grades.items()))
        stdout.write(f"演示信用数据：投诉形成的信用事件 {len(from_complaints)} 条，行政处罚 {len(penalties)} 条，"
                     f"违反承诺 {len(breaches)} 条，名单记录 {listed} 条；已评定 {summary.graded} 户（{grades}）")
    return len(from_complaints) + len(penalties) + len(breaches) + listed


def _complaint_events(rng) -> list[CreditEvent]:
    """What credit_feed would have recorded for each closed demo complaint against a registered business."""
    existing = set(CreditEvent.objects.filter(source_ref__startswith="complaint:").values_list("source_ref", flat=True))
    closed = (Complaint.objects.filter(entity__isnull=False, closed_on__isnull=False,
                                       status__in=(Status.AGREEMENT, Status.OPERATOR_SETTLED, Status.MEDIATION_ENDED))
              .select_related("reason").order_by("pk"))
    rows = []
    for complaint in closed.iterator(chunk_size=2000):
        refused = (complaint.status == Status.MEDIATION_ENDED and complaint.reason is not None
                   and ground_allows_business_refusal(complaint.reason.text) and rng.random() < 0.5)
        for kind, outcome, detail in outcome_events(complaint, business_refused=refused):
            ref = source_ref(complaint, outcome)
            if ref not in existing:
                rows.append(CreditEvent(entity_id=complaint.entity_id, kind=kind, occurred_on=complaint.closed_on,
                                        detail=detail[:300], source_ref=ref))
    return rows


def _penalties_and_breaches(rng, today) -> tuple[list[CreditEvent], list[CreditEvent]]:
    entities = list(MarketEntity.objects.select_related("region").order_by("pk"))
    penalties, breaches = [], []
    for number, entity in enumerate(rng.sample(entities, int(len(entities) * PENALTY_SHARE)), start=1):
        on = today - timedelta(days=rng.randint(10, 1000))
        wrong, basis = rng.choice(PENALTIES)
        document = f"巴市监处罚〔{on.year}〕{number:03d}号"
        penalties.append(CreditEvent(
            entity=entity, kind=EventKind.PENALTY, occurred_on=on, detail=f"{wrong}，依据{basis}处以罚款",
            source_ref=f"penalty:demo:{document}", document_number=document,
            authority=f"{entity.region.name}市场监督管理局"))
    for number, entity in enumerate(rng.sample(entities, int(len(entities) * BREACH_SHARE)), start=1):
        on = today - timedelta(days=rng.randint(5, 300))
        breaches.append(CreditEvent(entity=entity, kind=EventKind.COMMITMENT_BREACH, occurred_on=on,
                                    detail=rng.choice(BREACHES), source_ref=f"breach:demo:{number}"))
    return penalties, breaches


def _list_entries(rng, actor, today) -> int:
    """List decisions through the real service (audit, ledger row, title review for serious/abnormal)."""
    taken = set(ListEntry.objects.values_list("entity_id", flat=True))
    candidates = [e for e in MarketEntity.objects.select_related("region").order_by("pk") if e.pk not in taken]
    created = 0
    for index, (kind, code, reason, years_back) in enumerate(LIST_PLAN, start=1):
        if not candidates:
            break
        entity = candidates.pop(rng.randrange(len(candidates)))
        on = today - timedelta(days=365 * years_back + rng.randint(3, 60))
        services.list_enter(actor=actor, entity=entity, kind=kind, reason_code=code, reason=reason,
                            authority=f"{entity.region.name}市场监督管理局",
                            document_number=f"{entity.region.name[:2]}市监信〔{on.year}〕{index:03d}号",
                            entered_on=on)
        created += 1
    return created
