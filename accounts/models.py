import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import ExpressionWrapper
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as StdnumValidationError

from core.validators import normalise_phone, validate_phone

from .audit import AuditedModel, Channel
from .scoping import GOVERNMENT_KINDS, ScopedQuerySet, scope_for


class OrganizationKind(models.TextChoices):
    CIVIL_AFFAIRS = "civil_affairs", _("Civil-affairs bureau")
    HOUSING = "housing", _("Housing bureau")
    STREET_OFFICE = "street_office", _("Street / town office")
    PROPERTY_COMPANY = "property_company", _("Property-management company")
    RESIDENTS_COMMITTEE = "residents_committee", _("Village / residents' committee")
    SOCIAL_ORGANIZATION = "social_organization", _("Social organisation")
    CARE_PROVIDER = "care_provider", _("Elderly-care provider")
    OTHER = "other", _("Other")


# Kinds that must give a unified social credit code.
CREDIT_CODE_REQUIRED = frozenset(
    {OrganizationKind.PROPERTY_COMPANY, OrganizationKind.SOCIAL_ORGANIZATION, OrganizationKind.CARE_PROVIDER}
)


class Role(models.TextChoices):
    OFFICER = "officer", _("Officer")
    VIEWER = "viewer", _("Viewer")
    ORG_ADMIN = "org_admin", _("Organisation administrator")
    STAFF = "staff", _("Staff")


def validate_credit_code(value: str) -> str:
    """Unified social credit code (统一社会信用代码), checked with python-stdnum."""
    try:
        return uscc.validate(value)
    except StdnumValidationError as exc:
        raise ValidationError(
            _("“%(value)s” is not a valid unified social credit code (18 characters with a check digit)."),
            code="invalid_credit_code",
            params={"value": value},
        ) from exc


def duplicate_credit_code_error(taken) -> ValidationError:
    """The refusal of a credit code another unit already holds, naming that unit (its name stands
    on the public register with its code) and what to do instead."""
    return ValidationError(
        _(
            "“%(name)s” is already registered with this unified social credit code. If it is your "
            "unit, ask its administrator to add you as a member rather than registering it again."
        ),
        code="duplicate_credit_code",
        params={"name": taken.name},
    )


class UserQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Yourself, and the members of the organisations you can see."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(
            models.Q(pk=user.pk) | models.Q(pk__in=Membership.objects.visible_to(user).values("user"))
        )

    def editable_by(self, user):
        # Accounts carry permissions: only platform administrators change them in the admin.
        return self.all() if user.is_authenticated and user.is_superuser else self.none()

    def of_organizations_editable_by(self, user):
        """The login accounts of the organisations ``user`` may change (to link a staff member)."""
        return self.filter(memberships__organization__in=Organization.objects.editable_by(user)).distinct()


class UserManager(DjangoUserManager.from_queryset(UserQuerySet)):
    pass


class User(AuditedModel, AbstractUser):
    name = models.CharField(_("full name"), max_length=50, blank=True)

    objects = UserManager()

    audit_ignore = frozenset({"last_login", "first_name", "last_name"})
    audit_secret = frozenset({"password"})

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return f"{self.name}（{self.username}）" if self.name else self.username

    @property
    def scope(self):
        return scope_for(self)


class LoginFailureQuerySet(models.QuerySet):
    def visible_to(self, user):
        # Who tried which name from where: the platform administrator's business only.
        return self.all() if user.is_authenticated and user.is_superuser else self.none()

    def editable_by(self, user):
        return self.visible_to(user)

    def locked(self, now=None):
        return self.filter(locked_until__gt=now or timezone.now())


class LoginFailure(models.Model):
    """Failed sign-ins counted per (username, client address) pair, and per address alone
    (empty username), so that guesses lock only the guesser's pair and slow the guesser's
    address, never the account's owner signing in from elsewhere. Unknown names are counted
    like known ones: the answers do not tell which names exist."""

    username = models.CharField(
        _("username"), max_length=150, blank=True, help_text=_("Empty: every name tried from the address.")
    )
    address = models.CharField(_("client address"), max_length=64)
    failures = models.PositiveIntegerField(_("failures"), default=0)
    window_started_at = models.DateTimeField(_("first failure at"), default=timezone.now)
    last_failure_at = models.DateTimeField(_("last failure at"), default=timezone.now)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True, db_index=True)

    objects = LoginFailureQuerySet.as_manager()

    class Meta:
        verbose_name = _("failed sign-in counter")
        verbose_name_plural = _("failed sign-ins")
        ordering = ["-last_failure_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["address", "username"], name="login_failure_address_username_unique"
            )
        ]

    def __str__(self):
        return f"{self.username or '*'} @ {self.address}"

    def is_locked(self, now=None) -> bool:
        return self.locked_until is not None and self.locked_until > (now or timezone.now())


def licence_scan_path(instance, filename):
    return f"organizations/{instance.pk}/licence/{timezone.now():%Y%m%d%H%M%S}-{filename}"


class LicenceState(models.TextChoices):
    MISSING = "missing", _("No scan uploaded")
    AWAITING = "awaiting", _("Awaiting confirmation")
    CONFIRMED = "confirmed", _("Confirmed")


class OrganizationQuerySet(ScopedQuerySet):
    region_path = "region"
    organization_path = "pk"

    def government(self):
        return self.filter(kind__in=GOVERNMENT_KINDS)


class Organization(AuditedModel):
    kind = models.CharField(_("kind"), max_length=32, choices=OrganizationKind.choices)
    name = models.CharField(_("name"), max_length=200)
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        blank=True,
        help_text=_("18 characters; required for companies, social organisations and care providers."),
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="organizations"
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    contact_person = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(
        _("contact phone"), max_length=30, blank=True, validators=[validate_phone]
    )
    hotline = models.CharField(
        _("complaint hotline"),
        max_length=30,
        blank=True,
        validators=[validate_phone],
        help_text=_("Posted with every price of the stations in its region or of its own."),
    )
    has_property_licence = models.BooleanField(
        _("holds a property-management licence"),
        default=False,
        help_text=_("Property companies only: required to apply for a property-plus-care pilot."),
    )
    # 002 附件2 从业时间: when the unit began elderly-care services (its own word; the portal has
    # no earlier record of it)
    elderly_care_since = models.DateField(
        _("elderly-care services since"),
        null=True,
        blank=True,
        help_text=_(
            "When the unit began providing elderly-care services "
            "(从业时间 in the demonstration-project table)."
        ),
    )
    # The business licence (营业执照) bears the registered name and credit code the bureau confirms.
    licence_scan = models.FileField(
        _("business licence scan"), upload_to=licence_scan_path, blank=True, max_length=300
    )
    licence_scan_uploaded_at = models.DateTimeField(_("licence scan uploaded at"), null=True, blank=True)
    licence_confirmed_at = models.DateTimeField(_("licence confirmed at"), null=True, blank=True)
    licence_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("licence confirmed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = OrganizationQuerySet.as_manager()

    audit_ignore = frozenset({"updated_at", "created_at"})

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["region__code", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~models.Q(credit_code=""),
                name="organization_credit_code_unique",
                violation_error_code="duplicate_credit_code",
                violation_error_message=_(
                    "A unit with this unified social credit code is already registered."
                ),
            ),
        ]
        indexes = [models.Index(fields=["kind", "name"], name="organization_kind_name_idx")]

    def __str__(self):
        return self.name

    @property
    def is_government(self) -> bool:
        return self.kind in GOVERNMENT_KINDS

    @property
    def licence_state(self) -> str:
        if not self.licence_scan:
            return LicenceState.MISSING
        return LicenceState.CONFIRMED if self.licence_confirmed_at else LicenceState.AWAITING

    def get_licence_state_display(self) -> str:
        return LicenceState(self.licence_state).label

    def clean(self):
        errors = {}
        self.contact_phone, self.hotline = normalise_phone(self.contact_phone), normalise_phone(self.hotline)
        self.credit_code = (self.credit_code or "").strip().upper()
        if self.credit_code:
            try:
                self.credit_code = validate_credit_code(self.credit_code)
            except ValidationError as exc:
                errors["credit_code"] = exc
            else:
                taken = Organization.objects.filter(credit_code=self.credit_code).exclude(pk=self.pk).first()
                if taken is not None:
                    errors["credit_code"] = duplicate_credit_code_error(taken)
        elif self.kind in CREDIT_CODE_REQUIRED:
            errors["credit_code"] = ValidationError(
                _("A %(kind)s must give its unified social credit code."),
                code="required",
                params={"kind": self.get_kind_display()},
            )
        if self.has_property_licence and self.kind != OrganizationKind.PROPERTY_COMPANY:
            errors["has_property_licence"] = ValidationError(
                _("Only a property-management company holds a property-management licence.")
            )
        if self.elderly_care_since is not None and self.elderly_care_since > timezone.localdate():
            errors["elderly_care_since"] = ValidationError(
                _("The date the unit began elderly-care services cannot be in the future.")
            )
        if errors:
            raise ValidationError(errors)


class MembershipQuerySet(ScopedQuerySet):
    region_path = "organization__region"
    organization_path = "organization"


class Membership(AuditedModel):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.STAFF)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organization__name", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization"], name="membership_user_organization_unique"
            )
        ]

    def __str__(self):
        return f"{self.user} @ {self.organization}（{self.get_role_display()}）"


def hash_token_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.all() if user.is_superuser else self.filter(user=user)

    def editable_by(self, user):
        return self.visible_to(user)


class ApiToken(AuditedModel):
    """A named API credential. The secret is shown once, when issued; only its SHA-256 is kept
    (the secret has 256 bits of entropy, so a plain hash cannot be brute-forced)."""

    PREFIX = "wy_"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    key_prefix = models.CharField(_("key prefix"), max_length=12, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    read_only = models.BooleanField(_("read-only"), default=False)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ApiTokenQuerySet.as_manager()

    audit_ignore = frozenset({"last_used_at", "created_at"})
    audit_secret = frozenset({"key_hash"})

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name}（{self.key_prefix}…）"

    @staticmethod
    def new_secret() -> str:
        return ApiToken.PREFIX + secrets.token_urlsafe(32)

    def set_secret(self, secret: str) -> None:
        self.key_prefix = secret[:10]
        self.key_hash = hash_token_secret(secret)

    def is_expired(self, now=None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())


# Deleting a user or an object type empties the reference (ON DELETE SET NULL); the entry keeps
# the names it was written with. That is the only change an entry ever takes.
AUDIT_NULLABLE_REFERENCES = frozenset({"actor", "content_type"})


class AuditEntryQuerySet(models.QuerySet):
    """Append-only: no update or delete in Python (PostgreSQL refuses them with a trigger too),
    except the retention purge of entries older than AUDIT_RETENTION_DAYS
    (``accounts.services.purge_audit_entries``)."""

    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.all() if user.is_superuser else self.filter(actor=user)

    def editable_by(self, user):
        return self.none()  # the log is append-only

    def update(self, **kwargs):
        if kwargs and set(kwargs) <= AUDIT_NULLABLE_REFERENCES and all(v is None for v in kwargs.values()):
            return super().update(**kwargs)  # Django's SET_NULL when a user or type is deleted
        raise ValidationError(_("Audit entries cannot be changed."))

    def delete(self):
        raise ValidationError(
            _("Audit entries cannot be deleted; they are purged after the retention period.")
        )

    def purge_older_than(self, days: int) -> int:
        """Delete the entries older than ``days`` by the database's clock (the same clock the
        PostgreSQL trigger judges by). Called only by ``purge_audit_entries``."""
        cutoff = ExpressionWrapper(Now() - timedelta(days=days), output_field=models.DateTimeField())
        return self.filter(at__lt=cutoff)._raw_delete(self.db)


class AuditEntry(models.Model):
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_entries",
    )
    actor_repr = models.CharField(_("actor name"), max_length=150, blank=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.SYSTEM)
    action = models.CharField(_("action"), max_length=64)
    content_type = models.ForeignKey(
        "contenttypes.ContentType",
        verbose_name=_("object type"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="audit_object_idx")]

    def __str__(self):
        from .audit_display import action_label  # noqa: PLC0415 - audit_display reads this model's entries

        at = timezone.localtime(self.at)
        return f"{at:%Y-%m-%d %H:%M} {self.actor_repr} {action_label(self)} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValidationError(_("Audit entries cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(
            _("Audit entries cannot be deleted; they are purged after the retention period.")
        )


class NotificationQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(recipient=user) if user.is_authenticated else self.none()

    def editable_by(self, user):
        return self.visible_to(user)

    def unread(self):
        return self.filter(read_at=None)


class Notification(models.Model):
    """An in-portal notice of a decision; e-mailed too when the recipient has an address."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title
