"""The five lists (五张清单) of 000 三(一)3: a district sample (样张) issued by the district
civil-affairs bureau, and each station's customised lists (定制化清单) made from it, approved by
the station's street office and posted at the station. The service-item list of a station's
published version is its price list (明码标价, 002 (十七)). Supervision checks (督导检查) record,
item by item, whether a published list is carried out.

One ``ChecklistVersion`` holds the five lists of one district sample version (``station`` empty)
or of one station's version; its items are typed by their kind (``ChecklistItem.kind``) and
each kind has its own columns (``KIND_FIELDS``). Every version ever posted is kept.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.audit import AuditedModel
from accounts.scoping import ScopedQuerySet
from stations.models import PriceLevel, PriceUnit, ServiceCategory, StationStatus


class ListKind(models.TextChoices):
    SERVICES = "services", _("Service items list")
    FACILITIES = "facilities", _("Service facilities list")
    POLICIES = "policies", _("Policy support list")
    RESOURCES = "resources", _("Resource links list")
    DUTIES = "duties", _("Division of duties list")


class VersionState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for approval")
    RETURNED = "returned", _("Returned for changes")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published")
    SUPERSEDED = "superseded", _("Superseded")


OPEN_STATES = (VersionState.DRAFT, VersionState.SUBMITTED, VersionState.RETURNED, VersionState.APPROVED)
EDITABLE_STATES = (VersionState.DRAFT, VersionState.RETURNED)
POSTED_STATES = (VersionState.PUBLISHED, VersionState.SUPERSEDED)


def posted(prefix: str = "") -> Q:
    """What anyone may read: the samples and lists posted, a station's only while the station
    itself is public (operating, as in the station finder)."""
    return Q(**{f"{prefix}state__in": POSTED_STATES}) & (
        Q(**{f"{prefix}station__isnull": True}) | Q(**{f"{prefix}station__status": StationStatus.OPERATING})
    )


class ResourceKind(models.TextChoices):
    ELDERLY_SERVICE = "elderly_service", _("Elderly-service unit")
    PUBLIC_WELFARE = "public_welfare", _("Public-welfare unit")
    VOLUNTEER_TEAM = "volunteer_team", _("Volunteer team")
    CHARITY = "charity", _("Charity")
    MEDICAL = "medical", _("Medical institution")
    OTHER = "other", _("Other organisation")


class DutyParty(models.TextChoices):
    DEPARTMENT = "department", _("Government department")
    STREET = "street", _("Street / town office")
    RESIDENTS_COMMITTEE = "residents_committee", _("Residents' committee")
    PROPERTY_COMPANY = "property_company", _("Property-management company")
    OWNERS_COMMITTEE = "owners_committee", _("Owners' committee")
    ELDERLY_BODY = "elderly_body", _("Community elderly-service body")


# The columns of each kind besides ``name`` (what the item is called: the service content, the
# facility, the policy, the organisation, the party), the required ones first.
KIND_FIELDS = {
    ListKind.SERVICES: {
        "required": ("category", "price", "unit", "level"),
        "optional": ("provider", "note"),
    },
    ListKind.FACILITIES: {
        "required": ("place",),
        "optional": ("area", "capacity", "opening_hours", "run_by", "note"),
    },
    ListKind.POLICIES: {
        "required": ("issuer", "eligibility", "benefit"),
        "optional": ("document_number", "where_to_apply", "note"),
    },
    ListKind.RESOURCES: {
        "required": ("resource_kind", "offer"),
        "optional": ("contact_person", "contact_phone", "note"),
    },
    ListKind.DUTIES: {
        "required": ("party", "duties"),
        "optional": ("department", "note"),
    },
}
ITEM_FIELDS = (
    "name",
    *sorted({f for spec in KIND_FIELDS.values() for f in spec["required"] + spec["optional"]}),
)


# What a column is called in one list where the field's own name would not say it: ``name`` is
# the service content, the facility, the policy, the organisation or the party.
COLUMN_LABELS = {
    ListKind.SERVICES: {"name": _("service content")},
    ListKind.FACILITIES: {"name": _("facility")},
    ListKind.POLICIES: {"name": _("policy")},
    ListKind.RESOURCES: {"name": _("organisation")},
    ListKind.DUTIES: {"name": _("responsible party"), "party": _("kind of party")},
}


def column_label(kind: str, name: str):
    """The heading of column ``name`` in list ``kind``."""
    label = COLUMN_LABELS.get(kind, {}).get(name)
    return label if label is not None else ChecklistItem._meta.get_field(name).verbose_name


def kind_fields(kind: str) -> tuple[str, ...]:
    spec = KIND_FIELDS[kind]
    return ("name", *spec["required"], *spec["optional"])


class ChecklistVersionQuerySet(ScopedQuerySet):
    """Government users see the versions of their region (a street the district's samples too);
    a company sees its stations' lists; everyone, signed in or not, sees what was posted (the
    samples and the station lists published, and those they replaced, kept as evidence)."""

    region_path = "region"
    organization_path = "station__operator"

    def published(self):
        return self.filter(posted())

    def scope_condition(self, user, scope, *, edit):
        condition = super().scope_condition(user, scope, edit=edit)
        if not edit:
            public = posted()
            codes = scope.region_codes(edit)
            if codes:  # a street office reads its district's samples, drafts included
                public |= Q(station__isnull=True, region__code__in={code[:6] for code in codes})
            condition = public if condition is None else condition | public
        return condition

    def templates(self):
        return self.filter(station__isnull=True)

    def station_lists(self):
        return self.filter(station__isnull=False)


class ChecklistVersion(AuditedModel):
    """One version of the five lists: a district sample (``station`` empty, ``region`` the
    district) or a station's customised lists (``template`` the sample version it was made
    from, ``previous`` the published version it changes)."""

    station = models.ForeignKey(
        "stations.Station",
        verbose_name=_("station"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="checklists",
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    issuer = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("made by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="checklist_versions",
    )
    template = models.ForeignKey(
        "self",
        verbose_name=_("district sample version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="customisations",
    )
    previous = models.ForeignKey(
        "self",
        verbose_name=_("changes version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200, blank=True)
    note = models.TextField(_("what changed"), blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=VersionState.choices, default=VersionState.DRAFT, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
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
        on_delete=models.PROTECT,
        related_name="+",
    )
    return_reason = models.TextField(_("reason for returning"), blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)
    resources_reviewed_on = models.DateField(_("resource list last reviewed on"), null=True, blank=True)

    objects = ChecklistVersionQuerySet.as_manager()

    audit_ignore = frozenset({"created_at"})

    class Meta:
        verbose_name = _("five-lists version")
        verbose_name_plural = _("five-lists versions")
        ordering = ["region__code", "station_id", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["station", "number"],
                condition=Q(station__isnull=False),
                name="checklist_station_number",
            ),
            models.UniqueConstraint(
                fields=["region", "number"],
                condition=Q(station__isnull=True),
                name="checklist_template_number",
            ),
            # one version in the works per station (and per district sample) at a time
            models.UniqueConstraint(
                fields=["station"],
                condition=Q(station__isnull=False, state__in=OPEN_STATES),
                name="checklist_one_open_per_station",
            ),
            models.UniqueConstraint(
                fields=["region"],
                condition=Q(station__isnull=True, state__in=OPEN_STATES),
                name="checklist_one_open_template",
            ),
            models.UniqueConstraint(
                fields=["station"],
                condition=Q(station__isnull=False, state=VersionState.PUBLISHED),
                name="checklist_one_published_per_station",
            ),
        ]
        indexes = [models.Index(fields=["station", "state"], name="checklist_station_state_idx")]

    def __str__(self):
        if self.station_id:
            return _("%(station)s five lists, version %(number)s") % {
                "station": self.station.name,
                "number": self.number,
            }
        return _("%(region)s district sample, version %(number)s") % {
            "region": self.region.name,
            "number": self.number,
        }

    @property
    def is_template(self) -> bool:
        return self.station_id is None

    @property
    def is_editable_state(self) -> bool:
        return self.state in EDITABLE_STATES


class ChecklistItemQuerySet(ScopedQuerySet):
    region_path = "version__region"
    organization_path = "version__station__operator"

    def published(self):
        return self.filter(posted("version__"))

    def scope_condition(self, user, scope, *, edit):
        condition = super().scope_condition(user, scope, edit=edit)
        if not edit:
            public = posted("version__")
            codes = scope.region_codes(edit)
            if codes:
                public |= Q(
                    version__station__isnull=True, version__region__code__in={code[:6] for code in codes}
                )
            condition = public if condition is None else condition | public
        return condition


class ChecklistItem(models.Model):
    """One line of one of the five lists. Written only through ``checklists.services``."""

    version = models.ForeignKey(
        ChecklistVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="items"
    )
    kind = models.CharField(_("list"), max_length=16, choices=ListKind.choices)
    origin = models.ForeignKey(
        "self",
        verbose_name=_("from the sample item"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="copies",
    )
    position = models.PositiveIntegerField(_("position in the list"), default=0)
    name = models.CharField(_("name"), max_length=200)
    # service items (服务项目清单)
    category = models.CharField(_("service"), max_length=16, choices=ServiceCategory.choices, blank=True)
    price = models.DecimalField(
        _("fee standard (yuan)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    unit = models.CharField(_("unit"), max_length=16, choices=PriceUnit.choices, blank=True)
    level = models.CharField(_("price level"), max_length=16, choices=PriceLevel.choices, blank=True)
    provider = models.CharField(
        _("provided by"), max_length=200, blank=True, help_text=_("Blank: the operating company itself.")
    )
    # facilities (服务设施清单)
    place = models.CharField(_("place"), max_length=200, blank=True)
    area = models.DecimalField(_("area (m²)"), max_digits=8, decimal_places=1, null=True, blank=True)
    capacity = models.PositiveIntegerField(_("capacity (people)"), null=True, blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    run_by = models.CharField(_("run by"), max_length=200, blank=True)
    # policies (政策支持清单)
    document_number = models.CharField(_("document number"), max_length=100, blank=True)
    issuer = models.CharField(_("issued by"), max_length=200, blank=True)
    eligibility = models.TextField(_("who qualifies"), blank=True)
    benefit = models.TextField(_("what they get"), blank=True)
    where_to_apply = models.CharField(_("where to apply"), max_length=200, blank=True)
    # resources (资源对接清单)
    resource_kind = models.CharField(_("kind"), max_length=24, choices=ResourceKind.choices, blank=True)
    contact_person = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    offer = models.TextField(_("what they offer"), blank=True)
    # duties (责任分工清单)
    party = models.CharField(_("party"), max_length=24, choices=DutyParty.choices, blank=True)
    department = models.CharField(_("department or unit"), max_length=200, blank=True)
    duties = models.TextField(_("duties"), blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = ChecklistItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("list item")
        verbose_name_plural = _("list items")
        ordering = ["version", "kind", "position", "id"]
        indexes = [models.Index(fields=["version", "kind", "position"], name="checklist_item_order_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.name}"

    def values(self) -> dict:
        """The item's own columns (those of its kind), for comparison and export."""
        return {name: getattr(self, name) for name in kind_fields(self.kind)}


class CheckResult(models.TextChoices):
    DONE = "done", _("Carried out")
    NOT_DONE = "not_done", _("Not carried out")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


class CheckQuerySet(ScopedQuerySet):
    region_path = "station__region"
    organization_path = "station__operator"


class ChecklistCheck(AuditedModel):
    """A supervision check (督导检查) of a station's published lists, item by item."""

    station = models.ForeignKey(
        "stations.Station",
        verbose_name=_("station"),
        on_delete=models.PROTECT,
        related_name="checklist_checks",
    )
    version = models.ForeignKey(
        ChecklistVersion, verbose_name=_("version checked"), on_delete=models.PROTECT, related_name="checks"
    )
    checked_on = models.DateField(_("checked on"))
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    office = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("checking office"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    summary = models.TextField(_("summary"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = CheckQuerySet.as_manager()

    audit_ignore = frozenset({"created_at"})

    class Meta:
        verbose_name = _("supervision check")
        verbose_name_plural = _("supervision checks")
        ordering = ["-checked_on", "-id"]

    def __str__(self):
        return _("Check of %(station)s on %(date)s") % {"station": self.station.name, "date": self.checked_on}


class FindingQuerySet(ScopedQuerySet):
    region_path = "check_record__station__region"
    organization_path = "check_record__station__operator"

    def open(self):
        return self.filter(result=CheckResult.NOT_DONE, closed_by__isnull=True)


class CheckFinding(models.Model):
    """The result for one item. An item not carried out stays open until a later check of the
    station finds it carried out (or no longer applicable)."""

    check_record = models.ForeignKey(
        ChecklistCheck,
        verbose_name=_("check"),
        on_delete=models.CASCADE,
        related_name="findings",
        db_column="check_id",
    )
    item = models.ForeignKey(
        ChecklistItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="+"
    )
    result = models.CharField(_("result"), max_length=16, choices=CheckResult.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    photo = models.FileField(_("photo"), upload_to="checklists/checks/", max_length=300, blank=True)
    closed_by = models.ForeignKey(
        ChecklistCheck,
        verbose_name=_("closed by the check"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="closed_findings",
    )

    objects = FindingQuerySet.as_manager()

    class Meta:
        verbose_name = _("check finding")
        verbose_name_plural = _("check findings")
        ordering = ["check_record", "item__kind", "item__position", "id"]
        constraints = [models.UniqueConstraint(fields=["check_record", "item"], name="one_finding_per_item")]

    def __str__(self):
        return f"{self.item} · {self.get_result_display()}"

    @property
    def is_open(self) -> bool:
        return self.result == CheckResult.NOT_DONE and self.closed_by_id is None
