"""Inspections, the violations workflow (``VIOLATIONS``) and alterations."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from accounts import audit
from accounts.uploads import IMAGE_KINDS, check_upload
from core.workflow import Actor, Transition, Workflow

from ..models import Alteration, CareRoom, Inspection, InspectionPhoto, Violation, ViolationState
from .registry import _require_registry_editor

# --- inspections, violations and alterations -------------------------------------------------


def _check_photos(photos) -> None:
    """Each photo by its content, size and name (``check_upload``); every refusal at once,
    beside the photos field."""
    problems = []
    for photo in photos:
        try:
            check_upload(photo, allowed=IMAGE_KINDS)
        except ValidationError as exc:
            problems.extend(exc.messages)
    if problems:
        raise ValidationError({"photos": problems})


def record_inspection(
    *, by, room: CareRoom, inspected_on, findings: str, violations=(), photos=()
) -> Inspection:
    """An inspection with what it found: each violation with its rectification deadline. Photos
    are checked by content."""

    _require_registry_editor(by, room.compound.region)
    if inspected_on > timezone.localdate():
        raise ValidationError({"inspected_on": _("An inspection cannot be recorded before it happens.")})
    if not (findings or "").strip():
        raise ValidationError({"findings": _("Write down what the inspection found.")})
    _check_photos(photos)
    with transaction.atomic(), audit.audit_context(actor=by):
        inspection = Inspection.objects.create(
            room=room, inspected_on=inspected_on, inspector=by, findings=findings
        )
        for item in violations:
            violation = Violation(room=room, found_in=inspection, **item)
            violation.full_clean()
            if violation.rectify_by < inspected_on:
                raise ValidationError(
                    {"rectify_by": _("The rectification deadline lies before the inspection.")}
                )
            violation.save()
        for photo in photos:
            InspectionPhoto.objects.create(
                inspection=inspection, photo=photo, caption=getattr(photo, "name", "")
            )
    return inspection


def add_inspection_photos(inspection: Inspection, photos, *, by) -> list[InspectionPhoto]:
    """Photos for an inspection already recorded (e.g. uploaded later from a phone); each is
    checked by content."""

    _require_registry_editor(by, inspection.room.compound.region)
    photos = list(photos)
    if not photos:
        raise ValidationError({"photos": _("Choose at least one photo.")})
    _check_photos(photos)
    with transaction.atomic():
        saved = [
            InspectionPhoto.objects.create(
                inspection=inspection, photo=photo, caption=getattr(photo, "name", "")
            )
            for photo in photos
        ]
        audit.record(inspection, "photos_added", note=str(len(saved)), actor=by)
    return saved


class ViolationFlow(Workflow):
    """A violation found by an inspection (004): the action taken so far (it is then being
    rectified), and closing, only by a later inspection of the same room that found it put right."""

    model = Violation
    state_field = "state"
    select_related = ("found_in", "room__compound__region")
    transitions = (
        Transition(
            "update",
            (ViolationState.OPEN, ViolationState.RECTIFYING),
            ViolationState.RECTIFYING,
            gettext_lazy("Record the action taken"),
            "registry",
            inputs=("action_taken",),
        ),
        Transition(
            "close",
            (ViolationState.OPEN, ViolationState.RECTIFYING),
            ViolationState.CLOSED,
            pgettext_lazy("violation", "Close"),
            "registry",
            inputs=("inspection", "action_taken"),
        ),
    )

    def actor_registry(self, violation, user):
        return Actor.unless_refused(lambda: _require_registry_editor(user, violation.room.compound.region))

    def apply_update(self, violation, by, actor, action_taken=""):
        violation.action_taken = (action_taken or "").strip()

    def check_close(self, violation, by, inspection=None, action_taken=""):
        if inspection is None:
            raise ValidationError({"inspection": _("Choose the later inspection that found it put right.")})
        if inspection.room_id != violation.room_id:
            raise ValidationError({"inspection": _("The inspection is of another room.")})
        if inspection.inspected_on <= violation.found_in.inspected_on:
            raise ValidationError(
                {"inspection": _("Only an inspection after the one that found the violation can close it.")}
            )

    def apply_close(self, violation, by, actor, inspection=None, action_taken=""):
        violation.closed_in = inspection
        if action_taken:
            violation.action_taken = action_taken.strip()


VIOLATIONS = ViolationFlow()


def update_violation(violation: Violation, *, by, action_taken: str) -> Violation:
    """The action taken so far (the violation is then being rectified)."""
    return VIOLATIONS.perform(violation, "update", by=by, action_taken=action_taken)


def close_violation(violation: Violation, *, by, inspection: Inspection, action_taken: str = "") -> Violation:
    """A violation is closed only by a later inspection of the same room that found it put
    right; closing it again changes nothing."""
    return VIOLATIONS.perform(violation, "close", by=by, inspection=inspection, action_taken=action_taken)


def record_alteration(*, by, room: CareRoom, **fields) -> Alteration:
    """004: no change of use or rebuilding without permission — recorded only with the approval
    (number, approving authority, date)."""
    _require_registry_editor(by, room.compound.region)
    alteration = Alteration(room=room, recorded_by=by, **fields)
    missing = [
        name for name in ("approval_number", "approved_by") if not (getattr(alteration, name) or "").strip()
    ]
    if missing or alteration.approved_on is None:
        raise ValidationError(
            {"approval_number": _("A change of use or a rebuilding is recorded only with its approval.")}
        )
    alteration.full_clean(exclude=["recorded_by"])
    with audit.audit_context(actor=by):
        alteration.save()
    return alteration
