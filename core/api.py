"""What every list and every request of the REST API shares beyond the wiring in config/api.py:

* a list (and its ``export/``) refuses a query parameter it does not know, naming it and
  listing the ones it accepts, rather than ignoring it and answering everything;
* a body that is not JSON is refused in the user's language (core/parsers.py);
* an address under /api/ that no endpoint serves answers in the API's error format, not with
  the portal's HTML page.

The OpenAPI schema's view is in core/openapi.py.
"""

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import exceptions
from rest_framework.filters import OrderingFilter, SearchFilter
from rest_framework.settings import api_settings

from config.api import FilterBackend

# The actions whose rows the filters choose: the list and its spreadsheet.
FILTERED_ACTIONS = frozenset({"list", "export"})


def _filterset_parameters(filterset) -> set[str]:
    """The query parameters a FilterSet reads: each filter's name, and for a range filter the
    names its widget reads (``price_min``/``price_max``, ``month_after``/``month_before``)."""
    names = set()
    for name, field in filterset.form.fields.items():
        names.add(name)
        for suffix in getattr(field.widget, "suffixes", ()):
            names.add(f"{name}_{suffix}" if suffix else name)
    return names


def allowed_query_parameters(backend, request, queryset, view) -> set[str]:
    """Every query parameter the list ``view`` reads: its filters, its ordering and search
    parameters, its paginator's, the format override and what the view itself declares in
    ``extra_query_parameters``."""
    allowed = set(getattr(view, "extra_query_parameters", ()))
    filterset = backend.get_filterset(request, queryset, view)
    if filterset is not None:
        allowed |= _filterset_parameters(filterset)
    for filter_class in getattr(view, "filter_backends", ()):
        if issubclass(filter_class, OrderingFilter):  # the serializer's fields by default
            allowed.add(filter_class.ordering_param)
        if issubclass(filter_class, SearchFilter) and getattr(view, "search_fields", None):
            allowed.add(filter_class.search_param)
    paginator = getattr(view, "paginator", None)
    for attribute in ("page_query_param", "page_size_query_param", "cursor_query_param"):
        name = getattr(paginator, attribute, None)
        if name:
            allowed.add(name)
    if api_settings.URL_FORMAT_OVERRIDE:
        allowed.add(api_settings.URL_FORMAT_OVERRIDE)
    return allowed


class QueryParameterFilterBackend(FilterBackend):
    """The API's filter backend: django-filter's, bounded number filters (config/api.py), and
    an unknown parameter on a list or its export is a 400 naming it. A misspelt filter
    (``?staus=open``) would otherwise answer every row as if it were filtered."""

    def filter_queryset(self, request, queryset, view):
        if getattr(view, "action", None) in FILTERED_ACTIONS:
            self.refuse_unknown_parameters(request, queryset, view)
        return super().filter_queryset(request, queryset, view)

    def refuse_unknown_parameters(self, request, queryset, view):
        allowed = allowed_query_parameters(self, request, queryset, view)
        unknown = [name for name in request.query_params if name not in allowed]
        if unknown:
            listed = ", ".join(sorted(allowed)) or _("none")
            raise exceptions.ValidationError(
                {
                    name: [
                        _("Unknown parameter “%(name)s”. This list accepts: %(allowed)s.")
                        % {"name": name, "allowed": listed}
                    ]
                    for name in unknown
                }
            )


def page_not_found(request, exception, template_name="404.html"):
    """The project's 404 (``handler404``): an address under /api/ that nothing serves answers in
    the API's error format; every other address gets the portal's page."""
    if request.path_info.startswith("/api/"):
        message = _("Nothing is served at this address. The API's endpoints are listed at /api/v1/.")
        return JsonResponse({"error": {"code": "not_found", "message": message}}, status=404)
    return defaults.page_not_found(request, exception, template_name)


class RenamedFieldsMixin:
    """For a serializer: a body field an earlier version of the API took under another name is
    refused naming the field to send, rather than ignored (``renamed_fields = {old: new}``)."""

    renamed_fields: dict[str, str] = {}

    def to_internal_value(self, data):
        if hasattr(data, "keys"):
            errors = {
                old: [
                    _("“%(old)s” is no longer accepted: send “%(new)s” (see the API documentation).")
                    % {"old": old, "new": new}
                ]
                for old, new in self.renamed_fields.items()
                if old in data
            }
            if errors:
                raise exceptions.ValidationError(errors)
        return super().to_internal_value(data)
