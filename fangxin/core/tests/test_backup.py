"""Backup → restore into a fresh database → same rows per table, same audit head, `fangxin audit verify` passes.

The commands run as `fangxin` subprocesses against the test database (committed data: transactional tests), the way
an operator runs them, on whichever database the suite runs on (SQLite file or PostgreSQL)."""

import io
import os
import sqlite3
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction

from fangxin.core import audit, backup
from fangxin.core.actors import Actor
from fangxin.core.models import AuditRecord

pytestmark = pytest.mark.django_db(transaction=True)
IS_PG = connection.vendor == "postgresql"


def db_url(name: str) -> str:
    if not IS_PG:
        return f"sqlite:///{name}"
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def fangxin(*args: str, url: str, var: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url, "FANGXIN_VAR_DIR": str(var), "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    return subprocess.run([sys.executable, "-m", "config.manage", *args], cwd=settings.BASE_DIR, env=env,
                          capture_output=True, text=True, timeout=600, check=False)


@pytest.fixture
def fresh_target(tmp_path):
    """An empty database to restore into (on PostgreSQL our own, dropped afterwards)."""
    if not IS_PG:
        yield str(tmp_path / "restored.sqlite3")
        return
    name = f"fx_d_restore_{uuid.uuid4().hex[:10]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield name
    connection.close()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def target_counts(target: str) -> tuple[dict, dict]:
    if not IS_PG:
        return backup._sqlite_counts(Path(target))
    import psycopg

    db = connection.settings_dict
    with psycopg.connect(host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"],
                         password=db.get("PASSWORD") or None, dbname=target) as conn, conn.cursor() as cursor:
        return backup._pg_counts(cursor)


def some_history(n: int = 5) -> None:
    for i in range(n):
        with transaction.atomic():
            audit.record(actor=Actor.system("backup-test"), action="test.backup", object_type="test",
                         object_id=str(i), changes={"n": [None, i], "text": [None, "中文内容"]})


@pytest.fixture
def source_media(tmp_path):
    media = tmp_path / "src" / "media" / "complaints" / "2026"
    media.mkdir(parents=True)
    (media / "a1b2.png").write_bytes(b"\x89PNG fake bytes for the archive only")
    (media / "c3d4.pdf").write_bytes(b"%PDF-1.4 archive test")
    return tmp_path / "src"


def test_round_trip_keeps_rows_audit_head_and_media(users, tmp_path, fresh_target, source_media):
    some_history()
    source_counts, source_head = backup.current_counts()
    assert source_head["seq"] >= 5 and sum(source_counts.values()) > 0
    archive = tmp_path / "b" / "fangxin.tar.gz"

    made = fangxin("backup", "--output", str(archive), "--with-media",
                   url=db_url(connection.settings_dict["NAME"]), var=source_media)
    assert made.returncode == 0, made.stderr
    assert "备份完成" in made.stdout and archive.is_file()
    manifest = backup.read_manifest(archive)
    assert manifest.tables == source_counts and manifest.audit_head == source_head
    assert sorted(item["path"] for item in manifest.media) == ["complaints/2026/a1b2.png", "complaints/2026/c3d4.pdf"]

    target_var = tmp_path / "dst"
    restored = fangxin("restore", str(archive), url=db_url(fresh_target), var=target_var)
    assert restored.returncode == 0, restored.stderr
    assert "恢复完成" in restored.stdout and "审计链完整" in restored.stdout
    counts, head = target_counts(fresh_target)
    assert counts == source_counts and head == source_head
    assert (target_var / "media/complaints/2026/c3d4.pdf").read_bytes() == b"%PDF-1.4 archive test"

    verified = fangxin("audit", "verify", url=db_url(fresh_target), var=target_var)
    assert verified.returncode == 0 and f"共 {source_head['seq']} 条记录" in verified.stdout

    again = fangxin("restore", str(archive), url=db_url(fresh_target), var=target_var)
    assert again.returncode == 2 and "已有数据" in again.stderr and "--force" in again.stderr
    forced = fangxin("restore", str(archive), "--force", url=db_url(fresh_target), var=target_var)
    assert forced.returncode == 0, forced.stderr
    assert target_counts(fresh_target) == (source_counts, source_head)


def test_restore_runs_audit_verify_on_the_copy(users, tmp_path, fresh_target):
    """A backup of a database whose audit chain was edited behind its back restores the rows but fails (exit 2)."""
    some_history(3)
    tampered = AuditRecord.objects.order_by("seq").last()
    AuditRecord.objects.filter(pk=tampered.pk).update(object_repr="改过的记录")  # bypasses record(): hash mismatch
    archive = tmp_path / "t.tar.gz"
    assert fangxin("backup", "-o", str(archive), url=db_url(connection.settings_dict["NAME"]),
                   var=tmp_path / "v").returncode == 0
    restored = fangxin("restore", str(archive), url=db_url(fresh_target), var=tmp_path / "v2")
    assert restored.returncode == 2
    assert "审计链校验失败" in restored.stderr and f"第 {tampered.seq} 条" in restored.stderr


def test_a_damaged_or_foreign_archive_is_refused(tmp_path, fresh_target, db):
    not_a_backup = tmp_path / "x.tar.gz"
    not_a_backup.write_bytes(b"this is not an archive")
    result = fangxin("restore", str(not_a_backup), url=db_url(fresh_target), var=tmp_path)
    assert result.returncode == 2 and "不是有效的放心消费平台备份文件" in result.stderr
    missing = fangxin("restore", str(tmp_path / "nope.tar.gz"), url=db_url(fresh_target), var=tmp_path)
    assert missing.returncode == 2 and "备份文件不存在" in missing.stderr


def test_a_database_copy_that_does_not_match_its_manifest_is_not_restored(tmp_path, fresh_target, db):
    archive, manifest = backup.backup(tmp_path / "ok.tar.gz")
    broken = tmp_path / "broken.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(broken, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == manifest.database_file:
                middle = len(data) // 2
                data = data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1:]
            member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    result = fangxin("restore", str(broken), url=db_url(fresh_target), var=tmp_path)
    assert result.returncode == 2 and "sha256 与清单不符" in result.stderr
    if not IS_PG:
        assert not Path(fresh_target).exists() or not sqlite3.connect(fresh_target).execute(
            "SELECT name FROM sqlite_master").fetchall()
