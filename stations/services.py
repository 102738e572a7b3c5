"""Every operation on stations, residents, orders and records that changes state or enforces a
rule. Orders move through one transition table; completing an order (or logging a service
directly) writes the service record with the posted price of that moment."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from functools import partialmethod

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, OuterRef, Subquery, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from accounts import audit
from accounts.identity import parse_identity_number
from accounts.models import Organization
from accounts.notices import members_of, notify
from accounts.pii import blind_index, blind_index_candidates, normalise
from accounts.scoping import is_editable, require_editable
from accounts.uploads import IMAGE_KINDS, check_upload
from core.workflow import Actor, Transition, Workflow
from staff.models import StaffMember
from staff.services import check_publicity_officers

from .models import (
    BasicCareCategory,
    LinkRequestState,
    LivingSituation,
    OrderStatus,
    PublicityEvent,
    Resident,
    ResidentLinkRequest,
    ResidentStation,
    ServiceCategory,
    ServiceOrder,
    ServiceRecord,
    Station,
    StationPrice,
    StationStatus,
    SurveyResponse,
    day_care_below_ground_error,
)

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


# --- residents ----------------------------------------------------------------------------

RESIDENT_FIELDS = (
    "name",
    "address",
    "community",
    "living_situation",
    "basic_care",
    "emergency_contact",
    "emergency_phone",
    "consent_on",
    "care_visit_interval_days",
)


def _check_resident_values(fields: dict) -> None:
    unknown = [c for c in fields.get("basic_care") or [] if c not in BasicCareCategory.values]
    if unknown:
        raise ValidationError(
            {"basic_care": _("Unknown basic-care categories: %(names)s") % {"names": ", ".join(unknown)}}
        )
    if fields.get("living_situation") and fields["living_situation"] not in LivingSituation.values:
        raise ValidationError({"living_situation": _("Unknown living situation.")})


@dataclass(frozen=True)
class Registration:
    """What registering a person came to: her file (new, or one the caller already keeps, now
    served by this station too) — or, when she is on file with another operator, a link request
    and nothing of her file (``resident`` is None)."""

    resident: Resident | None
    warnings: list[str]
    link_request: ResidentLinkRequest | None = None


def register_resident(
    *, by, station: Station, name: str, id_number: str, phone: str = "", **fields
) -> Registration:
    """Register an elderly person at a station (一人一档). A person already on file (same keyed
    hash of the identity number) whose file the caller may not change is not linked and nothing
    of her file is returned: knowing an identity number is not a care relationship. A link
    request is made instead; it links the station once her consent is recorded."""
    require_editable(station, by, _("You can only register residents at your own stations."))
    try:
        identity = parse_identity_number(id_number)
    except ValidationError as exc:
        raise ValidationError({"id_number": exc.messages}) from exc
    _check_resident_values(fields)
    with transaction.atomic(), audit.audit_context(actor=by):
        resident = (
            Resident.objects.select_for_update()
            .filter(id_number_hash__in=blind_index_candidates(identity.number))
            .first()
        )
        if resident is not None and not is_editable(resident, by):
            link = _request_link(resident, station=station, by=by, name=name)
            return Registration(None, identity.warnings, link)
        if resident is None:
            resident = Resident(
                name=name.strip(),
                id_number=identity.number,
                id_number_hash=blind_index(identity.number),
                birth_date=identity.birth_date,
                sex=identity.sex,
                phone=normalise(phone),
                phone_hash=blind_index(phone),
                **{k: v for k, v in fields.items() if k in RESIDENT_FIELDS},
            )
            if resident.consent_on and resident.consent_recorded_by_id is None:
                resident.consent_recorded_by = by
            resident.full_clean(exclude=["id_number_hash", "consent_recorded_by"])
            try:
                with transaction.atomic():
                    resident.save()
            except IntegrityError as exc:
                raise ValidationError({"id_number": _("This person is already registered.")}) from exc
        ResidentStation.objects.get_or_create(resident=resident, station=station)
    return Registration(resident, identity.warnings)


# --- link requests: a station asks to serve a person on file with another operator ---------------

LINK_CONSENT_FILE_KINDS = ("pdf", "png", "jpeg")


def _request_link(resident: Resident, *, station: Station, by, name: str) -> ResidentLinkRequest:
    link, created = ResidentLinkRequest.objects.get_or_create(
        resident=resident,
        station=station,
        state=LinkRequestState.PENDING,
        defaults={
            "organization_id": station.operator_id,
            "name_given": name.strip()[:50],
            "requested_by": by,
        },
    )
    if created:
        # The operators who already serve her are told; they learn nothing they do not already
        # see (her name), and the requesting station is a public one.
        serving = Station.objects.filter(residents=resident).exclude(operator_id=station.operator_id)
        users = members_of(Organization.objects.filter(pk__in=serving.values("operator_id")))
        notify(
            users,
            title=_("Link request about %(name)s") % {"name": resident.name},
            body=_(
                "%(station)s (%(operator)s) asked to serve %(name)s, who is on your list. The station "
                "is linked only once the person's signed consent is recorded; the bureau sees the request."
            )
            % {"station": station.name, "operator": station.operator.name, "name": resident.name},
        )
    return link


def request_link(*, by, station: Station, name: str, id_number: str) -> ResidentLinkRequest:
    """Ask to serve a person on file with another operator (the API's explicit road; registering
    her at the station leads here too)."""
    require_editable(station, by, _("You can only register residents at your own stations."))
    try:
        identity = parse_identity_number(id_number)
    except ValidationError as exc:
        raise ValidationError({"id_number": exc.messages}) from exc
    with transaction.atomic(), audit.audit_context(actor=by):
        resident = (
            Resident.objects.select_for_update()
            .filter(id_number_hash__in=blind_index_candidates(identity.number))
            .first()
        )
        if resident is None or is_editable(resident, by):
            raise ValidationError(
                {
                    "id_number": _(
                        "No other operator keeps a file under this number: register the person instead."
                    )
                }
            )
        return _request_link(resident, station=station, by=by, name=name)


class LinkRequestFlow(Workflow):
    """A station's request to serve a person on file with another operator. The person's
    recorded consent (date, who recorded it, the signed form) is what links her: the requesting
    operator, or an officer of her region, attaches it. The government of her community may
    refuse a request (one that looks like fishing); the requesting operator may withdraw it."""

    model = ResidentLinkRequest
    state_field = "state"
    select_related = ("resident__community", "station")
    transitions = (
        Transition(
            "record_consent",
            (LinkRequestState.PENDING,),
            LinkRequestState.APPROVED,
            pgettext_lazy("link request", "Record the consent"),
            "requester_or_officer",
            ("consent_on", "consent_form"),
        ),
        Transition(
            "refuse",
            (LinkRequestState.PENDING,),
            LinkRequestState.REFUSED,
            pgettext_lazy("link request", "Refuse"),
            "officer",
            ("reason",),
        ),
        Transition(
            "withdraw",
            (LinkRequestState.PENDING,),
            LinkRequestState.WITHDRAWN,
            pgettext_lazy("link request", "Withdraw"),
            "requester",
        ),
    )

    def _sides(self, link, user) -> tuple[bool, bool]:
        """(the requesting operator, an officer of the person's region)."""
        if user.is_superuser:
            return True, True
        scope = user.scope
        return (
            link.organization_id in scope.organization_ids(edit=True),
            scope.covers_region(link.resident.community, edit=True),
        )

    def actor_officer(self, link, user):
        if self._sides(link, user)[1]:
            return Actor(True)
        return Actor.refuse(_("Only an officer of the person's region can refuse a link request."))

    def actor_requester(self, link, user):
        if self._sides(link, user)[0]:
            return Actor(True, link.organization)
        return Actor.refuse(_("Only the requesting operator can withdraw its request."))

    def actor_requester_or_officer(self, link, user):
        if any(self._sides(link, user)):
            return Actor(True)
        return Actor.refuse(
            _("Only the requesting operator or an officer of the person's region can record the consent.")
        )

    def wrong_state_message(self, link, action):
        return _("The request is “%(state)s”: it can no longer be changed.") % {
            "state": link.get_state_display()
        }

    def prepare_record_consent(self, by, consent_on=None, consent_form=None):
        if consent_form:
            try:
                check_upload(consent_form, allowed=LINK_CONSENT_FILE_KINDS)
            except ValidationError as exc:
                raise ValidationError({"consent_form": exc.messages}) from exc

    def check_record_consent(self, link, by, consent_on=None, consent_form=None):
        if consent_on is None:
            raise ValidationError({"consent_on": _("Give the date the person signed the consent form.")})
        if consent_on > timezone.localdate():
            raise ValidationError({"consent_on": _("The consent cannot be dated in the future.")})
        if not consent_form:
            raise ValidationError({"consent_form": _("Attach the signed consent form (PDF or a photo).")})

    def check_refuse(self, link, by, reason=""):
        if not reason.strip():
            raise ValidationError({"reason": _("Give the reason for refusing.")})

    def apply_record_consent(self, link, by, actor, consent_on=None, consent_form=None):
        link.consent_on, link.consent_recorded_by = consent_on, by
        link.consent_form.save(consent_form.name, consent_form, save=False)
        self._decide(link, by)

    def apply_refuse(self, link, by, actor, reason=""):
        self._decide(link, by, reason)

    def apply_withdraw(self, link, by, actor):
        self._decide(link, by)

    def _decide(self, link, by, reason=""):
        link.decided_by, link.decided_at, link.reason = by, timezone.now(), reason.strip()[:300]

    def after(self, link, step, by, actor, source, inputs):
        if step.name == "record_consent":
            ResidentStation.objects.get_or_create(resident=link.resident, station=link.station)
            audit.record(
                link.resident,
                "station_linked",
                note=_("%(station)s, with the person's consent of %(date)s")
                % {"station": link.station.name, "date": link.consent_on.isoformat()},
            )

    def notify(self, link, step, by, source):
        if step.name == "refuse":
            notify(
                members_of(Organization.objects.filter(pk=link.organization_id)),
                title=_("Link request refused: %(name)s") % {"name": link.name_given},
                body=link.reason,
            )


LINK_REQUESTS = LinkRequestFlow()


def act_on_link_request(link: ResidentLinkRequest, action: str, *, by, **inputs) -> ResidentLinkRequest:
    """record_consent (``consent_on`` and the signed ``consent_form``, checked by content: links
    the station to her file), refuse (with ``reason``) or withdraw. Repeating the action just
    done changes nothing."""
    return LINK_REQUESTS.perform(link, action, by=by, **inputs)


def update_resident(resident: Resident, *, by, phone: str | None = None, **fields) -> Resident:
    require_editable(resident, by, _("You may not change this resident's file."))
    _check_resident_values(fields)
    for name, value in fields.items():
        if name in RESIDENT_FIELDS:
            setattr(resident, name, value)
    if phone is not None:
        resident.phone, resident.phone_hash = normalise(phone), blind_index(phone)
    if "consent_on" in fields and fields["consent_on"]:
        resident.consent_recorded_by = by
    resident.full_clean(exclude=["id_number_hash", "consent_recorded_by"])
    with audit.audit_context(actor=by):
        resident.save()
    return resident


def find_by_identity(queryset, *, id_number: str = "", phone: str = ""):
    """Exact search on the keyed hashes: nothing is decrypted to search."""
    if id_number:
        queryset = queryset.filter(id_number_hash__in=blind_index_candidates(id_number))
    if phone:
        queryset = queryset.filter(phone_hash__in=blind_index_candidates(phone))
    return queryset


def overdue_care_visits(residents, today=None):
    """Residents living alone whose last care visit is older than their interval (or who had
    none), most overdue first, each annotated with ``last_visit``."""
    today = today or timezone.localdate()
    last_visit = (
        ServiceRecord.objects.filter(resident=OuterRef("pk"), category=ServiceCategory.CARE_VISIT)
        .order_by("-started_at")
        .values("started_at")[:1]
    )
    candidates = residents.filter(living_situation=LivingSituation.ALONE).annotate(
        last_visit=Subquery(last_visit)
    )
    overdue = []
    for resident in candidates:
        due = (
            timezone.localdate(resident.last_visit) + timedelta(days=resident.care_visit_interval_days)
            if resident.last_visit
            else None
        )
        if due is None or due < today:
            resident.days_overdue = (today - due).days if due else None
            overdue.append(resident)
    overdue.sort(key=lambda r: (r.last_visit is not None, r.last_visit or timezone.now()))
    return overdue


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
) -> ServiceOrder:
    _require_station_operator(station, by)
    _check_service_allowed(station, resident, category)
    order = ServiceOrder(
        resident=resident,
        station=station,
        category=category,
        channel=channel,
        requested_at=requested_at or timezone.now(),
        is_emergency=is_emergency or category == ServiceCategory.EMERGENCY,
        note=note,
        created_by=by,
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


def _price(station: Station, category: str) -> tuple[Decimal, str]:
    item = StationPrice.objects.filter(station=station, category=category).first()
    return (item.price, item.unit) if item else (Decimal("0"), "")


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
) -> ServiceRecord:
    if ended_at < started_at:
        raise ValidationError({"ended_at": _("The service cannot end before it starts.")})
    if started_at > timezone.now() + timedelta(minutes=5):
        raise ValidationError({"started_at": _("A service cannot be recorded before it happens.")})
    fee, unit = _price(station, category)  # the posted price at this moment, kept with the record
    return ServiceRecord.objects.create(
        order=order,
        resident=resident,
        station=station,
        category=category,
        staff=staff,
        started_at=started_at,
        ended_at=ended_at,
        duration_minutes=max(int((ended_at - started_at).total_seconds() // 60), 0),
        fee=fee,
        fee_unit=unit,
        is_emergency=is_emergency,
        response_minutes=response_minutes,
        notes=notes,
    )


class OrderFlow(Workflow):
    """Orders (点菜式): assign to a staff member who may serve, complete (writes the service
    record with the posted price of that moment) or cancel with a reason. Reassigning an assigned
    order is allowed; completing checks again who serves."""

    model = ServiceOrder
    select_related = ("station__operator", "resident")
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
            inputs=("started_at", "ended_at", "notes"),
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

    def check_complete(self, order, by, started_at=None, ended_at=None, notes=""):
        # the person may have failed a corrected result, left or been suspended since
        _check_still_serves(order)

    def apply_complete(self, order, by, actor, started_at=None, ended_at=None, notes=""):
        started_at = started_at or order.assigned_at or timezone.now()
        ended_at = ended_at or timezone.now()
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
        )

    def check_cancel(self, order, by, reason=""):
        if not (reason or "").strip():
            raise ValidationError({"reason": _("Give the reason for cancelling.")})

    def apply_cancel(self, order, by, actor, reason=""):
        order.cancel_reason = reason.strip()


ORDERS = OrderFlow()


def transition_order(order: ServiceOrder, action: str, *, by, **inputs) -> ServiceOrder:
    """assign (``staff``), complete (``started_at``/``ended_at``/``notes``) or cancel (``reason``)
    through the order workflow; repeating the action just done changes nothing."""
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
    *, by, resident: Resident, station: Station, category: str, staff, started_at, ended_at, notes: str = ""
) -> ServiceRecord:
    """A service done without an order (a care visit on a round) becomes a record the same way."""
    _require_station_operator(station, by)
    _check_service_allowed(station, resident, category)
    check_can_serve(staff, station)
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


# --- publicity, surveys, accounting, finder -----------------------------------------------


def check_publicity(*, by, station: Station, officers=(), photo=None) -> None:
    """What :func:`record_publicity` refuses about who runs the event and its photo, for forms
    that show the refusal beside the field before saving."""

    _require_station_operator(station, by)
    problems = {}
    try:
        check_publicity_officers(officers, station)
    except ValidationError as exc:
        problems.update(exc.message_dict)
    if photo is not None:
        try:
            check_upload(photo, allowed=IMAGE_KINDS)
        except ValidationError as exc:
            problems["photo"] = exc.messages
    if problems:
        raise ValidationError(problems)


def record_publicity(*, by, station: Station, officers=(), photo=None, **fields) -> PublicityEvent:
    officers = list(officers)
    check_publicity(by=by, station=station, officers=officers, photo=photo)
    event = PublicityEvent(station=station, **fields)
    event.full_clean(exclude=["photo"])
    with transaction.atomic(), audit.audit_context(actor=by):
        if photo is not None:
            event.photo.save(photo.name, photo, save=False)
        event.save()
        event.officers.set(officers)
    return event


def add_survey_response(
    *, by, survey, station: Station, scores: list, comment: str = "", resident=None, submitted_on=None
) -> SurveyResponse:
    _require_station_operator(station, by)
    if survey.station_id and survey.station_id != station.pk:
        raise ValidationError({"station": _("This survey is for another station.")})
    if not station.region.code.startswith(survey.region.code):
        raise ValidationError({"station": _("The station lies outside the survey's region.")})
    if len(scores) != len(survey.questions) or any(not isinstance(s, int) or not 1 <= s <= 5 for s in scores):
        raise ValidationError(
            {
                "scores": _("Give one whole-number score from 1 to 5 for each of the %(n)d questions.")
                % {"n": len(survey.questions)}
            }
        )
    submitted_on = submitted_on or timezone.localdate()
    if not survey.period_start <= submitted_on <= survey.period_end:
        raise ValidationError(
            {
                "submitted_on": _("The survey runs from %(start)s to %(end)s.")
                % {"start": survey.period_start.isoformat(), "end": survey.period_end.isoformat()}
            }
        )
    response = SurveyResponse.objects.create(
        survey=survey,
        station=station,
        resident=resident,
        scores=scores,
        comment=comment,
        submitted_on=submitted_on,
        average=(Decimal(sum(scores)) / len(scores)).quantize(Decimal("0.01")),
    )
    audit.record(response, "survey_response", actor=by)
    return response


def survey_averages(responses):
    """Average score and count per survey and station."""
    return (
        responses.values("survey__title", "survey__period_start", "survey__period_end", "station__name")
        .annotate(responses=Count("id"), average=Avg("average"))
        .order_by("survey__period_start", "station__name")
    )


def monthly_revenue(records):
    """002, 五: elderly-care revenue per station per month, from the service records only — kept
    apart from any other income of the operator."""
    return (
        records.annotate(month=TruncMonth("started_at"))
        .values("station_id", "station__name", "station__operator__name", "month")
        .annotate(services=Count("id"), revenue=Sum("fee"))
        .order_by("month", "station__name")
    )


EARTH_RADIUS_M = 6_371_000


def distance_m(lat1, lng1, lat2, lng2) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp, dl = p2 - p1, math.radians(float(lng2) - float(lng1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def stations_near(queryset, *, latitude: float, longitude: float, radius_m: int = 1000):
    """Stations within ``radius_m`` of the point, nearest first, each with ``distance_m``. A
    bounding box narrows the query (served by the location index); the exact distance is
    computed for the few candidates, so no database extension or map tiles are needed."""
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180) or radius_m <= 0 or radius_m > 50_000:
        raise ValidationError(_("Give a point (latitude, longitude) and a radius of up to 50 km."))
    dlat = radius_m / 111_320
    dlng = radius_m / (111_320 * max(math.cos(math.radians(latitude)), 0.01))
    box = queryset.filter(
        latitude__range=(latitude - dlat, latitude + dlat),
        longitude__range=(longitude - dlng, longitude + dlng),
    )
    found = []
    for station in box:
        station.distance_m = round(distance_m(latitude, longitude, station.latitude, station.longitude))
        if station.distance_m <= radius_m:
            found.append(station)
    found.sort(key=lambda s: (s.distance_m, s.pk))
    return found
