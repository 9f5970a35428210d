"""Settings for privacy (star-imported at the end of base.py). Values that differ per deployment come from the environment.

FANGXIN_DATA_KEYS: comma-separated base64 keys of 32 bytes for personal data at rest (fangxin.core.crypto); the
first seals, all of them unseal (rotation: put the new key first, run `fangxin keys rotate`, then drop the old one).
FANGXIN_DATA_HASH_KEY: the HMAC key of the blind indexes (exact lookups without plaintext); never rotated lightly,
because every index would have to be recomputed.
Outside production a key of each kind is made once under var/ (like the secret key); production refuses to start
without them, because a key made on the server's disk would sit next to the data it protects.
"""

import base64
import os
import secrets

from .env import ConfigError, key_file

_PRODUCTION = os.environ.get("DJANGO_SETTINGS_MODULE", "") == "config.settings.production"


def _check_key(raw: str, name: str) -> str:
    try:
        key = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
    except ValueError:
        key = b""
    if len(key) != 32:
        raise ConfigError(f"{name} 中的密钥无效：每个密钥应为 32 字节随机数的 base64 编码（可用 `fangxin keys generate` 生成）。")
    return raw


def _key_file(name: str) -> str:
    return key_file(name, lambda: base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())


def data_keys(production: bool) -> list[str]:
    raw = [item.strip() for item in os.environ.get("FANGXIN_DATA_KEYS", "").split(",") if item.strip()]
    if raw:
        return [_check_key(item, "FANGXIN_DATA_KEYS") for item in raw]
    if production:
        raise ConfigError("生产模式缺少 FANGXIN_DATA_KEYS 与 FANGXIN_DATA_HASH_KEY：个人信息加密密钥必须由环境变量提供。")
    return [_key_file("data_key")]


def data_hash_key(production: bool) -> str:
    raw = os.environ.get("FANGXIN_DATA_HASH_KEY", "").strip()
    if raw:
        return _check_key(raw, "FANGXIN_DATA_HASH_KEY")
    if production:
        raise ConfigError("生产模式缺少 FANGXIN_DATA_HASH_KEY 与 FANGXIN_DATA_KEYS：个人信息加密密钥必须由环境变量提供。")
    return _key_file("data_hash_key")


FANGXIN_DATA_KEYS = data_keys(_PRODUCTION)
FANGXIN_DATA_HASH_KEY = data_hash_key(_PRODUCTION)
# Complaints closed more than this many years ago lose their personal data (`fangxin retention apply`).
def retention_years() -> int:
    raw = os.environ.get("FANGXIN_RETENTION_YEARS", "").strip() or "3"
    if not raw.isdigit() or int(raw) < 1:
        raise ConfigError(f"环境变量 FANGXIN_RETENTION_YEARS 的值 {raw!r} 无效：请填写不小于 1 的整数年数。")
    return int(raw)


FANGXIN_RETENTION_YEARS = retention_years()
