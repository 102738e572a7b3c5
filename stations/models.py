"""Service stations (一站), the elderly residents they serve (一人一档), service orders and
records (点菜式), publicity events and satisfaction surveys."""

import math
import uuid
from decimal import Decimal
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.audit import AuditedModel
from accounts.identity import age_on
from accounts.pii import EncryptedCharField, MaskedCopiesMixin, MaskedCopyField
from accounts.scoping import ScopedQuerySet

from .hours import check_opening_hours, format_opening_hours, opening_hours_lines


class Floor(models.TextChoices):
    GROUND = "ground", _("Ground floor")
    UPPER = "upper", _("Upper floor")
    SEMI_BASEMENT = "semi_basement", _("Semi-basement")
    BASEMENT = "basement", _("Basement")


BELOW_GROUND = (Floor.SEMI_BASEMENT, Floor.BASEMENT)


class StationStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    RENOVATING = "renovating", _("Renovating")
    OPERATING = "operating", _("Operating")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed")


class ServiceCategory(models.TextChoices):
    MEALS = "meals", _("Meals and delivery")
    CLEANING = "cleaning", _("Cleaning")
    BATHING = "bathing", _("Bathing")
    MEDICAL_ESCORT = "medical_escort", _("Medical escort")
    EMERGENCY = "emergency", _("Emergency help")
    WALKING = "walking", _("Walking help")
    CARE_VISIT = "care_visit", _("Care visit")
    REPAIR = "repair", _("Appliance repair")
    ERRANDS = "errands", _("Shopping errands")
    DAY_CARE = "day_care", _("Day care")
    PERSONAL_CARE = "personal_care", _("Personal care")
    OTHER = "other", _("Other")


class PriceUnit(models.TextChoices):
    """What a posted price is per; a completed service is charged the price times its quantity."""

    TIME = "time", pgettext_lazy("price unit", "session")
    HOUR = "hour", pgettext_lazy("price unit", "hour")
    MEAL = "meal", pgettext_lazy("price unit", "meal")
    DAY = "day", pgettext_lazy("price unit", "day")
    MONTH = "month", pgettext_lazy("price unit", "month")


class PriceLevel(models.TextChoices):
    """000 三(一)3: free, low-cost or market-price services."""

    FREE = "free", _("Free")
    LOW_COST = "low_cost", _("Low-cost")
    MARKET = "market", _("Market price")


def day_care_below_ground_error(floor, services):
    """003: basement and semi-basement premises may not host day care (日间托养)."""
    if floor in BELOW_GROUND and ServiceCategory.DAY_CARE in (services or []):
        return ValidationError(
            _("Day care (日间托养) may not be offered at a basement or semi-basement station."),
            code="day_care_below_ground",
        )
    return None


class StationQuerySet(ScopedQuerySet):
    region_path = "region"
    organization_path = "operator"

    def published(self):
        return self.filter(status=StationStatus.OPERATING)

    def scope_condition(self, user, scope, *, edit):
        condition = super().scope_condition(user, scope, edit=edit)
        if not edit:  # operating stations are public (the station finder)
            public = Q(status=StationStatus.OPERATING)
            condition = public if condition is None else condition | public
        return condition

    def within_scope_of(self, user):
        """The stations a user answers for (a bureau's region, a company's own): ``visible_to``
        without the finder's operating stations elsewhere, which are not theirs to report on."""
        return self._scoped(user, edit=False, scope_condition=super().scope_condition)


class Station(AuditedModel):
    operator = models.ForeignKey(
        "accounts.Organization", verbose_name=_("operator"), on_delete=models.PROTECT, related_name="stations"
    )
    pilot = models.ForeignKey(
        "pilots.Pilot",
        verbose_name=_("pilot"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="stations",
    )
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("street or community"),
        on_delete=models.PROTECT,
        related_name="stations",
    )
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    floor = models.CharField(_("premises floor"), max_length=16, choices=Floor.choices, default=Floor.GROUND)
    area = models.DecimalField(_("area (m²)"), max_digits=8, decimal_places=1, null=True, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    services = models.JSONField(_("services offered"), default=list, blank=True)
    opening_hours = models.JSONField(
        _("opening hours"), default=dict, blank=True, help_text=_('Per weekday, e.g. {"mon": "08:30-17:30"}.')
    )
    hours_note = models.CharField(_("opening hours note"), max_length=200, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=StationStatus.choices,
        default=StationStatus.PLANNED,
        db_index=True,
    )
    status_changed_on = models.DateField(_("status changed on"), default=timezone.localdate)
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = StationQuerySet.as_manager()

    audit_ignore = frozenset({"created_at"})

    class Meta:
        verbose_name = _("service station")
        verbose_name_plural = _("service stations")
        ordering = ["region__code", "name"]
        indexes = [models.Index(fields=["latitude", "longitude"], name="station_location_idx")]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        error = day_care_below_ground_error(self.floor, self.services)
        if error is not None:
            errors["services"] = error
        elif self.pk and self.floor in BELOW_GROUND:
            # A posted day-care price is an offer of day care too: a station cannot move below
            # ground while it lists one (003).
            priced = list(self.prices.values_list("category", flat=True))
            error = day_care_below_ground_error(self.floor, priced)
            if error is not None:
                errors["floor"] = error
        unknown = [s for s in self.services or [] if s not in ServiceCategory.values]
        if unknown:
            errors["services"] = ValidationError(
                _("Unknown services: %(names)s") % {"names": ", ".join(unknown)}
            )
        try:
            self.opening_hours = check_opening_hours(self.opening_hours)
        except ValidationError as exc:
            errors["opening_hours"] = exc
        if self.region_id and len(self.region.code) < 9:
            errors["region"] = ValidationError(_("Choose the station's street/town or community."))
        if (self.latitude is None) != (self.longitude is None):
            errors["latitude"] = ValidationError(_("Give both latitude and longitude, or neither."))
        if errors:
            raise ValidationError(errors)

    def services_display(self):
        labels = dict(ServiceCategory.choices)
        return "、".join(str(labels.get(s, s)) for s in self.services or [])

    def opening_hours_display(self):
        """周一至周五 08:30–17:30；周六 09:00–12:00；周日休息 (``stations.hours``)."""
        return format_opening_hours(self.opening_hours)

    def opening_hours_lines(self):
        """The same, a line per group of days (pages for older readers)."""
        return opening_hours_lines(self.opening_hours)


class StationPhotoQuerySet(ScopedQuerySet):
    """A station's photos: public with the operating station, otherwise its operator's and
    the government of its region."""

    region_path = "station__region"
    organization_path = "station__operator"

    def published(self):
        return self.filter(station__status=StationStatus.OPERATING)

    def scope_condition(self, user, scope, *, edit):
        condition = super().scope_condition(user, scope, edit=edit)
        if not edit:
            public = Q(station__status=StationStatus.OPERATING)
            condition = public if condition is None else condition | public
        return condition


def station_photo_path(instance, filename):
    # a generated name: what the camera or the sender called the file says nothing useful
    return f"stations/photos/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()[:8]}"


class StationPhoto(models.Model):
    """A photo of a station's premises, shown on its public page (checked by content on upload:
    ``stations.services.add_station_photo``)."""

    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.CASCADE, related_name="photos"
    )
    photo = models.FileField(_("photo"), upload_to=station_photo_path, max_length=100)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    added_at = models.DateTimeField(_("added at"), default=timezone.now)

    objects = StationPhotoQuerySet.as_manager()

    class Meta:
        verbose_name = _("station photo")
        verbose_name_plural = _("station photos")
        ordering = ["station", "added_at", "id"]

    def __str__(self):
        return self.caption or _("Photo of %(station)s") % {"station": self.station.name}


class StationPrice(models.Model):
    """A posted price of a service at a station (明码标价). A station's posted prices are the
    service-item list (服务项目清单) of its published five lists: publishing a version replaces
    them (``stations.services.post_prices``); orders keep the price of the moment they are placed."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="prices")
    category = models.CharField(_("service"), max_length=16, choices=ServiceCategory.choices)
    content = models.CharField(_("service content"), max_length=200, blank=True)
    price = models.DecimalField(
        _("price (yuan)"), max_digits=8, decimal_places=2, validators=[MinValueValidator(0)]
    )
    unit = models.CharField(_("unit"), max_length=16, choices=PriceUnit.choices, default=PriceUnit.TIME)
    level = models.CharField(
        _("price level"), max_length=16, choices=PriceLevel.choices, default=PriceLevel.MARKET
    )
    provider = models.CharField(
        _("provided by"), max_length=200, blank=True, help_text=_("Blank: the operating company itself.")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    source = models.CharField(_("posted from"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("posted price")
        verbose_name_plural = _("posted prices")
        ordering = ["station", "category", "content"]
        constraints = [
            models.UniqueConstraint(
                fields=["station", "category", "content"], name="one_price_per_service_item"
            )
        ]

    def __str__(self):
        name = self.content or self.get_category_display()
        return f"{name} {self.price} 元/{self.get_unit_display()}"

    @property
    def label(self) -> str:
        """What an order form lists: the service, its content and its price."""
        return str(self)


class StationChildQuerySet(ScopedQuerySet):
    """Rows that belong to a station: scoped by the station's region and operator."""

    region_path = "station__region"
    organization_path = "station__operator"


class StationPriceHistory(models.Model):
    """Every posted price a station has had (明码标价), with when it was posted, who posted it and
    who approved the list it came from. A row stays current (``withdrawn_at`` empty) as long as
    the same service is posted at the same price; a changed or dropped price is closed and a
    changed one gets a new row, so the current rows say since when each price holds."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="price_history")
    category = models.CharField(_("service"), max_length=16, choices=ServiceCategory.choices)
    content = models.CharField(_("service content"), max_length=200, blank=True)
    price = models.DecimalField(_("price (yuan)"), max_digits=8, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=16, choices=PriceUnit.choices)
    level = models.CharField(_("price level"), max_length=16, choices=PriceLevel.choices)
    source = models.CharField(_("posted from"), max_length=200, blank=True)
    posted_at = models.DateTimeField(_("posted since"), default=timezone.now)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("posted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approving_office = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("approving office"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(_("replaced or withdrawn at"), null=True, blank=True)

    objects = StationChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("posted price history")
        verbose_name_plural = _("posted price history")
        ordering = ["station", "-posted_at", "category", "content"]
        indexes = [models.Index(fields=["station", "-posted_at"], name="price_history_station_idx")]

    def __str__(self):
        name = self.content or self.get_category_display()
        return f"{name} {self.price} 元/{self.get_unit_display()}"


def default_quantity(unit: str, seconds: float):
    """The quantity a completed service is charged for when none is given: the started half
    hours for a price per hour (at least one half hour; 30 min 30 s is two), one for any other
    unit."""
    if unit == PriceUnit.HOUR:
        halves = max(math.ceil(seconds / 1800), 1)
        return Decimal(halves) / 2
    return Decimal(1)


class LivingSituation(models.TextChoices):
    ALONE = "alone", _("Living alone")
    EMPTY_NEST = "empty_nest", _("Empty nest")
    WITH_FAMILY = "with_family", _("With family")


class BasicCareCategory(models.TextChoices):
    POOR = "poor", _("Economically disadvantaged")
    DISABLED = "disabled", _("Disabled (失能)")
    DEMENTED = "demented", _("Demented (失智)")
    BEREAVED = "bereaved", _("Bereaved of only child (失独)")
    HANDICAPPED = "handicapped", _("Severely handicapped")


def consent_form_path(instance, filename):
    # a generated name: the uploaded one may be long or carry the person's name
    return f"consents/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()[:8]}"


class ResidentQuerySet(ScopedQuerySet):
    """Residents in the user's region subtree (by community), or served by a station of one of
    the user's organisations: the latter as ``id IN (SELECT resident_id ...)``, not a join, so a
    resident served by two stations is one row without DISTINCT (which would sort every column
    of every row for the count and the page)."""

    region_path = "community"
    organization_path = None  # see scope_condition

    def scope_condition(self, user, scope, *, edit: bool):
        condition = super().scope_condition(user, scope, edit=edit)
        organization_ids = scope.organization_ids(edit)
        if organization_ids:
            served = ResidentStation.objects.filter(station__operator_id__in=organization_ids)
            part = Q(pk__in=served.values("resident_id"))
            condition = part if condition is None else condition | part
        return condition


class Resident(MaskedCopiesMixin, AuditedModel):
    """一人一档. Identity number and phones are encrypted; ``*_hash`` columns serve exact search."""

    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    id_number = EncryptedCharField(_("identity number"))
    id_number_hash = models.CharField(max_length=64, unique=True, editable=False)
    id_number_masked = MaskedCopyField(_("identity number"), source="id_number", mask="id_number")
    birth_date = models.DateField(_("birth date"), editable=False)
    sex = models.CharField(
        _("sex"), max_length=1, choices=[("M", _("Male")), ("F", _("Female"))], editable=False
    )
    phone = EncryptedCharField(_("phone"), blank=True)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone_masked = MaskedCopyField(_("phone"), source="phone", mask="phone")
    address = models.CharField(_("address"), max_length=200, blank=True)
    community = models.ForeignKey(
        "regions.Region", verbose_name=_("community"), on_delete=models.PROTECT, related_name="residents"
    )
    living_situation = models.CharField(
        _("living situation"),
        max_length=16,
        choices=LivingSituation.choices,
        default=LivingSituation.WITH_FAMILY,
    )
    basic_care = models.JSONField(_("basic-care categories"), default=list, blank=True)
    emergency_contact = models.CharField(_("emergency contact"), max_length=50, blank=True)
    emergency_phone = EncryptedCharField(_("emergency contact phone"), blank=True)
    consent_on = models.DateField(_("consent to data use given on"), null=True, blank=True)
    consent_form = models.FileField(
        _("signed consent form"), upload_to=consent_form_path, blank=True, max_length=100
    )
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("consent recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    care_visit_interval_days = models.PositiveSmallIntegerField(
        _("care visit every (days)"), default=7, help_text=_("For residents living alone (寻访关爱).")
    )
    stations = models.ManyToManyField(
        Station, verbose_name=_("stations serving"), through="ResidentStation", related_name="residents"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ResidentQuerySet.as_manager()

    audit_ignore = frozenset(
        {"created_at", "id_number_hash", "phone_hash", "id_number_masked", "phone_masked"}
    )
    # The birth date is the hidden part of the masked identity number: never in the log either.
    audit_secret = frozenset({"id_number", "phone", "emergency_phone", "birth_date"})

    class Meta:
        verbose_name = _("elderly resident")
        verbose_name_plural = _("elderly residents")
        ordering = ["community__code", "name"]
        permissions = [
            ("view_personal_data_resident", _("Can see residents' identity numbers and phones unmasked"))
        ]

    def __str__(self):
        return f"{self.name}（{self.id_number_masked}）"

    @property
    def age(self):
        return age_on(self.birth_date)

    @property
    def is_very_old(self):
        return self.age >= 80

    # What every page, answer and export shows (DESIGN principle 5): the birth year and the age
    # reached this year, both from the year alone. The birth date is the hidden middle of the
    # masked identity number, and an exact age next to the birth year would tell whether the
    # birthday has passed (or, watched from day to day, the very day): only the audited reveal
    # gives the date.
    @property
    def birth_year(self):
        return self.birth_date.year

    @property
    def age_this_year(self):
        return timezone.localdate().year - self.birth_date.year

    @property
    def very_old_this_year(self):
        return self.age_this_year >= 80

    def basic_care_display(self):
        labels = dict(BasicCareCategory.choices)
        return "、".join(str(labels.get(c, c)) for c in self.basic_care or [])


class ResidentStation(models.Model):
    resident = models.ForeignKey(Resident, on_delete=models.CASCADE)
    station = models.ForeignKey(Station, on_delete=models.CASCADE)
    since = models.DateField(_("served since"), default=timezone.localdate)

    class Meta:
        verbose_name = _("station serving a resident")
        verbose_name_plural = _("stations serving residents")
        constraints = [
            models.UniqueConstraint(fields=["resident", "station"], name="resident_station_unique")
        ]

    def __str__(self):
        return f"{self.station} → {self.resident.name}"


class LinkRequestState(models.TextChoices):
    PENDING = "pending", _("Awaiting the person's consent")
    APPROVED = "approved", _("Linked")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class LinkRequestQuerySet(ScopedQuerySet):
    """The requesting operator sees its own requests; the government of the person's
    community (the bureau, the street office) sees every request about its residents."""

    region_path = "resident__community"
    organization_path = "organization"


class ResidentLinkRequest(AuditedModel):
    """A station asks to serve a person already on file with another operator. Knowing an
    identity number is not a care relationship: the station is linked only once the person's
    recorded consent (date, who recorded it, the signed form) is attached."""

    resident = models.ForeignKey(
        Resident, verbose_name=_("resident"), on_delete=models.CASCADE, related_name="link_requests"
    )
    station = models.ForeignKey(
        Station, verbose_name=_("requesting station"), on_delete=models.CASCADE, related_name="link_requests"
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("requesting operator"),
        on_delete=models.CASCADE,
        related_name="resident_link_requests",
    )
    name_given = models.CharField(_("name given by the requester"), max_length=50)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    state = models.CharField(
        _("state"), max_length=16, choices=LinkRequestState.choices, default=LinkRequestState.PENDING
    )
    consent_on = models.DateField(_("consent given on"), null=True, blank=True)
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("consent recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    consent_form = models.FileField(
        _("signed consent form"), upload_to=consent_form_path, blank=True, max_length=100
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)

    objects = LinkRequestQuerySet.as_manager()

    audit_ignore = frozenset({"created_at"})

    class Meta:
        verbose_name = _("resident link request")
        verbose_name_plural = _("resident link requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["resident", "station"],
                condition=Q(state="pending"),
                name="one_pending_link_request_per_station",
            )
        ]

    def __str__(self):
        return f"{self.station} → {self.name_given}"


class Channel(models.TextChoices):
    WALK_IN = "walk_in", _("Walk-in")
    PHONE = "phone", _("Phone")
    HOME_VISIT = "home_visit", _("Home visit")
    API = "api", _("API / device")


class OrderStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    ASSIGNED = "assigned", _("Assigned")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class ServiceOrder(AuditedModel):
    resident = models.ForeignKey(
        Resident, verbose_name=_("resident"), on_delete=models.PROTECT, related_name="orders"
    )
    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.PROTECT, related_name="orders"
    )
    category = models.CharField(_("service"), max_length=16, choices=ServiceCategory.choices)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.PHONE)
    requested_at = models.DateTimeField(_("requested for"), default=timezone.now)
    is_emergency = models.BooleanField(_("emergency"), default=False)
    note = models.CharField(_("note"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=OrderStatus.choices, default=OrderStatus.REQUESTED, db_index=True
    )
    assigned_to = models.ForeignKey(
        "staff.StaffMember",
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_orders",
    )
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    # the posted price when the order was placed, kept whatever the price list says later
    price_content = models.CharField(_("service content"), max_length=200, blank=True)
    unit_price = models.DecimalField(_("agreed price (yuan)"), max_digits=8, decimal_places=2, null=True)
    price_unit = models.CharField(_("unit"), max_length=16, choices=PriceUnit.choices, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    objects = StationChildQuerySet.as_manager()

    audit_ignore = frozenset({"created_at"})

    class Meta:
        verbose_name = _("service order")
        verbose_name_plural = _("service orders")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["station", "-created_at"], name="order_station_created_idx")]

    def __str__(self):
        return f"#{self.pk} {self.get_category_display()} · {self.resident.name}"


class ServiceRecord(models.Model):
    """A service delivered: from a completed order, or logged directly (a care visit on a round).
    Not audited row by row (millions of rows); created and rated through the services."""

    order = models.OneToOneField(
        ServiceOrder,
        verbose_name=_("order"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="record",
    )
    resident = models.ForeignKey(
        Resident, verbose_name=_("resident"), on_delete=models.PROTECT, related_name="records"
    )
    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.PROTECT, related_name="records"
    )
    category = models.CharField(_("service"), max_length=16, choices=ServiceCategory.choices)
    staff = models.ForeignKey(
        "staff.StaffMember",
        verbose_name=_("delivered by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="service_records",
    )
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"))
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"))
    unit_price = models.DecimalField(_("agreed price (yuan)"), max_digits=8, decimal_places=2, null=True)
    fee_unit = models.CharField(_("unit"), max_length=16, choices=PriceUnit.choices, blank=True)
    quantity = models.DecimalField(
        _("quantity"), max_digits=8, decimal_places=2, default=1, validators=[MinValueValidator(0)]
    )
    fee = models.DecimalField(_("fee charged (yuan)"), max_digits=10, decimal_places=2, default=0)
    is_emergency = models.BooleanField(_("emergency"), default=False)
    response_minutes = models.PositiveIntegerField(_("response time (minutes)"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    rating = models.PositiveSmallIntegerField(
        _("rating"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = StationChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("service record")
        verbose_name_plural = _("service records")
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["station", "-started_at"], name="record_station_started_idx"),
            models.Index(fields=["resident", "category", "-started_at"], name="record_resident_cat_idx"),
            models.Index(fields=["-started_at", "-id"], name="record_started_idx"),
            # the few rated records (the admin's rating filter), not the millions without a rating
            models.Index(
                fields=["rating", "-started_at"], condition=Q(rating__isnull=False), name="record_rated_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__gte=models.F("started_at")), name="record_end_after_start"
            ),
        ]

    def __str__(self):
        return f"{self.get_category_display()} · {self.started_at:%Y-%m-%d}"


class PublicityForm(models.TextChoices):
    BOARD = "board", _("Display board")
    LEAFLETS = "leaflets", _("Leaflets")
    TALK = "talk", _("Talk")
    OTHER = "other", _("Other")


class PublicityEvent(AuditedModel):
    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.CASCADE, related_name="publicity_events"
    )
    held_on = models.DateField(_("date"))
    form = models.CharField(_("form"), max_length=16, choices=PublicityForm.choices)
    topic = models.CharField(_("topic"), max_length=200)
    participants = models.PositiveIntegerField(_("participants"), default=0)
    photo = models.FileField(_("photo"), upload_to="publicity/", blank=True, max_length=300)
    # 000: the publicity officers (宣传员) of the operator who ran the event
    officers = models.ManyToManyField(
        "staff.StaffMember", verbose_name=_("publicity officers"), blank=True, related_name="publicity_events"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = StationChildQuerySet.as_manager()

    audit_ignore = frozenset({"created_at"})

    class Meta:
        verbose_name = _("publicity event")
        verbose_name_plural = _("publicity events")
        ordering = ["-held_on", "-id"]

    def __str__(self):
        return f"{self.held_on:%Y-%m-%d} {self.topic}"


class SurveyQuerySet(ScopedQuerySet):
    """Questionnaires are not personal: every signed-in user reads them; officers of the
    region change them."""

    region_path = "region"

    def visible_to(self, user):
        return self.all() if user.is_authenticated and user.is_active else self.none()


class Survey(AuditedModel):
    """A satisfaction questionnaire for a programme's stations or one station, over a period."""

    title = models.CharField(_("title"), max_length=200)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    programme = models.ForeignKey(
        "pilots.Programme",
        verbose_name=_("programme"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="surveys",
    )
    station = models.ForeignKey(
        Station,
        verbose_name=_("station"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="surveys",
    )
    period_start = models.DateField(_("period starts"))
    period_end = models.DateField(_("period ends"))
    questions = models.JSONField(_("questions"), default=list, help_text=_("A list of questions scored 1–5."))

    objects = SurveyQuerySet.as_manager()

    class Meta:
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")
        ordering = ["-period_start"]

    def __str__(self):
        return self.title


class SurveyResponse(models.Model):
    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="responses"
    )
    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.CASCADE, related_name="survey_responses"
    )
    resident = models.ForeignKey(
        Resident,
        verbose_name=_("resident"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    scores = models.JSONField(_("scores"), help_text=_("One score 1–5 per question, in order."))
    average = models.DecimalField(_("average score"), max_digits=3, decimal_places=2, editable=False)
    comment = models.TextField(_("comment"), blank=True)
    submitted_on = models.DateField(_("date"), default=timezone.localdate)

    objects = StationChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        ordering = ["-submitted_on", "-id"]

    def __str__(self):
        return f"{self.survey} · {self.station} · {self.average}"


class StationExpenditure(AuditedModel):
    """002, 五: a station's elderly-care expenditure for one month, entered by its operator, so
    that elderly-care income (the service records' fees) and expenditure are accounted apart
    from the operator's other business."""

    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.PROTECT, related_name="expenditures"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    amount = models.DecimalField(
        _("elderly-care expenditure (yuan)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = StationChildQuerySet.as_manager()

    audit_ignore = frozenset({"updated_at"})

    class Meta:
        verbose_name = _("station expenditure")
        verbose_name_plural = _("station expenditures")
        ordering = ["-month", "station__name"]
        constraints = [models.UniqueConstraint(fields=["station", "month"], name="one_expenditure_per_month")]

    def __str__(self):
        return f"{self.station} {self.month:%Y-%m}: {self.amount}"

    def clean(self):
        if self.month and self.month.day != 1:
            raise ValidationError({"month": _("Give the month's first day.")})
