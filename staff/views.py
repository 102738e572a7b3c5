"""Portal pages: companies keep their staff, qualifications, resource information and
volunteers; everyone concerned sees training results, the training progress and the monthly
summary of what the three roles did. Every list exports exactly its filtered rows."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import params
from accounts.pii import can_reveal, reveal, without_secrets
from accounts.portal import export_query, show_errors, show_form_errors
from accounts.scoping import is_editable, scope_for, scoped_object_or_404
from regions.models import Region

from . import exports, services
from .api.filters import StaffFilter
from .forms import ProgressForm, QualificationForm, ResourceForm, StaffForm
from .models import StaffMember, StationResource, TrainingRecord, TrainingSession


def _wants_export(request):
    return request.GET.get("export") == "xlsx"


@login_required
def staff_list(request):
    # the list shows the stored masks: no phone or identity number is decrypted
    queryset = without_secrets(
        StaffMember.objects.visible_to(request.user).select_related("employer", "region")
    )
    filterset = StaffFilter(request.GET or None, queryset=queryset, request=request)
    rows = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset
    if _wants_export(request):
        return exports.STAFF.response(rows, request)
    can_edit = StaffForm(user=request.user).fields["employer"].queryset.exists()
    searched = request.method == "POST" and request.POST.get("what") == "search"
    if searched:
        # The exact search is posted, so a phone or identity number never lands in a URL, a log
        # or the browser history, and it is not echoed back into the page.
        term = "".join(request.POST.get("term", "").split())
        rows = services.find_staff(queryset, phone=term) | services.find_staff(queryset, id_number=term)
        if not term:
            rows = queryset.none()
    if request.method == "POST" and not searched:
        form = StaffForm(request.POST, user=request.user)
        if form.is_valid():
            data = dict(form.cleaned_data)
            stations = data.pop("stations")
            try:
                member = services.save_staff(None, by=request.user, stations=stations, **data)
            except (ValidationError, PermissionDenied) as exc:
                show_errors(request, exc)
            else:
                messages.success(request, _("%(name)s is on the list.") % {"name": member.name})
                return redirect("staff:detail", pk=member.pk)
        else:
            show_form_errors(request, form)
    else:
        form = StaffForm(user=request.user, initial={"joined_on": timezone.localdate()})
    page = list(rows.prefetch_related("stations", "qualifications").order_by("employer__name", "name")[:500])
    today = timezone.localdate()
    warning = today + dt.timedelta(days=services.settings.QUALIFICATION_WARNING_DAYS)
    for member in page:
        member.expiring = [q for q in member.qualifications.all() if q.expires_on and q.expires_on <= warning]
    return render(
        request,
        "staff/staff_list.html",
        {
            "filter": filterset,
            "members": page,
            "form": form if can_edit else None,
            "export_query": export_query(request),
        },
    )


@login_required
def staff_detail(request, pk):
    member = scoped_object_or_404(
        StaffMember.objects.select_related("employer", "region", "user"), request.user, pk=pk
    )
    editable = is_editable(member, request.user)
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        what = request.POST.get("what")
        try:
            if what == "staff":
                form = StaffForm(request.POST, user=request.user)
                if not form.is_valid():
                    show_form_errors(request, form)
                    return redirect("staff:detail", pk=pk)
                data = dict(form.cleaned_data)
                stations = data.pop("stations")
                for secret in ("phone", "id_number"):  # empty keeps what is on file
                    if not data[secret]:
                        data.pop(secret)
                services.save_staff(member, by=request.user, stations=stations, **data)
            elif what == "qualification":
                form = QualificationForm(request.POST)
                if not form.is_valid():
                    show_form_errors(request, form)
                    return redirect("staff:detail", pk=pk)
                services.save_qualification(None, by=request.user, staff=member, **form.cleaned_data)
            elif what == "delete-qualification":
                qualification = params.object_or_404(member.qualifications, request.POST.get("qualification"))
                services.delete_qualification(qualification, by=request.user)
            else:
                raise PermissionDenied
        except (ValidationError, PermissionDenied) as exc:
            show_errors(request, exc)
        else:
            messages.success(request, _("Saved."))
        return redirect("staff:detail", pk=pk)
    stations = list(member.employer.stations.exclude(status="closed").select_related("operator"))
    eligibility = [(station, member.serve_refusal(station)) for station in stations[:20]]
    context = {
        "member": member,
        "editable": editable,
        "stations": member.stations.all(),
        "qualifications": member.qualifications.all(),
        "records": member.training_records.select_related("session").order_by("-session__starts_on"),
        "eligibility": eligibility,
        "account": getattr(member, "points_account", None),
        "can_reveal": can_reveal(request.user, StaffMember),
        "form": StaffForm(initial=StaffForm.initial_for(member), user=request.user) if editable else None,
        "qualification_form": QualificationForm() if editable else None,
        "today": timezone.localdate(),
    }
    return render(request, "staff/staff_detail.html", context)


@login_required
@require_POST
def staff_reveal(request, pk):
    member = scoped_object_or_404(StaffMember, request.user, pk=pk)
    try:
        plain = reveal(member, ("phone", "id_number"), by=request.user)
    except PermissionDenied as exc:
        show_errors(request, exc)
        return redirect("staff:detail", pk=pk)
    return render(request, "staff/staff_reveal.html", {"member": member, "plain": plain})


@login_required
def training(request):
    """Sessions, and the results of the staff the user can see (a company: its own people)."""
    records = (
        TrainingRecord.objects.visible_to(request.user)
        .select_related("session", "staff__employer", "staff__region")
        .order_by("-session__starts_on", "staff__name")
    )
    kind = request.GET.get("kind", "")
    if kind:
        records = records.filter(session__kind=kind)
    if request.GET.get("passed") in ("0", "1"):
        records = records.filter(passed=request.GET["passed"] == "1")
    if _wants_export(request):
        return exports.RECORDS.response(records, request)
    sessions = (
        TrainingSession.objects.visible_to(request.user)
        .select_related("organiser", "region")
        .annotate(
            record_total=Count("records", distinct=True),
            passed_total=Count("records", filter=Q(records__passed=True), distinct=True),
        )
        .order_by("-starts_on", "-id")[:50]
    )
    return render(
        request,
        "staff/training.html",
        {
            "sessions": sessions,
            "records": records[:500],
            "kind": kind,
            "export_query": export_query(request),
        },
    )


def _default_region(user):
    """The broadest region of the user's scope (a district officer: the district; a street
    officer: the street), or for a company the district its first staff member works in."""
    codes = scope_for(user).view_region_codes
    if codes:
        return Region.objects.filter(code=min(codes, key=len)[:9]).first()
    staff = StaffMember.objects.visible_to(user).select_related("region").first()
    if staff is not None:
        return Region.objects.filter(code=staff.region.code[:6]).first()
    return None


@login_required
def progress(request):
    """000: 全区培训 200 人次 — person-times against the target, by street and by company. As
    first opened (and its export link) the page shows the user's own region this year."""
    default = _default_region(request.user)
    this_year = timezone.localdate().year
    data = request.GET.copy()
    data.pop("export", None)
    form = ProgressForm(
        data or None,
        user=request.user,
        initial={"region": default.code if default else None, "year": this_year},
    )
    region, year = (default, this_year) if not form.is_bound else (None, None)
    if form.is_bound and form.is_valid():
        region, year = form.cleaned_data["region"], form.cleaned_data["year"]
    elif form.is_bound:
        show_form_errors(request, form)
    result = services.progress_for(request.user, region, year) if region is not None else None
    if result is not None and _wants_export(request):
        return exports.progress_response(result)
    return render(
        request,
        "staff/progress.html",
        {"form": form, "progress": result, "export_query": export_query(request)},
    )


@login_required
def resources(request):
    rows = StationResource.objects.visible_to(request.user).select_related("station", "updated_by")
    station = request.GET.get("station", "")
    if station.isdigit():
        rows = rows.filter(station_id=int(station))
    if _wants_export(request):
        return exports.RESOURCES.response(rows, request)
    if request.method == "POST":
        form = ResourceForm(request.POST, user=request.user)
        instance = None
        if request.POST.get("resource"):
            instance = params.object_or_404(
                StationResource.objects.editable_by(request.user), request.POST["resource"]
            )
        if form.is_valid():
            data = dict(form.cleaned_data)
            chosen = data.pop("station")
            try:
                if instance is None:
                    services.save_resource(None, by=request.user, station=chosen, **data)
                else:
                    services.save_resource(instance, by=request.user, **data)
            except (ValidationError, PermissionDenied) as exc:
                show_errors(request, exc)
            else:
                messages.success(request, _("Saved."))
        else:
            show_form_errors(request, form)
        return redirect("staff:resources")
    return render(
        request,
        "staff/resources.html",
        {
            "resources": rows.order_by("station__name", "kind", "name")[:500],
            "form": ResourceForm(user=request.user),
            "export_query": export_query(request),
        },
    )
