from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports.exporting import ExcelExportAdminMixin
from reports.spreadsheets import ImportFailed

from . import imports
from .exports import REGIONS
from .models import Region


class DivisionImportForm(forms.Form):
    file = forms.FileField(label=capfirst(gettext_lazy("division list (.xlsx or .csv)")))


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
    change_list_template = "admin/regions/region/change_list.html"

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="regions_region_import"),
            path(
                "import/template/",
                self.admin_site.admin_view(self.template_view),
                name="regions_region_template",
            ),
            *super().get_urls(),
        ]

    def _require_importer(self, request):
        if not request.user.is_superuser:  # divisions are everyone's reference data
            raise PermissionDenied(_("Only a system administrator imports divisions."))

    def template_view(self, request):
        self._require_importer(request)
        return imports.division_template_response()

    def import_view(self, request):
        """Upload a division list (the import ``manage.py import_regions`` runs): all or nothing,
        every problem listed at once."""
        self._require_importer(request)
        form = DivisionImportForm(request.POST or None, request.FILES or None)
        errors = []
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = imports.import_division_file(upload, filename=upload.name, by=request.user)
            except ImportFailed as exc:
                errors = exc.errors
            else:
                self.message_user(
                    request,
                    _("Divisions: %(changed)d created or changed, %(unchanged)d unchanged.")
                    % {"changed": result.changed, "unchanged": result.unchanged},
                    messages.SUCCESS,
                )
                return redirect("admin:regions_region_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "errors": errors,
            "title": _("Import the division list"),
        }
        return TemplateResponse(request, "admin/regions/region/import.html", context)
