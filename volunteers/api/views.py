from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts import params
from accounts.api.base import ScopedViewSetMixin
from reports.exporting import ExcelExportViewSetMixin
from staff.api.views import NO_DELETE
from staff.models import StaffMember
from volunteers import exports, services
from volunteers.models import PointsEntry, Reward, VolunteerActivity, VolunteerTeam

from .filters import ActivityFilter, EntryFilter
from .serializers import (
    PointsEntrySerializer,
    ReverseSerializer,
    RewardSerializer,
    SpendSerializer,
    StatementSerializer,
    VolunteerActivitySerializer,
    VolunteerTeamSerializer,
)


class TeamViewSet(ExcelExportViewSetMixin, ScopedViewSetMixin, viewsets.ModelViewSet):
    export_definition = exports.TEAMS
    queryset = VolunteerTeam.objects.select_related("organization", "community").prefetch_related("members")
    serializer_class = VolunteerTeamSerializer
    http_method_names = NO_DELETE

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        members = data.pop("members", None)
        serializer.instance = services.save_team(None, by=self.request.user, members=members, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        members = data.pop("members", None)
        serializer.instance = services.save_team(
            serializer.instance, by=self.request.user, members=members, **data
        )


class ActivityViewSet(
    ExcelExportViewSetMixin,
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Volunteer activities with each member's hours; the points are earned on creation."""

    export_definition = exports.ACTIVITIES
    queryset = VolunteerActivity.objects.select_related("team").prefetch_related(
        "hours__volunteer", "hours__points_entry"
    )
    serializer_class = VolunteerActivitySerializer
    filterset_class = ActivityFilter

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        hours = {row["volunteer"]: row["hours"] for row in data.pop("hours", [])}
        serializer.instance = services.record_activity(by=self.request.user, hours=hours, **data)


class RewardViewSet(ExcelExportViewSetMixin, ScopedViewSetMixin, viewsets.ModelViewSet):
    export_definition = exports.REWARDS
    queryset = Reward.objects.select_related("organization")
    serializer_class = RewardSerializer
    http_method_names = NO_DELETE


class LedgerViewSet(ExcelExportViewSetMixin, ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """The append-only points ledger. ``spend`` exchanges points for goods (never below zero);
    ``reverse`` corrects an entry with its opposite; ``statement`` is a volunteer's statement."""

    export_definition = exports.LEDGER
    queryset = PointsEntry.objects.select_related("account__volunteer", "reward")
    serializer_class = PointsEntrySerializer
    filterset_class = EntryFilter

    @extend_schema(request=SpendSerializer, responses=PointsEntrySerializer)
    @action(detail=False, methods=["post"])
    def spend(self, request):
        serializer = SpendSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        entry = services.spend_points(by=request.user, **serializer.validated_data)
        return Response(PointsEntrySerializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReverseSerializer, responses=PointsEntrySerializer)
    @action(detail=True, methods=["post"])
    def reverse(self, request, pk=None):
        serializer = ReverseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        entry = services.reverse_entry(self.get_object(), by=request.user, **serializer.validated_data)
        return Response(PointsEntrySerializer(entry).data, status=status.HTTP_201_CREATED)

    def is_editable(self, obj):
        return StaffMember.objects.editable_by(self.request.user).filter(pk=obj.account.volunteer_id).exists()

    @extend_schema(
        parameters=[
            OpenApiParameter("volunteer", OpenApiTypes.INT, required=True),
            OpenApiParameter("start", OpenApiTypes.DATE),
            OpenApiParameter("end", OpenApiTypes.DATE),
        ],
        responses=StatementSerializer,
    )
    @action(detail=False, methods=["get"])
    def statement(self, request):
        volunteer_id = params.parse_id(request.query_params, "volunteer", required=True)
        volunteer = get_object_or_404(StaffMember.objects.visible_to(request.user), pk=volunteer_id)
        today = timezone.localdate()
        start, end = params.parse_period(
            request.query_params, default_start=today.replace(month=1, day=1), default_end=today
        )
        return Response(StatementSerializer(services.statement(volunteer, start=start, end=end)).data)
