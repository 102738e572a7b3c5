"""The monthly duties report (“三员”履职月报): what each person in the three roles and each
station did in a month — publicity events (宣传员), resource updates (信息员), services and care
visits (服务员), volunteer hours — with the 专职人员数 per station, as a page, a workbook and in
the API (``staff/duties/``)."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports import jobs
from reports.figures import operating_in
from reports.spreadsheets.writer import Column, SheetSpec, export_response
from staff.models import EmploymentKind, StaffMember, StaffRole, StaffStatus, StationResource, roles_label
from stations.models import PublicityEvent, ServiceCategory, ServiceRecord, Station, StationStatus
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
    key: int | None
    name: str
    detail: str = ""
    publicity_events: int = 0
    resource_updates: int = 0
    services: int = 0
    care_visits: int = 0
    volunteer_hours: Decimal = Decimal(0)
    full_time_staff: int | None = None
    # stations only: open during the month (000: at least one publicity event a month is due
    # only from a station that is operating)
    operating: bool | None = None

    @property
    def publicity_missing(self) -> bool:
        return bool(self.operating) and not self.publicity_events


def _in(ids_or_query, path):
    return {f"{path}__in": ids_or_query}


def monthly_duties(
    staff_queryset, stations, month, *, people_limit: int | None = None
) -> tuple[list[DutyRow], list[DutyRow]]:
    """Per person and per station: publicity events (宣传员), resource updates (信息员),
    services and care visits delivered (服务员), volunteer hours — in one month.

    Set-based: a fixed number of grouped queries whatever the number of people and stations
    (the people are read as plain values, nothing is decrypted, and each count is one GROUP BY
    restricted to the people by a subquery). ``people_limit`` keeps the first people (a page);
    the stations are those given (a queryset or a list)."""
    first, following = month_bounds(month)
    tz = timezone.get_current_timezone()
    start_at = dt.datetime.combine(first, dt.time.min, tzinfo=tz)
    end_at = dt.datetime.combine(following, dt.time.min, tzinfo=tz)

    # roles as their JSON text: a handful of distinct lists, each labelled once below
    people_rows = (
        staff_queryset.order_by("employer__name", "name", "pk")
        .annotate(roles_text=Cast("roles", TextField()))
        .values_list("pk", "name", "employer__name", "roles_text")
    )
    if people_limit is not None:
        people_rows = people_rows[:people_limit]
    people_rows = list(people_rows)
    # a page names its few people; the whole list is restricted by the query itself
    people = (
        [row[0] for row in people_rows]
        if people_limit is not None
        else staff_queryset.order_by().values("pk")
    )

    events = PublicityEvent.objects.filter(held_on__gte=first, held_on__lt=following)
    officers = PublicityEvent.officers.through.objects.filter(
        publicityevent__held_on__gte=first, publicityevent__held_on__lt=following
    )
    resources = StationResource.objects.filter(updated_at__gte=start_at, updated_at__lt=end_at)
    records = ServiceRecord.objects.filter(started_at__gte=start_at, started_at__lt=end_at)
    hours = VolunteerHours.objects.filter(activity__held_on__gte=first, activity__held_on__lt=following)

    def grouped(queryset, key, value=None):
        value = value if value is not None else Count("id")
        return dict(queryset.order_by().values(key).annotate(n=value).values_list(key, "n"))

    person_events = grouped(
        officers.filter(**_in(people, "staffmember_id")),
        "staffmember_id",
        Count("publicityevent_id", distinct=True),
    )
    person_resources = grouped(resources.filter(**_in(people, "updated_by_id")), "updated_by_id")
    person_hours = grouped(hours.filter(**_in(people, "volunteer_id")), "volunteer_id", Sum("hours"))
    services, visits = _by_category(records.filter(**_in(people, "staff_id")), "staff_id")
    role_labels = {code: str(label) for code, label in StaffRole.choices}
    labelled: dict[str, str] = {}

    def roles_of(text):
        if text not in labelled:
            labelled[text] = roles_label(json.loads(text) if text else [], role_labels)
        return labelled[text]

    per_person = [
        DutyRow(
            pk,
            name,
            " · ".join(part for part in (employer, roles_of(roles)) if part),
            person_events.get(pk, 0),
            person_resources.get(pk, 0),
            services[pk],
            visits[pk],
            person_hours.get(pk) or Decimal(0),
        )
        for pk, name, employer, roles in people_rows
    ]

    stations, station_ids = _stations(stations)
    station_events = grouped(events.filter(station_id__in=station_ids), "station_id")
    station_resources = grouped(resources.filter(station_id__in=station_ids), "station_id")
    s_services, s_visits = _by_category(records.filter(station_id__in=station_ids), "station_id")
    station_hours = grouped(
        hours.filter(activity__team__station_id__in=station_ids), "activity__team__station_id", Sum("hours")
    )
    full_time, full_time_total = full_time_figures(stations, station_ids)
    per_station = StationRows(
        DutyRow(
            s.pk,
            s.name,
            s.operator_name,
            station_events.get(s.pk, 0),
            station_resources.get(s.pk, 0),
            s_services[s.pk],
            s_visits[s.pk],
            station_hours.get(s.pk) or Decimal(0),
            full_time.get(s.pk, 0),
            operating=operating_in_month(s, first),
        )
        for s in stations
    )
    per_station.total = DutyRow(
        None,
        _("Total"),
        "",
        sum(row.publicity_events for row in per_station),
        sum(row.resource_updates for row in per_station),
        sum(row.services for row in per_station),
        sum(row.care_visits for row in per_station),
        sum((row.volunteer_hours for row in per_station), Decimal(0)),
        full_time_total,
    )
    return per_person, per_station


class StationRows(list):
    """The stations' rows and ``total``: the counts added up, the full-time staff counted once."""

    total: DutyRow


class StationFacts(NamedTuple):
    pk: int
    name: str
    operator_name: str
    operator_id: int
    status: str
    opened_on: dt.date | None
    closed_on: dt.date | None
    created_at: dt.datetime
    status_changed_on: dt.date


STATION_FACTS = (
    "pk",
    "name",
    "operator__name",
    "operator_id",
    "status",
    "opened_on",
    "closed_on",
    "created_at",
    "status_changed_on",
)


def _stations(stations):
    """The facts of the stations the report is about, and what restricts the counts to them:
    for a queryset, the queryset itself as a subquery (no list of ids sent back)."""
    if isinstance(stations, QuerySet):
        facts = [StationFacts(*row) for row in stations.values_list(*STATION_FACTS)]
        return facts, stations.values("pk")
    facts = [
        StationFacts(s.pk, s.name, s.operator.name, *(getattr(s, name) for name in STATION_FACTS[3:]))
        for s in stations
    ]
    return facts, [s.pk for s in facts]


def _by_category(records, key) -> tuple[defaultdict, defaultdict]:
    """Services and care visits (寻访关爱) per ``key``, in one grouped query."""
    rows = (
        records.order_by()
        .values(key)
        .annotate(visits=Count("id", filter=Q(category=ServiceCategory.CARE_VISIT)), n=Count("id"))
    )
    services, visits = defaultdict(int), defaultdict(int)
    for row in rows.values_list(key, "visits", "n"):
        visits[row[0]] = row[1]
        services[row[0]] = row[2] - row[1]
    return services, visits


def operating_in_month(station, first: dt.date) -> bool:
    """Open during some of the month (``figures.operating_in``) and not suspended since before
    the month began."""
    if not operating_in(station, first):
        return False
    return not (station.status == StationStatus.SUSPENDED and station.status_changed_on < first)


def _full_time_staff():
    """Active full-time staff, and the condition "listed at no station" (then they work at all
    of the employer's stations)."""
    active = StaffMember.objects.filter(status=StaffStatus.ACTIVE, kind=EmploymentKind.FULL_TIME)
    at_none = ~Exists(StaffMember.stations.through.objects.filter(staffmember_id=OuterRef("pk")))
    return active, at_none


def full_time_figures(stations, station_ids) -> tuple[dict[int, int], int]:
    """专职人员数 per station, and in all, in three queries: active full-time staff listed at the
    station, plus those of the operator listed at no station (they work at all of its stations).
    A person listed at several stations counts at each of them, and once in the total (the people
    listed at some of the stations, counted once, and those listed at none: two disjoint sets)."""
    active, at_none = _full_time_staff()
    listed = StaffMember.stations.through.objects.filter(station_id__in=station_ids, staffmember__in=active)
    per_station = dict(
        listed.order_by()
        .values("station_id")
        .annotate(n=Count("staffmember_id"))
        .values_list("station_id", "n")
    )
    listed_people = listed.order_by().aggregate(n=Count("staffmember_id", distinct=True))["n"]
    everywhere = dict(
        active.filter(at_none, employer_id__in={s.operator_id for s in stations})
        .order_by()
        .values("employer_id")
        .annotate(n=Count("id"))
        .values_list("employer_id", "n")
    )
    counts = {s.pk: per_station.get(s.pk, 0) + everywhere.get(s.operator_id, 0) for s in stations}
    return counts, listed_people + sum(everywhere.values())


FULL_TIME_NOTE = (
    "专职人员数：在岗的全职人员；在几个站点工作（或未指定站点、即在本单位所有站点工作）的人"
    "在每个站点各计一次，合计中每人只计一次。"
)


def _station_remark(row: DutyRow) -> str:
    if row.key is None:
        return ""
    if not row.operating:
        return "本月未运营"
    return "本月没有宣传活动（每月至少 1 次）" if row.publicity_missing else ""


def duties_sheets(per_person, per_station, month) -> list:
    """The workbook of the report: 按人员 and 按站点 (with the total line and the note)."""
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
        Column("提示", _station_remark, width=30),
    ]
    title = f"“三员”履职月报 {month}"
    total = getattr(per_station, "total", None)
    stations = [*per_station, total] if total is not None else per_station
    return [
        (SheetSpec("按人员", person, title_rows=[title]), per_person),
        (SheetSpec("按站点", station, title_rows=[title, FULL_TIME_NOTE]), stations),
    ]


def duties_filename(month) -> str:
    return f"三员履职-{month}"


def duties_response(per_person, per_station, month):
    return export_response(duties_filename(month), duties_sheets(per_person, per_station, month))


# --- what a user's report covers, shared by the page and the background workbook ------------

PAGE_STATIONS = 500


def staff_of(user):
    return StaffMember.objects.visible_to(user).filter(status="active")


def duties_of(user, month, *, people_limit: int | None = None):
    """The report as ``user`` sees it: the active people of their scope and the first stations
    (not closed) of their scope."""
    stations = list(
        Station.objects.within_scope_of(user)
        .exclude(status="closed")
        .select_related("operator")[:PAGE_STATIONS]
    )
    return monthly_duties(staff_of(user), stations, month, people_limit=people_limit)


def _build_workbook(user, params):
    month = params["month"]
    return duties_sheets(*duties_of(user, month), month)


DUTIES_WORKBOOK = jobs.register_workbook("duties", gettext_lazy("Monthly duties"), _build_workbook)
