"""Cached dashboards (stats.cache): a repeated view is a versions query and a cache read; any change of a
dashboard's inputs, made through a service in its own transaction, is seen by the very next view; a change that
rolls back leaves the cached payload in use; the department-less complaint counters agree with the full ones."""

from datetime import date

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from fangxin.complaints import services as complaint_services
from fangxin.complaints.choices import SettlementType
from fangxin.complaints.models import Complaint
from fangxin.complaints.tests.factories import STAFF
from fangxin.core.actors import Actor
from fangxin.stats import cache, rollups, selectors, services
from fangxin.stats.models import Rollup, Source, Version
from fangxin.stats.tests.factories import make_history

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("test")


@pytest.fixture
def history(users, entities):
    return make_history(entities)


def figures(payload: dict) -> dict:
    """The payload without when it was computed and whether it is stale (what `__wrapped__` returns)."""
    return {k: v for k, v in payload.items() if k not in ("computed_at", "stale")}


def queries_of(call) -> tuple[object, int]:
    with CaptureQueriesContext(connection) as captured:
        result = call()
    return result, len(captured)


@pytest.mark.parametrize("goal", ["one", "two", "three", "four", "five", "six"])
def test_a_repeated_view_is_one_query_and_the_same_payload(users, history, goal):
    dashboard = getattr(selectors, f"goal_{goal}")
    f = selectors.filters_from()
    first, cold = queries_of(lambda: dashboard(users["office"], f))
    again, warm = queries_of(lambda: dashboard(users["office"], f))
    assert warm == 1 < cold  # only the versions are read
    assert again == first
    assert figures(first) == dashboard.__wrapped__(users["office"], f) and first["stale"] is False


def test_a_complaint_change_is_seen_by_the_next_view(users, history):
    f = selectors.filters_from()
    before = selectors.goal_two(users["office"], f)["total"]["closed"]
    complaint_services.complaint_agreement(actor=STAFF, complaint=history["b1"],
                                           settlement_type=SettlementType.REFUND, terms="退款", recovered_amount="10")
    after = selectors.goal_two(users["office"], f)
    assert after["total"]["closed"] == before + 1
    assert figures(after) == selectors.goal_two.__wrapped__(users["office"], f)


def test_a_rolled_back_change_keeps_the_cached_payload(users, history):
    f = selectors.filters_from()
    first = selectors.goal_four(users["office"], f)
    versions = cache.versions((Source.COMPLAINT, cache.INPUTS))
    with pytest.raises(RuntimeError), transaction.atomic():
        _new_complaint()
        raise RuntimeError("the request fails after the change")
    assert cache.versions((Source.COMPLAINT, cache.INPUTS)) == versions
    again, count = queries_of(lambda: selectors.goal_four(users["office"], f))
    assert count == 1 and again == first


def _new_complaint() -> Complaint:
    from fangxin.complaints.tests.factories import complaint_input

    complaint, _ = complaint_services.complaint_submit(actor=STAFF, channel="hotline", data=complaint_input(
        business_name="临河区某饭店", description="回滚测试", region_code="150802"))
    return complaint


def test_inputs_read_directly_are_versioned_too(users, history):
    """The counties' coordination mechanisms are not a rollup: recording one bumps `inputs`."""
    f = selectors.filters_from()
    assert selectors.goal_one(users["office"], f)["mechanisms_in_place"] == 0
    services.mechanism_record(actor=SYSTEM, county_code="150802", established_on=date(2026, 1, 5),
                              document_no="临政办发〔2026〕1 号")
    assert selectors.goal_one(users["office"], f)["mechanisms_in_place"] == 1


def test_the_viewer_is_part_of_the_key(users, history):
    f = selectors.filters_from()
    city = selectors.goal_two(users["office"], f)
    county = selectors.goal_two(users["county_b"], f)
    assert len(city["counties"]) > 1 and [line["county"] for line in county["counties"]] == ["150821"]


def test_an_input_never_changed_gets_a_random_counter_at_its_first_read(users, history):
    Version.objects.all().delete()
    f = selectors.filters_from()
    first = selectors.goal_three(users["office"], f)
    assert Version.objects.filter(name__in=[Source.INSPECTION, cache.INPUTS]).count() == 2
    again, count = queries_of(lambda: selectors.goal_three(users["office"], f))
    assert count == 1 and again == first


def test_a_rebuild_bumps_every_version(users, history):
    names = (*rollups.SOURCES, cache.INPUTS)
    before = cache.versions(names) or (None,) * len(names)
    rollups.rebuild()
    after = cache.versions(names)
    assert after is not None and all(new != old for new, old in zip(after, before, strict=True))


def test_department_less_counters_equal_the_full_ones_and_a_department_reads_the_full_ones(users, history):
    assert rollups.differences() == []
    fine = {}
    for row in Rollup.objects.filter(source=Source.COMPLAINT):
        key = (row.period, row.region_id, row.sector, row.measure)
        fine[key] = fine.get(key, 0) + row.value
    coarse = {(r.period, r.region_id, r.sector, r.measure): r.value
              for r in Rollup.objects.filter(source=Source.COMPLAINT_SECTOR)}
    assert coarse and {k: v for k, v in fine.items() if v} == coarse
    assert not Rollup.objects.filter(source=Source.COMPLAINT_SECTOR).exclude(department=0).exists()
    handled = {c.department for c in Complaint.objects.exclude(department=None).select_related("department")}
    assert handled
    for department in handled:
        f = selectors.filters_from(department=department.code)
        closed = selectors.goal_two(users["office"], f)["total"]["closed"]
        direct = selectors.drill_records(users["office"], f, selectors.drill_from(source="complaint",
                                                                                  measure="closed")).count()
        assert closed == direct


def test_versions_are_read_from_the_database_the_rollups_are_read_from(monkeypatch):
    """With a replica (config/dbrouter.py) the rollups are read there: the versions too, so a payload computed from
    a lagging replica is stored under the replica's versions, never under the primary's newer ones."""
    asked = []

    class Router:
        def db_for_read(self, model, **hints):
            asked.append(model)
            return "default"

    monkeypatch.setattr(cache, "router", Router())
    cache.versions((Source.COMPLAINT, cache.INPUTS))
    assert asked and set(asked) == {Rollup}
