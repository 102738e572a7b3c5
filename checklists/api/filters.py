import django_filters
from django.utils.translation import gettext_lazy as _

from accounts.params import IdFilter
from checklists.models import ChecklistCheck, ChecklistItem, ChecklistVersion, ListKind, VersionState
from regions.models import region_subtree
from stations.models import ServiceCategory, StationPrice


class VersionFilter(django_filters.FilterSet):
    station = IdFilter(field_name="station_id", label=_("station"))
    region = django_filters.CharFilter(method="filter_region", label=_("region code (subtree)"))
    state = django_filters.MultipleChoiceFilter(choices=VersionState.choices, label=_("state"))
    is_template = django_filters.BooleanFilter(
        field_name="station",
        lookup_expr="isnull",
        label=_("district samples (true) or station lists (false)"),
    )

    class Meta:
        model = ChecklistVersion
        fields = ["station", "region", "state", "is_template"]

    def filter_region(self, queryset, name, value):
        return queryset.filter(region_subtree("region", value.strip()))


class ItemFilter(django_filters.FilterSet):
    version = IdFilter(field_name="version_id", label=_("version"))
    kind = django_filters.ChoiceFilter(choices=ListKind.choices, label=_("list"))

    class Meta:
        model = ChecklistItem
        fields = ["version", "kind"]


class CheckFilter(django_filters.FilterSet):
    station = IdFilter(field_name="station_id", label=_("station"))
    version = IdFilter(field_name="version_id", label=_("version checked"))
    checked_after = django_filters.DateFilter(
        field_name="checked_on", lookup_expr="gte", label=_("checked on or after")
    )
    checked_before = django_filters.DateFilter(
        field_name="checked_on", lookup_expr="lte", label=_("checked on or before")
    )

    class Meta:
        model = ChecklistCheck
        fields = ["station", "version", "checked_after", "checked_before"]


class PostedPriceFilter(django_filters.FilterSet):
    station = IdFilter(field_name="station_id", label=_("station"))
    category = django_filters.ChoiceFilter(choices=ServiceCategory.choices, label=_("service"))
    region = django_filters.CharFilter(method="filter_region", label=_("street or community code (subtree)"))

    class Meta:
        model = StationPrice
        fields = ["station", "category", "region"]

    def filter_region(self, queryset, name, value):
        return queryset.filter(region_subtree("station__region", value.strip()))
