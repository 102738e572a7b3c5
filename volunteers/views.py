"""Portal pages for volunteers: teams, activities with hours, goods and exchanges, the ledger
with its corrections, and each volunteer's statement (001: 志愿服务积分兑换生活用品)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import params
from accounts.portal import export_query, show_errors
from core.admin_actions import add_refusal
from staff.models import StaffMember

from . import exports, services
from .forms import ActivityForm, ReverseForm, RewardForm, SpendForm, TeamForm
from .models import PointsEntry, Reward, VolunteerActivity, VolunteerTeam


def _wants_export(request):
    return request.GET.get("export") == "xlsx"


VOLUNTEER_FORMS = {"team": TeamForm, "activity": ActivityForm, "reward": RewardForm, "spend": SpendForm}


@login_required
def volunteers(request):
    """Teams, activities with hours (points earned by the rule), goods, exchanges and the
    ledger with its corrections (001: 志愿服务积分兑换生活用品)."""
    user = request.user
    bound = None
    if request.method == "POST":
        what = request.POST.get("what")
        if what == "reverse":  # a page of before: reversing is asked first on its own page
            entry = params.object_or_404(PointsEntry.objects.visible_to(user), request.POST.get("entry"))
            return redirect("volunteers:reverse", pk=entry.pk)
        form_class = VOLUNTEER_FORMS.get(what)
        if form_class is None:
            raise PermissionDenied
        form = form_class(request.POST, user=user, auto_id=f"id_{what}_%s")
        try:
            if form.is_valid():
                _save(what, form.cleaned_data, user)
        except PermissionDenied as exc:
            show_errors(request, exc)
            return redirect("volunteers:index")
        except ValidationError as exc:  # the ledger's "not enough points" belongs beside the quantity
            add_refusal(form, exc, "quantity" if what == "spend" else None)
        if not form.errors:
            messages.success(request, _("Saved."))
            return redirect("volunteers:index")
        bound = form  # refused: the page again, the input kept and the errors beside the fields
    teams = (
        VolunteerTeam.objects.visible_to(user)
        .select_related("organization", "station", "community", "leader")
        .prefetch_related("members__points_account")
    )
    ledger = PointsEntry.objects.visible_to(user).select_related(
        "account__volunteer", "reward", "reversed_by"
    )
    if _wants_export(request):
        return exports.LEDGER.response(ledger, request)
    context = {
        "teams": teams,
        "activities": VolunteerActivity.objects.visible_to(user)
        .select_related("team")
        .prefetch_related("hours__volunteer")[:20],
        "rewards": Reward.objects.visible_to(user).select_related("organization"),
        "ledger": ledger.order_by("-id")[:50],
        "forms": {
            name: bound
            if bound is not None and bound.auto_id == f"id_{name}_%s"
            else cls(user=user, auto_id=f"id_{name}_%s")
            for name, cls in VOLUNTEER_FORMS.items()
        },
        "export_query": export_query(request),
    }
    return render(request, "volunteers/volunteers.html", context, status=400 if bound is not None else 200)


def _form(name, bound, user):
    """The refused form as sent, the others empty; each with ids of its own on the page."""
    if bound is not None and bound.auto_id == f"id_{name}_%s":
        return bound
    return VOLUNTEER_FORMS[name](user=user, auto_id=f"id_{name}_%s")


def _save(what, cleaned, user):
    data = dict(cleaned)
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


@login_required
def reverse_entry(request, pk):
    """Reversing a ledger entry asks first: this page says what the reversing entry will do
    (points, the balance before and after, goods back in stock) and takes the reason; only its
    confirmation (a POST) appends the entry."""
    entry = get_object_or_404(
        PointsEntry.objects.visible_to(request.user).select_related("account__volunteer__employer", "reward"),
        pk=pk,
    )
    preview = services.preview_reversal(entry, by=request.user)
    form = ReverseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reverse_entry(entry, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_refusal(form, exc, "reason")
        else:
            messages.success(request, _("Entry #%(id)d is reversed.") % {"id": entry.pk})
            return redirect(reverse("volunteers:index") + "#ledger")
    return render(
        request,
        "volunteers/reverse_confirm.html",
        {"preview": preview, "entry": entry, "form": form},
        status=400 if form.errors else 200,
    )


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
        request, "volunteers/statement.html", {"statement": result, "export_query": export_query(request)}
    )
