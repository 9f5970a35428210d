"""Observers of the audit log run inside the change's transaction and share its fate."""

import pytest
from django.db import transaction

from fangxin.core import audit
from fangxin.core.actors import Actor
from fangxin.core.models import AuditRecord

pytestmark = pytest.mark.django_db
ACTOR = Actor.system("test")


@pytest.fixture
def observers(monkeypatch):
    monkeypatch.setattr(audit, "_observers", [])
    return audit._observers


def test_an_observer_sees_each_record_once_inside_the_transaction(observers):
    seen = []

    def watch(entry):
        seen.append((entry.action, transaction.get_connection().in_atomic_block))

    audit.observe(watch)
    audit.observe(watch)  # registering twice changes nothing
    with transaction.atomic():
        audit.record(actor=ACTOR, action="test.one", object_type="t", object_id="1")
    assert seen == [("test.one", True)]


def test_a_failing_observer_rolls_the_change_back(observers):
    def broken(entry):
        raise RuntimeError("rollup store unavailable")

    audit.observe(broken)
    with pytest.raises(RuntimeError), transaction.atomic():
        audit.record(actor=ACTOR, action="test.two", object_type="t", object_id="2")
    assert not AuditRecord.objects.filter(action="test.two").exists()


def test_the_statistics_rollups_are_registered():
    from fangxin.stats.receivers import rollups_from_audit

    assert rollups_from_audit in audit._observers
