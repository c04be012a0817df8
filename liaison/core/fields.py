"""Model fields that keep sensitive values encrypted at rest.

Values are encrypted with Fernet (AES-128-CBC with HMAC-SHA256, from the ``cryptography``
package) under the keys in ``settings.FIELD_ENCRYPTION_KEYS``: the first key encrypts, every key
decrypts, so keys can be rotated by putting a new one first. The database only ever holds
tokens; lookups on these fields are not possible by design.
"""

from __future__ import annotations

import functools
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


@functools.cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS must hold at least one Fernet key.")
    try:
        return MultiFernet([Fernet(k.encode()) for k in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS must be Fernet keys (32 url-safe base64-encoded bytes)."
        ) from exc


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """Text stored as a Fernet token; read back as plain text."""

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return fernet().encrypt(str(value).encode()).decode()

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value in (None, ""):
            return value
        try:
            return fernet().decrypt(value.encode()).decode()
        except InvalidToken as exc:
            raise ImproperlyConfigured(
                f"A value of {self.model.__name__}.{self.name} cannot be decrypted with "
                "FIELD_ENCRYPTION_KEYS: was a key removed?"
            ) from exc
