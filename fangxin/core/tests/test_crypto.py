"""core.crypto and the sealed fields: round trip, tampering, key ids and rotation, blind indexes, the settings."""

import os
import subprocess
import sys

import pytest
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.test import override_settings
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from fangxin.core import crypto, sealing
from fangxin.core.models import Notification

OLD, NEW = crypto.generate_key(), crypto.generate_key()


@given(st.text(max_size=300))
@hsettings(max_examples=200, deadline=None)
def test_seal_unseal_round_trip(text):
    token = crypto.seal(text)
    assert crypto.unseal(token) == text
    if text:
        assert token.startswith(f"fx1.{crypto.current_key_id()}.") and token.isascii()


def test_empty_stays_empty_and_equal_values_give_different_tokens():
    assert crypto.seal("") == "" and crypto.unseal("") == ""
    assert crypto.seal("13800001234") != crypto.seal("13800001234")


@pytest.mark.parametrize("mangle", [
    lambda t: t[:-2] + ("AA" if t[-2:] != "AA" else "BB"),         # ciphertext or tag altered
    lambda t: t.replace(".", ".0", 1).replace(".0", ".", 1)[:-1],  # truncated
])
def test_a_tampered_token_fails_clearly(mangle):
    with pytest.raises(crypto.SealError, match="损坏或被篡改"):
        crypto.unseal(mangle(crypto.seal("张三")))


def test_plaintext_is_not_accepted_as_a_token():
    with pytest.raises(crypto.SealError, match="格式不符"):
        crypto.unseal("13800001234")


def test_the_key_id_is_bound_to_the_ciphertext():
    with override_settings(FANGXIN_DATA_KEYS=[NEW, OLD]):
        token = crypto.seal("张三")
        new_id = crypto.current_key_id()
    with override_settings(FANGXIN_DATA_KEYS=[OLD, NEW]):
        old_id = crypto.current_key_id()
        # relabelled as sealed with the other key: decryption must fail, not return garbage
        with pytest.raises(crypto.SealError):
            crypto.unseal(token.replace(new_id, old_id, 1))
        assert crypto.unseal(token) == "张三"  # the non-current key still reads


def test_a_value_sealed_with_a_removed_key_names_the_key():
    with override_settings(FANGXIN_DATA_KEYS=[OLD]):
        token, old_id = crypto.seal("张三"), crypto.current_key_id()
    with override_settings(FANGXIN_DATA_KEYS=[NEW]), pytest.raises(crypto.SealError, match=f"密钥 {old_id} 不在"):
        crypto.unseal(token)


def test_blind_index_is_keyed_deterministic_and_separated_by_purpose():
    assert crypto.blind_index("13800001234", "phone") == crypto.blind_index(" 13800001234 ", "phone")
    assert crypto.blind_index("13800001234", "phone") != crypto.blind_index("13800001234", "other")
    assert crypto.blind_index("", "phone") == ""
    with override_settings(FANGXIN_DATA_HASH_KEY=NEW):  # another key, another index: not guessable without it
        keyed = crypto.blind_index("13800001234", "phone")
    assert keyed != crypto.blind_index("13800001234", "phone")


@pytest.mark.django_db
def test_sealed_fields_refuse_searches_they_cannot_answer_and_match_through_the_index():
    Notification.objects.create(channel="sms", recipient="13911112222", subject="s", body="b")
    with pytest.raises(FieldError, match="加密字段"):
        list(Notification.objects.filter(recipient__icontains="1391"))
    with pytest.raises(FieldError, match="加密字段"):
        list(Notification.objects.filter(recipient__in=["13911112222"]))
    assert Notification.objects.filter(recipient="13911112222").count() == 1
    assert Notification.objects.filter(recipient="13911113333").count() == 0
    raw = _raw("core_notification", "recipient")
    assert raw and all(v.startswith("fx1.") and "13911112222" not in v for v in raw)


def _raw(table, column):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {connection.ops.quote_name(column)} FROM {connection.ops.quote_name(table)}")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db(transaction=True)
def test_rotate_re_encrypts_everything_and_status_counts_per_key(capsys):
    with override_settings(FANGXIN_DATA_KEYS=[OLD]):
        old_id = crypto.current_key_id()
        Notification.objects.create(channel="sms", recipient="13911112222", subject="s", body="b")
        Notification.objects.create(channel="email", recipient="a@example.cn", subject="s", body="b")
    with override_settings(FANGXIN_DATA_KEYS=[NEW, OLD]):
        new_id = crypto.current_key_id()
        assert sorted(Notification.objects.values_list("recipient", flat=True)) == ["13911112222", "a@example.cn"]
        assert sealing.count_by_key()["core_notification.recipient"] == {old_id: 2}
        call_command("keys", "rotate", "--batch", "1")
        assert sealing.count_by_key()["core_notification.recipient"] == {new_id: 2}
        call_command("keys", "status")
        assert f"core_notification.recipient：{new_id}：2" in capsys.readouterr().out
        call_command("keys", "rotate")  # resumable: a second run has nothing left to do
        from fangxin.core.models import AuditRecord

        assert AuditRecord.objects.filter(action="core.keys_rotate").count() == 2
    with override_settings(FANGXIN_DATA_KEYS=[NEW]):  # the old key is gone and nothing needs it
        assert Notification.objects.filter(recipient="13911112222").count() == 1
        assert sorted(Notification.objects.values_list("recipient", flat=True)) == ["13911112222", "a@example.cn"]
    from fangxin.core import audit

    assert audit.verify().ok


def _settings_import(env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("FANGXIN_DATA") and k != "DJANGO_SETTINGS_MODULE"}
    clean.update({"FANGXIN_SECRET_KEY": "x" * 50, "DJANGO_SETTINGS_MODULE": "config.settings.production",
                  "FANGXIN_ALLOWED_HOSTS": "fangxin.example.cn"}, **env)
    return subprocess.run([sys.executable, "-c", "import config.settings.production"], env=clean,
                          capture_output=True, text=True, cwd=os.getcwd(), timeout=60)


def test_production_refuses_to_start_without_keys():
    result = _settings_import({})
    assert result.returncode != 0 and "生产模式缺少 FANGXIN_DATA_KEYS" in result.stderr
    result = _settings_import({"FANGXIN_DATA_KEYS": "too-short"})
    assert result.returncode != 0 and "FANGXIN_DATA_KEYS 中的密钥无效" in result.stderr
    result = _settings_import({"FANGXIN_DATA_KEYS": f"{NEW},{OLD}", "FANGXIN_DATA_HASH_KEY": OLD})
    assert result.returncode == 0, result.stderr


@pytest.mark.django_db
def test_the_migration_helpers_seal_plaintext_rows_in_batches_and_back(monkeypatch):
    """What the 0004 migrations run: plaintext rows (as before the migration) sealed batch by batch, the blind
    index filled, idempotent, and the reverse restoring the plain values."""
    from types import SimpleNamespace

    from django.db import connection

    phones = ["13911110001", "13911110002", "", "a@example.cn", "13911110005"]
    rows = [Notification.objects.create(channel="sms", recipient=p or "", subject="s", body="b") for p in phones]
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:  # back to what a pre-migration database holds
        for row, phone in zip(rows, phones, strict=True):
            cursor.execute(f"UPDATE {qn('core_notification')} SET {qn('recipient')} = %s, "
                           f"{qn('recipient_index')} = '' WHERE id = %s", [phone, row.pk])
    monkeypatch.setattr(sealing, "BATCH", 2)
    index = ("recipient_index", "recipient", "notification_recipient")
    forward, backward = sealing.migration("core_notification", ["recipient"], index=index)
    editor = SimpleNamespace(connection=connection)
    forward(None, editor)
    raw = _raw("core_notification", "recipient")
    assert sum(v.startswith("fx1.") for v in raw) == 4 and "" in raw and not any("1391111" in v for v in raw)
    assert [n.recipient for n in Notification.objects.order_by("id")] == phones
    assert Notification.objects.filter(recipient="13911110005").get().pk == rows[-1].pk
    sealed = sorted(_raw("core_notification", "recipient"))
    forward(None, editor)  # idempotent: tokens are not sealed twice
    assert sorted(_raw("core_notification", "recipient")) == sealed
    backward(None, editor)
    assert sorted(_raw("core_notification", "recipient")) == sorted(phones)
