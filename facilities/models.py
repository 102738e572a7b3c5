"""Elderly-care rooms that developers build into new residential compounds and hand over to the
civil-affairs bureau (004, 南政办〔2025〕34号): the registry (建档), handover deadlines,
inspections and violations, the use-application procedure with its entrustment agreement, and
the guidance targets per town and year."""

import calendar
import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.audit import AuditedModel
from accounts.scoping import ScopedQuerySet
from regions.models import region_subtree
from stations.models import Floor


class CampaignQuerySet(ScopedQuerySet):
    """A campaign concerns every room of its county: government users see the campaigns of
    their county (for a street, the county it lies in) and of its city, and those below their
    own region; they change those within their region."""

    region_path = "region"

    def scope_condition(self, user, scope, *, edit):
        if edit:
            return super().scope_condition(user, scope, edit=edit)
        codes = scope.region_codes(edit)
        if not codes:
            return None
        counties = region_subtree("region", *{code[:6] for code in codes})
        return counties | Q(region__code__in={code[:4] for code in codes})


class Campaign(AuditedModel):
    """A county's campaign (004: from 2025, three years): rooms handed over before it starts
    must operate by ``existing_deadline``; rooms handed over later within ``new_handover_months``
    of their confirmation."""

    region = models.ForeignKey(
        "regions.Region", verbose_name=_("county"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    document_number = models.CharField(_("document number"), max_length=64, blank=True)
    starts_on = models.DateField(_("campaign starts on"))
    existing_deadline = models.DateField(_("rooms already handed over operate by"))
    new_handover_months = models.PositiveSmallIntegerField(
        _("newly handed-over rooms operate within (months)"), default=12
    )

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("care-room campaign")
        verbose_name_plural = _("care-room campaigns")
        ordering = ["region__code", "-starts_on"]

    def __str__(self):
        return f"{self.region.name} {self.title}"


class CompoundQuerySet(ScopedQuerySet):
    region_path = "region"
    organization_path = "property_company"


class Compound(AuditedModel):
    name = models.CharField(_("compound"), max_length=200)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("town or community"),
        on_delete=models.PROTECT,
        related_name="compounds",
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    households = models.PositiveIntegerField(_("households"), null=True, blank=True)
    residents = models.PositiveIntegerField(_("residents"), null=True, blank=True)
    elderly_residents = models.PositiveIntegerField(_("elderly residents (60+)"), null=True, blank=True)
    developer = models.CharField(_("developer"), max_length=200, blank=True)
    property_company = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("property company"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="compounds",
    )

    objects = CompoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("residential compound")
        verbose_name_plural = _("residential compounds")
        ordering = ["region__code", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="compound_unique_in_region")]

    def __str__(self):
        return self.name

    def clean(self):
        if self.region_id and len(self.region.code) < 9:
            raise ValidationError({"region": _("Choose the compound's town (street) or community.")})
        if self.elderly_residents and self.residents and self.elderly_residents > self.residents:
            raise ValidationError(
                {"elderly_residents": _("There cannot be more elderly residents than residents.")}
            )


class HandoverState(models.TextChoices):
    NOT_HANDED_OVER = "not_handed_over", _("Not handed over")
    HANDED_OVER = "handed_over", _("Handed over")


class OperatingState(models.TextChoices):
    NOT_OPERATING = "not_operating", _("Not operating")
    OPERATING = "operating", _("Operating")
    SUSPENDED = "suspended", _("Suspended")


class OperatingMode(models.TextChoices):
    # 004 二（二）: the five modes
    PROPERTY_CARE = "property_care", _("Property plus care (物业+养老)")
    SMART_CARE = "smart_care", _("Smart home and community care")
    MEDICAL_CARE = "medical_care", _("Medical-care integration")
    DAY_CARE = "day_care", _("Day care")
    PARTY_BUILDING = "party_building", _("Party building plus care (党建+养老)")
    OTHER = "other", _("Other")


class CareRoomQuerySet(ScopedQuerySet):
    region_path = "compound__region"
    organization_path = "operator"


class CareRoom(AuditedModel):
    compound = models.ForeignKey(
        Compound, verbose_name=_("compound"), on_delete=models.PROTECT, related_name="rooms"
    )
    location = models.CharField(_("location in the compound"), max_length=200)
    floor = models.CharField(_("floor"), max_length=16, choices=Floor.choices, default=Floor.GROUND)
    area = models.DecimalField(
        _("area (m²)"), max_digits=8, decimal_places=1, validators=[MinValueValidator(0)]
    )
    built_on = models.DateField(_("built on"), null=True, blank=True)
    handover_state = models.CharField(
        _("handover"),
        max_length=16,
        choices=HandoverState.choices,
        default=HandoverState.NOT_HANDED_OVER,
        db_index=True,
    )
    handover_number = models.CharField(_("handover confirmation number"), max_length=64, blank=True)
    handed_over_on = models.DateField(_("handover confirmed on"), null=True, blank=True)
    owner = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_care_rooms",
        help_text=_("The civil-affairs bureau owns the rooms handed over to it."),
    )
    operating_state = models.CharField(
        _("operation"),
        max_length=16,
        choices=OperatingState.choices,
        default=OperatingState.NOT_OPERATING,
        db_index=True,
    )
    operating_since = models.DateField(_("put into operation on"), null=True, blank=True)
    operating_mode = models.CharField(
        _("operating mode"), max_length=16, choices=OperatingMode.choices, blank=True
    )
    operator = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("operator"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="operated_care_rooms",
    )
    # 004 二（一）: the ledger items
    responsible_party = models.CharField(_("responsible party"), max_length=200, blank=True)
    management_mode = models.CharField(_("management mode"), max_length=200, blank=True)
    equipment = models.TextField(_("equipment"), blank=True)
    staffing = models.CharField(_("staffing"), max_length=200, blank=True)
    funding = models.CharField(_("funding"), max_length=200, blank=True)
    function = models.CharField(_("function"), max_length=200, blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    deadline = models.DateField(_("must operate by"), null=True, blank=True, editable=False, db_index=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = CareRoomQuerySet.as_manager()

    audit_ignore = frozenset({"created_at", "deadline"})

    class Meta:
        verbose_name = _("care room")
        verbose_name_plural = _("care rooms")
        ordering = ["compound__region__code", "compound__name", "id"]

    def __str__(self):
        return f"{self.compound.name} · {self.location}"

    @property
    def location_on_paper(self) -> str:
        """The location as written, with the floor's label only where it adds to it: ``会所二层``
        already says its floor, ``3 号楼东侧`` does not (``3 号楼东侧（半地下室）``)."""
        if not self.floor or "层" in self.location:
            return self.location
        return f"{self.location}（{self.get_floor_display()}）"

    def clean(self):
        errors = {}
        if self.handover_state == HandoverState.HANDED_OVER:
            if not self.handed_over_on:
                errors["handed_over_on"] = _(
                    "A handed-over room needs the date of the handover confirmation."
                )
            if not self.handover_number:
                errors["handover_number"] = _(
                    "A handed-over room needs the number of its handover confirmation."
                )
        elif self.operating_state != OperatingState.NOT_OPERATING:
            errors["operating_state"] = _("A room operates only after it is handed over.")
        if self.operating_state == OperatingState.OPERATING:
            if not self.operating_since:
                errors["operating_since"] = _("Give the date the room was put into operation.")
            if not self.operating_mode:
                errors["operating_mode"] = _("Give the operating mode.")
        if self.built_on and self.handed_over_on and self.handed_over_on < self.built_on:
            errors["handed_over_on"] = _("A room cannot be handed over before it is built.")
        if errors:
            raise ValidationError(errors)

    def days_left(self, today=None):
        if self.deadline is None:
            return None
        return (self.deadline - (today or timezone.localdate())).days

    @property
    def is_overdue(self) -> bool:
        return (
            self.deadline is not None
            and self.operating_state != OperatingState.OPERATING
            and self.deadline < timezone.localdate()
        )


class RoomChildQuerySet(ScopedQuerySet):
    region_path = "room__compound__region"
    organization_path = "room__operator"


class Inspection(AuditedModel):
    room = models.ForeignKey(
        CareRoom, verbose_name=_("care room"), on_delete=models.PROTECT, related_name="inspections"
    )
    inspected_on = models.DateField(_("inspected on"), db_index=True)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("inspector"), on_delete=models.PROTECT, related_name="+"
    )
    findings = models.TextField(_("findings"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = RoomChildQuerySet.as_manager()

    audit_ignore = frozenset({"created_at"})

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-inspected_on", "-id"]

    def __str__(self):
        return f"{self.inspected_on:%Y-%m-%d} {self.room}"


class InspectionPhotoQuerySet(ScopedQuerySet):
    region_path = "inspection__room__compound__region"
    organization_path = "inspection__room__operator"


class InspectionPhoto(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="photos")
    photo = models.FileField(_("photo"), upload_to="facilities/inspections/", max_length=300)
    caption = models.CharField(_("caption"), max_length=200, blank=True)

    objects = InspectionPhotoQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection photo")
        verbose_name_plural = _("inspection photos")

    def __str__(self):
        return self.caption or self.photo.name


class ViolationKind(models.TextChoices):
    # 004 二（一）: 建而不用、用而不管、挪作他用、违规出租、出售
    BUILT_UNUSED = "built_unused", _("Built but unused")
    USED_UNMANAGED = "used_unmanaged", _("Used but unmanaged")
    DIVERTED = "diverted", _("Diverted to other uses")
    ILLEGALLY_LET = "illegally_let", _("Illegally let")
    SOLD = "sold", _("Sold")


class ViolationState(models.TextChoices):
    OPEN = "open", _("Open")
    RECTIFYING = "rectifying", _("Being rectified")
    CLOSED = "closed", pgettext_lazy("violation", "Closed")


class Violation(AuditedModel):
    room = models.ForeignKey(
        CareRoom, verbose_name=_("care room"), on_delete=models.PROTECT, related_name="violations"
    )
    found_in = models.ForeignKey(
        Inspection, verbose_name=_("found in"), on_delete=models.PROTECT, related_name="violations"
    )
    kind = models.CharField(_("violation"), max_length=16, choices=ViolationKind.choices)
    description = models.TextField(_("description"), blank=True)
    rectify_by = models.DateField(_("rectify by"))
    action_taken = models.TextField(_("action taken"), blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=ViolationState.choices, default=ViolationState.OPEN, db_index=True
    )
    closed_in = models.ForeignKey(
        Inspection,
        verbose_name=_("closed in"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="closed_violations",
    )

    objects = RoomChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("violation")
        verbose_name_plural = _("violations")
        ordering = ["state", "rectify_by", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="closed", closed_in__isnull=False)
                | (~Q(state="closed") & Q(closed_in__isnull=True)),
                name="violation_closed_by_an_inspection",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.room}"

    @property
    def is_overdue(self) -> bool:
        return self.state != ViolationState.CLOSED and self.rectify_by < timezone.localdate()


class AlterationKind(models.TextChoices):
    CHANGE_OF_USE = "change_of_use", _("Change of use")
    REBUILD = "rebuild", _("Rebuilding or extension")


class Alteration(AuditedModel):
    """004 二（三）: no change of use and no rebuilding without permission — recorded only with
    the approval."""

    room = models.ForeignKey(
        CareRoom, verbose_name=_("care room"), on_delete=models.PROTECT, related_name="alterations"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=AlterationKind.choices)
    description = models.TextField(_("description"))
    approval_number = models.CharField(_("approval document number"), max_length=64)
    approved_by = models.CharField(_("approved by"), max_length=200)
    approved_on = models.DateField(_("approved on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = RoomChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("change of use or rebuilding")
        verbose_name_plural = _("changes of use and rebuilding")
        ordering = ["-approved_on", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.approval_number}"


class ApplicationStatus(models.TextChoices):
    # 004 三: 初步对接 → 提出申请 → 审核把关（踏勘、意见）→ 市政府批示 → 协议签订 → 投入运营
    CONTACTED = "contacted", _("Initial contact")
    APPLIED = "applied", _("Applied by the town")
    SURVEYED = "surveyed", _("Surveyed, bureau opinion given")
    APPROVED = "approved", _("Approved by the city")
    SIGNED = "signed", _("Agreement signed")
    OPERATING = "operating", _("Operating")
    REJECTED = "rejected", _("Not approved")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class UseApplicationQuerySet(ScopedQuerySet):
    region_path = "room__compound__region"
    organization_path = "town"


class UseApplication(AuditedModel):
    room = models.ForeignKey(
        CareRoom, verbose_name=_("care room"), on_delete=models.PROTECT, related_name="applications"
    )
    town = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("town government"),
        on_delete=models.PROTECT,
        related_name="care_room_applications",
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.CONTACTED,
        db_index=True,
    )
    # what the town applies with (004 三（二）)
    residents = models.PositiveIntegerField(_("residents"), null=True, blank=True)
    elderly_residents = models.PositiveIntegerField(_("elderly residents (60+)"), null=True, blank=True)
    room_area = models.DecimalField(
        _("room area (m²)"), max_digits=8, decimal_places=1, null=True, blank=True
    )
    operating_mode = models.CharField(
        _("operating mode"), max_length=16, choices=OperatingMode.choices, blank=True
    )
    services = models.TextField(pgettext_lazy("service content", "services offered"), blank=True)
    city_approval_number = models.CharField(_("city approval number"), max_length=64, blank=True)
    city_approved_on = models.DateField(_("city approved on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = UseApplicationQuerySet.as_manager()

    audit_ignore = frozenset({"created_at"})

    class Meta:
        verbose_name = _("use application")
        verbose_name_plural = _("use applications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["room"],
                condition=~Q(status__in=["rejected", "withdrawn", "operating"]),
                name="one_live_application_per_room",
            )
        ]

    def __str__(self):
        return f"{self.room} · {self.get_status_display()}"


class ApplicationStep(models.Model):
    """Who did what at each step, when, and what they said."""

    application = models.ForeignKey(UseApplication, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(_("action"), max_length=16)
    from_status = models.CharField(_("from"), max_length=16, blank=True)
    to_status = models.CharField(_("to"), max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    organization = models.ForeignKey(
        "accounts.Organization", verbose_name=_("for"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("what was said"), blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("application step")
        verbose_name_plural = _("application steps")
        ordering = ["at", "id"]

    def __str__(self):  # the state reached, in words: the action's code is no label
        return f"{self.at:%Y-%m-%d} {ApplicationStatus(self.to_status).label}"


class AgreementQuerySet(ScopedQuerySet):
    region_path = "room__compound__region"
    organization_path = "town"


class EntrustmentAgreement(AuditedModel):
    """004 三（四）: the bureau entrusts the room to the town, free of charge, normally for three
    years."""

    application = models.OneToOneField(
        UseApplication,
        verbose_name=pgettext_lazy("use application", "application"),
        on_delete=models.PROTECT,
        related_name="agreement",
    )
    room = models.ForeignKey(
        CareRoom, verbose_name=_("care room"), on_delete=models.PROTECT, related_name="agreements"
    )
    bureau = models.ForeignKey(
        "accounts.Organization", verbose_name=_("bureau"), on_delete=models.PROTECT, related_name="+"
    )
    town = models.ForeignKey(
        "accounts.Organization", verbose_name=_("town government"), on_delete=models.PROTECT, related_name="+"
    )
    number = models.CharField(_("agreement number"), max_length=64)
    signed_on = models.DateField(_("signed on"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), db_index=True)
    free_of_charge = models.BooleanField(_("free of charge"), default=True, editable=False)
    note = models.TextField(_("note"), blank=True)

    objects = AgreementQuerySet.as_manager()

    class Meta:
        verbose_name = _("entrustment agreement")
        verbose_name_plural = _("entrustment agreements")
        ordering = ["ends_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")), name="agreement_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(free_of_charge=True), name="agreement_free_of_charge"),
        ]

    def __str__(self):
        return f"{self.number} · {self.room}"

    def days_left(self, today=None):
        return (self.ends_on - (today or timezone.localdate())).days


class TargetQuerySet(ScopedQuerySet):
    """Bureaus see their county's rows, towns their own; companies see none."""

    region_path = "town"


class GuidanceTarget(AuditedModel):
    """One row of 004's 附件 for a town: the registry figures as the table states them, the
    subtotal of rooms to put into operation and its split per year, and the remarks."""

    county = models.ForeignKey(
        "regions.Region", verbose_name=_("county"), on_delete=models.PROTECT, related_name="+"
    )
    town = models.ForeignKey(
        "regions.Region", verbose_name=_("town (street)"), on_delete=models.PROTECT, related_name="+"
    )
    built = models.PositiveIntegerField(_("built"))
    handed_over = models.PositiveIntegerField(_("handed over"))
    not_handed_over = models.PositiveIntegerField(_("not handed over"))
    subtotal = models.PositiveIntegerField(_("target subtotal"))
    per_year = models.JSONField(_("target per year"), default=dict)
    remarks = models.CharField(_("remarks"), max_length=300, blank=True)
    imported_at = models.DateTimeField(_("imported at"), default=timezone.now)

    objects = TargetQuerySet.as_manager()

    class Meta:
        verbose_name = _("guidance target")
        verbose_name_plural = _("guidance targets")
        ordering = ["county__code", "town__code"]
        constraints = [models.UniqueConstraint(fields=["town"], name="one_target_row_per_town")]

    def __str__(self):
        return f"{self.town.name} {self.subtotal}"

    def target_for(self, year: int) -> int:
        return int(self.per_year.get(str(year), 0))


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole months (the 31st becomes the month's last day)."""

    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
