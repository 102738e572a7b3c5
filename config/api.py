"""API wiring shared by every app: pagination, the filter backend and the one error format."""

import binascii
from base64 import b64decode
from dataclasses import asdict
from urllib import parse

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.http import Http404
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, status
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.views import exception_handler as drf_exception_handler


class AppRouter(DefaultRouter):
    """The router of one app's API (``<app>/api/urls.py``): DefaultRouter's routes and format
    suffixes without a root view of its own; config/urls.py serves one root for every app."""

    include_root_view = False


class StandardPagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 200


def _flatten(detail):
    """Turn DRF's nested error detail into plain strings, keeping the field structure."""
    if isinstance(detail, dict):
        return {key: _flatten(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_flatten(item) for item in detail]
    return str(detail)


def exception_handler(exc, context):
    """Every API error has the same shape:

    ``{"error": {"code": "...", "message": "...", "fields": {...}}}``

    ``fields`` is present for validation errors and names each offending field.
    Django's own ValidationError / PermissionDenied raised by services are mapped too, so a
    service can raise them and the API answers like the portal does.
    """
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            exc = exceptions.ValidationError(exc.message_dict)
        else:
            exc = exceptions.ValidationError({"non_field_errors": exc.messages})
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None

    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        if isinstance(fields, list):
            fields = {"non_field_errors": fields}
        body = {"code": "invalid", "message": _("The submitted data is not valid."), "fields": fields}
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        body = {"code": code, "message": str(detail)}
    response.data = {"error": body}
    if response.status_code == status.HTTP_401_UNAUTHORIZED and "WWW-Authenticate" not in response:
        response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


class LargeTableCursorPagination(CursorPagination):
    """For tables that grow to millions of rows (service records, orders): no COUNT(*), stable
    pages while rows are added. Subclasses name their ordering."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = ("-id",)

    def decode_cursor(self, request):
        """A cursor is only ever one this API wrote in a ``next``/``previous`` link: anything
        else (cut short, edited, from another list's ordering) is a 400 naming ``cursor``, not
        DRF's 404 nor a database error."""
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is None:
            return None
        try:
            tokens = parse.parse_qs(
                b64decode(encoded.encode("ascii"), validate=True).decode("ascii"),
                keep_blank_values=True,
                strict_parsing=bool(encoded),
            )
            if set(tokens) - {"o", "r", "p"} or any(len(values) != 1 for values in tokens.values()):
                raise ValueError(encoded)
            cursor = super().decode_cursor(request)
            if cursor.position is not None:
                self._check_position(cursor.position)
        except (ValueError, UnicodeError, binascii.Error, exceptions.NotFound, DjangoValidationError):
            message = _("Not a cursor of this list: follow the next and previous links.")
            raise exceptions.ValidationError({self.cursor_query_param: [message]}) from None
        return cursor

    def _check_position(self, position):
        """The position must be a value of the list's first ordering field (when it is a model
        field: an annotation's is left to the database)."""
        try:
            model_field = self._model._meta.get_field(self.ordering[0].lstrip("-"))
        except FieldDoesNotExist:
            return
        model_field.to_python(position)

    def paginate_queryset(self, queryset, request, view=None):
        self._model = queryset.model
        return super().paginate_queryset(queryset, request, view)


def import_failed_response(exc):
    """A refused spreadsheet import in the one error format, with every row's error."""

    return Response(
        {
            "error": {
                "code": "import_failed",
                "message": _("Nothing was imported: %(count)d problems.") % {"count": len(exc.errors)},
                "rows": [{**asdict(error), "text": str(error)} for error in exc.errors],
            }
        },
        status=status.HTTP_400_BAD_REQUEST,
    )


# A database integer is 64 bits: a number filter outside that range can match nothing, and on
# SQLite it would not even reach the database (OverflowError, a 500).
DATABASE_INTEGER_RANGE = (-(2**63), 2**63 - 1)


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, with every number filter bounded to the database integer range,
    so ``?employer=1e300`` is a 400 naming the field."""

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            low, high = DATABASE_INTEGER_RANGE
            for field in filterset.form.fields.values():
                if isinstance(field, forms.DecimalField):
                    field.validators += [MinValueValidator(low), MaxValueValidator(high)]
        return filterset
