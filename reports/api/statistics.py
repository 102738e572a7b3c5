"""``/api/v1/statistics/``: the dashboard's figures as JSON, each chart's figures and the
statistics workbooks as xlsx — all from :mod:`reports.figures`, within the caller's scope."""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from reports import dashboard as charts
from reports import figures
from reports.spreadsheets.text import XLSX_CONTENT_TYPE
from reports.spreadsheets.writer import export_response
from reports.workbooks import workbook_job_or_response
from stations.models import Station

from .jobs import job_json

SELECTION = [
    OpenApiParameter(
        "region", OpenApiTypes.STR, description=_("division code within your scope; yours by default")
    ),
    OpenApiParameter("from", OpenApiTypes.STR, description=_("first month, YYYY-MM (default January)")),
    OpenApiParameter("to", OpenApiTypes.STR, description=_("last month, YYYY-MM (default this month)")),
]
XLSX = {(200, XLSX_CONTENT_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description=_("xlsx workbook"))}
WORKBOOK = {
    **XLSX,
    (202, "application/json"): OpenApiResponse(
        OpenApiTypes.OBJECT,
        description=_(
            "Above EXPORT_ASYNC_THRESHOLD service records in the period the workbook is written in the"
            " background: the export job (see export-jobs/)."
        ),
    ),
}


def _workbook(key, request):
    job, response = workbook_job_or_response(key, request.user, request.query_params, channel="api")
    return response if job is None else Response(job_json(job, request), status=202)


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
        """The dashboard's six charts: stations by status per street, services per month, training
        against the target, care rooms against the guidance targets, the score bands of the latest
        month evaluated and the findings opened and closed per month. ``empty`` is true when a
        chart has no figure to draw (every value 0 or missing)."""
        return Response(charts.dashboard(figures.selection_from(request.user, request.query_params)))

    @extend_schema(
        parameters=[
            *SELECTION,
            OpenApiParameter("chart", OpenApiTypes.STR, enum=list(charts.CHARTS), required=True),
        ],
        responses=XLSX,
    )
    @action(detail=False, methods=["get"], url_path="charts/export")
    def chart_export(self, request):
        """The figures behind one chart of the dashboard (``chart``), as a workbook."""
        chart = request.query_params.get("chart", "")
        if chart not in charts.CHARTS:
            raise Http404
        filename, sheets = charts.chart_download(chart, request.user, request.query_params)
        return export_response(filename, sheets)

    @extend_schema(parameters=SELECTION, responses=WORKBOOK)
    @action(detail=False, methods=["get"], url_path="workbooks/annex2")
    def annex2(self, request):
        """002 附件2 示范项目基本情况统计表: one row per demonstration project."""
        return _workbook("annex2", request)

    @extend_schema(parameters=SELECTION, responses=WORKBOOK)
    @action(detail=False, methods=["get"], url_path="workbooks/district")
    def district(self, request):
        """The district overview: per street, pilots, stations, coverage, services, emergencies,
        satisfaction, training, publicity, income and expenditure, care rooms."""
        return _workbook("district", request)
