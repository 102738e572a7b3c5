from django.db.models import Prefetch
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from accounts import params
from accounts.api.base import ScopedViewSetMixin
from accounts.permissions import TokenScopePermission
from checklists import exports, imports, services
from checklists.models import CheckFinding, ChecklistCheck, ChecklistItem, ChecklistVersion
from config.api import import_failed_response
from reports.exporting import XLSX_CONTENT_TYPE, ExcelExportViewSetMixin
from reports.spreadsheets import ImportFailed
from stations.models import Station, StationPrice

from .filters import CheckFilter, ItemFilter, PostedPriceFilter, VersionFilter
from .serializers import (
    ChecklistCheckCreateSerializer,
    ChecklistCheckSerializer,
    ChecklistDifferencesSerializer,
    ChecklistImportResultSerializer,
    ChecklistImportSerializer,
    ChecklistItemSerializer,
    ChecklistReturnSerializer,
    ChecklistVersionCreateSerializer,
    ChecklistVersionSerializer,
    DifferencesQuerySerializer,
    ListKindQuerySerializer,
    PostedPriceSerializer,
    ResourceReviewSerializer,
)


class PublicReadMixin:
    """Anyone reads (anonymous visitors what was posted: ``visible_to`` decides); changes need a
    signed-in user."""

    permission_classes = [AllowAny, TokenScopePermission]

    def get_permissions(self):
        if self.request.method not in ("GET", "HEAD", "OPTIONS"):
            return [IsAuthenticated(), TokenScopePermission()]
        return super().get_permissions()


XLSX = {(200, XLSX_CONTENT_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description=_("xlsx workbook"))}


class VersionViewSet(
    PublicReadMixin,
    ExcelExportViewSetMixin,
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Versions of the five lists (五张清单): district samples (样张) and stations' customised
    lists (定制化清单). POST starts a version; the workflow's steps are actions (``submit``,
    ``approve``, ``return``, ``publish`` for a station's lists, ``publish_template`` for a sample),
    offered in ``allowed_actions`` when one version is read."""

    queryset = ChecklistVersion.objects.select_related("station", "region", "issuer", "approving_office")
    serializer_class = ChecklistVersionSerializer
    filterset_class = VersionFilter
    export_definition = exports.VERSIONS

    def get_serializer_context(self):
        # the steps offered are worked out for one version at a time, never for a whole page
        return super().get_serializer_context() | {"with_actions": self.action != "list"}

    @extend_schema(request=ChecklistVersionCreateSerializer, responses={201: ChecklistVersionSerializer})
    def create(self, request, *args, **kwargs):
        serializer = ChecklistVersionCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data.get("station") is not None:
            version = services.start_station_list(data["station"], by=request.user, note=data["note"])
        else:
            version = services.start_template(
                data["region"], by=request.user, title=data["title"], note=data["note"]
            )
        return Response(self.get_serializer(version).data, status=status.HTTP_201_CREATED)

    def _step(self, request, step, **inputs):
        version = services.perform(self.get_object(), step, by=request.user, **inputs)
        return Response(self.get_serializer(version).data)

    @extend_schema(request=None, responses=ChecklistVersionSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit the station's lists to its street office for approval."""
        return self._step(request, "submit")

    @extend_schema(request=None, responses=ChecklistVersionSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """The station's street office approves the lists as they stand."""
        return self._step(request, "approve")

    @extend_schema(request=ChecklistReturnSerializer, responses=ChecklistVersionSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        """The street office returns the lists with what the company should change."""
        serializer = ChecklistReturnSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._step(request, "return", reason=serializer.validated_data["reason"])

    @extend_schema(request=None, responses=ChecklistVersionSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Post the approved lists at the station; the service-item list becomes its prices."""
        return self._step(request, "publish")

    @extend_schema(request=None, responses=ChecklistVersionSerializer)
    @action(detail=True, methods=["post"])
    def publish_template(self, request, pk=None):
        """The district bureau publishes its sample."""
        return self._step(request, "publish_template")

    @extend_schema(parameters=[DifferencesQuerySerializer], responses=ChecklistDifferencesSerializer)
    @action(detail=True, methods=["get"])
    def differences(self, request, pk=None):
        """What this station version changed from the sample version it was made from
        (``against=template``, the default) or from the version posted before it
        (``against=previous``)."""
        query = DifferencesQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        found = services.differences(self.get_object(), against=query.validated_data["against"])
        context = self.get_serializer_context()

        def item(row):
            return ChecklistItemSerializer(row, context=context).data

        return Response(
            {
                "added": [item(row) for row in found["added"]],
                "changed": [
                    {
                        "item": item(change["item"]),
                        "sample": item(change["sample"]),
                        "fields": [{**field, "label": str(field["label"])} for field in change["fields"]],
                    }
                    for change in found["changed"]
                ],
                "removed": [item(row) for row in found["removed"]],
                "same": found["same"],
            }
        )

    def _kind(self, request):
        query = ListKindQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return query.validated_data.get("kind") or None

    @extend_schema(parameters=[ListKindQuerySerializer], responses=XLSX)
    @action(detail=True, methods=["get"])
    def workbook(self, request, pk=None):
        """The version as a workbook of five sheets (or, with ``kind``, one list), laid out like
        the template so that it imports back unchanged."""
        version, kind = self.get_object(), self._kind(request)
        return exports.list_response(version, kind) if kind else exports.version_response(version)

    @extend_schema(parameters=[ListKindQuerySerializer], responses=XLSX)
    @action(detail=False, methods=["get"], url_path="template")
    def template(self, request):
        """The template workbook of one list (``kind``) or of all five, with its instructions sheet."""
        return imports.template_response(self._kind(request))

    @extend_schema(request=ChecklistImportSerializer, responses=ChecklistImportResultSerializer)
    @action(detail=True, methods=["post"], url_path="import", parser_classes=[MultiPartParser, FormParser])
    def import_(self, request, pk=None):
        """Fill a draft's lists from a workbook, all or nothing: one bad row and nothing changes,
        every problem named by sheet, row, column and reason."""
        version = self.get_object()
        upload = ChecklistImportSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        file, kind = upload.validated_data["file"], upload.validated_data.get("kind") or None
        try:
            if kind:
                result = imports.import_list(
                    version, kind, file, by=request.user, filename=file.name, channel="api"
                )
                counts = {kind: result.rows}
            else:
                counts = imports.import_workbook(version, file, by=request.user, channel="api")
        except ImportFailed as exc:
            return import_failed_response(exc)
        return Response({"items": counts})

    @extend_schema(request=ResourceReviewSerializer, responses=ChecklistVersionSerializer)
    @action(detail=True, methods=["post"], url_path="review-resources")
    def review_resources(self, request, pk=None):
        """The station confirms its published resource list is current (000 三(二)2)."""
        serializer = ResourceReviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        version = services.confirm_resources_reviewed(
            self.get_object(), by=request.user, on=serializer.validated_data["on"]
        )
        return Response(self.get_serializer(version).data)


class ItemViewSet(PublicReadMixin, ExcelExportViewSetMixin, ScopedViewSetMixin, viewsets.ModelViewSet):
    """The items of the five lists; ``?version=`` and ``?kind=`` pick one list. Items of a draft
    (or returned) version are added, changed and removed through the services."""

    queryset = ChecklistItem.objects.all()
    serializer_class = ChecklistItemSerializer
    export_definition = exports.ITEMS
    filterset_class = ItemFilter

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        version, kind = data.pop("version"), data.pop("kind")
        serializer.instance = services.add_item(version, by=self.request.user, kind=kind, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        for fixed in ("version", "kind"):
            data.pop(fixed, None)
        serializer.instance = services.change_item(serializer.instance, by=self.request.user, **data)

    def perform_destroy(self, instance):
        services.remove_item(instance, by=self.request.user)


class CheckViewSet(
    ExcelExportViewSetMixin,
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Supervision checks (督导检查) of the stations' published lists, item by item. POST
    records one (JSON; or multipart with ``results`` as JSON text and a photo per finding as the
    file ``photo_<item id>``)."""

    export_definition = exports.CHECKS
    queryset = ChecklistCheck.objects.select_related(
        "station", "version", "checked_by", "office"
    ).prefetch_related(Prefetch("findings", queryset=CheckFinding.objects.select_related("item")))
    serializer_class = ChecklistCheckSerializer
    filterset_class = CheckFilter
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(request=ChecklistCheckCreateSerializer, responses={201: ChecklistCheckSerializer})
    def create(self, request, *args, **kwargs):
        serializer = ChecklistCheckCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        results = [{**row, "photo": request.FILES.get(f"photo_{row['item']}")} for row in data["results"]]
        check = services.record_check(
            data["station"],
            by=request.user,
            checked_on=data["checked_on"],
            results=results,
            summary=data["summary"],
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=check.pk)).data, status=201)

    @extend_schema(
        parameters=[OpenApiParameter("finding", OpenApiTypes.INT, required=True)],
        responses={(200, "image/*"): OpenApiTypes.BINARY},
    )
    @action(detail=True, methods=["get"])
    def photo(self, request, pk=None):
        """The photo taken for one finding of the check."""
        check = self.get_object()
        finding = params.parse_id(request.query_params, "finding", required=True)
        found = get_object_or_404(
            CheckFinding.objects.filter(check_record=check).exclude(photo=""), pk=finding
        )
        return FileResponse(found.photo.open("rb"))


class PostedPriceViewSet(
    PublicReadMixin, ExcelExportViewSetMixin, mixins.ListModelMixin, viewsets.GenericViewSet
):
    """Posted prices (明码标价) of the stations you may see (anyone: the operating ones), each
    with what 002 (十七) posts with it: the operating company, the service content, the unit,
    the fee standard and the complaint channels."""

    export_definition = exports.POSTED_PRICES
    queryset = StationPrice.objects.select_related("station__operator", "station__region")
    serializer_class = PostedPriceSerializer
    filterset_class = PostedPriceFilter

    def get_queryset(self):
        # a price is as public as its station: one scoping path, the station's
        return super().get_queryset().filter(station__in=Station.objects.visible_to(self.request.user))
