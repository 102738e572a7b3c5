"""Key rotation for personal data: re-encrypt with the newest PII_KEY and rebuild blind indexes.

Every concrete ``EncryptedCharField`` of every installed model is found, so a new encrypted
column is rotated without being listed here; its blind index is the ``<field>_hash`` column
beside it when there is one (accounts/pii.py), and its stored mask the ``MaskedCopyField``
naming it as source (rewritten when out of step with the plain value). Rows are walked by
primary key in batches, each batch locked and written in its own transaction; a row already
encrypted and indexed with the newest key is left alone, so a second run changes nothing and
an interrupted run can be started again.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from django.apps import apps
from django.db import models, transaction
from django.db.models.functions import Cast

from accounts.pii import (
    EncryptedCharField,
    blind_index,
    decrypt_noting_key,
    mask_fields,
    open_mask_noting_key,
)


class RotationError(Exception):
    """A stored value no configured key decrypts (was an old key dropped too early?)."""


@dataclass(frozen=True)
class EncryptedModel:
    model: type[models.Model]
    fields: tuple[str, ...]
    #: encrypted field name -> the blind-index column holding its keyed hash
    indexes: dict[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.model._meta.label


@dataclass
class Progress:
    label: str
    total: int
    checked: int = 0
    reencrypted: int = 0
    reindexed: int = 0


def encrypted_models() -> list[EncryptedModel]:
    """Each model with encrypted columns in its own table, with their blind-index columns."""
    found = []
    for model in apps.get_models():
        opts = model._meta
        if opts.proxy:
            continue
        local = {f.name: f for f in opts.local_concrete_fields}
        encrypted = tuple(name for name, f in local.items() if isinstance(f, EncryptedCharField))
        if encrypted:
            indexes = {name: f"{name}_hash" for name in encrypted if f"{name}_hash" in local}
            found.append(EncryptedModel(model, encrypted, indexes))
    return sorted(found, key=lambda spec: spec.label)


def rotate(spec: EncryptedModel, *, batch_size: int = 500, dry_run: bool = False) -> Iterator[Progress]:
    """Re-encrypt ``spec``'s rows with the newest key and rebuild their blind indexes from the
    plain values; yields the running totals after each batch. With ``dry_run`` nothing is
    written: the totals say what a real run would change."""
    manager = spec.model._base_manager
    progress = Progress(spec.label, manager.count())
    # The stored ciphertext, not the decrypted value the field would give: cast to plain text.
    raw = [Cast(name, output_field=models.TextField()) for name in spec.fields]
    index_columns = list(spec.indexes.values())
    masks = {source: field for source, field in mask_fields(spec.model).items() if source in spec.fields}
    mask_columns = [field.name for field in masks.values()]
    last_pk = None
    while True:
        with transaction.atomic():
            rows = manager.order_by("pk")
            if last_pk is not None:
                rows = rows.filter(pk__gt=last_pk)
            sealed = [Cast(name, output_field=models.TextField()) for name in mask_columns]
            batch = list(
                rows.select_for_update().values_list("pk", *raw, *index_columns, *sealed)[:batch_size]
            )
            stale = []
            for pk, *values in batch:
                tokens = dict(zip(spec.fields, values[: len(spec.fields)], strict=True))
                hashes = dict(
                    zip(
                        index_columns,
                        values[len(spec.fields) : len(spec.fields) + len(index_columns)],
                        strict=True,
                    )
                )
                stored_masks = dict(
                    zip(mask_columns, values[len(spec.fields) + len(index_columns) :], strict=True)
                )
                plain, reencrypt, reindex = {}, False, False
                for name, token in tokens.items():
                    if not token:
                        plain[name] = token
                        continue
                    try:
                        plain[name], current = decrypt_noting_key(token)
                    except ValueError as exc:
                        raise RotationError(
                            f"{spec.label} #{pk}: {name} cannot be decrypted with any key in PII_KEY"
                        ) from exc
                    reencrypt = reencrypt or not current
                for name, column in spec.indexes.items():
                    reindex = reindex or hashes[column] != blind_index(plain[name])
                masked = {field.name: field.masked(plain[source]) for source, field in masks.items()}
                for column, token in stored_masks.items():
                    opened, current = open_mask_noting_key(token)
                    reencrypt = reencrypt or not current or opened != masked[column]
                if reencrypt or reindex:
                    progress.reencrypted += reencrypt
                    progress.reindexed += reindex
                    indexed = {column: blind_index(plain[name]) for name, column in spec.indexes.items()}
                    stale.append(spec.model(pk=pk, **plain, **indexed, **masked))
            if stale and not dry_run:
                # The field encrypts the plain value with the newest key on the way in.
                manager.bulk_update(stale, [*spec.fields, *index_columns, *mask_columns])
        progress.checked += len(batch)
        if batch:
            last_pk = batch[-1][0]
            yield progress
        if len(batch) < batch_size:
            return
