"""Hand-made data for the evaluation tests: each helper writes rows straight to the database
(the rules under test are the indicators and the run, not the apps' own services)."""

import datetime as dt
import itertools
from decimal import Decimal

from django.utils import timezone
from stdnum.cn import ric

from accounts.pii import blind_index
from checklists.models import ChecklistCheck, ChecklistVersion
from facilities.models import CareRoom, Compound, Inspection, Violation
from pilots.models import Milestone, PhaseKind, Pilot, PilotMilestone, Programme
from reports.evaluation import services
from stations.models import (
    PublicityEvent,
    Resident,
    ResidentStation,
    ServiceRecord,
    Station,
    StationPrice,
    Survey,
    SurveyResponse,
)

MONTH = dt.date(2026, 10, 1)  # the month evaluated: 1–31 October 2026
_numbers = itertools.count(1)


def at(day: dt.date, hour=10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def make_station(operator, region, name=None, **fields):
    fields.setdefault("status", "operating")
    fields.setdefault("services", [])
    return Station.objects.create(
        operator=operator,
        region=region,
        name=name or f"测试站{next(_numbers)}",
        address="测试路 1 号",
        **fields,
    )


def make_resident(station, *, alone=True, interval=7):
    body = f"310105194001{next(_numbers):05d}"[:17]
    id_number = body + ric.calc_check_digit(body + "0")
    resident = Resident.objects.create(
        name="测试老人",
        id_number=id_number,
        id_number_hash=blind_index(id_number),
        birth_date=dt.date(1940, 1, 1),
        sex="F",
        community=station.region,
        living_situation="alone" if alone else "with_family",
        care_visit_interval_days=interval,
    )
    ResidentStation.objects.create(resident=resident, station=station, since=dt.date(2026, 1, 1))
    return resident


def record(station, resident, when: dt.datetime, *, category="care_visit", emergency=False, response=None):
    return ServiceRecord.objects.create(
        station=station,
        resident=resident,
        category=category,
        started_at=when,
        ended_at=when + dt.timedelta(minutes=30),
        duration_minutes=30,
        is_emergency=emergency,
        response_minutes=response,
    )


def publicity(station, day):
    return PublicityEvent.objects.create(station=station, held_on=day, form="talk", topic="防诈骗宣传")


def survey_answer(station, resident, average, day):
    survey = Survey.objects.filter(region=station.region).first() or Survey.objects.create(
        title="满意度调查",
        region=station.region,
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
        questions=["服务态度"],
    )
    response = SurveyResponse(
        survey=survey, station=station, resident=resident, scores=[round(float(average))], submitted_on=day
    )
    response.average = Decimal(average)
    SurveyResponse.objects.bulk_create([response])  # the average as given, whatever save() derives
    return response


def price(station, category):
    return StationPrice.objects.create(station=station, category=category, price=Decimal("10"))


def published_lists(station, published_on: dt.date, reviewed_on=None, state="published"):
    return ChecklistVersion.objects.create(
        station=station,
        region=station.region,
        number=next(_numbers),
        state=state,
        published_at=at(published_on),
        resources_reviewed_on=reviewed_on,
    )


def check(station, version, day):
    return ChecklistCheck.objects.create(station=station, version=version, checked_on=day)


def make_pilot(world, organization, region, programme=None):
    programme = programme or Programme.objects.create(
        title="试点征集", region=world.regions["310105"], announced_at=timezone.now()
    )
    return Pilot.objects.create(
        programme=programme, organization=organization, pilot_type="property_care", site_region=region
    )


def milestone(pilot, due_on, *, done_on=None):
    item = Milestone.objects.create(
        programme=pilot.programme, phase=PhaseKind.IMPLEMENTATION, name="节点", due_on=due_on
    )
    return PilotMilestone.objects.create(
        pilot=pilot, milestone=item, status="done" if done_on else "pending", completed_on=done_on
    )


def care_room(region, *, deadline, operating=False):
    compound = Compound.objects.create(name=f"小区{next(_numbers)}", region=region)
    room = CareRoom.objects.create(
        compound=compound,
        location="1 号楼底层",
        area=Decimal("120"),
        handover_state="handed_over",
        operating_state="operating" if operating else "not_operating",
    )
    CareRoom.objects.filter(pk=room.pk).update(deadline=deadline)
    room.refresh_from_db()
    return room


def violation(room, inspector, *, rectify_by, state="open"):
    inspection = Inspection.objects.create(
        room=room, inspected_on=rectify_by - dt.timedelta(days=30), inspector=inspector, findings="挪作他用"
    )
    return Violation.objects.create(
        room=room,
        found_in=inspection,
        kind="diverted",
        rectify_by=rectify_by,
        state=state,
        closed_in=inspection if state == "closed" else None,
    )


def scheme_for(world, indicators, region="310105", by=None):
    """A scheme of 长宁区 with ``indicators``: (code, weight, threshold, direction) tuples."""
    return services.save_scheme(
        None,
        by=by or world.changning_officer,
        region=world.regions[region],
        name="长宁区站点考核",
        indicators=[
            {"code": code, "weight": weight, "threshold": threshold, "direction": direction}
            for code, weight, threshold, direction in indicators
        ],
    )
