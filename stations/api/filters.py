import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.params import IdFilter, LocalDayFilter
from regions.models import region_subtree
from staff.api.filters import StaffIdFilter
from stations.models import (
    LivingSituation,
    OrderStatus,
    Resident,
    ServiceCategory,
    ServiceOrder,
    ServiceRecord,
    Station,
    StationStatus,
)


class StationFilter(django_filters.FilterSet):
    region = django_filters.CharFilter(method="filter_region", label=_("street or community code (subtree)"))
    status = django_filters.ChoiceFilter(choices=StationStatus.choices, label=_("status"))
    service = django_filters.ChoiceFilter(
        choices=ServiceCategory.choices, method="filter_service", label=_("offers this service")
    )
    operator = IdFilter(field_name="operator_id", label=_("operator"))
    q = django_filters.CharFilter(method="filter_q", label=_("name or address contains"))

    class Meta:
        model = Station
        fields = ["region", "status", "service", "operator", "q"]

    def filter_region(self, queryset, name, value):
        return queryset.filter(region_subtree("region", value.strip()))

    def filter_service(self, queryset, name, value):
        # JSON list membership, portable between SQLite and PostgreSQL.
        return queryset.filter(services__icontains=f'"{value}"')

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(address__icontains=value))


class ResidentFilter(django_filters.FilterSet):
    """No identity number or phone here: a query string lands in URLs and access logs. Exact
    searches on them are posted to ``residents/search/``."""

    name = django_filters.CharFilter(lookup_expr="icontains", label=_("name contains"))
    community = django_filters.CharFilter(method="filter_community", label=_("community code (subtree)"))
    living_situation = django_filters.ChoiceFilter(
        choices=LivingSituation.choices, label=_("living situation")
    )
    station = IdFilter(field_name="stations", label=_("station"))

    class Meta:
        model = Resident
        fields = ["name", "community", "living_situation", "station"]

    def filter_community(self, queryset, name, value):
        return queryset.filter(region_subtree("community", value.strip()))


class OrderFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=OrderStatus.choices, label=_("status"))
    category = django_filters.ChoiceFilter(choices=ServiceCategory.choices, label=_("service"))
    staff = StaffIdFilter(field_name="assigned_to_id")

    class Meta:
        model = ServiceOrder
        fields = ["station", "resident", "status", "category", "is_emergency", "staff"]


class RecordFilter(django_filters.FilterSet):
    """Plain id filters (no choice query per filter) and whole local days as half-open ranges
    on ``started_at`` (its index serves them)."""

    station = IdFilter(field_name="station_id", label=_("station"))
    resident = IdFilter(field_name="resident_id", label=_("resident"))
    category = django_filters.ChoiceFilter(choices=ServiceCategory.choices, label=_("service"))
    staff = StaffIdFilter(field_name="staff_id")
    started_after = LocalDayFilter(field_name="started_at", lookup_expr="gte", label=_("started on or after"))
    started_before = LocalDayFilter(
        field_name="started_at", lookup_expr="lte", label=_("started on or before")
    )

    class Meta:
        model = ServiceRecord
        fields = [
            "station",
            "resident",
            "category",
            "staff",
            "is_emergency",
            "started_after",
            "started_before",
        ]
