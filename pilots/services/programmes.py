"""Programmes: editing, the publication workflow (``PROGRAMMES``) and the designation of pilots."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from accounts import audit, notices
from accounts.models import Organization
from core.workflow import Actor, Transition, Workflow

from ..models import Pilot, Programme, PublicationState
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
            (PublicationState.ANNOUNCED,),
            PublicationState.LIST_PUBLISHED,
            gettext_lazy("Publish the pilot list"),
            "issuer",
            confirm=gettext_lazy("The pilot list becomes public."),
        ),
    )

    def actor_issuer(self, programme, user):
        return Actor.unless_refused(
            lambda: _require_issuer(programme, user), lambda: issuing_bureau_of(user, programme)
        )

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

    def notify(self, programme, step, by, source):
        if step.name != "publish_list":
            return
        pilots = Pilot.objects.filter(programme=programme).select_related("organization")
        notices.notify(
            notices.members_of([p.organization for p in pilots]),
            title=_("Pilot list published: %(title)s") % {"title": programme.title},
            link=reverse("pilots:programme-pilots", args=[programme.pk]),
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
