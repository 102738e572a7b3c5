from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from accounts.api.base import ScopedViewSetMixin
from config.api import import_failed_response
from facilities import exports, imports, services, targets
from facilities.models import (
    Alteration,
    CareRoom,
    Compound,
    EntrustmentAgreement,
    GuidanceTarget,
    Inspection,
    UseApplication,
    Violation,
)
from regions.models import Region
from reports.exporting import ExcelExportViewSetMixin
from reports.spreadsheets import ImportFailed

from .filters import AgreementFilter, ApplicationFilter, CareRoomFilter, ViolationFilter
from .serializers import (
    AgreementSerializer,
    AlterationSerializer,
    ApplicationActionSerializer,
    CareRoomSerializer,
    CompoundSerializer,
    GuidanceTargetSerializer,
    InspectionSerializer,
    PhotoSerializer,
    PhotoUploadSerializer,
    TargetProgressSerializer,
    TargetUploadSerializer,
    UseApplicationSerializer,
    ViolationActionSerializer,
    ViolationSerializer,
)

NO_DELETE = ["get", "post", "put", "patch", "head", "options"]
CREATE_READ = (
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
)


class CompoundViewSet(ExcelExportViewSetMixin, ScopedViewSetMixin, viewsets.ModelViewSet):
    export_definition = exports.COMPOUNDS
    queryset = Compound.objects.select_related("region")
    serializer_class = CompoundSerializer
    http_method_names = NO_DELETE

    def perform_create(self, serializer):
        serializer.instance = services.save_compound(None, by=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.save_compound(
            serializer.instance, by=self.request.user, **serializer.validated_data
        )


class CareRoomViewSet(ExcelExportViewSetMixin, ScopedViewSetMixin, viewsets.ModelViewSet):
    """The registry of care rooms (建档) with each room's deadline (``?overdue=true`` lists those
    past it and not operating); ``export/`` is the ledger."""

    export_definition = exports.ROOMS
    queryset = CareRoom.objects.select_related("compound__region")
    serializer_class = CareRoomSerializer
    filterset_class = CareRoomFilter
    http_method_names = NO_DELETE

    def perform_create(self, serializer):
        serializer.instance = services.save_room(None, by=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.save_room(
            serializer.instance, by=self.request.user, **serializer.validated_data
        )


class InspectionViewSet(ExcelExportViewSetMixin, ScopedViewSetMixin, *CREATE_READ):
    """Inspections with the violations they found; ``photos`` uploads pictures (multipart,
    field ``photos``, checked by content)."""

    export_definition = exports.INSPECTIONS
    queryset = Inspection.objects.select_related("inspector").prefetch_related("violations__room__compound")
    serializer_class = InspectionSerializer

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.record_inspection(
            by=self.request.user, violations=data.pop("violations", []), **data
        )

    @extend_schema(request=PhotoUploadSerializer, responses=PhotoSerializer(many=True))
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def photos(self, request, pk=None):
        inspection = self.get_object()
        upload = PhotoUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        saved = services.add_inspection_photos(inspection, request.FILES.getlist("photos"), by=request.user)
        return Response(PhotoSerializer(saved, many=True).data, status=status.HTTP_201_CREATED)


class ViolationViewSet(ExcelExportViewSetMixin, ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Violations of 004 (建而不用、用而不管、挪作他用、违规出租、出售). ``rectify`` records the
    action taken; ``close`` needs a later inspection of the room."""

    export_definition = exports.VIOLATIONS
    queryset = Violation.objects.select_related("room__compound")
    serializer_class = ViolationSerializer
    filterset_class = ViolationFilter

    @extend_schema(request=ViolationActionSerializer, responses=ViolationSerializer)
    @action(detail=True, methods=["post"])
    def rectify(self, request, pk=None):
        serializer = ViolationActionSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        violation = services.update_violation(
            self.get_object(), by=request.user, action_taken=serializer.validated_data["action_taken"]
        )
        return Response(ViolationSerializer(violation).data)

    @extend_schema(request=ViolationActionSerializer, responses=ViolationSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        serializer = ViolationActionSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        violation = self.get_object()
        inspection = serializer.validated_data.get("inspection")
        if inspection is None:  # one the user may not see is refused by the serializer's choices
            return Response(
                {
                    "error": {
                        "code": "invalid",
                        "message": _("Name the later inspection."),
                        "fields": {"inspection": []},
                    }
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        violation = services.close_violation(
            violation,
            by=request.user,
            inspection=inspection,
            action_taken=serializer.validated_data["action_taken"],
        )
        return Response(ViolationSerializer(violation).data)


class AlterationViewSet(ExcelExportViewSetMixin, ScopedViewSetMixin, *CREATE_READ):
    """Changes of use and rebuilding, recorded only with their approval."""

    export_definition = exports.ALTERATIONS
    queryset = Alteration.objects.select_related("room")
    serializer_class = AlterationSerializer

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.record_alteration(by=self.request.user, room=data.pop("room"), **data)


class UseApplicationViewSet(ExcelExportViewSetMixin, ScopedViewSetMixin, *CREATE_READ):
    """The use procedure of 004: POST starts it (initial contact); ``act`` takes the next step
    (apply, survey, approve, reject, sign, operate, withdraw) if the caller may."""

    export_definition = exports.APPLICATIONS
    queryset = UseApplication.objects.select_related("room__compound", "town").prefetch_related(
        "steps__actor", "steps__organization"
    )
    serializer_class = UseApplicationSerializer
    filterset_class = ApplicationFilter

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.start_application(
            by=self.request.user, room=data["room"], text=data["text"]
        )

    @extend_schema(request=ApplicationActionSerializer, responses=UseApplicationSerializer)
    @action(detail=True, methods=["post"])
    def act(self, request, pk=None):
        # DRF's lookup: an id that is not a number is a 404 like an unknown one (Django's
        # get_object_or_404 lets the ValueError through as a 500).
        application = get_object_or_404(self.get_queryset(), pk=pk)
        serializer = ApplicationActionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        services.act_on_application(
            application, data.pop("action"), by=request.user, text=data.pop("text"), **data
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=application.pk)).data)


class AgreementViewSet(ExcelExportViewSetMixin, ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Entrustment agreements (free of charge, normally three years); ``expiring`` lists those
    ending within 90 days."""

    export_definition = exports.AGREEMENTS
    queryset = EntrustmentAgreement.objects.select_related("room__compound")
    serializer_class = AgreementSerializer
    filterset_class = AgreementFilter

    @extend_schema(responses=AgreementSerializer(many=True))
    @action(detail=False, methods=["get"])
    def expiring(self, request):
        found = services.expiring_agreements(self.filter_queryset(self.get_queryset()))
        return Response(self.get_serializer(found[:500], many=True).data)


class GuidanceTargetViewSet(ExcelExportViewSetMixin, ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """004's guidance table. ``import`` replaces a county's table (all rows or none);
    ``progress`` compares each town's targets with the registry; ``progress/export`` is the
    table in 004's layout with the rooms put into operation added."""

    export_definition = exports.GUIDANCE_TARGETS
    queryset = GuidanceTarget.objects.select_related("town", "county")
    serializer_class = GuidanceTargetSerializer

    @extend_schema(request=TargetUploadSerializer, responses=GuidanceTargetSerializer(many=True))
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser, FormParser])
    def import_table(self, request):
        upload = TargetUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        county = get_object_or_404(Region, code=upload.validated_data["county"])
        file = upload.validated_data["file"]
        try:
            saved = imports.import_targets(
                file, county=county, by=request.user, filename=file.name, channel="api"
            )
        except ImportFailed as exc:
            return import_failed_response(exc)
        return Response(self.get_serializer(saved, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "county",
                OpenApiTypes.STR,
                description=_("county code: its towns are listed and its campaign's years are the columns"),
            )
        ],
        responses={
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiTypes.BINARY
        },
    )
    @action(detail=False, methods=["get"], url_path="import/template")
    def import_template(self, request):
        """The template of ``import``: 004 附件 as the notice prints it (附件 mark, title, 指导数
        merged over 小计 and the years, the 合计 row) with its 填写说明 sheet."""
        code = request.query_params.get("county")
        county = get_object_or_404(Region, code=code) if code else None
        return imports.target_template_response(county, by=request.user)

    def _progress(self, request):
        county = get_object_or_404(Region, code=request.query_params.get("county", ""))
        years, rows, total = targets.target_progress(
            county,
            rooms=CareRoom.objects.visible_to(request.user),
            targets=GuidanceTarget.objects.visible_to(request.user),
        )
        return county, years, rows, total

    @extend_schema(
        parameters=[OpenApiParameter("county", OpenApiTypes.STR, required=True)],
        responses=TargetProgressSerializer,
    )
    @action(detail=False, methods=["get"])
    def progress(self, request):
        county, years, rows, total = self._progress(request)
        data = {"county": county.code, "years": years, "towns": rows, "total": total}
        return Response(TargetProgressSerializer(data).data)

    @extend_schema(
        parameters=[OpenApiParameter("county", OpenApiTypes.STR, required=True)],
        responses={
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiTypes.BINARY
        },
    )
    @action(detail=False, methods=["get"], url_path="progress/export")
    def progress_export(self, request):
        county, years, rows, total = self._progress(request)
        return exports.progress_response(county, years, rows, total)
