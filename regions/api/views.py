from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny

from regions.exports import REGIONS
from regions.imports import division_template_response
from regions.models import Region
from reports.exporting import ExcelExportViewSetMixin

from .filters import RegionFilter
from .serializers import RegionSerializer


class RegionViewSet(ExcelExportViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Administrative divisions, public reference data. ``?within=310105`` gives 长宁区's whole
    subtree, ``?parent=310105`` its streets and towns, ``?level=4`` every street/town."""

    export_definition = REGIONS
    queryset = Region.objects.select_related("parent")
    serializer_class = RegionSerializer
    filterset_class = RegionFilter
    permission_classes = [AllowAny]  # read-only: a read-only token's limit has nothing to refuse
    lookup_field = "code"
    ordering_fields = ["code", "name"]
    ordering = ["code"]

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)

    @extend_schema(
        responses={
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiTypes.BINARY
        },
    )
    @action(detail=False, methods=["get"], url_path="import/template")
    def import_template(self, request):
        """The template of a division list (区划代码, 名称) as ``manage.py import_regions`` reads
        it, with its 填写说明 sheet."""
        return division_template_response()
