"""``/api/v1/statistics/``: the dashboard's figures as JSON, each chart's figures and the
statistics workbooks as xlsx — all from :mod:`reports.figures`, within the caller's scope."""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from reports import dashboard, figures
from reports.spreadsheets.text import XLSX_CONTENT_TYPE
from reports.spreadsheets.writer import export_response
from reports.workbooks import WORKBOOKS, workbook_response
from stations.models import Station

SELECTION = [
    OpenApiParameter(
        "region", OpenApiTypes.STR, description=_("division code within your scope; yours by default")
    ),
    OpenApiParameter("from", OpenApiTypes.STR, description=_("first month, YYYY-MM (default January)")),
    OpenApiParameter("to", OpenApiTypes.STR, description=_("last month, YYYY-MM (default this month)")),
]
XLSX = {(200, XLSX_CONTENT_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description=_("xlsx workbook"))}


class StatisticsViewSet(viewsets.GenericViewSet):
    """Statistics for officers and statistics staff of a region (403 for anyone else)."""

    queryset = Station.objects.none()  # the statistics read the stations of the caller's scope
    pagination_class = None
    filter_backends = []

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        figures.require_statistics_reader(request.user)

    @extend_schema(parameters=SELECTION, responses={200: OpenApiTypes.OBJECT})
    @action(detail=False, methods=["get"])
    def dashboard(self, request):
        """The dashboard's charts: stations by status per street, services per month, training
        against the target, care rooms against the guidance targets."""
        return Response(dashboard.dashboard(figures.selection_from(request.user, request.query_params)))

    @extend_schema(parameters=SELECTION, responses=XLSX)
    @action(detail=False, methods=["get"], url_path=r"charts/(?P<chart>[a-z_]+)/export")
    def chart_export(self, request, chart=None):
        """The figures behind one chart of the dashboard, as a workbook."""
        if chart not in dashboard.CHARTS:
            raise Http404
        sheets = dashboard.chart_sheets(chart, request.user, request.query_params)
        return export_response(f"统计-{chart}", sheets)

    @extend_schema(parameters=SELECTION, responses=XLSX)
    @action(detail=False, methods=["get"], url_path=r"workbooks/(?P<key>[a-z0-9]+)")
    def workbook(self, request, key=None):
        """A statistics workbook: ``annex2`` (002 附件2, demonstration projects) or
        ``district`` (the district overview)."""
        if key not in WORKBOOKS:
            raise Http404
        return workbook_response(key, request.user, request.query_params)
