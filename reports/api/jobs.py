"""``/api/v1/export-jobs/``: the caller's own background exports, their progress and their file."""

from django.http import FileResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.reverse import reverse

from .. import jobs
from ..exporting import ExcelExportViewSetMixin
from ..exports import EXPORT_JOBS
from ..models import ExportJob
from ..spreadsheets.text import XLSX_CONTENT_TYPE


class ExportNotReady(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "not_ready"
    default_detail = _("This export has no file to download (not ready, failed or expired).")


class ExportJobSerializer(serializers.ModelSerializer):
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    url = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()
    page_url = serializers.SerializerMethodField()
    filters = serializers.SerializerMethodField(
        help_text=_("The choices the export was asked with, as the person read them, in their order.")
    )

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "label",
            "kind",
            "filters",
            "state",
            "state_display",
            "progress",
            "rows_written",
            "rows_total",
            "error",
            "created_at",
            "started_at",
            "finished_at",
            "expires_at",
            "url",
            "download_url",
            "page_url",
        ]
        read_only_fields = fields

    def _absolute(self, name, job):
        return reverse(f"api:{name}", args=[job.pk], request=self.context.get("request"))

    def get_filters(self, job) -> dict[str, str]:
        return dict(job.filter_items)

    def get_url(self, job) -> str:
        return self._absolute("export-job-detail", job)

    def get_download_url(self, job) -> str | None:
        return self._absolute("export-job-download", job) if job.downloadable else None

    def get_page_url(self, job) -> str:
        request = self.context.get("request")
        url = job.get_absolute_url()
        return request.build_absolute_uri(url) if request is not None else url


def job_json(job, request) -> dict:
    """The job as the API shows it, read again: without a broker it has already run."""
    job.refresh_from_db()
    return ExportJobSerializer(job, context={"request": request}).data


class _Background:
    """What reports.exporting calls for a list above the threshold (see reports.apps)."""

    submit_export = staticmethod(jobs.submit_export)
    job_json = staticmethod(job_json)


BACKGROUND_EXPORTS = _Background()


class ExportJobViewSet(ExcelExportViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """The exports the caller asked for that ran (or run) in the background. Another person's
    job does not exist for the caller (404)."""

    export_definition = EXPORT_JOBS
    queryset = ExportJob.objects.all()
    serializer_class = ExportJobSerializer
    filterset_fields = ["state"]
    ordering_fields = ["created_at"]

    def get_queryset(self):
        return ExportJob.objects.visible_to(self.request.user).defer("query")

    @extend_schema(
        responses={
            (200, XLSX_CONTENT_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description=_("xlsx workbook")),
            409: OpenApiResponse(description=_("The export is not ready (or its file has expired).")),
        },
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        job = self.get_object()
        if not job.downloadable:
            raise ExportNotReady
        return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename or "export.xlsx")
