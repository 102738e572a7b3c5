"""The read path of the large API lists (service records, residents, staff).

A list reads ``.values()`` rows (names of related rows annotated or joined in, the masks stored
beside the ciphertext) and turns each page into the JSON its serializer would give, with one
function per list. That function binds the converters below once per page (the active time zone,
the decimal places, the choice labels in the active language) instead of walking a serializer's
fields per row and looking up the time zone per value. The serializers stay for writes and for
the detail view; tests compare both outputs for the same rows (tests/stations/test_list_rows.py).
"""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone
from rest_framework.response import Response


def datetime_format():
    """DRF's ``DateTimeField`` output (ISO 8601 in the active time zone, ``Z`` for UTC)."""
    zone = timezone.get_current_timezone()

    def convert(value):
        if not value:
            return None
        if timezone.is_naive(value):
            value = timezone.make_aware(value, zone)
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return convert


def date_format(value):
    """DRF's ``DateField`` output."""
    return value.isoformat() if value else None


def decimal_format(places: int):
    """DRF's ``DecimalField`` output (a string with ``places`` decimals)."""
    exponent = Decimal(1).scaleb(-places)

    def convert(value):
        if value is None:
            return None
        if not isinstance(value, Decimal):
            value = Decimal(str(value).strip())
        return f"{value.quantize(exponent):f}"

    return convert


def labels(choices) -> dict:
    """``value -> label`` in the active language; unknown values stand for themselves, as in
    ``get_FOO_display``."""
    return {value: str(label) for value, label in choices}


def grouped(pairs) -> dict:
    """``[(key, value), ...]`` -> ``{key: [value, ...]}``, order kept."""
    found: dict = {}
    for key, value in pairs:
        found.setdefault(key, []).append(value)
    return found


class ValuesListMixin:
    """A viewset whose ``list`` reads ``list_values(queryset)`` (``.values()`` rows) and writes
    each page with ``list_rows(page)``: the filters, the scope and the pagination are the
    viewset's own; the serializer is not used to read the list."""

    # The two hooks every list using this mixin defines (residents, staff, service records).

    def list_values(self, queryset):
        """``queryset`` (filtered, scoped, ordered) as ``.values()`` rows with annotated names."""
        raise NotImplementedError(f"{type(self).__name__} must define list_values()")

    def list_rows(self, rows) -> list[dict]:
        """One page of those rows as the list's JSON objects (the serializer's keys and formats)."""
        raise NotImplementedError(f"{type(self).__name__} must define list_rows()")

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset()).prefetch_related(None)
        page = self.paginate_queryset(self.list_values(queryset))
        if page is None:
            return Response(self.list_rows(page))
        return self.get_paginated_response(self.list_rows(page))
