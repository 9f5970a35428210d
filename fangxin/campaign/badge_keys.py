"""Ed25519 keys that sign badge tokens (DESIGN 5.4).

Keys live in a 0600 JSON file under var/ (made on first use), or come from the environment
(FANGXIN_BADGE_KEYS: the same JSON). Every key keeps verifying after a rotation; only the active one signs.
    {"active": "2026a", "keys": [{"kid": "2026a", "private": "<base64url of the 32-byte seed>", "created": "…"}]}
"""

import base64
import json
import os
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

_lock = threading.Lock()
_cache: dict = {}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class Keyring:
    active: str
    private: dict[str, Ed25519PrivateKey]

    @property
    def public(self) -> dict[str, Ed25519PublicKey]:
        return {kid: key.public_key() for kid, key in self.private.items()}

    def signing_key(self) -> tuple[str, Ed25519PrivateKey]:
        return self.active, self.private[self.active]

    def published(self) -> dict:
        """The document served at /.well-known/fangxin-badge-keys.json."""
        return {
            "algorithm": "Ed25519",
            "active": self.active,
            "keys": [{"kid": kid, "alg": "Ed25519", "public_key": b64url(raw_public(key))}
                     for kid, key in sorted(self.public.items())],
        }


def raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def raw_private(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())


def keys_path() -> Path:
    return Path(os.environ.get("FANGXIN_BADGE_KEYS_FILE", settings.FANGXIN_VAR_DIR / "badge-keys.json"))


def load_keyring() -> Keyring:
    """The keyring, made on first use; re-read when the file changes (after a rotation)."""
    raw_env = os.environ.get("FANGXIN_BADGE_KEYS", "").strip()
    if raw_env:
        return _parse(raw_env, "环境变量 FANGXIN_BADGE_KEYS")
    path = keys_path()
    with _lock:
        if not path.exists():
            _write(path, {"active": None, "keys": []})
            _add_key(path)
        stamp = path.stat().st_mtime_ns
        if _cache.get("stamp") != (path, stamp):
            _cache["keyring"] = _parse(path.read_text(encoding="utf-8"), str(path))
            _cache["stamp"] = (path, stamp)
        return _cache["keyring"]


def rotate() -> str:
    """Make a new signing key; the old ones keep verifying. Returns the new key id."""
    if os.environ.get("FANGXIN_BADGE_KEYS"):
        raise ImproperlyConfigured("密钥来自环境变量 FANGXIN_BADGE_KEYS：请在环境中轮换。")
    load_keyring()
    with _lock:
        return _add_key(keys_path())


def _add_key(path: Path) -> str:
    data = json.loads(path.read_text(encoding="utf-8"))
    used = {entry["kid"] for entry in data["keys"]}
    year = date.today().year
    kid = next(f"{year}{letter}" for letter in "abcdefghijklmnopqrstuvwxyz" if f"{year}{letter}" not in used)
    data["keys"].append({"kid": kid, "private": b64url(raw_private(Ed25519PrivateKey.generate())),
                         "created": date.today().isoformat()})
    data["active"] = kid
    _write(path, data)
    return kid


def _write(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, ensure_ascii=False, indent=1)
    os.replace(temporary, path)  # atomic: a reader never sees half a file


def _parse(text: str, source: str) -> Keyring:
    try:
        data = json.loads(text)
        keys = {entry["kid"]: Ed25519PrivateKey.from_private_bytes(b64url_decode(entry["private"]))
                for entry in data["keys"]}
        if data["active"] not in keys:
            raise KeyError("active")
    except (ValueError, KeyError, TypeError) as exc:
        raise ImproperlyConfigured(f"标志签名密钥无效（{source}）：{exc}") from None
    return Keyring(active=data["active"], private=keys)


def public_keys_from_document(document: dict) -> dict[str, Ed25519PublicKey]:
    """Public keys from a published keys document (for offline verification with --keys FILE)."""
    return {entry["kid"]: Ed25519PublicKey.from_public_bytes(b64url_decode(entry["public_key"]))
            for entry in document["keys"]}
