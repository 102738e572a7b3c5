"""Every operation on programmes, applications and pilots that changes state or enforces a rule.

The review workflow is the table ``TRANSITIONS``; :func:`transition` is the one function that
moves an application: it locks the row, checks the table and the actor, records the opinion and
the audit entry in one transaction, and sends the notices after commit. A double click or a
second reviewer arriving late changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from stdnum.cn import uscc

from accounts import audit, notices
from accounts.models import Organization, OrganizationKind, Role
from accounts.scoping import GOVERNMENT_EDITING_ROLES, scope_for
from accounts.uploads import check_upload

from .models import (
    LIVE_STATUSES,
    Application,
    ApplicationStatus,
    ApplicationVersion,
    Attachment,
    Decision,
    MilestoneStatus,
    Mode,
    Opinion,
    PhaseKind,
    Pilot,
    PilotMilestone,
    PilotType,
    Programme,
    Stage,
)

S = ApplicationStatus

# The form fields an application must fill before it is submitted (001, 附件2).
REQUIRED_FIELDS = (
    "unit_introduction",
    "project_lead",
    "phone",
    "background",
    "goals",
    "execution_plan",
    "guarantee_premises",
    "guarantee_resources",
    "guarantee_staff",
    "guarantee_funds",
)
EDITABLE_FIELDS = ("site_region", "site_address", *REQUIRED_FIELDS)


# --- who is who ---------------------------------------------------------------------------


def _active_memberships(user):
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_membership_cache", None)
    if cached is None:
        cached = list(
            user.memberships.filter(is_active=True, organization__is_active=True).select_related(
                "organization__region"
            )
        )
        user._membership_cache = cached
    return cached


def is_applicant_member(user, application) -> bool:
    return any(
        m.organization_id == application.organization_id and m.role != Role.VIEWER
        for m in _active_memberships(user)
    )


def files_on_behalf(user, application) -> bool:
    """A government officer whose region covers the site may file for the applicant."""
    return scope_for(user).covers_region(application.site_region, edit=True)


def street_office_of(user, application) -> Organization | None:
    """The street office of the site's street in which ``user`` is an officer, if any."""
    street = application.street
    if street is None:
        return None
    for m in _active_memberships(user):
        if (
            m.organization.kind == OrganizationKind.STREET_OFFICE
            and m.role in GOVERNMENT_EDITING_ROLES
            and m.organization.region_id == street.pk
        ):
            return m.organization
    return None


def issuing_bureau_of(user, programme) -> Organization | None:
    """The issuing organisation of ``programme`` in which ``user`` is an officer, if any."""
    issuer_ids = {organization.pk for organization in programme.issuers.all()}
    for m in _active_memberships(user):
        if m.organization_id in issuer_ids and m.role in GOVERNMENT_EDITING_ROLES:
            return m.organization
    return None


# --- the workflow -------------------------------------------------------------------------


@dataclass(frozen=True)
class Transition:
    action: str
    source: str
    target: str
    actor: str  # "applicant", "street" or "bureau"
    stage: str | None = None
    decision: str | None = None


TRANSITIONS = [
    Transition("submit", S.DRAFT, S.SUBMITTED, "applicant"),
    Transition("submit", S.RETURNED, S.SUBMITTED, "applicant"),
    Transition("recommend", S.SUBMITTED, S.RECOMMENDED, "street", Stage.STREET, Decision.RECOMMEND),
    Transition("return", S.SUBMITTED, S.RETURNED, "street", Stage.STREET, Decision.RETURN),
    Transition(
        "not_recommend", S.SUBMITTED, S.NOT_RECOMMENDED, "street", Stage.STREET, Decision.NOT_RECOMMEND
    ),
    Transition("approve", S.RECOMMENDED, S.APPROVED, "bureau", Stage.BUREAU, Decision.APPROVE),
    Transition("return", S.RECOMMENDED, S.RETURNED, "bureau", Stage.BUREAU, Decision.RETURN),
    Transition("reject", S.RECOMMENDED, S.REJECTED, "bureau", Stage.BUREAU, Decision.REJECT),
]
ACTIONS = ("submit", "recommend", "return", "not_recommend", "approve", "reject")
ACTION_LABELS = {
    "submit": gettext_lazy("Submit"),
    "recommend": Decision.RECOMMEND.label,
    "return": Decision.RETURN.label,
    "not_recommend": Decision.NOT_RECOMMEND.label,
    "approve": Decision.APPROVE.label,
    "reject": Decision.REJECT.label,
}


def find_transition(action: str, status: str) -> Transition | None:
    return next((t for t in TRANSITIONS if t.action == action and t.source == status), None)


def actor_organization(user, application, actor: str):
    """(allowed, organisation acting, reason)."""
    if actor == "applicant":
        if is_applicant_member(user, application):
            return True, application.organization, ""
        if files_on_behalf(user, application):
            return True, application.organization, ""
        return False, None, _("Only the applicant unit (or an officer filing for it) can submit.")
    if actor == "street":
        office = street_office_of(user, application)
        if office is not None:
            return True, office, ""
        street = application.street
        return (
            False,
            None,
            _("Only an officer of %(street)s's street office gives the street opinion.")
            % {"street": street.name if street else _("the site's street")},
        )
    office = issuing_bureau_of(user, application.programme)
    if office is not None:
        return True, office, ""
    return False, None, _("Only an officer of an issuing bureau gives the final opinion.")


def can(user, application, action: str) -> tuple[bool, str]:
    """(allowed, reason): whether ``user`` may take ``action`` now; the portal shows the reason."""
    step = find_transition(action, application.status)
    if step is None:
        return False, _("“%(action)s” is not possible while the application is “%(status)s”.") % {
            "action": ACTION_LABELS.get(action, action),
            "status": application.get_status_display(),
        }
    allowed, _organization, reason = actor_organization(user, application, step.actor)
    return allowed, reason


def available_actions(user, application) -> list[str]:
    return [action for action in ACTIONS if can(user, application, action)[0]]


def transition(
    application: Application,
    action: str,
    *,
    by,
    text: str = "",
    scan=None,
    quota_override_reason: str = "",
    today=None,
) -> Application:
    """Move ``application`` by ``action`` (submit, recommend, return, not_recommend, approve,
    reject). Raises PermissionDenied for the wrong actor and ValidationError for the wrong state
    or a failed rule. Repeating the action just taken (a double click) changes nothing."""
    if action not in ACTIONS:
        raise ValidationError(_("Unknown action “%(action)s”.") % {"action": action})
    if scan is not None:
        check_upload(scan)
    with transaction.atomic():
        locked = (
            Application.objects.select_for_update(of=("self",))
            .select_related("programme", "site_region__parent", "organization")
            .get(pk=application.pk)
        )
        step = find_transition(action, locked.status)
        if step is None:
            if _already_done(locked, action, by):
                return locked  # a double click: the first click already did it
            raise ValidationError(
                _("“%(action)s” is not possible: the application is now “%(status)s”.")
                % {"action": ACTION_LABELS[action], "status": locked.get_status_display()},
                code="invalid_state",
            )
        allowed, organization, reason = actor_organization(by, locked, step.actor)
        if not allowed:
            raise PermissionDenied(reason)
        source = locked.status
        if step.action == "submit":
            problems = eligibility_problems(locked, today=today)
            if problems:
                raise ValidationError(problems, code="ineligible")
            locked.version += 1
            locked.submitted_at = timezone.now()
            ApplicationVersion.objects.create(
                application=locked, number=locked.version, data=snapshot(locked), submitted_by=by
            )
        else:
            if (
                step.decision in (Decision.RETURN, Decision.NOT_RECOMMEND, Decision.REJECT)
                and not text.strip()
            ):
                raise ValidationError({"text": _("Give the reason in the opinion.")})
            if step.decision == Decision.APPROVE:
                _check_quota(locked, quota_override_reason)
            opinion = Opinion(
                application=locked,
                stage=step.stage,
                decision=step.decision,
                text=text.strip(),
                officer=by,
                organization=organization,
                version=locked.version,
                quota_override_reason=quota_override_reason.strip(),
            )
            if scan is not None:
                opinion.scan.save(scan.name, scan, save=False)
            opinion.save()
            if step.target in (S.APPROVED, S.REJECTED, S.NOT_RECOMMENDED):
                locked.decided_at = timezone.now()
        locked.status = step.target
        with audit.audit_context(actor=by):
            locked.save()
            audit.record_transition(
                locked, action, from_state=source, to_state=step.target, note=text.strip()
            )
            if step.target == S.APPROVED:
                create_pilot_from(locked, by=by)
        _notify(locked, step, by)
    return locked


def _already_done(application: Application, action: str, by) -> bool:
    """Whether ``by`` just took this very action, so a repeat is a double click, not an error."""
    if action == "submit":
        # Only someone who may submit it is told "already done"; anyone else is refused below.
        submit = next(t for t in TRANSITIONS if t.action == "submit")
        return application.status == S.SUBMITTED and actor_organization(by, application, submit.actor)[0]
    last = application.opinions.order_by("-at", "-id").first()
    return (
        last is not None
        and last.officer_id == by.pk
        and any(
            t.action == action and t.decision == last.decision and t.target == application.status
            for t in TRANSITIONS
        )
    )


def _check_quota(application: Application, reason: str) -> None:
    """Approving past a type's quota needs a written reason. Approvals of one programme are
    serialised by locking the programme row, so two officers cannot both take the last place."""
    programme = Programme.objects.select_for_update(of=("self",)).get(pk=application.programme_id)
    quota = programme.quotas.filter(pilot_type=application.pilot_type).values_list("quota", flat=True).first()
    taken = Pilot.objects.filter(programme=programme, pilot_type=application.pilot_type).count()
    if quota is not None and taken >= quota and not reason.strip():
        raise ValidationError(
            {
                "quota_override_reason": _(
                    "The quota of %(quota)d %(type)s is reached (%(taken)d approved): "
                    "give a written reason to approve beyond it."
                )
                % {"quota": quota, "type": application.get_pilot_type_display(), "taken": taken}
            },
            code="quota",
        )


def _notify(application, step, by):
    link = reverse("pilots:application-detail", args=[application.pk])
    title = _("Application %(number)s: %(status)s") % {
        "number": application.pk,
        "status": application.get_status_display(),
    }
    body = " · ".join(
        [
            application.programme.title,
            application.organization.name,
            str(application.get_pilot_type_display()),
        ]
    )
    recipients = notices.members_of([application.organization])
    if step.target == S.SUBMITTED:
        street = application.street
        offices = (
            Organization.objects.filter(kind=OrganizationKind.STREET_OFFICE, region=street) if street else []
        )
        recipients = notices.members_of(offices, roles=GOVERNMENT_EDITING_ROLES)
    elif step.target == S.RECOMMENDED:
        recipients += notices.members_of(application.programme.issuers.all(), roles=GOVERNMENT_EDITING_ROLES)
    notices.notify(
        [user for user in recipients if user.pk != by.pk] or recipients, title=title, body=body, link=link
    )


# --- applications -------------------------------------------------------------------------


def snapshot(application: Application) -> dict:
    data = {name: getattr(application, name) for name in REQUIRED_FIELDS}
    data.update(
        programme=application.programme.title,
        organization=application.organization.name,
        pilot_type=application.get_pilot_type_display(),
        site_region=str(application.site_region),
        site_address=application.site_address,
        attachments=[a.name for a in application.attachments.all()],
    )
    return data


def eligibility_problems(application: Application, today=None) -> list[str]:
    """Each reason the application cannot be submitted now (001, 申报条件); empty if none."""
    problems = []
    programme = application.programme
    if not programme.application_window_open(today):
        phase = programme.phase(PhaseKind.APPLICATION)
        if programme.mode != Mode.CALL:
            problems.append(_("This programme designates its pilots directly and takes no applications."))
        elif phase is None or programme.announced_at is None:
            problems.append(_("The call is not open for applications."))
        else:
            problems.append(
                _("Applications are accepted from %(start)s to %(end)s.")
                % {"start": phase.starts_on.isoformat(), "end": phase.ends_on.isoformat()}
            )
    site = application.site_region
    if not site.code.startswith(programme.region.code):
        problems.append(
            _("The site %(site)s lies outside the programme's region %(region)s.")
            % {"site": site.name, "region": programme.region.name}
        )
    if application.street is None:
        problems.append(_("Choose the site down to its street/town or community."))
    if not programme.quotas.filter(pilot_type=application.pilot_type).exists():
        problems.append(
            _("The programme does not call for %(type)s.") % {"type": application.get_pilot_type_display()}
        )
    organization = application.organization
    if application.pilot_type == PilotType.PROPERTY_PLUS_CARE:
        if organization.kind != OrganizationKind.PROPERTY_COMPANY:
            problems.append(_("A property-plus-care pilot is applied for by a property-management company."))
        elif not organization.has_property_licence:
            problems.append(
                _("The company's property-management licence has not been confirmed by the bureau.")
            )
        if not uscc.is_valid(organization.credit_code or ""):
            problems.append(_("The company has no valid unified social credit code."))
    duplicate = Application.objects.filter(
        programme=programme,
        organization=organization,
        pilot_type=application.pilot_type,
        status__in=LIVE_STATUSES,
    ).exclude(pk=application.pk)
    if duplicate.exists():
        problems.append(_("Your unit already has a live application of this type in this programme."))
    labels = {name: Application._meta.get_field(name).verbose_name for name in REQUIRED_FIELDS}
    missing = [
        str(labels[name]) for name in REQUIRED_FIELDS if not str(getattr(application, name) or "").strip()
    ]
    if missing:
        problems.append(_("Fill in: %(fields)s.") % {"fields": "、".join(missing)})
    return problems


def create_application(
    *, by, programme: Programme, organization: Organization, pilot_type: str, site_region, **fields
) -> Application:
    """A draft. The applicant's members create it, or an officer of the site's region for them."""
    application = Application(
        programme=programme,
        organization=organization,
        pilot_type=pilot_type,
        site_region=site_region,
        created_by=by,
        **{k: v for k, v in fields.items() if k in EDITABLE_FIELDS},
    )
    if not (is_applicant_member(by, application) or files_on_behalf(by, application)):
        raise PermissionDenied(_("You can only apply for your own unit."))
    if programme.mode != Mode.CALL or programme.announced_at is None:
        raise ValidationError(_("The call is not open for applications."))
    if not programme.quotas.filter(pilot_type=pilot_type).exists():
        raise ValidationError(
            {
                "pilot_type": _("The programme does not call for %(type)s.")
                % {"type": PilotType(pilot_type).label}
            }
        )
    try:
        with transaction.atomic(), audit.audit_context(actor=by):
            application.full_clean(exclude=["created_by"], validate_constraints=False)
            application.save()
    except IntegrityError as exc:
        raise ValidationError(
            _("Your unit already has a live application of this type in this programme.")
        ) from exc
    return application


def update_application(application: Application, *, by, **fields) -> Application:
    with transaction.atomic():
        locked = Application.objects.select_for_update(of=("self",)).get(pk=application.pk)
        if not (is_applicant_member(by, locked) or files_on_behalf(by, locked)):
            raise PermissionDenied(_("You can only edit your own unit's application."))
        if not locked.is_editable_by_applicant:
            raise ValidationError(
                _("The application is “%(status)s” and cannot be edited now.")
                % {"status": locked.get_status_display()}
            )
        for name, value in fields.items():
            if name in EDITABLE_FIELDS:
                setattr(locked, name, value)
        locked.full_clean(exclude=["created_by"], validate_constraints=False)
        with audit.audit_context(actor=by):
            locked.save()
    return locked


def add_attachment(application: Application, *, by, upload, name: str = "") -> Attachment:
    if not (is_applicant_member(by, application) or files_on_behalf(by, application)):
        raise PermissionDenied(_("You can only add files to your own unit's application."))
    content_type = check_upload(upload)
    with transaction.atomic():
        # Checked on the locked row: a submission in between wins.
        locked = Application.objects.select_for_update(of=("self",)).get(pk=application.pk)
        if not locked.is_editable_by_applicant:
            raise ValidationError(_("Files can be added while the application is a draft or returned."))
        attachment = Attachment(
            application=locked,
            name=(name or upload.name)[:200],
            content_type=content_type,
            size=upload.size,
            uploaded_by=by,
        )
        attachment.file.save(upload.name, upload, save=False)
        attachment.save()
        audit.record(locked, "attachment_added", note=attachment.name, actor=by)
    return attachment


def remove_attachment(attachment: Attachment, *, by) -> None:
    application = attachment.application
    if not (is_applicant_member(by, application) or files_on_behalf(by, application)):
        raise PermissionDenied(_("You can only remove files from your own unit's application."))
    if not application.is_editable_by_applicant:
        raise ValidationError(_("Files can be removed while the application is a draft or returned."))
    audit.record(application, "attachment_removed", note=attachment.name, actor=by)
    attachment.file.delete(save=False)
    attachment.delete()


# --- programmes and pilots ----------------------------------------------------------------


def _require_issuer(programme, by):
    if by.is_superuser:
        return
    if issuing_bureau_of(by, programme) is None:
        raise PermissionDenied(_("Only an officer of an issuing bureau can do this."))


PROGRAMME_FIELDS = ("title", "document_number", "mode", "region", "description")


def programme_problems(*, by, region, issuers) -> dict:
    """Field -> why ``by`` may not issue a programme over ``region`` with ``issuers``: it lies
    within the officer's region and the officer's own bureau is among its issuers."""
    problems = {}
    if region is not None and not by.scope.covers_region(region, edit=True):
        problems["region"] = _("Choose a region within your own.")
    if issuers is not None and not by.is_superuser:
        own = set(by.scope.organization_ids(edit=True))
        if not any(issuer.pk in own for issuer in issuers):
            problems["issuers"] = _("Your own bureau must be among the issuing organisations.")
    return problems


def save_programme(instance: Programme | None, *, by, issuers, **fields) -> Programme:
    """Prepare or change a programme. Its announcement and the publication of its pilot list are
    not fields: they are :func:`announce` and :func:`publish_pilot_list`."""
    programme = instance or Programme()
    for name, value in fields.items():
        if name not in PROGRAMME_FIELDS:
            raise ValidationError(_("Unknown field %(name)s.") % {"name": name})
        setattr(programme, name, value)
    issuers = list(issuers)
    problems = programme_problems(
        by=by, region=programme.region if programme.region_id else None, issuers=issuers
    )
    if problems:
        raise ValidationError(problems)
    programme.full_clean(exclude=["issuers"])
    with transaction.atomic(), audit.audit_context(actor=by):
        programme.save()
        programme.issuers.set(issuers)
    return programme


def announce(programme: Programme, *, by) -> Programme:
    _require_issuer(programme, by)
    if programme.announced_at is None:
        programme.announced_at = timezone.now()
        with audit.audit_context(actor=by):
            programme.save(update_fields=["announced_at"])
    return programme


def publish_pilot_list(programme: Programme, *, by) -> Programme:
    """Make the programme's pilot list public (the public page and the API)."""
    _require_issuer(programme, by)
    with transaction.atomic():
        locked = Programme.objects.select_for_update(of=("self",)).get(pk=programme.pk)
        if locked.list_published_at is None:
            locked.list_published_at = timezone.now()
            with audit.audit_context(actor=by):
                locked.save(update_fields=["list_published_at"])
                audit.record_transition(
                    locked, "publish_list", from_state="unpublished", to_state="published"
                )
            pilots = Pilot.objects.filter(programme=locked).select_related("organization")
            notices.notify(
                notices.members_of([p.organization for p in pilots]),
                title=_("Pilot list published: %(title)s") % {"title": locked.title},
                link=reverse("pilots:programme-pilots", args=[locked.pk]),
            )
    return locked


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


def designate_pilot(
    programme: Programme,
    *,
    by,
    organization: Organization,
    pilot_type: str,
    site_region,
    site_address: str = "",
) -> Pilot:
    """000: the bureau designates a pilot directly, without an application."""
    _require_issuer(programme, by)
    if not site_region.code.startswith(programme.region.code):
        raise ValidationError(
            {
                "site_region": _("The site %(site)s lies outside the programme's region %(region)s.")
                % {"site": site_region.name, "region": programme.region.name}
            }
        )
    with transaction.atomic(), audit.audit_context(actor=by):
        try:
            with transaction.atomic():
                pilot = Pilot.objects.create(
                    programme=programme,
                    organization=organization,
                    pilot_type=pilot_type,
                    site_region=site_region,
                    site_address=site_address,
                )
        except IntegrityError as exc:
            raise ValidationError(
                _("%(unit)s is already a pilot of this type in this programme.") % {"unit": organization.name}
            ) from exc
        _attach_milestones(pilot)
        notices.notify(
            notices.members_of([organization]),
            title=_("Designated as a pilot: %(title)s") % {"title": programme.title},
            link=reverse("pilots:programme-pilots", args=[programme.pk]),
        )
    return pilot


def _attach_milestones(pilot: Pilot) -> None:
    PilotMilestone.objects.bulk_create(
        [PilotMilestone(pilot=pilot, milestone=m) for m in pilot.programme.milestones.all()]
    )


def complete_milestone(pilot_milestone: PilotMilestone, *, by, completed_on=None, evidence: str = ""):
    pilot = pilot_milestone.pilot
    _require_pilot_editor(pilot, by)
    if not evidence.strip():
        raise ValidationError(
            {
                "evidence": _("Describe the evidence: %(what)s")
                % {"what": pilot_milestone.milestone.evidence or _("what was done")}
            }
        )
    pilot_milestone.status = MilestoneStatus.DONE
    pilot_milestone.completed_on = completed_on or timezone.localdate()
    pilot_milestone.evidence = evidence.strip()
    pilot_milestone.save()
    audit.record(pilot, "milestone_done", note=str(pilot_milestone.milestone), actor=by)
    return pilot_milestone


def _require_pilot_editor(pilot: Pilot, by) -> None:
    if not Pilot.objects.editable_by(by).filter(pk=pilot.pk).exists():
        raise PermissionDenied(_("You may not update this pilot."))


def add_showcase_case(pilot: Pilot, *, by, title: str, text: str, photo=None):
    """A showcase case (特色服务案例) of the pilot, with an optional photo checked by content."""
    from accounts.uploads import IMAGE_KINDS

    from .models import ShowcaseCase

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
