"""Personal data protected by construction (DESIGN principle 5; 002, 十六).

* ``EncryptedCharField`` keeps the value encrypted at rest (Fernet: AES-128-CBC + HMAC-SHA256);
* ``blind_index`` gives a keyed hash for exact-match search without decrypting anything; the
  column holding it is named after the encrypted field: ``<field>_hash``;
* ``mask_id_number`` / ``mask_phone`` are what pages, the API and exports show; a
  ``MaskedCopyField`` (``<field>_masked``) stores that mask beside the ciphertext at write time,
  sealed with a cheap keyed stream (``seal_mask``), so lists, admin columns and ``str()`` never
  decrypt (``rotate_pii_key`` re-checks and reseals it);
* ``reveal`` returns the plain values to a user holding the permission and audit-logs the read.

Keys come from ``PII_KEY``: one or more secrets (any strings without commas), comma-separated,
newest first. New values are encrypted with the first; a value encrypted with any of them
decrypts (``MultiFernet``); the blind index is keyed by the first. Each secret yields its own
encryption key and index key. Rotation: put the new key in front (``PII_KEY=new,old``), run
``manage.py rotate_pii_key`` (re-encrypts every value and rebuilds every index with the new key),
then drop the old key. Production must set ``PII_KEY`` (a deploy check refuses to pass without
it); when it is empty, as in a demo (``make run``) and the tests, a key derived from
``SECRET_KEY`` is used, so rotating SECRET_KEY there loses every encrypted value.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, models
from django.utils.translation import gettext as _

from accounts import audit


@dataclass(frozen=True)
class Keyring:
    """The keys of one PII_KEY value: all of them decrypt, the first (``primary``) encrypts."""

    fernet: MultiFernet
    primary: Fernet
    index_keys: tuple[bytes, ...]
    #: (key id, key) sealing the stored masks, newest first
    mask_keys: tuple[tuple[bytes, bytes], ...] = ()


def configured_secrets() -> tuple[str, ...]:
    """The secrets in PII_KEY, newest first (a string "new,old" or a list); () when unset."""
    value = settings.PII_KEY
    items = value.split(",") if isinstance(value, str) else list(value or ())
    return tuple(item.strip() for item in items if item and item.strip())


def _secrets() -> tuple[str, ...]:
    return configured_secrets() or (settings.SECRET_KEY,)


@lru_cache(maxsize=8)
def _derive(secret: str) -> tuple[Fernet, bytes]:
    material = hashlib.sha256(("pii:" + secret).encode()).digest()
    encryption = base64.urlsafe_b64encode(hashlib.sha256(material + b"encrypt").digest())
    return Fernet(encryption), hashlib.sha256(material + b"index").digest()


@lru_cache(maxsize=8)
def _keyring_for(secrets: tuple[str, ...]) -> Keyring:
    derived = [_derive(secret) for secret in secrets]
    fernets = [fernet for fernet, _index in derived]
    indexes = tuple(index for _fernet, index in derived)
    masks = []
    for index in indexes:
        key = hashlib.sha256(index + b"mask").digest()
        masks.append((hashlib.sha256(key + b"id").digest()[:4], key))
    return Keyring(MultiFernet(fernets), fernets[0], indexes, tuple(masks))


def keyring() -> Keyring:
    return _keyring_for(_secrets())


def encrypt(value: str) -> str:
    return keyring().fernet.encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return keyring().fernet.decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("personal data cannot be decrypted with the keys in PII_KEY") from exc


def decrypt_noting_key(token: str) -> tuple[str, bool]:
    """The plain value, and whether ``token`` is already encrypted with the newest key."""
    try:
        return keyring().primary.decrypt(token.encode()).decode(), True
    except InvalidToken:
        return decrypt(token), False


def normalise(value: str) -> str:
    return "".join(str(value).split()).upper()


def _hash(key: bytes, value: str) -> str:
    return hmac.new(key, normalise(value).encode(), hashlib.sha256).hexdigest()


def blind_index(value: str | None) -> str:
    """Keyed hash (newest key) of the normalised value, for exact-match search; '' for no value."""
    if not value:
        return ""
    return _hash(keyring().index_keys[0], value)


def blind_index_candidates(value: str | None) -> list[str]:
    """The value's hash under every configured key, newest first: ``<field>_hash__in=`` finds a
    row between adding a key and the end of ``rotate_pii_key``, when old rows still carry the
    old key's hash. Outside a rotation this is ``[blind_index(value)]``."""
    if not value:
        return []
    return [_hash(key, value) for key in keyring().index_keys]


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
    if not can_reveal(by, type(obj)):
        raise PermissionDenied(_("You are not allowed to see personal data unmasked."))
    audit.record(obj, "pii_read", note=", ".join(fields), actor=by, channel=channel)
    return {name: getattr(obj, name) for name in fields}


MASKS = {"id_number": mask_id_number, "phone": mask_phone}


SEALED = "~"


def _mask_stream(key: bytes, nonce: bytes, length: int) -> bytes:
    blocks = (
        hmac.new(key, nonce + n.to_bytes(4, "big"), hashlib.sha256).digest() for n in range(length // 32 + 1)
    )
    return b"".join(blocks)[:length]


def seal_mask(value: str) -> str:
    """A stored mask, sealed with the newest PII key: HMAC-SHA256 as a keyed stream over a random
    nonce (about a microsecond to open, against Fernet's tens). A database dump without the key
    shows neither the masks nor, with the birth date beside them, the numbers they would complete."""
    if not value:
        return value
    key_id, key = keyring().mask_keys[0]
    nonce = os.urandom(12)
    data = value.encode()
    sealed = bytes(a ^ b for a, b in zip(data, _mask_stream(key, nonce, len(data)), strict=True))
    return SEALED + base64.urlsafe_b64encode(key_id + nonce + sealed).decode()


def open_mask_noting_key(token: str) -> tuple[str, bool]:
    """The mask, and whether it is sealed with the newest key."""
    if not token or not token.startswith(SEALED):
        return token, not token
    raw = base64.urlsafe_b64decode(token[1:].encode())
    key_id, nonce, sealed = raw[:4], raw[4:16], raw[16:]
    for position, (known_id, key) in enumerate(keyring().mask_keys):
        if known_id == key_id:
            plain = bytes(a ^ b for a, b in zip(sealed, _mask_stream(key, nonce, len(sealed)), strict=True))
            return plain.decode(), position == 0
    raise ValueError("a stored mask cannot be opened with the keys in PII_KEY")


def open_mask(token: str) -> str:
    return open_mask_noting_key(token)[0]


class MaskedCopyField(models.CharField):
    """The masked form of the encrypted field ``source`` of the same row, kept in step on every
    write: ``pre_save`` computes it from the plain value (``save()`` and ``bulk_create`` call it;
    a ``save(update_fields=...)`` naming the source adds this column too, see
    :func:`with_masks`). Lists read it instead of decrypting the source. The column holds the
    mask sealed with the PII key (:func:`seal_mask`); Python sees the mask."""

    def __init__(self, *args, source: str = "", mask: str = "phone", **kwargs):
        self.source, self.mask = source, mask
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.update(source=self.source, mask=self.mask)
        for key, default in (("max_length", 64), ("blank", True), ("default", ""), ("editable", False)):
            if kwargs.get(key) == default:
                kwargs.pop(key)
        return name, path, args, kwargs

    def masked(self, plain: str | None) -> str:
        return MASKS[self.mask](plain)

    def from_db_value(self, value, expression, connection):
        return open_mask(value) if value else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return seal_mask(value) if value else value

    def pre_save(self, model_instance, add):
        if self.source in model_instance.get_deferred_fields():
            return getattr(model_instance, self.attname)  # the source is not being written
        value = self.masked(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value


def mask_fields(model) -> dict[str, MaskedCopyField]:
    """``source field name -> its MaskedCopyField`` of a model."""
    return {f.source: f for f in model._meta.concrete_fields if isinstance(f, MaskedCopyField)}


def with_masks(model, update_fields):
    """``update_fields`` plus the mask columns of the encrypted fields it names."""
    if update_fields is None:
        return None
    masks = mask_fields(model)
    names = set(update_fields)
    return names | {masks[name].name for name in names if name in masks}


def encrypted_field_names(model) -> tuple[str, ...]:
    return tuple(f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedCharField))


def without_secrets(queryset, *related: str):
    """``queryset`` not loading (so never decrypting) the encrypted columns of its model and of
    the ``related`` paths it selects (``"resident"``, ``"staff"``): for lists that show masks."""
    names = list(encrypted_field_names(queryset.model))
    for path in related:
        model = queryset.model
        for part in path.split("__"):
            model = model._meta.get_field(part).related_model
        names += [f"{path}__{name}" for name in encrypted_field_names(model)]
    return queryset.defer(*names)


class MaskedCopiesMixin:
    """For models with ``MaskedCopyField`` columns: a ``save(update_fields=...)`` naming an
    encrypted field writes its mask too."""

    def save(self, *args, **kwargs):
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = with_masks(type(self), kwargs["update_fields"])
        super().save(*args, **kwargs)


def fill_masks(model, *, batch_size: int = 2000) -> int:
    """Write the mask columns of every row of ``model`` from the decrypted values (the data
    migration adding them, and ``rotate_pii_key`` for rows whose mask is out of step). Rows
    are walked by primary key; returns how many rows changed."""
    masks = mask_fields(model)
    if not masks:
        return 0
    manager = model._base_manager
    sources = list(masks)
    columns = [field.name for field in masks.values()]
    changed, last_pk = 0, None
    while True:
        rows = manager.order_by("pk")
        if last_pk is not None:
            rows = rows.filter(pk__gt=last_pk)
        batch = list(rows.values_list("pk", *sources, *columns)[:batch_size])
        stale = []
        for pk, *values in batch:
            plain = dict(zip(sources, values[: len(sources)], strict=True))
            stored = dict(zip(columns, values[len(sources) :], strict=True))
            wanted = {field.name: field.masked(plain[source]) for source, field in masks.items()}
            if wanted != stored:
                stale.append(model(pk=pk, **wanted))
        if stale:
            _write_masks(model, stale, columns)
            changed += len(stale)
        if len(batch) < batch_size:
            return changed
        last_pk = batch[-1][0]


def _write_masks(model, rows, columns):
    """One ``UPDATE … FROM (VALUES …)`` on PostgreSQL (``bulk_update``'s CASE per column costs
    minutes over 200,000 rows); ``bulk_update`` elsewhere."""
    if connection.vendor != "postgresql":
        model._base_manager.bulk_update(rows, columns)
        return
    opts = model._meta
    quote = connection.ops.quote_name
    table, pk = quote(opts.db_table), quote(opts.pk.column)
    names = [quote(opts.get_field(column).column) for column in columns]
    values = ", ".join(["(%s" + ", %s" * len(columns) + ")"] * len(rows))
    assignments = ", ".join(f"{name} = v.{name}" for name in names)
    sql = (
        f"UPDATE {table} SET {assignments} FROM (VALUES {values}) AS v(id, {', '.join(names)}) "  # noqa: S608 - names are the model's
        f"WHERE {table}.{pk} = v.id"
    )
    fields = [opts.get_field(column) for column in columns]
    params = [
        value
        for row in rows
        for value in (row.pk, *(field.get_prep_value(getattr(row, field.attname)) for field in fields))
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
