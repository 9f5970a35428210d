"""Idempotent complaint submission: a retried POST returns the first tracking number, never a second complaint.

The web form carries a one-time token (a hidden field made when the form is shown); the API takes an
`Idempotency-Key` header. Either is stored, hashed, on `SubmissionKey` in the same transaction as the complaint,
under a unique constraint: a retry after a lost answer (timeout, a killed server) finds the key and gets the
stored complaint; two copies racing each other meet at the unique index and the loser's complaint is rolled back.
This is separate from the service's 10-minute content de-duplication, which catches a form filled in twice."""

import hashlib
import json
import logging
import re
import secrets
import time

from django.db import IntegrityError, InterfaceError, OperationalError, connection, models, transaction

from fangxin.core.exceptions import Conflict, ValidationFailed

logger = logging.getLogger(__name__)

TOKEN_FIELD = "submission_token"
HEADER = "HTTP_IDEMPOTENCY_KEY"
KEY_MAX = 200
_TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")
RETRIES = 4  # a locked SQLite file or a lost PostgreSQL connection is tried again before the user sees anything


class SubmissionKey(models.Model):
    """One idempotency key (hashed) → the complaint it created. No personal data: the phone only enters the hash."""

    key = models.CharField(max_length=64, unique=True)
    fingerprint = models.CharField(max_length=64, blank=True)
    complaint = models.ForeignKey("complaints.Complaint", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "complaints"
        verbose_name = "提交幂等键"
        verbose_name_plural = "提交幂等键"

    def __str__(self):
        return f"{self.key[:12]}… → {self.complaint_id}"


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def new_form_token() -> str:
    return secrets.token_hex(16)


def form_key(raw: str | None) -> str | None:
    """The stored key for a web form token, or None when the token is missing or not one we could have made."""
    token = (raw or "").strip().lower()
    return _digest("web", token) if _TOKEN_RE.match(token) else None


def api_key(request, phone: str) -> str | None:
    """The stored key for an API Idempotency-Key header, scoped to the complainant's phone digits so that one
    client's key can never fetch another consumer's tracking number."""
    raw = (request.META.get(HEADER) or "").strip()
    if not raw:
        return None
    if len(raw) > KEY_MAX:
        raise ValidationFailed(f"Idempotency-Key 最长 {KEY_MAX} 个字符。", details={"field": "Idempotency-Key"})
    return _digest("api", raw, "".join(ch for ch in phone or "" if ch.isdigit()))


def fingerprint_of(data: dict) -> str:
    return _digest(json.dumps(data, sort_keys=True, ensure_ascii=False, default=str))


def _stored(key: str):
    return (SubmissionKey.objects.select_related("complaint", "complaint__region", "complaint__department")
            .filter(key=key).first())


def _replay(row: SubmissionKey, fingerprint: str):
    if fingerprint and row.fingerprint and row.fingerprint != fingerprint:
        raise Conflict("此 Idempotency-Key 已用于另一份内容不同的投诉；新的投诉请使用新的键。",
                       code="idempotency_key_reused")
    return row.complaint, False, True


def _retryable(exc: Exception) -> bool:
    """SQLite's "database is locked" after busy_timeout, a PostgreSQL backend terminated or restarted under us, a
    deadlock or serialization failure: Django raises OperationalError (or InterfaceError) for all of them. Our
    transaction did not commit, or committed and its key is found on the retry, so trying again is safe. (The
    connection cannot be asked: after pg_terminate_backend psycopg may still call it usable.) Never inside an
    outer transaction (a test, a caller's atomic block), which the error has spoiled."""
    return isinstance(exc, (OperationalError, InterfaceError)) and not connection.in_atomic_block


def submit_once(*, key: str | None, submit, fingerprint: str = ""):
    """Run `submit()` (→ (complaint, created)) at most once per key. Returns (complaint, created, replayed)."""
    for attempt in range(RETRIES):
        try:
            row = _stored(key) if key else None
            if row is not None:
                return _replay(row, fingerprint)
            return _submit(key, submit, fingerprint)
        except (OperationalError, InterfaceError) as exc:
            if not _retryable(exc) or attempt == RETRIES - 1:
                raise
            logger.warning("submission retried after %s (attempt %s)", type(exc).__name__, attempt + 1)
            connection.close()  # a fresh connection on the next attempt (a no-op cost for SQLite)
            time.sleep(0.2 * (attempt + 1))
    raise AssertionError("unreachable")


def _submit(key, submit, fingerprint):
    try:
        with transaction.atomic():
            complaint, created = submit()
            if key:
                SubmissionKey.objects.create(key=key, fingerprint=fingerprint, complaint=complaint)
    except IntegrityError:
        row = _stored(key) if key else None
        if row is None:
            raise
        return _replay(row, fingerprint)  # a concurrent copy with the same key won; ours was rolled back
    return complaint, created, False
