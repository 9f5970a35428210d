"""The daily regrading command and the demo loader."""

import random
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from fangxin.complaints.choices import Status
from fangxin.complaints.tests.factories import make_complaint
from fangxin.core.actors import Actor
from fangxin.credit import demo
from fangxin.credit.batch import recompute_all
from fangxin.credit.choices import EventKind, ListKind
from fangxin.credit.models import CreditEvent, CreditGrade, CreditGradeHistory, ListEntry
from fangxin.credit.services import credit_event_record
from fangxin.merchants.models import MarketEntity

pytestmark = pytest.mark.django_db
ACTOR = Actor.system("test")


def test_recompute_grades_every_business(entities):
    summary = recompute_all(actor=ACTOR)
    assert summary.graded == MarketEntity.objects.count() == CreditGrade.objects.count()
    assert summary.grades == {"A": summary.graded} and summary.changed == summary.graded


def test_a_grade_recovers_as_an_old_event_decays(entities):
    entity = entities["a_food"]
    today = timezone.localdate()
    for number in range(2):
        credit_event_record(actor=ACTOR, entity=entity, kind=EventKind.PENALTY, occurred_on=today - timedelta(days=1094),
                            detail="罚款", source_ref=f"penalty:test:{number}", document_number=f"罚〔{number}〕",
                            authority="临河区市场监督管理局")
    credit_event_record(actor=ACTOR, entity=entity, kind=EventKind.INSPECTION_FAILED, occurred_on=today - timedelta(days=729),
                        detail="不合格", source_ref="inspection:test")
    CreditGrade.objects.filter(entity=entity).update(grade="C")  # as graded long ago, before the events decayed
    summary = recompute_all(actor=ACTOR, entities=MarketEntity.objects.filter(pk=entity.pk))
    assert summary.changed == 1 and CreditGrade.objects.get(entity=entity).grade == "A"
    assert CreditGradeHistory.objects.filter(entity=entity, from_grade="C", to_grade="A").exists()


def test_the_command_reports_and_rejects_unknown_codes(entities):
    out = StringIO()
    call_command("credit", "recompute", "--uscc", entities["a_food"].uscc, stdout=out)
    assert "已重新计算 1 户" in out.getvalue() and "A 级 1 户" in out.getvalue()
    with pytest.raises(CommandError, match="找不到"):
        call_command("credit", "recompute", "--uscc", "91150000000000000X")


def test_demo_records_complaint_outcomes_lists_and_grades_everyone(entities, monkeypatch):
    # the complaint demo writes its rows in bulk, past the services: no ledger rows yet
    monkeypatch.setattr("fangxin.complaints.credit_feed.record_outcome", lambda *args, **kwargs: [])
    more = [make_complaint(Status.AGREEMENT, business_name=entities["b_food"].name, business_uscc=entities["b_food"].uscc)]
    assert not CreditEvent.objects.exists()
    assert demo.load(rng=random.Random(7), actor=ACTOR) > 0
    upheld = CreditEvent.objects.get(source_ref=f"complaint:{more[0].tracking_no}:upheld")
    assert upheld.kind == EventKind.COMPLAINT_UPHELD and upheld.entity == entities["b_food"]
    assert CreditGrade.objects.count() == MarketEntity.objects.count()
    assert set(ListEntry.objects.values_list("kind", flat=True)) == set(ListKind.values)
    serious = ListEntry.objects.get(kind=ListKind.SERIOUS).entity
    assert CreditGrade.objects.get(entity=serious).grade == "D"  # the list caps the grade
    assert demo.load(rng=random.Random(7), actor=ACTOR) == 0  # idempotent
