"""Portal pages where a company sets up and keeps its stations' particulars: name, address,
premises, services, weekday hours, photos and the position (estimated from the known points
near the address, or clicked on a plan of the district's stations — no online map service)."""

from __future__ import annotations

import math

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.utils import ErrorDict
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import params
from accounts.scoping import scoped_object_or_404

from . import services
from .editing_forms import StationForm, StationPhotoForm
from .models import Station, StationPhoto
from .views import _add_service_errors

# The plan drawn for clicking a position: its size in SVG units and the margin (in degrees)
# around the known points, so that a new station beside them can be clicked too.
PLAN_WIDTH, PLAN_HEIGHT = 640, 420
PLAN_MARGIN = 0.01
PLAN_MIN_SPAN = 0.04


def district_plan(user, district_code: str, current=None) -> dict | None:
    """The stations with a position in the district (those the user can see) laid out on a
    plain plan: a box in longitude and latitude, each point placed in it. One query. ``None``
    when no station of the district has a position yet."""
    points = list(
        Station.objects.visible_to(user)
        .filter(region__code__startswith=district_code)
        .exclude(latitude=None)
        .exclude(longitude=None)
        .values("pk", "name", "latitude", "longitude")
        .order_by("name")[:300]
    )
    if not points:
        return None
    lats = [float(p["latitude"]) for p in points]
    lngs = [float(p["longitude"]) for p in points]
    south, north = min(lats) - PLAN_MARGIN, max(lats) + PLAN_MARGIN
    west, east = min(lngs) - PLAN_MARGIN, max(lngs) + PLAN_MARGIN
    if north - south < PLAN_MIN_SPAN:
        middle = (north + south) / 2
        south, north = middle - PLAN_MIN_SPAN / 2, middle + PLAN_MIN_SPAN / 2
    if east - west < PLAN_MIN_SPAN:
        middle = (east + west) / 2
        west, east = middle - PLAN_MIN_SPAN / 2, middle + PLAN_MIN_SPAN / 2
    # widen one side so that a kilometre is as long east-west as north-south on the plan
    squeeze = math.cos(math.radians((north + south) / 2))
    wanted = PLAN_WIDTH / PLAN_HEIGHT
    if (east - west) * squeeze / (north - south) < wanted:
        middle, half = (east + west) / 2, wanted * (north - south) / squeeze / 2
        west, east = middle - half, middle + half
    else:
        middle, half = (north + south) / 2, (east - west) * squeeze / wanted / 2
        south, north = middle - half, middle + half

    def place(lat, lng):
        return (
            round((lng - west) / (east - west) * PLAN_WIDTH, 1),
            round((north - lat) / (north - south) * PLAN_HEIGHT, 1),
        )

    for point in points:
        point["x"], point["y"] = place(float(point["latitude"]), float(point["longitude"]))
        point["current"] = current is not None and point["pk"] == current.pk
    marker = None
    if current is not None and current.latitude is not None and current.longitude is not None:
        x, y = place(float(current.latitude), float(current.longitude))
        if 0 <= x <= PLAN_WIDTH and 0 <= y <= PLAN_HEIGHT:
            marker = {"x": x, "y": y}
    return {
        "points": points,
        "marker": marker,
        "width": PLAN_WIDTH,
        "height": PLAN_HEIGHT,
        "north": round(north, 6),
        "south": round(south, 6),
        "east": round(east, 6),
        "west": round(west, 6),
    }


def _station_for_details(request, pk) -> Station:
    """The station, if the user may change it at all (404 otherwise, as elsewhere), and then
    only for its company's administrator or an officer of its region (403 with the reason)."""
    station = scoped_object_or_404(
        Station.objects.select_related("region", "operator"), request.user, edit=True, pk=pk
    )
    services.require_station_details_editor(station, request.user)
    return station


def _locate(request, form, station):
    """Fill the position in from the address (what was typed is kept, errors shown as usual)."""
    region = form.cleaned_data.get("region") if form.is_valid() else None
    if region is None:
        try:
            region = form.fields["region"].clean(form.data.get("region"))
        except ValidationError:
            region = station.region if station is not None and station.pk else None
    estimate = services.estimate_location(
        region=region, address=form.data.get("address", ""), user=request.user
    )
    data = form.data.copy()
    if estimate is None:
        messages.warning(
            request,
            _(
                "No station with a known position near this address yet: click the point on the plan "
                "or type the latitude and longitude."
            ),
        )
    else:
        data["latitude"], data["longitude"] = str(estimate.latitude), str(estimate.longitude)
        messages.info(
            request,
            _(
                "An approximate position was filled in: the centre of %(basis)s (%(count)s). Check it on "
                "the plan, click the exact point, and save."
            )
            % {"basis": estimate.basis, "count": estimate.count},
        )
    return data


def _station_form_page(request, station, *, operators=()):
    editing = station is not None and station.pk
    form_kwargs = {"operators": operators, "station": station}
    if request.method == "POST":
        form = StationForm(request.POST, **form_kwargs)
        if "locate" in request.POST:
            # the typed values come back with the position; asking for it is not a refusal
            form = StationForm(_locate(request, form, station), **form_kwargs)
            form.full_clean()
            form._errors = ErrorDict()
        elif form.is_valid():
            try:
                saved = services.save_station(
                    station if editing else None, by=request.user, **form.station_fields()
                )
            except (ValidationError, PermissionDenied) as exc:
                _add_service_errors(form, exc)
            else:
                messages.success(request, _("The station's details are saved."))
                return redirect("stations:edit", pk=saved.pk)
    else:
        form = StationForm(initial=StationForm.initial_for(station) if editing else {}, **form_kwargs)
    district = (
        station.region.code[:6]
        if editing
        else next((o.region.code[:6] for o in operators if o.region_id), "")
    )
    context = {
        "form": form,
        "station": station if editing else None,
        "plan": district_plan(request.user, district, station if editing else None) if district else None,
        "photos": list(station.photos.all()) if editing else [],
        "photo_form": StationPhotoForm(),
        "max_photos": services.MAX_PHOTOS,
    }
    return render(request, "stations/station_form.html", context)


@login_required
def station_new(request):
    operators = services.operators_for(request.user)
    if not operators:
        raise PermissionDenied(_("Only a company's administrator can set up its stations."))
    return _station_form_page(request, None, operators=operators)


@login_required
def station_edit(request, pk):
    return _station_form_page(request, _station_for_details(request, pk))


@login_required
@require_POST
def station_photos(request, pk):
    """Add a photo, or remove one (``remove`` names it)."""
    station = _station_for_details(request, pk)
    if request.POST.get("remove"):
        item = params.object_or_404(station.photos.all(), request.POST.get("remove"))
        services.remove_station_photo(item, by=request.user)
        messages.success(request, _("The photo is removed."))
        return redirect("stations:edit", pk=pk)
    form = StationPhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_station_photo(
                station,
                by=request.user,
                photo=form.cleaned_data["photo"],
                caption=form.cleaned_data["caption"],
            )
        except ValidationError as exc:
            _add_service_errors(form, exc)
        else:
            messages.success(request, _("The photo is added."))
            return redirect("stations:edit", pk=pk)
    context = {
        "form": StationForm(initial=StationForm.initial_for(station), station=station),
        "station": station,
        "plan": district_plan(request.user, station.region.code[:6], station),
        "photos": list(station.photos.all()),
        "photo_form": form,
        "max_photos": services.MAX_PHOTOS,
    }
    return render(request, "stations/station_form.html", context, status=400)


def station_photo(request, pk):
    """A station photo: public with an operating station, else for its company and officers."""
    item = scoped_object_or_404(StationPhoto, request.user, pk=pk)
    return FileResponse(item.photo.open("rb"))
