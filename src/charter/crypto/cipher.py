"""AES-GCM field encryption and HMAC-SHA256 blind indexes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import unicodedata
from typing import Any, Protocol

import phonenumbers
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ..errors import CharterError, InvalidInput
from .keyring import Keyring


class DecryptionFailed(CharterError):
    exit_code = 3


class SealedRow(Protocol):
    sealed: bytes
    key_id: str

    def sealed_context(self) -> str: ...


class FieldCipher:
    """Encrypts one value at a time. The associated data binds a ciphertext to its row, so a
    value copied into another subject's row does not decrypt."""

    def __init__(self, keyring: Keyring) -> None:
        self.keyring = keyring

    @property
    def active_key_id(self) -> str:
        return self.keyring.active

    def encrypt(self, value: Any, *, context: str) -> tuple[bytes, str]:
        key_id = self.keyring.active
        nonce = os.urandom(12)
        plain = json.dumps(value, ensure_ascii=False, sort_keys=True).encode()
        sealed = AESGCM(self.keyring.data_keys[key_id]).encrypt(nonce, plain, context.encode())
        return nonce + sealed, key_id

    def decrypt(self, blob: bytes, *, key_id: str, context: str) -> Any:
        key = self.keyring.data_keys.get(key_id)
        if key is None:
            raise DecryptionFailed(f"key {key_id!r} is not in the keyring")
        try:
            plain = AESGCM(key).decrypt(blob[:12], blob[12:], context.encode())
        except InvalidTag:
            raise DecryptionFailed(f"a value failed its integrity check under key {key_id!r}: "
                                   "a key other than the one it was written with (check "
                                   "CHARTER_KEY or the key file), or the value was "
                                   "tampered with") from None
        return json.loads(plain)


    def encrypt_bytes(self, data: bytes, *, context: str) -> tuple[bytes, str]:
        """A whole file (an export): nonce + ciphertext, under the active key."""
        key_id = self.keyring.active
        nonce = os.urandom(12)
        sealed = AESGCM(self.keyring.data_keys[key_id]).encrypt(nonce, data, context.encode())
        return nonce + sealed, key_id

    def decrypt_bytes(self, blob: bytes, *, key_id: str, context: str) -> bytes:
        key = self.keyring.data_keys.get(key_id)
        if key is None:
            raise DecryptionFailed(f"key {key_id!r} is not in the keyring")
        try:
            return AESGCM(key).decrypt(blob[:12], blob[12:], context.encode())
        except InvalidTag:
            raise DecryptionFailed(f"a file failed its integrity check under key {key_id!r}: "
                                   "a key other than the one it was written with, or the "
                                   "file was tampered with") from None

    def seal(self, row: SealedRow, value: Any) -> None:
        """Encrypt ``value`` into the row, bound to it by the row's own context."""
        row.sealed, row.key_id = self.encrypt(value, context=row.sealed_context())

    def unseal(self, row: SealedRow) -> Any:
        return self.decrypt(row.sealed, key_id=row.key_id, context=row.sealed_context())


def normalise_email(email: str) -> str:
    value = unicodedata.normalize("NFKC", email).strip().lower()
    if "@" not in value:
        raise InvalidInput("not an e-mail address")
    return value


def normalise_phone(phone: str, *, region: str | None = None) -> str:
    """E.164, e.g. ``+3210123456``; national numbers need the organization's region."""
    try:
        parsed = phonenumbers.parse(phone, region)
    except phonenumbers.NumberParseException:
        raise InvalidInput("not a phone number") from None
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidInput("not a valid phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


class BlindIndex:
    """Keyed HMAC of a normalised identifier: equal inputs match, nothing can be read back."""

    def __init__(self, keyring: Keyring) -> None:
        self._key = keyring.index_key

    def _digest(self, kind: str, value: str) -> str:
        return hmac.new(self._key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()

    def email(self, email: str) -> str:
        return self._digest("email", normalise_email(email))

    def phone(self, phone: str, *, region: str | None = None) -> str:
        return self._digest("phone", normalise_phone(phone, region=region))

    def token(self, label: str) -> str:
        """A stable, unguessable token for ``label`` (links in mails are derived this way)."""
        raw = hmac.new(self._key, f"token:{label}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(raw[:24]).decode()
