"""Query parameters of the API and the portal, read in one place: a year, a month, a date, a
period and a record's id.

A missing value takes its default. A malformed one, or one outside the calendar the platform
keeps (years 1900–2100: wide enough for any birth year or plan, narrow enough that no date
arithmetic overflows and no database rejects the number), raises a ``ValidationError`` naming
the parameter: the API answers it as a 400 in its error format (config/api.py), the portal
shows it as a form error.
"""

import datetime as dt
import re

import django_filters
from django import forms
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.constants import EMPTY_VALUES

from core.filters import record_choices

EARLIEST_YEAR = 1900
LATEST_YEAR = 2100
LARGEST_ID = 2**63 - 1  # PostgreSQL's bigint

_YEAR = re.compile(r"\d{4}")
_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _invalid(name: str, message) -> ValidationError:
    return ValidationError({name: [message]})


def _within_calendar(year: int) -> bool:
    return EARLIEST_YEAR <= year <= LATEST_YEAR


def check_calendar(day: dt.date | None, name: str) -> None:
    """Refuse a date outside the platform's calendar (for services that compute from a date
    they were given: three years after 9999-12-31 does not exist)."""
    if day is not None and not _within_calendar(day.year):
        raise _invalid(
            name,
            _("Give a date between %(earliest)d and %(latest)d.")
            % {"earliest": EARLIEST_YEAR, "latest": LATEST_YEAR},
        )


def _value(params, name: str) -> str:
    return (params.get(name) or "").strip()


def parse_year(params, name: str = "year", *, default: int | None = None) -> int | None:
    value = _value(params, name)
    if not value:
        return default
    if not _YEAR.fullmatch(value) or not _within_calendar(int(value)):
        raise _invalid(
            name,
            _("Give a year between %(earliest)d and %(latest)d.")
            % {"earliest": EARLIEST_YEAR, "latest": LATEST_YEAR},
        )
    return int(value)


def parse_month(params, name: str = "month", *, default: dt.date | None = None) -> dt.date | None:
    """The first day of the month given as ``YYYY-MM``."""
    value = _value(params, name)
    if not value:
        return default
    match = _MONTH.fullmatch(value)
    if match is None or not _within_calendar(int(match[1])) or not 1 <= int(match[2]) <= 12:
        raise _invalid(name, _("Give the month as YYYY-MM, for example 2026-04."))
    return dt.date(int(match[1]), int(match[2]), 1)


def parse_date(params, name: str, *, default: dt.date | None = None) -> dt.date | None:
    value = _value(params, name)
    if not value:
        return default
    try:
        day = dt.date.fromisoformat(value) if _DATE.fullmatch(value) else None
    except ValueError:
        day = None
    if day is None or not _within_calendar(day.year):
        raise _invalid(
            name,
            _("Give a date as YYYY-MM-DD between %(earliest)d and %(latest)d.")
            % {"earliest": EARLIEST_YEAR, "latest": LATEST_YEAR},
        )
    return day


def parse_period(
    params, start: str = "start", end: str = "end", *, default_start: dt.date, default_end: dt.date
) -> tuple[dt.date, dt.date]:
    """A period of whole days, both ends included; the end may not come before the start."""
    first = parse_date(params, start, default=default_start)
    last = parse_date(params, end, default=default_end)
    if last < first:
        raise _invalid(end, _("The end of the period comes before its start."))
    return first, last


def _as_id(value: str) -> int | None:
    if not value.isascii() or not value.isdigit() or not 0 < int(value) <= LARGEST_ID:
        return None
    return int(value)


def object_or_404(queryset, value):
    """The record whose id a form or a link sent (``value``, a string), or a 404: an id that is
    not a number is an unknown id, not a server error."""
    number = _as_id(str(value or "").strip())
    if number is None:
        raise Http404
    return get_object_or_404(queryset, pk=number)


def parse_id(params, name: str, *, required: bool = False) -> int | None:
    """A record's id (a positive whole number)."""
    value = _value(params, name)
    if not value:
        if required:
            raise _invalid(name, _("This parameter is required."))
        return None
    number = _as_id(value)
    if number is None:
        raise _invalid(name, _("Give the record's id as a whole number."))
    return number


def _document_bounds(number_filter) -> None:
    """The OpenAPI schema shows the filter as an integer with its bounds and keeps its label
    (drf-spectacular's per-field override, set per filter because labels differ)."""
    schema = {"type": "integer", "minimum": number_filter.extra["min_value"]}
    schema["maximum"] = number_filter.extra["max_value"]
    if number_filter.label is not None:
        schema["description"] = number_filter.label
    number_filter._spectacular_annotation = {"field": schema}


class YearFilter(django_filters.NumberFilter):
    """A filter on a date's year, refused (400) outside the platform's calendar: the ORM turns a
    year into the bounds of that year, which do not exist for year 0 or 10000."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", EARLIEST_YEAR)
        kwargs.setdefault("max_value", LATEST_YEAR)
        super().__init__(*args, **kwargs)
        _document_bounds(self)


class IdFilter(django_filters.NumberFilter):
    """A filter on a record's id: a whole number the database can hold (a larger one is a 400,
    not an overflow inside the database driver).

    On a page the filter offers the records by name — those the user may see — rather than a box
    for an id: the related model is read from the filter's field (``employer_id`` → the
    employer's model). The API still reads the id, and pays no query for the names."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", LARGEST_ID)
        super().__init__(*args, **kwargs)
        _document_bounds(self)

    def related_model(self):
        """The model of the records the id names, when the filter's field is a relation."""
        model = getattr(self, "model", None)
        for name in dict.fromkeys(
            (self.field_name, self.field_name.removesuffix("_id"), self.field_name + "s")
        ):
            try:
                field = model._meta.get_field(name)
            except (AttributeError, FieldDoesNotExist):
                continue
            if field.is_relation:
                return field.related_model
        return None

    @property
    def field(self):
        built = not hasattr(self, "_field")
        field = super().field
        request = getattr(getattr(self, "parent", None), "request", None)
        related = self.related_model() if built else None
        if related is not None and request is not None:
            field.widget = forms.Select(choices=record_choices(related, request.user))
        return field


def local_midnight(day: dt.date) -> dt.datetime:
    """The start of ``day`` in the active time zone (an aware datetime)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), timezone.get_current_timezone())


class LocalDayFilter(django_filters.DateFilter):
    """A date filter on a date-time column, as half-open ranges between local midnights:
    ``lookup_expr="gte"`` (on or after the day) is ``>= midnight starting the day``, ``"lte"``
    (on or before) is ``< midnight ending it``. Unlike ``__date`` (a cast per row), an index on
    the column serves it."""

    def __init__(self, *args, lookup_expr="gte", **kwargs):
        if lookup_expr not in ("gte", "lte"):
            raise ValueError("LocalDayFilter takes lookup_expr 'gte' or 'lte'")
        super().__init__(*args, lookup_expr=lookup_expr, **kwargs)

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        check_calendar(value, self.field_name)
        if self.lookup_expr == "gte":
            bound = {f"{self.field_name}__gte": local_midnight(value)}
        else:
            bound = {f"{self.field_name}__lt": local_midnight(value + dt.timedelta(days=1))}
        return self.get_method(qs)(**bound)
