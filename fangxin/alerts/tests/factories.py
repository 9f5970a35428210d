"""Complaints in bulk at chosen receipt days (the detectors only read dates, places and texts, so the rows are
written directly rather than walked through the intake services), and prepaid declarations."""

import itertools
from datetime import timedelta

from django.utils import timezone

from fangxin.alerts import services
from fangxin.complaints.choices import Channel, Status
from fangxin.complaints.models import Complaint, RuleSet
from fangxin.core.actors import Actor

_serial = itertools.count(1)
SYSTEM = Actor.system("test")


def add_complaints(entity, days_back: dict[int, int], *, problem_types=("quality",),
                   description="买到的商品有质量问题，商家拒绝退换。", today=None, region=None, sector=None):
    today = today or timezone.localdate()
    rule_set = RuleSet.objects.order_by("-in_force_from").first()
    rows = []
    for back, n in days_back.items():
        for _ in range(n):
            number = next(_serial)
            rows.append(Complaint(
                tracking_no=f"TA{number:012d}", channel=Channel.HOTLINE, complainant_name="张三",
                complainant_phone="13800001234", entity=entity, business_name=entity.name if entity else "某店",
                item="商品", description=description, demand="退款", region=region or entity.region,
                sector=sector or (entity.sector if entity else None), problem_types=list(problem_types),
                status=Status.RECEIVED, rule_set=rule_set, received_on=today - timedelta(days=back),
                dedupe_key=f"alerts-test-{number}"))
    return Complaint.objects.bulk_create(rows)


def declare(entity, **overrides):
    values = dict(issues_cards=True, card_types=["stored_value"], outstanding_balance="125000", cardholders=310,
                  custody="bank", custodian="中国银行巴彦淖尔分行")
    values.update(overrides)
    return services.prepaid_declare(actor=SYSTEM, entity=entity, data=services.PrepaidInput(**values))
