"""The audit log read by people: what an entry's channel, action and changes mean, in the
reader's language. Entries keep what was written (``portal``, ``transition:approve``,
``{"status": ["contacted", "applied"]}``); the words are found when the entry is shown, from the
channel's choices, the workflows' declared steps and the models' verbose names and choices, so
the admin, the export and any page listing entries say the same thing."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

TRANSITION_PREFIX = "transition:"

# Events recorded by name (``audit.record(obj, "<name>")``) across the apps.
ACTION_LABELS = {
    "create": pgettext_lazy("audit action", "created"),
    "update": pgettext_lazy("audit action", "changed"),
    "delete": pgettext_lazy("audit action", "deleted"),
    "login_throttled": _("sign-ins from an address slowed down"),
    "login_locked": _("sign-in locked after wrong passwords"),
    "unlock": _("sign-in lock lifted"),
    "confirm_organization": _("organisation details confirmed"),
    "confirm_licence": _("business licence confirmed"),
    "licence_uploaded": _("business licence scan uploaded"),
    "purge_audit": _("old audit entries purged"),
    "pii_read": _("personal data read in full"),
    "item_added": _("list item added"),
    "item_changed": _("list item changed"),
    "item_removed": _("list item removed"),
    "items_cleared": _("list items cleared"),
    "resources_reviewed": _("resource list reviewed"),
    "checked": _("check recorded"),
    "milestone_done": _("milestone completed"),
    "showcase_case_added": _("showcase case added"),
    "attachment_added": _("attachment added"),
    "prices_posted": _("prices posted"),
    "survey_response": _("survey answer recorded"),
    "service_logged": _("service recorded"),
    "rated": _("service rated"),
    "station_linked": _("linked to a station"),
    "photos_added": _("photos added"),
    "new_version": _("new version"),
    "evaluation_run": _("evaluation run"),
    "finding_comment": _("finding commented"),
    "volunteer_hours": _("volunteer hours credited"),
    "points_spent": _("points spent"),
    "points_reversed": _("points entry reversed"),
}

EMPTY = "—"


def _model_of(entry):
    return entry.content_type.model_class() if entry.content_type_id and entry.content_type else None


def _workflow(model, action: str):
    # Workflows register themselves when their app's services load; the admin and the portal
    # have loaded them by the time an entry is shown.
    from core.workflow import REGISTRY  # noqa: PLC0415 - core.workflow imports accounts.audit

    candidates = [workflow for workflow in REGISTRY if action in workflow.actions]
    for workflow in candidates:
        if model is not None and issubclass(model, workflow.model):
            return workflow
    # Without the object's type (a filter listing the actions), the first workflow naming the step.
    return candidates[0] if model is None and candidates else None


def action_label(entry) -> str:
    """``transition:approve`` → 流转：批准; ``create`` → 新建; an unknown name as it is."""
    action = entry.action
    if action.startswith(TRANSITION_PREFIX):
        step = action.removeprefix(TRANSITION_PREFIX)
        workflow = _workflow(_model_of(entry), step)
        label = workflow.label(step) if workflow is not None else step
        return str(_("step: %(step)s") % {"step": label})
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


def _field(model, key: str):
    if model is None:
        return None
    for name in (key, key.removesuffix("_id")):
        try:
            return model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
    return None


def _value(field, value, choices=None) -> str:
    if value is None or value == "":
        return EMPTY
    if choices is None and field is not None and getattr(field, "flatchoices", None):
        choices = dict(field.flatchoices)
    if choices and not isinstance(value, list | dict) and value in choices:
        return str(choices[value])
    if isinstance(value, bool) or isinstance(field, models.BooleanField):
        return str(pgettext_lazy("answer", "yes") if value else pgettext_lazy("answer", "no"))
    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return f"{moment:%Y-%m-%d %H:%M}"
    if isinstance(value, list):
        return "、".join(_value(field, item, choices) for item in value) or EMPTY
    return str(value)


def _record_name(field, value):
    """A referenced record by its name (one query): for one entry's page, not for lists."""
    row = field.related_model._base_manager.filter(pk=value).first()
    return str(row) if row is not None else f"#{value}"


def change_rows(entry, *, names: bool = False) -> list[tuple[str, str, str]]:
    """The entry's changes as (field label, old, new), in the reader's language; with ``names``,
    references read as the records' names (a query each) rather than their ids."""
    model = _model_of(entry)
    rows = []
    workflow = None
    if entry.action.startswith(TRANSITION_PREFIX):
        workflow = _workflow(model, entry.action.removeprefix(TRANSITION_PREFIX))
    for key, change in (entry.changes or {}).items():
        old, new = change if isinstance(change, list) and len(change) == 2 else (None, change)
        if key == "state" and workflow is not None:
            states = workflow.choices()
            field = _field(model, workflow.state_field) if isinstance(workflow.state_field, str) else None
            label = field.verbose_name if field is not None else _("state")
            rows.append((str(label), _value(None, old, states), _value(None, new, states)))
            continue
        field = _field(model, key)
        label = field.verbose_name if field is not None else key
        if names and field is not None and field.many_to_one:
            old, new = (_record_name(field, v) if v not in (None, "") else None for v in (old, new))
        rows.append((str(label), _value(field, old), _value(field, new)))
    return rows


def changes_text(entry, limit: int | None = None) -> str:
    """One line: 状态：已联系 → 已申请；电话：*** → ***."""
    rows = change_rows(entry)
    shown = rows[:limit] if limit else rows
    separator = str(pgettext_lazy("list separator", "; "))
    text = separator.join(
        str(_("%(field)s: %(old)s → %(new)s") % {"field": label, "old": old, "new": new})
        for label, old, new in shown
    )
    if limit and len(rows) > limit:
        text += separator + "…"
    return text
