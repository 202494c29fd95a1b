"""Field encryption for personal data at rest (等保 2.0 数据保密性).

- AES-256-GCM (authenticated: a changed ciphertext does not decrypt, it raises), a random
  96-bit nonce per value, and the column's *purpose* (``rewards.referrer.id_number``) as
  associated data, so a value copied into another column does not decrypt either.
- A stored value is ``enc1:<key id>:<base64(nonce + ciphertext)>``; the key id (8 hex
  characters of the key's SHA-256) says which key wrote it, so old keys keep reading until
  ``rotate_field_key`` has re-encrypted every row under the current one.
- Searchable through a keyed hash: HMAC-SHA256 under a key derived (HKDF) from the
  encryption key, so equal numbers have equal hashes and the hash alone reveals nothing.

Keys (32 random bytes, urlsafe base64) come from the environment: ``FIELD_ENCRYPTION_KEY``
and ``FIELD_ENCRYPTION_OLD_KEYS``. Outside production an unset key is derived from a fixed
development value (so ``make run`` and ``make test`` need no step); production.py refuses
to start without one.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "enc1"
KEY_BYTES = 32
NONCE_BYTES = 12
# Not a secret: what development and test databases are encrypted with.
DEVELOPMENT_SEED = "zhaoshang-portal-development-field-key-not-a-secret"


class DecryptionError(Exception):
    """A stored value that does not decrypt: changed, or written under a key we lack."""


def new_key() -> str:
    """A fresh key, as FIELD_ENCRYPTION_KEY expects it."""
    return base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode()


def development_key() -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(DEVELOPMENT_SEED.encode()).digest()).decode()


def parse_key(text: str, name: str = "FIELD_ENCRYPTION_KEY") -> bytes:
    """The 32 bytes of a key, or ImproperlyConfigured naming the setting."""
    try:
        key = base64.urlsafe_b64decode(text.strip().encode())
    except (binascii.Error, ValueError) as exc:
        raise ImproperlyConfigured(f"{name} 不是有效的 base64 密钥。") from exc
    if len(key) != KEY_BYTES:
        raise ImproperlyConfigured(f"{name} 应为 {KEY_BYTES} 字节的随机数（base64 编码）。")
    return key


def key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:8]


def current_key() -> bytes:
    return parse_key(settings.FIELD_ENCRYPTION_KEY or development_key())


def keys() -> dict[str, bytes]:
    """Every key that may read a stored value, by key id; the current one first."""
    found = {}
    current = current_key()
    found[key_id(current)] = current
    for index, text in enumerate(settings.FIELD_ENCRYPTION_OLD_KEYS):
        old = parse_key(text, f"FIELD_ENCRYPTION_OLD_KEYS[{index}]")
        found.setdefault(key_id(old), old)
    return found


def is_encrypted(value) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX + ":")


def written_with(value: str) -> str | None:
    """The key id a stored value names (None if it is no stored value)."""
    if not is_encrypted(value):
        return None
    return value.split(":", 2)[1]


def encrypt(plaintext: str, *, purpose: str) -> str:
    key = current_key()
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, plaintext.encode(), purpose.encode())
    body = base64.b64encode(nonce + sealed).decode()
    return f"{PREFIX}:{key_id(key)}:{body}"


def decrypt(token: str, *, purpose: str) -> str:
    try:
        prefix, kid, body = token.split(":", 2)
        raw = base64.b64decode(body.encode(), validate=True)
    except (ValueError, binascii.Error) as exc:
        raise DecryptionError("不是加密字段的存储格式。") from exc
    if prefix != PREFIX:
        raise DecryptionError("不是加密字段的存储格式。")
    key = keys().get(kid)
    if key is None:
        raise DecryptionError(
            f"缺少密钥 {kid}：请把写入这些数据的旧密钥放进 FIELD_ENCRYPTION_OLD_KEYS。"
        )
    try:
        return AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], purpose.encode()).decode()
    except InvalidTag as exc:
        raise DecryptionError("加密数据校验失败：数据被改动，或不属于这一列。") from exc


@functools.lru_cache(maxsize=16)
def _hash_key(key: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"portal field keyed hash"
    ).derive(key)


def keyed_hash(value: str, *, purpose: str, key: bytes | None = None) -> str:
    """HMAC-SHA256 of the value (under the current key unless one is given); "" for ""."""
    if not value:
        return ""
    secret = _hash_key(key or current_key())
    return hmac.new(secret, f"{purpose}\n{value}".encode(), hashlib.sha256).hexdigest()


def keyed_hashes(value: str, *, purpose: str) -> list[str]:
    """The value's hash under every known key: a lookup finds rows not yet rotated too."""
    return [keyed_hash(value, purpose=purpose, key=key) for key in keys().values()]
