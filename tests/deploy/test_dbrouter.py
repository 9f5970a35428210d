"""The primary/replica router (config/dbrouter.py): dashboards' and reports' reads to the replica, the rest and every
write to the primary, reads inside a transaction stay on the primary, migrations only on the primary."""

import pytest
from django.db import transaction

from config import dbrouter
from config.dbrouter import PrimaryReplicaRouter, replica_reads
from fangxin.complaints.models import Complaint
from fangxin.opendata.models import ReportJob
from fangxin.stats.models import Contribution, Rollup

router = PrimaryReplicaRouter()


@pytest.fixture
def with_replica(monkeypatch):
    """As if FANGXIN_REPLICA_URL had added the alias (no second database is needed to ask the router)."""
    monkeypatch.setattr(dbrouter, "replica_configured", lambda: True)


def test_without_a_replica_everything_uses_the_primary():
    assert router.db_for_read(Rollup) == "default"
    with replica_reads():
        assert router.db_for_read(Complaint) == "default"


@pytest.mark.django_db(transaction=True)
def test_dashboard_reads_go_to_the_replica_and_the_rest_to_the_primary(with_replica):
    assert router.db_for_read(Rollup) == "replica"
    assert router.db_for_read(Contribution) == "replica"
    assert router.db_for_read(Complaint) == "default"
    assert router.db_for_read(ReportJob) == "default"  # the job queue: the scheduler must read its own writes
    assert router.db_for_write(Rollup) == "default"
    with replica_reads():
        assert router.db_for_read(Complaint) == "replica"
    assert router.db_for_read(Complaint) == "default"


@pytest.mark.django_db(transaction=True)
def test_reads_inside_a_transaction_stay_on_the_primary(with_replica):
    with transaction.atomic():
        assert router.db_for_read(Rollup) == "default"
        with replica_reads():
            assert router.db_for_read(Complaint) == "default"
    assert router.db_for_read(Rollup) == "replica"


def test_migrations_run_on_the_primary_only():
    assert router.allow_migrate("default", "stats", "rollup")
    assert not router.allow_migrate("replica", "stats", "rollup")
    assert not router.allow_migrate("replica", "complaints")
