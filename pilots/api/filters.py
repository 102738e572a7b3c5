import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.params import IdFilter
from pilots import services
from pilots.models import Application, ApplicationStatus, PilotType, Programme
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
    q = django_filters.CharFilter(
        method="filter_search", label=_("unit, credit code, project lead or address contains")
    )
    awaiting = django_filters.ChoiceFilter(
        choices=[("yes", pgettext_lazy("answer", "yes"))],
        empty_label=pgettext_lazy("filter", "All"),
        method="filter_awaiting",
        label=_("awaiting my opinion"),
    )

    class Meta:
        model = Application
        fields = ["q", "status", "awaiting", "pilot_type", "programme", "organization", "region"]

    def filter_awaiting(self, queryset, name, value):
        return services.awaiting_review(queryset, self.request.user) if value else queryset

    def filter_region(self, queryset, name, value):
        return queryset.filter(region_subtree("site_region", value.strip()))

    def filter_search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(organization__name__icontains=value)
            | Q(organization__credit_code__icontains=value)
            | Q(project_lead__icontains=value)
            | Q(site_address__icontains=value)
        )


class PortalApplicationFilter(ApplicationFilter):
    """The portal's list: the same filters, with the programme chosen by its title and one
    status at a time; the export link carries the same query."""

    status = django_filters.ChoiceFilter(
        choices=ApplicationStatus.choices, label=_("status"), empty_label=pgettext_lazy("filter", "All")
    )
    pilot_type = django_filters.ChoiceFilter(
        choices=PilotType.choices, label=_("pilot type"), empty_label=pgettext_lazy("filter", "All")
    )
    programme = django_filters.ModelChoiceFilter(
        queryset=Programme.objects.none(), label=_("programme"), empty_label=pgettext_lazy("filter", "All")
    )

    PORTAL_FILTERS = ("q", "status", "awaiting", "pilot_type", "programme")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in list(self.filters):
            if name not in self.PORTAL_FILTERS:
                del self.filters[name]
        self.filters["programme"].queryset = Programme.objects.visible_to(self.request.user).order_by(
            "-created_at"
        )
        if not services.is_reviewer(self.request.user):
            del self.filters["awaiting"]
