from rest_framework import viewsets
from rest_framework.permissions import AllowAny

from regions.exports import REGIONS
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
