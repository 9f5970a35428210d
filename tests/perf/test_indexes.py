"""The hot queries of the public pages and the staff queue are answered from an index, proven by the database's own
plan (docs/performance.md lists them). On PostgreSQL the plan is taken with enable_seqscan off, so the small test
tables cannot hide a missing index behind a cheap sequential scan: with no usable index the planner still has to
scan (`Seq Scan on …` stays in the plan, only dearer). On SQLite, EXPLAIN QUERY PLAN says SEARCH … USING INDEX for
an index probe and SCAN for a full pass."""

import re

import pytest
from django.db import connection, transaction

from fangxin.campaign.models import Enrollment
from fangxin.campaign.tests.factories import make_enrollment
from fangxin.complaints.choices import Status
from fangxin.complaints.models import Complaint
from fangxin.complaints.tests.factories import make_complaint
from fangxin.core import cache as page_cache
from fangxin.credit.models import ListEntry
from fangxin.merchants.models import MarketEntity
from fangxin.merchants.search import search_entities
from fangxin.organisation.models import Region
from fangxin.stats.models import Version


def plan_of(queryset) -> str:
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            return queryset.explain()
    return queryset.explain()


def assert_indexed(plan: str, table: str) -> None:
    if connection.vendor == "postgresql":
        assert f"Seq Scan on {table}" not in plan, plan
        assert re.search(rf"Index (Only )?Scan .*on {table}|Bitmap Index Scan", plan), plan
    else:
        assert not re.search(rf"\bSCAN {table}\b(?! USING)", plan), plan
        assert re.search(rf"SEARCH {table} USING .*INDEX", plan), plan


@pytest.fixture
def data(entities):
    enrollment = make_enrollment(entities["a_food"])
    complaint = make_complaint()
    return {"enrollment": enrollment, "complaint": complaint, "entity": entities["a_food"]}


@pytest.mark.django_db
def test_badge_verification_by_serial(data):
    enrollment = data["enrollment"]
    queryset = Enrollment.objects.filter(serial=enrollment.serial, entity__uscc=data["entity"].uscc)
    assert_indexed(plan_of(queryset), "campaign_enrollment")


@pytest.mark.django_db
def test_profile_by_uscc_and_its_current_enrollment_and_list_entries(data):
    entity = data["entity"]
    assert_indexed(plan_of(MarketEntity.objects.filter(uscc=entity.uscc)), "merchants_marketentity")
    assert_indexed(plan_of(Enrollment.objects.current().filter(entity=entity)), "campaign_enrollment")
    assert_indexed(plan_of(ListEntry.objects.filter(entity=entity)), "credit_listentry")


@pytest.mark.django_db
def test_page_cache_version_lookup(data):
    names = [page_cache.EPOCH, page_cache.entity_version_name(data["entity"].uscc)]
    assert_indexed(plan_of(Version.objects.filter(name__in=names)), "stats_version")


@pytest.mark.django_db
def test_search_by_two_characters_and_by_longer_text(data):
    for text in ("华联", "华联超市"):
        plan = plan_of(search_entities(MarketEntity.objects.all(), text))
        if connection.vendor == "postgresql":
            assert "Seq Scan" not in plan, plan
        else:  # the candidates come from the token table or the FTS table, never a pass over the registry
            assert "SCAN merchants_marketentity" not in plan.replace("SCAN merchants_marketentity USING", ""), plan


@pytest.mark.django_db
def test_tracking_by_number(data):
    plan = plan_of(Complaint.objects.filter(tracking_no=data["complaint"].tracking_no))
    assert_indexed(plan, "complaints_complaint")


@pytest.mark.django_db
def test_queue_by_county_and_status(data):
    region = Region.objects.get(code="150802")
    queryset = (Complaint.objects.filter(region=region, status__in=[Status.RECEIVED, Status.ACCEPTED])
                .order_by("-received_on", "-id"))
    assert_indexed(plan_of(queryset), "complaints_complaint")
