"""Orders and service records. Orders move through one transition table (``ORDERS``). An order
keeps the posted price of the moment it is placed; completing it (or logging a service directly, at
the posted price of that moment) writes the service record charged at that price times the
quantity in its unit."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import audit, notices
from accounts.scoping import is_editable, require_editable
from core.workflow import Actor, Transition, Workflow
from staff.models import StaffMember

from ..models import (
    OrderStatus,
    Resident,
    ResidentStation,
    ServiceCategory,
    ServiceOrder,
    ServiceRecord,
    Station,
    StationPrice,
    day_care_below_ground_error,
    default_quantity,
)

# --- orders and records -------------------------------------------------------------------


def _require_station_operator(station: Station, by) -> None:
    require_editable(station, by, _("Only the station's operator (or an officer of its region) can do this."))


def _check_service_allowed(station: Station, resident: Resident, category: str) -> None:
    if category not in ServiceCategory.values:
        raise ValidationError({"category": _("Unknown service.")})
    error = day_care_below_ground_error(station.floor, [category])
    if error is not None:
        raise ValidationError({"category": error})
    if station.services and category not in station.services:
        raise ValidationError(
            {
                "category": _("%(station)s does not offer %(service)s.")
                % {"station": station.name, "service": ServiceCategory(category).label}
            }
        )
    if not ResidentStation.objects.filter(resident=resident, station=station).exists():
        raise ValidationError(
            {
                "resident": _("%(name)s is not served by %(station)s.")
                % {"name": resident.name, "station": station.name}
            }
        )


def create_order(
    *,
    by,
    resident: Resident,
    station: Station,
    category: str,
    channel: str = "phone",
    requested_at=None,
    is_emergency: bool = False,
    note: str = "",
    price: StationPrice | int | None = None,
) -> ServiceOrder:
    """Place an order at the posted price of this moment, which the order keeps. ``price`` picks
    one of the station's posted prices for the service when it posts several."""
    _require_station_operator(station, by)
    _check_service_allowed(station, resident, category)
    posted = posted_price(station, category, price)
    order = ServiceOrder(
        resident=resident,
        station=station,
        category=category,
        channel=channel,
        requested_at=requested_at or timezone.now(),
        is_emergency=is_emergency or category == ServiceCategory.EMERGENCY,
        note=note,
        created_by=by,
        price_content=posted.content,
        unit_price=posted.price,
        price_unit=posted.unit,
    )
    order.full_clean(exclude=["created_by", "assigned_to"])
    with audit.audit_context(actor=by):
        order.save()
    return order


def check_can_serve(staff, station: Station) -> None:
    """Only an active service officer of the operator, working at the station, who passed a
    pre-job training may be given orders, complete them or log services (000). The conditions
    are those of ``StaffMember.objects.may_serve`` (the choice lists)."""
    if staff is None:
        raise ValidationError({"staff": _("Choose who delivers the service.")})
    if not isinstance(staff, StaffMember):
        # orders and records name the staff member who serves, never a login account
        raise ValidationError({"staff": _("Choose a staff member from the staff list, not a login account.")})
    reason = staff.serve_refusal(station)
    if reason is not None:
        raise ValidationError({"staff": reason})


def posted_price(station: Station, category: str, choice=None) -> StationPrice:
    """The station's posted price for ``category`` (明码标价): a service without one cannot be
    ordered or charged. ``choice`` (a price or its id) picks one when the station posts several."""
    prices = [item for item in station.prices.all() if item.category == category]
    if choice is not None:
        wanted = getattr(choice, "pk", choice)
        chosen = next((item for item in prices if str(item.pk) == str(wanted)), None)
        if chosen is None:
            raise ValidationError({"price": _("Choose one of the station's posted prices for this service.")})
        return chosen
    if not prices:
        raise ValidationError(
            {
                "category": _(
                    "%(station)s has no published price for %(service)s: publish it in the station's "
                    "service-item list first."
                )
                % {"station": station.name, "service": ServiceCategory(category).label}
            }
        )
    if len(prices) > 1:
        raise ValidationError(
            {
                "price": _("%(station)s posts several prices for %(service)s: choose one (%(items)s).")
                % {
                    "station": station.name,
                    "service": ServiceCategory(category).label,
                    "items": "；".join(str(item) for item in prices),
                }
            }
        )
    return prices[0]


# ServiceRecord.fee has ten digits, two of them decimals; quantity eight.
MAX_QUANTITY = Decimal("1000000")
MAX_FEE = Decimal("100000000")


def _quantity(quantity, unit: str, seconds: float) -> Decimal:
    if quantity in (None, ""):
        return default_quantity(unit, seconds)
    try:
        value = Decimal(str(quantity))
    except (InvalidOperation, ValueError):
        value = None
    if value is None or not value.is_finite() or value <= 0 or value != value.quantize(Decimal("0.01")):
        raise ValidationError({"quantity": _("Give the quantity as a number above 0, e.g. 1 or 1.5.")})
    if value >= MAX_QUANTITY:
        raise ValidationError(
            {"quantity": _("A quantity of a million or more cannot be right; check the figure.")}
        )
    return value


# How long a service usually takes: what completing an order proposes when the order gives no
# better start (and what an order completed through the API without times is recorded as).
TYPICAL_MINUTES = {
    ServiceCategory.MEALS: 30,
    ServiceCategory.CLEANING: 120,
    ServiceCategory.BATHING: 60,
    ServiceCategory.MEDICAL_ESCORT: 180,
    ServiceCategory.EMERGENCY: 30,
    ServiceCategory.WALKING: 60,
    ServiceCategory.CARE_VISIT: 30,
    ServiceCategory.REPAIR: 60,
    ServiceCategory.ERRANDS: 60,
    ServiceCategory.DAY_CARE: 480,
    ServiceCategory.PERSONAL_CARE: 60,
}
DEFAULT_MINUTES = 60
# A scheduled or assigned time further back than this is not when the service began (the order
# waited); the typical duration is proposed instead.
LONGEST_PLAUSIBLE = timedelta(hours=12)


def completion_defaults(order: ServiceOrder, now=None) -> dict:
    """What completing ``order`` proposes: it ends now and began at the time it was scheduled
    for or assigned (the later of the two) when that lies in the last twelve hours, else the
    service's typical duration ago; the quantity is what the unit rule charges for those times
    (started half hours for a price per hour, one otherwise). Never a 0-minute service."""
    now = now or timezone.now()
    typical = timedelta(minutes=TYPICAL_MINUTES.get(order.category, DEFAULT_MINUTES))
    candidates = [moment for moment in (order.requested_at, order.assigned_at) if moment is not None]
    begun = max(candidates) if candidates else None
    if begun is None or not (timedelta(minutes=1) <= now - begun <= LONGEST_PLAUSIBLE):
        begun = now - typical
    started = begun.replace(second=0, microsecond=0)
    ended = now.replace(second=0, microsecond=0)
    if ended <= started:
        started = ended - typical
    unit = order.price_unit or (_order_price(order)[1] if order.unit_price is None else "")
    return {
        "started_at": started,
        "ended_at": ended,
        "quantity": default_quantity(unit, (ended - started).total_seconds()),
        "unit": unit,
    }


def _record(
    *,
    by,
    resident,
    station,
    category,
    staff,
    started_at,
    ended_at,
    notes="",
    order=None,
    is_emergency=False,
    response_minutes=None,
    price: tuple[Decimal, str],
    quantity=None,
) -> ServiceRecord:
    # every mistake at once, each beside its field
    errors, latest = {}, timezone.now() + timedelta(minutes=5)
    if ended_at < started_at:
        errors["ended_at"] = _("The service cannot end before it starts.")
    elif ended_at - started_at < timedelta(minutes=1):
        errors["ended_at"] = _("The service lasted no time: give when it actually ended.")
    elif ended_at > latest:
        errors["ended_at"] = _("The end lies in the future: record the service once it is done.")
    if started_at > latest:
        errors["started_at"] = _("A service cannot be recorded before it happens.")
    unit_price, unit = price
    seconds = max((ended_at - started_at).total_seconds(), 0)
    minutes = int(seconds // 60)
    try:
        quantity = _quantity(quantity, unit, seconds)
    except ValidationError as exc:
        errors.update({field: messages[0] for field, messages in exc.message_dict.items()})
    else:
        if unit_price * quantity >= MAX_FEE:
            errors["quantity"] = _(
                "The fee (price × quantity) would pass 100 million yuan; check the quantity."
            )
    if errors:
        raise ValidationError(errors)
    return ServiceRecord.objects.create(
        order=order,
        resident=resident,
        station=station,
        category=category,
        staff=staff,
        started_at=started_at,
        ended_at=ended_at,
        duration_minutes=minutes,
        unit_price=unit_price,
        fee_unit=unit,
        quantity=quantity,
        fee=(unit_price * quantity).quantize(Decimal("0.01")),
        is_emergency=is_emergency,
        response_minutes=response_minutes,
        notes=notes,
    )


class OrderFlow(Workflow):
    """Orders (点菜式): assign to a staff member who may serve, complete (writes the service
    record with the posted price of that moment) or cancel with a reason. Reassigning an assigned
    order is allowed; completing checks again who serves."""

    model = ServiceOrder
    select_related = ("station__operator", "resident", "assigned_to__user")
    transitions = (
        Transition(
            "assign",
            (OrderStatus.REQUESTED, OrderStatus.ASSIGNED),
            OrderStatus.ASSIGNED,
            gettext_lazy("Assign"),
            actor="operator",
            inputs=("staff",),
        ),
        Transition(
            "complete",
            (OrderStatus.ASSIGNED,),
            OrderStatus.COMPLETED,
            gettext_lazy("Complete"),
            actor="operator",
            inputs=("started_at", "ended_at", "notes", "quantity"),
        ),
        Transition(
            "cancel",
            (OrderStatus.REQUESTED, OrderStatus.ASSIGNED),
            OrderStatus.CANCELLED,
            gettext_lazy("Cancel order"),
            actor="operator",
            inputs=("reason",),
        ),
    )

    def actor_operator(self, order, user) -> Actor:
        if is_editable(order.station, user):
            return Actor(True, order.station.operator)
        return Actor.refuse(_("Only the station's operator (or an officer of its region) can do this."))

    def check_assign(self, order, by, staff=None):
        check_can_serve(staff, order.station)

    def apply_assign(self, order, by, actor, staff=None):
        order.assigned_to, order.assigned_at = staff, timezone.now()

    def check_complete(self, order, by, started_at=None, ended_at=None, notes="", quantity=None):
        # the person may have failed a corrected result, left or been suspended since
        _check_still_serves(order)

    def apply_complete(self, order, by, actor, started_at=None, ended_at=None, notes="", quantity=None):
        if started_at is None or ended_at is None:
            defaults = completion_defaults(order)
            ended_at = ended_at or defaults["ended_at"]
            started_at = started_at or min(defaults["started_at"], ended_at - timedelta(minutes=1))
        response = None
        if order.is_emergency:
            response = max(int((started_at - order.created_at).total_seconds() // 60), 0)
        _record(
            by=by,
            resident=order.resident,
            station=order.station,
            category=order.category,
            staff=order.assigned_to,
            started_at=started_at,
            ended_at=ended_at,
            notes=notes,
            order=order,
            is_emergency=order.is_emergency,
            response_minutes=response,
            price=_order_price(order),
            quantity=quantity,
        )

    def check_cancel(self, order, by, reason=""):
        if not (reason or "").strip():
            raise ValidationError({"reason": _("Give the reason for cancelling.")})

    def apply_cancel(self, order, by, actor, reason=""):
        order.cancel_reason = reason.strip()

    def notify(self, order, step, by, source):
        """The service officer given an order hears of it (in the portal and by e-mail) when the
        staff record has a login account."""
        if step.name != "assign" or order.assigned_to is None or order.assigned_to.user_id is None:
            return
        with translation.override(settings.LANGUAGE_CODE):
            title = _("Order #%(number)s assigned to you: %(service)s for %(name)s") % {
                "number": order.pk,
                "service": order.get_category_display(),
                "name": order.resident.name,
            }
            body = _("%(station)s · requested for %(when)s") % {
                "station": order.station.name,
                "when": timezone.localtime(order.requested_at).strftime("%Y-%m-%d %H:%M"),
            }
        notices.notify([order.assigned_to.user], title=title, body=body, link=reverse("stations:my-orders"))


ORDERS = OrderFlow()


def _order_price(order: ServiceOrder) -> tuple[Decimal, str]:
    """The price the order was placed at; an order placed before prices were kept with orders
    takes the station's posted price now (refused when there is none)."""
    if order.unit_price is not None:
        return order.unit_price, order.price_unit
    posted = posted_price(order.station, order.category)
    return posted.price, posted.unit


def transition_order(order: ServiceOrder, action: str, *, by, **inputs) -> ServiceOrder:
    """assign (``staff``), complete (``started_at``/``ended_at``/``notes``/``quantity``) or cancel
    (``reason``) through the order workflow; repeating the action just done changes nothing."""
    return ORDERS.perform(order, action, by=by, **inputs)


def _check_still_serves(order: ServiceOrder) -> None:
    try:
        check_can_serve(order.assigned_to, order.station)
    except ValidationError as exc:
        raise ValidationError(
            {
                "staff": _("%(reason)s Assign the order to someone else, then complete it.")
                % {"reason": " ".join(exc.messages)}
            }
        ) from exc


def log_service(
    *,
    by,
    resident: Resident,
    station: Station,
    category: str,
    staff,
    started_at,
    ended_at,
    notes: str = "",
    quantity=None,
    price=None,
) -> ServiceRecord:
    """A service done without an order (a care visit on a round) becomes a record the same way,
    charged at the posted price of this moment times its quantity."""
    _require_station_operator(station, by)
    _check_service_allowed(station, resident, category)
    check_can_serve(staff, station)
    posted = posted_price(station, category, price)
    with transaction.atomic():
        record = _record(
            by=by,
            resident=resident,
            station=station,
            category=category,
            staff=staff,
            started_at=started_at,
            ended_at=ended_at,
            notes=notes,
            price=(posted.price, posted.unit),
            quantity=quantity,
        )
        audit.record(record, "service_logged", actor=by)
    return record


def rate_record(record: ServiceRecord, *, by, rating: int) -> ServiceRecord:
    """The resident's 1–5 rating, entered by the station (or through a device)."""
    _require_station_operator(record.station, by)
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationError({"rating": _("A rating is a whole number from 1 to 5.")})
    ServiceRecord.objects.filter(pk=record.pk).update(rating=rating)
    record.rating = rating
    audit.record(record, "rated", changes={"rating": [None, rating]}, actor=by)
    return record
