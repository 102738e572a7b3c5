import json

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.api.base import ScopedChoicesMixin, ScopedModelSerializer
from accounts.api.serializers import RegionRefField
from checklists import services
from checklists.models import (
    CheckFinding,
    ChecklistCheck,
    ChecklistItem,
    ChecklistVersion,
    CheckResult,
    DutyParty,
    ListKind,
    ResourceKind,
    kind_fields,
)
from stations.api.serializers import ComplaintChannelsListSerializer, ComplaintChannelsMixin, PriceSerializer
from stations.models import PriceLevel, PriceUnit, ServiceCategory, Station


class WorkflowActionSerializer(serializers.Serializer):
    """A workflow step the user may take now, as ``allowed_actions`` lists it."""

    name = serializers.CharField()
    label = serializers.CharField()
    confirm = serializers.CharField(allow_null=True)
    inputs = serializers.ListField(child=serializers.CharField())


class ChecklistVersionSerializer(ScopedModelSerializer):
    station_name = serializers.CharField(source="station.name", read_only=True, default=None)
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    issuer_name = serializers.CharField(source="issuer.name", read_only=True, default=None)
    is_template = serializers.BooleanField(read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    approving_office_name = serializers.CharField(
        source="approving_office.name", read_only=True, default=None
    )
    resources_review_overdue = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField(
        help_text=_("The steps you may take now; given when one version is read, null in lists.")
    )

    class Meta:
        model = ChecklistVersion
        fields = [
            "id",
            "station",
            "station_name",
            "region",
            "region_name",
            "is_template",
            "issuer",
            "issuer_name",
            "template",
            "previous",
            "number",
            "title",
            "note",
            "state",
            "state_display",
            "created_at",
            "submitted_at",
            "approved_at",
            "approving_office",
            "approving_office_name",
            "return_reason",
            "published_at",
            "superseded_at",
            "resources_reviewed_on",
            "resources_review_overdue",
            "allowed_actions",
        ]
        read_only_fields = fields

    def get_resources_review_overdue(self, version) -> bool:
        return services.resources_review_overdue(version)

    @extend_schema_field(WorkflowActionSerializer(many=True, allow_null=True))
    def get_allowed_actions(self, version):
        # each step asks who the user acts for (queries per row): one version at a time only
        if not self.context.get("with_actions"):
            return None
        request = self.context["request"]
        return [
            {
                "name": action.name,
                "label": str(action.label),
                "confirm": str(action.confirm) if action.confirm else None,
                "inputs": list(action.inputs),
            }
            for action in services.available(version, request.user)
        ]


class ChecklistVersionCreateSerializer(ScopedChoicesMixin, serializers.Serializer):
    """A new station version (``station``: a copy of its published lists, or of the district's
    sample for the first) or a new draft of a district sample (``region``)."""

    station = serializers.PrimaryKeyRelatedField(
        queryset=Station.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("The station whose lists are made; leave out for a district sample."),
    )
    region = RegionRefField(
        required=False,
        allow_null=True,
        help_text=_("For a district sample: the district's code (a street's code means its district)."),
    )
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="", label=_("what changed"))

    def validate(self, attrs):
        station, region = attrs.get("station"), attrs.get("region")
        if (station is None) == (region is None):
            raise serializers.ValidationError(
                {"station": _("Give either the station (its lists) or the region (a district sample).")}
            )
        if station is not None and attrs.get("title"):
            raise serializers.ValidationError({"title": _("A station's lists are titled after the station.")})
        return attrs


class ChecklistReturnSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, label=_("reason for returning"))


class DifferencesQuerySerializer(serializers.Serializer):
    against = serializers.ChoiceField(
        choices=[("template", _("the district sample")), ("previous", _("the version posted before"))],
        required=False,
        default="template",
        label=_("compared with"),
    )


class ListKindQuerySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=ListKind.choices,
        required=False,
        allow_blank=True,
        label=_("list"),
        help_text=_("Blank: all five."),
    )


class ChecklistImportSerializer(ListKindQuerySerializer):
    file = serializers.FileField(
        label=_("file"),
        help_text=_(
            "An .xlsx workbook (or a .csv for one list) laid out like the template: with `kind` it fills "
            "that list from the first sheet; without, every list whose sheet (服务项目清单 …) holds rows."
        ),
    )


class ChecklistImportResultSerializer(serializers.Serializer):
    items = serializers.DictField(child=serializers.IntegerField(), help_text=_("Items imported per list."))


class ResourceReviewSerializer(serializers.Serializer):
    on = serializers.DateField(required=False, allow_null=True, default=None, label=_("reviewed on"))


class DifferenceFieldSerializer(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()
    sample = serializers.CharField()
    now = serializers.CharField()


class ChecklistItemSerializer(ScopedModelSerializer):
    """One line of one of the five lists. Every column is given; ``columns`` names those of the
    item's list (the others stay empty), and each choice has its label beside it. Written
    through the services: a column of another list, a missing required one or a price that
    breaks the rules of 明码标价 is a 400 naming the field."""

    version = serializers.PrimaryKeyRelatedField(queryset=ChecklistVersion.objects.all())
    kind = serializers.ChoiceField(choices=ListKind.choices)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    columns = serializers.SerializerMethodField()
    category = serializers.ChoiceField(choices=ServiceCategory.choices, required=False, allow_blank=True)
    category_display = serializers.CharField(source="get_category_display", read_only=True)
    price = serializers.DecimalField(max_digits=8, decimal_places=2, required=False, allow_null=True)
    unit = serializers.ChoiceField(choices=PriceUnit.choices, required=False, allow_blank=True)
    unit_display = serializers.CharField(source="get_unit_display", read_only=True)
    level = serializers.ChoiceField(choices=PriceLevel.choices, required=False, allow_blank=True)
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    resource_kind = serializers.ChoiceField(choices=ResourceKind.choices, required=False, allow_blank=True)
    resource_kind_display = serializers.CharField(source="get_resource_kind_display", read_only=True)
    party = serializers.ChoiceField(choices=DutyParty.choices, required=False, allow_blank=True)
    party_display = serializers.CharField(source="get_party_display", read_only=True)

    class Meta:
        model = ChecklistItem
        fields = [
            "id",
            "version",
            "kind",
            "kind_display",
            "columns",
            "origin",
            "position",
            "name",
            # services (服务项目清单)
            "category",
            "category_display",
            "price",
            "unit",
            "unit_display",
            "level",
            "level_display",
            "provider",
            # facilities (服务设施清单)
            "place",
            "area",
            "capacity",
            "opening_hours",
            "run_by",
            # policies (政策支持清单)
            "document_number",
            "issuer",
            "eligibility",
            "benefit",
            "where_to_apply",
            # resources (资源对接清单)
            "resource_kind",
            "resource_kind_display",
            "contact_person",
            "contact_phone",
            "offer",
            # duties (责任分工清单)
            "party",
            "party_display",
            "department",
            "duties",
            "note",
        ]
        read_only_fields = ["origin", "position"]
        extra_kwargs = {"name": {"required": False}}

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:  # an item stays in its version and its list
            for name in ("version", "kind"):
                fields[name].read_only = True
        return fields

    def get_columns(self, item) -> list[str]:
        return list(kind_fields(item.kind))


class ChecklistDifferencesSerializer(serializers.Serializer):
    """What a station's version changed from its sample version (``services.differences``)."""

    added = serializers.ListField(child=serializers.DictField(), help_text=_("Items not in the sample."))
    changed = serializers.ListField(
        child=serializers.DictField(),
        help_text=_("Each item changed: the item, the sample's item and each changed column with its label."),
    )
    removed = serializers.ListField(child=serializers.DictField(), help_text=_("Sample items left out."))
    same = serializers.IntegerField(help_text=_("Items as the sample has them."))


class CheckFindingSerializer(ScopedModelSerializer):
    item_name = serializers.CharField(source="item.name", read_only=True)
    item_kind = serializers.CharField(source="item.kind", read_only=True)
    item_kind_display = serializers.CharField(source="item.get_kind_display", read_only=True)
    result_display = serializers.CharField(source="get_result_display", read_only=True)
    photo = serializers.SerializerMethodField(help_text=_("Where to download the photo (null without one)."))
    is_open = serializers.BooleanField(read_only=True)

    class Meta:
        model = CheckFinding
        fields = [
            "id",
            "item",
            "item_name",
            "item_kind",
            "item_kind_display",
            "result",
            "result_display",
            "note",
            "photo",
            "is_open",
            "closed_by",
        ]
        read_only_fields = fields

    def get_photo(self, finding) -> str | None:
        if not finding.photo:
            return None
        url = reverse("api:checklist-check-photo", args=[finding.check_record_id])
        url = f"{url}?finding={finding.pk}"
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class ChecklistCheckSerializer(ScopedModelSerializer):
    station_name = serializers.CharField(source="station.name", read_only=True)
    version_number = serializers.IntegerField(source="version.number", read_only=True)
    checked_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    office_name = serializers.CharField(source="office.name", read_only=True, default=None)
    findings = CheckFindingSerializer(many=True, read_only=True)

    class Meta:
        model = ChecklistCheck
        fields = [
            "id",
            "station",
            "station_name",
            "version",
            "version_number",
            "checked_on",
            "checked_by",
            "office",
            "office_name",
            "summary",
            "created_at",
            "findings",
        ]
        read_only_fields = fields


class CheckResultSerializer(serializers.Serializer):
    item = serializers.IntegerField(min_value=1, label=_("item of the published lists"))
    result = serializers.ChoiceField(choices=CheckResult.choices)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ResultsField(serializers.ListField):
    """The results as a JSON list, or (in a multipart form, beside the photos) as a JSON text."""

    child = CheckResultSerializer()

    def to_internal_value(self, data):
        if isinstance(data, list) and len(data) == 1 and isinstance(data[0], str):
            data = data[0]  # a form's field, read as a list of its values
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except ValueError:
                self.fail("not_a_list", input_type="text")
        return super().to_internal_value(data)


class ChecklistCheckCreateSerializer(ScopedChoicesMixin, serializers.Serializer):
    """A supervision check of a station's published lists. In a multipart form, ``results`` is
    a JSON text and the photo of the finding for item ``<id>`` is the file ``photo_<id>``."""

    station = serializers.PrimaryKeyRelatedField(queryset=Station.objects.all())
    checked_on = serializers.DateField()
    summary = serializers.CharField(required=False, allow_blank=True, default="")
    results = ResultsField(allow_empty=True)

    scoped_choices = {"station": "view"}  # who may check is the service's rule (the region's offices)


class PostedPriceSerializer(ComplaintChannelsMixin, PriceSerializer):
    """One posted price (明码标价) with the four items 002 (十七) posts with every price: the
    operating company, the service content, the unit and the fee standard, and the complaint
    channels."""

    station_name = serializers.CharField(source="station.name", read_only=True)
    operator = serializers.IntegerField(source="station.operator_id", read_only=True)
    operator_name = serializers.CharField(source="station.operator.name", read_only=True)
    provided_by = serializers.SerializerMethodField(
        help_text=_("Who provides the service: the provider named, else the operating company.")
    )

    class Meta(PriceSerializer.Meta):
        fields = [
            "id",
            "station",
            "station_name",
            "operator",
            "operator_name",
            *PriceSerializer.Meta.fields[1:],
            "provided_by",
            "updated_at",
            "complaint_channels",
        ]
        list_serializer_class = ComplaintChannelsListSerializer

    @staticmethod
    def station_of(row):
        return row.station

    def get_provided_by(self, price) -> str:
        return price.provider or price.station.operator.name
