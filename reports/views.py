"""Portal pages of the reports app."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts import params
from accounts.portal import export_query, show_errors

from . import dashboard, figures, jobs
from . import todo as todo_groups
from .duties import DUTIES_WORKBOOK, duties_filename, duties_of, duties_response, staff_of
from .forms import OUT_OF_SCOPE, StatisticsForm
from .workbooks import WORKBOOKS, workbook_job_or_response

DUTIES_PAGE_PEOPLE = 500


@login_required
def duties(request):
    this_month = timezone.localdate().replace(day=1)
    try:
        month = params.parse_month(request.GET, default=this_month).strftime("%Y-%m")
    except ValidationError as exc:
        show_errors(request, exc)
        month = this_month.strftime("%Y-%m")
    if request.GET.get("export") == "xlsx":
        threshold = settings.EXPORT_ASYNC_THRESHOLD
        if staff_of(request.user)[: threshold + 1].count() <= threshold:
            return duties_response(*duties_of(request.user, month), month)
        # many people: written in the background, like any long list (我的导出)
        job = jobs.submit_workbook(
            request.user,
            DUTIES_WORKBOOK.key,
            {"month": month},
            channel="portal",
            filename=duties_filename(month),
            filters={_("month"): month},
        )
        messages.info(
            request,
            _("“%(label)s” is being written in the background; it appears here when it is ready.")
            % {"label": DUTIES_WORKBOOK.label},
        )
        return redirect(f"{reverse('reports:export-jobs')}#job-{job.pk}")
    # The page shows the first people (the workbook has everyone); the stations are the same.
    people, station_rows = duties_of(request.user, month, people_limit=DUTIES_PAGE_PEOPLE)
    people_count = staff_of(request.user).count() if len(people) == DUTIES_PAGE_PEOPLE else len(people)
    return render(
        request,
        "reports/duties.html",
        {
            "month": month,
            "people": people,
            "people_count": people_count,
            "stations": station_rows,
            "total": station_rows.total,
            "export_query": export_query(request),
        },
    )


def _statistics_form(request):
    """The region and period asked for on a statistics page, as a form bound to the query
    string (the user's own region and this year by default). Refused input stays in its field
    with the reason beside it; the page then shows no figures. A region outside the user's
    scope is answered with the page, its form and the reason (403)."""
    figures.require_statistics_reader(request.user)
    form = StatisticsForm(request.user, request.GET)
    valid = form.is_valid()
    out_of_scope = not valid and any(
        error.message == OUT_OF_SCOPE for error in form.errors.as_data().get("region", [])
    )
    return form, valid, (403 if out_of_scope else 200)


def _statistics_context(request, form, valid):
    selection = form.selection if valid else None
    context = {
        "form": form,
        "valid": valid,
        "selection": selection,
        "regions": figures.regions_to_choose(request.user),
        "chosen_region": form.data.get("region") or (selection.region.code if selection else ""),
    }
    if selection is not None:
        query = {
            "region": selection.region.code,
            "from": selection.period.start.strftime("%Y-%m"),
            "to": selection.period.last_month.strftime("%Y-%m"),
        }
        context.update(query=query, querystring=urlencode(query))
    else:
        # the default months beside a refused field, so the form can be sent again as it is
        this_year = figures.Period.from_params({})
        context["query"] = {
            "from": this_year.start.strftime("%Y-%m"),
            "to": this_year.last_month.strftime("%Y-%m"),
        }
    return context


@login_required
def statistics(request):
    """统计报表: choose a region within your scope and a period, download each workbook."""
    form, valid, status = _statistics_form(request)
    context = _statistics_context(request, form, valid)
    context["workbooks"] = [
        {"workbook": workbook, "url": reverse("reports:statistics-workbook", args=[key])}
        for key, workbook in WORKBOOKS.items()
    ]
    return render(request, "reports/statistics.html", context, status=status)


@login_required
def statistics_workbook(request, key):
    """One workbook of the page: the download itself, or, when the period's records are many,
    a background job of 我的导出 (where its progress shows) — as a long list's export."""
    if key not in WORKBOOKS:
        raise Http404
    form, valid, status = _statistics_form(request)
    if not valid:  # the page, with the reason beside the field
        context = _statistics_context(request, form, valid)
        context["workbooks"] = []
        return render(request, "reports/statistics.html", context, status=status)
    job, response = workbook_job_or_response(key, request.user, request.GET, channel="portal")
    if job is None:
        return response
    messages.info(
        request,
        _("“%(label)s” is being written in the background; it appears here when it is ready.")
        % {"label": WORKBOOKS[key].label},
    )
    return redirect(f"{reverse('reports:export-jobs')}#job-{job.pk}")


@login_required
def statistics_dashboard(request):
    """The dashboard: the charts load their figures from the statistics API."""
    form, valid, status = _statistics_form(request)
    context = _statistics_context(request, form, valid)
    context["charts"] = [{"key": key, "title": title} for key, title in dashboard.chart_titles().items()]
    return render(request, "reports/dashboard.html", context, status=status)


@login_required
def todo(request):
    """待办: what waits on the user now, group by group."""
    concerned = todo_groups.groups_for(request.user)
    groups = todo_groups.shown(concerned)
    if request.GET.get("export") == "xlsx":
        if todo_groups.rows_to_export(groups) <= settings.EXPORT_ASYNC_THRESHOLD:
            return todo_groups.export_response(groups, request)
        # a long to-do list: written in the background, like any long list (我的导出)
        job = jobs.submit_workbook(
            request.user,
            todo_groups.TODO_WORKBOOK.key,
            {"base_url": request.build_absolute_uri("/")},
            channel="portal",
            filename=todo_groups.filename(),
            filters={},  # everything that waits on the person
        )
        messages.info(
            request,
            _("“%(label)s” is being written in the background; it appears here when it is ready.")
            % {"label": todo_groups.TODO_WORKBOOK.label},
        )
        return redirect(job.get_absolute_url())
    context = {
        "concerned": bool(concerned),
        "groups": groups,
        "own": [group for group in groups if not group.follow_up],
        "follow_up": [group for group in groups if group.follow_up],
        "total": todo_groups.own_total(groups),
    }
    return render(request, "reports/todo.html", context)


@never_cache
@login_required
def todo_count(request):
    """The number beside 待办 in the header, fetched by the page so that no page pays for it."""
    return JsonResponse({"total": todo_groups.total_for(request.user)})
