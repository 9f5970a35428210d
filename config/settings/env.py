"""Reading settings from the environment, failing with one clear line (never a traceback)."""

import contextlib
import os
import secrets
import tempfile
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("FANGXIN_VAR_DIR", BASE_DIR / "var"))


class ConfigError(ImproperlyConfigured):
    """A setting is missing or wrong; `fangxin` prints the message alone and exits 2."""


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"环境变量 {name} 的值 {raw!r} 无效：请使用 1/0、true/false。")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if not raw:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def database_from_env(default_sqlite: Path) -> dict:
    """DATABASE_URL switches to PostgreSQL; the embedded default is SQLite in WAL mode under var/."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return sqlite_database(default_sqlite)
    import dj_database_url

    try:
        config = dj_database_url.parse(url, conn_health_checks=True)
    except Exception as exc:  # dj-database-url raises several types for malformed URLs
        raise ConfigError(f"DATABASE_URL 无效（{exc}）：示例 postgres://postgres@127.0.0.1:5432/fangxin") from None
    engine = config.get("ENGINE", "")
    if engine == "django.db.backends.sqlite3":
        return sqlite_database(Path(config["NAME"]))
    if engine != "django.db.backends.postgresql":
        raise ConfigError(f"DATABASE_URL 指向不受支持的数据库（{engine or url}）：仅支持 PostgreSQL 与 SQLite。")
    if not config.get("NAME"):
        raise ConfigError("DATABASE_URL 缺少数据库名：示例 postgres://postgres@127.0.0.1:5432/fangxin")
    config["TEST"] = {"NAME": f"test_{config['NAME']}"}
    return config


def sqlite_database(path: Path) -> dict:
    path.parent.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            # IMMEDIATE: every transaction takes the write lock at BEGIN, so two writers queue on
            # busy_timeout instead of deadlocking on a read-to-write upgrade ("database is locked").
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        },
    }


def key_file(name: str, make) -> str:
    """A key made once under var/ (mode 0600). Written to a temporary file and linked into place, so a process
    starting at the same moment sees the whole key or no file — never an empty one — and all agree on one key."""
    path = VAR_DIR / name
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=VAR_DIR, prefix=f".{name}.")  # created with mode 0600
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(make())
            with contextlib.suppress(FileExistsError):  # another process made it first: theirs is the key
                os.link(temporary, path)
        finally:
            os.unlink(temporary)
    return path.read_text().strip()


def secret_key(production: bool) -> str:
    """Production must be given FANGXIN_SECRET_KEY; elsewhere a key is made once and kept in var/."""
    key = os.environ.get("FANGXIN_SECRET_KEY", "").strip()
    if key:
        if production and len(key) < 40:
            raise ConfigError("FANGXIN_SECRET_KEY 太短：生产环境至少需要 40 个字符的随机字符串。")
        return key
    if production:
        raise ConfigError("生产模式缺少 FANGXIN_SECRET_KEY：请设置至少 40 个字符的随机字符串。")
    return key_file("secret_key", lambda: secrets.token_urlsafe(50))
