"""Personal data at rest: authenticated encryption of short strings, and keyed hashes for exact lookups.

Token format (ASCII, so it fits a text column on SQLite and PostgreSQL):

    fx1.<key id>.<base64url(nonce 12 bytes + AES-256-GCM ciphertext and tag)>

`fx1` is the format version. The key id is derived from the key itself (first 8 hex digits of an HMAC), so no
registry of ids is needed and `fangxin keys status` can count values per key. The header is bound to the
ciphertext as associated data: changing the key id or version breaks authentication instead of silently reading.
Keys come from settings.FANGXIN_DATA_KEYS (first = current, the others still readable) and the blind-index key
from settings.FANGXIN_DATA_HASH_KEY (config/settings/privacy.py).

Public API, used by model fields and services: seal, unseal, blind_index; key_id_of / current_key_id for rotation.
"""

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

VERSION = "fx1"
PREFIX = VERSION + "."
NONCE_BYTES = 12


class SealError(ValueError):
    """A stored value cannot be read: unknown key id (the key was removed), tampered or not a sealed token."""


def _decode_key(raw: str) -> bytes:
    return base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))


def _key_id(key: bytes) -> str:
    return hmac.new(key, b"fangxin key id", hashlib.sha256).hexdigest()[:8]


def _keyring() -> tuple[str, dict[str, AESGCM]]:
    """(current key id, {key id: cipher}) from settings (cached per key list, so overriding it in a test works)."""
    return _keyring_for(tuple(settings.FANGXIN_DATA_KEYS))


@lru_cache(maxsize=4)
def _keyring_for(raw_keys: tuple[str, ...]) -> tuple[str, dict[str, AESGCM]]:
    keys = [_decode_key(raw) for raw in raw_keys]
    if not keys:
        raise SealError("没有配置个人信息加密密钥（FANGXIN_DATA_KEYS）。")
    ring = {}
    for key in keys:
        ring.setdefault(_key_id(key), AESGCM(key))
    return _key_id(keys[0]), ring


def _hash_key() -> bytes:
    return _decode_key(settings.FANGXIN_DATA_HASH_KEY)


def current_key_id() -> str:
    return _keyring()[0]


def key_ids() -> list[str]:
    return list(_keyring()[1])


def is_sealed(value) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def key_id_of(token: str) -> str:
    """The key id a token was sealed with ("" for an empty value); SealError if it is not a token."""
    if token == "":
        return ""
    if not is_sealed(token) or token.count(".") != 2:
        raise SealError("不是加密后的个人信息（格式不符）。")
    return token.split(".", 2)[1]


def seal(text: str) -> str:
    """Encrypt with the current key; "" stays "" (an empty optional field reveals nothing worth hiding)."""
    if text is None:
        raise TypeError("seal() needs a str, not None")
    text = str(text)
    if text == "":
        return ""
    kid, ring = _keyring()
    header = f"{PREFIX}{kid}."
    nonce = os.urandom(NONCE_BYTES)
    body = ring[kid].encrypt(nonce, text.encode("utf-8"), header.encode("ascii"))
    return header + base64.urlsafe_b64encode(nonce + body).decode("ascii").rstrip("=")


def unseal(token: str) -> str:
    """Decrypt a token; SealError with a Chinese message when the key is gone or the value was altered."""
    kid = key_id_of(token)
    if kid == "":
        return ""
    ring = _keyring()[1]
    cipher = ring.get(kid)
    if cipher is None:
        raise SealError(f"无法解密：密钥 {kid} 不在 FANGXIN_DATA_KEYS 中（可能已被移除，请恢复该密钥后再运行 keys rotate）。")
    raw = token.split(".", 2)[2]
    try:
        blob = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
        text = cipher.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], f"{PREFIX}{kid}.".encode("ascii"))
    except (InvalidTag, ValueError):
        raise SealError(f"无法解密：密文已损坏或被篡改（密钥 {kid}）。") from None
    return text.decode("utf-8")


def reseal(token: str) -> str:
    """The same value under the current key (unchanged when it already uses it)."""
    if token == "" or key_id_of(token) == current_key_id():
        return token
    return seal(unseal(token))


def blind_index(value: str, purpose: str) -> str:
    """A keyed hash (HMAC-SHA256, hex) for exact lookups: equal inputs match, the value cannot be guessed from it
    without the key. `purpose` separates uses, so a phone index cannot be joined with another table's index.
    "" stays "" (nothing to look up)."""
    value = (value or "").strip()
    if not value:
        return ""
    message = f"{purpose}\x00{value}".encode()
    return hmac.new(_hash_key(), message, hashlib.sha256).hexdigest()


def generate_key() -> str:
    """A new random key in the format FANGXIN_DATA_KEYS and FANGXIN_DATA_HASH_KEY expect."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode("ascii")
