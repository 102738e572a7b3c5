import django_filters
from django.utils.translation import gettext_lazy as _

from accounts.params import IdFilter
from volunteers.models import EntryKind, PointsEntry, VolunteerActivity


class ActivityFilter(django_filters.FilterSet):
    team = IdFilter(field_name="team_id")
    held_after = django_filters.DateFilter(field_name="held_on", lookup_expr="gte")
    held_before = django_filters.DateFilter(field_name="held_on", lookup_expr="lte")

    class Meta:
        model = VolunteerActivity
        fields = ["team", "held_after", "held_before"]


class EntryFilter(django_filters.FilterSet):
    volunteer = IdFilter(field_name="account__volunteer_id", label=_("volunteer"))
    kind = django_filters.ChoiceFilter(choices=EntryKind.choices)
    after = django_filters.DateFilter(field_name="created_at__date", lookup_expr="gte")
    before = django_filters.DateFilter(field_name="created_at__date", lookup_expr="lte")

    class Meta:
        model = PointsEntry
        fields = ["volunteer", "kind", "after", "before"]
