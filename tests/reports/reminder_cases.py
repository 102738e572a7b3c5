"""Hand-made objects for each reminder kind: ``build(world, n, due)`` makes ``n`` objects due on
``due``; ``fires(due)`` is the first day the reminder goes out and ``quiet(due)`` the day before;
``move(obj, due)`` changes an object's due date; ``to`` / ``not_to`` name the world's users who
must and must not be told."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from facilities.models import CareRoom, Compound, EntrustmentAgreement, Inspection, UseApplication, Violation
from pilots.models import (
    Application,
    Milestone,
    Opinion,
    Phase,
    Pilot,
    PilotMilestone,
    Programme,
)
from stations.models import PublicityEvent, Resident, ResidentStation, ServiceRecord, Station

DAY = dt.timedelta(days=1)
_serial = itertools.count(1)


def _aware(day: dt.date, hour=9):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _compound(world):
    return Compound.objects.create(name=f"华阳小区{next(_serial)}", region=world.regions["310105001"])


def _room(world, **fields):
    details = {
        "location": f"{next(_serial)} 号楼一层",
        "area": Decimal("120"),
        "handover_state": "handed_over",
        "handed_over_on": dt.date(2025, 1, 1),
        "handover_number": f"YJ-{next(_serial)}",
        "owner": world.changning_bureau,
    }
    details.update(fields)
    return CareRoom.objects.create(compound=_compound(world), **details)


def _station(world, operator=None, **fields):
    return Station.objects.create(
        operator=operator or world.company_a,
        region=world.regions["310105001"],
        name=f"华阳服务站{next(_serial)}",
        address="华阳路 1 号",
        status=fields.pop("status", "operating"),
        **fields,
    )


def _programme(world, **fields):
    programme = Programme.objects.create(
        title=f"试点征集{next(_serial)}",
        mode="call",
        region=world.regions["310105"],
        announced_at=timezone.now() - dt.timedelta(days=60),
        **fields,
    )
    programme.issuers.add(world.changning_bureau)
    return programme


# --- the kinds ------------------------------------------------------------------------------------


def build_rooms(world, n, due):
    return [_room(world, deadline=due) for _ in range(n)]


def move_room(room, due):
    CareRoom.objects.filter(pk=room.pk).update(deadline=due)


def build_violations(world, n, due):
    made = []
    for _ in range(n):
        room = _room(world, operator=world.company_a)
        inspection = Inspection.objects.create(
            room=room, inspected_on=due - 30 * DAY, inspector=world.street_officer, findings="闲置"
        )
        made.append(
            Violation.objects.create(room=room, found_in=inspection, kind="built_unused", rectify_by=due)
        )
    return made


def move_violation(violation, due):
    Violation.objects.filter(pk=violation.pk).update(rectify_by=due)


def build_agreements(world, n, due):
    made = []
    for _ in range(n):
        room = _room(world)
        application = UseApplication.objects.create(room=room, town=world.huayang_office, status="signed")
        made.append(
            EntrustmentAgreement.objects.create(
                application=application,
                room=room,
                bureau=world.changning_bureau,
                town=world.huayang_office,
                number=f"WT-{next(_serial)}",
                signed_on=due - 3 * 365 * DAY,
                starts_on=due - 3 * 365 * DAY,
                ends_on=due,
            )
        )
    return made


def move_agreement(agreement, due):
    EntrustmentAgreement.objects.filter(pk=agreement.pk).update(ends_on=due)


def build_milestones(world, n, due):
    programme = _programme(world)
    made = []
    for _ in range(n):
        milestone = Milestone.objects.create(
            programme=programme, phase="implementation", name=f"站点运营{next(_serial)}", due_on=due
        )
        pilot, _created = Pilot.objects.get_or_create(
            programme=programme,
            organization=world.company_a,
            pilot_type="property_care",
            defaults={"site_region": world.regions["310105001"]},
        )
        made.append(PilotMilestone.objects.create(pilot=pilot, milestone=milestone))
    return made


def move_milestone(pilot_milestone, due):
    Milestone.objects.filter(pk=pilot_milestone.milestone_id).update(due_on=due)


def _visit(resident, station, day):
    ServiceRecord.objects.create(
        resident=resident,
        station=station,
        category="care_visit",
        started_at=_aware(day),
        ended_at=_aware(day, 10),
        duration_minutes=60,
    )


def build_residents(world, n, due):
    """Living alone, visited every 7 days, last visited 7 days before ``due``; and one living
    with family, never visited, who is never reminded of."""
    station = _station(world)
    made = []
    for situation in ["alone"] * n + ["with_family"]:
        number = next(_serial)
        resident = Resident.objects.create(
            name="王阿婆",
            id_number=f"31010519400101{number:04d}",
            id_number_hash=f"hash-{number}",
            birth_date=dt.date(1940, 1, 1),
            sex="F",
            community=world.regions["310105001"],
            living_situation=situation,
            care_visit_interval_days=7,
        )
        Resident.objects.filter(pk=resident.pk).update(created_at=_aware(due - 400 * DAY))
        ResidentStation.objects.create(resident=resident, station=station)
        if situation == "alone":
            _visit(resident, station, due - 7 * DAY)
            made.append(resident)
    return made


def move_resident(resident, due):
    _visit(resident, resident.stations.first(), due - 7 * DAY)


def build_stations(world, n, due):
    made = [_station(world) for _ in range(n)]
    # not reminded of: a station that held its event this month, a planned one, another company's
    PublicityEvent.objects.create(
        station=_station(world), held_on=due.replace(day=3), form="talk", topic="防诈骗"
    )
    _station(world, status="planned")
    return made


def move_station(station, due):
    """The due date is the 20th of each month: a new month is a new due date. The other stations
    hold that month's event."""
    for other in Station.objects.filter(status="operating").exclude(pk=station.pk):
        PublicityEvent.objects.create(station=other, held_on=due.replace(day=3), form="talk", topic="防诈骗")


def build_applications(world, n, due, status="submitted"):
    made = []
    for index in range(n):
        organization = world.company_a if index == 0 else world.company_b
        application = Application.objects.create(
            programme=_programme(world),  # one application per unit and type in a programme
            organization=organization,
            pilot_type="property_care" if index % 2 == 0 else "mutual_aid",
            status=status,
            site_region=world.regions["310105001"],
            submitted_at=_aware(due - 5 * DAY),
        )
        if status == "recommended":
            Opinion.objects.create(
                application=application,
                stage="street",
                decision="recommend",
                officer=world.street_officer,
                organization=world.huayang_office,
                version=1,
                at=_aware(due - 5 * DAY),
            )
        made.append(application)
    return made


def build_recommended(world, n, due):
    return build_applications(world, n, due, status="recommended")


def move_application(application, due):
    Application.objects.filter(pk=application.pk).update(submitted_at=_aware(due - 5 * DAY))
    application.opinions.update(at=_aware(due - 5 * DAY))


def build_programmes(world, n, due):
    made = []
    for _ in range(n):
        programme = _programme(world)
        Phase.objects.create(programme=programme, kind="review", starts_on=due - 10 * DAY, ends_on=due)
        made.append(programme)
    # not reminded of: a list already published
    published = _programme(world, list_published_at=timezone.now())
    Phase.objects.create(programme=published, kind="review", starts_on=due - 10 * DAY, ends_on=due)
    return made


def move_programme(programme, due):
    Phase.objects.filter(programme=programme, kind="review").update(ends_on=due)


@dataclass(frozen=True)
class Case:
    kind: str
    build: object
    move: object
    fires_after: int  # days from the due date to the first day it fires (negative: before)
    to: tuple[str, ...]
    not_to: tuple[str, ...]

    def fires(self, due):
        return due + self.fires_after * DAY

    def quiet(self, due):
        return self.fires(due) - DAY

    def __str__(self):
        return self.kind


OFFICERS = ("changning_officer", "street_officer")
COMPANIES = ("company_a_admin", "company_b_admin")
OTHERS = ("changning_viewer", "nanan_officer")

CASES = [
    Case("care_room_deadline", build_rooms, move_room, -30, OFFICERS, (*COMPANIES, *OTHERS)),
    Case(
        "violation_overdue",
        build_violations,
        move_violation,
        1,
        (*OFFICERS, "company_a_admin"),
        ("company_b_admin", *OTHERS),
    ),
    Case("agreement_ending", build_agreements, move_agreement, -90, OFFICERS, (*COMPANIES, *OTHERS)),
    Case(
        "milestone_overdue",
        build_milestones,
        move_milestone,
        1,
        ("company_a_admin",),
        (*OFFICERS, "company_b_admin", *OTHERS),
    ),
    Case(
        "care_visit_overdue",
        build_residents,
        move_resident,
        1,
        ("company_a_admin",),
        (*OFFICERS, "company_b_admin", *OTHERS),
    ),
    Case(
        "publicity_missing",
        build_stations,
        move_station,
        0,
        ("company_a_admin",),
        (*OFFICERS, "company_b_admin", *OTHERS),
    ),
    Case(
        "application_waiting",
        build_applications,
        move_application,
        1,
        ("street_officer",),
        ("changning_officer", *COMPANIES, *OTHERS),
    ),
    Case(
        "pilot_list_late",
        build_programmes,
        move_programme,
        1,
        ("changning_officer",),
        ("street_officer", *COMPANIES, *OTHERS),
    ),
]
