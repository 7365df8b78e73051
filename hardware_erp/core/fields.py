"""Encrypted model fields and blind indexes for sensitive data.

- `EncryptedTextField`: authenticated encryption at rest (Fernet: AES-128-CBC + HMAC-SHA256,
  from the `cryptography` package) with key rotation through MultiFernet: settings
  FIELD_ENCRYPTION_KEYS is a list, the first key encrypts and every key decrypts.
  Values are random-IV tokens, so the column cannot be searched: keep a blind index beside it.
- `blind_index(value)`: HMAC-SHA256 (BLIND_INDEX_KEY) of a normalised value, for exact-match
  search: `Contact.objects.filter(mobile_bidx=blind_index(q, normalize=digits_only))`.
- `mask_phone`, `mask_tail`: masked display for roles that need not see the full value.
"""

import base64
import binascii
import hashlib
import hmac
import re
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

PREFIX = "enc1:"
FERNET_VERSION = 0x80  # the first byte of every Fernet token
FERNET_MIN_BYTES = 57  # version, timestamp, IV, one cipher block, HMAC


@lru_cache(maxsize=4)
def _fernet(keys: tuple) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty")
    return MultiFernet([Fernet(k.encode() if isinstance(k, str) else k) for k in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


class DecryptionError(ImproperlyConfigured):
    pass


def encrypt(value: str) -> str:
    return PREFIX + fernet().encrypt(value.encode("utf-8")).decode("ascii")


def is_token(stored: str) -> bool:
    """True when a stored value is one this module wrote: the prefix followed by a Fernet token.

    Values are always encrypted on the way in, so user input that merely starts with the prefix is
    stored as a token too; this test only tells legacy plaintext (written before a column was
    encrypted, or by the old code that kept such input as it was) from real tokens."""
    if not isinstance(stored, str) or not stored.startswith(PREFIX):
        return False
    body = stored[len(PREFIX):]
    try:
        raw = base64.urlsafe_b64decode(body.encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return False
    return len(raw) >= FERNET_MIN_BYTES and raw[0] == FERNET_VERSION


def decrypt(token: str) -> str:
    if not is_token(token):
        return token  # a value written before the field was encrypted
    try:
        return fernet().decrypt(token[len(PREFIX):].encode("ascii")).decode("utf-8")
    except InvalidToken:
        raise DecryptionError("An encrypted value cannot be read with the configured FIELD_ENCRYPTION_KEYS "
                              "(wrong or missing key).") from None


def rotate(token: str) -> str:
    """Re-encrypt a stored token with the first key (MultiFernet.rotate); legacy plaintext is encrypted."""
    if not token:
        return token
    if not is_token(token):
        return encrypt(token)
    try:
        return PREFIX + fernet().rotate(token[len(PREFIX):].encode("ascii")).decode("ascii")
    except InvalidToken:
        raise DecryptionError("An encrypted value cannot be read with the configured FIELD_ENCRYPTION_KEYS "
                              "(wrong or missing key).") from None


class EncryptedTextField(models.TextField):
    """A text value encrypted at rest. Only isnull lookups make sense on it; search the blind index.

    In memory (model instances, forms) the value is always plaintext: it is decrypted once when read from
    the database and encrypted every time it is written, whatever it looks like (never guessed from a
    prefix, so input such as "enc1:..." round-trips as typed)."""

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt(value)


def digits_only(value: str) -> str:
    return re.sub(r"\D", "", value or "")


def casefold_strip(value: str) -> str:
    return re.sub(r"\s+", "", (value or "")).casefold()


def blind_index(value: str, normalize=casefold_strip) -> str:
    """A keyed hash of the normalised value ('' for an empty value)."""
    norm = normalize(value or "")
    if not norm:
        return ""
    key = settings.BLIND_INDEX_KEY.encode()
    return hmac.new(key, norm.encode("utf-8"), hashlib.sha256).hexdigest()[:40]


def mask_phone(value: str) -> str:
    """+8613812345678 or 13812345678 -> 138****5678."""
    digits = digits_only(value)
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}****{digits[-4:]}"


def mask_tail(value: str, keep: int = 4) -> str:
    """Bank account, tax number, ID: only the last `keep` characters shown."""
    value = value or ""
    if len(value) <= keep:
        return "*" * len(value)
    return "*" * (len(value) - keep) + value[-keep:]
