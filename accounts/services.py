"""Every operation on accounts that changes state or enforces a rule."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import audit
from .models import ApiToken, Organization, User

# --- login lockout ------------------------------------------------------------------------


def login_allowed(username: str, now=None) -> tuple[bool, str]:
    """(allowed, reason): refused while the account is locked after repeated failures."""
    now = now or timezone.now()
    user = User.objects.filter(username=username).only("locked_until").first() if username else None
    if user is not None and user.is_locked(now):
        minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
        return False, ngettext(
            "This account is locked after too many wrong passwords. Try again in %(minutes)d minute.",
            "This account is locked after too many wrong passwords. Try again in %(minutes)d minutes.",
            minutes,
        ) % {"minutes": minutes}
    return True, ""


def record_login_failure(username: str) -> None:
    """Count a wrong password; the failure that reaches the limit locks the account."""
    if not username:
        return
    limit = settings.LOGIN_FAILURE_LIMIT
    now = timezone.now()
    with transaction.atomic():
        user = User.objects.select_for_update().filter(username=username).first()
        if user is None or user.is_locked(now):
            return
        if user.locked_until is not None:  # the previous lock has run out: count afresh
            user.failed_login_count, user.locked_until = 0, None
        user.failed_login_count += 1
        if user.failed_login_count >= limit:
            user.locked_until = now + timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
        user.save(update_fields=["failed_login_count", "locked_until"])
        if user.locked_until is not None:
            audit.record(user, "login_locked", note=f"{limit} wrong passwords in a row", actor=None)


def record_login_success(user: User) -> None:
    if user.failed_login_count or user.locked_until:
        User.objects.filter(pk=user.pk).update(failed_login_count=0, locked_until=None)
        user.failed_login_count, user.locked_until = 0, None


def unlock(user: User, *, by: User) -> None:
    User.objects.filter(pk=user.pk).update(failed_login_count=0, locked_until=None)
    audit.record(user, "unlock", actor=by)


# --- API tokens -----------------------------------------------------------------------------


def issue_token(
    user: User, *, name: str, read_only: bool = False, expires_days: int | None = None, by: User | None = None
) -> tuple[ApiToken, str]:
    """Create a token for ``user`` and return it with its secret, which is never stored."""
    if not user.is_active:
        raise ValidationError(_("An inactive user cannot be given a token."))
    if by is not None and by != user and not by.is_superuser:
        raise PermissionDenied(_("You can only issue tokens for yourself."))
    if expires_days is not None and expires_days <= 0:
        raise ValidationError({"expires_days": _("The number of days must be positive.")})
    secret = ApiToken.new_secret()
    token = ApiToken(user=user, name=name.strip() or _("Token"), read_only=read_only)
    if expires_days:
        token.expires_at = timezone.now() + timedelta(days=expires_days)
    token.set_secret(secret)
    with audit.audit_context(actor=by or user):
        token.save()
    return token, secret


def revoke_token(token: ApiToken, *, by: User) -> ApiToken:
    if token.user_id != by.pk and not by.is_superuser:
        raise PermissionDenied(_("You can only revoke your own tokens."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        with audit.audit_context(actor=by):
            token.save(update_fields=["revoked_at"])
    return token


# --- organisations ------------------------------------------------------------------------


def _check_region_in_scope(by: User, region) -> None:
    if by.is_superuser:
        return
    if not by.scope.covers_region(region, edit=True):
        raise PermissionDenied(_("You may only register organisations within your own region."))


def create_organization(*, by: User, **fields) -> Organization:
    """Officers register organisations within their region; superusers anywhere."""
    organization = Organization(**fields)
    _check_region_in_scope(by, organization.region)
    organization.full_clean()
    with audit.audit_context(actor=by):
        organization.save()
    return organization


def update_organization(organization: Organization, *, by: User, **fields) -> Organization:
    if not Organization.objects.editable_by(by).filter(pk=organization.pk).exists():
        raise PermissionDenied(_("You may not change this organisation."))
    if "region" in fields and fields["region"] != organization.region and not by.is_superuser:
        if not by.scope.is_government:
            raise PermissionDenied(_("Only an officer can move an organisation to another region."))
        _check_region_in_scope(by, fields["region"])
    # The licence is what makes a company eligible for a property-plus-care pilot: only
    # government officers of its region confirm it.
    licence_changed = (
        "has_property_licence" in fields
        and fields["has_property_licence"] != organization.has_property_licence
    )
    if licence_changed and not (by.is_superuser or by.scope.covers_region(organization.region, edit=True)):
        raise PermissionDenied(_("Only an officer of the region can confirm a property-management licence."))
    for key, value in fields.items():
        setattr(organization, key, value)
    organization.full_clean()
    with audit.audit_context(actor=by):
        organization.save()
    return organization


# --- housekeeping -------------------------------------------------------------------------


def clear_expired_sessions() -> int:
    """Delete sessions past their expiry (idle sessions expire after SESSION_COOKIE_AGE)."""
    from django.contrib.sessions.models import Session

    deleted, _details = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


# --- self-registration --------------------------------------------------------------------

SELF_REGISTERING_KINDS = (
    "property_company",
    "residents_committee",
    "social_organization",
    "care_provider",
    "other",
)


def register_organization(
    *, organization: dict, username: str, password: str, name: str = "", email: str = ""
) -> tuple[Organization, User]:
    """An applicant registers its unit and its first user (the unit's administrator). The
    property-management licence is left for the bureau to confirm."""
    from django.contrib.auth.password_validation import validate_password

    from .models import Membership, Role

    if organization.get("kind") not in SELF_REGISTERING_KINDS:
        raise ValidationError({"kind": _("Government units are set up by the platform administrator.")})
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("This username is taken.")})
    unit = Organization(**{**organization, "has_property_licence": False})
    user = User(username=username, name=name, email=email)
    validate_password(password, user=user)
    unit.full_clean()
    with transaction.atomic(), audit.audit_context(channel=audit.Channel.PORTAL):
        unit.save()
        user.set_password(password)
        user.save()
        with audit.audit_context(actor=user):
            Membership.objects.create(user=user, organization=unit, role=Role.ORG_ADMIN)
    return unit, user
