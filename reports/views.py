"""Portal pages of the reports app."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from accounts import params
from accounts.portal import export_query, show_errors
from staff.models import StaffMember
from stations.models import Station

from . import dashboard, figures
from . import todo as todo_groups
from .duties import duties_response, monthly_duties
from .workbooks import WORKBOOKS


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


def _selection_or_errors(request):
    """The region and period asked for on a statistics page (the user's own region and this
    year by default); refused input is shown and the defaults are used."""
    figures.require_statistics_reader(request.user)
    try:
        return figures.selection_from(request.user, request.GET), None
    except ValidationError as exc:
        show_errors(request, exc)
        return figures.selection_from(request.user, {}), exc


def _statistics_context(request, selection):
    query = {
        "region": selection.region.code,
        "from": selection.period.start.strftime("%Y-%m"),
        "to": selection.period.last_month.strftime("%Y-%m"),
    }
    return {
        "selection": selection,
        "regions": figures.regions_to_choose(request.user),
        "query": query,
        "querystring": urlencode(query),
    }


@login_required
def statistics(request):
    """统计报表: choose a region within your scope and a period, download each workbook."""
    selection, _errors = _selection_or_errors(request)
    context = _statistics_context(request, selection)
    context["workbooks"] = [
        {"workbook": workbook, "url": reverse(f"api:statistics-{key}")} for key, workbook in WORKBOOKS.items()
    ]
    return render(request, "reports/statistics.html", context)


@login_required
def statistics_dashboard(request):
    """The dashboard: the charts load their figures from the statistics API."""
    selection, _errors = _selection_or_errors(request)
    context = _statistics_context(request, selection)
    context["charts"] = [{"key": key, "title": title} for key, title in dashboard.chart_titles().items()]
    return render(request, "reports/dashboard.html", context)


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
