"""Rules of the care-room registry (004). Every change goes through a function here that takes
the acting user (``by``), checks who may act, writes the audit trail and sends the notices."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from accounts import audit
from accounts.models import Organization, OrganizationKind, Role
from accounts.notices import members_of, notify
from accounts.params import check_calendar
from accounts.scoping import GOVERNMENT_EDITING_ROLES, acting_organization
from accounts.uploads import IMAGE_KINDS, check_upload
from core.workflow import Actor, Transition, Workflow
from regions.models import Region, region_subtree

from .models import (
    Alteration,
    ApplicationStatus,
    ApplicationStep,
    Campaign,
    CareRoom,
    Compound,
    EntrustmentAgreement,
    HandoverState,
    Inspection,
    InspectionPhoto,
    OperatingState,
    UseApplication,
    Violation,
    ViolationState,
    add_months,
)

AGREEMENT_WARNING_DAYS = 90


# --- who may act -------------------------------------------------------------------------------


def bureau_of(user, region) -> Organization | None:
    """A civil-affairs bureau over ``region`` in which ``user`` is an officer (the owner)."""
    kinds = {OrganizationKind.CIVIL_AFFAIRS}
    return acting_organization(user, kinds=kinds, roles=GOVERNMENT_EDITING_ROLES, region=region)


def town_of(user, region) -> Organization | None:
    """The town government (street office) of ``region`` in which ``user`` is an officer."""
    kinds = {OrganizationKind.STREET_OFFICE}
    return acting_organization(user, kinds=kinds, roles=GOVERNMENT_EDITING_ROLES, region=region)


def _require_registry_editor(user, region) -> None:
    if user.is_superuser:
        return
    if bureau_of(user, region) is None and town_of(user, region) is None:
        raise PermissionDenied(_("Only the civil-affairs bureau or the town of the compound can do this."))


def _require_bureau(user, region) -> None:
    if not user.is_superuser and bureau_of(user, region) is None:
        raise PermissionDenied(_("Only the civil-affairs bureau of the county can do this."))


# --- registry and deadlines ----------------------------------------------------------------------


def campaign_for(region) -> Campaign | None:
    codes = [region.code[:n] for n in (12, 9, 6, 4, 2) if len(region.code) >= n]
    return (
        Campaign.objects.filter(region__code__in=codes)
        .order_by("-region__code", "-starts_on")
        .select_related("region")
        .first()
    )


CAMPAIGN_FIELDS = (
    "region",
    "title",
    "document_number",
    "starts_on",
    "existing_deadline",
    "new_handover_months",
)


def save_campaign(instance: Campaign | None, *, by, **fields) -> tuple[Campaign, int]:
    """Create or change a county's campaign (only its civil-affairs bureau may), then recompute
    the deadlines of the rooms it covers. Returns the campaign and how many deadlines changed."""
    campaign = instance or Campaign()
    if instance is not None:
        _require_bureau(by, instance.region)
    for name, value in fields.items():
        if name not in CAMPAIGN_FIELDS:
            raise ValidationError(_("Unknown field %(name)s.") % {"name": name})
        setattr(campaign, name, value)
    campaign.full_clean()
    _require_bureau(by, campaign.region)
    with transaction.atomic(), audit.audit_context(actor=by):
        campaign.save()
        changed = recompute_deadlines(campaign)
    return campaign, changed


def deadline_for(room: CareRoom, campaign: Campaign | None = None) -> dt.date | None:
    """004 一: rooms handed over before the campaign operate by its deadline (2027-12-31);
    rooms handed over later within one year (``new_handover_months``) of the confirmation.
    Rooms not yet handed over have no deadline."""
    if room.handover_state != HandoverState.HANDED_OVER or room.handed_over_on is None:
        return None
    campaign = campaign or campaign_for(room.compound.region)
    if campaign is None:
        return None
    if room.handed_over_on < campaign.starts_on:
        return campaign.existing_deadline
    return add_months(room.handed_over_on, campaign.new_handover_months)


COMPOUND_FIELDS = ("name", "region", "address", "households", "residents", "elderly_residents", "developer")
COMPOUND_FIELDS += ("property_company",)
ROOM_FIELDS = ("compound", "location", "floor", "area", "built_on", "handover_state", "handover_number")
ROOM_FIELDS += ("handed_over_on", "owner", "operating_state", "operating_since", "operating_mode", "operator")
ROOM_FIELDS += ("responsible_party", "management_mode", "equipment", "staffing", "funding", "function")
ROOM_FIELDS += ("opening_hours",)


def save_compound(instance: Compound | None, *, by, **fields) -> Compound:
    compound = instance or Compound()
    if instance is not None:
        _require_registry_editor(by, instance.region)
    for name, value in fields.items():
        if name not in COMPOUND_FIELDS:
            raise ValidationError(_("Unknown field %(name)s.") % {"name": name})
        setattr(compound, name, value)
    compound.full_clean()
    _require_registry_editor(by, compound.region)
    with audit.audit_context(actor=by):
        compound.save()
    return compound


def save_room(instance: CareRoom | None, *, by, **fields) -> CareRoom:
    """Register or change a room (建档). The owner of a handed-over room is the county's
    civil-affairs bureau; the deadline follows from the handover date and the campaign."""
    room = instance or CareRoom()
    if instance is not None:
        _require_registry_editor(by, instance.compound.region)
    for name, value in fields.items():
        if name not in ROOM_FIELDS:
            raise ValidationError(_("Unknown field %(name)s.") % {"name": name})
        if isinstance(value, dt.date):
            check_calendar(value, name)  # the deadline is computed from the handover date
        setattr(room, name, value)
    if room.compound_id is None:
        raise ValidationError({"compound": _("Choose the compound.")})
    _require_registry_editor(by, room.compound.region)
    if room.handover_state == HandoverState.HANDED_OVER and room.owner_id is None:
        room.owner = Organization.objects.filter(
            kind=OrganizationKind.CIVIL_AFFAIRS, region__code=room.compound.region.code[:6], is_active=True
        ).first()
    room.full_clean()
    room.deadline = deadline_for(room)
    with audit.audit_context(actor=by):
        room.save()
    return room


def recompute_deadlines(campaign: Campaign) -> int:
    rooms = CareRoom.objects.filter(region_subtree("compound__region", campaign.region)).select_related(
        "compound__region"
    )
    changed = 0
    for room in rooms:
        deadline = deadline_for(room, campaign_for(room.compound.region))
        if deadline != room.deadline:
            CareRoom.objects.filter(pk=room.pk).update(deadline=deadline)
            changed += 1
    return changed


def overdue_rooms(queryset=None, today=None):
    """Handed-over rooms past their deadline that are still not operating."""
    today = today or timezone.localdate()
    queryset = queryset if queryset is not None else CareRoom.objects.all()
    return queryset.filter(deadline__lt=today).exclude(operating_state=OperatingState.OPERATING)


@dataclass
class TownDeadlines:
    town: Region
    rooms: list = field(default_factory=list)

    @property
    def overdue(self):
        return [room for room in self.rooms if room.is_overdue]


def deadlines_by_town(queryset) -> list[TownDeadlines]:
    """Each town's handed-over rooms not yet operating, nearest deadline first, for the portal."""
    rooms = list(
        queryset.filter(handover_state=HandoverState.HANDED_OVER)
        .exclude(operating_state=OperatingState.OPERATING)
        .select_related("compound__region")
        .order_by("deadline", "id")
    )
    towns = {
        r.code: r for r in Region.objects.filter(code__in={room.compound.region.code[:9] for room in rooms})
    }
    grouped: dict[str, TownDeadlines] = {}
    for room in rooms:
        code = room.compound.region.code[:9]
        room.overdue_days = -room.days_left() if room.is_overdue else 0
        grouped.setdefault(code, TownDeadlines(towns.get(code))).rooms.append(room)
    return [grouped[code] for code in sorted(grouped)]


# --- inspections, violations and alterations -------------------------------------------------


def record_inspection(
    *, by, room: CareRoom, inspected_on, findings: str, violations=(), photos=()
) -> Inspection:
    """An inspection with what it found: each violation with its rectification deadline. Photos
    are checked by content."""

    _require_registry_editor(by, room.compound.region)
    if inspected_on > timezone.localdate():
        raise ValidationError({"inspected_on": _("An inspection cannot be recorded before it happens.")})
    if not (findings or "").strip():
        raise ValidationError({"findings": _("Write down what the inspection found.")})
    for photo in photos:
        check_upload(photo, allowed=IMAGE_KINDS)
    with transaction.atomic(), audit.audit_context(actor=by):
        inspection = Inspection.objects.create(
            room=room, inspected_on=inspected_on, inspector=by, findings=findings
        )
        for item in violations:
            violation = Violation(room=room, found_in=inspection, **item)
            violation.full_clean()
            if violation.rectify_by < inspected_on:
                raise ValidationError(
                    {"rectify_by": _("The rectification deadline lies before the inspection.")}
                )
            violation.save()
        for photo in photos:
            InspectionPhoto.objects.create(
                inspection=inspection, photo=photo, caption=getattr(photo, "name", "")
            )
    return inspection


def add_inspection_photos(inspection: Inspection, photos, *, by) -> list[InspectionPhoto]:
    """Photos for an inspection already recorded (e.g. uploaded later from a phone); each is
    checked by content."""

    _require_registry_editor(by, inspection.room.compound.region)
    photos = list(photos)
    if not photos:
        raise ValidationError({"photos": _("Choose at least one photo.")})
    for photo in photos:
        check_upload(photo, allowed=IMAGE_KINDS)
    with transaction.atomic():
        saved = [
            InspectionPhoto.objects.create(
                inspection=inspection, photo=photo, caption=getattr(photo, "name", "")
            )
            for photo in photos
        ]
        audit.record(inspection, "photos_added", note=str(len(saved)), actor=by)
    return saved


class ViolationFlow(Workflow):
    """A violation found by an inspection (004): the action taken so far (it is then being
    rectified), and closing, only by a later inspection of the same room that found it put right."""

    model = Violation
    state_field = "state"
    select_related = ("found_in", "room__compound__region")
    transitions = (
        Transition(
            "update",
            (ViolationState.OPEN, ViolationState.RECTIFYING),
            ViolationState.RECTIFYING,
            gettext_lazy("Record the action taken"),
            "registry",
            inputs=("action_taken",),
        ),
        Transition(
            "close",
            (ViolationState.OPEN, ViolationState.RECTIFYING),
            ViolationState.CLOSED,
            pgettext_lazy("violation", "Close"),
            "registry",
            inputs=("inspection", "action_taken"),
        ),
    )

    def actor_registry(self, violation, user):
        return Actor.unless_refused(lambda: _require_registry_editor(user, violation.room.compound.region))

    def apply_update(self, violation, by, actor, action_taken=""):
        violation.action_taken = (action_taken or "").strip()

    def check_close(self, violation, by, inspection=None, action_taken=""):
        if inspection is None:
            raise ValidationError({"inspection": _("Choose the later inspection that found it put right.")})
        if inspection.room_id != violation.room_id:
            raise ValidationError({"inspection": _("The inspection is of another room.")})
        if inspection.inspected_on <= violation.found_in.inspected_on:
            raise ValidationError(
                {"inspection": _("Only an inspection after the one that found the violation can close it.")}
            )

    def apply_close(self, violation, by, actor, inspection=None, action_taken=""):
        violation.closed_in = inspection
        if action_taken:
            violation.action_taken = action_taken.strip()


VIOLATIONS = ViolationFlow()


def update_violation(violation: Violation, *, by, action_taken: str) -> Violation:
    """The action taken so far (the violation is then being rectified)."""
    return VIOLATIONS.perform(violation, "update", by=by, action_taken=action_taken)


def close_violation(violation: Violation, *, by, inspection: Inspection, action_taken: str = "") -> Violation:
    """A violation is closed only by a later inspection of the same room that found it put
    right; closing it again changes nothing."""
    return VIOLATIONS.perform(violation, "close", by=by, inspection=inspection, action_taken=action_taken)


def record_alteration(*, by, room: CareRoom, **fields) -> Alteration:
    """004: no change of use or rebuilding without permission — recorded only with the approval
    (number, approving authority, date)."""
    _require_registry_editor(by, room.compound.region)
    alteration = Alteration(room=room, recorded_by=by, **fields)
    missing = [
        name for name in ("approval_number", "approved_by") if not (getattr(alteration, name) or "").strip()
    ]
    if missing or alteration.approved_on is None:
        raise ValidationError(
            {"approval_number": _("A change of use or a rebuilding is recorded only with its approval.")}
        )
    alteration.full_clean(exclude=["recorded_by"])
    with audit.audit_context(actor=by):
        alteration.save()
    return alteration


# --- use applications (004 三) --------------------------------------------------------------------


APPLICATION_FIELDS = ("residents", "elderly_residents", "room_area", "operating_mode", "services")


def start_application(*, by, room: CareRoom, text: str = "") -> UseApplication:
    """初步对接: the town (or the bureau with the town) opens the file on a room."""
    region = room.compound.region
    town = town_of(by, region)
    if town is None:
        bureau = bureau_of(by, region)
        town = Organization.objects.filter(
            kind=OrganizationKind.STREET_OFFICE, region__code=region.code[:9], is_active=True
        ).first()
        if bureau is None or town is None:
            raise PermissionDenied(_("Only the town of the compound or the bureau starts a use application."))
    if room.handover_state != HandoverState.HANDED_OVER:
        raise ValidationError(_("Only a room handed over to the bureau can be entrusted."))
    if (
        UseApplication.objects.filter(room=room)
        .exclude(
            status__in=[ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN, ApplicationStatus.OPERATING]
        )
        .exists()
    ):
        raise ValidationError(_("The room already has an application in progress."))
    with transaction.atomic(), audit.audit_context(actor=by):
        application = UseApplication.objects.create(room=room, town=town)
        ApplicationStep.objects.create(
            application=application,
            action="contact",
            to_status=ApplicationStatus.CONTACTED,
            actor=by,
            organization=town,
            text=text or _("Initial contact with the bureau."),
        )
    return application


def _fill_application(application: UseApplication, details: dict) -> None:
    for name in APPLICATION_FIELDS:
        if name in details:
            setattr(application, name, details[name])
    compound, room = application.room.compound, application.room
    application.residents = application.residents if application.residents is not None else compound.residents
    application.elderly_residents = (
        application.elderly_residents
        if application.elderly_residents is not None
        else compound.elderly_residents
    )
    application.room_area = application.room_area if application.room_area is not None else room.area
    missing = [
        label
        for name, label in (
            ("residents", _("residents")),
            ("elderly_residents", _("elderly residents (60+)")),
            ("room_area", _("room area (m²)")),
            ("operating_mode", _("operating mode")),
            ("services", _("services")),
        )
        if getattr(application, name) in (None, "")
    ]
    if missing:
        raise ValidationError(
            _("The application still lacks: %(names)s.") % {"names": "、".join(map(str, missing))}
        )
    # The model's own checks (choices, the database's integer range) of what the town filled in.
    application.clean_fields(
        exclude=[f.name for f in UseApplication._meta.fields if f.name not in APPLICATION_FIELDS]
    )


def _sign(
    application, *, by, bureau, number: str = "", signed_on=None, starts_on=None, ends_on=None, note=""
):
    if not (number or "").strip():
        raise ValidationError({"number": _("Give the agreement's number.")})
    signed_on = signed_on or timezone.localdate()
    starts_on = starts_on or signed_on
    for name, day in (("signed_on", signed_on), ("starts_on", starts_on), ("ends_on", ends_on)):
        check_calendar(day, name)
    ends_on = ends_on or add_months(starts_on, 36) - dt.timedelta(days=1)  # 原则上为三年
    if ends_on <= starts_on:
        raise ValidationError({"ends_on": _("The agreement ends after it starts.")})
    bureau = (
        bureau
        or Organization.objects.filter(
            kind=OrganizationKind.CIVIL_AFFAIRS, region__code=application.room.compound.region.code[:6]
        ).first()
    )
    EntrustmentAgreement.objects.create(
        application=application,
        room=application.room,
        bureau=bureau,
        town=application.town,
        number=number.strip(),
        signed_on=signed_on,
        starts_on=starts_on,
        ends_on=ends_on,
        note=note,
    )


def _operate(application, *, by, on) -> None:
    room = CareRoom.objects.select_for_update().get(pk=application.room_id)
    room.operating_state = OperatingState.OPERATING
    room.operating_since = room.operating_since or on
    room.operating_mode = room.operating_mode or application.operating_mode
    room.full_clean()
    with audit.audit_context(actor=by):
        room.save()


# The steps of 004 三; the labels are the notice's words.
CONTACT_LABEL = pgettext_lazy("use procedure", "Initial contact")


class UseApplicationFlow(Workflow):
    """The use procedure of a care room (004 三): the town applies, the bureau surveys, the city
    approves, the bureau signs the entrustment agreement, the town puts the room into operation.
    Each step leaves an ``ApplicationStep`` (who, for whom, what was said) and tells the other
    side."""

    model = UseApplication
    select_related = ("room__compound__region", "town")
    transitions = (
        Transition(
            "apply",
            (ApplicationStatus.CONTACTED,),
            ApplicationStatus.APPLIED,
            pgettext_lazy("use procedure", "Apply"),
            "town",
            ("text", *APPLICATION_FIELDS),
        ),
        Transition(
            "survey",
            (ApplicationStatus.APPLIED,),
            ApplicationStatus.SURVEYED,
            pgettext_lazy("use procedure", "Survey the site and give an opinion"),
            "bureau",
            ("text",),
        ),
        Transition(
            "approve",
            (ApplicationStatus.SURVEYED,),
            ApplicationStatus.APPROVED,
            pgettext_lazy("use procedure", "Record the city government's approval"),
            "bureau",
            ("text", "city_approval_number", "city_approved_on"),
        ),
        Transition(
            "reject",
            (ApplicationStatus.APPLIED, ApplicationStatus.SURVEYED),
            ApplicationStatus.REJECTED,
            pgettext_lazy("use procedure", "Do not agree"),
            "bureau",
            ("text",),
        ),
        Transition(
            "sign",
            (ApplicationStatus.APPROVED,),
            ApplicationStatus.SIGNED,
            pgettext_lazy("use procedure", "Sign the entrustment agreement"),
            "bureau",
            ("text", "number", "signed_on", "starts_on", "ends_on", "note"),
        ),
        Transition(
            "operate",
            (ApplicationStatus.SIGNED,),
            ApplicationStatus.OPERATING,
            pgettext_lazy("use procedure", "Put into operation"),
            "town",
            ("text", "operating_since"),
        ),
        Transition(
            "withdraw",
            (ApplicationStatus.CONTACTED, ApplicationStatus.APPLIED, ApplicationStatus.SURVEYED),
            ApplicationStatus.WITHDRAWN,
            pgettext_lazy("use procedure", "Withdraw"),
            "town",
            ("text",),
        ),
    )

    def actor_town(self, application, user):
        town = town_of(user, application.room.compound.region)
        if town is None and not user.is_superuser:
            return Actor.refuse(
                _("Only %(who)s can take this step.") % {"who": _("the town of the compound")}
            )
        return Actor(True, town)

    def actor_bureau(self, application, user):
        bureau = bureau_of(user, application.room.compound.region)
        if bureau is None and not user.is_superuser:
            return Actor.refuse(
                _("Only %(who)s can take this step.") % {"who": _("the civil-affairs bureau")}
            )
        return Actor(True, bureau)

    def wrong_state_message(self, application, action):
        return _("The application is “%(status)s”: this step is not possible now.") % {
            "status": application.get_status_display()
        }

    def step_label(self, action: str):
        """What the history shows for a recorded step (the opening contact included)."""
        return CONTACT_LABEL if action == "contact" else self.label(action)

    def apply_apply(self, application, by, actor, text="", **details):
        _fill_application(application, details)

    def _check_opinion(self, application, by, text="", **details):
        if not text.strip():
            raise ValidationError({"text": _("Write down the bureau's opinion.")})

    check_survey = check_reject = _check_opinion

    def check_approve(self, application, by, text="", city_approval_number="", city_approved_on=None):
        if not (city_approval_number or "").strip() or city_approved_on is None:
            raise ValidationError(
                {"city_approval_number": _("Record the number and date of the city's approval.")}
            )

    def apply_approve(self, application, by, actor, text="", city_approval_number="", city_approved_on=None):
        application.city_approval_number = city_approval_number.strip()
        application.city_approved_on = city_approved_on

    def apply_sign(self, application, by, actor, text="", **details):
        _sign(application, by=by, bureau=actor.organization, **details)

    def apply_operate(self, application, by, actor, text="", operating_since=None):
        _operate(application, by=by, on=operating_since or timezone.localdate())

    def after(self, application, step, by, actor, source, inputs):
        ApplicationStep.objects.create(
            application=application,
            action=step.name,
            from_status=source,
            to_status=step.target,
            actor=by,
            organization=actor.organization,
            text=(inputs.get("text") or "").strip(),
        )

    def notify(self, application, step, by, source):
        """Each step reaches the other side: the bureau's steps the town, the town's the bureau."""
        region = application.room.compound.region
        if step.actor == "bureau":
            recipients = members_of([application.town], roles=(Role.OFFICER, Role.ORG_ADMIN))
        else:
            bureaus = Organization.objects.filter(
                kind=OrganizationKind.CIVIL_AFFAIRS, region__code=region.code[:6]
            )
            recipients = members_of(list(bureaus), roles=(Role.OFFICER, Role.ORG_ADMIN))
        notify(
            [user for user in recipients if user != by],
            title=_("Care room %(room)s: %(status)s")
            % {"room": application.room, "status": application.get_status_display()},
            body=str(step.label),
            link=f"/facilities/applications/{application.pk}/",
        )


USE_APPLICATIONS = UseApplicationFlow()


def act_on_application(application: UseApplication, action: str, *, by, **inputs) -> UseApplication:
    """One step of the procedure (``USE_APPLICATIONS``): checks who may take it and the state,
    records who, when and what was said, and tells the other side."""
    return USE_APPLICATIONS.perform(application, action, by=by, **inputs)


def expiring_agreements(queryset=None, *, within_days: int = AGREEMENT_WARNING_DAYS, today=None):
    today = today or timezone.localdate()
    queryset = queryset if queryset is not None else EntrustmentAgreement.objects.all()
    return queryset.filter(ends_on__gte=today, ends_on__lte=today + dt.timedelta(days=within_days)).order_by(
        "ends_on"
    )
