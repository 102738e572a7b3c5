"""A station's particulars — its name, address, premises, services, hours, photos and position —
are the company's statement about its station: its administrator (or an officer of the
station's region) writes them, not every member of its staff. Photos are checked by content;
a position can be estimated from the points already known near the address (no online map
service is used)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Avg, Count
from django.utils.translation import gettext as _

from accounts import audit
from accounts.models import Role
from accounts.scoping import GOVERNMENT_KINDS, acting_organization, scope_for
from accounts.uploads import IMAGE_KINDS, check_upload

from ..models import Station, StationPhoto

# A station shows a handful of photos; more is an album nobody scrolls on a phone.
MAX_PHOTOS = 12


def may_edit_station_details(station: Station, user) -> bool:
    """The operator's administrator, an officer whose region covers the station, a superuser."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if station.region_id and scope_for(user).covers_region(station.region, edit=True):
        return True
    return (
        station.operator_id is not None
        and acting_organization(user, roles={Role.ORG_ADMIN}, among=[station.operator_id]) is not None
    )


def require_station_details_editor(station: Station, by) -> None:
    if not may_edit_station_details(station, by):
        if station.pk:
            raise PermissionDenied(
                _(
                    "Only the company's administrator (or an officer of the region) can change "
                    "the station's details."
                )
            )
        raise PermissionDenied(
            _("Only a company's administrator (or an officer of the region) can set up its stations.")
        )


def operators_for(user):
    """The companies whose stations ``user`` may set up in the portal: those it administers."""
    return [
        membership.organization
        for membership in scope_for(user).memberships
        if membership.role == Role.ORG_ADMIN and membership.organization.kind not in GOVERNMENT_KINDS
    ]


# --- photos ---------------------------------------------------------------------------------------


def add_station_photo(station: Station, *, by, photo, caption: str = "") -> StationPhoto:
    """Keep a photo of the station: PNG or JPEG, checked by content and size."""
    require_station_details_editor(station, by)
    try:
        check_upload(photo, allowed=IMAGE_KINDS)
    except ValidationError as exc:
        raise ValidationError({"photo": exc.messages}) from exc
    with transaction.atomic():
        locked = Station.objects.select_for_update().get(pk=station.pk)
        if locked.photos.count() >= MAX_PHOTOS:
            raise ValidationError(
                {
                    "photo": _("A station keeps at most %(count)s photos; remove one first.")
                    % {"count": MAX_PHOTOS}
                }
            )
        item = StationPhoto(station=locked, caption=caption.strip()[:200], added_by=by)
        item.photo.save(photo.name, photo, save=False)
        item.save()
        audit.record(station, "photo_added", note=item.caption or item.photo.name, actor=by)
    return item


def remove_station_photo(item: StationPhoto, *, by) -> None:
    require_station_details_editor(item.station, by)
    name = item.photo.name
    with transaction.atomic():
        audit.record(item.station, "photo_removed", note=item.caption or name, actor=by)
        item.delete()
    transaction.on_commit(lambda: item.photo.storage.delete(name))


# --- an approximate position from the address -----------------------------------------------------

# The road (or lane) an address begins with: 华阳路 388 弄 → 华阳路.
_ROAD = re.compile(r"^\s*(?:[^\d\s]*?[区镇])?\s*([^\d\s]{1,20}?(?:路|街|大道|道|巷|弄|里|村))")


@dataclass(frozen=True)
class Estimate:
    latitude: Decimal
    longitude: Decimal
    count: int
    basis: str


def road_of(address: str) -> str:
    match = _ROAD.match(address or "")
    return match.group(1) if match else ""


def estimate_location(*, region, address: str = "", user) -> Estimate | None:
    """An approximate position for a station at ``address`` in ``region``: the centre of the
    stations already placed on the same road in the district, else in the same street or
    community, else in the district. No service outside the platform is asked, so it is only as
    good as the points it averages; ``None`` when there are none. Only stations the user can see
    are used."""
    if region is None:
        return None
    known = Station.objects.visible_to(user).exclude(latitude=None).exclude(longitude=None)
    road = road_of(address)
    attempts = []
    if road:
        attempts.append(
            (
                known.filter(region__code__startswith=region.code[:6], address__contains=road),
                _("the stations already placed on %(road)s") % {"road": road},
            )
        )
    attempts.append(
        (
            known.filter(region__code__startswith=region.code),
            _("the stations of %(region)s") % {"region": region.name},
        )
    )
    if len(region.code) > 6:
        attempts.append(
            (known.filter(region__code__startswith=region.code[:6]), _("the stations of the district"))
        )
    for queryset, basis in attempts:
        found = queryset.aggregate(lat=Avg("latitude"), lng=Avg("longitude"), n=Count("pk"))
        if found["n"]:
            step = Decimal("0.000001")
            return Estimate(
                Decimal(str(found["lat"])).quantize(step),
                Decimal(str(found["lng"])).quantize(step),
                found["n"],
                basis,
            )
    return None
