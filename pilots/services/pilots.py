"""Pilots: creation from an approved application, the milestones workflow (``MILESTONES``), showcase
cases, the summary report and the demonstration mark."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from accounts import audit
from accounts.scoping import require_editable
from accounts.uploads import IMAGE_KINDS, check_upload
from core.workflow import Actor, Transition, Workflow

from ..models import (
    Application,
    MilestoneEvidence,
    MilestoneStatus,
    Pilot,
    PilotMilestone,
    ShowcaseCase,
)
from .access import _require_issuer


def create_pilot_from(application: Application, *, by) -> Pilot:
    pilot = Pilot.objects.create(
        programme=application.programme,
        organization=application.organization,
        pilot_type=application.pilot_type,
        site_region=application.site_region,
        site_address=application.site_address,
        application=application,
    )
    _attach_milestones(pilot)
    return pilot


def _attach_milestones(pilot: Pilot) -> None:
    PilotMilestone.objects.bulk_create(
        [PilotMilestone(pilot=pilot, milestone=m) for m in pilot.programme.milestones.all()]
    )


class MilestoneFlow(Workflow):
    """A pilot's milestone is done with its evidence (002)."""

    model = PilotMilestone
    select_related = ("pilot", "milestone")
    transitions = (
        Transition(
            "complete",
            (MilestoneStatus.PENDING,),
            MilestoneStatus.DONE,
            pgettext_lazy("milestone", "Mark as done"),
            "pilot_editor",
            inputs=("completed_on", "evidence", "files"),
        ),
    )

    def actor_pilot_editor(self, pilot_milestone, user):
        pilot = pilot_milestone.pilot
        return Actor.unless_refused(lambda: _require_pilot_editor(pilot, user), pilot.organization)

    def prepare_complete(self, by, completed_on=None, evidence="", files=()):
        # Each file is checked by content, size and type before a row is locked.
        problems = []
        for upload in files or ():
            try:
                upload.evidence_content_type = check_upload(upload)
            except ValidationError as exc:
                problems.extend(exc.messages)
        if problems:
            raise ValidationError({"files": problems})

    def check_complete(self, pilot_milestone, by, completed_on=None, evidence="", files=()):
        if not (evidence or "").strip() and not files:
            raise ValidationError(
                {
                    "evidence": _("Describe the evidence or attach it as files: %(what)s")
                    % {"what": pilot_milestone.milestone.evidence or _("what was done")}
                }
            )
        if completed_on and completed_on > timezone.localdate():
            raise ValidationError({"completed_on": _("The completion date cannot be in the future.")})

    def apply_complete(self, pilot_milestone, by, actor, completed_on=None, evidence="", files=()):
        pilot_milestone.completed_on = completed_on or timezone.localdate()
        pilot_milestone.evidence = (evidence or "").strip()
        names = []
        for upload in files or ():
            kept = MilestoneEvidence(
                pilot_milestone=pilot_milestone,
                name=upload.name[:200],
                content_type=upload.evidence_content_type,
                size=upload.size,
                uploaded_by=by,
            )
            kept.file.save(upload.name, upload, save=False)
            kept.save()
            names.append(kept.name)
        note = str(pilot_milestone.milestone)
        if names:
            note = f"{note}（{'、'.join(names)}）"
        audit.record(pilot_milestone.pilot, "milestone_done", note=note, actor=by)


MILESTONES = MilestoneFlow()


def complete_milestone(
    pilot_milestone: PilotMilestone, *, by, completed_on=None, evidence: str = "", files=()
):
    """Mark the milestone done with its evidence: a description, files (photos, scans; checked
    by content, size and type), or both."""
    return MILESTONES.perform(
        pilot_milestone, "complete", by=by, completed_on=completed_on, evidence=evidence, files=list(files)
    )


def _require_pilot_editor(pilot: Pilot, by) -> None:
    require_editable(pilot, by, _("You may not update this pilot."))


def add_showcase_case(pilot: Pilot, *, by, title: str, text: str, photo=None):
    """A showcase case (特色服务案例) of the pilot, with an optional photo checked by content."""

    _require_pilot_editor(pilot, by)
    errors = {}
    if not title.strip():
        errors["title"] = _("Give the case a title.")
    if not text.strip():
        errors["text"] = _("Describe the case.")
    if errors:
        raise ValidationError(errors)
    if photo is not None:
        check_upload(photo, allowed=IMAGE_KINDS)
    case = ShowcaseCase(pilot=pilot, title=title.strip(), text=text.strip())
    if photo is not None:
        case.photo.save(photo.name, photo, save=False)
    case.save()
    audit.record(pilot, "showcase_case_added", note=case.title, actor=by)
    return case


def save_summary_report(pilot: Pilot, *, by, text: str) -> Pilot:
    _require_pilot_editor(pilot, by)
    pilot.summary_report = text.strip()
    with audit.audit_context(actor=by):
        pilot.save(update_fields=["summary_report"])
    return pilot


def set_demonstration(pilot: Pilot, *, by, value: bool) -> Pilot:
    """Only an issuing bureau marks a pilot as a demonstration project (002)."""
    _require_issuer(pilot.programme, by)
    pilot.is_demonstration = value
    with audit.audit_context(actor=by):
        pilot.save(update_fields=["is_demonstration"])
    return pilot
