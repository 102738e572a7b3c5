"""Who is who: the applicant's members, the officers who may file on their behalf, the street office
and the issuing bureau."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from accounts.models import Organization, OrganizationKind
from accounts.scoping import GOVERNMENT_EDITING_ROLES, acting_organization, scope_for

# --- who is who ---------------------------------------------------------------------------


def is_applicant_member(user, application) -> bool:
    return acting_organization(user, among=[application.organization_id]) is not None


def files_on_behalf(user, application) -> bool:
    """A government officer whose region covers the site may file for the applicant."""
    return scope_for(user).covers_region(application.site_region, edit=True)


def street_office_of(user, application) -> Organization | None:
    """The street office of the site's street in which ``user`` is an officer, if any."""
    street = application.street
    if street is None:
        return None
    kinds = {OrganizationKind.STREET_OFFICE}
    return acting_organization(user, kinds=kinds, roles=GOVERNMENT_EDITING_ROLES, region=street)


def issuing_bureau_of(user, programme) -> Organization | None:
    """The issuing organisation of ``programme`` in which ``user`` is an officer, if any."""
    return acting_organization(user, roles=GOVERNMENT_EDITING_ROLES, among=programme.issuers.all())


def _require_issuer(programme, by):
    if by.is_superuser:
        return
    if issuing_bureau_of(by, programme) is None:
        raise PermissionDenied(_("Only an officer of an issuing bureau can do this."))
