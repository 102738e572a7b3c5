"""The monthly duties report (“三员”履职月报): what each person in the three roles and each
station did in a month — publicity events (宣传员), resource updates (信息员), services and care
visits (服务员), volunteer hours — with the 专职人员数 per station, as a page, a workbook and in
the API (``staff/duties/``)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from reports.spreadsheets.writer import Column, SheetSpec, export_response
from staff.models import StaffMember, StaffStatus, StationResource
from stations.models import PublicityEvent, ServiceRecord
from volunteers.models import VolunteerHours


def month_bounds(month: str | dt.date) -> tuple[dt.date, dt.date]:
    if isinstance(month, str):
        try:
            year, number = (int(part) for part in month.split("-"))
            first = dt.date(year, number, 1)
        except ValueError as exc:
            raise ValidationError({"month": _("Give the month as YYYY-MM.")}) from exc
    else:
        first = month.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following


@dataclass
class DutyRow:
    key: int
    name: str
    detail: str = ""
    publicity_events: int = 0
    resource_updates: int = 0
    services: int = 0
    care_visits: int = 0
    volunteer_hours: Decimal = Decimal(0)
    full_time_staff: int | None = None


def monthly_duties(staff_queryset, stations, month) -> tuple[list[DutyRow], list[DutyRow]]:
    """Per person and per station: publicity events (宣传员), resource updates (信息员),
    services and care visits delivered (服务员), volunteer hours — in one month. A fixed number
    of grouped queries whatever the number of people."""
    first, following = month_bounds(month)
    tz = timezone.get_current_timezone()
    start_at = dt.datetime.combine(first, dt.time.min, tzinfo=tz)
    end_at = dt.datetime.combine(following, dt.time.min, tzinfo=tz)
    people = list(staff_queryset.select_related("employer").order_by("employer__name", "name"))
    stations = list(stations)
    person_ids = [p.pk for p in people]
    station_ids = [s.pk for s in stations]

    def counted(queryset, key):
        return {row[key]: row["n"] for row in queryset.values(key).annotate(n=Count("id", distinct=True))}

    events = PublicityEvent.objects.filter(held_on__gte=first, held_on__lt=following)
    resources = StationResource.objects.filter(updated_at__gte=start_at, updated_at__lt=end_at)
    records = ServiceRecord.objects.filter(started_at__gte=start_at, started_at__lt=end_at)
    hours = VolunteerHours.objects.filter(activity__held_on__gte=first, activity__held_on__lt=following)

    person_events = counted(events.filter(officers__in=person_ids), "officers")
    person_resources = counted(resources.filter(updated_by__in=person_ids), "updated_by")
    person_records = records.filter(staff__in=person_ids).values("staff", "category").annotate(n=Count("id"))
    person_hours = dict(
        hours.filter(volunteer__in=person_ids)
        .values("volunteer")
        .annotate(h=Sum("hours"))
        .values_list("volunteer", "h")
    )
    services, visits = defaultdict(int), defaultdict(int)
    for row in person_records:
        person = row["staff"]
        if row["category"] == "care_visit":
            visits[person] += row["n"]
        else:
            services[person] += row["n"]
    per_person = [
        DutyRow(
            p.pk,
            p.name,
            f"{p.employer.name} · {p.roles_display()}",
            person_events.get(p.pk, 0),
            person_resources.get(p.pk, 0),
            services[p.pk],
            visits[p.pk],
            person_hours.get(p.pk) or Decimal(0),
        )
        for p in people
    ]

    station_events = counted(events.filter(station__in=station_ids), "station")
    station_resources = counted(resources.filter(station__in=station_ids), "station")
    station_records = (
        records.filter(station__in=station_ids).values("station", "category").annotate(n=Count("id"))
    )
    station_hours = dict(
        hours.filter(activity__team__station__in=station_ids)
        .values("activity__team__station")
        .annotate(h=Sum("hours"))
        .values_list("activity__team__station", "h")
    )
    full_time = full_time_counts(stations)
    s_services, s_visits = defaultdict(int), defaultdict(int)
    for row in station_records:
        target = s_visits if row["category"] == "care_visit" else s_services
        target[row["station"]] += row["n"]
    per_station = [
        DutyRow(
            s.pk,
            s.name,
            s.operator.name,
            station_events.get(s.pk, 0),
            station_resources.get(s.pk, 0),
            s_services[s.pk],
            s_visits[s.pk],
            station_hours.get(s.pk) or Decimal(0),
            full_time.get(s.pk, 0),
        )
        for s in stations
    ]
    return per_person, per_station


def full_time_counts(stations) -> dict[int, int]:
    """专职人员数 per station in two queries: staff listed at the station, plus staff of the
    operator listed at no station (they work at all of them)."""
    stations = list(stations)
    active = StaffMember.objects.filter(status=StaffStatus.ACTIVE, kind="full_time")
    listed = dict(
        active.filter(stations__in=[s.pk for s in stations])
        .values("stations")
        .annotate(n=Count("id", distinct=True))
        .values_list("stations", "n")
    )
    everywhere = dict(
        active.filter(stations__isnull=True, employer__in={s.operator_id for s in stations})
        .values("employer")
        .annotate(n=Count("id"))
        .values_list("employer", "n")
    )
    return {s.pk: listed.get(s.pk, 0) + everywhere.get(s.operator_id, 0) for s in stations}


def duties_response(per_person, per_station, month):
    counts = [
        Column("宣传活动（次）", "publicity_events"),
        Column("资源信息更新（条）", "resource_updates"),
        Column("服务（次）", "services"),
        Column("寻访关爱（次）", "care_visits"),
        Column("志愿服务（小时）", "volunteer_hours", number_format="0.0"),
    ]
    person = [Column("姓名", "name", width=10), Column("单位 · 角色", "detail", width=44), *counts]
    station = [
        Column("站点", "name", width=24),
        Column("运营单位", "detail", width=30),
        Column("专职人员数", "full_time_staff"),
        *counts,
    ]
    title = f"“三员”履职月报 {month}"
    return export_response(
        f"三员履职-{month}",
        [
            (SheetSpec("按人员", person, title_rows=[title]), per_person),
            (SheetSpec("按站点", station, title_rows=[title]), per_station),
        ],
    )
