"""Admin actions that take a workflow step on the selected rows.

The admin is a surface like the portal: a state changes only by a step of the object's workflow
(``core.workflow``), never by typing the state into a form. An action built here first shows a
page that says what will happen and which of the selected rows cannot take the step, and why;
once confirmed it performs the step on each row (locked, checked, audited, notified) and reports
what was done, what had already been done and what was refused, in words, not codes.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from core.workflow import Workflow


def messages_of(exc: Exception) -> list[str]:
    if isinstance(exc, ValidationError):
        return [str(message) for message in exc.messages]
    return [str(exc) or _("You may not do this.")]


class _DryRun(Exception):
    pass


def dry_run_refusal(call) -> ValidationError | None:
    """What a service would refuse, found by running it and rolling it back, so an admin form
    shows the refusal beside its fields with the input kept. Only for services whose every effect
    is in the database (notices go out after the commit, which a rollback cancels)."""
    try:
        with transaction.atomic():
            call()
            raise _DryRun
    except _DryRun:
        return None
    except PermissionDenied as exc:
        return ValidationError(str(exc))
    except ValidationError as exc:
        return exc


def add_refusal(form, refusal: ValidationError, field: str | None = None) -> None:
    """Put a service's refusal on ``form``: beside the fields it names, else beside ``field``."""
    if hasattr(refusal, "error_dict"):
        for name, errors in refusal.error_dict.items():
            form.add_error(name if name in form.fields else field, errors)
    else:
        form.add_error(field, refusal)


def workflow_action(workflow: Workflow, action: str, *, description, consequence, done):
    """An admin action taking ``action`` of ``workflow`` on the selected rows, after a
    confirmation page stating ``consequence``; ``done`` reports the count (``%(count)d``)."""

    def run(model_admin, request, queryset):
        rows = [(obj, *workflow.can(obj, request.user, action)) for obj in queryset]
        if "confirmed" not in request.POST:
            context = {
                **model_admin.admin_site.each_context(request),
                "title": _("%(action)s: are you sure?") % {"action": workflow.label(action)},
                "opts": model_admin.model._meta,
                "rows": rows,
                "any_allowed": any(allowed for _obj, allowed, _reason in rows),
                "action": run.__name__,
                "consequence": consequence,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/confirm_workflow_action.html", context)
        count = already = 0
        for obj, _allowed, _reason in rows:
            before = workflow.state_of(obj)
            try:
                after = workflow.perform(obj, action, by=request.user)
            except (PermissionDenied, ValidationError) as exc:
                model_admin.message_user(request, f"{obj}: {'; '.join(messages_of(exc))}", messages.ERROR)
                continue
            if workflow.state_of(after) == before:
                already += 1
            else:
                count += 1
        if count:
            model_admin.message_user(request, done % {"count": count}, messages.SUCCESS)
        if already:
            model_admin.message_user(
                request,
                _("%(count)d of the selected rows had already been through “%(action)s”: nothing changed.")
                % {"count": already, "action": workflow.label(action)},
                messages.WARNING,
            )

    run.__name__ = action  # the attribute name the admin class gives it
    return admin.action(description=description, permissions=["change"])(run)
