"""Personal data protected by construction (DESIGN principle 5; 002, 十六).

* ``EncryptedCharField`` keeps the value encrypted at rest (Fernet: AES-128-CBC + HMAC-SHA256);
* ``blind_index`` gives a keyed hash for exact-match search without decrypting anything;
* ``mask_id_number`` / ``mask_phone`` are what pages, the API and exports show;
* ``reveal`` returns the plain values to a user holding the permission and audit-logs the read.

The key comes from ``PII_KEY`` (any string; production must set it and keep it). Without it a key
derived from ``SECRET_KEY`` is used, which is fine for a demo and tests only.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import models


@lru_cache(maxsize=4)
def _keys(secret: str) -> tuple[Fernet, bytes]:
    material = hashlib.sha256(("pii:" + secret).encode()).digest()
    encryption = base64.urlsafe_b64encode(hashlib.sha256(material + b"encrypt").digest())
    return Fernet(encryption), hashlib.sha256(material + b"index").digest()


def _secret() -> str:
    return settings.PII_KEY or settings.SECRET_KEY


def encrypt(value: str) -> str:
    return _keys(_secret())[0].encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _keys(_secret())[0].decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("personal data cannot be decrypted with the configured PII_KEY") from exc


def normalise(value: str) -> str:
    return "".join(str(value).split()).upper()


def blind_index(value: str | None) -> str:
    """Keyed hash of the normalised value, for exact-match search; '' for no value."""
    if not value:
        return ""
    return hmac.new(_keys(_secret())[1], normalise(value).encode(), hashlib.sha256).hexdigest()


class EncryptedCharField(models.TextField):
    """A text column holding ciphertext; Python sees the plain value."""

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return encrypt(value) if value else value


def mask_id_number(value: str | None) -> str:
    """110105********1234"""
    if not value:
        return ""
    return value[:6] + "*" * max(len(value) - 10, 0) + value[-4:] if len(value) > 10 else "*" * len(value)


def mask_phone(value: str | None) -> str:
    """138****5678 (landlines keep their last four digits too)."""
    if not value:
        return ""
    digits = value.strip()
    return digits[:3] + "****" + digits[-4:] if len(digits) >= 8 else "*" * len(digits)


def can_reveal(user, model) -> bool:
    opts = model._meta
    return user.is_authenticated and user.has_perm(f"{opts.app_label}.view_personal_data_{opts.model_name}")


def reveal(obj, fields: tuple[str, ...], *, by, channel=None) -> dict:
    """The plain values of ``fields`` for a user with the permission; audit-logged."""
    from django.core.exceptions import PermissionDenied
    from django.utils.translation import gettext as _

    from accounts import audit

    if not can_reveal(by, type(obj)):
        raise PermissionDenied(_("You are not allowed to see personal data unmasked."))
    audit.record(obj, "pii_read", note=", ".join(fields), actor=by, channel=channel)
    return {name: getattr(obj, name) for name in fields}
