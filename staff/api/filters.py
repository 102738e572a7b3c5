import datetime as dt

import django_filters
from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.params import IdFilter, YearFilter
from regions.models import region_subtree
from staff.models import (
    EmploymentKind,
    Qualification,
    ResourceKind,
    StaffMember,
    StaffRole,
    StaffStatus,
    StationResource,
    TrainingKind,
    TrainingRecord,
    TrainingSession,
)


class StaffIdFilter(IdFilter):
    """``?staff=``: the id of a staff member (``/api/v1/staff/``), as ``staff`` means everywhere
    in the API; a login name (or anything but an id) is refused saying so."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", _("staff member (id from /api/v1/staff/)"))
        message = _("Give the id of a staff member (from /api/v1/staff/), not a login name or a user id.")
        kwargs.setdefault("error_messages", {"invalid": message, "min_value": message})
        super().__init__(*args, **kwargs)


class StaffFilter(django_filters.FilterSet):
    """The filters of the staff list, shared by the API, the portal and their exports. No phone or
    identity number: a query string lands in URLs and access logs; exact searches on them are
    posted (``staff/search/`` in the API, the search form in the portal)."""

    q = django_filters.CharFilter(method="filter_q", label=_("name contains"))
    role = django_filters.ChoiceFilter(choices=StaffRole.choices, method="filter_role", label=_("role"))
    kind = django_filters.ChoiceFilter(choices=EmploymentKind.choices, label=_("kind"))
    status = django_filters.ChoiceFilter(choices=StaffStatus.choices, label=_("status"))
    employer = IdFilter(field_name="employer_id", label=_("employer"))
    station = IdFilter(method="filter_station", label=_("station"))
    region = django_filters.CharFilter(method="filter_region", label=_("street or community code (subtree)"))
    expiring = django_filters.BooleanFilter(method="filter_expiring", label=_("qualification expiring soon"))

    class Meta:
        model = StaffMember
        fields = ["q", "role", "kind", "status", "employer", "station", "region", "expiring"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(name__icontains=value.strip())

    def filter_role(self, queryset, name, value):
        return queryset.filter(roles__icontains=f'"{value}"')

    def filter_station(self, queryset, name, value):
        # people listed at the station, and people of its operator listed at no station
        return queryset.filter(
            Q(stations=value) | Q(stations__isnull=True, employer__stations=value)
        ).distinct()

    def filter_region(self, queryset, name, value):
        return queryset.filter(region_subtree("region", value.strip()))

    def filter_expiring(self, queryset, name, value):
        if not value:
            return queryset
        limit = timezone.localdate() + dt.timedelta(days=settings.QUALIFICATION_WARNING_DAYS)
        return queryset.filter(qualifications__expires_on__lte=limit).distinct()


class QualificationFilter(django_filters.FilterSet):
    staff = StaffIdFilter(field_name="staff_id")
    expires_before = django_filters.DateFilter(field_name="expires_on", lookup_expr="lte")

    class Meta:
        model = Qualification
        fields = ["staff", "expires_before"]


class SessionFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=TrainingKind.choices)
    region = django_filters.CharFilter(method="filter_region", label=_("region code (subtree)"))
    year = YearFilter(field_name="starts_on__year", label=_("year"))
    starts_after = django_filters.DateFilter(field_name="starts_on", lookup_expr="gte")
    starts_before = django_filters.DateFilter(field_name="starts_on", lookup_expr="lte")

    class Meta:
        model = TrainingSession
        fields = ["kind", "region", "year", "starts_after", "starts_before"]

    def filter_region(self, queryset, name, value):
        return queryset.filter(region_subtree("region", value.strip()))


class RecordFilter(django_filters.FilterSet):
    session = IdFilter(field_name="session_id")
    staff = StaffIdFilter(field_name="staff_id")
    employer = IdFilter(field_name="staff__employer_id", label=_("employer"))
    kind = django_filters.ChoiceFilter(field_name="session__kind", choices=TrainingKind.choices)
    passed = django_filters.BooleanFilter()
    year = YearFilter(field_name="session__starts_on__year", label=_("year"))

    class Meta:
        model = TrainingRecord
        fields = ["session", "staff", "employer", "kind", "passed", "year"]


class ResourceFilter(django_filters.FilterSet):
    station = IdFilter(field_name="station_id")
    kind = django_filters.ChoiceFilter(choices=ResourceKind.choices)
    is_current = django_filters.BooleanFilter()
    q = django_filters.CharFilter(method="filter_q", label=_("name or service contains"))

    class Meta:
        model = StationResource
        fields = ["station", "kind", "is_current", "q"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(services__icontains=value))
