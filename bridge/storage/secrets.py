"""OAuth secrets encrypted at rest, and setup codes kept only as hashes.

Secrets are encrypted with Fernet (AES-128-CBC plus HMAC-SHA256) under a key derived from ``BRIDGE_SECRET_KEY``
by HKDF-SHA256 with the fixed salt ``gladly-bridge`` and info ``storage-secrets-v1``; changing the secret key
makes stored secrets unreadable, and the bridge then refuses to start instead of signing with garbage.
"""
from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet
from cryptography.fernet import InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from bridge.errors import ConfigError


def fernet_for(secret_key: str) -> Fernet:
    """The Fernet cipher for a ``BRIDGE_SECRET_KEY`` (HKDF-SHA256, fixed salt and info)."""
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"gladly-bridge",
               info=b"storage-secrets-v1").derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def hash_setup_code(code: str) -> str:
    """SHA-256 of a setup code, ignoring case, spaces and dashes."""
    normalised = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(normalised.encode()).hexdigest()


class SecretBox:
    """Encrypts and decrypts stored secrets under ``BRIDGE_SECRET_KEY``; without the key it refuses both."""

    def __init__(self, secret_key: str | None):
        self._fernet = fernet_for(secret_key) if secret_key else None

    def encrypt(self, plaintext: str) -> str:
        """Encrypt a secret for storage; refuses without ``BRIDGE_SECRET_KEY``."""
        if self._fernet is None:
            raise ConfigError("BRIDGE_SECRET_KEY is required to store Magento credentials: set it to a long "
                              "random value and keep it stable across restarts.")
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, token: str) -> str:
        """Decrypt a stored secret; a key that cannot is a configuration error."""
        if self._fernet is None:
            raise ConfigError("Magento credentials are stored but BRIDGE_SECRET_KEY is not set: set the key "
                              "they were stored with, or run `bridge magento disconnect`.")
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            raise ConfigError("BRIDGE_SECRET_KEY cannot decrypt the stored Magento credentials (the key changed): "
                              "restore the previous key, or run `bridge magento disconnect` and activate "
                              "the integration again.") from None
