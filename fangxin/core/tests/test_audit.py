import itertools
import threading

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction

from fangxin.core import audit
from fangxin.core.actors import Actor
from fangxin.core.models import AuditHead, AuditRecord

ACTOR = Actor(user=None, name="测试员", role="county_staff", client_ip="127.0.0.1")


def append(n: int, prefix: str = "test") -> None:
    for i in range(n):
        with transaction.atomic():
            audit.record(actor=ACTOR, action=f"{prefix}.step", object_type="test.thing", object_id=str(i),
                         object_repr=f"第{i}件", changes={"status": ["草稿", f"状态{i}"], "amount": [None, "12.50"]})


def run_verify_command() -> int:
    try:
        call_command("audit", "verify")
    except SystemExit as exc:
        return exc.code
    return 0


@pytest.mark.django_db
def test_a_fresh_chain_verifies_and_links_each_record_to_the_previous():
    append(5)
    records = list(AuditRecord.objects.order_by("seq"))
    assert [r.seq for r in records] == [1, 2, 3, 4, 5]
    assert records[0].prev_hash == audit.GENESIS_HASH
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(records))
    assert audit.verify().ok
    assert run_verify_command() == 0


@pytest.mark.django_db
def test_the_hash_follows_design_5_3():
    append(1)
    entry = AuditRecord.objects.get(seq=1)
    fields = {name: getattr(entry, name) for name in audit.HASHED_FIELDS}
    fields["at"] = entry.at.astimezone(__import__("datetime").UTC).isoformat(timespec="microseconds")
    canonical = __import__("json").dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    expected = __import__("hashlib").sha256(("0" * 64 + "\n" + canonical).encode("utf-8")).hexdigest()
    assert entry.hash == expected


@pytest.mark.django_db(transaction=True)
def test_recording_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError):
        audit.record(actor=ACTOR, action="test.step")


@pytest.mark.django_db
def test_a_rolled_back_operation_leaves_no_record():
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        audit.record(actor=ACTOR, action="test.step")
        1 / 0  # noqa: B018
    assert AuditRecord.objects.count() == 0
    assert audit.verify().ok


def raw(sql: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.django_db
def test_an_edit_made_in_the_database_is_found():
    append(6)
    raw("UPDATE core_auditrecord SET actor_name = %s WHERE seq = 4", ["冒名者"])
    result = audit.verify()
    assert (result.ok, result.broken_seq) == (False, 4)
    assert run_verify_command() == 1


@pytest.mark.django_db
def test_an_edit_of_the_changes_json_is_found():
    append(6)
    raw("UPDATE core_auditrecord SET changes = %s WHERE seq = 2", ['{"status": ["草稿", "已通过"]}'])
    assert audit.verify().broken_seq == 2


@pytest.mark.django_db
def test_a_deletion_in_the_middle_is_found():
    append(6)
    raw("DELETE FROM core_auditrecord WHERE seq = 3")
    result = audit.verify()
    assert (result.ok, result.broken_seq) == (False, 3)
    assert run_verify_command() == 1


@pytest.mark.django_db
def test_a_deletion_of_the_last_record_is_found():
    append(6)
    raw("DELETE FROM core_auditrecord WHERE seq = 6")
    assert audit.verify().broken_seq == 6


@pytest.mark.django_db
def test_an_insertion_is_found():
    append(6)
    forged = AuditRecord.objects.get(seq=6)
    raw(
        "INSERT INTO core_auditrecord (seq, at, actor_id, actor_name, actor_role, action, object_type, object_id,"
        " object_repr, changes, client_ip, prev_hash, hash) VALUES (%s, %s, NULL, %s, %s, %s, '', '', '', %s, '', %s, %s)",
        [7, forged.at, "伪造者", "auditor", "test.step", "{}", forged.hash, "f" * 64],
    )
    result = audit.verify()
    assert (result.ok, result.broken_seq) == (False, 7)
    assert run_verify_command() == 1


@pytest.mark.django_db
def test_an_insertion_with_a_correctly_computed_hash_is_found_by_the_chain_head():
    append(3)
    last = AuditRecord.objects.get(seq=3)
    forged = AuditRecord(seq=4, at=last.at, actor_id=None, actor_name="伪造者", actor_role="", action="x",
                         object_type="", object_id="", object_repr="", changes={}, client_ip="", prev_hash=last.hash)
    forged.hash = audit.record_hash(forged.prev_hash, audit.hashed_fields(forged))
    forged.save(force_insert=True)  # written behind the service's back: the head was not moved
    assert audit.verify().broken_seq == 4


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_never_fork_the_chain():
    threads, per_thread, errors = 6, 15, []

    def worker(index):
        try:
            append(per_thread, prefix=f"thread{index}")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    assert errors == []
    total = threads * per_thread
    assert AuditRecord.objects.count() == total
    assert AuditRecord.objects.values("prev_hash").distinct().count() == total  # no two records share a parent
    assert AuditHead.objects.get(pk=1).last_seq == total
    assert audit.verify().ok


def test_jsonable_is_stable_for_the_types_services_record():
    import datetime as dt
    from decimal import Decimal

    value = audit.jsonable({"d": dt.date(2026, 1, 2), "n": Decimal("1.50"), "s": {"b", "a"}, "f": 0.1})
    assert value == {"d": "2026-01-02", "n": "1.50", "s": ["a", "b"], "f": "0.1"}
