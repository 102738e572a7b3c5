"""Programmes: editing, the publication workflow (``PROGRAMMES``) and the designation of pilots."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from accounts import audit, notices
from accounts.models import Organization
from core.workflow import Actor, Transition, Workflow

from ..models import ApplicationStatus as S
from ..models import PhaseKind, Pilot, Programme, PublicationState
from .access import _require_issuer, issuing_bureau_of
from .pilots import _attach_milestones

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
    return PROGRAMMES.perform(programme, "announce", by=by)


def publish_pilot_list(programme: Programme, *, by) -> Programme:
    """Make the programme's pilot list public (the public page and the API)."""
    return PROGRAMMES.perform(programme, "publish_list", by=by)


def withdraw_pilot_list(programme: Programme, *, by, reason: str) -> Programme:
    """Take a published pilot list back, with the reason the public page and the notices give."""
    return PROGRAMMES.perform(programme, "withdraw_list", by=by, reason=reason)


def publication_warnings(programme: Programme, today=None) -> list[str]:
    """What the bureau should know before publishing the pilot list: the application phase still
    open, drafts not yet submitted, applications still under review."""
    warnings = []
    phase = programme.phase(PhaseKind.APPLICATION)
    if programme.application_window_open(today):
        warnings.append(
            _("The application phase is still open until %(date)s.") % {"date": f"{phase.ends_on:%Y-%m-%d}"}
        )
    counts = dict(
        programme.applications.filter(status__in=[S.DRAFT, S.SUBMITTED, S.RETURNED, S.RECOMMENDED])
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    drafts = counts.get(S.DRAFT, 0) + counts.get(S.RETURNED, 0)
    if drafts:
        warnings.append(
            ngettext(
                "%(count)d application is a draft or returned and not yet submitted.",
                "%(count)d applications are drafts or returned and not yet submitted.",
                drafts,
            )
            % {"count": drafts}
        )
    pending = counts.get(S.SUBMITTED, 0) + counts.get(S.RECOMMENDED, 0)
    if pending:
        warnings.append(
            ngettext(
                "%(count)d submitted application is still awaiting its opinion.",
                "%(count)d submitted applications are still awaiting their opinions.",
                pending,
            )
            % {"count": pending}
        )
    return warnings


class ProgrammeFlow(Workflow):
    """A programme's publication: prepared → announced (the call or the designation is public) →
    pilot list published. The state is read from ``announced_at`` / ``list_published_at``, which
    stay the record of when, so the state and its dates cannot disagree."""

    model = Programme
    states = PublicationState
    state_field = "publication_state"
    transitions = (
        Transition(
            "announce",
            (PublicationState.PREPARED,),
            PublicationState.ANNOUNCED,
            pgettext_lazy("programme", "Announce"),
            "issuer",
        ),
        Transition(
            "publish_list",
            (PublicationState.ANNOUNCED, PublicationState.LIST_WITHDRAWN),
            PublicationState.LIST_PUBLISHED,
            gettext_lazy("Publish the pilot list"),
            "issuer",
            confirm=gettext_lazy(
                "The pilot list becomes public on the public page and in the API, and every pilot "
                "unit is told. It can later be withdrawn only with a reason, which is announced."
            ),
        ),
        Transition(
            "withdraw_list",
            (PublicationState.LIST_PUBLISHED,),
            PublicationState.LIST_WITHDRAWN,
            gettext_lazy("Withdraw the pilot list"),
            "issuer",
            ("reason",),
            confirm=gettext_lazy(
                "The pilot list is taken off the public page and the API; the page says it was "
                "withdrawn, with your reason. The pilot units and the applicants are told, and the "
                "withdrawal is recorded in the audit log. The pilots themselves stay."
            ),
        ),
    )

    def actor_issuer(self, programme, user):
        return Actor.unless_refused(
            lambda: _require_issuer(programme, user), lambda: issuing_bureau_of(user, programme)
        )

    def check_publish_list(self, programme, by):
        if not programme.pilots.exists():
            raise ValidationError(
                _(
                    "The list has no pilots yet: approve applications or designate pilots"
                    " before publishing it."
                )
            )

    def check_withdraw_list(self, programme, by, reason=""):
        if not (reason or "").strip():
            raise ValidationError({"reason": _("Say why the pilot list is withdrawn.")})

    def apply_withdraw_list(self, programme, by, actor, reason=""):
        programme.list_withdrawal_reason = reason.strip()

    def reached(self, programme, step):
        # Announcing a programme whose list is published is a double click too.
        order = list(PublicationState.values)
        return order.index(programme.publication_state) >= order.index(step.target)

    def set_state(self, programme, state):
        if (
            state in (PublicationState.ANNOUNCED, PublicationState.LIST_PUBLISHED)
            and not programme.announced_at
        ):
            programme.announced_at = timezone.now()
        if state == PublicationState.LIST_PUBLISHED and not programme.list_published_at:
            programme.list_published_at = timezone.now()
        if state == PublicationState.LIST_WITHDRAWN:
            programme.list_published_at = None
            programme.list_withdrawn_at = timezone.now()

    def notify(self, programme, step, by, source):
        link = reverse("pilots:programme-pilots", args=[programme.pk])
        pilots = Pilot.objects.filter(programme=programme).select_related("organization")
        if step.name == "publish_list":
            notices.notify(
                notices.members_of([p.organization for p in pilots]),
                title=_("Pilot list published: %(title)s") % {"title": programme.title},
                link=link,
            )
        elif step.name == "withdraw_list":
            applicants = Organization.objects.filter(
                applications__programme=programme, applications__submitted_at__isnull=False
            )
            concerned = {o.pk: o for o in [*(p.organization for p in pilots), *applicants]}
            notices.notify(
                notices.members_of(concerned.values()),
                title=_("Pilot list withdrawn: %(title)s") % {"title": programme.title},
                body=programme.list_withdrawal_reason,
                link=link,
            )


PROGRAMMES = ProgrammeFlow()


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
