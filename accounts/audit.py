"""The audit log as the apps use it (``from accounts import audit``). The writing half lives in
:mod:`core.audit`, below the workflow helper that writes every transition with it; the entries
are :class:`accounts.models.AuditEntry`, read by people through :mod:`accounts.audit_display`."""

from core.audit import (  # noqa: F401 - re-exported: this is the name every app imports
    AuditedModel,
    Channel,
    _context,
    _json_value,
    audit_context,
    current_actor_and_channel,
    record,
    record_transition,
)
