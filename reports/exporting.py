"""“Export to Excel” for every list: the admin change list (exactly its filtered rows, or the
rows selected for an action) and API list endpoints (``GET <list>/export/`` with the same filters).

A model declares its export once, as an :class:`ExportDefinition`; the admin mixin and the
viewset mixin read it. Rows come from the same scoped queryset the list shows, streamed with
``iterator()`` so a large export costs a fixed number of queries and flat memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.decorators import action

from .spreadsheets.text import XLSX_CONTENT_TYPE
from .spreadsheets.writer import Column, SheetSpec, export_response


@dataclass(frozen=True)
class ExportDefinition:
    filename: str
    sheet_name: str
    columns: list[Column]
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()
    only: tuple[str, ...] = ()  # load just these columns (e.g. to skip encrypted ones)
    title: str | None = None
    footer_rows: list[list] = field(default_factory=list)

    def response(self, queryset):
        if self.select_related:
            queryset = queryset.select_related(*self.select_related)
        if self.prefetch_related:
            queryset = queryset.prefetch_related(*self.prefetch_related)
        if self.only:
            queryset = queryset.only(*self.only)
        rows = queryset.iterator(chunk_size=2000)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        spec = SheetSpec(
            str(self.sheet_name),
            self.columns,
            title_rows=[str(self.title)] if self.title else [],
            footer_rows=self.footer_rows,
        )
        return export_response(f"{self.filename}-{stamp}", [(spec, rows)])


class ExcelExportAdminMixin:
    """Adds an “导出 Excel” button exporting the change list's current filtered rows, and an
    action exporting the selected rows."""

    export_definition: ExportDefinition | None = None
    change_list_template = "admin/change_list_export.html"

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "export/",
                self.admin_site.admin_view(self.export_view),
                name=f"{opts.app_label}_{opts.model_name}_export",
            ),
            *super().get_urls(),
        ]

    def export_view(self, request):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        changelist = self.get_changelist_instance(request)
        return self.export_definition.response(changelist.get_queryset(request))

    def get_actions(self, request):
        actions = super().get_actions(request)
        if self.export_definition is not None and self.has_view_or_change_permission(request):
            actions["export_selected"] = (
                type(self).export_selected,
                "export_selected",
                _("Export the selected rows to Excel"),
            )
        return actions

    def export_selected(self, request, queryset):
        return self.export_definition.response(queryset)


class ExcelExportViewSetMixin:
    """``GET <list>/export/``: the list's rows, with the same filters, search and ordering, as
    an xlsx download (no pagination)."""

    export_definition: ExportDefinition | None = None

    @extend_schema(
        responses={
            (200, XLSX_CONTENT_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description=_("xlsx workbook"))
        },
        description=_("The filtered list as an Excel workbook (same filters as the list, no paging)."),
    )
    @action(detail=False, methods=["get"], url_path="export")
    def export(self, request, *args, **kwargs):
        return self.export_definition.response(self.filter_queryset(self.get_queryset()))
