from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from accounts.api.base import ScopedViewSetMixin
from accounts.permissions import TokenScopePermission
from pilots import exports, services
from pilots.models import Application, Opinion, Pilot, PilotMilestone, Programme
from reports.exporting import ExcelExportViewSetMixin

from .filters import ApplicationFilter
from .serializers import (
    ApplicationDetailSerializer,
    ApplicationSerializer,
    AttachmentSerializer,
    AttachmentUploadSerializer,
    DesignateSerializer,
    ListWithdrawalSerializer,
    MilestoneCompletionSerializer,
    OpinionSerializer,
    PilotMilestoneSerializer,
    PilotSerializer,
    ProgrammeSerializer,
    TransitionSerializer,
)


class ProgrammeViewSet(ExcelExportViewSetMixin, ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Pilot programmes: announced calls are public; officers also see their region's drafts."""

    export_definition = exports.PROGRAMMES
    queryset = Programme.objects.select_related("region").prefetch_related(
        "issuers", "quotas", "phases", "milestones"
    )
    serializer_class = ProgrammeSerializer
    permission_classes = [AllowAny, TokenScopePermission]
    filterset_fields = ["mode"]

    @extend_schema(request=None, responses=ProgrammeSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated, TokenScopePermission])
    def publish_list(self, request, pk=None):
        """Publish the programme's pilot list (issuing bureau officers)."""
        return Response(
            self.get_serializer(services.publish_pilot_list(self.get_object(), by=request.user)).data
        )

    @extend_schema(request=ListWithdrawalSerializer, responses=ProgrammeSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated, TokenScopePermission])
    def withdraw_list(self, request, pk=None):
        """Withdraw the published pilot list with a reason (issuing bureau officers); the pilot
        units and the applicants are told, the public page says it was withdrawn."""
        serializer = ListWithdrawalSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        programme = services.withdraw_pilot_list(
            self.get_object(), by=request.user, reason=serializer.validated_data["reason"]
        )
        return Response(self.get_serializer(programme).data)

    @extend_schema(request=DesignateSerializer, responses={201: PilotSerializer})
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated, TokenScopePermission])
    def designate(self, request, pk=None):
        """Designate a pilot directly (000's shape; issuing bureau officers)."""
        programme = self.get_object()
        serializer = DesignateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        pilot = services.designate_pilot(programme, by=request.user, **serializer.validated_data)
        return Response(PilotSerializer(pilot).data, status=status.HTTP_201_CREATED)

    def get_object(self):
        # Actions check the issuer inside the service; reading needs only visibility.
        return viewsets.ReadOnlyModelViewSet.get_object(self)


def _transition_action(name):
    """A review action endpoint; every one calls ``services.transition``."""
    attribute = "return_" if name == "return" else name

    def handler(self, request, pk=None):
        application = viewsets.GenericViewSet.get_object(self)
        serializer = TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        updated = services.transition(application, name, by=request.user, **serializer.validated_data)
        return Response(
            ApplicationDetailSerializer(self._fresh(updated.pk), context=self.get_serializer_context()).data
        )

    # DRF maps the HTTP method to the attribute named like the function: name it before decorating.
    handler.__name__ = handler.__qualname__ = attribute
    handler = action(
        detail=True,
        methods=["post"],
        url_path=name,
        url_name=name,
        parser_classes=[JSONParser, MultiPartParser, FormParser],
    )(handler)
    return extend_schema(
        request=TransitionSerializer,
        responses=ApplicationDetailSerializer,
        description=f"Review action “{name}” (the same service as the portal and the admin).",
    )(handler)


class ApplicationViewSet(
    ExcelExportViewSetMixin,
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Applications (001 附件2). Applicants see their own; street offices their street's; bureaus
    their region's and their programmes'. Review: ``submit``, ``withdraw`` (before the street's
    opinion), ``recommend``, ``return``,
    ``not_recommend``, ``approve``, ``reject``. ``export/`` downloads the filtered list."""

    export_definition = exports.APPLICATIONS
    queryset = Application.objects.select_related(
        "programme", "organization", "site_region__parent"
    ).prefetch_related(
        "attachments",
        Prefetch("opinions", queryset=Opinion.objects.select_related("officer", "organization")),
    )
    serializer_class = ApplicationSerializer
    filterset_class = ApplicationFilter
    ordering_fields = ["submitted_at", "updated_at", "id"]
    ordering = ["-updated_at", "-id"]

    def get_serializer_class(self):
        return ApplicationDetailSerializer if self.action == "retrieve" else ApplicationSerializer

    def get_queryset(self):
        queryset = super().get_queryset()
        return queryset.prefetch_related("versions") if self.action == "retrieve" else queryset

    def get_object(self):
        # Changing an application is decided by the service (applicant, officer on behalf).
        return viewsets.GenericViewSet.get_object(self)

    def filter_queryset(self, queryset):
        # Others' drafts are never listed nor exported (one application is still found by id).
        if self.action in ("list", "export"):
            queryset = services.without_others_drafts(queryset, self.request.user)
        return super().filter_queryset(queryset)

    def _fresh(self, pk):
        return self.get_queryset().prefetch_related("versions").get(pk=pk)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.create_application(
            by=self.request.user,
            programme=data.pop("programme"),
            organization=data.pop("organization"),
            pilot_type=data.pop("pilot_type"),
            site_region=data.pop("site_region"),
            **data,
        )

    def perform_update(self, serializer):
        serializer.instance = services.update_application(
            serializer.instance, by=self.request.user, **serializer.validated_data
        )

    submit = _transition_action("submit")
    withdraw = _transition_action("withdraw")
    recommend = _transition_action("recommend")
    return_ = _transition_action("return")
    not_recommend = _transition_action("not_recommend")
    approve = _transition_action("approve")
    reject = _transition_action("reject")

    @extend_schema(
        request={"multipart/form-data": AttachmentUploadSerializer}, responses={201: AttachmentSerializer}
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def attachments(self, request, pk=None):
        """Upload an attachment (PDF, images, Word, Excel; checked by content)."""
        serializer = AttachmentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        attachment = services.add_attachment(
            self.get_object(),
            by=request.user,
            upload=serializer.validated_data["file"],
            name=serializer.validated_data["name"],
        )
        return Response(
            AttachmentSerializer(attachment, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )


class OpinionViewSet(ExcelExportViewSetMixin, ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Street and bureau opinions on the applications you can see."""

    export_definition = exports.OPINIONS
    queryset = Opinion.objects.select_related("officer", "organization")
    serializer_class = OpinionSerializer
    filterset_fields = ["application", "stage", "decision"]


class PilotViewSet(ExcelExportViewSetMixin, ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Pilots. Anyone reads the pilots of programmes whose list is published."""

    export_definition = exports.PILOTS
    queryset = Pilot.objects.select_related("organization", "site_region", "programme")
    serializer_class = PilotSerializer
    permission_classes = [AllowAny, TokenScopePermission]
    filterset_fields = ["programme", "pilot_type", "is_demonstration"]


class PilotMilestoneViewSet(
    ExcelExportViewSetMixin,
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Milestones of the pilots you can see; ``complete`` records the evidence."""

    export_definition = exports.PILOT_MILESTONES
    queryset = PilotMilestone.objects.select_related("milestone").prefetch_related("files")
    serializer_class = PilotMilestoneSerializer
    filterset_fields = ["pilot", "status"]

    @extend_schema(
        request={
            "application/json": MilestoneCompletionSerializer,
            "multipart/form-data": MilestoneCompletionSerializer,
        },
        responses=PilotMilestoneSerializer,
    )
    @action(detail=True, methods=["post"], parser_classes=[JSONParser, MultiPartParser, FormParser])
    def complete(self, request, pk=None):
        """Mark done with the evidence: a description, files (``files``, multipart; checked by
        content, size and type), or both."""
        serializer = MilestoneCompletionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        done = services.complete_milestone(self.get_object(), by=request.user, **serializer.validated_data)
        return Response(
            self.get_serializer(PilotMilestone.objects.prefetch_related("files").get(pk=done.pk)).data
        )
