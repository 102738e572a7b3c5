"""Applications: editing, eligibility, the quota and the review workflow (``APPLICATIONS``; a double
click or a second reviewer arriving late changes nothing)."""

from __future__ import annotations

from functools import partialmethod

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from stdnum.cn import uscc

from accounts import audit, notices
from accounts.models import Organization, OrganizationKind
from accounts.scoping import GOVERNMENT_EDITING_ROLES, GOVERNMENT_KINDS, scope_for
from accounts.uploads import check_upload
from core.workflow import Actor, Transition, Workflow
from regions.models import region_subtree

from ..models import (
    LIVE_STATUSES,
    Application,
    ApplicationStatus,
    ApplicationVersion,
    Attachment,
    Decision,
    Mode,
    Opinion,
    PhaseKind,
    Pilot,
    PilotType,
    Programme,
    Stage,
)
from .access import files_on_behalf, is_applicant_member, issuing_bureau_of, street_office_of
from .pilots import create_pilot_from

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


# --- the workflow -------------------------------------------------------------------------

# The portal sends one form (opinion, scan, quota reason) whichever button is pressed.
REVIEW_INPUTS = ("text", "scan", "quota_override_reason", "today")
# Who must give the reason in the opinion.
REASONED = (Decision.RETURN, Decision.NOT_RECOMMEND, Decision.REJECT)


# What each step does, as the page asking for it says; the irreversible ones are the steps'
# ``confirm``.
CONSEQUENCES = {
    "submit": gettext_lazy("The application goes to the street office for its opinion."),
    "withdraw": gettext_lazy(
        "The submission is taken back: the application becomes a draft again, the street office is "
        "told and reviews it only once you submit again."
    ),
    "recommend": gettext_lazy(
        "The street recommends the application: it goes to the issuing bureau, and the unit is told."
    ),
    "return": gettext_lazy(
        "The application goes back to the unit for revision with your opinion; the unit can change "
        "it and submit it again."
    ),
    "not_recommend": gettext_lazy(
        "The application ends here: it does not go to the bureau and cannot be submitted again. "
        "The unit is told with your opinion."
    ),
    "approve": gettext_lazy(
        "The application is approved: the unit becomes a pilot of this programme with its "
        "milestones and is told. An approval cannot be undone."
    ),
    "reject": gettext_lazy(
        "The application is rejected for good: it cannot be submitted again, and the unit is told "
        "with your opinion."
    ),
}


class ApplicationFlow(Workflow):
    """The review of an application (001): submit, the street's opinion, the bureau's decision.
    Each opinion is an ``Opinion`` row of the acting office; approval creates the pilot."""

    model = Application
    select_related = ("programme", "site_region__parent", "organization")
    transitions = (
        Transition(
            "submit", (S.DRAFT, S.RETURNED), S.SUBMITTED, gettext_lazy("Submit"), "applicant", REVIEW_INPUTS
        ),
        Transition(
            "withdraw",
            (S.SUBMITTED,),
            S.DRAFT,
            gettext_lazy("Withdraw the submission"),
            "submitter",
            ("text",),
            confirm=CONSEQUENCES["withdraw"],
        ),
        Transition(
            "recommend", (S.SUBMITTED,), S.RECOMMENDED, Decision.RECOMMEND.label, "street", REVIEW_INPUTS
        ),
        Transition("return", (S.SUBMITTED,), S.RETURNED, Decision.RETURN.label, "street", REVIEW_INPUTS),
        Transition(
            "not_recommend",
            (S.SUBMITTED,),
            S.NOT_RECOMMENDED,
            Decision.NOT_RECOMMEND.label,
            "street",
            REVIEW_INPUTS,
            confirm=CONSEQUENCES["not_recommend"],
        ),
        Transition(
            "approve",
            (S.RECOMMENDED,),
            S.APPROVED,
            Decision.APPROVE.label,
            "bureau",
            REVIEW_INPUTS,
            confirm=CONSEQUENCES["approve"],
        ),
        Transition("return", (S.RECOMMENDED,), S.RETURNED, Decision.RETURN.label, "bureau", REVIEW_INPUTS),
        Transition(
            "reject",
            (S.RECOMMENDED,),
            S.REJECTED,
            Decision.REJECT.label,
            "bureau",
            REVIEW_INPUTS,
            confirm=CONSEQUENCES["reject"],
        ),
    )

    def actor_applicant(self, application, user):
        if is_applicant_member(user, application) or files_on_behalf(user, application):
            return Actor(True, application.organization)
        return Actor.refuse(_("Only the applicant unit (or an officer filing for it) can submit."))

    def actor_submitter(self, application, user):
        """The applicant's members, or the officer who filed this version on its behalf."""
        if is_applicant_member(user, application):
            return Actor(True, application.organization)
        filed = application.versions.filter(number=application.version, submitted_by=user).exists()
        if filed and files_on_behalf(user, application):
            return Actor(True, application.organization)
        return Actor.refuse(_("Only the applicant unit can withdraw its submission."))

    def actor_street(self, application, user):
        office = street_office_of(user, application)
        if office is not None:
            return Actor(True, office)
        street = application.street
        return Actor.refuse(
            _("Only an officer of %(street)s's street office gives the street opinion.")
            % {"street": street.name if street else _("the site's street")}
        )

    def actor_bureau(self, application, user):
        office = issuing_bureau_of(user, application.programme)
        if office is not None:
            return Actor(True, office)
        return Actor.refuse(_("Only an officer of an issuing bureau gives the final opinion."))

    def wrong_state_message(self, application, action):
        return _("“%(action)s” is not possible while the application is “%(status)s”.") % {
            "action": self.label(action),
            "status": application.get_status_display(),
        }

    def already_done(self, application, step, by):
        """A submission is done whoever of the applicant clicked; an opinion only when the last
        one is this officer's, with this decision."""
        if step.name == "submit":
            return True
        if step.name == "withdraw":
            return application.version > 0  # a draft that was submitted once and taken back
        last = application.opinions.order_by("-at", "-id").first()
        return last is not None and last.officer_id == by.pk and last.decision == step.name

    def _check_scan(self, by, scan=None, **inputs):
        if scan is not None:
            check_upload(scan)

    prepare_submit = prepare_recommend = prepare_return = _check_scan
    prepare_not_recommend = prepare_approve = prepare_reject = _check_scan

    def check_submit(self, application, by, today=None, **inputs):
        problems = eligibility_problems(application, today=today)
        if problems:
            raise ValidationError(problems, code="ineligible")

    def apply_submit(self, application, by, actor, **inputs):
        application.version += 1
        application.submitted_at = timezone.now()
        ApplicationVersion.objects.create(
            application=application, number=application.version, data=snapshot(application), submitted_by=by
        )

    def check_withdraw(self, application, by, text="", **inputs):
        if application.opinions.filter(version=application.version).exists():
            raise ValidationError(_("The review has begun: the submission can no longer be withdrawn."))

    def apply_withdraw(self, application, by, actor, text="", **inputs):
        application.withdrawal_reason = text.strip()  # for the notice; the audit keeps it too

    def _check_opinion(self, decision, application, by, text="", quota_override_reason="", **inputs):
        if decision in REASONED and not text.strip():
            raise ValidationError({"text": _("Give the reason in the opinion.")})
        if decision == Decision.APPROVE:
            _check_quota(application, quota_override_reason)

    def _record_opinion(
        self, decision, application, by, actor, text="", scan=None, quota_override_reason="", **inputs
    ):
        step = self.step(decision, application.status)
        opinion = Opinion(
            application=application,
            stage=Stage.STREET if step.actor == "street" else Stage.BUREAU,
            decision=decision,
            text=text.strip(),
            officer=by,
            organization=actor.organization,
            version=application.version,
            quota_override_reason=quota_override_reason.strip(),
        )
        if scan is not None:
            opinion.scan.save(scan.name, scan, save=False)
        opinion.save()
        if step.target in (S.APPROVED, S.REJECTED, S.NOT_RECOMMENDED):
            application.decided_at = timezone.now()

    check_recommend = partialmethod(_check_opinion, "recommend")
    check_return = partialmethod(_check_opinion, "return")
    check_not_recommend = partialmethod(_check_opinion, "not_recommend")
    check_approve = partialmethod(_check_opinion, "approve")
    check_reject = partialmethod(_check_opinion, "reject")
    apply_recommend = partialmethod(_record_opinion, "recommend")
    apply_return = partialmethod(_record_opinion, "return")
    apply_not_recommend = partialmethod(_record_opinion, "not_recommend")
    apply_approve = partialmethod(_record_opinion, "approve")
    apply_reject = partialmethod(_record_opinion, "reject")

    def after(self, application, step, by, actor, source, inputs):
        if step.target == S.APPROVED:
            create_pilot_from(application, by=by)

    def notify(self, application, step, by, source):
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
        if step.name == "withdraw" or step.target == S.SUBMITTED:
            street = application.street
            offices = (
                Organization.objects.filter(kind=OrganizationKind.STREET_OFFICE, region=street)
                if street
                else []
            )
            recipients = notices.members_of(offices, roles=GOVERNMENT_EDITING_ROLES)
        elif step.target == S.RECOMMENDED:
            recipients += notices.members_of(
                application.programme.issuers.all(), roles=GOVERNMENT_EDITING_ROLES
            )
        if step.name == "withdraw":
            title = _("Application %(number)s: the applicant withdrew its submission") % {
                "number": application.pk
            }
            reason = getattr(application, "withdrawal_reason", "")
            if reason:
                body = f"{body} · {reason}"
        notices.notify(
            [user for user in recipients if user.pk != by.pk] or recipients, title=title, body=body, link=link
        )


APPLICATIONS = ApplicationFlow()


def can(user, application, action: str) -> tuple[bool, str]:
    """(allowed, reason): whether ``user`` may take ``action`` now; the portal shows the reason."""
    return APPLICATIONS.can(application, user, action)


def transition(application: Application, action: str, *, by, **inputs) -> Application:
    """Move ``application`` by ``action`` (submit, recommend, return, not_recommend, approve,
    reject; inputs: text, scan, quota_override_reason, today). Raises PermissionDenied for the
    wrong actor and ValidationError for the wrong state or a failed rule. Repeating the action
    just taken (a double click) changes nothing."""
    return APPLICATIONS.perform(application, action, by=by, **inputs)


def quota_standing(programme, pilot_type) -> dict | None:
    """The quota of ``pilot_type`` in ``programme``: {quota, taken, remaining, over} (None when the
    programme sets none). ``taken`` counts the pilots already approved or designated."""
    quota = programme.quotas.filter(pilot_type=pilot_type).values_list("quota", flat=True).first()
    if quota is None:
        return None
    taken = Pilot.objects.filter(programme=programme, pilot_type=pilot_type).count()
    return {"quota": quota, "taken": taken, "remaining": max(quota - taken, 0), "over": taken >= quota}


def _check_quota(application: Application, reason: str) -> None:
    """Approving past a type's quota needs a written reason. Approvals of one programme are
    serialised by locking the programme row, so two officers cannot both take the last place."""
    programme = Programme.objects.select_for_update(of=("self",)).get(pk=application.programme_id)
    standing = quota_standing(programme, application.pilot_type)
    if standing is not None and standing["over"] and not reason.strip():
        raise ValidationError(
            {
                "quota_override_reason": _(
                    "The quota of %(quota)d %(type)s is reached (%(taken)d approved): "
                    "give a written reason to approve beyond it."
                )
                % {
                    "quota": standing["quota"],
                    "type": application.get_pilot_type_display(),
                    "taken": standing["taken"],
                }
            },
            code="quota",
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


# --- lists and versions -------------------------------------------------------------------


def without_others_drafts(queryset, user):
    """Drafts are the applicant's unsent work: listed only to the unit's members and to the
    officer who started one on its behalf, never among the applications to review."""
    if user.is_superuser:
        return queryset
    own = scope_for(user).organization_ids(False)
    return queryset.exclude(Q(status=S.DRAFT) & ~Q(organization__in=own) & ~Q(created_by=user.pk))


def awaiting_review(queryset, user):
    """The applications whose next opinion is ``user``'s: submitted ones of the streets of the
    user's street offices, recommended ones of the programmes the user's bureau issued. Only an
    officer or admin of a government office gives opinions (a company's admin never does). The
    application list's "awaiting my opinion" filter and the to-do page both read this."""
    memberships = [
        m
        for m in scope_for(user).memberships
        if m.role in GOVERNMENT_EDITING_ROLES and m.organization.kind in GOVERNMENT_KINDS
    ]
    streets = [
        m.organization.region.code
        for m in memberships
        if m.organization.kind == OrganizationKind.STREET_OFFICE and m.organization.region_id
    ]
    bureaus = [m.organization_id for m in memberships]
    condition = Q(pk__in=[])
    if streets:
        condition |= Q(status=S.SUBMITTED) & region_subtree("site_region", *streets)
    if bureaus:
        condition |= Q(status=S.RECOMMENDED, programme__issuers__in=bureaus)
    return queryset.filter(condition).distinct()


def is_reviewer(user) -> bool:
    """Whether ``user`` gives opinions (an officer of a street office or a bureau)."""
    return any(
        m.role in GOVERNMENT_EDITING_ROLES and m.organization.kind in GOVERNMENT_KINDS
        for m in scope_for(user).memberships
    )


# What a submitted version holds, in the form's order, as compared between two versions.
COMPARED_FIELDS = ("site_region", "site_address", *REQUIRED_FIELDS, "attachments")


def _field_label(name):
    if name == "attachments":
        return _("attachments")
    return Application._meta.get_field(name).verbose_name


def _as_text(value) -> str:
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return "" if value is None else str(value)


def version_changes(old: ApplicationVersion, new: ApplicationVersion) -> list[dict]:
    """Field by field, what ``new`` says against ``old``: [{field, label, old, new, changed}]."""
    rows = []
    for name in COMPARED_FIELDS:
        before, after = _as_text(old.data.get(name)), _as_text(new.data.get(name))
        rows.append(
            {
                "field": name,
                "label": _field_label(name),
                "old": before,
                "new": after,
                "changed": before != after,
            }
        )
    return rows


def default_comparison(application: Application) -> tuple[int, int] | None:
    """The two versions to compare by default: the one last returned (else the one before) and
    the latest; None before a second submission."""
    if application.version < 2:
        return None
    returned = [
        o.version
        for o in application.opinions.all()
        if o.decision == Decision.RETURN and o.version < application.version
    ]
    return (max(returned) if returned else application.version - 1), application.version
