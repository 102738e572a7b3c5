from django.contrib import admin

from reports.exporting import ExcelExportAdminMixin

from .exports import REGIONS
from .models import Region


@admin.register(Region)
class RegionAdmin(ExcelExportAdminMixin, admin.ModelAdmin):
    service = None  # reference data: divisions are imported, and corrected here
    export_definition = REGIONS
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    ordering = ["code"]
