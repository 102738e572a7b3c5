"""Orders in the portal: assigning, completing (the actual times and the quantity, on a page
that works on a phone), cancelling (a confirm step that says what will happen) and 我的工单, the
orders assigned to the signed-in service officer."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.portal import show_errors
from accounts.scoping import scoped_object_or_404
from staff.models import StaffMember

from . import services
from .forms import AssignForm, CancelOrderForm, CompleteForm
from .manage_views import add_service_errors, section_url
from .models import OrderStatus, ServiceOrder


def _order(request, pk):
    return scoped_object_or_404(
        ServiceOrder.objects.select_related(
            "station__region", "station__operator", "resident", "assigned_to"
        ),
        request.user,
        edit=True,
        pk=pk,
    )


def _back(request, order) -> str:
    """Where the person came from (我的工单 or the station's orders), never another site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return section_url(order.station, "orders")


@login_required
@require_POST
def order_assign(request, pk):
    order = _order(request, pk)
    form = AssignForm(request.POST, station=order.station)
    if not form.is_valid():
        show_errors(request, ValidationError(_("Choose who does the service.")))
        return redirect(_back(request, order))
    try:
        services.transition_order(order, "assign", by=request.user, staff=form.cleaned_data["staff"])
    except (ValidationError, PermissionDenied) as exc:
        show_errors(request, exc)
    else:
        messages.success(
            request,
            _("Order #%(number)s assigned to %(name)s.")
            % {"number": order.pk, "name": form.cleaned_data["staff"].name},
        )
    return redirect(_back(request, order))


@login_required
def order_complete(request, pk):
    """The actual start and end, proposed sensibly, and the quantity; a refusal comes back here
    with what was typed and the reason beside the field."""
    order = _order(request, pk)
    if order.status != OrderStatus.ASSIGNED:
        messages.error(
            request,
            _("Order #%(number)s is %(status)s: only an assigned order can be completed.")
            % {"number": order.pk, "status": order.get_status_display()},
        )
        return redirect(_back(request, order))
    form = CompleteForm.for_order(order, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.transition_order(order, "complete", by=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Order #%(number)s completed.") % {"number": order.pk})
            return redirect(_back(request, order))
    return render(
        request,
        "stations/order_complete.html",
        {"order": order, "form": form, "back": _back(request, order)},
    )


@login_required
def order_cancel(request, pk):
    """Cancelling asks first, on a page that says what will happen, and takes the reason."""
    order = _order(request, pk)
    if order.status not in (OrderStatus.REQUESTED, OrderStatus.ASSIGNED):
        messages.error(
            request,
            _("Order #%(number)s is %(status)s: it can no longer be cancelled.")
            % {"number": order.pk, "status": order.get_status_display()},
        )
        return redirect(_back(request, order))
    form = CancelOrderForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.transition_order(order, "cancel", by=request.user, reason=form.cleaned_data["reason"])
        except (ValidationError, PermissionDenied) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Order #%(number)s cancelled.") % {"number": order.pk})
            return redirect(_back(request, order))
    return render(
        request,
        "stations/order_cancel.html",
        {"order": order, "form": form, "back": _back(request, order)},
    )


@login_required
def my_orders(request):
    """我的工单: the open orders assigned to the signed-in service officer (through the staff
    record their login belongs to), then the ones they completed lately."""
    mine = (
        ServiceOrder.objects.visible_to(request.user)
        .filter(assigned_to__user=request.user)
        .select_related("resident__community", "station")
        .only(
            *("pk", "category", "status", "is_emergency", "requested_at", "assigned_at", "note"),
            *("unit_price", "price_unit", "price_content", "created_at", "resident__name"),
            *("resident__address", "resident__community__name", "station__name", "station__address"),
            *("station__phone",),
        )
    )
    open_orders = mine.filter(status=OrderStatus.ASSIGNED).order_by("-is_emergency", "requested_at", "pk")[
        :100
    ]
    done = mine.filter(status=OrderStatus.COMPLETED).order_by("-created_at", "-pk")[:20]
    return render(
        request,
        "stations/my_orders.html",
        {
            "orders": list(open_orders),
            "done": list(done),
            "has_staff_record": StaffMember.objects.filter(user=request.user).exists(),
        },
    )
