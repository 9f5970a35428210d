"""The background refresh on a real daemon thread (FANGXIN_STATS_REFRESH = "thread"): it starts after the
response, reads with its own database connection (so the data must be committed: a transactional test), stores the
current figures and closes that connection."""

import threading

import pytest
from django.core.cache import cache as django_cache
from django.db import connections

from fangxin.complaints import services as complaint_services
from fangxin.complaints.choices import SettlementType
from fangxin.complaints.tests.factories import STAFF
from fangxin.stats import cache
from fangxin.stats.tests.factories import make_history

API = "/api/v1/stats/goals"


@pytest.mark.django_db(transaction=True)
def test_the_refresh_thread_stores_the_new_figures(client, users, entities, settings, monkeypatch):
    settings.FANGXIN_STATS_MAX_STALE = 60
    settings.FANGXIN_STATS_REFRESH = "thread"
    django_cache.clear()
    history = make_history(entities)
    closed = []
    original = connections.close_all

    def close_all():
        closed.append(threading.current_thread().name)
        original()

    monkeypatch.setattr(connections, "close_all", close_all)
    client.force_login(users["office"])
    first = client.get(f"{API}/two").json()
    complaint_services.complaint_agreement(actor=STAFF, complaint=history["b1"],
                                           settlement_type=SettlementType.REFUND, terms="退款", recovered_amount="10")
    stale = client.get(f"{API}/two").json()
    assert stale["stale"] is True and stale["total"] == first["total"]
    cache.join_refreshes(timeout=60)
    assert closed == ["fangxin-stats-refresh"]  # the thread closed its own connection, nobody else's
    fresh = client.get(f"{API}/two").json()
    assert fresh["stale"] is False and fresh["total"]["closed"] == first["total"]["closed"] + 1
