from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.api.base import ScopedModelSerializer
from accounts.api.serializers import RegionRefField
from accounts.models import Organization, User
from staff.models import (
    Qualification,
    StaffMember,
    StaffRole,
    StationResource,
    TrainingRecord,
    TrainingSession,
    TrainingTarget,
    station_model,
)


class QualificationSerializer(ScopedModelSerializer):
    staff = serializers.PrimaryKeyRelatedField(queryset=StaffMember.objects.all())
    staff_name = serializers.CharField(source="staff.name", read_only=True)
    days_left = serializers.SerializerMethodField()

    class Meta:
        model = Qualification
        fields = [
            "id",
            "staff",
            "staff_name",
            "name",
            "level",
            "certificate_number",
            "issued_on",
            "expires_on",
            "days_left",
        ]

    def get_days_left(self, qualification) -> int | None:
        return qualification.days_left()

    scoped_choices = {"staff": "edit"}


class StaffSerializer(ScopedModelSerializer):
    """Phone and identity number are write-only in full and read masked."""

    phone = serializers.CharField(write_only=True, required=False, allow_blank=True, label=_("phone"))
    id_number = serializers.CharField(
        write_only=True, required=False, allow_blank=True, label=_("identity number")
    )
    phone_masked = serializers.CharField(read_only=True)
    id_number_masked = serializers.CharField(read_only=True)
    employer = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all())
    employer_name = serializers.CharField(source="employer.name", read_only=True)
    region = RegionRefField(label=_("street or community code"))
    region_name = serializers.CharField(source="region.name", read_only=True)
    stations = serializers.PrimaryKeyRelatedField(
        many=True, queryset=station_model().objects.all(), required=False
    )
    roles = serializers.ListField(child=serializers.ChoiceField(choices=StaffRole.choices), required=False)
    user = serializers.SlugRelatedField(
        slug_field="username", queryset=User.objects.all(), required=False, allow_null=True
    )
    qualifications = QualificationSerializer(many=True, read_only=True)

    class Meta:
        model = StaffMember
        fields = [
            "id",
            "name",
            "phone",
            "phone_masked",
            "id_number",
            "id_number_masked",
            "employer",
            "employer_name",
            "region",
            "region_name",
            "stations",
            "roles",
            "kind",
            "status",
            "joined_on",
            "left_on",
            "user",
            "qualifications",
        ]

    # login accounts of the organisations the user may keep
    scoped_choices = {"employer": "edit", "stations": "edit", "user": "of_organizations_editable_by"}


class StaffRevealSerializer(serializers.Serializer):
    phone = serializers.CharField()
    id_number = serializers.CharField()


class EligibilitySerializer(serializers.Serializer):
    station = serializers.IntegerField()
    allowed = serializers.BooleanField()
    reason = serializers.CharField(allow_null=True)


class TrainingSessionSerializer(ScopedModelSerializer):
    organiser = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all())
    organiser_name = serializers.CharField(source="organiser.name", read_only=True)
    region = RegionRefField(label=_("district code"))
    region_name = serializers.CharField(source="region.name", read_only=True)
    enrolled = serializers.IntegerField(read_only=True, source="record_total", default=None)
    passed = serializers.IntegerField(read_only=True, source="passed_total", default=None)

    class Meta:
        model = TrainingSession
        fields = [
            "id",
            "title",
            "kind",
            "organiser",
            "organiser_name",
            "region",
            "region_name",
            "starts_on",
            "ends_on",
            "hours",
            "place",
            "instructors",
            "capacity",
            "theory_pass_mark",
            "practical_pass_mark",
            "enrolled",
            "passed",
        ]

    scoped_choices = {"organiser": "edit"}


class TrainingRecordSerializer(ScopedModelSerializer):
    session = serializers.PrimaryKeyRelatedField(queryset=TrainingSession.objects.all())
    staff = serializers.PrimaryKeyRelatedField(queryset=StaffMember.objects.all())
    staff_name = serializers.CharField(source="staff.name", read_only=True)
    employer_name = serializers.CharField(source="staff.employer.name", read_only=True)
    session_title = serializers.CharField(source="session.title", read_only=True)
    session_kind = serializers.CharField(source="session.kind", read_only=True)

    class Meta:
        model = TrainingRecord
        fields = [
            "id",
            "session",
            "session_title",
            "session_kind",
            "staff",
            "staff_name",
            "employer_name",
            "attended",
            "theory_score",
            "practical_score",
            "passed",
            "certificate_number",
        ]
        read_only_fields = ["passed"]
        validators = []  # the service upserts one record per session and person

    scoped_choices = {"session": "edit", "staff": "view"}


class ScoreUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text=_("An .xlsx sheet: 姓名, 手机号, 是否出勤, 理论成绩, 实操成绩, 证书编号.")
    )


class ImportResultSerializer(serializers.Serializer):
    rows = serializers.IntegerField()


class TrainingTargetSerializer(ScopedModelSerializer):
    region = RegionRefField(label=_("district code"))

    class Meta:
        model = TrainingTarget
        fields = ["id", "region", "year", "person_times"]


class ProgressRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    person_times = serializers.IntegerField()
    passed = serializers.IntegerField()
    pass_rate = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)


class ProgressSerializer(serializers.Serializer):
    region = serializers.CharField(source="region.code")
    region_name = serializers.CharField(source="region.name")
    year = serializers.IntegerField()
    target = serializers.IntegerField(allow_null=True)
    percent = serializers.DecimalField(max_digits=6, decimal_places=1, allow_null=True)
    scope_name = serializers.CharField(
        help_text=_("what the figures cover: the region, or the part you can see")
    )
    complete = serializers.BooleanField(help_text=_("the figures count every attendance in the region"))
    total = ProgressRowSerializer()
    streets = ProgressRowSerializer(many=True)
    companies = ProgressRowSerializer(many=True)
    district = ProgressRowSerializer(
        allow_null=True, help_text=_("the enclosing district's own figure, when the region is a street")
    )
    district_target = serializers.IntegerField(allow_null=True)


class StationResourceSerializer(ScopedModelSerializer):
    station = serializers.PrimaryKeyRelatedField(queryset=station_model().objects.all())
    updated_by_name = serializers.CharField(source="updated_by.name", read_only=True)

    class Meta:
        model = StationResource
        fields = [
            "id",
            "station",
            "kind",
            "name",
            "contact",
            "phone",
            "address",
            "services",
            "is_current",
            "updated_by",
            "updated_by_name",
            "updated_at",
        ]
        read_only_fields = ["updated_by", "updated_at"]

    scoped_choices = {"station": "edit"}
