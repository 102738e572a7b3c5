"""Portal pages of the evaluations: the scorecards of a month with the ranking per street and
district, a scorecard's indicators with their raw figures, the findings with their comments,
the schemes and their editing, and the officer's "run now". Everything through the scope."""

from collections import OrderedDict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import params
from accounts.portal import export_query, show_errors
from accounts.scoping import is_editable, scoped_object_or_404
from core.admin_actions import add_refusal
from reports.models import EvaluationRun, EvaluationScheme, Finding, Scorecard, SubjectKind

from . import exports, services
from .catalogue import CATALOGUE
from .filters import FindingFilter, ScorecardFilter, offer_regions
from .forms import CommentForm, RunForm, SchemeForm

LIST_LIMIT = 500


def _lines(card):
    rows = []
    for line in card.lines:
        indicator = CATALOGUE.get(line["code"])
        rows.append(
            {
                **line,
                "label": indicator.label if indicator else line["code"],
                "unit": indicator.unit if indicator else "",
                "raw_text": indicator.format(line["raw"]) if indicator else line["raw"],
                "threshold_text": indicator.format_threshold(line["threshold"], line["direction"])
                if indicator
                else line["threshold"],
            }
        )
    return rows


@login_required
def scorecards(request):
    return _scorecards_page(request)


def _scorecards_page(request, run_form=None):
    """The month's scorecards and rankings; ``run_form`` is a refused run-now form, shown with
    its errors beside its fields and its input kept (the page then answers 400)."""
    cards = Scorecard.objects.visible_to(request.user).select_related("street", "district", "organization")
    latest = cards.aggregate(latest=Max("month"))["latest"]
    query = request.GET.copy()
    if latest and not query.get("month"):
        query["month"] = latest.strftime("%Y-%m")
    filterset = ScorecardFilter(query, queryset=cards, request=request)
    try:
        listed = filterset.qs if filterset.is_valid() else cards.none()
    except ValidationError as exc:
        show_errors(request, exc)
        listed = cards.none()
    if request.GET.get("export") == "xlsx":
        return exports.SCORECARDS.response(listed, request)
    offer_regions(filterset, request.user)
    rows = list(listed.order_by("kind", "district__code", "rank_in_district", "name")[:LIST_LIMIT])
    rankings = _rankings(rows)
    if run_form is None:
        schemes = EvaluationScheme.objects.editable_by(request.user).filter(current__isnull=False)
        if schemes.exists():
            run_form = RunForm(schemes=schemes, initial={"month": _run_month(query.get("month"))})
    context = {
        "filter": filterset,
        "month": query.get("month", ""),
        "cards": rows,
        "rankings": rankings,
        "truncated": len(rows) == LIST_LIMIT,
        "export_query": export_query(request),
        "run_form": run_form,
    }
    status = 400 if run_form is not None and run_form.errors else 200
    return render(request, "reports/evaluation/scorecards.html", context, status=status)


def _rankings(rows):
    """Stations and pilots ranked apart (their stored ranks are per kind): per kind, its cards
    in the district order and its street tables."""
    headings = {SubjectKind.STATION: _("Stations"), SubjectKind.PILOT: _("Pilots")}
    rankings = []
    for kind, heading in headings.items():
        members = [card for card in rows if card.kind == kind]
        if not members:
            continue
        streets = OrderedDict()
        for card in sorted(
            members, key=lambda c: (c.street.code if c.street else "", c.rank_in_street or 10**6, c.name)
        ):
            streets.setdefault(card.street, []).append(card)
        rankings.append({"kind": kind, "heading": heading, "cards": members, "streets": streets.items()})
    return rankings


def _run_month(shown: str | None) -> str:
    """The month the run-now form offers: the month shown if it has ended, else the last one."""
    try:
        month = services.check_month_ended(params.parse_month({"month": shown}) or services.last_month())
    except ValidationError:
        month = services.last_month()
    return f"{month:%Y-%m}"


@login_required
def scorecard_detail(request, pk):
    card = scoped_object_or_404(
        Scorecard.objects.select_related(
            "run__version__scheme", "street", "district", "organization", "region"
        ),
        request.user,
        pk=pk,
    )
    subject = {"station_id": card.station_id} if card.station_id else {"pilot_id": card.pilot_id}
    history = (
        Scorecard.objects.visible_to(request.user)
        .filter(**subject)
        .select_related("run__version")
        .order_by("-month")[:12]
    )
    findings = (
        Finding.objects.visible_to(request.user).filter(**subject).order_by("state", "-opened_month")[:50]
    )
    return render(
        request,
        "reports/evaluation/scorecard.html",
        {"card": card, "lines": _lines(card), "history": history, "findings": findings},
    )


@login_required
def findings(request):
    found = Finding.objects.visible_to(request.user).select_related("organization", "region")
    filterset = FindingFilter(request.GET or None, queryset=found, request=request)
    try:
        if not filterset.is_bound:
            listed = found
        elif filterset.is_valid():
            listed = filterset.qs
        else:  # a refused filter lists (and exports) nothing, the reason beside the field
            listed = found.none()
    except ValidationError as exc:
        show_errors(request, exc)
        listed = found.none()
    if request.GET.get("export") == "xlsx":
        return exports.FINDINGS.response(listed, request)
    offer_regions(filterset, request.user)
    return render(
        request,
        "reports/evaluation/findings.html",
        {"filter": filterset, "findings": listed[:LIST_LIMIT], "export_query": export_query(request)},
    )


@login_required
def finding_detail(request, pk):
    finding = scoped_object_or_404(
        Finding.objects.select_related("organization", "region", "scheme"), request.user, pk=pk
    )
    editable = is_editable(finding, request.user)
    form = CommentForm(request.POST or None)
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.add_comment(finding, by=request.user, text=form.cleaned_data["text"])
            except ValidationError as exc:
                add_refusal(form, exc, "text")
            else:
                messages.success(request, _("Your comment is recorded."))
                return redirect("reports:evaluation_finding", pk=finding.pk)
    context = {
        "finding": finding,
        "comments": finding.comments.select_related("author"),
        "form": form if editable else None,
        "cards": Scorecard.objects.visible_to(request.user)
        .filter(station_id=finding.station_id, pilot_id=finding.pilot_id)
        .order_by("-month")[:12],
    }
    return render(request, "reports/evaluation/finding.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def run_now(request):
    schemes = EvaluationScheme.objects.editable_by(request.user).filter(current__isnull=False)
    if not schemes.exists():
        raise PermissionDenied
    form = RunForm(request.POST, schemes=schemes)
    if form.is_valid():
        try:
            month = params.parse_month(form.cleaned_data)
            run = services.run_evaluation(form.cleaned_data["scheme"], month, by=request.user)
        except (ValidationError, PermissionDenied) as exc:
            refusal = exc if isinstance(exc, ValidationError) else ValidationError(str(exc))
            add_refusal(form, refusal, "month")
        else:
            messages.success(request, services.run_summary(run))
            return redirect(f"{reverse('reports:evaluation_scorecards')}?month={run.month:%Y-%m}")
    return _scorecards_page(request, run_form=form)


@login_required
def schemes(request):
    listed = EvaluationScheme.objects.visible_to(request.user).select_related("region", "current")
    runs = EvaluationRun.objects.visible_to(request.user).select_related("scheme", "version")[:24]
    return render(
        request,
        "reports/evaluation/schemes.html",
        {
            "schemes": [
                {
                    "scheme": s,
                    "indicators": list(s.current.indicators.all()) if s.current else [],
                    "editable": is_editable(s, request.user),
                }
                for s in listed
            ],
            "runs": runs,
            "may_create": request.user.is_superuser or services.may_set_schemes(request.user),
        },
    )


@login_required
def scheme_edit(request, pk=None):
    scheme = None
    if pk is not None:
        scheme = scoped_object_or_404(
            EvaluationScheme.objects.select_related("region", "current"), request.user, pk=pk
        )
        if not is_editable(scheme, request.user):
            raise PermissionDenied
    elif not (request.user.is_superuser or services.may_set_schemes(request.user)):
        raise PermissionDenied
    form = SchemeForm(request.POST or None, scheme=scheme, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_scheme(
                scheme,
                by=request.user,
                region=form.cleaned_data.get("region"),
                name=form.cleaned_data["name"],
                is_active=form.cleaned_data["is_active"],
                note=form.cleaned_data["note"],
                indicators=form.chosen_indicators(),
            )
        except (ValidationError, PermissionDenied) as exc:
            refusal = exc if isinstance(exc, ValidationError) else ValidationError(str(exc))
            add_refusal(form, refusal, "indicators")
        else:
            messages.success(
                request,
                _("The scheme is saved; version %(number)d applies to the next runs.")
                % {"number": saved.current.number},
            )
            return redirect("reports:evaluation_schemes")
    return render(
        request,
        "reports/evaluation/scheme_form.html",
        {"form": form, "scheme": scheme, "rows": form.bound_rows()},
        status=400 if form.errors else 200,
    )
