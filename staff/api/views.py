from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts import params
from accounts.api.base import ScopedViewSetMixin
from accounts.api.rows import ValuesListMixin
from accounts.api.serializers import IdentitySearchSerializer
from accounts.pii import reveal
from config.api import LargeTableCursorPagination, import_failed_response
from regions.models import Region
from reports.exporting import ExcelExportViewSetMixin
from reports.spreadsheets import ImportFailed
from staff import exports, imports, services
from staff.api import rows
from staff.models import (
    Qualification,
    StaffMember,
    StationResource,
    TrainingRecord,
    TrainingSession,
    TrainingTarget,
)

from .filters import (
    QualificationFilter,
    RecordFilter,
    ResourceFilter,
    SessionFilter,
    StaffFilter,
)
from .serializers import (
    ImportResultSerializer,
    ProgressSerializer,
    QualificationSerializer,
    ScoreUploadSerializer,
    StaffRevealSerializer,
    StaffSerializer,
    StationResourceSerializer,
    TrainingRecordSerializer,
    TrainingSessionSerializer,
    TrainingTargetSerializer,
)

NO_DELETE = ["get", "post", "put", "patch", "head", "options"]


class StaffPagination(LargeTableCursorPagination):
    """Newest first, by id: the primary key's index serves any depth; no COUNT(*)."""

    page_size = 20
    ordering = ("-id",)


class StaffViewSet(ValuesListMixin, ExcelExportViewSetMixin, ScopedViewSetMixin, viewsets.ModelViewSet):
    """The three roles and volunteers of each company, newest first with a cursor (no counts:
    companies list a hundred thousand people and more; phones and identity numbers masked;
    ``reveal`` with permission, logged). ``eligibility`` says whether someone may serve at a
    station and, if not, what is missing; ``duties`` is the monthly summary per person and
    station."""

    # eligibility and duties need the stations: they are served at this prefix by
    # stations.api.views.StaffEligibilityViewSet and reports.api.views.StaffDutiesViewSet

    export_definition = exports.STAFF
    queryset = StaffMember.objects.select_related("employer", "region", "user").prefetch_related(
        "stations", "qualifications"
    )
    serializer_class = StaffSerializer
    filterset_class = StaffFilter
    pagination_class = StaffPagination
    ordering_fields = ["id", "name", "joined_on"]
    http_method_names = NO_DELETE

    def list_values(self, queryset):
        return rows.staff_values(queryset)

    def list_rows(self, page):
        return rows.staff_rows(page)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        stations = data.pop("stations", None)
        serializer.instance = services.save_staff(None, by=self.request.user, stations=stations, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        stations = data.pop("stations", None)
        serializer.instance = services.save_staff(
            serializer.instance, by=self.request.user, stations=stations, **data
        )

    @extend_schema(responses=StaffRevealSerializer)
    @action(detail=True, methods=["get"])
    def reveal(self, request, pk=None):
        """Phone and identity number in full (permission needed; the read is audit-logged)."""
        return Response(reveal(self.get_object(), ("phone", "id_number"), by=request.user))

    @extend_schema(request=IdentitySearchSerializer, responses=StaffSerializer(many=True))
    @action(detail=False, methods=["post"], permission_classes=[IsAuthenticated])
    def search(self, request):
        """The people you may see whose phone and/or identity number is exactly the one posted
        (masked as everywhere); posted so that neither lands in a URL or an access log."""
        serializer = IdentitySearchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        found = services.find_staff(self.get_queryset(), **serializer.validated_data)
        return Response(self.get_serializer(found[:50], many=True).data)


class QualificationViewSet(ExcelExportViewSetMixin, ScopedViewSetMixin, viewsets.ModelViewSet):
    """Qualifications (e.g. 养老护理员, level, certificate, expiry); ``expiring`` lists those
    within the warning period."""

    export_definition = exports.QUALIFICATIONS
    queryset = Qualification.objects.select_related("staff")
    serializer_class = QualificationSerializer
    filterset_class = QualificationFilter

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.save_qualification(None, by=self.request.user, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("staff", None)
        serializer.instance = services.save_qualification(serializer.instance, by=self.request.user, **data)

    def perform_destroy(self, instance):
        services.delete_qualification(instance, by=self.request.user)

    @extend_schema(responses=QualificationSerializer(many=True))
    @action(detail=False, methods=["get"])
    def expiring(self, request):
        found = services.expiring_qualifications(self.filter_queryset(self.get_queryset()))
        return Response(self.get_serializer(found[:500], many=True).data)


class SessionViewSet(ExcelExportViewSetMixin, ScopedViewSetMixin, viewsets.ModelViewSet):
    """Training sessions (pre-job, special, periodic) with pass marks; ``import_scores`` takes
    the attendance and score sheet (all rows or none); ``progress`` is the district's
    person-times against its target by street and company."""

    export_definition = exports.SESSIONS
    queryset = (
        TrainingSession.objects.select_related("organiser", "region")
        .annotate(
            record_total=Count("records", distinct=True),
            passed_total=Count("records", filter=Q(records__passed=True), distinct=True),
        )
        .order_by("-starts_on", "-id")
    )
    serializer_class = TrainingSessionSerializer
    filterset_class = SessionFilter
    http_method_names = NO_DELETE

    def perform_create(self, serializer):
        serializer.instance = services.save_session(None, by=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.save_session(
            serializer.instance, by=self.request.user, **serializer.validated_data
        )

    @extend_schema(request=ScoreUploadSerializer, responses=ImportResultSerializer)
    @action(
        detail=True,
        methods=["post"],
        url_path="import-scores",
        parser_classes=[MultiPartParser, FormParser],
    )
    def import_scores(self, request, pk=None):
        session = self.get_object()
        upload = ScoreUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        file = upload.validated_data["file"]
        try:
            result = imports.import_scores(session, file, by=request.user, filename=file.name, channel="api")
        except ImportFailed as exc:
            return import_failed_response(exc)
        return Response({"rows": result.rows})

    @extend_schema(
        responses={
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiTypes.BINARY
        },
    )
    @action(detail=True, methods=["get"], url_path="import-scores/template")
    def import_scores_template(self, request, pk=None):
        """The template of ``import-scores``: the session's score sheet (考核成绩登记表) with its
        填写说明 sheet."""
        session = self.get_object()
        services.require_session_editor(session, request.user)  # the same as the import
        return imports.score_template_response(session)

    @extend_schema(
        parameters=[
            OpenApiParameter("region", OpenApiTypes.STR, required=True, description=_("district code")),
            OpenApiParameter("year", OpenApiTypes.INT, description=_("default this year")),
        ],
        responses=ProgressSerializer,
    )
    @action(detail=False, methods=["get"])
    def progress(self, request):
        region = get_object_or_404(Region, code=request.query_params.get("region", ""))
        year = params.parse_year(request.query_params, default=timezone.localdate().year)
        # the same figures, scope label and like-with-like comparison as the portal's page
        return Response(ProgressSerializer(services.progress_for(request.user, region, year)).data)


class RecordViewSet(
    ExcelExportViewSetMixin,
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Attendance and scores. POST records (or corrects) one person's result; ``passed`` is
    derived from the session's pass marks. Companies read their staff's results."""

    export_definition = exports.RECORDS
    queryset = TrainingRecord.objects.select_related("session", "staff__employer")
    serializer_class = TrainingRecordSerializer
    filterset_class = RecordFilter

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        session = data.pop("session")
        serializer.instance = services.record_result(session, data.pop("staff"), by=self.request.user, **data)
        services.announce_results(session, [serializer.instance])


class TargetViewSet(ExcelExportViewSetMixin, ScopedViewSetMixin, viewsets.ModelViewSet):
    export_definition = exports.TRAINING_TARGETS
    queryset = TrainingTarget.objects.select_related("region")
    serializer_class = TrainingTargetSerializer
    http_method_names = NO_DELETE

    def perform_create(self, serializer):
        serializer.instance = services.save_target(
            TrainingTarget(**serializer.validated_data), by=self.request.user
        )

    def perform_update(self, serializer):
        target = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(target, name, value)
        serializer.instance = services.save_target(target, by=self.request.user)


class ResourceViewSet(ExcelExportViewSetMixin, ScopedViewSetMixin, viewsets.ModelViewSet):
    """Stations' resource information, kept by their information officers (信息员)."""

    export_definition = exports.RESOURCES
    queryset = StationResource.objects.select_related("station", "updated_by")
    serializer_class = StationResourceSerializer
    filterset_class = ResourceFilter
    http_method_names = NO_DELETE

    def perform_create(self, serializer):
        serializer.instance = services.save_resource(None, by=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("station", None)
        serializer.instance = services.save_resource(serializer.instance, by=self.request.user, **data)
