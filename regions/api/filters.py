import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from regions.models import Level, Region


class RegionFilter(django_filters.FilterSet):
    level = django_filters.MultipleChoiceFilter(choices=Level.choices, label=_("level"))
    parent = django_filters.CharFilter(field_name="parent__code", label=_("parent code (direct children)"))
    within = django_filters.CharFilter(method="filter_within", label=_("code of a region: its whole subtree"))
    q = django_filters.CharFilter(method="filter_search", label=_("name or code contains"))

    class Meta:
        model = Region
        fields = ["level", "parent", "within", "q"]

    def filter_within(self, queryset, name, value):
        return queryset.subtree(value.strip())

    def filter_search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(code__startswith=value))
