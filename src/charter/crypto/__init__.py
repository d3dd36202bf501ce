"""Field encryption, blind indexes and the keyring."""

from .cipher import BlindIndex, DecryptionFailed, FieldCipher, normalise_email, normalise_phone
from .keyring import Keyring, load_keyring, write_key_file

__all__ = [
    "BlindIndex",
    "DecryptionFailed",
    "FieldCipher",
    "Keyring",
    "load_keyring",
    "normalise_email",
    "normalise_phone",
    "write_key_file",
]
