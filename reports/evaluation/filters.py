"""Filters of the scorecards and findings (the portal pages and the API share them)."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts import params
from regions.models import Region, region_subtree
from reports.models import Finding, Scorecard, SubjectKind
from reports.models.evaluation import FindingState

from .catalogue import choices


class MonthFilter(django_filters.CharFilter):
    """``YYYY-MM``: the month evaluated (or the month a finding was found in)."""

    def __init__(self, field_name="month", **kwargs):
        kwargs.setdefault("label", _("month (YYYY-MM)"))
        super().__init__(field_name=field_name, method="filter_month", **kwargs)


class _RegionMixin:
    def filter_region(self, queryset, name, value):
        return queryset.filter(region_subtree("region", value.strip()))

    def filter_month(self, queryset, name, value):
        month = params.parse_month({"month": value})
        return queryset.filter(**{self.month_field: month})


class ScorecardFilter(_RegionMixin, django_filters.FilterSet):
    month_field = "month"
    month = MonthFilter()
    kind = django_filters.ChoiceFilter(choices=SubjectKind.choices, label=_("evaluated"))
    region = django_filters.CharFilter(method="filter_region", label=_("division code (subtree)"))
    below = django_filters.BooleanFilter(
        method="filter_below",
        label=_("with indicators below the threshold"),
        widget=forms.Select(
            choices=[
                ("", _("any")),
                ("true", pgettext_lazy("answer", "yes")),
                ("false", pgettext_lazy("answer", "no")),
            ]
        ),
    )

    class Meta:
        model = Scorecard
        fields = ["month", "kind", "region", "below"]

    def filter_below(self, queryset, name, value):
        return queryset.filter(indicators_failed__gt=0) if value else queryset.filter(indicators_failed=0)


class FindingFilter(_RegionMixin, django_filters.FilterSet):
    month_field = "opened_month"
    state = django_filters.ChoiceFilter(choices=FindingState.choices, label=_("state"))
    month = MonthFilter(label=_("found in (YYYY-MM)"))
    code = django_filters.ChoiceFilter(choices=choices, label=_("indicator"))
    kind = django_filters.ChoiceFilter(choices=SubjectKind.choices, label=_("evaluated"))
    region = django_filters.CharFilter(method="filter_region", label=_("division code (subtree)"))
    # the to-do page's follow-up rows link to one organisation's findings (hidden on the page)
    organization = django_filters.NumberFilter(
        field_name="organization", label=_("responsible organisation"), widget=forms.HiddenInput
    )

    class Meta:
        model = Finding
        fields = ["state", "month", "code", "kind", "region", "organization"]


def offer_regions(filterset, user) -> None:
    """On the portal's pages the region filter is a list of the districts and streets, by name,
    of the scorecards ``user`` sees (one query); the API's filter still takes a division code,
    and so does the page's address."""
    cards = Scorecard.objects.visible_to(user).order_by()
    regions = (
        Region.objects.filter(Q(pk__in=cards.values("district")) | Q(pk__in=cards.values("street")))
        .order_by("code")
        .values_list("code", "name")
    )
    bound = filterset.form["region"]  # made (and cached) already when the filters were checked
    bound.field.widget = forms.Select(choices=[("", pgettext_lazy("region picker", "— any —")), *regions])
    bound.field.label = bound.label = _("district or street")
