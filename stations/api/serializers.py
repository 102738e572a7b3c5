from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.api.base import ScopedChoicesMixin, ScopedModelSerializer
from accounts.api.serializers import RegionRefField
from accounts.models import Organization
from core.api import RenamedFieldsMixin
from staff.models import StaffMember
from stations import services
from stations.models import (
    BasicCareCategory,
    PublicityEvent,
    Resident,
    ResidentLinkRequest,
    ServiceCategory,
    ServiceOrder,
    ServiceRecord,
    Station,
    StationExpenditure,
    StationPrice,
    Survey,
    SurveyResponse,
)


class PriceSerializer(serializers.ModelSerializer):
    """A posted price (明码标价) as the station posts it: the service and its content, the fee
    standard, the unit it is per and its level, who provides it, and where it was posted from."""

    category_display = serializers.CharField(source="get_category_display", read_only=True)
    unit_display = serializers.CharField(source="get_unit_display", read_only=True)
    level_display = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = StationPrice
        fields = [
            "id",
            "category",
            "category_display",
            "content",
            "price",
            "unit",
            "unit_display",
            "level",
            "level_display",
            "provider",
            "note",
            "source",
        ]


class ComplaintChannelSerializer(serializers.Serializer):
    who = serializers.CharField()
    name = serializers.CharField()
    phone = serializers.CharField()


class ComplaintChannelsListSerializer(serializers.ListSerializer):
    """Reads the complaint channels (002 (十七)) of every station of the page at once, in one
    query, before the rows are written; the rows find them in the context."""

    def to_representation(self, data):
        rows = list(data.all() if hasattr(data, "all") else data)
        station_of = self.child.station_of
        stations = {station_of(row).pk: station_of(row) for row in rows}
        self.context.setdefault("complaint_channels", {}).update(
            services.complaint_channels(stations.values())
        )
        return super().to_representation(rows)


class ComplaintChannelsMixin(metaclass=serializers.SerializerMetaclass):
    """``complaint_channels``: where to complain about the station's prices (its telephone, its
    street office's and its district bureau's hotlines), read once per page: the serializer's
    ``Meta.list_serializer_class`` is ``ComplaintChannelsListSerializer``."""

    complaint_channels = serializers.SerializerMethodField()

    @staticmethod
    def station_of(row):
        return row

    @extend_schema_field(ComplaintChannelSerializer(many=True))
    def get_complaint_channels(self, row):
        station = self.station_of(row)
        known = self.context.setdefault("complaint_channels", {})
        if station.pk not in known:  # one object (a detail, an action's answer)
            known.update(services.complaint_channels([station]))
        return ComplaintChannelSerializer(known[station.pk], many=True).data


class StationSerializer(ComplaintChannelsMixin, ScopedModelSerializer):
    operator = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all())
    operator_name = serializers.CharField(source="operator.name", read_only=True)
    region = RegionRefField(label=_("street or community code"))
    region_name = serializers.CharField(source="region.name", read_only=True)
    services = serializers.ListField(
        child=serializers.ChoiceField(choices=ServiceCategory.choices), required=False
    )
    prices = PriceSerializer(many=True, read_only=True)
    distance_m = serializers.IntegerField(
        read_only=True, required=False, help_text=_("Only in nearby searches.")
    )

    class Meta:
        model = Station
        fields = [
            "id",
            "name",
            "operator",
            "operator_name",
            "pilot",
            "region",
            "region_name",
            "address",
            "phone",
            "latitude",
            "longitude",
            "floor",
            "area",
            "capacity",
            "services",
            "opening_hours",
            "hours_note",
            "status",
            "status_changed_on",
            "opened_on",
            "prices",
            "complaint_channels",
            "distance_m",
        ]
        list_serializer_class = ComplaintChannelsListSerializer
        read_only_fields = ["status", "status_changed_on", "opened_on"]


class StationStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Station._meta.get_field("status").choices)
    on = serializers.DateField(required=False, allow_null=True, default=None)


class ResidentSerializer(ScopedModelSerializer):
    """Identity number and phones are write-only in full and read masked. The birth date is the
    hidden part of the mask: answers carry the birth year and the age reached this year, never
    the date (the audited ``reveal`` gives it)."""

    id_number = serializers.CharField(write_only=True, label=_("identity number"))
    phone = serializers.CharField(write_only=True, required=False, allow_blank=True, label=_("phone"))
    emergency_phone = serializers.CharField(
        write_only=True, required=False, allow_blank=True, label=_("emergency contact phone")
    )
    id_number_masked = serializers.CharField(read_only=True)
    phone_masked = serializers.CharField(read_only=True)
    community = RegionRefField(label=_("community code"))
    community_name = serializers.CharField(source="community.name", read_only=True)
    basic_care = serializers.ListField(
        child=serializers.ChoiceField(choices=BasicCareCategory.choices), required=False
    )
    station = serializers.PrimaryKeyRelatedField(
        queryset=Station.objects.all(), write_only=True, label=_("registering station")
    )
    stations = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    birth_year = serializers.IntegerField(read_only=True, label=_("birth year"))
    age = serializers.IntegerField(source="age_this_year", read_only=True, label=_("age reached this year"))
    is_very_old = serializers.BooleanField(source="very_old_this_year", read_only=True)
    warnings = serializers.ListField(child=serializers.CharField(), read_only=True, required=False)

    class Meta:
        model = Resident
        fields = [
            "id",
            "name",
            "id_number",
            "id_number_masked",
            "birth_year",
            "sex",
            "age",
            "is_very_old",
            "phone",
            "phone_masked",
            "emergency_phone",
            "address",
            "community",
            "community_name",
            "living_situation",
            "basic_care",
            "emergency_contact",
            "consent_on",
            "care_visit_interval_days",
            "station",
            "stations",
            "warnings",
        ]
        read_only_fields = ["sex"]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:
            fields["id_number"].required = False
            fields["station"].required = False
        return fields


class LinkRequestSerializer(ScopedModelSerializer):
    """A request to serve a person on file with another operator. It carries nothing of her file
    beyond what the requester typed (the name given, the masked number); the resident's id
    appears once she is linked."""

    station_name = serializers.CharField(source="station.name", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    id_number_masked = serializers.CharField(source="resident.id_number_masked", read_only=True)
    requested_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    consent_recorded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    has_consent_form = serializers.SerializerMethodField()
    resident = serializers.SerializerMethodField()

    class Meta:
        model = ResidentLinkRequest
        fields = [
            "id",
            "station",
            "station_name",
            "organization",
            "organization_name",
            "name_given",
            "id_number_masked",
            "state",
            "requested_by",
            "created_at",
            "consent_on",
            "consent_recorded_by",
            "has_consent_form",
            "decided_by",
            "decided_at",
            "reason",
            "resident",
        ]
        read_only_fields = fields

    def get_has_consent_form(self, link) -> bool:
        return bool(link.consent_form)

    def get_resident(self, link) -> int | None:
        return link.resident_id if link.state == "approved" else None


class LinkRequestCreateSerializer(ScopedChoicesMixin, serializers.Serializer):
    station = serializers.PrimaryKeyRelatedField(
        queryset=Station.objects.all(), label=_("requesting station")
    )
    name = serializers.CharField(max_length=50, label=_("name"))
    id_number = serializers.CharField(max_length=32, label=_("identity number"))


class LinkConsentSerializer(serializers.Serializer):
    consent_on = serializers.DateField(label=_("consent given on"))
    consent_form = serializers.FileField(label=_("signed consent form"))


class LinkRefuseSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, label=_("reason"))


class RevealSerializer(serializers.Serializer):
    id_number = serializers.CharField()
    birth_date = serializers.DateField()
    phone = serializers.CharField()
    emergency_phone = serializers.CharField()


class StaffMemberField(serializers.PrimaryKeyRelatedField):
    """``staff`` everywhere in the API: the id of a staff member (as in ``/api/v1/staff/``),
    never a login account's name or id."""

    default_error_messages = {
        "login_name": _(
            "“{value}” is not a staff member's id: give the id from /api/v1/staff/, not a login name."
        ),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", StaffMember.objects.all())
        kwargs.setdefault("help_text", _("Id of the staff member who serves (see /api/v1/staff/)."))
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str) and not data.strip().isdigit():
            self.fail("login_name", value=data)
        return super().to_internal_value(data)


def _staff_name(row, field) -> str | None:
    """The display name of ``row.<field>``: annotated as ``<field>_name`` on list querysets (no
    staff row, with its encrypted columns, is loaded to print a name), else read."""
    annotated = f"{field}_name"
    if hasattr(row, annotated):
        return getattr(row, annotated)
    member = getattr(row, field)
    return member.name if member is not None else None


class OrderSerializer(RenamedFieldsMixin, ScopedModelSerializer):
    renamed_fields = {"assigned_to": "staff"}
    resident = serializers.PrimaryKeyRelatedField(queryset=Resident.objects.all())
    station = serializers.PrimaryKeyRelatedField(queryset=Station.objects.all())
    resident_name = serializers.CharField(source="resident.name", read_only=True)
    staff = serializers.PrimaryKeyRelatedField(
        source="assigned_to", read_only=True, help_text=_("Id of the staff member the order is assigned to.")
    )
    staff_name = serializers.SerializerMethodField()
    price = serializers.IntegerField(
        write_only=True,
        required=False,
        allow_null=True,
        min_value=1,
        help_text=_(
            "Id of one of the station's posted prices for the service (see /api/v1/posted-prices/); "
            "needed only when the station posts several."
        ),
    )
    price_unit_display = serializers.CharField(source="get_price_unit_display", read_only=True)

    class Meta:
        model = ServiceOrder
        fields = [
            "id",
            "resident",
            "resident_name",
            "station",
            "category",
            "price",
            "price_content",
            "unit_price",
            "price_unit",
            "price_unit_display",
            "channel",
            "requested_at",
            "is_emergency",
            "note",
            "status",
            "staff",
            "staff_name",
            "assigned_at",
            "cancel_reason",
            "created_at",
        ]
        # the price is the posted one of the moment the order is placed (the service snapshots it)
        read_only_fields = [
            "status",
            "assigned_at",
            "cancel_reason",
            "created_at",
            "price_content",
            "unit_price",
            "price_unit",
        ]

    def get_staff_name(self, order) -> str | None:
        return _staff_name(order, "assigned_to")

    scoped_choices = {"resident": "view"}


class OrderActionSerializer(RenamedFieldsMixin, ScopedChoicesMixin, serializers.Serializer):
    renamed_fields = {"assigned_to": "staff"}
    staff = StaffMemberField(
        required=False, allow_null=True, default=None, help_text=_("For assign: id of the staff member.")
    )
    started_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    ended_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    reason = serializers.CharField(required=False, allow_blank=True, default="", help_text=_("For cancel."))
    quantity = serializers.DecimalField(
        max_digits=8,
        decimal_places=2,
        required=False,
        allow_null=True,
        default=None,
        help_text=_(
            "For complete: how many units of the price were served (e.g. 1.5 hours); by default the "
            "started half hours for a price per hour, else 1."
        ),
    )


class RecordSerializer(ScopedModelSerializer):
    resident = serializers.PrimaryKeyRelatedField(queryset=Resident.objects.all())
    station = serializers.PrimaryKeyRelatedField(queryset=Station.objects.all())
    staff = StaffMemberField()
    staff_name = serializers.SerializerMethodField()
    price = serializers.IntegerField(
        write_only=True,
        required=False,
        allow_null=True,
        min_value=1,
        help_text=_("Id of the posted price charged, when the station posts several for the service."),
    )
    fee_unit_display = serializers.CharField(source="get_fee_unit_display", read_only=True)

    class Meta:
        model = ServiceRecord
        fields = [
            "id",
            "order",
            "resident",
            "station",
            "category",
            "staff",
            "staff_name",
            "started_at",
            "ended_at",
            "duration_minutes",
            "price",
            "unit_price",
            "quantity",
            "fee",
            "fee_unit",
            "fee_unit_display",
            "is_emergency",
            "response_minutes",
            "notes",
            "rating",
        ]
        read_only_fields = [
            "order",
            "duration_minutes",
            "unit_price",
            "fee",
            "fee_unit",
            "is_emergency",
            "response_minutes",
            "rating",
        ]

    # staff: only the people the user may keep, so another company's are not even named in an error
    scoped_choices = {"resident": "view"}

    def get_staff_name(self, record) -> str | None:
        return _staff_name(record, "staff")


class RatingSerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)


class PublicitySerializer(ScopedModelSerializer):
    # officers: only those the user may keep, so another company's people are not even named
    # in an error
    station = serializers.PrimaryKeyRelatedField(queryset=Station.objects.all())
    officers = serializers.PrimaryKeyRelatedField(
        queryset=StaffMember.objects.all(),
        many=True,
        required=False,
        help_text=_("Ids of the operator's publicity officers (宣传员) who ran the event."),
    )

    class Meta:
        model = PublicityEvent
        fields = ["id", "station", "held_on", "form", "topic", "participants", "officers"]


class SurveySerializer(ScopedModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Survey
        fields = ["id", "title", "region", "programme", "station", "period_start", "period_end", "questions"]


class SurveyResponseSerializer(ScopedModelSerializer):
    survey = serializers.PrimaryKeyRelatedField(queryset=Survey.objects.all())
    station = serializers.PrimaryKeyRelatedField(queryset=Station.objects.all())
    resident = serializers.PrimaryKeyRelatedField(
        queryset=Resident.objects.all(), required=False, allow_null=True
    )
    scores = serializers.ListField(child=serializers.IntegerField())

    class Meta:
        model = SurveyResponse
        fields = ["id", "survey", "station", "resident", "scores", "average", "comment", "submitted_on"]
        read_only_fields = ["average"]

    scoped_choices = {"resident": "view", "survey": "view"}


class RevenueSerializer(serializers.Serializer):
    month = serializers.DateTimeField()
    station_id = serializers.IntegerField()
    station__name = serializers.CharField()
    station__operator__name = serializers.CharField()
    services = serializers.IntegerField()
    revenue = serializers.DecimalField(max_digits=12, decimal_places=2)


class SurveyAverageSerializer(serializers.Serializer):
    survey__title = serializers.CharField()
    survey__period_start = serializers.DateField()
    survey__period_end = serializers.DateField()
    station__name = serializers.CharField()
    responses = serializers.IntegerField()
    average = serializers.DecimalField(max_digits=4, decimal_places=2)


class ExpenditureSerializer(ScopedModelSerializer):
    """002, 五: posting a station and month that already has a row corrects it."""

    station = serializers.PrimaryKeyRelatedField(queryset=Station.objects.all())

    class Meta:
        model = StationExpenditure
        fields = ["id", "station", "month", "amount", "note", "updated_at"]
        read_only_fields = ["updated_at"]
        validators = []  # one row per station and month: the service corrects the existing row
