"""Portal pages for towns and bureaus: the registry with each room's deadline and the overdue
ones per town, a room's inspections, violations and use application, the application's steps,
agreements nearing their end, and the target progress table (004)."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from accounts import params
from accounts.portal import export_query, show_errors
from accounts.scoping import is_editable, scope_for, scoped_object_or_404
from core.admin_actions import add_refusal, dry_run_refusal
from core.pdf import official_print, pdf_response
from regions.models import Region

from . import exports, services, targets
from .forms import CountyForm, InspectionForm, PhotosForm, RectifyForm, RegistryFilter, step_form
from .models import (
    CareRoom,
    EntrustmentAgreement,
    GuidanceTarget,
    Inspection,
    InspectionPhoto,
    UseApplication,
    Violation,
    ViolationKind,
    ViolationState,
)


@login_required
def registry(request):
    rooms = CareRoom.objects.visible_to(request.user).select_related("compound__region", "operator")
    filterset = RegistryFilter(request.GET or None, queryset=rooms, request=request)
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


def _room_page(request, room, *, inspection_form=None, status=200):
    inspections = room.inspections.select_related("inspector").prefetch_related("photos", "violations")
    violations = list(room.violations.select_related("found_in", "closed_in", "room__compound__region"))
    later = list(inspections)
    for violation in violations:  # the buttons are the steps the workflow offers this user
        violation.actions = set(services.VIOLATIONS.allowed_names(violation, request.user))
        violation.closing_inspections = [i for i in later if i.inspected_on > violation.found_in.inspected_on]
    context = {
        "room": room,
        "editable": is_editable(room, request.user),
        "inspections": inspections,
        "violations": violations,
        "applications": room.applications.select_related("town"),
        "alterations": room.alterations.all(),
        "inspection_form": inspection_form or InspectionForm(initial={"inspected_on": timezone.localdate()}),
        "photos_form": PhotosForm(),
    }
    return render(request, "facilities/room.html", context, status=status)


@login_required
def room_detail(request, pk):
    room = scoped_object_or_404(
        CareRoom.objects.select_related("compound__region", "owner", "operator"), request.user, pk=pk
    )
    if request.method == "POST":
        if not is_editable(room, request.user):
            raise PermissionDenied
        what = request.POST.get("what")
        if what == "inspection":
            return _record_inspection(request, room)
        try:
            if what == "start":
                application = services.start_application(
                    by=request.user, room=room, text=request.POST.get("text", "")
                )
                return redirect("facilities:application", pk=application.pk)
            if what == "photos":
                inspection = params.object_or_404(room.inspections.all(), request.POST.get("inspection"))
                form = PhotosForm(request.POST, request.FILES)
                form.is_valid()
                services.add_inspection_photos(
                    inspection, form.cleaned_data.get("photos") or [], by=request.user
                )
            else:
                raise PermissionDenied
        except (ValidationError, PermissionDenied) as exc:
            show_errors(request, exc)
        else:
            messages.success(request, _("Saved."))
        return redirect("facilities:room", pk=pk)
    return _room_page(request, room)


def _record_inspection(request, room):
    """Two steps: what was found (refused with the input kept and the errors beside the fields),
    then the photos and a confirmation saying what the record does; a refusal of the service goes
    back to the step its field is on."""
    form = InspectionForm(request.POST)
    if not form.is_valid() or "change" in request.POST:
        return _room_page(request, room, inspection_form=form, status=200 if form.is_valid() else 400)
    if "confirmed" not in request.POST:  # the service's own refusals, before asking to confirm
        refusal = dry_run_refusal(lambda: _save_inspection(request, room, form, photos=()))
        if refusal is not None:
            add_refusal(form, refusal)
            return _room_page(request, room, inspection_form=form, status=400)
    photos = PhotosForm(request.POST, request.FILES)
    if "confirmed" in request.POST and photos.is_valid():
        try:
            _save_inspection(request, room, form, photos=photos.cleaned_data["photos"])
        except PermissionDenied:
            raise
        except ValidationError as exc:
            if "photos" not in getattr(exc, "error_dict", {}):
                add_refusal(form, exc)
                return _room_page(request, room, inspection_form=form, status=400)
            add_refusal(photos, exc, "photos")
        else:
            messages.success(request, _("The inspection is recorded."))
            return redirect(reverse("facilities:room", args=[room.pk]) + "#inspections")
    elif "confirmed" not in request.POST:
        photos = PhotosForm()
    return _confirm_page(
        request,
        title=_("Record the inspection of %(room)s") % {"room": room},
        summary=_inspection_summary(form),
        consequence=_inspection_consequence(form),
        post_url=reverse("facilities:room", args=[room.pk]),
        hidden=[("what", "inspection")],
        carried=list(form),
        visible_form=photos,
        confirm_label=_("Save the inspection"),
        can_change=True,
        status=400 if photos.is_bound and photos.errors else 200,
    )


def _save_inspection(request, room, form, *, photos):
    return services.record_inspection(
        by=request.user,
        room=room,
        inspected_on=form.cleaned_data["inspected_on"],
        findings=form.cleaned_data["findings"],
        violations=form.violations(),
        photos=photos,
    )


def _inspection_summary(form):
    data = form.cleaned_data
    rows = [
        (form["inspected_on"].label, f"{data['inspected_on']:%Y-%m-%d}"),
        (form["findings"].label, data["findings"]),
    ]
    for violation in form.violations():
        rows += [
            (form["kind"].label, ViolationKind(violation["kind"]).label),
            (form["description"].label, violation["description"]),
            (form["rectify_by"].label, f"{violation['rectify_by']:%Y-%m-%d}"),
        ]
    if not form.violations():
        rows.append((form["kind"].label, pgettext("violation", "none")))
    return rows


def _inspection_consequence(form):
    said = _(
        "The record is saved with you as the inspector and cannot be changed or deleted "
        "afterwards; photos can still be added to it."
    )
    for violation in form.violations():
        said += " " + _(
            "The violation “%(kind)s” is registered as open, to be rectified by %(date)s; only a "
            "later inspection that finds it put right can close it."
        ) % {"kind": ViolationKind(violation["kind"]).label, "date": f"{violation['rectify_by']:%Y-%m-%d}"}
    return said


def _confirm_page(request, *, status=200, **context):
    return render(request, "facilities/confirm.html", context, status=status)


@login_required
def photo(request, pk):
    item = scoped_object_or_404(InspectionPhoto, request.user, pk=pk)
    return FileResponse(item.photo.open("rb"))


@login_required
@require_POST
def violation_act(request, pk, action):
    violation = scoped_object_or_404(
        Violation.objects.select_related("room__compound", "found_in"), request.user, pk=pk
    )
    try:
        if action == "rectify":
            services.update_violation(
                violation, by=request.user, action_taken=request.POST.get("action_taken", "")
            )
        elif action == "close":
            inspection = params.object_or_404(
                Inspection.objects.visible_to(request.user), request.POST.get("inspection")
            )
            if "confirmed" not in request.POST:
                return _confirm_close(request, violation, inspection)
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
    return redirect(reverse("facilities:room", args=[violation.room_id]) + "#violations")


def _confirm_close(request, violation, inspection):
    allowed, reason = services.VIOLATIONS.can(violation, request.user, "close")
    if not allowed:
        raise PermissionDenied(reason)
    form = RectifyForm(initial={"action_taken": request.POST.get("action_taken") or violation.action_taken})
    form.fields["action_taken"].required = False
    return _confirm_page(
        request,
        title=_("Close the violation “%(kind)s”") % {"kind": violation.get_kind_display()},
        summary=[
            (_("care room"), str(violation.room)),
            (_("description"), violation.description),
            (_("found in"), f"{violation.found_in.inspected_on:%Y-%m-%d}"),
            (_("rectify by"), f"{violation.rectify_by:%Y-%m-%d}"),
            (_("closed in"), f"{inspection.inspected_on:%Y-%m-%d}"),
        ],
        consequence=_(
            "The violation is closed as put right by the inspection of %(date)s. A closed "
            "violation cannot be reopened; a new finding needs a new inspection."
        )
        % {"date": f"{inspection.inspected_on:%Y-%m-%d}"},
        post_url=reverse("facilities:violation-act", args=[violation.pk, "close"]),
        hidden=[("inspection", inspection.pk)],
        visible_form=form,
        confirm_label=_("Close the violation"),
        back_url=reverse("facilities:room", args=[violation.room_id]) + "#violations",
    )


def _application_page(request, application, *, bound=None, status=200):
    """The application with its history in words and a form per step the user may take;
    ``bound`` is the form of a refused step, shown with its input and its errors."""
    flow = services.USE_APPLICATIONS
    steps = list(application.steps.select_related("actor", "organization"))
    for step in steps:  # the history reads the declared, translated labels, not the codes
        step.action_label, step.status_label = (
            str(flow.step_label(step.action)),
            flow.state_label(step.to_status),
        )
    actions = []
    for action in flow.available(application, request.user):
        if bound is not None and bound.action == action.name:
            form = bound
        else:
            form = step_form(action.name, application)
        actions.append((action, form))
    context = {
        "application": application,
        "steps": steps,
        "actions": actions,
        "agreement": EntrustmentAgreement.objects.filter(application=application).first(),
    }
    return render(request, "facilities/application.html", context, status=status)


@login_required
def application_detail(request, pk):
    application = scoped_object_or_404(
        UseApplication.objects.select_related("room__compound__region", "town"), request.user, pk=pk
    )
    if request.method != "POST":
        return _application_page(request, application)
    action = request.POST.get("action", "")
    form = step_form(action, application, data=request.POST)
    if not form.is_valid() or "change" in request.POST:
        return _application_page(request, application, bound=form, status=200 if form.is_valid() else 400)
    flow = services.USE_APPLICATIONS
    step = flow.step(action, application.status)
    if step is not None and step.confirm and "confirmed" not in request.POST:
        allowed, reason = flow.can(application, request.user, action)
        if allowed:
            return _confirm_page(
                request,
                title=_("%(action)s: are you sure?") % {"action": step.label},
                summary=[(form[name].label, _shown(form, name)) for name in form.fields],
                consequence=step.confirm,
                post_url=reverse("facilities:application", args=[application.pk]),
                hidden=[("action", action)],
                carried=list(form),
                confirm_label=step.label,
                can_change=True,
            )
    try:
        services.act_on_application(application, action, by=request.user, **form.details())
    except PermissionDenied as exc:
        show_errors(request, exc)
    except ValidationError as exc:
        add_refusal(form, exc)
        return _application_page(request, application, bound=form, status=400)
    else:
        messages.success(request, _("Saved."))
    return redirect("facilities:application", pk=pk)


def _shown(form, name):
    """A confirmed input as people read it: the label of a choice, a date as YYYY-MM-DD."""
    value = form.cleaned_data.get(name)
    field = form.fields[name]
    if value in (None, ""):
        return ""
    if hasattr(field, "choices"):
        return str(dict(field.choices).get(value, value))
    if isinstance(value, dt.date):
        return f"{value:%Y-%m-%d}"
    return str(value)


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
    """The county asked for (or the first the user has targets for) and its progress rows; the
    form shows the county in force selected and offers only the counties with targets."""
    visible = GuidanceTarget.objects.visible_to(request.user)
    counties = Region.objects.filter(pk__in=visible.values("county")).order_by("code")
    form = CountyForm(request.GET or None, counties=counties)
    county = None
    if form.is_bound and form.is_valid():
        county = form.cleaned_data["county"]
    elif not form.is_bound:
        county = counties.first()
        form = CountyForm(initial={"county": county.code if county else None}, counties=counties)
    if county is None:
        return form, None, [], [], None
    years, rows, total = targets.target_progress(
        county,
        rooms=CareRoom.objects.visible_to(request.user),
        targets=visible,
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
    # the heading says what the table covers: the county, or the towns of it the user sees (a
    # town's officer sees its own row only, and 合计 sums the rows shown)
    scope = county.name
    if not scope_for(request.user).covers_region(county):
        scope = f"{county.name}（{'、'.join(row.name for row in rows)}）"
    return {
        "county": county,
        "scope": scope,
        "years": years,
        "rows": rows,
        "total": total,
        "pdf_url": reverse("facilities:progress-pdf") + query,
        "back_url": reverse("facilities:progress") + query,
    }


@login_required
@official_print
def progress_print(request):
    """004 附件 in its own layout, the official figures as imported, the registry's beside them."""
    return render(request, "facilities/progress_print.html", _progress_print_context(request))


@login_required
@official_print
def progress_pdf(request):
    context = _progress_print_context(request)
    return pdf_response(
        request,
        "facilities/progress_print.html",
        context,
        filename=f"{context['scope']}-新建住宅小区养老服务用房投入运营指导数",
    )


def _inspection_print_context(request, pk):
    inspection = scoped_object_or_404(
        Inspection.objects.select_related(
            "room__compound__region", "room__operator", "room__owner", "inspector"
        ).prefetch_related(
            Prefetch("violations", queryset=Violation.objects.select_related("closed_in")),
            "closed_violations",
        ),
        request.user,
        pk=pk,
    )
    inspector = inspection.inspector  # on paper the person's name, not the login
    return {
        "inspection": inspection,
        # the record as it was made: each violation open when found, with the deadline then set
        # (neither changes afterwards); what happened since is a separate note below the table
        "found_state": ViolationState.OPEN.label,
        "later": [
            (number, violation)
            for number, violation in enumerate(inspection.violations.all(), 1)
            if violation.state != ViolationState.OPEN
        ],
        "today": timezone.localdate(),
        "room": inspection.room,
        "inspector_name": (inspector.name or inspector.username) if inspector else "",
        "pdf_url": reverse("facilities:inspection-pdf", args=[inspection.pk]),
        "back_url": reverse("facilities:room", args=[inspection.room_id]),
    }


@login_required
@official_print
def inspection_print(request, pk):
    """An inspection record of a care room: what was found, its violations, the inspector's line."""
    return render(request, "facilities/inspection_print.html", _inspection_print_context(request, pk))


@login_required
@official_print
def inspection_pdf(request, pk):
    context = _inspection_print_context(request, pk)
    inspection = context["inspection"]
    return pdf_response(
        request,
        "facilities/inspection_print.html",
        context,
        filename=(
            f"{_('Inspection record of an elderly-care room')}"
            f"-{inspection.room.compound.name}-{inspection.inspected_on:%Y%m%d}"
        ),
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
@official_print
def agreement_print(request, pk):
    """The entrustment agreement (004 三（四）) with both parties' particulars, to sign and seal."""
    return render(request, "facilities/agreement_print.html", _agreement_print_context(request, pk))


@login_required
@official_print
def agreement_pdf(request, pk):
    context = _agreement_print_context(request, pk)
    return pdf_response(
        request,
        "facilities/agreement_print.html",
        context,
        filename=f"{_('Entrustment agreement')}-{context['agreement'].number}",
    )
