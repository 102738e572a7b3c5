"""The operator's station page, in sections people can find: 工单, 服务记录, 老年人, 价格, 宣传,
满意度, 站点信息. Each section is its own page (server-rendered, no script needed) with a form per
task and its own list, and loads only what it shows. A refused form comes back in its section
with what was typed and the errors beside the fields; closing the station asks first on a page
that says what will happen."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from accounts import params
from accounts.portal import export_query, show_errors
from accounts.scoping import scoped_object_or_404

from . import exports, services
from .forms import (
    AssignForm,
    ClosedOrderFilter,
    ExpenditureForm,
    LogServiceForm,
    OrderForm,
    PublicityEventForm,
    ResidentForm,
    StatusForm,
    SurveyResponseForm,
)
from .models import OrderStatus, Station, StationStatus
from .services.details import may_edit_station_details


@dataclass(frozen=True)
class Section:
    slug: str
    label: object
    forms: tuple[str, ...] = ()


SECTIONS = (
    Section("orders", pgettext_lazy("station page", "Orders"), ("order",)),
    Section("records", pgettext_lazy("station page", "Service records"), ("log",)),
    Section("residents", pgettext_lazy("station page", "Elderly residents"), ("resident",)),
    Section("prices", pgettext_lazy("station page", "Prices"), ()),
    Section("publicity", pgettext_lazy("station page", "Publicity"), ("publicity",)),
    Section("survey", pgettext_lazy("station page", "Satisfaction"), ("survey",)),
    Section("station", pgettext_lazy("station page", "Station information"), ("status", "expenditure")),
)
SECTION_BY_SLUG = {section.slug: section for section in SECTIONS}
SECTION_OF_FORM = {name: section.slug for section in SECTIONS for name in section.forms}
SECTION_OF_FORM["remove_expenditure"] = "station"

FORMS = {
    "status": StatusForm,
    "resident": ResidentForm,
    "order": OrderForm,
    "log": LogServiceForm,
    "publicity": PublicityEventForm,
    "survey": SurveyResponseForm,
    "expenditure": ExpenditureForm,
}
FORM_TITLES = {
    "order": gettext_lazy("Take an order"),
    "log": gettext_lazy("Log a service"),
    "resident": gettext_lazy("Register a resident"),
    "publicity": gettext_lazy("Record a publicity event"),
    "survey": gettext_lazy("Enter a survey response"),
    "status": gettext_lazy("Change status"),
    "expenditure": gettext_lazy("Enter the month's elderly-care expenditure"),
}


def section_url(station, slug) -> str:
    if slug == "orders":
        return reverse("stations:manage", args=[station.pk])
    return reverse("stations:manage-section", args=[station.pk, slug])


def _editable_station(request, pk):
    return scoped_object_or_404(
        Station.objects.select_related("region", "operator"), request.user, edit=True, pk=pk
    )


def _new_form(what, station, user, data=None, files=None):
    kwargs = {"station": station, "user": user} if what == "status" else {"station": station}
    return FORMS[what](data, files, **kwargs) if data is not None else FORMS[what](**kwargs)


def add_service_errors(form, exc) -> None:
    """A service's refusal shown on the form: beside the field it names, else above the form."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, getattr(exc, "messages", None) or [str(exc)])


@login_required
def station_manage(request, pk, section="orders"):
    station = _editable_station(request, pk)
    if section not in SECTION_BY_SLUG:
        raise PermissionDenied
    bound = {}
    if request.method == "POST":
        what = request.POST.get("what", "")
        if what not in SECTION_OF_FORM:
            raise PermissionDenied
        section = SECTION_OF_FORM[what]
        if what == "remove_expenditure":
            row = params.object_or_404(station.expenditures.all(), request.POST.get("expenditure"))
            try:
                services.remove_expenditure(by=request.user, expenditure=row)
            except (ValidationError, PermissionDenied) as exc:
                show_errors(request, exc)
            else:
                messages.success(request, _("Removed."))
            return redirect(section_url(station, section))
        form = _new_form(what, station, request.user, request.POST, request.FILES)
        if form.is_valid():
            if what == "status" and form.confirmation() and request.POST.get("confirmed") != "yes":
                return _confirm_status(request, station, form)
            try:
                note = _handle(request, station, what, form.cleaned_data)
            except (ValidationError, PermissionDenied) as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, note or _("Saved."))
                return redirect(section_url(station, section))
        bound[what] = form
    return _render_section(request, station, section, bound)


def _confirm_status(request, station, form):
    """The irreversible step (closing) asks first, on a page that says what will happen."""
    target = form.cleaned_data["status"]
    open_orders = station.orders.filter(status__in=(OrderStatus.REQUESTED, OrderStatus.ASSIGNED)).count()
    context = {
        "station": station,
        "title": _("Close %(station)s?") % {"station": station.name}
        if target == StationStatus.CLOSED
        else _("Change the status of %(station)s?") % {"station": station.name},
        "consequences": [str(form.confirmation())]
        + (
            [
                _("%(count)s open orders stay open: complete or cancel them in the orders section.")
                % {"count": open_orders}
            ]
            if open_orders
            else []
        ),
        "action": section_url(station, "station"),
        "hidden": {"what": "status", "status": target, "confirmed": "yes"},
        "button": StationStatus(target).label if target != StationStatus.CLOSED else _("Close the station"),
        "back": section_url(station, "station"),
    }
    return render(request, "stations/confirm.html", context)


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


def _render_section(request, station, section, bound):
    builder = SECTION_CONTEXT[section]
    context = builder(request, station)
    if not isinstance(context, dict):  # an export answers instead of the page
        return context
    forms = {
        name: bound.get(name) or _new_form(name, station, request.user)
        for name in SECTION_BY_SLUG[section].forms
    }
    context.update(
        {
            "station": station,
            "section": section,
            "sections": [(s, section_url(station, s.slug)) for s in SECTIONS],
            "forms": forms,
            "form_cards": [(name, FORM_TITLES[name], form) for name, form in forms.items()],
        }
    )
    return render(request, "stations/station_manage.html", context)


# --- what each section shows ----------------------------------------------------------------


def _orders(request, station):
    open_orders = (
        station.orders.select_related("resident", "assigned_to")
        .only(
            *("pk", "station_id", "category", "channel", "status", "is_emergency", "requested_at"),
            *("unit_price", "price_unit", "price_content", "created_at", "resident__name"),
            *("assigned_to__name", "assigned_to__id"),  # a name to show: nothing decrypted
        )
        .filter(status__in=(OrderStatus.REQUESTED, OrderStatus.ASSIGNED))
        .order_by("-is_emergency", "requested_at", "pk")[:100]
    )
    closed, filters = closed_orders(request, station)
    if request.GET.get("export") == "xlsx":
        return exports.ORDERS.response(closed, request)
    return {
        "orders": list(open_orders),
        "assign_form": AssignForm(station=station),
        "closed_orders": list(closed[:100]),
        "filters": filters,
        "export_query": export_query(request),
    }


def closed_orders(request, station):
    """The station's completed and cancelled orders as the filters ask (a refused filter lists
    nothing, so the export never carries rows the person did not ask for)."""
    filters = ClosedOrderFilter(request.GET or None, station=station)
    orders = (
        station.orders.select_related("resident", "assigned_to", "record")
        .only(
            *("pk", "station_id", "category", "status", "is_emergency", "created_at", "cancel_reason"),
            *("unit_price", "price_unit", "price_content", "resident__name"),
            *("assigned_to__name", "assigned_to__id"),
            *("record__id", "record__started_at", "record__ended_at", "record__duration_minutes"),
            *("record__quantity", "record__fee", "record__fee_unit", "record__order_id"),
        )
        .order_by("-created_at", "-pk")
    )
    if not filters.is_bound:
        return orders.filter(status__in=(OrderStatus.COMPLETED, OrderStatus.CANCELLED)), filters
    if not filters.is_valid():
        return orders.none(), filters
    return filters.filter(orders), filters


def _records(request, station):
    return {
        "records": station.records.select_related("resident", "staff")
        .only(
            *("pk", "started_at", "category", "duration_minutes", "quantity", "fee_unit", "fee", "rating"),
            *("resident__name", "staff__name", "staff__id", "station_id"),
        )
        .order_by("-started_at")[:50]
    }


def _residents(request, station):
    residents = station.residents.select_related("community").order_by("name")
    return {"residents": residents[:200], "overdue": services.overdue_care_visits(residents)}


def _prices(request, station):
    """The posted prices now, each with since when it holds and who approved and posted it (from
    the history; a price written before the history was kept shows when it was written), and
    the history itself."""
    history = list(
        station.price_history.select_related("posted_by", "approved_by", "approving_office").order_by(
            "-posted_at", "category", "content"
        )[:200]
    )
    in_force = {(row.category, row.content): row for row in history if row.withdrawn_at is None}
    current = [
        (price, in_force.get((price.category, price.content)))
        for price in station.prices.order_by("category", "content")
    ]
    may_change, reason = services.may_administer(station, request.user)
    return {
        "current_prices": current,
        "price_history": history,
        "may_change_prices": may_change,
        "price_refusal": reason,
    }


def _publicity(request, station):
    return {"publicity": station.publicity_events.prefetch_related("officers").order_by("-held_on")[:50]}


def _survey(request, station):
    return {
        "responses": station.survey_responses.select_related("survey", "resident")
        .only("pk", "average", "comment", "submitted_on", "survey__title", "resident__name", "station_id")
        .order_by("-submitted_on", "-pk")[:50],
        "averages": list(services.survey_averages(station.survey_responses.all())),
    }


def _station_info(request, station):
    may_close, reason = services.may_administer(station, request.user)
    return {
        "expenditures": station.expenditures.all()[:12],
        "may_close": may_close,
        "close_refusal": reason,
        "details_editable": may_edit_station_details(station, request.user),
    }


SECTION_CONTEXT = {
    "orders": _orders,
    "records": _records,
    "residents": _residents,
    "prices": _prices,
    "publicity": _publicity,
    "survey": _survey,
    "station": _station_info,
}
