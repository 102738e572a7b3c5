"""Portal pages: companies keep their staff, qualifications, resource information and
volunteers; everyone concerned sees training results, the training progress and the monthly
summary of what the three roles did. Every list exports exactly its filtered rows."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import params
from accounts.pii import can_reveal, reveal
from accounts.portal import export_query, show_errors, show_form_errors
from accounts.scoping import scope_for
from regions.models import Region
from stations.models import Station

from . import exports, services
from .api.filters import StaffFilter
from .forms import (
    ActivityForm,
    ProgressForm,
    QualificationForm,
    ResourceForm,
    RewardForm,
    SpendForm,
    StaffForm,
    TeamForm,
)
from .models import (
    PointsAccount,
    PointsEntry,
    Reward,
    StaffMember,
    StationResource,
    TrainingRecord,
    TrainingSession,
    TrainingTarget,
    VolunteerActivity,
    VolunteerTeam,
)


def _wants_export(request):
    return request.GET.get("export") == "xlsx"


@login_required
def staff_list(request):
    queryset = StaffMember.objects.visible_to(request.user).select_related("employer", "region")
    filterset = StaffFilter(request.GET or None, queryset=queryset, request=request)
    rows = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset
    if _wants_export(request):
        return exports.STAFF.response(rows)
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
    member = get_object_or_404(
        StaffMember.objects.visible_to(request.user).select_related("employer", "region", "user"), pk=pk
    )
    editable = StaffMember.objects.editable_by(request.user).filter(pk=pk).exists()
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
    stations = list(
        Station.objects.filter(operator=member.employer).exclude(status="closed").select_related("operator")
    )
    eligibility = [(station, member.serve_refusal(station)) for station in stations[:20]]
    account = PointsAccount.objects.filter(volunteer=member).first()
    context = {
        "member": member,
        "editable": editable,
        "stations": member.stations.all(),
        "qualifications": member.qualifications.all(),
        "records": member.training_records.select_related("session").order_by("-session__starts_on"),
        "eligibility": eligibility,
        "account": account,
        "can_reveal": can_reveal(request.user, StaffMember),
        "form": StaffForm(initial=StaffForm.initial_for(member), user=request.user) if editable else None,
        "qualification_form": QualificationForm() if editable else None,
        "today": timezone.localdate(),
    }
    return render(request, "staff/staff_detail.html", context)


@login_required
@require_POST
def staff_reveal(request, pk):
    member = get_object_or_404(StaffMember.objects.visible_to(request.user), pk=pk)
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
        return exports.RECORDS.response(records)
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


def _default_district(user):
    scope = scope_for(user)
    codes = [code for code in scope.view_region_codes if len(code) <= 6]
    if codes:
        return Region.objects.filter(code=codes[0]).first()
    staff = StaffMember.objects.visible_to(user).select_related("region").first()
    if staff is not None:
        return Region.objects.filter(code=staff.region.code[:6]).first()
    return None


@login_required
def progress(request):
    """000: 全区培训 200 人次 — person-times against the target, by street and by company."""
    district = _default_district(request.user)
    form = ProgressForm(
        request.GET or None,
        initial={"region": district.code if district else None, "year": timezone.localdate().year},
    )
    result = None
    if form.is_bound and form.is_valid():
        region, year = form.cleaned_data["region"], form.cleaned_data["year"]
    elif form.is_bound:
        show_form_errors(request, form)
        region = None
    elif not form.is_bound and district is not None:
        region, year = district, timezone.localdate().year
    else:
        region = None
    if region is not None:
        result = services.training_progress(
            region,
            year,
            records=TrainingRecord.objects.visible_to(request.user),
            targets=TrainingTarget.objects.visible_to(request.user),
        )
        if _wants_export(request):
            return exports.progress_response(result)
    return render(
        request,
        "staff/progress.html",
        {"form": form, "progress": result, "export_query": export_query(request)},
    )


def _own_stations(user):
    """The stations a user answers for: a bureau's region, or a company's own (the public
    finder's operating stations elsewhere are not theirs to report on)."""
    if user.is_superuser:
        return Station.objects.all()
    scope = scope_for(user)
    condition = Q(operator__in=scope.view_organization_ids)
    for code in scope.view_region_codes:
        condition |= Q(region__code__startswith=code)
    return Station.objects.filter(condition)


@login_required
def duties(request):
    this_month = timezone.localdate().replace(day=1)
    try:
        month = params.parse_month(request.GET, default=this_month).strftime("%Y-%m")
    except ValidationError as exc:
        show_errors(request, exc)
        month = this_month.strftime("%Y-%m")
    people, stations = services.monthly_duties(
        StaffMember.objects.visible_to(request.user).filter(status="active"),
        _own_stations(request.user).exclude(status="closed").select_related("operator")[:500],
        month,
    )
    if _wants_export(request):
        return exports.duties_response(people, stations, month)
    return render(
        request,
        "staff/duties.html",
        {"month": month, "people": people, "stations": stations, "export_query": export_query(request)},
    )


@login_required
def resources(request):
    rows = StationResource.objects.visible_to(request.user).select_related("station", "updated_by")
    station = request.GET.get("station", "")
    if station.isdigit():
        rows = rows.filter(station_id=int(station))
    if _wants_export(request):
        return exports.RESOURCES.response(rows)
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


VOLUNTEER_FORMS = {"team": TeamForm, "activity": ActivityForm, "reward": RewardForm, "spend": SpendForm}


@login_required
def volunteers(request):
    """Teams, activities with hours (points earned by the rule), goods, exchanges and the
    ledger with its corrections (001: 志愿服务积分兑换生活用品)."""
    user = request.user
    if request.method == "POST":
        what = request.POST.get("what")
        try:
            if what == "reverse":
                entry = params.object_or_404(PointsEntry.objects.visible_to(user), request.POST.get("entry"))
                services.reverse_entry(entry, by=user, reason=request.POST.get("reason", ""))
            else:
                form_class = VOLUNTEER_FORMS.get(what)
                if form_class is None:
                    raise PermissionDenied
                form = form_class(request.POST, user=user)
                if not form.is_valid():
                    show_form_errors(request, form)
                    return redirect("staff:volunteers")
                data = dict(form.cleaned_data)
                if what == "team":
                    services.save_team(None, by=user, members=data.pop("members"), **data)
                elif what == "activity":
                    hours = data.pop("hours_by_volunteer")
                    data.pop("hours")
                    services.record_activity(by=user, hours=hours, **data)
                elif what == "reward":
                    services.save_reward(by=user, **data)
                elif what == "spend":
                    services.spend_points(by=user, **data)
        except (ValidationError, PermissionDenied) as exc:
            show_errors(request, exc)
        else:
            messages.success(request, _("Saved."))
        return redirect("staff:volunteers")
    teams = (
        VolunteerTeam.objects.visible_to(user)
        .select_related("organization", "station", "community", "leader")
        .prefetch_related("members__points_account")
    )
    ledger = PointsEntry.objects.visible_to(user).select_related(
        "account__volunteer", "reward", "reversed_by"
    )
    if _wants_export(request):
        return exports.LEDGER.response(ledger)
    context = {
        "teams": teams,
        "activities": VolunteerActivity.objects.visible_to(user)
        .select_related("team")
        .prefetch_related("hours__volunteer")[:20],
        "rewards": Reward.objects.visible_to(user).select_related("organization"),
        "ledger": ledger.order_by("-id")[:50],
        "forms": {name: cls(user=user) for name, cls in VOLUNTEER_FORMS.items()},
        "export_query": export_query(request),
    }
    return render(request, "staff/volunteers.html", context)


@login_required
def statement(request, pk):
    volunteer = get_object_or_404(StaffMember.objects.visible_to(request.user), pk=pk)
    today = timezone.localdate()
    start, end = today.replace(month=1, day=1), today
    try:
        start, end = params.parse_period(request.GET, default_start=start, default_end=end)
    except ValidationError as exc:
        show_errors(request, exc)
    result = services.statement(volunteer, start=start, end=end)
    if _wants_export(request):
        return exports.statement_response(result)
    return render(
        request, "staff/statement.html", {"statement": result, "export_query": export_query(request)}
    )
