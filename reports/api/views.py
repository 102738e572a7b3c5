from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts import params
from accounts.api.base import ScopedViewSetMixin
from staff.api.filters import StaffFilter
from staff.api.serializers import StaffSerializer
from staff.api.views import StaffViewSet
from stations.models import Station

from ..duties import monthly_duties
from .serializers import DutiesSerializer


class StaffDutiesViewSet(ScopedViewSetMixin, viewsets.GenericViewSet):
    """``GET /staff/duties/``, routed beside the staff API: the monthly summary reads every app's
    records, so it lives with the statistics."""

    queryset = StaffViewSet.queryset
    serializer_class = StaffSerializer
    filterset_class = StaffFilter
    ordering_fields = StaffViewSet.ordering_fields

    @extend_schema(
        parameters=[
            OpenApiParameter("month", OpenApiTypes.STR, description=_("YYYY-MM, default this month"))
        ],
        responses=DutiesSerializer,
    )
    @action(detail=False, methods=["get"])
    def duties(self, request):
        """What each person and each station did in a month: publicity events, resource
        updates, services, care visits, volunteer hours (and 专职人员数 per station)."""
        first = params.parse_month(request.query_params, default=timezone.localdate().replace(day=1))
        month = first.strftime("%Y-%m")
        people, stations = monthly_duties(
            self.filter_queryset(self.get_queryset()).prefetch_related(None),
            Station.objects.visible_to(request.user).select_related("operator").exclude(status="closed"),
            month,
        )
        return Response(DutiesSerializer({"month": month, "people": people, "stations": stations}).data)
