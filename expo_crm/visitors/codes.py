"""Badge QR codes: opaque, versioned, 256 random bits, no personal data (docs/contracts.md).

The database keeps the SHA-256 of a code (unique index: the gate looks codes up by it) and
the code sealed with a key derived from the app secret, so staff can re-send or reprint a
badge and export codes for print vendors. The seal is encrypt-then-MAC built from
HMAC-SHA256 (a keystream in counter mode and a tag), because the standard library has no
cipher and nothing else is installed. Without the secret key a sealed code is useless;
rotating the secret makes old seals unreadable (reissue the badges then).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

from flask import current_app

VERSION = "EC1."
# token_urlsafe(32) gives 43 characters of the URL-safe alphabet.
CODE_PATTERN = re.compile(r"EC1\.[A-Za-z0-9_-]{43}")


def new_code() -> str:
    return VERSION + secrets.token_urlsafe(32)


def is_well_formed(code: str) -> bool:
    return isinstance(code, str) and CODE_PATTERN.fullmatch(code) is not None


def code_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _keys(secret: str | None = None) -> tuple[bytes, bytes]:
    root = (secret or current_app.config["SECRET_KEY"]).encode()
    return (
        hmac.new(root, b"expo-crm badge code encryption v1", hashlib.sha256).digest(),
        hmac.new(root, b"expo-crm badge code authentication v1", hashlib.sha256).digest(),
    )


def _keystream(key: bytes, nonce: bytes, length: int) -> bytes:
    blocks = []
    for counter in range((length + 31) // 32):
        blocks.append(hmac.new(key, nonce + counter.to_bytes(4, "big"), hashlib.sha256).digest())
    return b"".join(blocks)[:length]


def seal(code: str, secret: str | None = None) -> str:
    enc_key, mac_key = _keys(secret)
    nonce = secrets.token_bytes(16)
    plain = code.encode()
    cipher = bytes(
        a ^ b for a, b in zip(plain, _keystream(enc_key, nonce, len(plain)), strict=True)
    )
    tag = hmac.new(mac_key, nonce + cipher, hashlib.sha256).digest()[:16]
    return "s1." + base64.urlsafe_b64encode(nonce + cipher + tag).decode().rstrip("=")


class SealBroken(ValueError):
    """A sealed code was altered or sealed under another secret key."""


def unseal(sealed: str, secret: str | None = None) -> str:
    if not sealed.startswith("s1."):
        raise SealBroken("unknown seal version")
    raw = base64.urlsafe_b64decode(sealed[3:] + "=" * (-len(sealed[3:]) % 4))
    nonce, cipher, tag = raw[:16], raw[16:-16], raw[-16:]
    enc_key, mac_key = _keys(secret)
    expected = hmac.new(mac_key, nonce + cipher, hashlib.sha256).digest()[:16]
    if not hmac.compare_digest(tag, expected):
        raise SealBroken("seal does not verify")
    return bytes(
        a ^ b for a, b in zip(cipher, _keystream(enc_key, nonce, len(cipher)), strict=True)
    ).decode()
