"""Secrets the application must store itself (mailbox passwords, OAuth2 tokens, webhook keys).

They are encrypted at rest with Fernet (AES-128-CBC + HMAC-SHA256) under a key taken from the
environment (``WEIBAO_SECRETS_KEY``, or derived from ``SECRET_KEY``), so a copied database or backup
does not give away the customer's mailbox. Forms never show a stored secret back.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _fernet() -> Fernet:
    material = settings.WEIBAO_SECRETS_KEY or settings.SECRET_KEY
    # Any string works as configuration: stretch it to the 32 bytes Fernet wants.
    key = hashlib.sha256(("weibao-secrets:" + material).encode("utf-8")).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def secret_encrypt(*, value: str) -> str:
    """The stored form of ``value`` (empty stays empty)."""
    if not value:
        return ""
    return _fernet().encrypt(value.encode("utf-8")).decode("ascii")


def secret_decrypt(*, stored: str) -> str:
    """The plain secret; empty when nothing is stored or the key changed (the admin re-enters it)."""
    if not stored:
        return ""
    try:
        return _fernet().decrypt(stored.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError):
        return ""
