"""A digest of every generated table (rows in key order, every column), to show two runs made the same rows.

Rows are read through the ORM, so a sealed (encrypted) column is compared by its plain value: the ciphertext has
a random nonce by design and differs between two runs that stored the same data."""

import hashlib


def table_digest(model) -> tuple[int, str]:
    names = [f.attname for f in model._meta.concrete_fields]
    digest, count = hashlib.sha256(), 0
    for row in model.objects.order_by("pk").values_list(*names).iterator(chunk_size=2000):
        digest.update(repr(tuple(_canonical(v) for v in row)).encode("utf-8"))
        count += 1
    return count, digest.hexdigest()


def _canonical(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value) if value is not None else None


def digests() -> dict[str, tuple[int, str]]:
    from .runner import TABLES

    return {key: table_digest(model) for key, (model, _names) in TABLES.items()}
