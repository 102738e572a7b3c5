from django.db.models import F
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from accounts import params
from accounts.api.base import ScopedViewSetMixin
from accounts.api.rows import ValuesListMixin
from accounts.api.serializers import IdentitySearchSerializer
from accounts.permissions import TokenScopePermission
from accounts.pii import reveal
from config.api import LargeTableCursorPagination
from reports.exporting import EXPORT_RESPONSES, ExcelExportViewSetMixin
from staff.api.filters import StaffFilter
from staff.api.serializers import EligibilitySerializer, StaffSerializer
from staff.api.views import StaffViewSet
from stations import exports, services
from stations.api import rows
from stations.models import (
    PublicityEvent,
    Resident,
    ResidentLinkRequest,
    ServiceOrder,
    ServiceRecord,
    Station,
    StationExpenditure,
    Survey,
    SurveyResponse,
)

from .filters import OrderFilter, RecordFilter, ResidentFilter, StationFilter
from .serializers import (
    ExpenditureSerializer,
    LinkConsentSerializer,
    LinkRefuseSerializer,
    LinkRequestCreateSerializer,
    LinkRequestSerializer,
    OrderActionSerializer,
    OrderSerializer,
    PublicitySerializer,
    RatingSerializer,
    RecordSerializer,
    ResidentSerializer,
    RevealSerializer,
    RevenueSerializer,
    StationSerializer,
    StationStatusSerializer,
    SurveyAverageSerializer,
    SurveyResponseSerializer,
    SurveySerializer,
)

LINK_REQUESTED = _(
    "This person is on file with another operator: a link request has been made. The station is "
    "linked once the person's signed consent is recorded."
)


class RecordPagination(LargeTableCursorPagination):
    ordering = ("-started_at", "-id")


class ResidentPagination(LargeTableCursorPagination):
    """Newest first, by id: the primary key's index serves any depth; no COUNT(*)."""

    page_size = 20
    ordering = ("-id",)


class OrderPagination(LargeTableCursorPagination):
    ordering = ("-created_at", "-id")


class StationViewSet(ExcelExportViewSetMixin, ScopedViewSetMixin, viewsets.ModelViewSet):
    """Service stations. Anyone reads the operating ones (the station finder, ``nearby/``);
    operators manage their own. ``export/`` downloads the filtered list."""

    export_definition = exports.STATIONS
    queryset = Station.objects.select_related("operator", "region").prefetch_related("prices")
    serializer_class = StationSerializer
    filterset_class = StationFilter
    permission_classes = [AllowAny, TokenScopePermission]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_permissions(self):
        if self.request.method not in ("GET", "HEAD", "OPTIONS"):
            return [IsAuthenticated(), TokenScopePermission()]
        return super().get_permissions()

    def perform_create(self, serializer):
        serializer.instance = services.save_station(None, by=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.save_station(
            serializer.instance, by=self.request.user, **serializer.validated_data
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("lat", OpenApiTypes.FLOAT, required=True, description=_("latitude")),
            OpenApiParameter("lng", OpenApiTypes.FLOAT, required=True, description=_("longitude")),
            OpenApiParameter(
                "radius", OpenApiTypes.INT, description=_("metres, default 1000 (the 15-minute circle)")
            ),
        ],
        responses=StationSerializer(many=True),
        description=_(
            "A bare array (not paged) of at most 100 operating stations within `radius` metres of the "
            "point, nearest first, each with `distance_m` (its distance in metres). The list's "
            "filters apply; no sign-in needed."
        ),
    )
    @action(detail=False, methods=["get"])
    def nearby(self, request):
        """Operating stations within the radius of a point, nearest first, with their distance."""
        try:
            lat, lng = float(request.query_params["lat"]), float(request.query_params["lng"])
            radius = int(request.query_params.get("radius", 1000))
        except (KeyError, ValueError) as exc:
            raise exceptions.ValidationError(
                {"lat": [_("Give lat and lng as numbers, radius in metres.")]}
            ) from exc
        stations = services.stations_near(
            self.filter_queryset(self.get_queryset()).filter(status="operating"),
            latitude=lat,
            longitude=lng,
            radius_m=radius,
        )
        return Response(self.get_serializer(stations[:100], many=True).data)

    @extend_schema(request=StationStatusSerializer, responses=StationSerializer)
    @action(detail=True, methods=["post"], url_path="status")
    def change_status(self, request, pk=None):
        serializer = StationStatusSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        station = services.change_station_status(
            self.get_object(),
            serializer.validated_data["status"],
            by=request.user,
            on=serializer.validated_data["on"],
        )
        return Response(self.get_serializer(station).data)

    @extend_schema(
        parameters=[OpenApiParameter("month", OpenApiTypes.STR, description="YYYY-MM")],
        responses=RevenueSerializer(many=True),
    )
    @action(detail=False, methods=["get"], permission_classes=[IsAuthenticated, TokenScopePermission])
    def revenue(self, request):
        """002, 五: elderly-care revenue per station per month, from the service records."""
        return Response(RevenueSerializer(self._revenue_rows(request), many=True).data)

    @extend_schema(
        parameters=[OpenApiParameter("month", OpenApiTypes.STR, description="YYYY-MM")],
        responses=EXPORT_RESPONSES,
    )
    @action(
        detail=False,
        methods=["get"],
        url_path="revenue/export",
        permission_classes=[IsAuthenticated, TokenScopePermission],
    )
    def revenue_export(self, request):
        return exports.REVENUE.api_response(self._revenue_rows(request), request)

    def _revenue_rows(self, request):
        records = ServiceRecord.objects.visible_to(request.user)
        station = params.parse_id(request.query_params, "station")
        if station:
            records = records.filter(station_id=station)
        month = params.parse_month(request.query_params)
        if month:
            records = records.filter(started_at__year=month.year, started_at__month=month.month)
        return services.monthly_revenue(records)


class StaffEligibilityViewSet(ScopedViewSetMixin, viewsets.GenericViewSet):
    """``GET /staff/<id>/eligibility/?station=``, routed beside the staff API: it needs the
    stations, which the staff app does not import."""

    queryset = StaffViewSet.queryset
    serializer_class = StaffSerializer
    filterset_class = StaffFilter

    @extend_schema(
        parameters=[OpenApiParameter("station", OpenApiTypes.INT, required=True)],
        responses=EligibilitySerializer,
    )
    @action(detail=True, methods=["get"])
    def eligibility(self, request, pk=None):
        """May this person be given orders and log services at the station? (A login account is
        not needed: orders and records name the staff member.)"""
        member = self.get_object()
        station_id = params.parse_id(request.query_params, "station", required=True)
        station = get_object_or_404(Station.objects.visible_to(request.user), pk=station_id)
        reason = member.serve_refusal(station)
        return Response({"station": station.pk, "allowed": reason is None, "reason": reason})


class ResidentViewSet(ValuesListMixin, ExcelExportViewSetMixin, ScopedViewSetMixin, viewsets.ModelViewSet):
    """Elderly residents (一人一档), newest first with a cursor (no counts: 200,000 rows and
    more). Identity numbers and phones are shown masked; ``reveal`` returns them in full to
    holders of the permission and audit-logs the read. Exact searches on identity number or
    phone are posted to ``search/`` (never a query string)."""

    export_definition = exports.RESIDENTS
    queryset = Resident.objects.select_related("community").prefetch_related("stations")
    serializer_class = ResidentSerializer
    filterset_class = ResidentFilter
    pagination_class = ResidentPagination
    ordering_fields = ["id", "name", "created_at"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def list_values(self, queryset):
        return rows.resident_values(queryset)

    def list_rows(self, page):
        return rows.resident_rows(page)

    @extend_schema(responses={201: ResidentSerializer, 202: LinkRequestSerializer})
    def create(self, request, *args, **kwargs):
        """Register a person at one of your stations. A person on file with another operator is
        not disclosed: the answer is 202 with the link request made instead."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        registration = services.register_resident(
            by=request.user,
            station=data.pop("station"),
            name=data.pop("name"),
            id_number=data.pop("id_number"),
            phone=data.pop("phone", ""),
            **data,
        )
        if registration.resident is None:
            # On file with another operator: nothing of her file, only the request made.
            body = LinkRequestSerializer(
                registration.link_request, context=self.get_serializer_context()
            ).data
            body["warnings"] = registration.warnings
            body["detail"] = str(LINK_REQUESTED)
            return Response(body, status=status.HTTP_202_ACCEPTED)
        resident = registration.resident
        resident.warnings = registration.warnings
        return Response(self.get_serializer(resident).data, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        for ignored in ("id_number", "station"):
            data.pop(ignored, None)
        serializer.instance = services.update_resident(serializer.instance, by=self.request.user, **data)

    @extend_schema(responses=RevealSerializer)
    @action(detail=True, methods=["get"])
    def reveal(self, request, pk=None):
        """The identity number and phones in full (permission needed; the read is audit-logged)."""
        return Response(
            reveal(
                self.get_object(), ("id_number", "birth_date", "phone", "emergency_phone"), by=request.user
            )
        )

    @extend_schema(request=IdentitySearchSerializer, responses=ResidentSerializer(many=True))
    @action(detail=False, methods=["post"], permission_classes=[IsAuthenticated])
    def search(self, request):
        """The residents you may see whose identity number and/or phone is exactly the one
        posted (masked as everywhere). A search reads, so read-only tokens may use it."""
        serializer = IdentitySearchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        found = services.find_by_identity(self.get_queryset(), **serializer.validated_data)
        return Response(self.get_serializer(found[:50], many=True).data)

    @extend_schema(responses=ResidentSerializer(many=True))
    @action(detail=False, methods=["get"])
    def overdue_visits(self, request):
        """Residents living alone whose care visit is overdue, most overdue first."""
        overdue = services.overdue_care_visits(self.filter_queryset(self.get_queryset()))
        return Response(self.get_serializer(overdue[:500], many=True).data)


class LinkRequestViewSet(
    ExcelExportViewSetMixin,
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Requests to serve a person on file with another operator. The requesting operator and
    the government of the person's community see them. ``record_consent`` attaches her signed
    consent and links the station; an officer may ``refuse``; the requester may ``withdraw``."""

    export_definition = exports.LINK_REQUESTS
    queryset = ResidentLinkRequest.objects.select_related(
        "station", "organization", "resident", "requested_by", "consent_recorded_by", "decided_by"
    )
    serializer_class = LinkRequestSerializer
    filterset_fields = ["state", "station"]

    @extend_schema(request=LinkRequestCreateSerializer, responses={201: LinkRequestSerializer})
    def create(self, request, *args, **kwargs):
        serializer = LinkRequestCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        link = services.request_link(by=request.user, **serializer.validated_data)
        return Response(self.get_serializer(link).data, status=status.HTTP_201_CREATED)

    def _act(self, request, action_name, **details):
        link = services.act_on_link_request(self.get_object(), action_name, by=request.user, **details)
        return Response(self.get_serializer(link).data)

    @extend_schema(request={"multipart/form-data": LinkConsentSerializer}, responses=LinkRequestSerializer)
    @action(detail=True, methods=["post"], url_path="record-consent")
    def record_consent(self, request, pk=None):
        """Attach the person's signed consent (date and the form as PDF, PNG or JPEG, checked by
        content): the station is linked to her file."""
        serializer = LinkConsentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._act(request, "record_consent", **serializer.validated_data)

    @extend_schema(request=LinkRefuseSerializer, responses=LinkRequestSerializer)
    @action(detail=True, methods=["post"])
    def refuse(self, request, pk=None):
        serializer = LinkRefuseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._act(request, "refuse", reason=serializer.validated_data["reason"])

    @extend_schema(request=None, responses=LinkRequestSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._act(request, "withdraw")


class OrderViewSet(
    ExcelExportViewSetMixin,
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Service orders (点菜式), e.g. from a call centre or a device: create, then ``assign``,
    ``complete`` (writes the service record with the posted price) or ``cancel``."""

    export_definition = exports.ORDERS
    queryset = ServiceOrder.objects.select_related("resident").annotate(
        assigned_to_name=F("assigned_to__name")  # the name only: no staff row is decrypted
    )
    serializer_class = OrderSerializer
    filterset_class = OrderFilter
    pagination_class = OrderPagination

    def perform_create(self, serializer):
        serializer.instance = services.create_order(by=self.request.user, **serializer.validated_data)

    def _act(self, request, action_name):
        serializer = OrderActionSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        order = services.transition_order(
            self.get_object(), action_name, by=request.user, **serializer.validated_data
        )
        return Response(self.get_serializer(order).data)

    @extend_schema(request=OrderActionSerializer, responses=OrderSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        return self._act(request, "assign")

    @extend_schema(request=OrderActionSerializer, responses=OrderSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        return self._act(request, "complete")

    @extend_schema(request=OrderActionSerializer, responses=OrderSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._act(request, "cancel")


class RecordViewSet(
    ValuesListMixin,
    ExcelExportViewSetMixin,
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Service records (millions of rows: cursor pagination, no counts). POST logs a service
    done without an order; ``rate`` records the resident's 1–5 rating."""

    export_definition = exports.SERVICE_RECORDS
    queryset = ServiceRecord.objects.annotate(staff_name=F("staff__name"))
    serializer_class = RecordSerializer
    filterset_class = RecordFilter
    pagination_class = RecordPagination

    def list_values(self, queryset):
        return queryset.values(*rows.RECORD_VALUES)

    def list_rows(self, page):
        return rows.record_rows(page)

    def perform_create(self, serializer):
        serializer.instance = services.log_service(by=self.request.user, **serializer.validated_data)

    @extend_schema(request=RatingSerializer, responses=RecordSerializer)
    @action(detail=True, methods=["post"])
    def rate(self, request, pk=None):
        serializer = RatingSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        record = services.rate_record(
            self.get_object(), by=request.user, rating=serializer.validated_data["rating"]
        )
        return Response(self.get_serializer(record).data)


class PublicityViewSet(
    ExcelExportViewSetMixin,
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    export_definition = exports.PUBLICITY
    queryset = PublicityEvent.objects.prefetch_related("officers")
    serializer_class = PublicitySerializer
    filterset_fields = ["station", "form"]

    def perform_create(self, serializer):
        serializer.instance = services.record_publicity(by=self.request.user, **serializer.validated_data)


class SurveyViewSet(ExcelExportViewSetMixin, ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    export_definition = exports.SURVEYS
    queryset = Survey.objects.select_related("region")
    serializer_class = SurveySerializer
    filterset_fields = ["programme", "station"]

    @extend_schema(responses=SurveyAverageSerializer(many=True))
    @action(detail=True, methods=["get"])
    def averages(self, request, pk=None):
        """Average score and number of responses per station, for the stations you can see."""
        responses = SurveyResponse.objects.visible_to(request.user).filter(survey=self.get_object())
        return Response(SurveyAverageSerializer(services.survey_averages(responses), many=True).data)


class SurveyResponseViewSet(
    ExcelExportViewSetMixin,
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    export_definition = exports.SURVEY_RESPONSES
    queryset = SurveyResponse.objects.all()
    serializer_class = SurveyResponseSerializer
    filterset_fields = ["survey", "station"]

    def perform_create(self, serializer):
        serializer.instance = services.add_survey_response(by=self.request.user, **serializer.validated_data)


class ExpenditureViewSet(
    ExcelExportViewSetMixin,
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """002, 五: the stations' monthly elderly-care expenditure, entered by their operators.
    Posting a month that already has a row corrects it; deleting removes a month entered in
    error (``export/`` downloads the list)."""

    export_definition = exports.EXPENDITURES
    queryset = StationExpenditure.objects.select_related("station")
    serializer_class = ExpenditureSerializer
    filterset_fields = ["station", "month"]

    def perform_create(self, serializer):
        serializer.instance = services.record_expenditure(by=self.request.user, **serializer.validated_data)

    def perform_destroy(self, instance):
        services.remove_expenditure(by=self.request.user, expenditure=instance)
