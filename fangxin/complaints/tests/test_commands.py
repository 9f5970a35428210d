"""Periodic commands (escalate, overdue) are idempotent; the demo loader fills every state and runs once."""

import random
from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from fangxin.campaign.tests.factories import make_enrollment
from fangxin.complaints.choices import Status
from fangxin.complaints.models import Complaint, ComplaintDocument, ComplaintEvent, ServiceStation
from fangxin.complaints.tests.factories import make_complaint
from fangxin.core.actors import Actor
from fangxin.core.models import AuditRecord, Notification


def run(*args):
    out = StringIO()
    call_command("complaint", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_escalate_moves_operator_complaints_past_ten_working_days_once(users, entities):
    make_enrollment(entities["a_food"])
    stale = make_complaint(Status.OPERATOR, description="过期很久的投诉")
    offered = make_complaint(Status.OPERATOR_OFFERED, description="方案没人理")
    fresh = make_complaint(Status.OPERATOR, description="刚收到的投诉")
    today = timezone.localdate()
    for row in (stale, offered):  # 21 calendar days back: well over 10 working days
        Complaint.objects.filter(pk=row.pk).update(received_on=today - timedelta(days=21),
                                                   operator_started_on=today - timedelta(days=21))
    out = run("escalate")
    assert "处理 2 件" in out and stale.tracking_no in out and fresh.tracking_no not in out
    for row in (stale, offered):
        row.refresh_from_db()
        assert row.status == Status.RECEIVED and row.bureau_received_on == today
        assert row.events.filter(action="operator_timeout").count() == 1
    fresh.refresh_from_db()
    assert fresh.status == Status.OPERATOR
    events = ComplaintEvent.objects.count()
    assert "处理 0 件" in run("escalate")  # idempotent
    assert ComplaintEvent.objects.count() == events


def test_overdue_command_flags_once_a_day(users, entities):
    head = users["county_a"]
    head.is_unit_head, head.phone = True, "13911112222"
    head.save()
    late = make_complaint(Status.RECEIVED)
    today = timezone.localdate()
    Complaint.objects.filter(pk=late.pk).update(bureau_received_on=today - timedelta(days=30))
    make_complaint(Status.RECEIVED, description="今天刚收到")
    assert "处理 1 件" in run("overdue")
    late.refresh_from_db()
    assert late.overdue_flagged_on == today
    assert "处理 0 件" in run("overdue")
    assert late.events.filter(action="overdue").count() == 1


@pytest.fixture
def demo_world(reference):
    from fangxin.accounts import demo as accounts_demo
    from fangxin.campaign import demo as campaign_demo
    from fangxin.merchants import demo as merchants_demo

    actor = Actor.system("demo")
    merchants_demo.load(rng=random.Random("m"), actor=actor, count=80)
    accounts_demo.load(rng=random.Random("a"), actor=actor)
    campaign_demo.load(rng=random.Random("c"), actor=actor)
    return actor


def _totals():
    return (Complaint.objects.count(), ComplaintEvent.objects.count(), ComplaintDocument.objects.count(),
            ServiceStation.objects.count(), Notification.objects.count(), AuditRecord.objects.count())


def test_demo_load_fills_every_state_and_runs_once(demo_world):
    from fangxin.complaints import demo

    out = StringIO()
    created = demo.load(rng=random.Random("x"), actor=demo_world, stdout=out, count=300)
    assert created == 300 and "演示投诉举报" in out.getvalue()
    statuses = Counter(Complaint.objects.values_list("status", flat=True))
    assert set(statuses) == set(Status.values), set(Status.values) - set(statuses)
    assert ServiceStation.objects.count() == 25
    assert Complaint.objects.filter(external_ref__startswith="DEMO-M", status__in=(
        Status.OPERATOR, Status.OPERATOR_OFFERED)).count() == 3  # the demo merchant's to-do list
    assert Notification.objects.filter(status="failed").exists()
    assert AuditRecord.objects.filter(action=demo.LOAD_ACTION).count() == 1
    # what the services would have written: dates in order, closed ones dated, documents numbered uniquely
    for row in Complaint.objects.all():
        dates = [d for d in (row.received_on, row.operator_started_on, row.bureau_received_on, row.accepted_on,
                             row.closed_on) if d]
        assert dates == sorted(dates), row.tracking_no
        assert row.is_closed == (row.closed_on is not None), row.tracking_no
        last = row.events.exclude(to_status="").order_by("at", "id").last()
        assert last.to_status == row.status, row.tracking_no
    numbers = list(ComplaintDocument.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers))
    refused = Complaint.objects.filter(status=Status.REFUSED)
    assert all(c.documents.filter(kind="refusal").count() == 1 for c in refused)
    before = _totals()
    assert demo.load(rng=random.Random("x"), actor=demo_world, stdout=StringIO(), count=300) == 0
    assert _totals() == before
    # the services keep numbering after the demo's documents without a clash
    make_complaint(Status.ACCEPTED, business_name="路边水果摊", region_code="150802", description="新的一件")
    numbers = list(ComplaintDocument.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers))


def test_demo_tells_the_story_of_improving_counties_and_one_lagging(demo_world):
    """Issue 8 item 9: the share of complaints that end well rises over the three years in the other counties,
    while the lagging county stays behind."""
    from fangxin.complaints import demo

    demo.load(rng=random.Random("story"), actor=demo_world, stdout=StringIO(), count=2500)
    today = timezone.localdate()
    ended = Complaint.objects.filter(status__in=demo.GOOD_ENDINGS | demo.POOR_ENDINGS)

    def good_share(rows):
        rows = list(rows)
        return sum(r.status in demo.GOOD_ENDINGS for r in rows) / len(rows)

    old = ended.filter(received_on__lt=today - timedelta(days=730))
    recent = ended.filter(received_on__gte=today - timedelta(days=365))
    others_old = good_share(old.exclude(region__code=demo.LAGGING_COUNTY))
    others_recent = good_share(recent.exclude(region__code=demo.LAGGING_COUNTY))
    lagging_recent = good_share(recent.filter(region__code=demo.LAGGING_COUNTY))
    assert others_recent > others_old + 0.05
    assert lagging_recent < others_recent - 0.1
