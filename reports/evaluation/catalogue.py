"""The indicator catalogue: what a scheme may choose from.

Each indicator computes its raw figure for ALL the stations (or pilots) of a run at once, in a
fixed number of queries (grouped by station, or one correlated subquery per row of a single
SELECT), never one query per station. ``compute(subjects, month)`` takes the queryset of the
run's stations (or pilots) and the first day of the month and returns ``{pk: figure}``; a
subject missing from the result, or with ``None``, has no figure for the month (nothing to
measure: no residents living alone, no survey answered, no emergency call, no service
officer); such an indicator is left out of that scorecard's total and raises no finding.

The month's window is [first day, first day of the next month); "overdue" means due before the
end of the month; dates and times are read in Asia/Shanghai.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Avg, Count, Exists, F, Func, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from checklists.models import ChecklistCheck, ChecklistVersion, VersionState
from facilities.models import CareRoom, HandoverState, OperatingState, Violation, ViolationState
from pilots.models import MilestoneStatus, PilotMilestone
from staff.models import StaffMember, StaffRole, StaffStatus, TrainingKind, TrainingRecord
from stations.models import (
    LivingSituation,
    PublicityEvent,
    ResidentStation,
    ServiceCategory,
    ServiceRecord,
    StationPrice,
    SurveyResponse,
)

AT_LEAST = "at_least"
AT_MOST = "at_most"
STATION = "station"
PILOT = "pilot"

# The indicators whose figure is a count or whole days (shown without decimals).
WHOLE_FIGURES = frozenset(
    {"publicity_events", "resources_reviewed", "care_rooms_overdue", "violations_open", "milestones_overdue"}
)

# A station's lists count as checked when a supervision check of them lies within this many days
# before the end of the month.
CHECK_WITHIN_DAYS = 183


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    start = month.replace(day=1)
    end = (start + dt.timedelta(days=32)).replace(day=1)
    return start, end


def aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _decimal(value, places="0.01") -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def _share(part: int, whole: int) -> Decimal | None:
    return None if not whole else _decimal(Decimal(part) * 100 / Decimal(whole))


def _count_subquery(queryset):
    """``SELECT COUNT(*)`` of a correlated queryset, as an annotation (0 when empty)."""
    counted = queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted), 0)


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str | Promise
    unit: str | Promise
    subject: str  # STATION or PILOT
    direction: str
    threshold: Decimal
    definition: str | Promise
    compute: Callable[..., dict]
    source: str | Promise = ""

    @property
    def whole(self) -> bool:
        """Counted (events, rooms, violations, milestones) or whole days: shown without decimals."""
        return self.code in WHOLE_FIGURES

    def number(self, value) -> int | Decimal | None:
        """A stored figure (text or Decimal) as the number it stands for: an int for a count,
        else a Decimal without trailing zeros (85.70 → 85.7)."""
        if value in (None, ""):
            return None
        number = Decimal(str(value))
        if self.whole:
            return int(number.quantize(Decimal(1), rounding=ROUND_HALF_UP))
        number = number.normalize()
        return number.quantize(Decimal(1)) if number == number.to_integral_value() else number

    def format(self, value) -> str:
        """A figure or a threshold with its unit: “0 次”, “85.7%”, “12 分钟”; “—” for none."""
        number = self.number(value)
        if number is None:
            return "—"
        return f"{number}%" if str(self.unit) == "%" else f"{number} {self.unit}"

    def format_threshold(self, threshold, direction) -> str:
        return f"{'≤' if direction == AT_MOST else '≥'} {self.format(threshold)}"

    def met(self, raw, threshold, direction) -> bool | None:
        if raw is None:
            return None
        return raw >= threshold if direction == AT_LEAST else raw <= threshold

    def score(self, raw, threshold, direction) -> Decimal | None:
        """100 when the threshold is met; below it, the share of the way: figure ÷ threshold
        (at least) or threshold ÷ figure (at most), 0 when the threshold is 0 and missed."""
        if raw is None:
            return None
        raw, threshold = Decimal(raw), Decimal(threshold)
        if self.met(raw, threshold, direction):
            return Decimal(100)
        if direction == AT_LEAST:
            value = raw * 100 / threshold if threshold > 0 else Decimal(0)
        else:
            value = threshold * 100 / raw if raw > 0 else Decimal(0)
        return max(Decimal(0), min(Decimal(100), value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# --- stations ------------------------------------------------------------------------------------


def publicity_events(stations, month):
    start, end = month_bounds(month)
    rows = (
        PublicityEvent.objects.filter(station__in=stations.values("pk"), held_on__gte=start, held_on__lt=end)
        .order_by()
        .values("station_id")
        .annotate(n=Count("pk"))
    )
    counts = {row["station_id"]: row["n"] for row in rows}
    return {pk: Decimal(counts.get(pk, 0)) for pk in stations.values_list("pk", flat=True)}


def care_visits_on_time(stations, month):
    """Residents living alone served by the station whose last care visit before the end of the
    month is within their visit interval (寻访关爱), as a share of them. Two queries: the last
    visit of each resident living alone (grouped), and the station's links with the residents'
    intervals; the interval arithmetic is done here (portable)."""
    _, end = month_bounds(month)
    end_at = aware(end)
    links = ResidentStation.objects.filter(
        station__in=stations.values("pk"), resident__living_situation=LivingSituation.ALONE, since__lt=end
    )
    # Grouped over the care visits of everyone living alone: one hash aggregate, where a
    # lookup per resident of the stations would cost an index probe each.
    last_visits = dict(
        ServiceRecord.objects.filter(
            resident__living_situation=LivingSituation.ALONE,
            category=ServiceCategory.CARE_VISIT,
            started_at__lt=end_at,
        )
        .order_by()
        .values("resident_id")
        .annotate(last=Max("started_at"))
        .values_list("resident_id", "last")
    )
    total, on_time = defaultdict(int), defaultdict(int)
    rows = links.values_list("station_id", "resident_id", "resident__care_visit_interval_days")
    for station_id, resident_id, interval in rows:
        total[station_id] += 1
        last = last_visits.get(resident_id)
        if last is not None and last >= end_at - dt.timedelta(days=interval):
            on_time[station_id] += 1
    return {pk: _share(on_time[pk], total[pk]) for pk in total}


def satisfaction_average(stations, month):
    start, end = month_bounds(month)
    rows = (
        SurveyResponse.objects.filter(
            station__in=stations.values("pk"), submitted_on__gte=start, submitted_on__lt=end
        )
        .order_by()
        .values("station_id")
        .annotate(avg=Avg("average"))
    )
    return {row["station_id"]: _decimal(row["avg"]) for row in rows}


def emergency_response_minutes(stations, month):
    start, end = month_bounds(month)
    rows = (
        ServiceRecord.objects.filter(
            station__in=stations.values("pk"),
            is_emergency=True,
            response_minutes__isnull=False,
            started_at__gte=aware(start),
            started_at__lt=aware(end),
        )
        .order_by()
        .values("station_id")
        .annotate(avg=Avg("response_minutes"))
    )
    return {row["station_id"]: _decimal(row["avg"], "0.1") for row in rows}


def trained_service_officers(stations, month):
    """Active service officers (服务员) working at the station — assigned to it, or to none of
    their employer's stations — with a passed pre-job training (岗前培训), as a share of them.
    Two grouped queries: the assigned by station, the unassigned by employer."""
    _, end = month_bounds(month)
    officers = StaffMember.objects.filter(
        status=StaffStatus.ACTIVE, roles__icontains=f'"{StaffRole.SERVICE}"', joined_on__lt=end
    )
    passed = Exists(
        TrainingRecord.objects.filter(
            staff=OuterRef("staffmember_id"),
            passed=True,
            session__kind=TrainingKind.PRE_JOB,
            session__ends_on__lt=end,
        )
    )
    through = StaffMember.stations.through.objects
    assigned = (
        through.filter(station__in=stations.values("pk"), staffmember__in=officers.values("pk"))
        .annotate(ok=passed)
        .order_by()
        .values("station_id")
        .annotate(n=Count("pk"), ok_n=Count("pk", filter=Q(ok=True)))
    )
    unassigned = (
        officers.filter(employer__in=stations.values("operator_id"))
        .exclude(Exists(through.filter(staffmember_id=OuterRef("pk"))))
        .annotate(
            ok=Exists(
                TrainingRecord.objects.filter(
                    staff=OuterRef("pk"),
                    passed=True,
                    session__kind=TrainingKind.PRE_JOB,
                    session__ends_on__lt=end,
                )
            )
        )
        .order_by()
        .values("employer_id")
        .annotate(n=Count("pk"), ok_n=Count("pk", filter=Q(ok=True)))
    )
    by_station = {row["station_id"]: (row["n"], row["ok_n"]) for row in assigned}
    by_employer = {row["employer_id"]: (row["n"], row["ok_n"]) for row in unassigned}
    figures = {}
    for pk, operator_id in stations.values_list("pk", "operator_id"):
        n1, ok1 = by_station.get(pk, (0, 0))
        n2, ok2 = by_employer.get(operator_id, (0, 0))
        if n1 + n2:
            figures[pk] = _share(ok1 + ok2, n1 + n2)
    return figures


def prices_complete(stations, month):
    """Of the services a station offers, the share with a posted price (明码标价)."""
    posted = defaultdict(set)
    for station_id, category in (
        StationPrice.objects.filter(station__in=stations.values("pk"))
        .values_list("station_id", "category")
        .distinct()
    ):
        posted[station_id].add(category)
    figures = {}
    for pk, offered in stations.values_list("pk", "services"):
        offered = set(offered or [])
        if offered:
            figures[pk] = _share(len(offered & posted[pk]), len(offered))
    return figures


def _published_by_end(end):
    return Q(state__in=(VersionState.PUBLISHED, VersionState.SUPERSEDED), published_at__lt=aware(end)) & (
        Q(superseded_at__isnull=True) | Q(superseded_at__gte=aware(end))
    )


def five_lists_checked(stations, month):
    """Half for the five lists published at the end of the month, half for a supervision check
    of them within the last half year (0, 50 or 100 %)."""
    _, end = month_bounds(month)
    published = ChecklistVersion.objects.filter(_published_by_end(end), station=OuterRef("pk"))
    checked = ChecklistCheck.objects.filter(
        station=OuterRef("pk"), checked_on__lt=end, checked_on__gte=end - dt.timedelta(days=CHECK_WITHIN_DAYS)
    )
    rows = stations.order_by().annotate(published=Exists(published), checked=Exists(checked))
    return {
        pk: Decimal(50 * bool(is_published) + 50 * bool(is_published and is_checked))
        for pk, is_published, is_checked in rows.values_list("pk", "published", "checked")
    }


def resources_reviewed(stations, month):
    """Days from the last review of the resource list (资源链接清单) of the published lists —
    or from their publication if never reviewed — to the end of the month."""
    _, end = month_bounds(month)
    rows = (
        ChecklistVersion.objects.filter(_published_by_end(end), station__in=stations.values("pk"))
        .order_by("station_id", "-published_at")
        .values_list("station_id", "resources_reviewed_on", "published_at")
    )
    figures = {}
    for station_id, reviewed_on, published_at in rows:
        if station_id in figures:
            continue
        since = reviewed_on or timezone.localdate(published_at)
        figures[station_id] = Decimal((end - dt.timedelta(days=1) - since).days)
    return figures


# --- pilots --------------------------------------------------------------------------------------


def care_rooms_overdue(pilots, month):
    """Care rooms in the pilot's area handed over but not operating by their deadline (004)."""
    _, end = month_bounds(month)
    rooms = CareRoom.objects.filter(
        compound__region__code__startswith=OuterRef("site_region__code"),
        handover_state=HandoverState.HANDED_OVER,
        deadline__lt=end,
    ).exclude(operating_state=OperatingState.OPERATING)
    return {
        pk: Decimal(n)
        for pk, n in pilots.order_by().annotate(n=_count_subquery(rooms)).values_list("pk", "n")
    }


def violations_open(pilots, month):
    """Violations of care rooms in the pilot's area not closed by their rectification date (004)."""
    _, end = month_bounds(month)
    violations = Violation.objects.filter(
        room__compound__region__code__startswith=OuterRef("site_region__code"), rectify_by__lt=end
    ).exclude(state=ViolationState.CLOSED)
    return {
        pk: Decimal(n)
        for pk, n in pilots.order_by().annotate(n=_count_subquery(violations)).values_list("pk", "n")
    }


def milestones_overdue(pilots, month):
    _, end = month_bounds(month)
    rows = (
        PilotMilestone.objects.filter(pilot__in=pilots.values("pk"), milestone__due_on__lt=end)
        .exclude(status=MilestoneStatus.DONE, completed_on__lt=end)
        .order_by()
        .values("pilot_id")
        .annotate(n=Count("pk"))
    )
    counts = {row["pilot_id"]: row["n"] for row in rows}
    return {pk: Decimal(counts.get(pk, 0)) for pk in pilots.values_list("pk", flat=True)}


INDICATORS = [
    Indicator(
        "publicity_events",
        _("Publicity events in the month"),
        _("events"),
        STATION,
        AT_LEAST,
        Decimal(1),
        _("Publicity events (宣传活动) the station held in the month; at least one a month is required."),
        publicity_events,
    ),
    Indicator(
        "care_visits_on_time",
        _("Care visits on time for people living alone"),
        "%",
        STATION,
        AT_LEAST,
        Decimal(90),
        _(
            "Of the residents living alone the station serves, the share whose last care visit "
            "before the end of the month lies within their visit interval."
        ),
        care_visits_on_time,
    ),
    Indicator(
        "satisfaction_average",
        _("Satisfaction average"),
        _("points (1–5)"),
        STATION,
        AT_LEAST,
        Decimal(4),
        _("Average of the survey answers about the station submitted in the month (1–5)."),
        satisfaction_average,
    ),
    Indicator(
        "emergency_response",
        _("Emergency response time"),
        _("minutes"),
        STATION,
        AT_MOST,
        Decimal(15),
        _("Average response time of the emergency services recorded in the month."),
        emergency_response_minutes,
    ),
    Indicator(
        "trained_service_officers",
        _("Service officers with a passed pre-job training"),
        "%",
        STATION,
        AT_LEAST,
        Decimal(100),
        _("Of the active service officers working at the station, the share who passed a pre-job training."),
        trained_service_officers,
    ),
    Indicator(
        "prices_complete",
        _("Posted prices complete"),
        "%",
        STATION,
        AT_LEAST,
        Decimal(100),
        _("Of the services the station offers, the share with a posted price (明码标价)."),
        prices_complete,
    ),
    Indicator(
        "five_lists_checked",
        _("Five lists published and checked"),
        "%",
        STATION,
        AT_LEAST,
        Decimal(100),
        _(
            "50 for the station's five lists published at the end of the month, 50 more for a "
            "supervision check of them within the last half year."
        ),
        five_lists_checked,
    ),
    Indicator(
        "resources_reviewed",
        _("Resource list reviewed"),
        _("days since the review"),
        STATION,
        AT_MOST,
        Decimal(settings.CHECKLIST_RESOURCE_REVIEW_DAYS),
        _(
            "Days from the last review of the published resource list (or its publication) "
            "to the end of the month."
        ),
        resources_reviewed,
    ),
    Indicator(
        "care_rooms_overdue",
        _("Care rooms past their deadline"),
        _("rooms"),
        PILOT,
        AT_MOST,
        Decimal(0),
        _("Care rooms in the pilot's area handed over but not operating within a year of the handover."),
        care_rooms_overdue,
    ),
    Indicator(
        "violations_open",
        _("Care-room violations past rectification"),
        pgettext_lazy("unit of count", "violations"),
        PILOT,
        AT_MOST,
        Decimal(0),
        _("Violations of care rooms in the pilot's area still open after their rectification date."),
        violations_open,
    ),
    Indicator(
        "milestones_overdue",
        _("Milestones overdue"),
        pgettext_lazy("unit of count", "milestones"),
        PILOT,
        AT_MOST,
        Decimal(0),
        _("The pilot's milestones due before the month's end and not completed by then."),
        milestones_overdue,
    ),
]

CATALOGUE: dict[str, Indicator] = {indicator.code: indicator for indicator in INDICATORS}


def choices():
    return [(indicator.code, indicator.label) for indicator in INDICATORS]
