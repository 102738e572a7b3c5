"""Portal pages: the public station finder, and the operators' own stations with their
residents, orders, records, publicity and survey responses."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import params
from accounts.pii import can_reveal, reveal, without_secrets
from accounts.portal import show_form_errors
from accounts.scoping import is_editable, scoped_object_or_404
from regions.models import region_subtree

from . import services
from .forms import (
    AssignForm,
    CompleteForm,
    ExpenditureForm,
    FinderForm,
    LinkConsentForm,
    LinkRefuseForm,
    LogServiceForm,
    OrderForm,
    PublicityEventForm,
    ResidentForm,
    StatusForm,
    SurveyResponseForm,
)
from .models import (
    Resident,
    ResidentLinkRequest,
    ServiceOrder,
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
    return render(request, "stations/my_stations.html", {"stations": stations})


def _editable_station(request, pk):
    return scoped_object_or_404(
        Station.objects.select_related("region", "operator"), request.user, edit=True, pk=pk
    )


FORMS = {
    "status": StatusForm,
    "resident": ResidentForm,
    "order": OrderForm,
    "log": LogServiceForm,
    "publicity": PublicityEventForm,
    "survey": SurveyResponseForm,
    "expenditure": ExpenditureForm,
}


def _form_kwargs(what, station, user):
    if what == "status":
        return {"station": station, "user": user}
    return {"station": station}


@login_required
def station_manage(request, pk):
    station = _editable_station(request, pk)
    if request.method == "POST":
        what = request.POST.get("what")
        if what == "remove_expenditure":
            row = params.object_or_404(station.expenditures.all(), request.POST.get("expenditure"))
            try:
                services.remove_expenditure(by=request.user, expenditure=row)
            except (ValidationError, PermissionDenied) as exc:
                _errors(request, exc)
            else:
                messages.success(request, _("Removed."))
            return redirect("stations:manage", pk=pk)
        form_class = FORMS.get(what)
        if form_class is None:
            raise PermissionDenied
        form = form_class(request.POST, request.FILES, **_form_kwargs(what, station, request.user))
        if form.is_valid():
            try:
                note = _handle(request, station, what, form.cleaned_data)
            except (ValidationError, PermissionDenied) as exc:
                _errors(request, exc)
            else:
                messages.success(request, note or _("Saved."))
        else:
            for field, errors in form.errors.items():
                label = form.fields[field].label if field in form.fields else ""
                for message in errors:
                    messages.error(request, f"{label}：{message}" if label else message)
        return redirect("stations:manage", pk=pk)
    residents = station.residents.select_related("community").order_by("name")
    orders = list(
        station.orders.select_related("resident", "assigned_to")
        .defer("assigned_to__phone", "assigned_to__id_number")  # a name to show: nothing decrypted
        .exclude(status__in=["completed", "cancelled"])[:100]
    )
    now = timezone.now()
    for order in orders:  # completing asks when the service was given and how much of it
        order.complete_form = CompleteForm.for_order(order, now) if order.status == "assigned" else None
    context = {
        "station": station,
        "residents": residents[:200],
        "overdue": services.overdue_care_visits(residents),
        "orders": orders,
        "records": station.records.select_related("resident", "staff")
        .defer("staff__phone", "staff__id_number")
        .order_by("-started_at")[:30],
        "publicity": station.publicity_events.prefetch_related("officers")[:10],
        "expenditures": station.expenditures.all()[:12],
        "forms": {name: cls(**_form_kwargs(name, station, request.user)) for name, cls in FORMS.items()},
        "assign_form": AssignForm(station=station),
    }
    return render(request, "stations/station_manage.html", context)


def _handle(request, station, what, data):
    by = request.user
    if what == "status":
        services.change_station_status(station, data["status"], by=by)
    elif what == "resident":
        registration = services.register_resident(
            by=by,
            station=station,
            name=data.pop("name"),
            id_number=data.pop("id_number"),
            phone=data.pop("phone"),
            **data,
        )
        for warning in registration.warnings:
            messages.warning(request, warning)
        if registration.resident is None:  # on file with another operator: nothing of her file
            return _("A link request has been submitted; it awaits the person's recorded consent.")
        return _("%(name)s is registered.") % {"name": registration.resident.name}
    elif what == "order":
        order = services.create_order(by=by, station=station, **data)
        return _("Order #%(number)s taken.") % {"number": order.pk}
    elif what == "log":
        services.log_service(by=by, station=station, **data)
    elif what == "publicity":
        services.record_publicity(by=by, station=station, **data)
    elif what == "survey":
        services.add_survey_response(by=by, station=station, **data)
    elif what == "expenditure":
        services.record_expenditure(by=by, station=station, **data)
    return None


@login_required
@require_POST
def order_act(request, pk, action):
    order = scoped_object_or_404(ServiceOrder.objects.select_related("station"), request.user, pk=pk)
    details = {}
    if action == "assign":
        form = AssignForm(request.POST, station=order.station)
        if not form.is_valid():
            _errors(request, ValidationError(_("Choose who does the service.")))
            return redirect("stations:manage", pk=order.station_id)
        details["staff"] = form.cleaned_data["staff"]
    elif action == "cancel":
        details["reason"] = request.POST.get("reason", "")
    elif action == "complete":
        form = CompleteForm(request.POST)
        if not form.is_valid():
            show_form_errors(request, form)
            return redirect("stations:manage", pk=order.station_id)
        details.update(form.cleaned_data)
    try:
        services.transition_order(order, action, by=request.user, **details)
    except (ValidationError, PermissionDenied) as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Order #%(number)s updated.") % {"number": order.pk})
    return redirect("stations:manage", pk=order.station_id)


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


def _add_service_errors(form, exc) -> None:
    """A service's refusal shown on the form: beside the field it names, else above the form."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, getattr(exc, "messages", None) or [str(exc)])


@login_required
def link_consent_form(request, pk):
    link = scoped_object_or_404(ResidentLinkRequest, request.user, pk=pk)
    if not link.consent_form:
        raise Http404
    return FileResponse(link.consent_form.open("rb"), as_attachment=True)
