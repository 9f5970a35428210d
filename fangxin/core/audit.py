"""The append-only, hash-chained audit log (DESIGN 5.3).

`record()` is called by every state-changing service inside its transaction. It locks the chain head
(PostgreSQL: SELECT … FOR UPDATE on the single `AuditHead` row; SQLite: the IMMEDIATE transaction is
already the one writer), so concurrent appends queue and the chain never forks.
`verify()` walks the chain and names the first record that was edited, deleted or inserted behind its back.
"""

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from .actors import Actor
from .models import AuditHead, AuditRecord

GENESIS_HASH = "0" * 64
HASHED_FIELDS = (
    "seq", "at", "actor_id", "actor_name", "actor_role", "action", "object_type", "object_id",
    "object_repr", "changes", "client_ip", "prev_hash",
)


def canonical_json(data: dict) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def record_hash(prev_hash: str, fields: dict) -> str:
    payload = prev_hash + "\n" + canonical_json(fields)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def hashed_fields(entry: AuditRecord) -> dict:
    fields = {name: getattr(entry, name) for name in HASHED_FIELDS}
    fields["at"] = entry.at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    return fields


def jsonable(value: Any) -> Any:
    """A stable JSON form for audit values, identical after a round trip through either database."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat(timespec="microseconds") if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal | float):
        return str(value)
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [jsonable(item) for item in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    return str(value)


def snapshot(instance: models.Model, fields: list[str] | tuple[str, ...]) -> dict:
    """The values of `fields` (FKs by id) in audit form, to diff before and after a change."""
    values = {}
    for name in fields:
        field = instance._meta.get_field(name)
        if field.many_to_many:
            values[name] = sorted(str(pk) for pk in getattr(instance, name).values_list("pk", flat=True)) if instance.pk else []
        else:
            values[name] = jsonable(getattr(instance, field.attname))
    return values


def diff(before: dict, after: dict) -> dict:
    """{field: [before, after]} for the fields whose value changed."""
    keys = sorted(set(before) | set(after))
    return {key: [before.get(key), after.get(key)] for key in keys if before.get(key) != after.get(key)}


# Callables told of every audit record inside the transaction of the change it records (registered in an app's
# `ready()`, e.g. the statistics rollups). An explicit list, read here, rather than a model signal: DESIGN keeps
# logic out of signals, and this is the one place every state change already passes through.
_observers: list = []


def observe(callback) -> None:
    """Call `callback(entry)` after each new audit record is written, in the same transaction; an exception
    rolls the change back with it. Registering the same callable twice has no effect."""
    if callback not in _observers:
        _observers.append(callback)


def record(
    *,
    actor: Actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    changes: dict | None = None,
) -> AuditRecord:
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("audit.record() must run inside the transaction of the change it records")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)
    head = _lock_head()
    entry = AuditRecord(
        seq=head.last_seq + 1,
        at=timezone.now(),
        actor_id=actor.user_id,
        actor_name=actor.name[:150],
        actor_role=actor.role[:40],
        action=action,
        object_type=object_type,
        object_id=str(object_id)[:64],
        object_repr=str(object_repr)[:200],
        changes=jsonable(changes or {}),
        client_ip=actor.client_ip or "",
        prev_hash=head.last_hash,
    )
    entry.hash = record_hash(entry.prev_hash, hashed_fields(entry))
    entry.save(force_insert=True)
    AuditHead.objects.filter(pk=1).update(last_seq=entry.seq, last_hash=entry.hash)
    for observer in _observers:
        observer(entry)
    return entry


def _lock_head() -> AuditHead:
    """Lock the chain head, making it for an empty chain (fresh or flushed database).

    Two first appends race to create it: the loser's insert fails inside its savepoint and it locks the winner's
    row. A head we create while records already exist means someone deleted it: refuse rather than fork.
    """
    head = AuditHead.objects.select_for_update().filter(pk=1).first()
    if head is not None:
        return head
    try:
        with transaction.atomic():
            AuditHead.objects.create(pk=1, last_seq=0, last_hash=GENESIS_HASH)
    except IntegrityError:
        return AuditHead.objects.select_for_update().get(pk=1)  # a concurrent first append made it
    if AuditRecord.objects.exists():
        raise RuntimeError("audit chain head is missing while records exist: run `fangxin audit verify`")
    return AuditHead.objects.select_for_update().get(pk=1)


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""

    def message(self) -> str:
        if self.ok:
            return f"审计链完整：共 {self.checked} 条记录。"
        return f"审计链在第 {self.broken_seq} 条记录处断裂：{self.reason}"


def verify(chunk_size: int = 2000) -> VerifyResult:
    expected_seq, prev_hash, checked = 1, GENESIS_HASH, 0
    for entry in AuditRecord.objects.order_by("seq").iterator(chunk_size=chunk_size):
        if entry.seq != expected_seq:
            if entry.seq > expected_seq:
                return VerifyResult(False, checked, expected_seq, f"记录缺失（下一条现存记录为第 {entry.seq} 条）。")
            return VerifyResult(False, checked, entry.seq, "序号异常。")
        if entry.prev_hash != prev_hash:
            return VerifyResult(False, checked, entry.seq, "“前一条哈希”与上一条记录不符（前面的记录被删除、插入或修改）。")
        if record_hash(entry.prev_hash, hashed_fields(entry)) != entry.hash:
            return VerifyResult(False, checked, entry.seq, "记录内容与其哈希不符（记录被修改或伪造）。")
        prev_hash, expected_seq, checked = entry.hash, expected_seq + 1, checked + 1
    head = AuditHead.objects.filter(pk=1).first()
    if head is None:
        if checked == 0:
            return VerifyResult(True, 0)  # an empty chain that has never been appended to
        return VerifyResult(False, checked, checked + 1, "审计链头缺失。")
    if head.last_seq != checked or head.last_hash != prev_hash:
        if head.last_seq > checked:
            return VerifyResult(False, checked, checked + 1, f"链尾记录缺失（链头指向第 {head.last_seq} 条）。")
        return VerifyResult(False, checked, head.last_seq + 1, "链头之后出现了未经登记的记录。")
    return VerifyResult(True, checked)
