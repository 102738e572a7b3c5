"""The three roles (三员: 宣传员、信息员、服务员) of each company and station, their
qualifications, the training and assessment bureaus run (000), the resource information that
information officers keep. Volunteers and their points ledger are in ``volunteers``."""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, ExpressionWrapper, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.audit import AuditedModel
from accounts.models import Organization
from accounts.pii import EncryptedCharField, MaskedCopiesMixin, MaskedCopyField
from accounts.scoping import ScopedQuerySet
from regions.models import region_subtree


class StaffRole(models.TextChoices):
    PUBLICITY = "publicity", _("Publicity officer (宣传员)")
    INFORMATION = "information", _("Information officer (信息员)")
    SERVICE = "service", _("Service officer (服务员)")


class EmploymentKind(models.TextChoices):
    FULL_TIME = "full_time", _("Full-time")
    PART_TIME = "part_time", _("Part-time")
    VOLUNTEER = "volunteer", _("Volunteer")


class StaffStatus(models.TextChoices):
    # A person's status: "suspended" is 暂停上岗 (off duty for a while), never a station's 暂停运营.
    ACTIVE = "active", pgettext_lazy("staff status", "Active")
    SUSPENDED = "suspended", pgettext_lazy("staff status", "Suspended")
    LEFT = "left", pgettext_lazy("staff status", "Left")


# --- who may serve, who runs publicity (000) ---------------------------------------------------
# Each rule is a short list of named conditions. The choice lists filter on all of them at once
# (``StaffMember.objects.may_serve(station)``); the refusal for one person evaluates the very same
# expressions in one query and names those that fail, so the two cannot drift apart.


@dataclass(frozen=True)
class Condition:
    name: str
    test: Callable  # (station) -> a condition on StaffMember (Q or Exists)
    missing: Callable  # (member, station) -> what is missing, for the refusal
    alone: bool = False  # when it fails, it is the whole refusal (the others do not matter)


@dataclass(frozen=True)
class Eligibility:
    conditions: tuple[Condition, ...]
    summary: Any = None  # "%(name)s cannot …: %(missing)s." or None: the sentences joined

    def filter(self, queryset, station):
        return queryset.filter(*(condition.test(station) for condition in self.conditions))

    def failing(self, member, station) -> tuple[Any, list[Condition]]:
        """The person as stored now (the refusal names today's status, not a stale copy's) and
        the conditions they fail, in one query."""
        checks = {
            f"passes_{c.name}": ExpressionWrapper(c.test(station), output_field=models.BooleanField())
            for c in self.conditions
        }
        one = StaffMember.objects.filter(pk=member.pk).order_by().only("name", "status")
        fresh = one.annotate(**checks).first()
        if fresh is None:
            return member, list(self.conditions)
        return fresh, [c for c in self.conditions if not getattr(fresh, f"passes_{c.name}")]

    def refusal(self, member, station) -> str | None:
        member, failing = self.failing(member, station)
        if not failing:
            return None
        alone = [c for c in failing if c.alone]
        if alone:
            return str(alone[0].missing(member, station))
        missing = "；".join(str(c.missing(member, station)) for c in failing)
        if self.summary is None:
            return missing
        return self.summary % {"name": member.name, "missing": missing}


def _works_at(station):
    """Assigned to the station, or to none (then to all of the employer's stations)."""
    through = StaffMember.stations.through.objects.filter(staffmember_id=OuterRef("pk"))
    return Exists(through.filter(station_id=station.pk)) | ~Exists(through)


def _has_role(role):
    # JSON list membership, portable between SQLite and PostgreSQL.
    return lambda station: Q(roles__icontains=f'"{role}"')


def _passed_pre_job(station):
    return Exists(
        TrainingRecord.objects.filter(staff=OuterRef("pk"), passed=True, session__kind=TrainingKind.PRE_JOB)
    )


MAY_SERVE = Eligibility(
    conditions=(
        Condition(
            "employer",
            lambda station: Q(employer_id=station.operator_id),
            lambda member, station: (
                _("%(name)s is not on the staff list of %(operator)s.")
                % {"name": member.name, "operator": station.operator.name}
            ),
            alone=True,
        ),
        Condition(
            "active",
            lambda station: Q(status=StaffStatus.ACTIVE),
            lambda member, station: _("is %(status)s") % {"status": member.get_status_display()},
        ),
        Condition(
            "service_role",
            _has_role(StaffRole.SERVICE),
            lambda member, station: _("is not a service officer (服务员)"),
        ),
        Condition(
            "station",
            _works_at,
            lambda member, station: _("does not work at %(station)s") % {"station": station.name},
        ),
        Condition(
            "pre_job",
            _passed_pre_job,
            lambda member, station: _("has not passed a pre-job training (岗前培训)"),
        ),
    ),
    summary=_("%(name)s cannot serve: %(missing)s."),
)

RUNS_PUBLICITY = Eligibility(
    conditions=(
        Condition(
            "employer",
            lambda station: Q(employer_id=station.operator_id),
            lambda member, station: (
                _("%(name)s is not on the staff of %(operator)s")
                % {"name": member.name, "operator": station.operator.name}
            ),
            alone=True,
        ),
        Condition(
            "publicity_role",
            _has_role(StaffRole.PUBLICITY),
            lambda member, station: _("%(name)s is not a publicity officer (宣传员)") % {"name": member.name},
        ),
        Condition(
            "active",
            lambda station: Q(status=StaffStatus.ACTIVE),
            lambda member, station: (
                _("%(name)s is %(status)s") % {"name": member.name, "status": member.get_status_display()}
            ),
        ),
    ),
)


class StaffQuerySet(ScopedQuerySet):
    region_path = "region"
    organization_path = "employer"

    def may_serve(self, station):
        """Who may be given orders and log services at ``station`` now: an active service officer
        (服务员) of the operator, working there, who passed a pre-job training (岗前培训, 000)."""
        return MAY_SERVE.filter(self, station)

    def publicity_officers(self, station):
        """Who may run publicity events for ``station``: the operator's active publicity officers
        (宣传员, 000)."""
        return RUNS_PUBLICITY.filter(self, station)


class StaffMember(MaskedCopiesMixin, AuditedModel):
    """A person of a company or station team. Phone and identity number are encrypted; the
    ``*_hash`` columns serve exact matching (score imports, search) without decrypting."""

    name = models.CharField(pgettext_lazy("person", "name"), max_length=50, db_index=True)
    phone = EncryptedCharField(_("phone"), blank=True)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone_masked = MaskedCopyField(_("phone"), source="phone", mask="phone")
    id_number = EncryptedCharField(_("identity number"), blank=True)
    id_number_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    id_number_masked = MaskedCopyField(_("identity number"), source="id_number", mask="id_number")
    employer = models.ForeignKey(
        "accounts.Organization", verbose_name=_("employer"), on_delete=models.PROTECT, related_name="staff"
    )
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("street or community"),
        on_delete=models.PROTECT,
        related_name="staff",
        help_text=_("Where the person works; training pass rates are reported by this street."),
    )
    stations = models.ManyToManyField(
        "stations.Station",
        verbose_name=_("stations"),
        blank=True,
        related_name="staff",
        help_text=_("Leave empty for someone who works at all of the employer's stations."),
    )
    roles = models.JSONField(_("roles"), default=list, blank=True)
    kind = models.CharField(
        _("kind"), max_length=16, choices=EmploymentKind.choices, default=EmploymentKind.FULL_TIME
    )
    status = models.CharField(
        _("status"), max_length=16, choices=StaffStatus.choices, default=StaffStatus.ACTIVE, db_index=True
    )
    joined_on = models.DateField(_("joined on"), default=timezone.localdate)
    left_on = models.DateField(_("left on"), null=True, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff_profile",
        help_text=_(
            "Optional: lets the person sign in to the portal. Orders and services name the staff member, "
            "login or not."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = StaffQuerySet.as_manager()

    audit_ignore = frozenset(
        {"created_at", "phone_hash", "id_number_hash", "phone_masked", "id_number_masked"}
    )
    audit_secret = frozenset({"phone", "id_number"})

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff members")
        ordering = ["employer__name", "name", "id"]
        permissions = [
            ("view_personal_data_staffmember", _("Can see staff phones and identity numbers unmasked"))
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
                name="staff_left_after_joined",
            )
        ]

    def __str__(self):
        return self.name

    def has_role(self, role) -> bool:
        return role in (self.roles or [])

    def serve_refusal(self, station) -> str | None:
        """Why this person may not be given orders or log services at ``station`` (None: they
        may); the conditions of ``StaffMember.objects.may_serve``."""
        return MAY_SERVE.refusal(self, station)

    def publicity_refusal(self, station) -> str | None:
        """Why this person may not run publicity events for ``station`` (None: they may)."""
        return RUNS_PUBLICITY.refusal(self, station)

    def roles_display(self):
        return roles_label(self.roles)

    def clean(self):
        errors = {}
        unknown = [r for r in self.roles or [] if r not in StaffRole.values]
        if unknown:
            errors["roles"] = _("Unknown roles: %(names)s") % {"names": ", ".join(map(str, unknown))}
        if self.status == StaffStatus.LEFT and not self.left_on:
            errors["left_on"] = _("Give the date the person left.")
        if self.left_on and self.joined_on and self.left_on < self.joined_on:
            errors["left_on"] = _("The person cannot leave before joining.")
        if self.region_id and len(self.region.code) < 9:
            errors["region"] = _("Choose the street/town or community where the person works.")
        if errors:
            raise ValidationError(errors)


def roles_label(roles, labels=None) -> str:
    """The roles of a person (a list of role codes) as their labels, 、-separated; a long list
    passes ``labels`` (code: label) translated once."""
    labels = labels if labels is not None else dict(StaffRole.choices)
    return "、".join(str(labels.get(r, r)) for r in roles or [])


def station_model():
    """The Station model, reached through ``StaffMember.stations``. The stations app names the
    staff members who serve, so stations depends on staff and staff never imports stations;
    forms and serializers that offer a choice of stations take their queryset from here."""
    return StaffMember._meta.get_field("stations").remote_field.model


class QualificationLevel(models.TextChoices):
    # 养老护理员国家职业技能标准: five levels
    LEVEL_5 = "5", _("Level 5 (初级工)")
    LEVEL_4 = "4", _("Level 4 (中级工)")
    LEVEL_3 = "3", _("Level 3 (高级工)")
    LEVEL_2 = "2", _("Level 2 (技师)")
    LEVEL_1 = "1", _("Level 1 (高级技师)")
    NONE = "", _("No level")


class StaffChildQuerySet(ScopedQuerySet):
    region_path = "staff__region"
    organization_path = "staff__employer"


class Qualification(AuditedModel):
    staff = models.ForeignKey(
        StaffMember, verbose_name=_("staff member"), on_delete=models.CASCADE, related_name="qualifications"
    )
    name = models.CharField(_("qualification"), max_length=100, help_text=_("e.g. 养老护理员"))
    level = models.CharField(
        pgettext_lazy("qualification", "level"),
        max_length=2,
        choices=QualificationLevel.choices,
        blank=True,
        default="",
    )
    certificate_number = models.CharField(_("certificate number"), max_length=64, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True, db_index=True)
    expiry_notified_on = models.DateField(_("expiry notice sent on"), null=True, blank=True, editable=False)

    objects = StaffChildQuerySet.as_manager()

    audit_ignore = frozenset({"expiry_notified_on"})

    class Meta:
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")
        ordering = ["expires_on", "id"]

    def __str__(self):
        level = self.get_level_display() if self.level else ""
        return f"{self.name} {level}".strip()

    def clean(self):
        if self.issued_on and self.expires_on and self.expires_on <= self.issued_on:
            raise ValidationError({"expires_on": _("A certificate expires after it is issued.")})

    def days_left(self, today=None):
        if self.expires_on is None:
            return None
        return (self.expires_on - (today or timezone.localdate())).days


class TrainingKind(models.TextChoices):
    PRE_JOB = "pre_job", _("Pre-job (岗前)")
    SPECIAL = "special", _("Special (专项)")
    PERIODIC = "periodic", _("Periodic (定期)")


class TrainingSessionQuerySet(ScopedQuerySet):
    """Sessions are not personal: every signed-in user reads them (companies see what their
    staff attend); officers of the region change them."""

    region_path = "region"

    def visible_to(self, user):
        return self.all() if user is not None and user.is_authenticated and user.is_active else self.none()


class TrainingSession(AuditedModel):
    organiser = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organiser"),
        on_delete=models.PROTECT,
        related_name="training_sessions",
    )
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="training_sessions",
        help_text=_("The district (or street) the session is for."),
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=TrainingKind.choices)
    starts_on = models.DateField(_("starts on"), db_index=True)
    ends_on = models.DateField(_("ends on"))
    hours = models.DecimalField(
        _("hours"), max_digits=5, decimal_places=1, validators=[MinValueValidator(Decimal("0.5"))], default=4
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    instructors = models.CharField(_("instructors"), max_length=300, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    theory_pass_mark = models.DecimalField(
        _("theory pass mark"),
        max_digits=5,
        decimal_places=1,
        default=60,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    practical_pass_mark = models.DecimalField(
        _("practical pass mark"),
        max_digits=5,
        decimal_places=1,
        default=60,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = TrainingSessionQuerySet.as_manager()

    audit_ignore = frozenset({"created_at"})

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["-starts_on", "-id"]

    def __str__(self):
        return f"{self.starts_on:%Y-%m-%d} {self.title}"

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("A session cannot end before it starts.")})


class TrainingRecordQuerySet(StaffChildQuerySet):
    def scope_condition(self, user, scope, *, edit):
        # Scores are the bureau's: companies read their staff's results but never change them.
        if edit:
            codes = scope.region_codes(edit=True)
            return region_subtree("staff__region", *codes) if codes else None
        return super().scope_condition(user, scope, edit=edit)


def derive_passed(session, attended, theory_score, practical_score) -> bool:
    """000: 理论与实操考核 — passed only with both marks reached (and present)."""
    return bool(
        attended
        and theory_score is not None
        and practical_score is not None
        and theory_score >= session.theory_pass_mark
        and practical_score >= session.practical_pass_mark
    )


class TrainingRecord(AuditedModel):
    session = models.ForeignKey(
        TrainingSession,
        verbose_name=pgettext_lazy("training", "session"),
        on_delete=models.CASCADE,
        related_name="records",
    )
    staff = models.ForeignKey(
        StaffMember, verbose_name=_("staff member"), on_delete=models.PROTECT, related_name="training_records"
    )
    attended = models.BooleanField(_("attended"), default=False)
    theory_score = models.DecimalField(
        _("theory score"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    practical_score = models.DecimalField(
        _("practical score"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    passed = models.BooleanField(_("passed"), default=False, editable=False)
    certificate_number = models.CharField(_("certificate number"), max_length=64, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = TrainingRecordQuerySet.as_manager()

    audit_ignore = frozenset({"updated_at"})

    class Meta:
        verbose_name = _("training record")
        verbose_name_plural = _("training records")
        ordering = ["session", "staff__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "staff"], name="one_record_per_session_staff")
        ]
        indexes = [models.Index(fields=["staff", "passed"], name="training_staff_passed_idx")]

    def __str__(self):
        return f"{self.session} · {self.staff}"

    def clean(self):
        if not self.attended and (self.theory_score is not None or self.practical_score is not None):
            raise ValidationError({"attended": _("Scores can only be given to someone who attended.")})

    def save(self, *args, **kwargs):
        self.passed = derive_passed(self.session, self.attended, self.theory_score, self.practical_score)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "passed"}
        super().save(*args, **kwargs)


class TrainingTargetQuerySet(ScopedQuerySet):
    """000: a district's training plan. Read by the government users of the district (and of the
    regions above it) and by the organisations located in the district (its street offices and
    companies plan against it); set by the district's officers. Another city's users see none."""

    region_path = "region"

    def scope_condition(self, user, scope, *, edit):
        condition = super().scope_condition(user, scope, edit=edit)
        if edit or not scope.view_organization_ids:
            return condition

        located_in = Q(
            Exists(
                Organization.objects.filter(
                    region_subtree("region", OuterRef("region__code")), pk__in=scope.view_organization_ids
                )
            )
        )
        return located_in if condition is None else condition | located_in


class TrainingTarget(AuditedModel):
    """000: 全区培训 200 人次 — person-times of training per district and year."""

    region = models.ForeignKey(
        "regions.Region", verbose_name=_("district"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    person_times = models.PositiveIntegerField(_("target person-times"), default=200)

    objects = TrainingTargetQuerySet.as_manager()

    class Meta:
        verbose_name = _("training target")
        verbose_name_plural = _("training targets")
        ordering = ["-year", "region__code"]
        constraints = [models.UniqueConstraint(fields=["region", "year"], name="one_target_per_region_year")]

    def __str__(self):
        return f"{self.region} {self.year}: {self.person_times}"


class ResourceKind(models.TextChoices):
    # 000 服务资源清单: elderly-service units, charities, volunteer teams, welfare organisations
    ELDERLY_SERVICE = "elderly_service", _("Elderly-service unit")
    MEDICAL = "medical", _("Medical institution")
    CHARITY = "charity", _("Charity")
    VOLUNTEER_TEAM = "volunteer_team", _("Volunteer team")
    WELFARE = "welfare", _("Welfare organisation")
    MERCHANT = "merchant", _("Merchant or service provider")
    OTHER = "other", _("Other")


class StationResourceQuerySet(ScopedQuerySet):
    region_path = "station__region"
    organization_path = "station__operator"


class StationResource(AuditedModel):
    """A line of a station's resource information, kept current and posted by its information
    officers (000: 信息员 持续梳理更新辖区养老服务资源信息). Every change is in the audit log."""

    station = models.ForeignKey(
        "stations.Station", verbose_name=_("station"), on_delete=models.CASCADE, related_name="resources"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ResourceKind.choices)
    name = models.CharField(_("name"), max_length=200)
    contact = models.CharField(_("contact person"), max_length=50, blank=True)
    phone = models.CharField(_("service phone"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    services = models.CharField(_("what they offer"), max_length=300, blank=True)
    is_current = models.BooleanField(_("current"), default=True)
    updated_by = models.ForeignKey(
        StaffMember,
        verbose_name=_("updated by"),
        on_delete=models.PROTECT,
        related_name="resource_updates",
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now, db_index=True)

    objects = StationResourceQuerySet.as_manager()

    audit_ignore = frozenset({"updated_at"})

    class Meta:
        verbose_name = _("resource information")
        verbose_name_plural = _("resource information")
        ordering = ["station", "kind", "name"]

    def __str__(self):
        return self.name
