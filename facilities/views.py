"""Portal pages for towns and bureaus: the registry with each room's deadline and the overdue
ones per town, a room's inspections, violations and use application, the application's steps,
agreements nearing their end, and the target progress table (004)."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import params
from accounts.portal import export_query, show_errors, show_form_errors
from accounts.scoping import is_editable, scoped_object_or_404
from core.pdf import pdf_response

from . import exports, services, targets
from .api.filters import CareRoomFilter
from .forms import ApplyForm, CountyForm, InspectionForm, RectifyForm
from .models import (
    CareRoom,
    EntrustmentAgreement,
    GuidanceTarget,
    Inspection,
    InspectionPhoto,
    UseApplication,
    Violation,
)


@login_required
def registry(request):
    rooms = CareRoom.objects.visible_to(request.user).select_related("compound__region", "operator")
    filterset = CareRoomFilter(request.GET or None, queryset=rooms, request=request)
    listed = filterset.qs if filterset.is_bound and filterset.is_valid() else rooms
    if request.GET.get("export") == "xlsx":
        return exports.ROOMS.response(listed, request)
    context = {
        "filter": filterset,
        "rooms": listed[:500],
        "towns": services.deadlines_by_town(rooms),
        "overdue_count": services.overdue_rooms(rooms).count(),
        "export_query": export_query(request),
        "today": timezone.localdate(),
    }
    return render(request, "facilities/registry.html", context)


@login_required
def room_detail(request, pk):
    room = scoped_object_or_404(
        CareRoom.objects.select_related("compound__region", "owner", "operator"), request.user, pk=pk
    )
    editable = is_editable(room, request.user)
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        what = request.POST.get("what")
        try:
            if what == "inspection":
                form = InspectionForm(request.POST, request.FILES)
                if not form.is_valid():
                    show_form_errors(request, form)
                    return redirect("facilities:room", pk=pk)
                data = form.cleaned_data
                found = []
                if data["kind"]:
                    found.append(
                        {
                            "kind": data["kind"],
                            "description": data["description"],
                            "rectify_by": data["rectify_by"],
                        }
                    )
                services.record_inspection(
                    by=request.user,
                    room=room,
                    inspected_on=data["inspected_on"],
                    findings=data["findings"],
                    violations=found,
                    photos=data["photos"],
                )
            elif what == "start":
                application = services.start_application(
                    by=request.user, room=room, text=request.POST.get("text", "")
                )
                return redirect("facilities:application", pk=application.pk)
            else:
                raise PermissionDenied
        except (ValidationError, PermissionDenied) as exc:
            show_errors(request, exc)
        else:
            messages.success(request, _("Saved."))
        return redirect("facilities:room", pk=pk)
    inspections = room.inspections.select_related("inspector").prefetch_related("photos", "violations")
    violations = list(room.violations.select_related("found_in", "closed_in", "room__compound__region"))
    for violation in violations:  # the buttons are the steps the workflow offers this user
        violation.actions = set(services.VIOLATIONS.allowed_names(violation, request.user))
    context = {
        "room": room,
        "editable": editable,
        "inspections": inspections,
        "violations": violations,
        "applications": room.applications.select_related("town"),
        "alterations": room.alterations.all(),
        "inspection_form": InspectionForm(initial={"inspected_on": timezone.localdate()}),
        "rectify_form": RectifyForm(),
        "later_inspections": list(inspections),
    }
    return render(request, "facilities/room.html", context)


@login_required
def photo(request, pk):
    item = scoped_object_or_404(InspectionPhoto, request.user, pk=pk)
    return FileResponse(item.photo.open("rb"))


@login_required
@require_POST
def violation_act(request, pk, action):
    violation = scoped_object_or_404(Violation.objects.select_related("room"), request.user, pk=pk)
    try:
        if action == "rectify":
            services.update_violation(
                violation, by=request.user, action_taken=request.POST.get("action_taken", "")
            )
        elif action == "close":
            inspection = params.object_or_404(
                Inspection.objects.visible_to(request.user), request.POST.get("inspection")
            )
            services.close_violation(
                violation,
                by=request.user,
                inspection=inspection,
                action_taken=request.POST.get("action_taken", ""),
            )
        else:
            raise PermissionDenied
    except (ValidationError, PermissionDenied) as exc:
        show_errors(request, exc)
    else:
        messages.success(request, _("Saved."))
    return redirect("facilities:room", pk=violation.room_id)


@login_required
def application_detail(request, pk):
    application = scoped_object_or_404(
        UseApplication.objects.select_related("room__compound__region", "town"), request.user, pk=pk
    )
    if request.method == "POST":
        action = request.POST.get("action", "")
        details = {}
        if action == "apply":
            form = ApplyForm(request.POST)
            if not form.is_valid():
                show_form_errors(request, form)
                return redirect("facilities:application", pk=pk)
            details = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        elif action == "approve":
            details = {
                "city_approval_number": request.POST.get("city_approval_number", ""),
                "city_approved_on": _date(request.POST.get("city_approved_on")),
            }
        elif action == "sign":
            details = {
                "number": request.POST.get("number", ""),
                "signed_on": _date(request.POST.get("signed_on")),
                "starts_on": _date(request.POST.get("starts_on")),
                "ends_on": _date(request.POST.get("ends_on")),
            }
        try:
            services.act_on_application(
                application, action, by=request.user, text=request.POST.get("text", ""), **details
            )
        except (ValidationError, PermissionDenied) as exc:
            show_errors(request, exc)
        else:
            messages.success(request, _("Saved."))
        return redirect("facilities:application", pk=pk)
    flow = services.USE_APPLICATIONS
    steps = list(application.steps.select_related("actor", "organization"))
    for step in steps:  # the history reads the declared, translated labels, not the codes
        step.action_label, step.status_label = flow.step_label(step.action), flow.state_label(step.to_status)
    context = {
        "application": application,
        "steps": steps,
        "actions": [(action.name, action.label) for action in flow.available(application, request.user)],
        "apply_form": ApplyForm(
            initial={
                "residents": application.room.compound.residents,
                "elderly_residents": application.room.compound.elderly_residents,
                "room_area": application.room.area,
            }
        ),
        "agreement": EntrustmentAgreement.objects.filter(application=application).first(),
    }
    return render(request, "facilities/application.html", context)


def _date(value):
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError as exc:
        raise ValidationError(_("Give dates as YYYY-MM-DD.")) from exc


@login_required
def agreements(request):
    rows = EntrustmentAgreement.objects.visible_to(request.user).select_related(
        "room__compound", "bureau", "town"
    )
    if request.GET.get("export") == "xlsx":
        return exports.AGREEMENTS.response(rows, request)
    return render(
        request,
        "facilities/agreements.html",
        {
            "agreements": rows[:500],
            "expiring": services.expiring_agreements(rows),
            "export_query": export_query(request),
            "today": timezone.localdate(),
        },
    )


def _progress_table(request):
    """The county asked for (or the first the user has targets for) and its progress rows."""
    form = CountyForm(request.GET or None)
    county = None
    if form.is_bound and form.is_valid():
        county = form.cleaned_data["county"]
    else:
        first = GuidanceTarget.objects.visible_to(request.user).select_related("county").first()
        county = first.county if first else None
    if county is None:
        return form, None, [], [], None
    years, rows, total = targets.target_progress(
        county,
        rooms=CareRoom.objects.visible_to(request.user),
        targets=GuidanceTarget.objects.visible_to(request.user),
    )
    for row in [*rows, total]:
        row.year_cells = [row.per_year[year] for year in years]
    return form, county, years, rows, total


@login_required
def progress(request):
    form, county, years, rows, total = _progress_table(request)
    if county is None:
        return render(request, "facilities/progress.html", {"form": form})
    if request.GET.get("export") == "xlsx":
        return exports.progress_response(county, years, rows, total)
    return render(
        request,
        "facilities/progress.html",
        {
            "form": form,
            "county": county,
            "years": years,
            "rows": rows,
            "total": total,
            "export_query": export_query(request) + ("" if form.is_bound else f"&county={county.code}"),
        },
    )


# --- print views (A4, the browser's print or the server's PDF) ----------------------------------


def _progress_print_context(request):
    form, county, years, rows, total = _progress_table(request)
    if county is None or not rows:
        raise Http404
    query = f"?county={county.code}"
    return {
        "county": county,
        "years": years,
        "rows": rows,
        "total": total,
        "pdf_url": reverse("facilities:progress-pdf") + query,
        "back_url": reverse("facilities:progress") + query,
    }


@login_required
def progress_print(request):
    """004 附件 in its own layout, the official figures as imported, the registry's beside them."""
    return render(request, "facilities/progress_print.html", _progress_print_context(request))


@login_required
def progress_pdf(request):
    context = _progress_print_context(request)
    return pdf_response(
        request,
        "facilities/progress_print.html",
        context,
        filename=f"{context['county'].name}-新建住宅小区养老服务用房投入运营指导数",
    )


def _inspection_print_context(request, pk):
    inspection = scoped_object_or_404(
        Inspection.objects.select_related(
            "room__compound__region", "room__operator", "room__owner", "inspector"
        ).prefetch_related("violations", "closed_violations"),
        request.user,
        pk=pk,
    )
    inspector = inspection.inspector  # on paper the person's name, not the login
    return {
        "inspection": inspection,
        "room": inspection.room,
        "inspector_name": (inspector.name or inspector.username) if inspector else "",
        "pdf_url": reverse("facilities:inspection-pdf", args=[inspection.pk]),
        "back_url": reverse("facilities:room", args=[inspection.room_id]),
    }


@login_required
def inspection_print(request, pk):
    """An inspection record of a care room: what was found, its violations, the inspector's line."""
    return render(request, "facilities/inspection_print.html", _inspection_print_context(request, pk))


@login_required
def inspection_pdf(request, pk):
    context = _inspection_print_context(request, pk)
    inspection = context["inspection"]
    return pdf_response(
        request,
        "facilities/inspection_print.html",
        context,
        filename=f"{_('Inspection record')}-{inspection.room.compound.name}-{inspection.inspected_on:%Y%m%d}",
    )


def _agreement_print_context(request, pk):
    agreement = scoped_object_or_404(
        EntrustmentAgreement.objects.select_related(
            "room__compound__region", "bureau", "town", "application"
        ),
        request.user,
        pk=pk,
    )
    return {
        "agreement": agreement,
        "room": agreement.room,
        "parties": [
            (_("Party A (entrusting party)"), agreement.bureau),
            (_("Party B (entrusted party)"), agreement.town),
        ],
        "years": _whole_years(agreement.starts_on, agreement.ends_on),
        "pdf_url": reverse("facilities:agreement-pdf", args=[agreement.pk]),
        "back_url": reverse("facilities:application", args=[agreement.application_id]),
    }


def _whole_years(starts_on, ends_on):
    """The term in whole years when it is one (3 for 2025-09-20 – 2028-09-19 or – 2028-09-20)."""
    years = ends_on.year - starts_on.year
    if years > 0 and (ends_on.month, ends_on.day) in (
        (starts_on.month, starts_on.day),
        ((starts_on - dt.timedelta(days=1)).month, (starts_on - dt.timedelta(days=1)).day),
    ):
        return years
    return None


@login_required
def agreement_print(request, pk):
    """The entrustment agreement (004 三（四）) with both parties' particulars, to sign and seal."""
    return render(request, "facilities/agreement_print.html", _agreement_print_context(request, pk))


@login_required
def agreement_pdf(request, pk):
    context = _agreement_print_context(request, pk)
    return pdf_response(
        request,
        "facilities/agreement_print.html",
        context,
        filename=f"{_('Entrustment agreement')}-{context['agreement'].number}",
    )
