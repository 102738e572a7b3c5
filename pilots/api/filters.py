import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.params import IdFilter
from pilots.models import Application, ApplicationStatus, PilotType
from regions.models import region_subtree


class ApplicationFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=ApplicationStatus.choices, label=_("status"))
    pilot_type = django_filters.ChoiceFilter(choices=PilotType.choices, label=_("pilot type"))
    programme = IdFilter(field_name="programme_id", label=_("programme"))
    organization = IdFilter(field_name="organization_id", label=_("applicant unit"))
    region = django_filters.CharFilter(
        method="filter_region", label=_("site region code (its whole subtree)")
    )
    submitted_after = django_filters.DateFilter(
        field_name="submitted_at", lookup_expr="date__gte", label=_("submitted on or after")
    )
    submitted_before = django_filters.DateFilter(
        field_name="submitted_at", lookup_expr="date__lte", label=_("submitted on or before")
    )
    q = django_filters.CharFilter(method="filter_search", label=_("applicant, lead or address contains"))

    class Meta:
        model = Application
        fields = ["status", "pilot_type", "programme", "organization", "region"]

    def filter_region(self, queryset, name, value):
        return queryset.filter(region_subtree("site_region", value.strip()))

    def filter_search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(organization__name__icontains=value)
            | Q(project_lead__icontains=value)
            | Q(site_address__icontains=value)
        )
