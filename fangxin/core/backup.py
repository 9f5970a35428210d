"""Backup and restore of the database (and optionally the uploaded files), checked against a manifest (docs/backup.md).

The archive is one .tar.gz holding `manifest.json`, the database copy and, with `with_media`, the files under
MEDIA_ROOT. The manifest records the row count of every table, the audit-chain head and every media file's sha256,
all read from the same consistent snapshot as the copy:

- SQLite: the online backup API (`sqlite3.Connection.backup`) copies the database in one read transaction while the
  server keeps running (WAL: its writers are not blocked); counts and the audit head are then read from the copy itself.
- PostgreSQL: a REPEATABLE READ transaction exports its snapshot, the counts are read in it and `pg_dump -Fc
  --snapshot` dumps exactly that state.

`restore()` refuses a database holding data unless forced, loads the copy, then checks the row counts and the audit
head against the manifest and walks the audit chain (`fangxin audit verify`).
"""

import datetime as dt
import glob
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connections

from . import audit
from .models import AuditHead

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
MEDIA_DIR = "media"
# Tables `migrate` fills by itself: a database holding only these is still "empty" for restore.
BOOKKEEPING_TABLES = frozenset({"django_migrations", "django_content_type", "auth_permission", "django_site"})


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is Chinese and shown as is (exit status 2)."""


@dataclass
class Manifest:
    engine: str
    database_file: str
    database_sha256: str
    tables: dict[str, int]
    audit_head: dict
    media: list[dict] = field(default_factory=list)
    with_media: bool = False
    created_at: str = ""
    format: int = FORMAT

    def to_json(self) -> str:
        return json.dumps(self.__dict__, ensure_ascii=False, indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "Manifest":
        data = json.loads(text)
        if data.get("format") != FORMAT:
            raise BackupError(f"备份格式 {data.get('format')!r} 不受支持（本版本读取格式 {FORMAT}）。")
        return cls(**{key: data[key] for key in cls.__dataclass_fields__ if key in data})


# --- helpers ----------------------------------------------------------------------------------------------------------

def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def media_files(root: Path | None = None) -> list[dict]:
    root = Path(root or settings.MEDIA_ROOT)
    if not root.is_dir():
        return []
    files = sorted(path for path in root.rglob("*") if path.is_file() and not path.is_symlink())
    return [{"path": path.relative_to(root).as_posix(), "size": path.stat().st_size, "sha256": _sha256_file(path)}
            for path in files]


def _db(alias: str = "default") -> dict:
    return connections[alias].settings_dict


def _engine(db: dict) -> str:
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return "sqlite"
    if db["ENGINE"] == "django.db.backends.postgresql":
        return "postgresql"
    raise BackupError(f"不支持备份此类数据库：{db['ENGINE']}")


def default_output() -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return Path(os.environ.get("FANGXIN_VAR_DIR", settings.BASE_DIR / "var")) / "backups" / f"fangxin-{stamp}.tar.gz"


def _audit_head_table() -> str:
    return AuditHead._meta.db_table


# --- SQLite -------------------------------------------------------------------------------------------------------------

def _sqlite_counts(path: Path) -> tuple[dict[str, int], dict]:
    with sqlite3.connect(path) as conn:
        tables = [row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        counts = {table: conn.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0] for table in tables}
        head = {"seq": 0, "hash": audit.GENESIS_HASH}
        if _audit_head_table() in counts:
            row = conn.execute(f'SELECT last_seq, last_hash FROM "{_audit_head_table()}" WHERE id = 1').fetchone()
            if row:
                head = {"seq": row[0], "hash": row[1]}
    return counts, head


def _sqlite_backup(db: dict, target: Path) -> None:
    source = Path(db["NAME"])
    if not source.exists():
        raise BackupError(f"数据库文件不存在：{source}")
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(target)
    try:
        # One step: a stepped backup restarts whenever another connection writes between steps and, under steady
        # writes, may never finish. In WAL mode the single read transaction does not block the server's writers.
        src.backup(dst, pages=-1)
        dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file in the archive, no -wal beside it
    finally:
        dst.close()
        src.close()


def _sqlite_restore(db: dict, copy: Path) -> None:
    connections.close_all()
    src = sqlite3.connect(copy)
    dst = sqlite3.connect(Path(db["NAME"]), timeout=30)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode = WAL")  # what the platform runs with (config/settings/env.py)
    finally:
        dst.close()
        src.close()


# --- PostgreSQL ---------------------------------------------------------------------------------------------------------

def pg_tool(name: str) -> str:
    """pg_dump / pg_restore from PATH, else the newest /usr/lib/postgresql/<version>/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                        key=lambda path: int(Path(path).parts[-3]) if Path(path).parts[-3].isdigit() else 0)
    if candidates:
        return candidates[-1]
    raise BackupError(f"找不到 {name}：请安装 PostgreSQL 客户端工具（postgresql-client）。")


def _pg_args(db: dict) -> tuple[list[str], dict]:
    args = []
    if db.get("HOST"):
        args += ["-h", str(db["HOST"])]
    if db.get("PORT"):
        args += ["-p", str(db["PORT"])]
    if db.get("USER"):
        args += ["-U", str(db["USER"])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _run(command: list[str], env: dict, what: str) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise BackupError(f"{what}失败：{detail[-1] if detail else result.returncode}")


def _pg_counts(cursor) -> tuple[dict[str, int], dict]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
    counts = {}
    for (table,) in cursor.fetchall():
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
        counts[table] = cursor.fetchone()[0]
    head = {"seq": 0, "hash": audit.GENESIS_HASH}
    if _audit_head_table() in counts:
        cursor.execute(f'SELECT last_seq, last_hash FROM "{_audit_head_table()}" WHERE id = 1')
        row = cursor.fetchone()
        if row:
            head = {"seq": row[0], "hash": row[1]}
    return counts, head


def _pg_backup(db: dict, target: Path, alias: str) -> tuple[dict[str, int], dict]:
    """Dump and count the same snapshot: the counting transaction stays open while pg_dump reads its snapshot."""
    wrapper = connections[alias]
    conn = wrapper.get_new_connection(wrapper.get_connection_params())
    try:
        with conn.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts, head = _pg_counts(cursor)
            args, env = _pg_args(db)
            _run([pg_tool("pg_dump"), *args, "-Fc", f"--snapshot={snapshot}", "-f", str(target), db["NAME"]],
                 env, "pg_dump ")
            cursor.execute("COMMIT")
    finally:
        conn.close()
    return counts, head


def _pg_restore(db: dict, copy: Path) -> None:
    connections.close_all()
    args, env = _pg_args(db)
    _run([pg_tool("pg_restore"), *args, "--clean", "--if-exists", "--no-owner", "--single-transaction",
          "--exit-on-error", "-d", db["NAME"], str(copy)], env, "pg_restore ")


# --- the two operations -------------------------------------------------------------------------------------------------

def current_counts(alias: str = "default") -> tuple[dict[str, int], dict]:
    """Row counts of every table and the audit head of a live database."""
    db = _db(alias)
    if _engine(db) == "postgresql":
        with connections[alias].cursor() as cursor:
            return _pg_counts(cursor)
    return _sqlite_counts(Path(db["NAME"]))  # its own connection: committed data, as a restore leaves it


def backup(output: Path | None = None, *, with_media: bool = False, alias: str = "default") -> tuple[Path, Manifest]:
    db = _db(alias)
    engine = _engine(db)
    output = Path(output or default_output())
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="fangxin-backup-") as work:
        copy = Path(work) / (SQLITE_FILE if engine == "sqlite" else PG_FILE)
        if engine == "sqlite":
            _sqlite_backup(db, copy)
            counts, head = _sqlite_counts(copy)
        else:
            counts, head = _pg_backup(db, copy, alias)
        media = media_files()
        manifest = Manifest(engine=engine, database_file=copy.name, database_sha256=_sha256_file(copy),
                            tables=counts, audit_head=head, media=media, with_media=with_media,
                            created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
        partial = output.with_name(output.name + ".partial")  # a crash never leaves a half archive under the name
        with tarfile.open(partial, "w:gz") as archive:
            _add_bytes(archive, MANIFEST, manifest.to_json().encode("utf-8"))
            archive.add(copy, arcname=copy.name)
            if with_media:
                root = Path(settings.MEDIA_ROOT)
                for item in media:
                    archive.add(root / item["path"], arcname=f"{MEDIA_DIR}/{item['path']}")
        partial.replace(output)
    return output, manifest


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(dt.datetime.now().timestamp())
    archive.addfile(info, io.BytesIO(data))


def read_manifest(path: Path) -> Manifest:
    try:
        with tarfile.open(path, "r:*") as archive:
            member = archive.extractfile(MANIFEST)
            if member is None:
                raise KeyError(MANIFEST)
            return Manifest.from_json(member.read().decode("utf-8"))
    except FileNotFoundError:
        raise BackupError(f"备份文件不存在：{path}") from None
    except (tarfile.TarError, KeyError, OSError, ValueError, TypeError):
        raise BackupError(f"{path} 不是有效的放心消费平台备份文件（缺少或无法读取 manifest.json）。") from None


def is_empty(alias: str = "default") -> bool:
    db = _db(alias)
    if _engine(db) == "sqlite" and not Path(db["NAME"]).exists():
        return True
    counts, _ = current_counts(alias)
    return not any(count for table, count in counts.items() if table not in BOOKKEEPING_TABLES)


@dataclass
class RestoreReport:
    manifest: Manifest
    tables: int
    rows: int
    media_restored: int
    audit_message: str


def restore(path: Path, *, force: bool = False, alias: str = "default") -> RestoreReport:
    path = Path(path)
    manifest = read_manifest(path)
    db = _db(alias)
    engine = _engine(db)
    if manifest.engine != engine:
        raise BackupError(f"备份来自 {manifest.engine} 数据库，当前配置的是 {engine}：不能直接恢复。")
    if not force and not is_empty(alias):
        raise BackupError("目标数据库中已有数据：恢复会覆盖全部现有数据。确认无误后请加 --force 重新执行。")
    with tempfile.TemporaryDirectory(prefix="fangxin-restore-") as work:
        with tarfile.open(path, "r:*") as archive:
            archive.extractall(work, filter="data")  # the data filter refuses absolute paths, "..", links out
        copy = Path(work) / manifest.database_file
        if not copy.is_file() or _sha256_file(copy) != manifest.database_sha256:
            raise BackupError("备份中的数据库文件缺失或已损坏（sha256 与清单不符），未做任何恢复。")
        if engine == "sqlite":
            _sqlite_restore(db, copy)
        else:
            _pg_restore(db, copy)
        restored_media = _restore_media(Path(work) / MEDIA_DIR, manifest) if manifest.with_media else 0
    return _check_restored(manifest, alias, restored_media)


def _restore_media(source: Path, manifest: Manifest) -> int:
    root = Path(settings.MEDIA_ROOT)
    for item in manifest.media:
        src = source / item["path"]
        if not src.is_file() or _sha256_file(src) != item["sha256"]:
            raise BackupError(f"备份中的文件 {item['path']} 缺失或已损坏（sha256 与清单不符）。")
        dst = root / item["path"]
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dst)
    return len(manifest.media)


def _check_restored(manifest: Manifest, alias: str, restored_media: int) -> RestoreReport:
    connections.close_all()
    counts, head = current_counts(alias)
    differences = [f"{table}：清单 {expected} 行，恢复后 {counts.get(table)} 行"
                   for table, expected in sorted(manifest.tables.items()) if counts.get(table) != expected]
    if differences:
        raise BackupError("恢复后的行数与备份清单不符：" + "；".join(differences[:10]))
    if head != manifest.audit_head:
        raise BackupError(f"恢复后的审计链头（第 {head['seq']} 条）与备份清单（第 {manifest.audit_head['seq']} 条）不符。")
    result = audit.verify() if alias == "default" else None
    if result is not None and not result.ok:
        raise BackupError("恢复后审计链校验失败：" + result.message())
    return RestoreReport(manifest, len(counts), sum(counts.values()), restored_media,
                         result.message() if result else "")
