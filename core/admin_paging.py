"""Admin change lists of tables with millions of rows: a bounded count and filters that do not
scan the table for their choices."""

from __future__ import annotations

from django.contrib import admin
from django.core.paginator import Paginator
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _


class AtLeast(int):
    """A count that stopped at its cap: compares and computes as the cap, reads "10,000+"."""

    def __str__(self):
        return f"{int(self):,}+"


class CappedCountPaginator(Paginator):
    """Counts at most ``CAP + 1`` rows (``SELECT COUNT(*) FROM (... LIMIT 10001)``): beyond the
    cap the change list says "10,000+" and pages through the first 10,000; filters narrow the
    rest down."""

    CAP = 10_000

    @cached_property
    def count(self):
        counted = self.object_list[: self.CAP + 1].count()
        return AtLeast(self.CAP) if counted > self.CAP else counted


class BoundedChangeListMixin:
    """For the ModelAdmins of the large tables: the capped count, and no second COUNT(*) of the
    unfiltered table beside a filtered list."""

    paginator = CappedCountPaginator
    show_full_result_count = False


class RatingListFilter(admin.SimpleListFilter):
    """The 1–5 rating and "not rated" as fixed choices: Django's default filter for a field
    without choices reads ``SELECT DISTINCT rating`` over the whole table to offer them."""

    title = _("rating")
    parameter_name = "rating"

    def lookups(self, request, model_admin):
        return [(str(score), str(score)) for score in range(5, 0, -1)] + [("none", _("not rated"))]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "none":
            return queryset.filter(rating__isnull=True)
        if value in {str(score) for score in range(1, 6)}:
            return queryset.filter(rating=int(value))
        return queryset
