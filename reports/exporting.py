"""“Export to Excel” for every list: the admin change list (exactly its filtered rows, or the
rows selected for an action) and API list endpoints (``GET <list>/export/`` with the same filters).

A model declares its export once, as an :class:`ExportDefinition`; the admin mixin and the
viewset mixin read it. Rows come from the same scoped queryset the list shows, streamed with
``iterator()`` so a large export costs a fixed number of queries and flat memory.

A list longer than ``settings.EXPORT_ASYNC_THRESHOLD`` rows is not written in the request: when
the caller passes the request, the export becomes a background job (``reports.jobs``, plugged in
by ``reports.apps`` through :func:`use_background_exports`, so this module imports no app). The
admin and the portal then redirect to the person's exports page, the API answers 202 with the
job. Each definition is registered under its :attr:`ExportDefinition.export_key` (its ``key``,
or its file name), which is how a worker finds it again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from .spreadsheets.text import XLSX_CONTENT_TYPE, sheet_text
from .spreadsheets.writer import Column, ConvertedRows, SheetSpec, excel_value, export_response, yes_no_labels


class BackgroundExports(Protocol):
    """What runs a large export in the background (``reports.jobs``)."""

    def submit_export(self, definition, queryset, *, user, channel: str, filters: dict) -> Any: ...

    def job_json(self, job, request) -> dict: ...


_background: BackgroundExports | None = None
# Every ExportDefinition by its key, filled as the apps' ``exports`` modules are imported.
_DEFINITIONS: dict[str, ExportDefinition] = {}
_IGNORED_PARAMETERS = frozenset({"export", "page", "page_size", "format", "cursor"})


def use_background_exports(backend: BackgroundExports | None) -> None:
    """Plug in (or, with None, unplug) the background jobs of large exports."""
    global _background  # noqa: PLW0603 - the one switch, set by reports.apps at start-up
    _background = backend


def registered_definition(key: str) -> ExportDefinition | None:
    return _DEFINITIONS.get(key)


def async_threshold() -> int:
    return int(getattr(settings, "EXPORT_ASYNC_THRESHOLD", 5000))


def exceeds_threshold(queryset) -> bool:
    """More rows than the threshold? A bounded count: it stops at threshold + 1."""
    threshold = async_threshold()
    return queryset[: threshold + 1].count() > threshold


_LOOKUP_SIGNS = {"gte": "≥", "lte": "≤", "gt": ">", "lt": "<", "icontains": "~", "contains": "~"}


def _readable_values(field, values: list[str], user) -> list[str]:
    if getattr(field, "choices", None):
        labels = {str(value): str(label) for value, label in field.flatchoices}
        return [labels.get(value, value) for value in values]
    if getattr(field, "related_model", None) is not None and getattr(field, "many_to_one", False):
        # Named only when the user may see the object (a scoped model through its scope).
        related = field.related_model._default_manager.all()
        if hasattr(related, "visible_to"):
            related = related.visible_to(user)
        try:
            names = {str(obj.pk): str(obj) for obj in related.filter(pk__in=values)}
        except (ValueError, TypeError, ValidationError):
            return values
        return [names.get(value, value) for value in values]
    return values


def _readable_filters(request, model) -> dict:
    """The list's filters as people read them: the field's name and the choice's label (or the
    related object's name) rather than the parameter and the code."""
    query = getattr(request, "query_params", None) or request.GET
    readable = {}
    for key in query:
        if key in _IGNORED_PARAMETERS or key in ("o", "ordering"):
            continue
        values = [value for value in query.getlist(key) if value != ""]
        if not values:
            continue
        name, _sep, lookup = key.partition("__")
        label = str(_("Search")) if key in ("q", "search") else key
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            field = None
        if field is not None and key not in ("q", "search"):
            label = str(getattr(field, "verbose_name", name))
            sign = _LOOKUP_SIGNS.get(lookup.rsplit("__", 1)[-1]) if lookup else None
            label = f"{label} {sign}" if sign else label
            values = _readable_values(field, values, request.user)
        readable[label] = ", ".join(values)
    return readable


def _field_at(model, lookup: str):
    """The concrete model field a ``values`` lookup ends on, through foreign keys and one-to-one
    relations (either way); None when a part is not a field (a property, a method) or the path
    goes through a relation with several rows per row (reverse foreign key, many-to-many)."""
    parts = lookup.split("__")
    for position, part in enumerate(parts):
        if part == "pk":
            field_ = model._meta.pk
        else:
            try:
                field_ = model._meta.get_field(part)
            except FieldDoesNotExist:
                return None
        if position < len(parts) - 1:
            # through a foreign key, or a one-to-one either way: at most one row each
            if not (field_.many_to_one or field_.one_to_one):
                return None
            model = field_.related_model
            continue
        if not getattr(field_, "concrete", False) or field_.many_to_many:
            return None
        if field_.is_relation:
            return None  # the related object itself: its text comes from the instance
    return field_


def _skip_none(convert):
    def converted(value):
        return None if value is None else convert(value)

    return converted


def _converter(convert, model_field, yes_no, zone):
    """One converter for a column's fetched values: the column's own, else by its field —
    choice labels (translated once), local time without a zone, yes/no, safe text."""
    if convert is not None:
        return _skip_none(lambda value: excel_value(convert(value), yes_no))
    if model_field is None:
        return _skip_none(lambda value: excel_value(value, yes_no))
    if getattr(model_field, "choices", None):
        labels = {key: sheet_text(str(label)) for key, label in model_field.flatchoices}
        return _skip_none(lambda value: labels.get(value, sheet_text(str(value))))
    internal = model_field.get_internal_type()
    if internal == "BooleanField":
        yes, no = yes_no
        return _skip_none(lambda value: yes if value else no)
    if internal == "DateTimeField":
        return _skip_none(lambda value: value.astimezone(zone).replace(tzinfo=None))
    if internal in ("CharField", "TextField", "SlugField", "EmailField", "URLField"):
        return _skip_none(sheet_text)
    if internal in _AS_THEY_ARE:
        return _same
    return _skip_none(lambda value: excel_value(value, yes_no))


# Field types whose values a cell holds as they come from the database (None stays None).
_AS_THEY_ARE = frozenset(
    {
        *("AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField"),
        *("SmallIntegerField", "PositiveIntegerField", "PositiveSmallIntegerField"),
        *("PositiveBigIntegerField", "DecimalField", "FloatField", "DateField", "TimeField"),
    }
)


def _same(value):
    return value


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
    key: str | None = None  # how a background job names this export; the file name by default

    def __post_init__(self):
        _DEFINITIONS[self.export_key] = self

    @property
    def export_key(self) -> str:
        return str(self.key or self.filename)

    def sheets(self, queryset):
        """The one sheet of this export, its rows streamed from ``queryset``."""
        spec = SheetSpec(
            str(self.sheet_name),
            self.columns,
            title_rows=[str(self.title)] if self.title else [],
            footer_rows=self.footer_rows,
        )
        plan = self._values_plan(queryset)
        if plan is not None:
            lookups, annotations, converters = plan
            if annotations:
                queryset = queryset.annotate(**annotations)
            rows = queryset.values_list(*lookups).iterator(chunk_size=2000)
            return [(spec, ConvertedRows(rows, converters))]
        if self.select_related:
            queryset = queryset.select_related(*self.select_related)
        if self.prefetch_related:
            queryset = queryset.prefetch_related(*self.prefetch_related)
        if self.only:
            queryset = queryset.only(*self.only)
        return [(spec, queryset.iterator(chunk_size=2000))]

    def _values_plan(self, queryset):
        """``(lookups, annotations, converters)`` when every column can be fetched by
        ``values_list`` (no model instances, no decryption, one converter per column chosen
        here rather than per cell); None when a column needs an instance, or when the queryset
        is a DISTINCT one (DISTINCT over the exported columns would merge rows)."""
        if not isinstance(queryset, QuerySet) or queryset._fields is not None:
            return None  # a values() queryset already: its rows are dicts
        if queryset.query.distinct and not queryset.query.distinct_fields:
            return None
        model = queryset.model
        lookups, annotations, converters = [], {}, []
        yes_no = yes_no_labels()
        zone = timezone.get_current_timezone()
        for index, column in enumerate(self.columns):
            source = column.lookup
            if source is None:
                return None
            if isinstance(source, str):
                model_field = _field_at(model, source)
                if model_field is None:
                    return None  # a property or a method: only an instance has it
                lookups.append(source)
            else:
                alias = f"_export_{index}"
                annotations[alias] = source
                lookups.append(alias)
                model_field = getattr(source, "output_field", None)
            converters.append(_converter(column.convert, model_field, yes_no, zone))
        return lookups, annotations, converters

    def stamped_filename(self) -> str:
        return f"{self.filename}-{timezone.localtime().strftime('%Y%m%d-%H%M')}"

    def submit_if_large(self, queryset, request, *, channel: str):
        """The background job for ``queryset`` when it has more rows than the threshold and a
        person asked for it (``request``); None when the export is small enough to be written
        at once (or is not a query a worker can run again)."""
        if (
            _background is None
            or request is None
            or not getattr(request, "user", None)
            or not request.user.is_authenticated
            or not isinstance(queryset, QuerySet)
            or _DEFINITIONS.get(self.export_key) is not self
            or not exceeds_threshold(queryset)
        ):
            return None
        return _background.submit_export(
            self,
            queryset,
            user=request.user,
            channel=channel,
            filters=_readable_filters(request, queryset.model),
        )

    def response(self, queryset, request=None, *, channel: str = "portal"):
        """The workbook as a download; with ``request``, a list above the threshold becomes a
        background job and the person is sent to their exports page."""
        job = self.submit_if_large(queryset, request, channel=channel)
        if job is not None:
            messages.info(
                request,
                _(
                    "The export has more than %(count)s rows: it is being prepared in the background."
                    " Download it from My exports when it is ready."
                )
                % {"count": async_threshold()},
            )
            return redirect(job.get_absolute_url())
        return export_response(self.stamped_filename(), self.sheets(queryset))

    def api_response(self, queryset, request):
        """An API export: the workbook, or above the threshold 202 with the background job."""
        job = self.submit_if_large(queryset, request, channel="api")
        if job is not None:
            return Response(_background.job_json(job, request), status=202)
        return export_response(self.stamped_filename(), self.sheets(queryset))


# What an API export answers: the workbook, or (above the threshold) the background job.
EXPORT_RESPONSES = {
    (200, XLSX_CONTENT_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description=_("xlsx workbook")),
    (202, "application/json"): OpenApiResponse(
        OpenApiTypes.OBJECT, description=_("The export job (id, state, progress, links)")
    ),
}


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
        return self.export_definition.response(changelist.get_queryset(request), request, channel="admin")

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
        return self.export_definition.response(queryset, request, channel="admin")


class ExcelExportViewSetMixin:
    """``GET <list>/export/``: the list's rows, with the same filters, search and ordering, as
    an xlsx download (no pagination)."""

    export_definition: ExportDefinition | None = None

    @extend_schema(
        responses=EXPORT_RESPONSES,
        description=_(
            "The filtered list as an Excel workbook (same filters as the list, no paging). Above"
            " EXPORT_ASYNC_THRESHOLD rows the export runs in the background: 202 with the export"
            " job (see export-jobs/)."
        ),
    )
    @action(detail=False, methods=["get"], url_path="export")
    def export(self, request, *args, **kwargs):
        return self.export_definition.api_response(self.filter_queryset(self.get_queryset()), request)
