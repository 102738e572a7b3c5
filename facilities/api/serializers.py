from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.api.base import ScopedChoicesMixin, ScopedModelSerializer
from accounts.api.serializers import RegionRefField
from facilities.models import (
    Alteration,
    ApplicationStep,
    CareRoom,
    Compound,
    EntrustmentAgreement,
    GuidanceTarget,
    Inspection,
    InspectionPhoto,
    UseApplication,
    Violation,
    ViolationKind,
)


class CompoundSerializer(ScopedModelSerializer):
    region = RegionRefField(label=_("town or community code"))
    region_name = serializers.CharField(source="region.name", read_only=True)

    class Meta:
        model = Compound
        fields = [
            "id",
            "name",
            "region",
            "region_name",
            "address",
            "households",
            "residents",
            "elderly_residents",
            "developer",
            "property_company",
        ]

    scoped_choices = {"property_company": "view"}


class CareRoomSerializer(ScopedModelSerializer):
    compound_name = serializers.CharField(source="compound.name", read_only=True)
    days_left = serializers.SerializerMethodField()
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = CareRoom
        fields = [
            "id",
            "compound",
            "compound_name",
            "location",
            "floor",
            "area",
            "built_on",
            "handover_state",
            "handover_number",
            "handed_over_on",
            "owner",
            "operating_state",
            "operating_since",
            "operating_mode",
            "operator",
            "responsible_party",
            "management_mode",
            "equipment",
            "staffing",
            "funding",
            "function",
            "opening_hours",
            "deadline",
            "days_left",
            "is_overdue",
        ]
        read_only_fields = ["deadline", "owner"]

    scoped_choices = {"compound": "edit", "operator": "view"}

    def get_days_left(self, room) -> int | None:
        return None if room.operating_state == "operating" else room.days_left()


class ViolationInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ViolationKind.choices)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    rectify_by = serializers.DateField()


class ViolationSerializer(ScopedModelSerializer):
    compound_name = serializers.CharField(source="room.compound.name", read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Violation
        fields = [
            "id",
            "room",
            "compound_name",
            "found_in",
            "kind",
            "description",
            "rectify_by",
            "action_taken",
            "state",
            "closed_in",
            "is_overdue",
        ]
        read_only_fields = fields


class InspectionSerializer(ScopedModelSerializer):
    violations = ViolationInputSerializer(many=True, required=False, write_only=True)
    found = ViolationSerializer(many=True, read_only=True, source="violations")
    inspector = serializers.CharField(source="inspector.username", read_only=True)

    class Meta:
        model = Inspection
        fields = ["id", "room", "inspected_on", "inspector", "findings", "violations", "found"]

    scoped_choices = {"room": "edit"}


class PhotoUploadSerializer(serializers.Serializer):
    photos = serializers.ListField(child=serializers.FileField(), help_text=_("One or more photos."))


class PhotoSerializer(ScopedModelSerializer):
    class Meta:
        model = InspectionPhoto
        fields = ["id", "inspection", "caption"]


class ViolationActionSerializer(ScopedChoicesMixin, serializers.Serializer):
    action_taken = serializers.CharField(required=False, allow_blank=True, default="")
    inspection = serializers.PrimaryKeyRelatedField(
        queryset=Inspection.objects.all(), required=False, help_text=_("For close: the later inspection.")
    )

    # An inspection the user may not see is "not found", exactly like one that does not exist.
    scoped_choices = {"inspection": "view"}


class AlterationSerializer(ScopedModelSerializer):
    class Meta:
        model = Alteration
        fields = ["id", "room", "kind", "description", "approval_number", "approved_by", "approved_on"]

    scoped_choices = {"room": "edit"}


class StepSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username")
    organization = serializers.CharField(source="organization.name", default=None)

    class Meta:
        model = ApplicationStep
        fields = ["action", "from_status", "to_status", "actor", "organization", "text", "at"]


class UseApplicationSerializer(ScopedModelSerializer):
    steps = StepSerializer(many=True, read_only=True)
    town_name = serializers.CharField(source="town.name", read_only=True)
    compound_name = serializers.CharField(source="room.compound.name", read_only=True)
    text = serializers.CharField(write_only=True, required=False, allow_blank=True, default="")

    class Meta:
        model = UseApplication
        fields = [
            "id",
            "room",
            "compound_name",
            "town",
            "town_name",
            "status",
            "residents",
            "elderly_residents",
            "room_area",
            "operating_mode",
            "services",
            "city_approval_number",
            "city_approved_on",
            "steps",
            "text",
        ]
        read_only_fields = [
            "town",
            "status",
            "residents",
            "elderly_residents",
            "room_area",
            "operating_mode",
            "services",
            "city_approval_number",
            "city_approved_on",
        ]

    scoped_choices = {"room": "view"}


class ApplicationActionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(
        choices=["apply", "survey", "approve", "reject", "sign", "operate", "withdraw"]
    )
    text = serializers.CharField(required=False, allow_blank=True, default="")
    residents = serializers.IntegerField(required=False, min_value=0)
    elderly_residents = serializers.IntegerField(required=False, min_value=0)
    room_area = serializers.DecimalField(required=False, max_digits=8, decimal_places=1)
    operating_mode = serializers.CharField(required=False)
    services = serializers.CharField(required=False)
    city_approval_number = serializers.CharField(required=False)
    city_approved_on = serializers.DateField(required=False)
    number = serializers.CharField(required=False, help_text=_("For sign: the agreement's number."))
    signed_on = serializers.DateField(required=False)
    starts_on = serializers.DateField(required=False)
    ends_on = serializers.DateField(required=False, help_text=_("Default: three years from the start."))
    operating_since = serializers.DateField(required=False)


class AgreementSerializer(ScopedModelSerializer):
    compound_name = serializers.CharField(source="room.compound.name", read_only=True)
    days_left = serializers.SerializerMethodField()

    class Meta:
        model = EntrustmentAgreement
        fields = [
            "id",
            "number",
            "application",
            "room",
            "compound_name",
            "bureau",
            "town",
            "signed_on",
            "starts_on",
            "ends_on",
            "free_of_charge",
            "days_left",
        ]
        read_only_fields = fields

    def get_days_left(self, agreement) -> int:
        return agreement.days_left()


class GuidanceTargetSerializer(ScopedModelSerializer):
    town = serializers.CharField(source="town.code")
    town_name = serializers.CharField(source="town.name")
    county = serializers.CharField(source="county.code")

    class Meta:
        model = GuidanceTarget
        fields = [
            "id",
            "county",
            "town",
            "town_name",
            "built",
            "handed_over",
            "not_handed_over",
            "subtotal",
            "per_year",
            "remarks",
        ]
        read_only_fields = fields


class TargetUploadSerializer(serializers.Serializer):
    county = serializers.CharField(help_text=_("The county's division code, e.g. 350583."))
    file = serializers.FileField()


class TownProgressSerializer(serializers.Serializer):
    """A town's row (or the 合计 row) of the progress table: the imported table's own figures
    (``official_*``, as 004 附件 states them, never replaced) beside the registry's counts."""

    name = serializers.CharField()
    official_built = serializers.IntegerField(
        allow_null=True,
        help_text=_("已建数 as the imported guidance table states it; null for a town it does not list."),
    )
    official_handed_over = serializers.IntegerField(
        allow_null=True,
        help_text=_("已移交数 as the imported guidance table states it; null for a town it does not list."),
    )
    official_not_handed_over = serializers.IntegerField(
        allow_null=True,
        help_text=_("未移交数 as the imported guidance table states it; null for a town it does not list."),
    )
    built = serializers.IntegerField(help_text=_("Care rooms of the town counted in the registry."))
    handed_over = serializers.IntegerField(help_text=_("Rooms handed over, counted in the registry."))
    not_handed_over = serializers.IntegerField(help_text=_("Rooms not handed over, counted in the registry."))
    target = serializers.IntegerField()
    operating = serializers.IntegerField()
    years = serializers.SerializerMethodField()
    remarks = serializers.CharField()

    def get_years(self, row) -> list[dict]:
        return [{"year": y, "target": t, "operating": o} for y, (t, o) in sorted(row.per_year.items())]


class TargetProgressSerializer(serializers.Serializer):
    county = serializers.CharField()
    years = serializers.ListField(child=serializers.IntegerField())
    towns = TownProgressSerializer(many=True)
    total = TownProgressSerializer()
