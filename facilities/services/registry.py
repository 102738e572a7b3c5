"""Who may act, and the registry: compounds, care rooms, campaigns and their deadlines."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit
from accounts.models import Organization, OrganizationKind
from accounts.params import check_calendar
from accounts.scoping import GOVERNMENT_EDITING_ROLES, acting_organization
from regions.models import Region, region_subtree

from ..models import Campaign, CareRoom, Compound, HandoverState, OperatingState, add_months

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
