"""The notification outbox: nothing is sent before the business write commits, a failed send stays visible
and is retried up to MAX_ATTEMPTS, and the default backend needs no gateway."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from fangxin.core import notify
from fangxin.core.models import Notification, NotificationStatus

pytestmark = pytest.mark.django_db

SMS = notify.Message("sms", "13800001234", "测试", "【放心消费】测试短信", "consumer", "complaint", "T1")
EMAIL = notify.Message("email", "a@example.cn", "测试", "测试邮件", "consumer", "complaint", "T1")


def test_queued_messages_wait_for_the_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with transaction.atomic():
            notify.queue([SMS, EMAIL])
        assert Notification.objects.count() == 0
    assert len(callbacks) == 1
    callbacks[0]()
    rows = Notification.objects.order_by("id")
    assert [(r.channel, r.recipient, r.status, r.attempts, r.backend) for r in rows] == [
        ("sms", "13800001234", NotificationStatus.SENT, 1, "OutboxBackend"),
        ("email", "a@example.cn", NotificationStatus.SENT, 1, "OutboxBackend")]
    assert all(r.sent_at is not None for r in rows)


def test_a_rolled_back_write_tells_nobody(django_capture_on_commit_callbacks):
    with (django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError),
          transaction.atomic()):
        notify.queue([SMS])
        raise RuntimeError("the business step failed")
    assert callbacks == [] and Notification.objects.count() == 0


def test_messages_without_a_recipient_are_dropped(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notify.queue([notify.Message("sms", "", "x", "y")])
    assert callbacks == [] and Notification.objects.count() == 0


def test_failed_send_is_kept_and_retried_until_the_limit(settings):
    settings.FANGXIN_NOTIFY_BACKENDS = {"sms": "fangxin.core.notify.FailingBackend"}
    [row] = notify.deliver_new([SMS])
    row.refresh_from_db()
    assert (row.status, row.attempts, row.backend) == (NotificationStatus.FAILED, 1, "FailingBackend")
    assert row.last_error == "ConnectionError: 短信网关不可达" and row.sent_at is None
    for attempts in range(2, notify.MAX_ATTEMPTS + 1):
        assert notify.retry_failed() == (0, 1)
        row.refresh_from_db()
        assert row.attempts == attempts
    assert notify.retry_failed() == (0, 0)  # out of attempts: left failed and visible, not retried forever
    row.refresh_from_db()
    assert row.status == NotificationStatus.FAILED and row.attempts == notify.MAX_ATTEMPTS


def test_retry_command_sends_once_the_gateway_is_back(settings):
    settings.FANGXIN_NOTIFY_BACKENDS = {"sms": "fangxin.core.notify.FailingBackend",
                                        "email": "fangxin.core.notify.OutboxBackend"}
    notify.deliver_new([SMS, EMAIL])
    assert Notification.objects.filter(status=NotificationStatus.FAILED).count() == 1
    settings.FANGXIN_NOTIFY_BACKENDS = {}
    out = StringIO()
    call_command("notify", "retry", stdout=out)
    assert out.getvalue().strip() == "重试成功 1 条，仍失败 0 条"
    assert not Notification.objects.filter(status=NotificationStatus.FAILED).exists()
    call_command("notify", "retry", stdout=out)
    assert Notification.objects.get(channel="sms").attempts == 2


def test_email_backend_uses_django_mail(settings, mailoutbox):
    settings.FANGXIN_NOTIFY_BACKENDS = {"email": "fangxin.core.notify.DjangoEmailBackend"}
    [row] = notify.deliver_new([EMAIL])
    row.refresh_from_db()
    assert row.status == NotificationStatus.SENT
    assert [(m.subject, m.to) for m in mailoutbox] == [("测试", ["a@example.cn"])]
