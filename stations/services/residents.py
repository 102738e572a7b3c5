"""Residents a station serves: registration, details, finding a person on file, and the link
requests (``LINK_REQUESTS``) by which a station asks to serve a person on file with another operator."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from accounts import audit
from accounts.identity import parse_identity_number
from accounts.models import Organization
from accounts.notices import members_of, notify
from accounts.pii import blind_index, blind_index_candidates, normalise
from accounts.scoping import is_editable, require_editable
from accounts.uploads import check_upload
from core.workflow import Actor, Transition, Workflow
from staff.services import PHONE_PATTERN  # one rule of what a phone number looks like

from ..models import (
    BasicCareCategory,
    LinkRequestState,
    LivingSituation,
    Resident,
    ResidentLinkRequest,
    ResidentStation,
    ServiceCategory,
    ServiceRecord,
    Station,
)

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


def update_resident(
    resident: Resident, *, by, phone: str | None = None, consent_form=None, **fields
) -> Resident:
    """Change a person's file. ``phone`` None keeps it ('' removes it); the signed consent form,
    when given, is checked by content (PDF, PNG, JPEG) and replaces the one kept. The change is
    audit-logged (personal values as ***)."""
    require_editable(resident, by, _("You may not change this resident's file."))
    _check_resident_values(fields)
    errors = {}
    if phone is not None and phone.strip() and not PHONE_PATTERN.match(phone.strip()):
        errors["phone"] = _("Enter a phone number of 7 to 20 digits.")
    if fields.get("consent_on") and fields["consent_on"] > timezone.localdate():
        errors["consent_on"] = _("The consent cannot be dated in the future.")
    if consent_form:
        try:
            check_upload(consent_form, allowed=LINK_CONSENT_FILE_KINDS)
        except ValidationError as exc:
            errors["consent_form"] = exc.messages
    if errors:
        raise ValidationError(errors)
    for name, value in fields.items():
        if name in RESIDENT_FIELDS:
            setattr(resident, name, value)
    if phone is not None:
        resident.phone, resident.phone_hash = normalise(phone), blind_index(phone)
    if "consent_on" in fields and fields["consent_on"]:
        resident.consent_recorded_by = by
    if consent_form and not resident.consent_on:
        raise ValidationError({"consent_on": _("Give the date the person signed the consent form.")})
    resident.full_clean(exclude=["id_number_hash", "consent_recorded_by", "consent_form"])
    with transaction.atomic(), audit.audit_context(actor=by):
        if consent_form:
            resident.consent_form.save(consent_form.name, consent_form, save=False)
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
