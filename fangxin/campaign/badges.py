"""Badge tokens (DESIGN 5.4): `b64url(payload) "." b64url(Ed25519 signature of payload)`.

The payload is compact JSON, e.g. {"v":1,"kid":"2026a","s":"FX150802-000123","u":"<uscc>","k":"enrollment",
"i":"2026-03-15","r":1}; "r" is the badge revision, so a re-issued badge makes the old one expired.
"""

import json
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlparse

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from .badge_keys import Keyring, b64url, b64url_decode

MAX_TOKEN_LENGTH = 600


class BadToken(ValueError):
    """The token is malformed or its signature does not verify: treat the badge as counterfeit."""


@dataclass(frozen=True)
class BadgeClaims:
    kid: str
    serial: str
    uscc: str
    kind: str
    issued_on: str
    revision: int


def sign(keyring: Keyring, *, serial: str, uscc: str, issued_on: date, revision: int) -> tuple[str, str]:
    kid, key = keyring.signing_key()
    payload = {"v": 1, "kid": kid, "s": serial, "u": uscc, "k": "enrollment", "i": issued_on.isoformat(),
               "r": revision}
    raw = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return f"{b64url(raw)}.{b64url(key.sign(raw))}", kid


def extract_token(token_or_url: str) -> str:
    """Accept the bare token or the scanned URL `<site>/v/<token>` (with or without a trailing slash)."""
    text = (token_or_url or "").strip()
    if "://" in text:
        path = urlparse(text).path
        text = path.rsplit("/v/", 1)[-1] if "/v/" in path else path
    return text.strip("/")


def verify(token: str, public_keys: dict[str, Ed25519PublicKey]) -> BadgeClaims:
    token = extract_token(token)
    if not token or len(token) > MAX_TOKEN_LENGTH or token.count(".") != 1:
        raise BadToken("令牌格式不正确")
    encoded_payload, encoded_signature = token.split(".")
    try:
        raw, signature = b64url_decode(encoded_payload), b64url_decode(encoded_signature)
        payload = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise BadToken("令牌无法解码") from None
    if b64url(raw) != encoded_payload or b64url(signature) != encoded_signature:
        # Non-canonical base64 (changed unused low bits) would decode to the same bytes; a genuine badge is
        # always canonical, so any changed character is refused.
        raise BadToken("令牌编码不规范")
    if not isinstance(payload, dict) or payload.get("v") != 1:
        raise BadToken("令牌版本不正确")
    key = public_keys.get(str(payload.get("kid")))
    if key is None:
        raise BadToken("签名密钥未知")
    try:
        key.verify(signature, raw)
    except InvalidSignature:
        raise BadToken("签名不符") from None
    try:
        return BadgeClaims(kid=payload["kid"], serial=str(payload["s"]), uscc=str(payload["u"]), kind=str(payload["k"]),
                           issued_on=str(payload["i"]), revision=int(payload.get("r", 1)))
    except (KeyError, TypeError, ValueError):
        raise BadToken("令牌内容不完整") from None
