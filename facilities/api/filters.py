import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.params import IdFilter
from facilities import services
from facilities.models import (
    ApplicationStatus,
    CareRoom,
    EntrustmentAgreement,
    HandoverState,
    OperatingMode,
    OperatingState,
    UseApplication,
    Violation,
    ViolationKind,
    ViolationState,
)
from regions.models import region_subtree


class RegionSubtree(django_filters.CharFilter):
    def __init__(self, path, **kwargs):
        super().__init__(method=self.subtree, label=_("division code (subtree)"), **kwargs)
        self.path = path

    def subtree(self, queryset, name, value):
        return queryset.filter(region_subtree(self.path, value.strip()))


class CareRoomFilter(django_filters.FilterSet):
    region = RegionSubtree("compound__region")
    compound = IdFilter(field_name="compound_id")
    handover_state = django_filters.ChoiceFilter(choices=HandoverState.choices)
    operating_state = django_filters.ChoiceFilter(choices=OperatingState.choices)
    operating_mode = django_filters.ChoiceFilter(choices=OperatingMode.choices)
    overdue = django_filters.BooleanFilter(
        method="filter_overdue", label=_("past the deadline and not operating")
    )
    due_before = django_filters.DateFilter(field_name="deadline", lookup_expr="lte")

    class Meta:
        model = CareRoom
        fields = [
            "region",
            "compound",
            "handover_state",
            "operating_state",
            "operating_mode",
            "overdue",
            "due_before",
        ]

    def filter_overdue(self, queryset, name, value):
        overdue = services.overdue_rooms(queryset, timezone.localdate())
        return overdue if value else queryset.exclude(pk__in=overdue.values("pk"))


class ViolationFilter(django_filters.FilterSet):
    region = RegionSubtree("room__compound__region")
    room = IdFilter(field_name="room_id")
    kind = django_filters.ChoiceFilter(choices=ViolationKind.choices)
    state = django_filters.ChoiceFilter(choices=ViolationState.choices)

    class Meta:
        model = Violation
        fields = ["region", "room", "kind", "state"]


class ApplicationFilter(django_filters.FilterSet):
    region = RegionSubtree("room__compound__region")
    status = django_filters.ChoiceFilter(choices=ApplicationStatus.choices)

    class Meta:
        model = UseApplication
        fields = ["region", "status"]


class AgreementFilter(django_filters.FilterSet):
    region = RegionSubtree("room__compound__region")
    ends_before = django_filters.DateFilter(field_name="ends_on", lookup_expr="lte")

    class Meta:
        model = EntrustmentAgreement
        fields = ["region", "ends_before"]
