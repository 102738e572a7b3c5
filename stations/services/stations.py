"""Stations: who may edit one, its details, its status workflow (``STATIONS``) and its posted prices."""

from __future__ import annotations

from decimal import Decimal
from functools import partialmethod

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from accounts import audit
from accounts.scoping import require_editable
from core.workflow import Actor, Transition, Workflow

from ..models import ServiceCategory, Station, StationPrice, StationStatus, day_care_below_ground_error

# --- stations -----------------------------------------------------------------------------

STATION_FIELDS = (
    "operator",
    "pilot",
    "region",
    "name",
    "address",
    "phone",
    "latitude",
    "longitude",
    "floor",
    "area",
    "capacity",
    "services",
    "opening_hours",
    "hours_note",
)


def _require_station_editor(station: Station, by) -> None:
    if station.pk:
        require_editable(station, by, _("You may not change this station."))
    if not station.pk:
        scope = by.scope
        if not (
            by.is_superuser
            or station.operator_id in scope.organization_ids(edit=True)
            or scope.covers_region(station.region, edit=True)
        ):
            raise PermissionDenied(_("You can only set up stations of your own unit or your region."))


def save_station(station: Station | None, *, by, **fields) -> Station:
    """Create (``station=None``) or change a station. The 003 basement rule is in ``clean``."""
    station = station or Station()
    for name, value in fields.items():
        if name in ("latitude", "longitude") and value is not None:
            value = Decimal(str(value)).quantize(Decimal("0.000001"))
        if name in STATION_FIELDS:
            setattr(station, name, value)
    _require_station_editor(station, by)
    station.full_clean()
    with audit.audit_context(actor=by):
        station.save()
    return station


class StationFlow(Workflow):
    """A station's life: planned, renovating, operating, suspended, closed (for good)."""

    model = Station
    transitions = (
        Transition(
            "renovate",
            (StationStatus.PLANNED,),
            StationStatus.RENOVATING,
            pgettext_lazy("station", "Start renovation"),
            "editor",
            ("on",),
        ),
        Transition(
            "open",
            (StationStatus.PLANNED, StationStatus.RENOVATING),
            StationStatus.OPERATING,
            pgettext_lazy("station", "Open"),
            "editor",
            ("on",),
        ),
        Transition(
            "suspend",
            (StationStatus.OPERATING,),
            StationStatus.SUSPENDED,
            pgettext_lazy("station", "Suspend"),
            "editor",
            ("on",),
        ),
        Transition(
            "resume",
            (StationStatus.SUSPENDED,),
            StationStatus.OPERATING,
            pgettext_lazy("station", "Resume"),
            "editor",
            ("on",),
        ),
        Transition(
            "close",
            (
                StationStatus.PLANNED,
                StationStatus.RENOVATING,
                StationStatus.OPERATING,
                StationStatus.SUSPENDED,
            ),
            StationStatus.CLOSED,
            pgettext_lazy("station", "Close"),
            "editor",
            ("on",),
            confirm=gettext_lazy("A closed station cannot be reopened."),
        ),
    )

    def actor_editor(self, station, user):
        return Actor.unless_refused(lambda: _require_station_editor(station, user), station.operator)

    def _stamp(self, target, station, by, actor, on=None):
        on = on or timezone.localdate()
        station.status_changed_on = on
        if target == StationStatus.OPERATING and station.opened_on is None:
            station.opened_on = on
        if target == StationStatus.CLOSED:
            station.closed_on = on

    apply_renovate = partialmethod(_stamp, StationStatus.RENOVATING)
    apply_open = apply_resume = partialmethod(_stamp, StationStatus.OPERATING)
    apply_suspend = partialmethod(_stamp, StationStatus.SUSPENDED)
    apply_close = partialmethod(_stamp, StationStatus.CLOSED)


STATIONS = StationFlow()


def change_station_status(station: Station, status: str, *, by, on=None) -> Station:
    """Move a station to ``status`` by the declared step that leads there from where it stands
    (the form and the API name the new status, not the step)."""
    steps = [t for t in STATIONS.transitions if t.target == status]
    step = next((t for t in steps if station.status in t.sources), steps[0] if steps else None)
    if step is None and status == station.status:
        _require_station_editor(station, by)
        return station  # nothing to change
    if step is None or (station.status not in step.sources and station.status != status):
        raise ValidationError(
            _("A station cannot go from “%(old)s” to “%(new)s”.")
            % {"old": station.get_status_display(), "new": StationStatus(status).label}
        )
    return STATIONS.perform(station, step.name, by=by, on=on)


def set_price(
    station: Station, *, by, category: str, price, unit: str = "次", note: str = ""
) -> StationPrice:
    _require_station_editor(station, by)
    if category not in ServiceCategory.values:
        raise ValidationError({"category": _("Unknown service.")})
    error = day_care_below_ground_error(station.floor, [category])
    if error is not None:
        raise ValidationError({"category": error})
    if Decimal(price) < 0:
        raise ValidationError({"price": _("A price cannot be negative.")})
    item, _created = StationPrice.objects.update_or_create(
        station=station, category=category, defaults={"price": price, "unit": unit, "note": note}
    )
    audit.record(station, "price_set", note=f"{item}", actor=by)
    return item


def remove_price(station: Station, *, by, category: str) -> None:
    """Take a posted price down (the service is no longer offered at this price)."""
    _require_station_editor(station, by)
    deleted, _details = StationPrice.objects.filter(station=station, category=category).delete()
    if deleted:
        audit.record(station, "price_removed", note=category, actor=by)
