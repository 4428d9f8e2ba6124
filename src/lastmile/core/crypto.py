"""Secrets stored encrypted at rest (PPPoE passwords, NAS shared secrets).

Fernet (AES-128-CBC + HMAC-SHA256) with the key from LASTMILE_ENCRYPTION_KEY.
Reading needs the clear value (CHAP, RADIUS), so these are encrypted, not
hashed; passwords a human types to log in are hashed instead.
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken

from lastmile.conf import ConfigurationError, get_settings


@lru_cache(maxsize=1)
def _fernet() -> Fernet:
    key = get_settings().encryption_key
    if key is None:
        raise ConfigurationError("LASTMILE_ENCRYPTION_KEY is not set.")
    try:
        return Fernet(key.get_secret_value().encode())
    except ValueError as exc:
        raise ConfigurationError(
            "LASTMILE_ENCRYPTION_KEY must be 32 url-safe base64-encoded bytes "
            "(generate one with: python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())')."
        ) from exc


def encrypt_secret(clear: str) -> str:
    return _fernet().encrypt(clear.encode()).decode()


def decrypt_secret(token: str) -> str:
    """The clear secret; raises ValueError when the key does not match."""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("cannot decrypt: wrong LASTMILE_ENCRYPTION_KEY or damaged value") from exc
