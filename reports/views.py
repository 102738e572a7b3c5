"""Portal pages of the reports app."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import render
from django.utils import timezone

from accounts import params
from accounts.portal import export_query, show_errors
from accounts.scoping import scope_for
from staff.models import StaffMember
from stations.models import Station

from .duties import duties_response, monthly_duties


def _own_stations(user):
    """The stations a user answers for: a bureau's region, or a company's own (the public
    finder's operating stations elsewhere are not theirs to report on)."""
    if user.is_superuser:
        return Station.objects.all()
    scope = scope_for(user)
    condition = Q(operator__in=scope.view_organization_ids)
    for code in scope.view_region_codes:
        condition |= Q(region__code__startswith=code)
    return Station.objects.filter(condition)


@login_required
def duties(request):
    this_month = timezone.localdate().replace(day=1)
    try:
        month = params.parse_month(request.GET, default=this_month).strftime("%Y-%m")
    except ValidationError as exc:
        show_errors(request, exc)
        month = this_month.strftime("%Y-%m")
    people, stations = monthly_duties(
        StaffMember.objects.visible_to(request.user).filter(status="active"),
        _own_stations(request.user).exclude(status="closed").select_related("operator")[:500],
        month,
    )
    if request.GET.get("export") == "xlsx":
        return duties_response(people, stations, month)
    return render(
        request,
        "reports/duties.html",
        {"month": month, "people": people, "stations": stations, "export_query": export_query(request)},
    )
