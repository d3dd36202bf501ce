"""The keyring: data keys (with ids, for rotation) and the blind-index key.

Stored as JSON in ``DATA_DIR/charter.key`` (mode 0600), or given whole in ``CHARTER_KEY``.
The blind-index key never rotates: subjects are found by it, and re-deriving every index would
need every e-mail in clear at once.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import EnvironmentProblem, InvalidInput


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text.encode())


@dataclass
class Keyring:
    active: str
    data_keys: dict[str, bytes]
    index_key: bytes
    retired: list[str] = field(default_factory=list)

    @classmethod
    def generate(cls) -> Keyring:
        key_id = "k1"
        return cls(
            active=key_id,
            data_keys={key_id: secrets.token_bytes(32)},
            index_key=secrets.token_bytes(32),
        )

    @classmethod
    def from_json(cls, text: str, *, origin: str) -> Keyring:
        try:
            raw = json.loads(text)
            keys = {kid: _unb64(value) for kid, value in raw["data_keys"].items()}
            ring = cls(
                active=raw["active"],
                data_keys=keys,
                index_key=_unb64(raw["index_key"]),
                retired=list(raw.get("retired", [])),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise InvalidInput(f"{origin}: not a Charter keyring ({exc})") from None
        if ring.active not in ring.data_keys or any(len(k) != 32 for k in keys.values()):
            raise InvalidInput(f"{origin}: the active key is missing or a key is not 256 bits")
        return ring

    def to_json(self) -> str:
        return json.dumps(
            {
                "active": self.active,
                "data_keys": {kid: _b64(value) for kid, value in self.data_keys.items()},
                "index_key": _b64(self.index_key),
                "retired": self.retired,
            },
            indent=2,
        )

    def add_key(self) -> str:
        """Create a new data key and make it the active one; the old ones stay readable."""
        number = 1 + max(int(kid[1:]) for kid in self.data_keys)
        key_id = f"k{number}"
        self.data_keys[key_id] = secrets.token_bytes(32)
        self.active = key_id
        return key_id

    def retire(self, key_id: str) -> None:
        """Forget a data key once nothing is encrypted under it any more."""
        if key_id == self.active:
            raise InvalidInput("the active key cannot be retired")
        self.data_keys.pop(key_id, None)
        self.retired.append(key_id)


def write_key_file(path: Path, ring: Keyring) -> None:
    """Write atomically with mode 0600: a crash never leaves a half-written keyring."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_suffix(".tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(ring.to_json())
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, path)
    os.chmod(path, 0o600)


def load_keyring(key_file: Path, key_material: str | None) -> Keyring:
    if key_material:
        return Keyring.from_json(key_material, origin="CHARTER_KEY")
    try:
        text = key_file.read_text()
    except FileNotFoundError:
        raise EnvironmentProblem(
            f"{key_file}: no key file; run `charter init` or set CHARTER_KEY"
        ) from None
    return Keyring.from_json(text, origin=str(key_file))
