"""The evaluations' API: schemes (read, and written through ``save_scheme``), runs (read, and
``run`` for a month through ``run_evaluation``), scorecards, findings (and their comments)."""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts import params
from accounts.api.base import ScopedModelSerializer, ScopedViewSetMixin
from regions.models import Region
from reports.evaluation import exports, services
from reports.evaluation.catalogue import CATALOGUE
from reports.evaluation.filters import FindingFilter, ScorecardFilter
from reports.exporting import ExcelExportViewSetMixin
from reports.models import (
    Direction,
    EvaluationRun,
    EvaluationScheme,
    Finding,
    FindingComment,
    SchemeIndicator,
    Scorecard,
)


class IndicatorSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=list(CATALOGUE))
    weight = serializers.IntegerField()
    threshold = serializers.DecimalField(max_digits=10, decimal_places=2, required=False)
    direction = serializers.ChoiceField(choices=Direction.choices, required=False)
    label = serializers.SerializerMethodField()

    def get_label(self, item) -> str:
        code = item["code"] if isinstance(item, dict) else item.code
        return str(CATALOGUE[code].label) if code in CATALOGUE else code


class SchemeSerializer(ScopedModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", queryset=Region.objects.all(), required=False)
    indicators = IndicatorSerializer(many=True, write_only=True)
    current_indicators = serializers.SerializerMethodField()
    version = serializers.IntegerField(source="current.number", read_only=True, default=None)
    note = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=300)

    class Meta:
        model = EvaluationScheme
        fields = ["id", "region", "name", "is_active", "version", "indicators", "current_indicators", "note"]

    def get_current_indicators(self, scheme) -> list[dict]:
        if scheme.current is None:
            return []
        return IndicatorSerializer(scheme.current.indicators.all(), many=True).data


class SchemeViewSet(
    ExcelExportViewSetMixin,
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Evaluation schemes; a change of indicators makes a new version (weights must add to 100)."""

    export_definition = exports.EVALUATION_SCHEMES
    queryset = EvaluationScheme.objects.select_related("region", "current").prefetch_related(
        Prefetch("current__indicators", queryset=SchemeIndicator.objects.order_by("position", "id"))
    )
    serializer_class = SchemeSerializer

    def _save(self, scheme, data):
        return services.save_scheme(
            scheme,
            by=self.request.user,
            region=data.get("region"),
            name=data.get("name", scheme.name if scheme else ""),
            is_active=data.get("is_active", scheme.is_active if scheme else True),
            note=data.get("note", ""),
            indicators=[dict(item) for item in data["indicators"]]
            if "indicators" in data
            else [
                {"code": i.code, "weight": i.weight, "threshold": i.threshold, "direction": i.direction}
                for i in scheme.current.indicators.all()
            ],
        )

    def perform_create(self, serializer):
        serializer.instance = self._save(None, serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = self._save(serializer.instance, serializer.validated_data)


class RunSerializer(serializers.ModelSerializer):
    scheme_name = serializers.CharField(source="scheme.name", read_only=True)
    version = serializers.IntegerField(source="version.number", read_only=True)

    class Meta:
        model = EvaluationRun
        fields = [
            "id",
            "scheme",
            "scheme_name",
            "version",
            "month",
            "started_at",
            "finished_at",
            "scorecards_count",
            "findings_opened",
            "findings_closed",
        ]


class RunRequestSerializer(serializers.Serializer):
    scheme = serializers.PrimaryKeyRelatedField(queryset=EvaluationScheme.objects.all())
    month = serializers.CharField(help_text=_("YYYY-MM"))


class RunViewSet(ExcelExportViewSetMixin, ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """The monthly runs; ``run/`` evaluates a month now (its scorecards are replaced)."""

    export_definition = exports.EVALUATION_RUNS
    queryset = EvaluationRun.objects.select_related("scheme", "version")
    serializer_class = RunSerializer

    @extend_schema(request=RunRequestSerializer, responses={201: RunSerializer})
    @action(detail=False, methods=["post"])
    def run(self, request):
        serializer = RunRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        scheme = serializer.validated_data["scheme"]
        if not EvaluationScheme.objects.visible_to(request.user).filter(pk=scheme.pk).exists():
            raise serializers.ValidationError({"scheme": _("No such scheme.")})
        month = params.parse_month(serializer.validated_data)
        run = services.run_evaluation(scheme, month, by=request.user)
        return Response(RunSerializer(run).data, status=status.HTTP_201_CREATED)


class ScorecardSerializer(serializers.ModelSerializer):
    street = serializers.CharField(source="street.name", read_only=True, default=None)
    district = serializers.CharField(source="district.name", read_only=True, default=None)
    organization = serializers.CharField(source="organization.name", read_only=True)
    lines = serializers.SerializerMethodField()

    class Meta:
        model = Scorecard
        fields = [
            "id",
            "month",
            "kind",
            "station",
            "pilot",
            "name",
            "street",
            "district",
            "organization",
            "score",
            "rank_in_street",
            "rank_in_district",
            "indicators_failed",
            "run",
            "lines",
        ]

    def get_lines(self, card) -> list[dict]:
        return [
            {
                **line,
                "label": str(CATALOGUE[line["code"]].label) if line["code"] in CATALOGUE else line["code"],
            }
            for line in card.lines
        ]


class ScorecardViewSet(ExcelExportViewSetMixin, ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Scorecard.objects.select_related("street", "district", "organization")
    serializer_class = ScorecardSerializer
    filterset_class = ScorecardFilter
    export_definition = exports.SCORECARDS
    ordering_fields = ["score", "rank_in_district", "rank_in_street", "month"]


class CommentSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.name", read_only=True)

    class Meta:
        model = FindingComment
        fields = ["id", "author", "text", "created_at"]
        read_only_fields = ["id", "author", "created_at"]


class FindingSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True)
    organization = serializers.CharField(source="organization.name", read_only=True)
    comments = CommentSerializer(many=True, read_only=True)

    class Meta:
        model = Finding
        fields = [
            "id",
            "kind",
            "station",
            "pilot",
            "name",
            "organization",
            "code",
            "label",
            "raw",
            "threshold",
            "direction",
            "opened_month",
            "last_month",
            "closed_month",
            "state",
            "comments",
        ]


class FindingViewSet(ExcelExportViewSetMixin, ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Finding.objects.select_related("organization").prefetch_related(
        Prefetch("comments", queryset=FindingComment.objects.select_related("author"))
    )
    serializer_class = FindingSerializer
    filterset_class = FindingFilter
    export_definition = exports.FINDINGS

    @extend_schema(request=CommentSerializer, responses={201: CommentSerializer})
    @action(detail=True, methods=["post"])
    def comment(self, request, pk=None):
        finding = self.get_object()
        serializer = CommentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        comment = services.add_comment(finding, by=request.user, text=serializer.validated_data["text"])
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)
