"""Audit log: who changed what, when, through which channel (written here, at the bottom of
the apps, because the workflow helper writes its transitions with it; the entries are
``accounts.AuditEntry`` and every app imports this module as ``accounts.audit``).

Models that inherit :class:`AuditedModel` get an entry for every create, update (with the
fields that changed, old → new) and delete, written by signal receivers in ``signals.py`` in
the same transaction as the change. Workflow transitions and other events call
:func:`record` directly. The acting user and the channel come from :func:`audit_context`,
which the middleware (portal, admin, API), the import engine and tasks set.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import decimal
import uuid
from contextlib import contextmanager

from django.apps import apps as django_apps
from django.db import models
from django.utils.translation import gettext_lazy as _

_context: contextvars.ContextVar[dict | None] = contextvars.ContextVar("audit_context", default=None)


class Channel(models.TextChoices):
    ADMIN = "admin", _("administration")
    PORTAL = "portal", _("portal")
    API = "api", "API"
    IMPORT = "import", _("import")
    TASK = "task", _("background task")
    SYSTEM = "system", _("system")


@contextmanager
def audit_context(*, actor=None, channel: str | None = None, request=None):
    """Within the block, audit entries are attributed to ``actor`` (or to ``request.user``,
    read when the entry is written, so API token authentication is seen) and ``channel``."""
    parent = _context.get() or {}
    current = dict(parent)
    if actor is not None:
        current["actor"] = actor
        current.pop("request", None)
    if request is not None:
        current["request"] = request
    if channel is not None:
        current["channel"] = channel
    token = _context.set(current)
    try:
        yield
    finally:
        _context.reset(token)


def current_actor_and_channel():
    current = _context.get() or {}
    actor = current.get("actor")
    request = current.get("request")
    if actor is None and request is not None:
        actor = getattr(request, "user", None)
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return actor, current.get("channel", Channel.SYSTEM)


def _json_value(value):
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [_json_value(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _json_value(item) for key, item in value.items()}
    return str(value)


class AuditedModel(models.Model):
    """Snapshots its field values when loaded, so an update's diff costs no extra query."""

    # Fields never compared (bookkeeping) and fields whose values are never written to the log.
    audit_ignore: frozenset[str] = frozenset()
    audit_secret: frozenset[str] = frozenset()

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # Keep the loaded values as they are; the snapshot is built only if the row is saved, so
        # reading many rows (lists, exports) costs nothing extra.
        instance._audit_loaded = (field_names, values)
        return instance

    def audit_values(self) -> dict:
        values = {}
        deferred = self.get_deferred_fields()
        for field in self._meta.concrete_fields:
            if (
                field.attname in deferred
                or field.name in self.audit_ignore
                or field.attname in self.audit_ignore
            ):
                continue
            values[field.attname] = _json_value(getattr(self, field.attname))
        return values

    def _audit_previous(self) -> dict | None:
        snapshot = getattr(self, "_audit_snapshot", None)
        if snapshot is not None:
            return snapshot
        loaded = getattr(self, "_audit_loaded", None)
        if loaded is None:
            return None
        names, values = loaded
        ignored = self.audit_ignore
        return {
            name: _json_value(value)
            for name, value in zip(names, values, strict=False)
            if name not in ignored and name.removesuffix("_id") not in ignored
        }

    def audit_changes(self, created: bool) -> dict:
        current = self.audit_values()
        previous = {} if created else self._audit_previous()
        changes = {}
        for key, new in current.items():
            if previous is not None and key in previous and previous[key] == new:
                continue
            if previous is not None and not created and key not in previous:
                continue
            old = previous.get(key) if previous else None
            if created and new in (None, ""):
                continue
            if key in self.audit_secret:
                changes[key] = ["***", "***"]
            else:
                changes[key] = [old, new]
        return changes


def record(obj, action: str, *, changes: dict | None = None, note: str = "", actor=None, channel=None):
    """Write one audit entry about ``obj`` (any model instance, or None for a global event)."""
    # The entry model (accounts.AuditEntry) is built on this module's AuditedModel's app: it is
    # looked up in the registry when the first entry is written, not imported.
    from django.contrib.contenttypes.models import ContentType  # noqa: PLC0415 - loads models

    AuditEntry = django_apps.get_model("accounts", "AuditEntry")  # noqa: N806 - a model class
    context_actor, context_channel = current_actor_and_channel()
    actor = actor or context_actor
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditEntry.objects.create(
        actor=actor,
        actor_repr=actor.get_username() if actor is not None else "",
        channel=channel or context_channel,
        action=action,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True)
        if obj is not None
        else None,
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        changes=changes or {},
        note=note,
    )


def record_transition(obj, action: str, *, from_state, to_state, note: str = "", actor=None):
    """Audit a workflow transition (used by every workflow's ``transition`` function)."""
    return record(
        obj,
        f"transition:{action}",
        changes={"state": [_json_value(from_state), _json_value(to_state)]},
        note=note,
        actor=actor,
    )
