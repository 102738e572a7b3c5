from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.api.base import ScopedChoicesMixin, ScopedModelSerializer
from accounts.api.serializers import RegionRefField
from accounts.models import Organization
from pilots.models import (
    Application,
    ApplicationVersion,
    Attachment,
    Milestone,
    Opinion,
    Phase,
    Pilot,
    PilotMilestone,
    PilotType,
    Programme,
    ProgrammeQuota,
    PublicationState,
)


class QuotaSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProgrammeQuota
        fields = ["pilot_type", "quota"]


class PhaseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Phase
        fields = ["kind", "starts_on", "ends_on"]


class MilestoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = ["id", "phase", "name", "due_on", "evidence"]


class ProgrammeSerializer(ScopedModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    issuers = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    quotas = QuotaSerializer(many=True, read_only=True)
    phases = PhaseSerializer(many=True, read_only=True)
    milestones = MilestoneSerializer(many=True, read_only=True)
    application_window_open = serializers.SerializerMethodField()
    publication_state = serializers.ChoiceField(
        choices=PublicationState.choices, read_only=True, label=_("publication")
    )

    class Meta:
        model = Programme
        fields = [
            "id",
            "title",
            "document_number",
            "mode",
            "region",
            "issuers",
            "description",
            "announced_at",
            "publication_state",
            "list_published_at",
            "list_withdrawn_at",
            "list_withdrawal_reason",
            "quotas",
            "phases",
            "milestones",
            "application_window_open",
        ]

    def get_application_window_open(self, programme) -> bool:
        return programme.application_window_open()


class AttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attachment
        fields = ["id", "name", "content_type", "size", "uploaded_at"]
        read_only_fields = fields


class OpinionSerializer(ScopedModelSerializer):
    officer = serializers.SlugRelatedField(slug_field="username", read_only=True)
    organization = serializers.SlugRelatedField(slug_field="name", read_only=True)

    class Meta:
        model = Opinion
        fields = [
            "id",
            "application",
            "stage",
            "decision",
            "text",
            "officer",
            "organization",
            "version",
            "quota_override_reason",
            "at",
        ]
        read_only_fields = fields


class VersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApplicationVersion
        fields = ["number", "submitted_at", "data"]


class ApplicationSerializer(ScopedModelSerializer):
    programme = serializers.PrimaryKeyRelatedField(queryset=Programme.objects.all())
    organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all())
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    site_region = RegionRefField(label=_("site region code"))
    street = serializers.SerializerMethodField()
    attachments = AttachmentSerializer(many=True, read_only=True)
    opinions = OpinionSerializer(many=True, read_only=True)

    class Meta:
        model = Application
        fields = [
            "id",
            "programme",
            "organization",
            "organization_name",
            "pilot_type",
            "status",
            "site_region",
            "street",
            "site_address",
            "unit_introduction",
            "project_lead",
            "phone",
            "background",
            "goals",
            "execution_plan",
            "guarantee_premises",
            "guarantee_resources",
            "guarantee_staff",
            "guarantee_funds",
            "version",
            "submitted_at",
            "decided_at",
            "attachments",
            "opinions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status", "version", "submitted_at", "decided_at", "created_at", "updated_at"]

    def get_street(self, application) -> str | None:
        street = application.street
        return street.code if street else None

    # Choices limited to what the user may see; the service checks the rest.
    scoped_choices = {"organization": "view", "programme": "view"}

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list):
            for name in ("programme", "organization", "pilot_type"):
                fields[name].read_only = True
        return fields


class ApplicationDetailSerializer(ApplicationSerializer):
    versions = VersionSerializer(many=True, read_only=True)

    class Meta(ApplicationSerializer.Meta):
        fields = [*ApplicationSerializer.Meta.fields, "versions"]


class TransitionSerializer(serializers.Serializer):
    text = serializers.CharField(label=_("opinion"), required=False, allow_blank=True, default="")
    scan = serializers.FileField(
        label=_("scan of the sealed form"), required=False, allow_null=True, default=None
    )
    quota_override_reason = serializers.CharField(
        label=_("reason for exceeding the quota"), required=False, allow_blank=True, default=""
    )


class ListWithdrawalSerializer(serializers.Serializer):
    reason = serializers.CharField(label=_("reason for withdrawing the pilot list"))


class MilestoneCompletionSerializer(serializers.Serializer):
    completed_on = serializers.DateField(
        label=_("completed on"), required=False, allow_null=True, default=None
    )
    evidence = serializers.CharField(label=_("evidence"), required=False, allow_blank=True, default="")
    files = serializers.ListField(
        child=serializers.FileField(), label=_("evidence files"), required=False, default=list
    )


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(label=_("file"))
    name = serializers.CharField(label=_("name"), required=False, allow_blank=True, default="")


class PilotMilestoneSerializer(ScopedModelSerializer):
    name = serializers.CharField(source="milestone.name", read_only=True)
    due_on = serializers.DateField(source="milestone.due_on", read_only=True)

    class Meta:
        model = PilotMilestone
        fields = ["id", "pilot", "name", "due_on", "status", "completed_on", "evidence", "files"]
        read_only_fields = ["pilot", "status"]

    files = serializers.SerializerMethodField(help_text=_("The names of the evidence files."))

    def get_files(self, milestone) -> list[str]:
        return [f.name for f in milestone.files.all()]


class PilotSerializer(ScopedModelSerializer):
    programme = serializers.PrimaryKeyRelatedField(read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    site_region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    site_name = serializers.CharField(source="site_region.name", read_only=True)

    class Meta:
        model = Pilot
        fields = [
            "id",
            "programme",
            "organization",
            "organization_name",
            "pilot_type",
            "site_region",
            "site_name",
            "site_address",
            "is_demonstration",
            "created_at",
        ]
        read_only_fields = fields


class DesignateSerializer(ScopedChoicesMixin, serializers.Serializer):
    """000: the bureau designates a pilot directly."""

    organization = serializers.PrimaryKeyRelatedField(
        label=_("pilot unit"), queryset=Organization.objects.all()
    )
    pilot_type = serializers.ChoiceField(label=_("pilot type"), choices=PilotType.choices)
    site_region = RegionRefField(label=_("site region code"))
    site_address = serializers.CharField(
        label=_("site address"), required=False, allow_blank=True, default=""
    )

    scoped_choices = {"organization": "view"}
