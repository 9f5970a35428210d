"""`fangxin inspections overdue` and `fangxin inspections record PLAN_ID`."""

import json
from datetime import timedelta

import pytest
from django.core.management import call_command

from fangxin.inspections import draw as drawing
from fangxin.inspections import services
from fangxin.inspections.choices import Outcome
from fangxin.inspections.models import Inspection

from .factories import SYSTEM, make_plan, make_team, run_draw, today

pytestmark = pytest.mark.django_db


def test_overdue_lists_late_results_and_exits_1(users, entities, capsys):
    make_team()
    plan = make_plan()
    run_draw(plan)
    call_command("inspections", "overdue")
    assert "没有逾期未公示的检查结果" in capsys.readouterr().out
    inspection = Inspection.objects.get(plan=plan, entity=entities["b_food"])
    services.result_record(actor=SYSTEM, inspection=inspection, outcome=Outcome.PASSED, description="",
                           inspected_on=today())
    Inspection.objects.filter(pk=inspection.pk).update(publish_due=today() - timedelta(days=7))
    with pytest.raises(SystemExit) as exit_info:
        call_command("inspections", "overdue")
    assert exit_info.value.code == 1
    out = capsys.readouterr().out
    assert "逾期未公示的检查结果 1 条" in out and entities["b_food"].name in out and "已逾期" in out
    with pytest.raises(SystemExit):
        call_command("inspections", "overdue", "--json")
    [line] = json.loads(capsys.readouterr().out)
    assert line["uscc"] == entities["b_food"].uscc


def test_record_writes_a_verifiable_file(users, entities, tmp_path, capsys):
    make_team()
    plan = make_plan()
    with pytest.raises(SystemExit) as exit_info:
        call_command("inspections", "record", str(plan.pk))
    assert exit_info.value.code == 2 and "尚未冻结" in capsys.readouterr().err
    run_draw(plan)
    target = tmp_path / "record.json"
    call_command("inspections", "record", str(plan.pk), "--output", str(target))
    assert drawing.verify(json.loads(target.read_text(encoding="utf-8"))) == []
    call_command("draw", "verify", str(target))
    assert capsys.readouterr().out.strip().endswith("verified")
