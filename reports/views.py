"""Portal pages of the reports app."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from accounts import params
from accounts.portal import export_query, show_errors
from staff.models import StaffMember
from stations.models import Station

from . import todo as todo_groups
from .duties import duties_response, monthly_duties


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
        Station.objects.within_scope_of(request.user)
        .exclude(status="closed")
        .select_related("operator")[:500],
        month,
    )
    if request.GET.get("export") == "xlsx":
        return duties_response(people, stations, month)
    return render(
        request,
        "reports/duties.html",
        {"month": month, "people": people, "stations": stations, "export_query": export_query(request)},
    )


@login_required
def todo(request):
    """待办: what waits on the user now, group by group."""
    groups = todo_groups.groups_for(request.user)
    if request.GET.get("export") == "xlsx":
        return todo_groups.export_response(groups, request)
    return render(request, "reports/todo.html", {"groups": groups, "total": sum(g.count for g in groups)})


@never_cache
@login_required
def todo_count(request):
    """The number beside 待办 in the header, fetched by the page so that no page pays for it."""
    return JsonResponse({"total": todo_groups.total_for(request.user)})
