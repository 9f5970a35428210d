"""`fangxin stats rebuild|check` and the demo step."""

import random
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from fangxin.complaints import services
from fangxin.complaints.models import Complaint
from fangxin.complaints.tests.factories import STAFF, complaint_input
from fangxin.core.actors import Actor
from fangxin.core.models import AuditRecord
from fangxin.stats import demo
from fangxin.stats.models import Rollup, Source

pytestmark = pytest.mark.django_db


def test_check_finds_bulk_writes_and_rebuild_repairs_them(entities):
    complaint, _ = services.complaint_submit(actor=STAFF, data=complaint_input(), channel="hotline")
    out = StringIO()
    call_command("stats", "check", stdout=out)
    assert "一致" in out.getvalue()
    Complaint.objects.filter(pk=complaint.pk).update(status="refused")  # a bulk write, past the services
    Rollup.objects.filter(source=Source.COMPLAINT, measure="received").update(value=7)
    with pytest.raises(CommandError, match="不一致"):
        call_command("stats", "check", stdout=StringIO())
    out = StringIO()
    call_command("stats", "rebuild", "--source", "complaint", stdout=out)
    assert "投诉 1 条" in out.getvalue()
    call_command("stats", "check", stdout=StringIO())
    assert Rollup.objects.get(source=Source.COMPLAINT, measure="received").value == 1


def test_demo_step_rebuilds(entities):
    services.complaint_submit(actor=STAFF, data=complaint_input(), channel="hotline")
    Rollup.objects.all().delete()
    out = StringIO()
    assert demo.load(rng=random.Random(1), actor=Actor.system("demo"), stdout=out) == 1
    assert Rollup.objects.filter(source=Source.COMPLAINT, measure="received").get().value == 1
    assert AuditRecord.objects.filter(action="stats.rebuild").exists()
