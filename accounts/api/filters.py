import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization, OrganizationKind
from regions.models import region_subtree


class OrganizationFilter(django_filters.FilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=OrganizationKind.choices, label=_("kind"))
    region = django_filters.CharFilter(method="filter_region", label=_("region code (its whole subtree)"))
    q = django_filters.CharFilter(method="filter_search", label=_("name, credit code or address contains"))
    has_property_licence = django_filters.BooleanFilter(label=_("holds a property-management licence"))
    is_active = django_filters.BooleanFilter(label=_("active"))

    class Meta:
        model = Organization
        fields = ["kind", "region", "has_property_licence", "is_active", "q"]

    def filter_region(self, queryset, name, value):
        return queryset.filter(region_subtree("region", value.strip()))

    def filter_search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(name__icontains=value) | Q(credit_code__icontains=value) | Q(address__icontains=value)
        )
