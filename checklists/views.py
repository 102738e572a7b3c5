"""Portal pages of the five lists (五张清单) and posted prices (明码标价): the district bureau's
samples, each station's lists for its company and its street office, the street office's
approval queue and supervision checks, and the public lists with their printable poster."""

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from accounts.portal import show_errors
from accounts.scoping import (
    GOVERNMENT_EDITING_ROLES,
    GOVERNMENT_KINDS,
    acting_organization,
    scope_for,
    scoped_object_or_404,
)
from regions.models import region_subtree
from reports.spreadsheets import ImportFailed
from stations import services as station_services
from stations.models import Station

from . import exports, imports, services
from .forms import CheckForm, ImportForm, ItemForm, ReturnForm, ReviewForm, StartForm
from .models import (
    OPEN_STATES,
    POSTED_STATES,
    CheckFinding,
    ChecklistCheck,
    ChecklistItem,
    ChecklistVersion,
    ListKind,
    VersionState,
    column_label,
    kind_fields,
)

VERSION_RELATED = (
    "station__region",
    "station__operator",
    "region",
    "template",
    "approved_by",
    "approving_office",
    "published_by",
)


def _add_service_errors(form, exc) -> None:
    """A service's refusal beside the field it names, else above the form."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, getattr(exc, "messages", None) or [str(exc)])


def _shown(item: ChecklistItem, name: str) -> str:
    value = getattr(item, name)
    if value in (None, ""):
        return ""
    display = getattr(item, f"get_{name}_display", None)
    return str(display() if display is not None else value)


def _can_edit(version: ChecklistVersion, user) -> bool:
    if not version.is_editable_state:
        return False
    if version.is_template:
        return services.TEMPLATES.actor_bureau(version, user).allowed
    return services.STATION_LISTS.actor_editor(version, user).allowed


def _lists(version, items, *, editable=False, editing=None, bound=None):
    """The five lists of ``version`` as tables: per kind its columns, its rows (each with its
    change form when being changed) and, when editable, the form that adds an item."""
    bound = bound or {}
    sections = []
    for kind, label in ListKind.choices:
        names = kind_fields(kind)
        rows = []
        for item in items:
            if item.kind != kind:
                continue
            form = None
            if editable and editing == item.pk:
                form = bound.get(("change", item.pk)) or ItemForm(
                    kind=kind, initial=item.values(), auto_id=f"id_item{item.pk}_%s"
                )
            cells = [_shown(item, name) for name in names]
            if kind == ListKind.SERVICES and version.station_id and not item.provider:
                cells[names.index("provider")] = version.station.operator.name  # blank: the company itself
            rows.append({"item": item, "cells": cells, "form": form})
        add_form = None
        if editable:
            add_form = bound.get(("add", kind)) or ItemForm(kind=kind, auto_id=f"id_{kind}_%s")
        sections.append(
            {
                "kind": kind,
                "label": label,
                "columns": [column_label(kind, name) for name in names],
                "rows": rows,
                "add_form": add_form,
                "add_open": ("add", kind) in bound,
            }
        )
    return sections


def _actions(version, user):
    offered = services.available(version, user)
    return [action for action in offered if action.name != "return"], any(
        action.name == "return" for action in offered
    )


def _version_post(request, version):
    """Handle a change to ``version``'s items or a step of its workflow. Returns a redirect on
    success, else the bound forms (by key) that come back with their errors, or None."""
    what = request.POST.get("what")
    by = request.user
    try:
        if what == "add":
            kind = request.POST.get("kind")
            if kind not in ListKind.values:
                raise PermissionDenied
            form = ItemForm(request.POST, kind=kind, auto_id=f"id_{kind}_%s")
            if form.is_valid():
                try:
                    item = services.add_item(version, by=by, kind=kind, **form.values())
                except ValidationError as exc:
                    _add_service_errors(form, exc)
                else:
                    messages.success(request, _("“%(name)s” added.") % {"name": item.name})
                    return None
            return {("add", kind): form}
        if what in ("change", "remove"):
            item = version.items.filter(pk=request.POST.get("item")).first()
            if item is None:
                raise Http404
            if what == "remove":
                services.remove_item(item, by=by)
                messages.success(request, _("“%(name)s” removed.") % {"name": item.name})
                return None
            form = ItemForm(request.POST, kind=item.kind, auto_id=f"id_item{item.pk}_%s")
            if form.is_valid():
                try:
                    services.change_item(item, by=by, **form.values())
                except ValidationError as exc:
                    _add_service_errors(form, exc)
                else:
                    messages.success(request, _("“%(name)s” changed.") % {"name": form.values()["name"]})
                    return None
            return {("change", item.pk): form}
        if what == "import":
            form = ImportForm(request.POST, request.FILES)
            if form.is_valid():
                kind, upload = form.cleaned_data["kind"] or None, form.cleaned_data["file"]
                try:
                    if kind:
                        counts = {
                            kind: imports.import_list(version, kind, upload, by=by, filename=upload.name).rows
                        }
                    else:
                        counts = imports.import_workbook(version, upload, by=by)
                except ImportFailed as exc:
                    form.add_error("file", exc.messages[:50])
                else:
                    messages.success(
                        request,
                        _("Imported: %(lists)s.")
                        % {"lists": "；".join(f"{ListKind(k).label} {n}" for k, n in counts.items())},
                    )
                    return None
            return {("import", None): form}
        if what == "act":
            action = request.POST.get("action", "")
            inputs = {}
            form = None
            if action == "return":
                form = ReturnForm(request.POST)
                form.is_valid()
                inputs["reason"] = form.cleaned_data.get("reason", "")
            try:
                services.perform(version, action, by=by, **inputs)
            except ValidationError as exc:
                if form is None:
                    raise
                _add_service_errors(form, exc)
                return {("return", None): form}
            messages.success(
                request,
                _("Version %(number)s is now “%(state)s”.")
                % {
                    "number": version.number,
                    "state": ChecklistVersion.objects.get(pk=version.pk).get_state_display(),
                },
            )
            return None
    except (ValidationError, PermissionDenied) as exc:
        if isinstance(exc, PermissionDenied) and not getattr(exc, "args", None):
            raise
        show_errors(request, exc)
        return None
    raise PermissionDenied


def _version_context(request, version, bound=None):
    items = list(version.items.select_related(None).order_by("kind", "position", "id"))
    editable = _can_edit(version, request.user)
    editing = None
    for key in bound or {}:
        if key[0] == "change":
            editing = key[1]
    if editing is None and editable:
        editing = _int(request.GET.get("edit"))
    actions, can_return = _actions(version, request.user)
    return {
        "version": version,
        "lists": _lists(version, items, editable=editable, editing=editing, bound=bound),
        "editable": editable,
        "actions": actions,
        "can_return": can_return,
        "return_form": (bound or {}).get(("return", None)) or ReturnForm(),
        "return_open": ("return", None) in (bound or {}),
        "differences": None if version.is_template else services.differences(version),
        "changes": None if version.is_template else services.differences(version, against="previous"),
        "import_form": (bound or {}).get(("import", None)) or ImportForm(),
        "import_open": ("import", None) in (bound or {}),
        "list_kinds": ListKind.choices,
        "item_count": len(items),
    }


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- the district samples (the bureau) ---------------------------------------------------------


def _bureau_districts(user):
    """The districts whose sample ``user`` issues (through a civil-affairs or housing bureau)."""
    districts = {}
    for membership in user.memberships.select_related("organization__region"):
        organization = membership.organization
        if (
            membership.is_active
            and organization.kind in services.BUREAU_KINDS
            and membership.role in GOVERNMENT_EDITING_ROLES
            and organization.region_id
            and len(organization.region.code) == 6
        ):
            districts[organization.region.pk] = organization.region
    return list(districts.values())


@login_required
def samples(request):
    districts = _bureau_districts(request.user)
    form = StartForm(request.POST or None)
    if request.method == "POST":
        district = next((d for d in districts if str(d.pk) == request.POST.get("district")), None)
        if district is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                version = services.start_template(district, by=request.user, note=form.cleaned_data["note"])
            except (ValidationError, PermissionDenied) as exc:
                _add_service_errors(form, exc)
            else:
                messages.success(request, _("Version %(number)s started.") % {"number": version.number})
                return redirect("checklists:version", pk=version.pk)
    versions = (
        ChecklistVersion.objects.templates()
        .visible_to(request.user)
        .select_related("region", "published_by", "issuer")
        .annotate(item_count=Count("items"))
        .order_by("region__code", "-number")
    )
    open_districts = set(
        ChecklistVersion.objects.templates()
        .filter(region__in=districts, state__in=OPEN_STATES)
        .values_list("region_id", flat=True)
    )
    context = {
        "versions": versions[:200],
        "districts": [(d, d.pk in open_districts) for d in districts],
        "form": form,
    }
    return render(request, "checklists/samples.html", context)


@login_required
def version_detail(request, pk):
    version = scoped_object_or_404(
        ChecklistVersion.objects.select_related(*VERSION_RELATED), request.user, pk=pk
    )
    bound = None
    if request.method == "POST":
        bound = _version_post(request, version)
        if not bound:
            return redirect(request.path)
        version.refresh_from_db()
    context = _version_context(request, version, bound)
    return render(request, "checklists/version.html", context)


# --- a station's lists (the company, the street office) -----------------------------------------


def _own_stations(user):
    """The stations whose lists ``user`` works on: those of the user's company, or of the
    officer's region (every operating station is public, its lists in the works are not)."""
    stations = Station.objects.visible_to(user).select_related("region", "operator")
    scope = scope_for(user)
    if scope.is_superuser:
        return stations
    condition = region_subtree("region", *scope.region_codes(False))
    if scope.organization_ids(False):
        condition |= Q(operator_id__in=scope.organization_ids(False))
    return stations.filter(condition)


def _history(station):
    return (
        ChecklistVersion.objects.filter(station=station, state__in=POSTED_STATES)
        .select_related("approved_by", "approving_office", "published_by")
        .order_by("-number")
    )


@login_required
def station_lists(request, pk):
    station = get_object_or_404(_own_stations(request.user), pk=pk)
    published = services.published_version(station)
    current = (
        ChecklistVersion.objects.select_related(*VERSION_RELATED)
        .filter(station=station, state__in=OPEN_STATES)
        .first()
    )
    bound = None
    start_form = StartForm()
    review_form = ReviewForm(initial={"reviewed_on": timezone.localdate()})
    if request.method == "POST":
        what = request.POST.get("what")
        if what == "start":
            start_form = StartForm(request.POST)
            if start_form.is_valid():
                try:
                    current = services.start_station_list(
                        station, by=request.user, note=start_form.cleaned_data["note"]
                    )
                except (ValidationError, PermissionDenied) as exc:
                    _add_service_errors(start_form, exc)
                else:
                    messages.success(request, _("Version %(number)s started.") % {"number": current.number})
                    return redirect(request.path)
            bound = {"start": start_form}
        elif what == "review":
            review_form = ReviewForm(request.POST)
            if published is None:
                raise Http404
            if review_form.is_valid():
                try:
                    services.confirm_resources_reviewed(
                        published, by=request.user, on=review_form.cleaned_data["reviewed_on"]
                    )
                except ValidationError as exc:
                    if hasattr(exc, "error_dict") and "on" in exc.error_dict:
                        exc = ValidationError({"reviewed_on": exc.error_dict["on"]})
                    _add_service_errors(review_form, exc)
                else:
                    messages.success(request, _("The resource list is confirmed as reviewed."))
                    return redirect(request.path)
            bound = {"review": review_form}
        else:
            if current is None:
                raise Http404
            bound = _version_post(request, current)
            if not bound:
                return redirect(request.path)
    context = {
        "station": station,
        "published": published,
        "current": current,
        "overdue": published is not None and services.resources_review_overdue(published),
        "history": _history(station),
        "findings": CheckFinding.objects.open()
        .filter(check_record__station=station)
        .select_related("item", "check_record__checked_by"),
        "start_form": start_form,
        "review_form": review_form,
        "can_start": current is None and _may_start(station, request.user),
        "can_review": published is not None
        and services.STATION_LISTS.actor_editor(published, request.user).allowed,
        "can_check": published is not None and _may_check(station, request.user),
        "review_days": services.resource_review_days(),
    }
    if current is not None:
        context.update(_version_context(request, current, bound if isinstance(bound, dict) else None))
    return render(request, "checklists/station.html", context)


def _may_start(station, user) -> bool:
    probe = ChecklistVersion(station=station, region=station.region, number=0)
    return services.STATION_LISTS.actor_editor(probe, user).allowed


def _may_check(station, user) -> bool:
    office = acting_organization(
        user, kinds=GOVERNMENT_KINDS, roles=GOVERNMENT_EDITING_ROLES, region=station.region
    )
    return user.is_superuser or office is not None


# --- the street office: approvals and supervision checks ------------------------------------------


@login_required
def queue(request):
    """The street office's desk: lists submitted for approval, the stations whose published lists
    it checks, and the findings still open."""
    submitted = (
        ChecklistVersion.objects.station_lists()
        .visible_to(request.user)
        .filter(state=VersionState.SUBMITTED)
        .select_related("station__region", "station__operator", "template")
        .annotate(item_count=Count("items"))
        .order_by("submitted_at")
    )
    posted = (
        ChecklistVersion.objects.station_lists()
        .visible_to(request.user)
        .filter(state=VersionState.PUBLISHED)
        .select_related("station__region", "station__operator", "approved_by")
        .order_by("station__region__code", "station__name")
    )
    findings = (
        CheckFinding.objects.open()
        .visible_to(request.user)
        .select_related("item", "check_record__station", "check_record__checked_by")
        .order_by("check_record__station__name", "-check_record__checked_on")
    )
    return render(
        request,
        "checklists/queue.html",
        {
            "submitted": submitted[:200],
            # the stations whose lists this user checks: published lists are public, checks are not
            "posted": [version for version in posted[:200] if _may_check(version.station, request.user)],
            "findings": findings[:200],
        },
    )


@login_required
def record_check(request, pk):
    station = scoped_object_or_404(Station.objects.select_related("region", "operator"), request.user, pk=pk)
    if not _may_check(station, request.user):
        raise PermissionDenied
    version = services.published_version(station)
    if version is None:
        raise Http404
    items = version.items.order_by("kind", "position", "id")
    form = CheckForm(request.POST or None, request.FILES or None, items=items)
    if request.method == "POST" and form.is_valid():
        try:
            check = services.record_check(
                station,
                by=request.user,
                checked_on=form.cleaned_data["checked_on"],
                results=form.results(),
                summary=form.cleaned_data["summary"],
            )
        except (ValidationError, PermissionDenied) as exc:
            _add_service_errors(form, exc)
        else:
            messages.success(request, _("The supervision check is recorded."))
            return redirect("checklists:check", pk=check.pk)
    groups = []
    for kind, label in ListKind.choices:
        rows = [row for row in form.rows() if row[0].kind == kind]
        if rows:
            groups.append((label, rows))
    return render(
        request,
        "checklists/record_check.html",
        {"station": station, "version": version, "form": form, "groups": groups},
    )


@login_required
def check_detail(request, pk):
    check = scoped_object_or_404(
        ChecklistCheck.objects.select_related("station", "version", "checked_by", "office"),
        request.user,
        pk=pk,
    )
    findings = check.findings.select_related("item", "closed_by")
    return render(request, "checklists/check.html", {"check": check, "findings": findings})


@login_required
def finding_photo(request, pk):
    finding = scoped_object_or_404(CheckFinding, request.user, pk=pk)
    if not finding.photo:
        raise Http404
    return FileResponse(finding.photo.open("rb"))


@login_required
def overview(request):
    """Where the five lists start for each user: the samples of their district, the stations
    whose lists they make or approve, and the approval queue."""
    lists = ChecklistVersion.objects.filter(state__in=(*OPEN_STATES, VersionState.PUBLISHED))
    stations = (
        _own_stations(request.user)
        .prefetch_related(Prefetch("checklists", queryset=lists, to_attr="live_lists"))
        .order_by("region__code", "name")
    )
    rows = []
    for station in stations[:200]:
        published = next((v for v in station.live_lists if v.state == VersionState.PUBLISHED), None)
        current = next((v for v in station.live_lists if v.state != VersionState.PUBLISHED), None)
        rows.append((station, published, current))
    return render(
        request,
        "checklists/overview.html",
        {
            "rows": rows,
            "is_bureau": bool(_bureau_districts(request.user)),
            "is_government": acting_organization(request.user, kinds=GOVERNMENT_KINDS) is not None,
        },
    )


# --- the public lists and the poster ------------------------------------------------------------


def _public_lists(request, pk):
    station = scoped_object_or_404(Station.objects.select_related("region", "operator"), request.user, pk=pk)
    version = (
        ChecklistVersion.objects.filter(station=station, state=VersionState.PUBLISHED)
        .select_related("approving_office", "station__operator")
        .first()
    )
    items = list(version.items.order_by("kind", "position", "id")) if version else []
    return {
        "station": station,
        "version": version,
        "lists": _lists(version, items) if version else [],
        "prices": [item for item in items if item.kind == ListKind.SERVICES],
        "channels": station_services.complaint_channels([station])[station.pk],
        "public_url": request.build_absolute_uri(reverse("checklists:public", args=[station.pk])),
    }


def public(request, pk):
    return render(request, "checklists/public.html", _public_lists(request, pk))


POSTER_SIZES = ("A4", "A3")


def poster(request, pk):
    """The lists laid out to hang at the station, with a QR code that opens the public page."""
    context = _public_lists(request, pk)
    if context["version"] is None:
        raise Http404
    size = request.GET.get("size", "A4").upper()
    if size not in POSTER_SIZES:
        size = "A4"
    qr = segno.make(context["public_url"], error="m")
    context.update(
        size=size,
        sizes=POSTER_SIZES,
        # segno writes the SVG itself from the URL: nothing of the input reaches it unescaped
        qr_svg=mark_safe(qr.svg_inline(scale=4, border=2, title=context["public_url"])),  # noqa: S308
    )
    return render(request, "checklists/poster.html", context)


# --- Excel: templates, exports -------------------------------------------------------------------


def excel_template(request, kind=""):
    """The template workbook of one list, or of all five, with its 填写说明 sheet (anyone may
    download it: it holds no data)."""
    if kind and kind not in ListKind.values:
        raise Http404
    return imports.template_response(kind or None)


def version_workbook(request, pk, kind=""):
    """A version as five sheets (or one list): what the user may see of it, posted versions
    for everyone."""
    if kind and kind not in ListKind.values:
        raise Http404
    version = scoped_object_or_404(
        ChecklistVersion.objects.select_related(*VERSION_RELATED), request.user, pk=pk
    )
    return exports.list_response(version, kind) if kind else exports.version_response(version)
