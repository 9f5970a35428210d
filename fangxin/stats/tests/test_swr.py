"""Bounded staleness of the dashboards (stats.cache, settings.FANGXIN_STATS_MAX_STALE): after a change a page may
show its previous figures, marked stale, for at most MAX_STALE seconds while one refresh recomputes them after the
response; exports are always current; MAX_STALE = 0 is the old behaviour. The refresh runs inline here
(FANGXIN_STATS_REFRESH = "inline", after the response) or is collected and run by the test;
test_swr_thread.py runs it on the real thread."""

import io
import logging

import pytest
from django.core.cache import cache as django_cache
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from openpyxl import load_workbook

from fangxin.complaints import services as complaint_services
from fangxin.complaints.choices import SettlementType
from fangxin.complaints.tests.factories import STAFF
from fangxin.stats import cache, selectors
from fangxin.stats.models import Source
from fangxin.stats.tests.factories import make_history

pytestmark = pytest.mark.django_db
API = "/api/v1/stats/goals"
MAX_STALE = 60


class Clock:
    def __init__(self, start: float):
        self.t = start

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def clock(monkeypatch):
    clock = Clock(cache.now())
    monkeypatch.setattr(cache, "now", clock)
    return clock


@pytest.fixture
def swr(settings, clock):
    settings.FANGXIN_STATS_MAX_STALE = MAX_STALE
    settings.FANGXIN_STATS_REFRESH = "inline"
    django_cache.clear()  # entries are keyed without versions: none from another test's database
    return settings


@pytest.fixture
def jobs(monkeypatch):
    """Refreshes are collected instead of run: the test decides when they happen."""
    collected = []
    monkeypatch.setattr(cache, "_start", collected.append)
    return collected


@pytest.fixture
def history(users, entities):
    return make_history(entities)


def settle_one(history):
    """One more closed complaint in county B (through the service, in its own transaction)."""
    complaint_services.complaint_agreement(actor=STAFF, complaint=history["b1"],
                                           settlement_type=SettlementType.REFUND, terms="退款", recovered_amount="10")


def test_a_change_is_served_stale_once_then_fresh_after_the_refresh(client, users, history, swr):
    client.force_login(users["office"])
    first = client.get(f"{API}/two").json()
    assert first["stale"] is False and first["computed_at"]
    page = client.get(reverse("stats:goal_two")).content.decode()
    assert "数据截至" in page and "此后数据无变化" in page and "正在更新" not in page
    settle_one(history)
    # the page right after the change: the previous figures, said to be updating; its refresh runs after it
    page = client.get(reverse("stats:goal_two")).content.decode()
    assert "正在更新，刷新页面可看最新数据" in page
    assert f"办结 {first['total']['closed']} 件" in page
    again = client.get(f"{API}/two").json()
    assert again["stale"] is False and again["total"]["closed"] == first["total"]["closed"] + 1
    page = client.get(reverse("stats:goal_two")).content.decode()
    assert "正在更新" not in page and f"办结 {first['total']['closed'] + 1} 件" in page


def test_the_api_says_stale_and_when(client, users, history, swr, jobs):
    client.force_login(users["office"])
    first = client.get(f"{API}/four").json()
    settle_one(history)
    stale = client.get(f"{API}/four").json()
    assert stale["stale"] is True and stale["computed_at"] == first["computed_at"]
    assert {k: v for k, v in stale.items() if k != "stale"} == {k: v for k, v in first.items() if k != "stale"}
    assert len(jobs) == 1


def test_never_older_than_max_stale(users, history, swr, clock, jobs):
    f = selectors.filters_from()
    view = lambda: selectors.goal_two(users["office"], f, allow_stale=True)  # noqa: E731
    before = view()["total"]["closed"]
    settle_one(history)
    clock.t += MAX_STALE - 1
    assert view()["stale"] is True and len(jobs) == 1
    clock.t += 2  # the stored figures are now older than MAX_STALE: computed before answering
    late = view()
    assert late["stale"] is False and late["total"]["closed"] == before + 1
    assert late["computed_at"].timestamp() == pytest.approx(clock.t)
    jobs.pop()()  # the refresh scheduled earlier finds the entry current and leaves it
    assert view()["computed_at"] == late["computed_at"]


def test_single_flight(users, history, swr, jobs):
    f = selectors.filters_from()
    view = lambda: selectors.goal_four(users["office"], f, allow_stale=True)  # noqa: E731
    view()
    settle_one(history)
    assert view()["stale"] and view()["stale"] and view()["stale"]
    assert len(jobs) == 1  # three stale views, one refresh
    jobs.pop()()
    assert view()["stale"] is False and not jobs
    with transaction.atomic():
        cache.bump(Source.COMPLAINT)  # another change of the complaints
    assert view()["stale"] is True and len(jobs) == 1  # the lock was released: the next change refreshes again


def test_a_failed_refresh_is_logged_and_releases_the_lock(users, history, swr, clock, jobs, monkeypatch, caplog):
    f = selectors.filters_from()
    view = lambda: selectors.goal_two(users["office"], f, allow_stale=True)  # noqa: E731
    before = view()["total"]["closed"]
    settle_one(history)
    assert view()["stale"] and len(jobs) == 1

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    with monkeypatch.context() as patched, caplog.at_level(logging.ERROR, logger="fangxin.stats.cache"):
        patched.setattr(cache, "versions", broken)
        jobs.pop()()
    assert "后台刷新失败" in caplog.text
    assert view()["stale"] and len(jobs) == 1  # still within MAX_STALE; a new refresh was scheduled
    clock.t += MAX_STALE
    assert view()["total"]["closed"] == before + 1


def test_exports_are_always_current(client, users, history, swr, jobs):
    client.force_login(users["office"])
    first = client.get(f"{API}/two").json()
    settle_one(history)
    response = client.get(reverse("stats:goal_two_xlsx"))
    assert response.status_code == 200 and not jobs
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)))["按旗县区"]
    total = next(row for row in sheet.iter_rows(values_only=True) if row[0] == "合计")
    assert total[2] == first["total"]["closed"] + 1
    # the export stored what it computed: the page after it is current too
    assert client.get(f"{API}/two").json()["stale"] is False


def test_zero_is_the_old_behaviour(client, users, history, settings, jobs):
    settings.FANGXIN_STATS_MAX_STALE = 0
    client.force_login(users["office"])
    first = client.get(f"{API}/two").json()
    settle_one(history)
    again = client.get(f"{API}/two").json()
    assert again["stale"] is False and again["total"]["closed"] == first["total"]["closed"] + 1 and not jobs


@pytest.mark.parametrize("goal", ["one", "two", "three", "four", "five", "six"])
def test_every_page_says_when_its_figures_were_computed(client, users, history, goal):
    client.force_login(users["office"])
    page = client.get(reverse(f"stats:goal_{goal}")).content.decode()
    assert "数据截至" in page and 'data-stale="false"' in page


OPS = st.lists(st.one_of(st.just(("change",)), st.just(("view",)), st.just(("refresh",)),
                         st.tuples(st.just("tick"), st.integers(min_value=1, max_value=90))), max_size=30)


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS)
def test_served_figures_are_current_or_younger_than_max_stale(db, settings, monkeypatch, ops):
    """Random changes, views, refreshes and clock ticks against a payload that records the version it was
    computed from: a fresh view is the current version; a stale one is the version of `computed_at`, less than
    MAX_STALE ago; a view after a refresh with no change since is fresh."""
    settings.FANGXIN_STATS_MAX_STALE = MAX_STALE
    django_cache.clear()
    clock = Clock(1_900_000_000.0)
    monkeypatch.setattr(cache, "now", clock)
    pending = []
    monkeypatch.setattr(cache, "_start", pending.append)
    names = ("swr-property",)
    cache.bump(names[0])
    history = [(clock.t, cache.versions(names)[0])]  # (from when, version)

    def current_at(t) -> set[int]:
        """The versions current at some moment of (fake) time t."""
        ends = [since for since, _ in history[1:]] + [float("inf")]
        return {v for (since, v), end in zip(history, ends, strict=True) if since <= t <= end}

    def view():
        return cache.get_or_compute("property", names, None, {}, {}, lambda: {"v": cache.versions(names)[0]},
                                    allow_stale=True)

    refreshed = False
    for op in ops:
        if op[0] == "change":
            cache.bump(names[0])
            history.append((clock.t, cache.versions(names)[0]))
            refreshed = False
        elif op[0] == "tick":
            clock.t += op[1]
        elif op[0] == "refresh":
            refreshed = refreshed or bool(pending)
            while pending:
                pending.pop(0)()
        else:
            got = view()
            current = history[-1][1]
            if got["stale"]:
                assert not refreshed
                age = clock.t - got["computed_at"].timestamp()
                assert age < MAX_STALE and got["v"] in current_at(got["computed_at"].timestamp())
                assert got["v"] != current
            else:
                assert got["v"] == current


def test_a_refresh_releases_only_its_own_single_flight_lock():
    """A refresh that outlived LOCK_TIMEOUT must not release the lock a newer refresh took meanwhile."""
    key = "fangxin:stats:test-entry"
    django_cache.set(key + ":refresh", "newer", 60)
    cache._refresh(key, (cache.INPUTS,), lambda: {"rows": []}, lock="older")
    assert django_cache.get(key + ":refresh") == "newer"
    cache._refresh(key, (cache.INPUTS,), lambda: {"rows": []}, lock="newer")
    assert django_cache.get(key + ":refresh") is None
