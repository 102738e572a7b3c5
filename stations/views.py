"""Portal pages: the public station finder, and the operators' own stations with their
residents, orders, records, publicity and survey responses."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.pii import can_reveal, reveal, without_secrets
from accounts.scoping import is_editable, scoped_object_or_404
from regions.models import region_subtree

from . import services
from .forms import (
    FinderForm,
    LinkConsentForm,
    LinkRefuseForm,
)
from .manage_views import add_service_errors as _add_service_errors
from .models import (
    Resident,
    ResidentLinkRequest,
    ServiceRecord,
    Station,
    StationStatus,
)


def _errors(request, exc):
    for message in getattr(exc, "messages", None) or [str(exc)]:
        messages.error(request, message)


def finder(request):
    """Operating stations by street/community and service, or nearest first from a point."""
    form = FinderForm(request.GET or None)
    stations = Station.objects.filter(status=StationStatus.OPERATING).select_related("region", "operator")
    results, searched = [], False
    if form.is_valid():
        data = form.cleaned_data
        if data["region"]:
            stations = stations.filter(region_subtree("region", data["region"]))
        if data["service"]:
            stations = stations.filter(services__icontains=f'"{data["service"]}"')
        if data["lat"] is not None and data["lng"] is not None:
            try:
                results = services.stations_near(
                    stations, latitude=data["lat"], longitude=data["lng"], radius_m=data["radius"] or 1000
                )
            except ValidationError as exc:
                form.add_error(None, exc)
        else:
            results = list(stations[:200])
        searched = True
    return render(request, "stations/finder.html", {"form": form, "results": results, "searched": searched})


def station_public(request, pk):
    station = scoped_object_or_404(
        Station.objects.select_related("region", "operator").prefetch_related("prices"),
        request.user,
        pk=pk,
    )
    editable = is_editable(station, request.user)
    context = {
        "station": station,
        "editable": editable,
        "details_editable": editable and services.may_edit_station_details(station, request.user),
        "photos": list(station.photos.all()),
        "channels": services.complaint_channels([station])[station.pk],
    }
    return render(request, "stations/station_public.html", context)


@login_required
def my_stations(request):
    stations = (
        Station.objects.editable_by(request.user)
        .select_related("region", "operator")
        .annotate(resident_count=Count("residents", distinct=True))
    )
    stations = list(stations)
    for station in stations:  # the scope is read once: no query per row
        station.details_editable = services.may_edit_station_details(station, request.user)
    context = {"stations": stations, "can_set_up": bool(services.operators_for(request.user))}
    return render(request, "stations/my_stations.html", context)


@login_required
def resident_list(request):
    residents = without_secrets(  # the page shows the stored masks: nothing is decrypted
        Resident.objects.visible_to(request.user)
        .select_related("community")
        .order_by("community__code", "name")
    )
    # The search is posted, so an identity number or phone never lands in a URL, a log or the
    # browser history, and it is not echoed back into the page.
    query = (request.POST.get("q") if request.method == "POST" else request.GET.get("q", "")) or ""
    query = query.strip()
    is_identity = len(query) >= 11 and query.upper().rstrip("X").isdigit()
    if is_identity:
        residents = services.find_by_identity(residents, id_number=query) | services.find_by_identity(
            residents, phone=query
        )
    elif query:
        residents = residents.filter(name__icontains=query)
    return render(
        request,
        "stations/resident_list.html",
        {"residents": residents[:200], "q": "" if is_identity else query},
    )


@login_required
def resident_detail(request, pk):
    resident = scoped_object_or_404(
        Resident.objects.select_related("community").prefetch_related("stations"),
        request.user,
        pk=pk,
    )
    revealed = None
    if request.method == "POST" and request.POST.get("reveal"):
        try:
            revealed = reveal(
                resident, ("id_number", "birth_date", "phone", "emergency_phone"), by=request.user
            )
        except PermissionDenied as exc:
            _errors(request, exc)
    records = (
        ServiceRecord.objects.filter(resident=resident)
        .visible_to(request.user)
        .select_related("station", "staff")
        .order_by("-started_at")[:50]
    )
    return render(
        request,
        "stations/resident_detail.html",
        {
            "resident": resident,
            "editable": is_editable(resident, request.user),
            "revealed": revealed,
            "can_reveal": can_reveal(request.user, Resident),
            "records": records,
        },
    )


@login_required
def revenue(request):
    rows = services.monthly_revenue(ServiceRecord.objects.visible_to(request.user))
    return render(request, "stations/revenue.html", {"rows": rows})


@login_required
def link_requests(request):
    """Requests to serve a person on file with another operator: the requester records the
    signed consent (or withdraws); an officer of the person's region sees them all and may refuse."""
    links = ResidentLinkRequest.objects.visible_to(request.user).select_related(
        "station", "organization", "resident__community", "requested_by", "consent_recorded_by"
    )
    # A refused form comes back on its own row with what was typed and the errors beside the
    # fields (the file itself cannot be kept by a browser and must be chosen again).
    bound = {}
    if request.method == "POST":
        link = get_object_or_404(links, pk=request.POST.get("link"))
        action = request.POST.get("what")
        forms_by_action = {
            "record_consent": lambda: LinkConsentForm(request.POST, request.FILES, prefix=f"c{link.pk}"),
            "refuse": lambda: LinkRefuseForm(request.POST, prefix=f"r{link.pk}"),
            "withdraw": lambda: None,
        }
        if action not in forms_by_action:
            raise PermissionDenied
        form = forms_by_action[action]()
        if form is None or form.is_valid():
            try:
                services.act_on_link_request(
                    link, action, by=request.user, **(form.cleaned_data if form is not None else {})
                )
            except (ValidationError, PermissionDenied) as exc:
                if form is None:
                    _errors(request, exc)
                    return redirect("stations:link-requests")
                _add_service_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("stations:link-requests")
        bound[(link.pk, action)] = form
    rows = [
        (
            link,
            {action.name: True for action in services.LINK_REQUESTS.available(link, request.user)},
            bound.get((link.pk, "record_consent")) or LinkConsentForm(prefix=f"c{link.pk}"),
            bound.get((link.pk, "refuse")) or LinkRefuseForm(prefix=f"r{link.pk}"),
        )
        for link in links[:200]
    ]
    return render(request, "stations/link_requests.html", {"rows": rows})


@login_required
def link_consent_form(request, pk):
    link = scoped_object_or_404(ResidentLinkRequest, request.user, pk=pk)
    if not link.consent_form:
        raise Http404
    return FileResponse(link.consent_form.open("rb"), as_attachment=True)
