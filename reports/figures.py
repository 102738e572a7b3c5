"""The statistics' figures, each computed once here and read by the workbooks (``reports.workbooks``),
the dashboard's charts and their downloads, and the statistics API.

Every figure is a set-based aggregation over a :class:`Selection` — the asking user, a region within
the user's scope and a period of whole months — grouped by street (the 9-digit division code), by
station or by month, so the number of queries stays the same whatever the number of stations.
Every queryset starts from the scoping path (``within_scope_of`` / ``visible_to``)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import Substr, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import params
from accounts.models import Organization, OrganizationKind
from accounts.scoping import scope_for
from checklists.models import ChecklistItem, ChecklistVersion, ListKind, VersionState
from facilities.models import CareRoom, GuidanceTarget, OperatingState
from pilots.models import Pilot
from regions.models import Level, Region, region_subtree
from staff.models import EmploymentKind, StaffMember, StaffStatus, TrainingRecord, TrainingTarget
from stations.models import (
    PublicityEvent,
    ServiceCategory,
    ServiceRecord,
    Station,
    StationExpenditure,
    StationStatus,
    SurveyResponse,
)

STREET_CODE_LENGTH = 9
# 000: pilot coverage in all 10 streets/towns of the district
COVERAGE_GOAL_STREETS = 10


# --- who may read, which region, which period --------------------------------------------


def may_read_statistics(user) -> bool:
    """District and street officers, statistics staff (viewers of a bureau) and the platform
    administrator; a company's users report through their own pages, not these."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or scope_for(user).is_government


def require_statistics_reader(user) -> None:
    if not may_read_statistics(user):
        raise PermissionDenied(_("The statistics are for officers and statistics staff of a region."))


def regions_to_choose(user) -> list[Region]:
    """The regions the user may report on: the regions of the user's government units and,
    below each, its streets (a city also its districts)."""
    require_statistics_reader(user)
    if user.is_superuser:
        roots = Region.objects.filter(level__lte=Level.COUNTY)
        return list(roots.filter(level__in=[Level.CITY, Level.COUNTY]))
    codes = scope_for(user).view_region_codes
    condition = Q(code__in=codes)
    for code in codes:
        condition |= Q(code__startswith=code, level__in=[Level.COUNTY, Level.STREET])
    return list(Region.objects.filter(condition).filter(level__lte=Level.STREET).order_by("code"))


def resolve_region(user, code: str | None) -> Region:
    """The region asked for (``code``), or the user's own; one outside the scope is refused."""
    require_statistics_reader(user)
    scope = scope_for(user)
    if not code:
        if user.is_superuser:
            region = Region.objects.filter(level=Level.COUNTY).order_by("code").first()
        else:
            region = Region.objects.filter(code=scope.view_region_codes[0]).first()
        if region is None:
            raise ValidationError({"region": _("Choose a region.")})
        return region
    code = code.strip()
    # a division code is digits only: anything else (a NUL byte, text) is refused before the
    # database sees it
    if not (code.isascii() and code.isdigit() and len(code) <= 12):
        raise ValidationError({"region": _("Choose a district or a street.")})
    region = Region.objects.filter(code=code).first()
    if region is None or region.level > Level.STREET:
        raise ValidationError({"region": _("Choose a district or a street.")})
    if not scope.covers_region(region):
        raise PermissionDenied(_("This region is outside your responsibility."))
    return region


@dataclass(frozen=True)
class Period:
    """Whole months: ``start`` (a month's first day, inclusive) to ``end`` (exclusive)."""

    start: dt.date
    end: dt.date

    @classmethod
    def of_months(cls, first: dt.date, last: dt.date) -> Period:
        if last < first:
            raise ValidationError({"to": _("The period ends before it starts.")})
        return cls(first.replace(day=1), _next_month(last))

    @classmethod
    def from_params(cls, query, *, today: dt.date | None = None) -> Period:
        """``from`` and ``to`` as ``YYYY-MM``; by default this year up to this month."""
        today = today or timezone.localdate()
        first = params.parse_month(query, "from", default=today.replace(month=1, day=1))
        last = params.parse_month(query, "to", default=today.replace(day=1))
        if (last.year - first.year) * 12 + last.month - first.month >= 36:
            raise ValidationError({"to": _("Choose a period of at most 36 months.")})
        return cls.of_months(first, last)

    def months(self) -> list[dt.date]:
        months, month = [], self.start
        while month < self.end:
            months.append(month)
            month = _next_month(month)
        return months

    def years(self) -> list[int]:
        return sorted({month.year for month in self.months()})

    @property
    def last_month(self) -> dt.date:
        return self.months()[-1]

    def start_at(self) -> dt.datetime:
        return dt.datetime.combine(self.start, dt.time.min, tzinfo=timezone.get_current_timezone())

    def end_at(self) -> dt.datetime:
        return dt.datetime.combine(self.end, dt.time.min, tzinfo=timezone.get_current_timezone())

    def label(self) -> str:
        return f"{self.start:%Y-%m} – {self.last_month:%Y-%m}"


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


@dataclass
class Selection:
    """What a figure is computed over: who asks (the scope), the region and the period."""

    user: object
    region: Region
    period: Period
    _streets: list[Region] | None = field(default=None, repr=False)

    def stations(self):
        """The stations the user answers for in the region (closed ones included: they served
        in the period)."""
        return Station.objects.within_scope_of(self.user).filter(region_subtree("region", self.region))

    def streets(self) -> list[Region]:
        if self._streets is None:
            if self.region.level == Level.STREET:
                self._streets = [self.region]
            else:
                self._streets = list(
                    Region.objects.filter(level=Level.STREET, code__startswith=self.region.code).order_by(
                        "code"
                    )
                )
        return self._streets


def street_of(code: str) -> str:
    return code[:STREET_CODE_LENGTH]


def _by_street(queryset, path: str):
    return queryset.annotate(street=Substr(f"{path}__code" if path else "code", 1, STREET_CODE_LENGTH))


def _local_month(value) -> dt.date:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.date().replace(day=1)
    return value.replace(day=1)


# --- per street ---------------------------------------------------------------------------


def pilots_per_street(selection: Selection) -> dict[str, int]:
    """Pilots whose site lies in the street (the pilots the user can see: the published lists
    and those of the user's region)."""
    pilots = Pilot.objects.visible_to(selection.user).filter(region_subtree("site_region", selection.region))
    rows = _by_street(pilots, "site_region").values("street").annotate(n=Count("id", distinct=True))
    return {row["street"]: row["n"] for row in rows}


def stations_by_status(selection: Selection) -> dict[str, dict[str, int]]:
    """Stations per street and status (every station, whatever its status)."""
    rows = _by_street(selection.stations(), "region").values("street", "status").annotate(n=Count("id"))
    result: dict[str, dict[str, int]] = defaultdict(dict)
    for row in rows:
        result[row["street"]][row["status"]] = row["n"]
    return dict(result)


@dataclass
class Coverage:
    communities: int | None = None  # None: no community divisions are loaded for the street
    covered_communities: int | None = None
    covered: bool = False  # the street has a pilot's site or an operating station


def coverage_per_street(selection: Selection) -> dict[str, Coverage]:
    """000: pilots in all 10 streets. A street is covered when a pilot's site or an operating
    station lies in it (planned, renovating, suspended or closed stations do not cover); a
    community when such a station or pilot site is in the community. Where no community
    divisions are loaded for a street its community figures stay empty (unknown, not 0)."""
    result = {street.code: Coverage() for street in selection.streets()}
    communities = (
        _by_street(Region.objects.filter(level=Level.COMMUNITY, code__startswith=selection.region.code), "")
        .values("street")
        .annotate(n=Count("id"))
    )
    for row in communities:
        result.setdefault(row["street"], Coverage()).communities = row["n"]
    covered_codes = set(
        selection.stations().filter(status=StationStatus.OPERATING).values_list("region__code", flat=True)
    ) | set(
        Pilot.objects.visible_to(selection.user)
        .filter(region_subtree("site_region", selection.region))
        .values_list("site_region__code", flat=True)
    )
    for code in covered_codes:
        entry = result.setdefault(street_of(code), Coverage())
        entry.covered = True
    covered_communities = defaultdict(set)
    for code in covered_codes:
        if len(code) > STREET_CODE_LENGTH:
            covered_communities[street_of(code)].add(code)
    for street, entry in result.items():
        if entry.communities:
            entry.covered_communities = len(covered_communities.get(street, ()))
        else:
            entry.communities = None
    return result


def records_of(selection: Selection):
    """The service records of the selection's stations in its period."""
    return _records(selection)


def _records(selection: Selection):
    period = selection.period
    return ServiceRecord.objects.filter(
        station__in=selection.stations(), started_at__gte=period.start_at(), started_at__lt=period.end_at()
    )


def residents_served_per_street(selection: Selection) -> dict[str, int]:
    """Residents with at least one service record in the period, counted once per street."""
    rows = (
        _by_street(_records(selection), "station__region")
        .values("street")
        .annotate(n=Count("resident", distinct=True))
    )
    return {row["street"]: row["n"] for row in rows}


def residents_served_total(selection: Selection) -> int:
    """Residents with at least one service record in the period in the whole region, each
    person once (a person served in two streets is one person of the region)."""
    return _records(selection).values("resident").distinct().count()


def services_by_category_and_month(selection: Selection) -> dict[tuple[str, dt.date], dict[str, int]]:
    """Service records per street and month (Asia/Shanghai), by category."""
    rows = (
        _by_street(_records(selection), "station__region")
        .annotate(month=TruncMonth("started_at"))
        .values("street", "month", "category")
        .annotate(n=Count("id"))
    )
    result: dict[tuple[str, dt.date], dict[str, int]] = defaultdict(dict)
    for row in rows:
        key = (row["street"], _local_month(row["month"]))
        result[key][row["category"]] = result[key].get(row["category"], 0) + row["n"]
    return dict(result)


def services_per_month(selection: Selection) -> dict[dt.date, int]:
    """The district's (or street's) service records per month: the dashboard's line."""
    totals = dict.fromkeys(selection.period.months(), 0)
    for (_street, month), counts in services_by_category_and_month(selection).items():
        totals[month] = totals.get(month, 0) + sum(counts.values())
    return totals


@dataclass
class EmergencyFigures:
    emergencies: int = 0
    timed: int = 0  # with a response time recorded
    total_minutes: int = 0
    longest_minutes: int | None = None

    @property
    def average_minutes(self) -> Decimal | None:
        if not self.timed:
            return None
        return (Decimal(self.total_minutes) / self.timed).quantize(Decimal("0.1"))


def emergency_response_per_street(selection: Selection) -> dict[str, EmergencyFigures]:
    """Emergency services (records marked emergency) and their response time in minutes."""
    rows = (
        _by_street(_records(selection).filter(is_emergency=True), "station__region")
        .values("street")
        .annotate(
            n=Count("id"),
            timed=Count("response_minutes"),
            total=Sum("response_minutes"),
            longest=Max("response_minutes"),
        )
    )
    return {
        row["street"]: EmergencyFigures(row["n"], row["timed"], row["total"] or 0, row["longest"])
        for row in rows
    }


@dataclass
class Satisfaction:
    responses: int = 0
    score_sum: Decimal = Decimal(0)

    @property
    def average(self) -> Decimal | None:
        if not self.responses:
            return None
        return (self.score_sum / self.responses).quantize(Decimal("0.01"))


def satisfaction_per_street(selection: Selection) -> dict[str, Satisfaction]:
    """Satisfaction survey responses submitted in the period and their mean score (1–5)."""
    period = selection.period
    rows = (
        _by_street(
            SurveyResponse.objects.filter(
                station__in=selection.stations(),
                submitted_on__gte=period.start,
                submitted_on__lt=period.end,
            ),
            "station__region",
        )
        .values("street")
        .annotate(n=Count("id"), total=Sum("average"))
    )
    return {row["street"]: Satisfaction(row["n"], row["total"] or Decimal(0)) for row in rows}


def training_per_street(selection: Selection) -> dict[str, int]:
    """Training person-times (人次: attendances) of staff working in the street at sessions
    starting in the period (000: 200 人次 for the district)."""
    period = selection.period
    rows = (
        _by_street(
            TrainingRecord.objects.visible_to(selection.user).filter(
                region_subtree("staff__region", selection.region),
                attended=True,
                session__starts_on__gte=period.start,
                session__starts_on__lt=period.end,
            ),
            "staff__region",
        )
        .values("street")
        .annotate(n=Count("id"))
    )
    return {row["street"]: row["n"] for row in rows}


@dataclass
class TrainingTargetFigure:
    """The training target against which a region's person-times are compared. A target is set
    for a district (or a city without districts) and a year; it is compared only with the total
    of the region it is set for: a street's person-times are not compared with it."""

    region: Region | None  # the district (or city) whose target it is
    per_year: dict[int, int]  # the target of each year of the period that has one
    years: list[int]  # the years of the period
    applies: bool  # the target is the selected region's own

    @property
    def missing_years(self) -> list[int]:
        return [year for year in self.years if year not in self.per_year]

    @property
    def total(self) -> int | None:
        """The target for the period when every year of it has one; otherwise None."""
        if not self.applies or not self.per_year or self.missing_years:
            return None
        return sum(self.per_year.values())

    def note(self) -> str:
        """What the target covers, in the workbook's words."""
        if self.region is None:
            return "未找到所属区（县、市）"
        if not self.applies:
            return f"培训目标按区设定（{self.region.name}），街道不设目标，不作比较"
        if not self.per_year:
            return "统计期各年度均未设培训目标"
        covered = "、".join(f"{year} 年 {n} 人次" for year, n in sorted(self.per_year.items()))
        if self.missing_years:
            missing = "、".join(f"{year} 年" for year in self.missing_years)
            return f"目标：{covered}；{missing}未设目标，不计算完成率"
        return f"目标：{covered}"


def target_region_of(region: Region) -> Region | None:
    """The district (or the city without districts) that the region belongs to, through its
    ancestors: a street's parent is its district, or its city where the city has no districts."""
    current, seen = region, 0
    while current is not None and seen < 6:
        if current.level <= Level.COUNTY:
            return current
        current, seen = current.parent, seen + 1
    return None


def training_target(selection: Selection) -> TrainingTargetFigure:
    """The target person-times of the selected district (or city) for the years of the period.
    For a street the district's target is named but not compared (it has none of its own)."""
    years = selection.period.years()
    owner = target_region_of(selection.region)
    if owner is None:
        return TrainingTargetFigure(None, {}, years, False)
    rows = TrainingTarget.objects.visible_to(selection.user).filter(region=owner, year__in=years)
    per_year = dict(rows.values_list("year", "person_times"))
    return TrainingTargetFigure(owner, per_year, years, owner.pk == selection.region.pk)


def publicity_per_station_month(selection: Selection) -> dict[tuple[int, dt.date], int]:
    """Publicity events per station and month (000: at least one per station per month)."""
    period = selection.period
    rows = (
        PublicityEvent.objects.filter(
            station__in=selection.stations(), held_on__gte=period.start, held_on__lt=period.end
        )
        .annotate(month=TruncMonth("held_on"))
        .values("station", "month")
        .annotate(n=Count("id"))
    )
    return {(row["station"], _local_month(row["month"])): row["n"] for row in rows}


def month_finished(month: dt.date, today: dt.date | None = None) -> bool:
    """The month has ended (this month and later months have not)."""
    today = today or timezone.localdate()
    return _next_month(month) <= today


def operating_in(station, month: dt.date) -> bool:
    """The station was open during some of the month: from the month it opened (when it has not
    recorded an opening date, the month it was created in, if it is operating or suspended) to
    the month it closed."""
    opened = station.opened_on
    if opened is None:
        if station.status not in (StationStatus.OPERATING, StationStatus.SUSPENDED):
            return False
        opened = _local_month(station.created_at)
    if opened.replace(day=1) > month:
        return False
    return station.closed_on is None or station.closed_on >= month


@dataclass
class StationAccount:
    services: int = 0
    income: Decimal = Decimal(0)
    expenditure: Decimal | None = None  # None: the operator entered nothing for the period
    months_entered: int = 0  # months of the period with an expenditure entry
    months: int = 0  # months of the period

    @property
    def complete(self) -> bool:
        """Every month of the period has its expenditure entered."""
        return self.months > 0 and self.months_entered == self.months

    @property
    def balance(self) -> Decimal | None:
        """Income − expenditure, only when every month's expenditure is entered (a balance over
        missing months would overstate the surplus)."""
        return self.income - self.expenditure if self.complete and self.expenditure is not None else None


def accounts_per_station(selection: Selection) -> dict[int, StationAccount]:
    """002, 五: elderly-care income (the fees of the service records of the period) and the
    expenditure the operator entered for the period's months, per station."""
    months = len(selection.period.months())
    result: dict[int, StationAccount] = defaultdict(lambda: StationAccount(months=months))
    for row in _records(selection).values("station").annotate(n=Count("id"), income=Sum("fee")):
        entry = result[row["station"]]
        entry.services, entry.income = row["n"], row["income"] or Decimal(0)
    period = selection.period
    spent = (
        StationExpenditure.objects.filter(
            station__in=selection.stations(), month__gte=period.start, month__lt=period.end
        )
        .values("station")
        .annotate(total=Sum("amount"), n=Count("id"))
    )
    for row in spent:
        entry = result[row["station"]]
        entry.expenditure, entry.months_entered = row["total"], row["n"]
    return dict(result)


@dataclass
class RoomFigures:
    built: int | None = None  # 004's table, as imported
    handed_over: int | None = None
    not_handed_over: int | None = None
    target_subtotal: int | None = None
    target_in_period: int | None = None
    rooms: int = 0  # registered in the ledger
    operating: int = 0
    started_in_period: int = 0


def care_rooms_per_street(selection: Selection) -> dict[str, RoomFigures]:
    """004: care rooms registered and operating per street against the guidance targets (the
    subtotal, and the targets of the period's years)."""
    result: dict[str, RoomFigures] = defaultdict(RoomFigures)
    targets = GuidanceTarget.objects.visible_to(selection.user).filter(
        region_subtree("town", selection.region)
    )
    years = [str(year) for year in selection.period.years()]
    for target in targets.select_related("town"):
        entry = result[street_of(target.town.code)]
        entry.built, entry.handed_over, entry.not_handed_over = (
            target.built,
            target.handed_over,
            target.not_handed_over,
        )
        entry.target_subtotal = target.subtotal
        entry.target_in_period = sum(int(target.per_year.get(year, 0)) for year in years)
    period = selection.period
    rooms = (
        _by_street(
            CareRoom.objects.visible_to(selection.user).filter(
                region_subtree("compound__region", selection.region)
            ),
            "compound__region",
        )
        .values("street")
        .annotate(
            n=Count("id"),
            operating=Count("id", filter=Q(operating_state=OperatingState.OPERATING)),
            started=Count(
                "id",
                filter=Q(
                    operating_state=OperatingState.OPERATING,
                    operating_since__gte=period.start,
                    operating_since__lt=period.end,
                ),
            ),
        )
    )
    for row in rooms:
        entry = result[row["street"]]
        entry.rooms, entry.operating, entry.started_in_period = row["n"], row["operating"], row["started"]
    return dict(result)


# --- 002 附件2: demonstration projects ---------------------------------------------------


@dataclass
class DemonstrationProject:
    pilot_id: int
    unit: str  # 单位名称: the bureau that reports the project
    project: str  # 项目名
    company: str  # 服务企业名称
    area: Decimal | None  # 场地面积(m²)
    full_time_staff: int | None  # 专职人员数(人)
    facilities: int | None  # 设施配置情况(件)
    since: dt.date | None  # 从业时间
    residents_served: int | None  # 现服务数量(人)


COUNTY_CODE_LENGTH = 6


def _reporting_unit(pilot, housing_bureaus: dict[str, str]) -> str:
    """单位名称 (the notice's ××市住建局): the housing bureau that reports the project — the
    programme's issuing housing bureau, else the housing bureau of the district (or city) the
    project lies in, else the bureau that issued the programme."""
    issuers = sorted(pilot.programme.issuers.all(), key=lambda o: (o.kind != OrganizationKind.HOUSING, o.pk))
    if issuers and issuers[0].kind == OrganizationKind.HOUSING:
        return issuers[0].name
    local = housing_bureaus.get(pilot.site_region.code[:COUNTY_CODE_LENGTH])
    if local:
        return local
    return issuers[0].name if issuers else ""


def _housing_bureaus(pilots) -> dict[str, str]:
    """The housing bureau of each district (or city) the pilots lie in, by its division code (the
    bureau's name is public: it signs the programmes). The first by id where a district has two."""
    codes = {pilot.site_region.code[:COUNTY_CODE_LENGTH] for pilot in pilots}
    if not codes:
        return {}
    bureaus: dict[str, str] = {}
    for code, name in (
        Organization.objects.filter(kind=OrganizationKind.HOUSING, is_active=True, region__code__in=codes)
        .order_by("pk")
        .values_list("region__code", "name")
    ):
        bureaus.setdefault(code, name)
    return bureaus


def demonstration_projects(selection: Selection) -> list[DemonstrationProject]:
    """002 附件2: one row per pilot marked a demonstration project whose site lies in the region.
    A figure that the records cannot give (no station, no area entered, no published facility
    list, no start date given) stays empty for the person filling the table. Full-time staff are
    those listed at the project's stations, and those of its company working in its street who
    are listed at no station; each person in one row only. A fixed number of queries."""
    pilots = list(
        Pilot.objects.visible_to(selection.user)
        .filter(region_subtree("site_region", selection.region), is_demonstration=True)
        .select_related("organization", "site_region", "programme")
        .prefetch_related("programme__issuers")
        .order_by("site_region__code", "organization__name", "pk")
    )
    pilot_ids = [pilot.pk for pilot in pilots]
    stations = list(
        Station.objects.within_scope_of(selection.user)
        .filter(pilot__in=pilot_ids)
        .exclude(status=StationStatus.CLOSED)
        .values("pk", "pilot", "area")
    )
    stations_of: dict[int, list[dict]] = defaultdict(list)
    for station in stations:
        stations_of[station["pilot"]].append(station)
    station_ids = [station["pk"] for station in stations]

    # full-time staff listed at the pilot's stations; each person in one row only: a person
    # listed at stations of several projects counts for the first of them in the table's order
    order = {pilot.pk: position for position, pilot in enumerate(pilots)}
    staff_project: dict[int, int] = {}
    for person, pilot_id in (
        StaffMember.objects.filter(
            status=StaffStatus.ACTIVE, kind=EmploymentKind.FULL_TIME, stations__in=station_ids
        )
        .values_list("pk", "stations__pilot")
        .distinct()
    ):
        current = staff_project.get(person)
        if current is None or order[pilot_id] < order[current]:
            staff_project[person] = pilot_id
    # a full-time person listed at no station counts for the first project of their employer
    # in the street where they work
    projects_of: dict[tuple[int, str], list[int]] = defaultdict(list)
    for pilot in pilots:
        projects_of[(pilot.organization_id, street_of(pilot.site_region.code))].append(pilot.pk)
    for person, employer, region_code in (
        StaffMember.objects.visible_to(selection.user)
        .filter(
            status=StaffStatus.ACTIVE,
            kind=EmploymentKind.FULL_TIME,
            stations__isnull=True,
            employer__in={pilot.organization_id for pilot in pilots},
        )
        .values_list("pk", "employer", "region__code")
    ):
        candidates = projects_of.get((employer, street_of(region_code)))
        if candidates and person not in staff_project:
            staff_project[person] = candidates[0]
    listed: dict[int, int] = defaultdict(int)
    for pilot_id in staff_project.values():
        listed[pilot_id] += 1
    # 设施配置情况: only when every station of the project has published its lists
    published = set(
        ChecklistVersion.objects.filter(station__in=station_ids, state=VersionState.PUBLISHED).values_list(
            "station", flat=True
        )
    )
    facilities = dict(
        ChecklistItem.objects.filter(
            kind=ListKind.FACILITIES,
            version__station__in=station_ids,
            version__state=VersionState.PUBLISHED,
        )
        .values("version__station__pilot")
        .annotate(n=Count("id"))
        .values_list("version__station__pilot", "n")
    )
    period = selection.period
    served = dict(
        ServiceRecord.objects.filter(
            station__in=station_ids, started_at__gte=period.start_at(), started_at__lt=period.end_at()
        )
        .values("station__pilot")
        .annotate(n=Count("resident", distinct=True))
        .values_list("station__pilot", "n")
    )
    housing_bureaus = _housing_bureaus(pilots)
    rows = []
    for pilot in pilots:
        own = stations_of.get(pilot.pk, [])
        areas = [station["area"] for station in own]
        rows.append(
            DemonstrationProject(
                pilot_id=pilot.pk,
                unit=_reporting_unit(pilot, housing_bureaus),
                project=f"{pilot.site_region.name}{pilot.get_pilot_type_display()}",
                company=pilot.organization.name,
                area=sum(areas, Decimal(0)) if areas and None not in areas else None,
                full_time_staff=listed.get(pilot.pk, 0) if own or pilot.pk in listed else None,
                facilities=(
                    facilities.get(pilot.pk, 0)
                    if own and all(station["pk"] in published for station in own)
                    else None
                ),
                since=pilot.organization.elderly_care_since,
                residents_served=served.get(pilot.pk, 0) if own else None,
            )
        )
    return rows


# --- the dashboard's series ----------------------------------------------------------------


def status_labels() -> dict[str, str]:
    return {value: str(label) for value, label in StationStatus.choices}


def category_labels() -> dict[str, str]:
    return {value: str(label) for value, label in ServiceCategory.choices}


def selection_from(user, query) -> Selection:
    """The selection a page, the API or a background job asks for: ``region`` (a division code
    within the user's scope, the user's own by default), ``from`` and ``to`` (``YYYY-MM``)."""
    region = resolve_region(user, query.get("region"))
    return Selection(user, region, Period.from_params(query))
