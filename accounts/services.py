"""Every operation on accounts that changes state or enforces a rule."""

from __future__ import annotations

import ipaddress
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from . import audit, notices
from .models import ApiToken, AuditEntry, LoginFailure, Membership, Organization, Role, User
from .scoping import EDITING_ROLES, GOVERNMENT_EDITING_ROLES, GOVERNMENT_KINDS
from .uploads import check_upload

# --- login lockout ------------------------------------------------------------------------
#
# Counted in the database (LoginFailure), not in the cache: the counters survive a restart
# and a Redis flush, the administrator sees and lifts locks in the admin, and they need no new
# dependency. django-axes does the same job, but it would add a package, its own tables and
# signals to reconcile with the API's token authentication; the rule here is three functions.

UNKNOWN_ADDRESS = "unknown"


def client_address(request) -> str:
    """The client's IP address: REMOTE_ADDR, or, behind TRUSTED_PROXY_COUNT proxies that each
    append to X-Forwarded-For, the address the outermost trusted proxy saw. Hops further left
    are written by the client and never believed."""
    if request is None:
        return UNKNOWN_ADDRESS
    address = request.META.get("REMOTE_ADDR", "")
    trusted = settings.TRUSTED_PROXY_COUNT
    if trusted > 0:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if hops:
            address = hops[-trusted] if len(hops) >= trusted else hops[0]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return UNKNOWN_ADDRESS


def _address_bucket(address: str) -> str:
    """The unit throttled as one client: an IPv4 address, or an IPv6 /64 (one subscriber)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return UNKNOWN_ADDRESS
    return str(ipaddress.ip_network(f"{ip}/64", strict=False)) if ip.version == 6 else str(ip)


def _username_key(username) -> str:
    return (username or "").strip().lower()[:150]


LOCKED_MESSAGE = gettext_lazy("Too many failed sign-in attempts: signing in is locked for now.")


def _lock_message(until, now) -> str:
    # One message for a locked pair, a throttled address, a known name and an unknown one.
    minutes = max(1, int((until - now).total_seconds() // 60) + 1)
    return ngettext(
        "%(locked)s Try again in %(minutes)d minute.", "%(locked)s Try again in %(minutes)d minutes.", minutes
    ) % {"locked": LOCKED_MESSAGE, "minutes": minutes}


def login_allowed(username, address: str = UNKNOWN_ADDRESS, now=None) -> tuple[bool, str]:
    """(allowed, reason): refused while the (username, address) pair is locked or the address
    is throttled. One query."""
    now = now or timezone.now()
    condition = Q(username="", address=_address_bucket(address))
    key = _username_key(username)
    if key:
        condition |= Q(username=key, address=address)
    until = LoginFailure.objects.locked(now).filter(condition).aggregate(until=Max("locked_until"))["until"]
    if until is None:
        return True, ""
    return False, _lock_message(until, now)


def address_lock(address: str, now=None) -> tuple[datetime | None, str]:
    """(locked until, reason) when the address is throttled, else (None, "")."""
    now = now or timezone.now()
    row = LoginFailure.objects.locked(now).filter(username="", address=_address_bucket(address)).first()
    return (row.locked_until, _lock_message(row.locked_until, now)) if row else (None, "")


def _count_failure(username: str, address: str, *, limit: int, now) -> bool:
    """Count one failure on a counter; True when this failure locks it. Within a window of
    LOGIN_LOCKOUT_MINUTES from its first failure; a lapsed window or lock counts afresh."""
    period = timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    row, _created = LoginFailure.objects.select_for_update().get_or_create(
        username=username, address=address, defaults={"window_started_at": now, "last_failure_at": now}
    )
    if row.is_locked(now):
        return False
    if row.locked_until is not None or row.window_started_at <= now - period:
        row.failures, row.window_started_at, row.locked_until = 0, now, None
    row.failures += 1
    row.last_failure_at = now
    if row.failures >= limit:
        row.locked_until = now + period
    row.save()
    return row.locked_until is not None


def record_login_failure(username, address: str = UNKNOWN_ADDRESS) -> None:
    """Count a failed sign-in (wrong password, unknown name, refused token) against the
    address and, when a name was given, against the (name, address) pair."""
    now = timezone.now()
    key = _username_key(username)
    bucket = _address_bucket(address)
    with transaction.atomic():
        throttled = _count_failure("", bucket, limit=settings.LOGIN_ADDRESS_FAILURE_LIMIT, now=now)
        locked = bool(key) and _count_failure(key, address, limit=settings.LOGIN_FAILURE_LIMIT, now=now)
        if throttled:
            audit.record(
                None,
                "login_throttled",
                note=f"{settings.LOGIN_ADDRESS_FAILURE_LIMIT} failed sign-ins from {bucket}",
                actor=None,
            )
        if locked:
            user = User.objects.filter(username__iexact=key).first()
            audit.record(
                user,
                "login_locked",
                note=f"{settings.LOGIN_FAILURE_LIMIT} wrong passwords for “{key[:60]}” from {address}",
                actor=None,
            )


def record_login_success(user: User, address: str = UNKNOWN_ADDRESS) -> None:
    """A right password clears its own pair's count (not the address's: one account known to
    an attacker must not reset the throttle on guessing others)."""
    LoginFailure.objects.filter(username=_username_key(user.get_username()), address=address).delete()


def unlock(user: User, *, by: User) -> None:
    """Lift the locks on ``user``'s name from every address."""
    LoginFailure.objects.filter(username=_username_key(user.get_username())).delete()
    audit.record(user, "unlock", actor=by)


def lift_login_locks(failures, *, by: User) -> int:
    """Lift the selected counters (pairs or addresses), in the admin."""
    rows = list(failures)
    for row in rows:
        audit.record(None, "unlock", note=str(row), actor=by)
    LoginFailure.objects.filter(pk__in=[row.pk for row in rows]).delete()
    return len(rows)


def clear_stale_login_failures(now=None) -> int:
    """Drop counters whose window and lock have both run out."""
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    deleted, _details = (
        LoginFailure.objects.filter(window_started_at__lte=cutoff)
        .filter(Q(locked_until=None) | Q(locked_until__lte=now))
        .delete()
    )
    return deleted


# --- API tokens -----------------------------------------------------------------------------


def issue_token(
    user: User,
    *,
    name: str,
    read_only: bool = False,
    expires_days: int | None = None,
    by: User | None = None,
    via: ApiToken | None = None,
) -> tuple[ApiToken, str]:
    """Create a token for ``user`` and return it with its secret, which is never stored.

    Issued by a user (``by``: the portal, the API), a token lives at most API_TOKEN_MAX_DAYS,
    which is also the default. Issued through the API with a token (``via``), it can have no
    more rights and no later expiry than that token, and a read-only token issues none. Only
    ``manage.py issue_token`` (``by`` None: someone at the server) issues a token without expiry.
    """
    if not user.is_active:
        raise ValidationError(_("An inactive user cannot be given a token."))
    if by is not None and by != user and not by.is_superuser:
        raise PermissionDenied(_("You can only issue tokens for yourself."))
    if via is not None and via.read_only:
        raise PermissionDenied(_("A read-only token cannot issue tokens."))
    if via is not None and via.user_id != user.pk:
        raise PermissionDenied(_("You can only issue tokens for yourself."))
    if expires_days is not None and expires_days <= 0:
        raise ValidationError({"expires_days": _("The number of days must be positive.")})
    now = timezone.now()
    # Someone at the server may give any lifetime a date can hold; users get the cap.
    max_days = settings.API_TOKEN_MAX_DAYS if by is not None else 36500
    if expires_days is not None and expires_days > max_days:
        raise ValidationError(
            {
                "expires_days": ngettext(
                    "A token is valid for at most %(days)d day.",
                    "A token is valid for at most %(days)d days.",
                    max_days,
                )
                % {"days": max_days}
            }
        )
    expires_at = now + timedelta(days=expires_days) if expires_days else None
    if by is not None:
        expires_at = expires_at or now + timedelta(days=max_days)
    if via is not None and via.expires_at is not None:
        if expires_days is not None and expires_at > via.expires_at:
            raise ValidationError(
                {
                    "expires_days": _(
                        "A token cannot outlive the token that issues it (valid until %(date)s)."
                    )
                    % {"date": timezone.localtime(via.expires_at).strftime("%Y-%m-%d %H:%M")}
                }
            )
        expires_at = min(expires_at, via.expires_at) if expires_at else via.expires_at
    secret = ApiToken.new_secret()
    token = ApiToken(user=user, name=name.strip() or _("Token"), read_only=read_only, expires_at=expires_at)
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

# What the bureau confirms about an organisation: its kind decides whose data it may see (a
# civil-affairs bureau sees its whole region), its region places it, its registered name and
# credit code identify it (both stand on its business licence) and its licence makes a company
# eligible for a property-plus-care pilot (001).
CONFIRMED_FIELDS = ("kind", "name", "region", "credit_code", "has_property_licence")


def _check_region_in_scope(by: User, region) -> None:
    if by.is_superuser:
        return
    if not by.scope.covers_region(region, edit=True):
        raise PermissionDenied(_("You may only register organisations within your own region."))


def _field_labels(names) -> str:
    labels = []
    for name in names:
        try:
            labels.append(str(Organization._meta.get_field(name).verbose_name))
        except FieldDoesNotExist:
            labels.append(name)
    return "、".join(labels)


def confirmed_changes(organization: Organization, fields: dict) -> dict:
    """The confirmed fields that ``fields`` would change, as {name: (old, new)}."""
    changes = {}
    for name in CONFIRMED_FIELDS:
        if name not in fields:
            continue
        old, new = getattr(organization, name), fields[name]
        if name == "credit_code":
            old, new = (old or "").strip().upper(), (new or "").strip().upper()
        elif name == "name":
            old, new = (old or "").strip(), (new or "").strip()
        if old != new:
            changes[name] = (old, new)
    return changes


def check_confirmed_changes(organization: Organization, *, by: User, changes: dict) -> None:
    """Refuse a change of the bureau-confirmed fields unless ``by`` may confirm them: an officer
    (government editing role) whose region covers the organisation, before and after a move;
    government units themselves, and any change to or from a government kind, are the platform
    administrator's."""
    if not changes or by.is_superuser:
        return

    if not organization.is_government and changes.get("kind", (None, None))[1] in GOVERNMENT_KINDS:
        raise PermissionDenied(
            _("Only the platform administrator can make an organisation a government unit.")
        )
    if organization.is_government:
        raise PermissionDenied(
            _("Government units are set up by the platform administrator: you may not change %(fields)s.")
            % {"fields": _field_labels(changes)}
        )
    covers = by.scope.covers_region(organization.region, edit=True)
    if "region" in changes:
        covers = covers and by.scope.covers_region(changes["region"][1], edit=True)
    if not covers:
        raise PermissionDenied(
            _("%(fields)s are confirmed by the bureau: only an officer of the region may change them.")
            % {"fields": _field_labels(changes)}
        )


def check_new_organization(*, by: User, kind: str, region) -> None:
    """Officers register organisations within their region; superusers anywhere. Government
    units are set up by the platform administrator only."""

    _check_region_in_scope(by, region)
    if kind in GOVERNMENT_KINDS and not by.is_superuser:
        raise PermissionDenied(_("Government units are set up by the platform administrator."))


def create_organization(*, by: User, **fields) -> Organization:
    """Register an organisation (see :func:`check_new_organization` for who may)."""
    organization = Organization(**fields)
    check_new_organization(by=by, kind=organization.kind, region=organization.region)
    organization.full_clean()
    with audit.audit_context(actor=by):
        organization.save()
    return organization


def update_organization(organization: Organization, *, by: User, **fields) -> Organization:
    """Change an organisation. Its members keep the contact details current; the fields the
    bureau confirms (kind, region, credit code, licence) change only by an officer of the
    region (see :func:`check_confirmed_changes`), and each such change is audited as
    ``confirm_organization`` with the fields old → new."""
    with transaction.atomic():
        locked = Organization.objects.editable_by(by).select_for_update().filter(pk=organization.pk).first()
        if locked is None:
            raise PermissionDenied(_("You may not change this organisation."))
        changes = confirmed_changes(locked, fields)
        check_confirmed_changes(locked, by=by, changes=changes)
        for key, value in fields.items():
            setattr(locked, key, value)
        locked.full_clean()
        with audit.audit_context(actor=by):
            locked.save()
            if changes:
                audit.record(
                    locked,
                    "confirm_organization",
                    changes={
                        name: [
                            audit._json_value(getattr(old, "code", old)),
                            audit._json_value(getattr(new, "code", new)),
                        ]
                        for name, (old, new) in changes.items()
                    },
                    note=", ".join(changes),
                )
    return locked


# --- business licence -----------------------------------------------------------------------

# The licence scan is an image or a PDF; checked by content, size and type like every upload.
LICENCE_SCAN_KINDS = ("pdf", "png", "jpeg")
# The offices that confirm a unit's licence: the civil-affairs and housing bureaus whose region
# holds the unit's (their officers may change the bureau-confirmed fields, check_confirmed_changes).
CONFIRMING_KINDS = ("civil_affairs", "housing")


def confirming_offices(organization: Organization) -> list[Organization]:
    """The bureaus that confirm ``organization``'s registration, nearest first (the district's
    before the city's). One query."""
    code = organization.region.code
    prefixes = [code[:length] for length in (2, 4, 6, 9, 12) if length <= len(code)]
    offices = Organization.objects.filter(
        kind__in=CONFIRMING_KINDS, is_active=True, region__code__in=prefixes
    ).select_related("region")
    return sorted(offices, key=lambda office: (-len(office.region.code), office.kind, office.name))


def may_upload_licence(organization: Organization, user: User) -> bool:
    """The unit's own members with an editing role (not the bureau that confirms it)."""
    if organization.is_government or not user.is_authenticated:
        return False
    return (
        user.is_superuser
        or Membership.objects.filter(
            user=user, organization=organization, role__in=EDITING_ROLES, is_active=True
        ).exists()
    )


def upload_licence_scan(organization: Organization, *, by: User, upload) -> Organization:
    """A unit's member with an editing role uploads its business-licence scan; the new scan
    awaits the bureau's confirmation (a confirmation of an earlier scan does not carry over) and
    the confirming offices' officers are told."""
    if not may_upload_licence(organization, by):
        raise PermissionDenied(_("Only the unit's own administrator or staff may upload its licence."))
    check_upload(upload, allowed=LICENCE_SCAN_KINDS)
    with transaction.atomic():
        locked = Organization.objects.select_for_update().get(pk=organization.pk)
        locked.licence_scan.save(upload.name, upload, save=False)
        locked.licence_scan_uploaded_at = timezone.now()
        locked.licence_confirmed_at, locked.licence_confirmed_by = None, None
        with audit.audit_context(actor=by):
            locked.save()
            audit.record(locked, "licence_uploaded", note=upload.name, actor=by)
        officers = notices.members_of(confirming_offices(locked), roles=(Role.OFFICER, Role.ORG_ADMIN))
        notices.notify(
            officers,
            title=_("%(unit)s uploaded its business licence for confirmation") % {"unit": locked.name},
            body=_("Check the name and credit code on the scan against the unit's record, then confirm it."),
            link=f"/organizations/{locked.pk}/",
        )
    return locked


def can_confirm_licence(organization: Organization, user: User) -> tuple[bool, str]:
    """(allowed, reason): an officer of a government unit whose region holds the unit, once a
    scan is waiting."""
    if not organization.licence_scan:
        return False, _("No licence scan has been uploaded yet.")
    if organization.licence_confirmed_at is not None:
        return False, _("The licence is already confirmed.")
    if organization.is_government:
        return False, _("Government units are set up by the platform administrator.")
    if user.is_superuser:
        return True, ""
    offices = confirming_offices(organization)
    if (
        user.is_authenticated
        and Membership.objects.filter(
            user=user, organization__in=offices, role__in=GOVERNMENT_EDITING_ROLES, is_active=True
        ).exists()
    ):
        return True, ""
    names = "、".join(office.name for office in offices) or _("the civil-affairs bureau of its district")
    return False, _("The licence is confirmed by %(offices)s.") % {"offices": names}


def confirm_licence(organization: Organization, *, by: User) -> Organization:
    """An officer confirms that the scan shows the unit's registered name and credit code."""
    with transaction.atomic():
        locked = Organization.objects.select_for_update().get(pk=organization.pk)
        allowed, reason = can_confirm_licence(locked, by)
        if not allowed:
            raise PermissionDenied(reason)
        locked.licence_confirmed_at, locked.licence_confirmed_by = timezone.now(), by
        with audit.audit_context(actor=by):
            locked.save(update_fields=["licence_confirmed_at", "licence_confirmed_by", "updated_at"])
            audit.record(
                locked, "confirm_licence", note=locked.licence_scan.name.rsplit("/", 1)[-1], actor=by
            )
        notices.notify(
            notices.members_of([locked], roles=(Role.ORG_ADMIN,)),
            title=_("The business licence of %(unit)s is confirmed.") % {"unit": locked.name},
            link=f"/organizations/{locked.pk}/",
        )
    return locked


# --- housekeeping -------------------------------------------------------------------------

# Audit entries are kept at least this long; the PostgreSQL trigger (migration 0005) refuses to
# delete younger ones whatever the client, so even a compromised application cannot.
AUDIT_RETENTION_FLOOR_DAYS = 180


def audit_retention_days() -> int:
    days = settings.AUDIT_RETENTION_DAYS
    if days < AUDIT_RETENTION_FLOOR_DAYS:
        raise ImproperlyConfigured(
            f"AUDIT_RETENTION_DAYS is {days}; audit entries are kept at least "
            f"{AUDIT_RETENTION_FLOOR_DAYS} days."
        )
    return days


def purge_audit_entries(*, before: datetime | None = None) -> int:
    """Delete the audit entries older than the retention period (AUDIT_RETENTION_DAYS, at least
    180 days) and, when ``before`` is given, older than that too. ``before`` later than the
    retention allows is refused. The purge is itself audited."""

    days = audit_retention_days()
    latest_allowed = timezone.now() - timedelta(days=days)
    if before is not None and before > latest_allowed:
        raise ValidationError(
            {
                "before": _("Audit entries are kept %(days)d days: only those before %(date)s may be purged.")
                % {"days": days, "date": timezone.localtime(latest_allowed).strftime("%Y-%m-%d %H:%M")}
            }
        )
    with transaction.atomic():
        entries = AuditEntry.objects.all()
        if before is not None:
            entries = entries.filter(at__lt=before)
        deleted = entries.purge_older_than(days)
        audit.record(
            None,
            "purge_audit",
            changes={"deleted": [None, deleted], "retention_days": [None, days]},
            note=f"before {(before or latest_allowed).isoformat()}",
        )
    return deleted


def clear_expired_sessions() -> int:
    """Delete sessions past their expiry (idle sessions expire after SESSION_COOKIE_AGE)."""

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

# What an applicant states about itself when registering; the bureau then confirms it.
REGISTRATION_FIELDS = ("kind", "name", "credit_code", "region", "address", "contact_person", "contact_phone")


def registration_errors(
    *, organization: dict, username: str | None, password: str | None, name: str = "", email: str = ""
) -> dict[str, list]:
    """Everything wrong with a registration at once, as {field: [messages]}: the unit's fields
    under their own names (its name under ``organization_name``), the user's under ``username``,
    ``email`` and ``password``. Fields absent from ``organization`` (already refused by a form)
    are not checked again; a ``None`` username or password is not checked."""

    errors: dict[str, list] = {}
    if organization.get("kind") is not None and organization["kind"] not in SELF_REGISTERING_KINDS:
        errors["kind"] = [_("Government units are set up by the platform administrator.")]
    if username is not None and User.objects.filter(username__iexact=username).exists():
        errors["username"] = [_("This username is taken.")]
    user = User(username=username or "", name=name, email=email)
    if password is not None:
        try:
            validate_password(password, user=user)
        except ValidationError as exc:
            errors["password"] = list(exc.messages)
    unit = Organization(**organization, has_property_licence=False)
    # Checked without the fields already refused, so that one mistake does not hide the others.
    skipped = [f.name for f in Organization._meta.fields if f.name not in organization] + list(errors)
    try:
        unit.full_clean(exclude=[name for name in skipped if name != "has_property_licence"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault("organization_name" if field == "name" else field, []).extend(messages)
    return errors


def register_organization(
    *, organization: dict, username: str, password: str, name: str = "", email: str = ""
) -> tuple[Organization, User]:
    """An applicant registers its unit and its first user (the unit's administrator), refused
    with every mistake at once (:func:`registration_errors`). The property-management licence
    is left for the bureau to confirm."""

    unexpected = set(organization) - set(REGISTRATION_FIELDS)
    if unexpected:
        # The licence and the active flag are the bureau's; nothing else may ride along.
        raise PermissionDenied(
            _("You may not set %(fields)s when registering.") % {"fields": _field_labels(sorted(unexpected))}
        )
    errors = registration_errors(
        organization=organization, username=username, password=password, name=name, email=email
    )
    if errors:
        raise ValidationError(errors)
    unit = Organization(**organization, has_property_licence=False)
    unit.full_clean()
    user = User(username=username, name=name, email=email)
    try:
        with transaction.atomic(), audit.audit_context(channel=audit.Channel.PORTAL):
            unit.save()
            user.set_password(password)
            user.save()
            with audit.audit_context(actor=user):
                Membership.objects.create(user=user, organization=unit, role=Role.ORG_ADMIN)
    except IntegrityError:
        # Someone registered the same code or name in the moment between the check and the save.
        errors = registration_errors(organization=organization, username=username, password=None)
        raise ValidationError(errors or {"username": [_("This username is taken.")]}) from None
    return unit, user
