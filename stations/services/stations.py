"""Stations: who may edit one, its details, its status workflow (``STATIONS``), the rules of a
posted price and the posting of a published service-item list."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import partialmethod

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from accounts import audit
from accounts.models import Organization, OrganizationKind, Role
from accounts.scoping import acting_organization, require_editable, scope_for
from core.workflow import Actor, Transition, Workflow

from ..models import (
    PriceLevel,
    PriceUnit,
    ServiceCategory,
    Station,
    StationPrice,
    StationPriceHistory,
    StationStatus,
    day_care_below_ground_error,
)
from .details import require_station_details_editor

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


def require_company_administrator(station: Station, by) -> None:
    """Closing a station and changing its posted prices bind the company: its administrator
    decides, not every member of its staff (an officer of the station's region still may, as
    for any change to the station). Raises PermissionDenied with the reason."""
    _require_station_editor(station, by)
    if by.is_superuser or scope_for(by).covers_region(station.region, edit=True):
        return
    if acting_organization(by, roles=(Role.ORG_ADMIN,), among=[station.operator_id]) is None:
        raise PermissionDenied(
            _(
                "Only the administrator of %(company)s can close a station or change its posted "
                "prices; ask them to do it."
            )
            % {"company": station.operator.name}
        )


def may_administer(station: Station, user) -> tuple[bool, str]:
    """(allowed, reason) of :func:`require_company_administrator`, for a page to show or hide
    its controls."""
    try:
        require_company_administrator(station, user)
    except PermissionDenied as refusal:
        return False, str(refusal)
    return True, ""


def save_station(station: Station | None, *, by, **fields) -> Station:
    """Create (``station=None``) or change a station: its operator's administrator or an officer
    of its region (``require_station_details_editor``). The 003 basement rule is in ``clean``;
    a change re-reads the station under its row lock, as posting prices does, so a floor and a
    day-care price written at the same moment are checked against each other."""
    with transaction.atomic():
        if station is None or not station.pk:
            return _save_station(station or Station(), by=by, **fields)
        stored = _save_station(Station.objects.select_for_update().get(pk=station.pk), by=by, **fields)
    # the caller's instance reads what was saved
    for field in Station._meta.concrete_fields:
        setattr(station, field.attname, getattr(stored, field.attname))
    return stored


def _save_station(station: Station, *, by, **fields) -> Station:
    if station.pk:  # the station as it stands, and below as it would become
        _require_station_editor(station, by)
        require_station_details_editor(station, by)
    for name, value in fields.items():
        if name in ("latitude", "longitude") and value is not None:
            value = Decimal(str(value)).quantize(Decimal("0.000001"))
        if name in STATION_FIELDS:
            setattr(station, name, value)
    _require_station_editor(station, by)
    require_station_details_editor(station, by)
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
            "administrator",
            ("on",),
            confirm=gettext_lazy(
                "A closed station cannot be reopened: it leaves the public station finder and takes "
                "no more orders."
            ),
        ),
    )

    def actor_editor(self, station, user):
        return Actor.unless_refused(lambda: _require_station_editor(station, user), station.operator)

    def actor_administrator(self, station, user):
        return Actor.unless_refused(lambda: require_company_administrator(station, user), station.operator)

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


# StationPrice.price has eight digits, two of them decimals.
MAX_PRICE = Decimal("1000000")


def check_price(station: Station | None, *, category: str, price, unit: str, level: str) -> Decimal:
    """The rules of one posted price (明码标价), wherever it is written (a service-item list, its
    import, the posting): a known service, never day care below ground (003), a price that is a
    number of yuan not below zero, the unit it is per, and a level that agrees with it. Returns
    the price as a ``Decimal``."""
    errors = {}
    if category not in ServiceCategory.values:
        errors["category"] = _("Choose the service from the list.")
    elif station is not None:
        error = day_care_below_ground_error(station.floor, [category])
        if error is not None:
            errors["category"] = error
    try:
        amount = None if price in (None, "") else Decimal(str(price))
    except (InvalidOperation, ValueError):
        amount = None
        errors["price"] = _("Give the fee as a number of yuan, e.g. 15 or 15.50.")
    else:
        if amount is None:
            errors["price"] = _("Give the fee standard (0 for a free service).")
        elif not amount.is_finite() or amount < 0:
            errors["price"] = _("A fee cannot be negative.")
        elif amount >= MAX_PRICE:
            errors["price"] = _("A fee of a million yuan or more cannot be posted; check the figure.")
        elif amount != amount.quantize(Decimal("0.01")):
            errors["price"] = _("A fee has at most two decimals (fen).")
    if unit not in PriceUnit.values:
        errors["unit"] = _("Say what the fee is per: session, hour, meal, day or month.")
    if level not in PriceLevel.values:
        errors["level"] = _("Say whether the service is free, low-cost or at market price.")
    elif "price" not in errors:
        if level == PriceLevel.FREE and amount != 0:
            errors["level"] = _("A free service has the fee 0; choose low-cost or market price.")
        elif level != PriceLevel.FREE and amount == 0:
            errors["level"] = _("A fee of 0 is a free service; choose “free”.")
    if errors:
        raise ValidationError(errors)
    return amount


def post_prices(
    station: Station, entries, *, by, source: str = "", approved_by=None, approving_office=None
) -> list[StationPrice]:
    """Replace the station's posted prices with ``entries`` (dicts of ``category``, ``content``,
    ``price``, ``unit``, ``level``, ``provider``, ``note``): the service-item list of its newly
    published five lists, approved by ``approved_by`` of ``approving_office``. Only the company
    administrator (or an officer of the region) changes posted prices. Orders already placed keep
    the price they were placed at; the price history keeps every price the station has had."""
    with transaction.atomic():
        # Re-read the station under its row lock: a floor changed meanwhile (save_station takes
        # the same lock) is checked against the prices, never lost between the two.
        station = (
            Station.objects.select_related("operator", "region")
            .select_for_update(of=("self",))
            .get(pk=station.pk)
        )
        require_company_administrator(station, by)
        created = _post_prices(station, entries, by=by, source=source)
        _record_price_history(
            station, created, by=by, approved_by=approved_by, approving_office=approving_office
        )
        return created


def _record_price_history(station, prices, *, by, approved_by, approving_office) -> None:
    """A price posted again unchanged keeps its row (and its since-when); a changed or dropped
    one is closed now, and a new or changed one opens a row."""
    now = timezone.now()
    current = {(row.category, row.content): row for row in station.price_history.filter(withdrawn_at=None)}
    opened, changed = [], []
    for price in prices:
        old = current.pop((price.category, price.content), None)
        if old is not None and (old.price, old.unit, old.level) == (price.price, price.unit, price.level):
            continue
        if old is not None:
            changed.append(old)
        opened.append(
            StationPriceHistory(
                station=station,
                category=price.category,
                content=price.content,
                price=price.price,
                unit=price.unit,
                level=price.level,
                source=price.source,
                posted_at=now,
                posted_by=by,
                approved_by=approved_by,
                approving_office=approving_office,
            )
        )
    closed = [row.pk for row in [*changed, *current.values()]]  # changed, and no longer posted
    StationPriceHistory.objects.filter(pk__in=closed).update(withdrawn_at=now)
    StationPriceHistory.objects.bulk_create(opened)


def _post_prices(station, entries, *, by, source):
    rows = []
    for entry in entries:
        amount = check_price(
            station,
            category=entry["category"],
            price=entry["price"],
            unit=entry["unit"],
            level=entry["level"],
        )
        rows.append(
            StationPrice(
                station=station,
                category=entry["category"],
                content=entry.get("content", "")[:200],
                price=amount,
                unit=entry["unit"],
                level=entry["level"],
                provider=entry.get("provider", "")[:200],
                note=entry.get("note", "")[:200],
                source=source[:200],
            )
        )
    keys = [(row.category, row.content) for row in rows]
    if len(keys) != len(set(keys)):
        raise ValidationError(_("The same service is listed twice; keep one price per service."))
    StationPrice.objects.filter(station=station).delete()
    created = StationPrice.objects.bulk_create(rows)
    note = f"{source} · " + "；".join(str(row) for row in created)
    audit.record(station, "prices_posted", note=note, actor=by)
    return created


def complaint_channels(stations) -> dict[int, list[dict]]:
    """The complaint channels posted with every price of each station (002 (十七)): the
    station's telephone, its street office's hotline and its district civil-affairs bureau's
    hotline (each unit keeps its own number; an empty hotline falls back to the unit's contact
    phone). One query for any number of stations."""
    stations = list(stations)
    streets = {station.region.code[:9] for station in stations}
    districts = {station.region.code[:6] for station in stations}
    offices = Organization.objects.filter(
        Q(kind=OrganizationKind.STREET_OFFICE, region__code__in=streets)
        | Q(kind=OrganizationKind.CIVIL_AFFAIRS, region__code__in=districts),
        is_active=True,
    ).select_related("region")
    by_code = {}
    for office in offices.order_by("pk"):
        by_code.setdefault((office.kind, office.region.code), office)
    channels = {}
    for station in stations:
        rows = [{"who": _("Station"), "name": station.name, "phone": station.phone}]
        for kind, code, who in (
            (OrganizationKind.STREET_OFFICE, station.region.code[:9], _("Street / town office")),
            (OrganizationKind.CIVIL_AFFAIRS, station.region.code[:6], _("District civil-affairs bureau")),
        ):
            office = by_code.get((kind, code))
            if office is not None:
                rows.append(
                    {"who": who, "name": office.name, "phone": office.hotline or office.contact_phone}
                )
        channels[station.pk] = [row for row in rows if row["phone"]]
    return channels
