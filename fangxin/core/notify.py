"""Notifications (SMS, email) through pluggable backends, queued only after the business write commits.

`queue()` is called inside a service's transaction: it registers an on_commit hook, so a rolled-back
operation never tells anyone anything. The hook writes `Notification` rows and tries to deliver them at once.
The default backend (`OutboxBackend`) just marks them delivered to the outbox, which staff read in the
workbench, so nothing depends on a gateway being reachable. A backend that raises leaves the row `failed`
with its error; `fangxin notify retry` (idempotent) tries again, up to `MAX_ATTEMPTS`.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import Notification, NotificationStatus

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class Message:
    channel: str  # "sms" | "email"
    recipient: str
    subject: str
    body: str
    recipient_kind: str = ""
    object_type: str = ""
    object_id: str = ""


class OutboxBackend:
    """Delivers to the outbox table only: the message is kept and readable, no gateway needed."""

    def send(self, notification: Notification) -> None:
        return None


class DjangoEmailBackend:
    """Email through Django's configured EMAIL_BACKEND (SMTP in production)."""

    def send(self, notification: Notification) -> None:
        send_mail(notification.subject, notification.body, None, [notification.recipient])


class FailingBackend:
    """For tests and drills: every send fails, as when the SMS gateway is unreachable."""

    def send(self, notification: Notification) -> None:
        raise ConnectionError("短信网关不可达")


def backend_for(channel: str):
    paths = getattr(settings, "FANGXIN_NOTIFY_BACKENDS", {})
    return import_string(paths.get(channel, "fangxin.core.notify.OutboxBackend"))()


def queue(messages: list[Message]) -> None:
    """Send after the surrounding transaction commits (immediately when there is none)."""
    messages = [m for m in messages if m.recipient]
    if messages:
        transaction.on_commit(lambda: deliver_new(messages))


def deliver_new(messages: list[Message]) -> list[Notification]:
    rows = Notification.objects.bulk_create([
        Notification(channel=m.channel, recipient=m.recipient[:200], recipient_kind=m.recipient_kind,
                     subject=m.subject[:200], body=m.body, object_type=m.object_type, object_id=m.object_id)
        for m in messages])
    for row in rows:
        attempt(row)
    return rows


def attempt(notification: Notification) -> bool:
    backend = backend_for(notification.channel)
    notification.attempts += 1
    notification.backend = type(backend).__name__
    try:
        backend.send(notification)
    except Exception as exc:  # a gateway's failure must never undo or hide the business step
        log.warning("notification %s failed: %s", notification.pk, exc)
        notification.status = NotificationStatus.FAILED
        notification.last_error = f"{type(exc).__name__}: {exc}"[:300]
    else:
        notification.status = NotificationStatus.SENT
        notification.sent_at = timezone.now()
        notification.last_error = ""
    Notification.objects.filter(pk=notification.pk).update(
        attempts=notification.attempts, backend=notification.backend, status=notification.status,
        last_error=notification.last_error, sent_at=notification.sent_at)
    return notification.status == NotificationStatus.SENT


def retry_failed(limit: int = 500) -> tuple[int, int]:
    """Retry failed sends that still have attempts left; returns (sent, still failing)."""
    sent = failed = 0
    rows = Notification.objects.filter(status=NotificationStatus.FAILED, attempts__lt=MAX_ATTEMPTS).order_by("id")
    for row in rows[:limit]:
        if attempt(row):
            sent += 1
        else:
            failed += 1
    return sent, failed
