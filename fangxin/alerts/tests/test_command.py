"""`fangxin alerts scan|backtest`."""

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from fangxin.alerts.models import Warning

from .factories import add_complaints

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("alerts", *args, stdout=out)
    return out.getvalue()


def test_scan_prints_new_warnings_and_is_idempotent(entities):
    add_complaints(entities["a_food"], {0: 3, 1: 3, 60: 1})
    first = run("scan")
    assert "新发预警 2 条" in first and "群体性投诉：临河区华联超市" in first
    assert "新发预警 0 条" in run("scan") and Warning.objects.count() == 2
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    assert "新发预警 0 条" in run("scan", "--date", yesterday)


def test_scan_rejects_bad_dates(db):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        run("scan", "--date", "28/11/2026")
    with pytest.raises(CommandError, match="未来"):
        run("scan", "--date", (timezone.localdate() + timedelta(days=3)).isoformat())


def test_backtest_prints_the_figures():
    text = run("backtest", "--seed", "3", "--months", "2")
    assert text.splitlines()[0].startswith("层级 | 对象数 | 植入事件 | 检出 | 检出率")
    assert "经营者激增 | 600 |" in text and "群体性投诉（48 小时 ≥ N） | 600 |" in text


def test_replay_is_read_only_and_counts_per_month(entities):
    add_complaints(entities["a_food"], {5: 3, 6: 3, 60: 1})
    text = run("replay", "--days", "30")
    assert "经营者投诉激增：1 条" in text and "群体性投诉：1 条" in text and "预付卡风险：0 条" in text
    assert not Warning.objects.exists()
    with pytest.raises(CommandError):
        run("replay", "--days", "0")
