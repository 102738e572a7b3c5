"""Publicity events, satisfaction surveys, monthly revenue and the station finder."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Avg, Count, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit
from accounts.uploads import IMAGE_KINDS, check_upload
from staff.services import check_publicity_officers

from ..models import PublicityEvent, Station, StationExpenditure, SurveyResponse
from .orders import _require_station_operator

# --- publicity, surveys, accounting, finder -----------------------------------------------


def check_publicity(*, by, station: Station, officers=(), photo=None) -> None:
    """What :func:`record_publicity` refuses about who runs the event and its photo, for forms
    that show the refusal beside the field before saving."""

    _require_station_operator(station, by)
    problems = {}
    try:
        check_publicity_officers(officers, station)
    except ValidationError as exc:
        problems.update(exc.message_dict)
    if photo is not None:
        try:
            check_upload(photo, allowed=IMAGE_KINDS)
        except ValidationError as exc:
            problems["photo"] = exc.messages
    if problems:
        raise ValidationError(problems)


def record_publicity(*, by, station: Station, officers=(), photo=None, **fields) -> PublicityEvent:
    officers = list(officers)
    check_publicity(by=by, station=station, officers=officers, photo=photo)
    event = PublicityEvent(station=station, **fields)
    event.full_clean(exclude=["photo"])
    with transaction.atomic(), audit.audit_context(actor=by):
        if photo is not None:
            event.photo.save(photo.name, photo, save=False)
        event.save()
        event.officers.set(officers)
    return event


def add_survey_response(
    *, by, survey, station: Station, scores: list, comment: str = "", resident=None, submitted_on=None
) -> SurveyResponse:
    _require_station_operator(station, by)
    if survey.station_id and survey.station_id != station.pk:
        raise ValidationError({"station": _("This survey is for another station.")})
    if not station.region.code.startswith(survey.region.code):
        raise ValidationError({"station": _("The station lies outside the survey's region.")})
    if len(scores) != len(survey.questions) or any(not isinstance(s, int) or not 1 <= s <= 5 for s in scores):
        raise ValidationError(
            {
                "scores": _("Give one whole-number score from 1 to 5 for each of the %(n)d questions.")
                % {"n": len(survey.questions)}
            }
        )
    submitted_on = submitted_on or timezone.localdate()
    if not survey.period_start <= submitted_on <= survey.period_end:
        raise ValidationError(
            {
                "submitted_on": _("The survey runs from %(start)s to %(end)s.")
                % {"start": survey.period_start.isoformat(), "end": survey.period_end.isoformat()}
            }
        )
    response = SurveyResponse.objects.create(
        survey=survey,
        station=station,
        resident=resident,
        scores=scores,
        comment=comment,
        submitted_on=submitted_on,
        average=(Decimal(sum(scores)) / len(scores)).quantize(Decimal("0.01")),
    )
    audit.record(response, "survey_response", actor=by)
    return response


def survey_averages(responses):
    """Average score and count per survey and station."""
    return (
        responses.values("survey__title", "survey__period_start", "survey__period_end", "station__name")
        .annotate(responses=Count("id"), average=Avg("average"))
        .order_by("survey__period_start", "station__name")
    )


def monthly_revenue(records):
    """002, 五: elderly-care revenue per station per month, from the service records only — kept
    apart from any other income of the operator."""
    return (
        records.annotate(month=TruncMonth("started_at"))
        .values("station_id", "station__name", "station__operator__name", "month")
        .annotate(services=Count("id"), revenue=Sum("fee"))
        .order_by("month", "station__name")
    )


EARLIEST_EXPENDITURE_MONTH = dt.date(2000, 1, 1)


def check_expenditure_month(station: Station, month) -> dt.date:
    """The month's first day, within [2000-01 .. this month]: no expenditure for a month that
    has not begun. The station's opening date is not the bound: the platform records it when the
    status is first set to operating, often long after the station opened, and the months before
    may still be accounted."""
    if not isinstance(month, dt.date):
        raise ValidationError({"month": _("Give the month as YYYY-MM.")})
    month = month.replace(day=1)
    earliest = EARLIEST_EXPENDITURE_MONTH
    latest = timezone.localdate().replace(day=1)
    if not earliest <= month <= latest:
        raise ValidationError(
            {
                "month": _("Give a month from %(earliest)s to %(latest)s.")
                % {"earliest": f"{earliest:%Y-%m}", "latest": f"{latest:%Y-%m}"}
            }
        )
    return month


def record_expenditure(*, by, station: Station, month, amount, note: str = "") -> StationExpenditure:
    """002, 五: the station's elderly-care expenditure of a month, entered (or corrected) by its
    operator or an officer of its region; one row per station and month, each change audited."""
    _require_station_operator(station, by)
    month = check_expenditure_month(station, month)
    with transaction.atomic(), audit.audit_context(actor=by):
        row = StationExpenditure.objects.select_for_update().filter(
            station=station, month=month
        ).first() or StationExpenditure(station=station, month=month)
        row.amount = amount
        row.note = note or ""
        row.entered_by = by
        row.full_clean()
        row.save()
    return row


def remove_expenditure(*, by, expenditure: StationExpenditure) -> None:
    """Remove a month's expenditure entered in error (the month then counts as not entered);
    by the station's operator or an officer of its region, the removal audited."""
    _require_station_operator(expenditure.station, by)
    with transaction.atomic(), audit.audit_context(actor=by):
        expenditure.delete()


EARTH_RADIUS_M = 6_371_000


def distance_m(lat1, lng1, lat2, lng2) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp, dl = p2 - p1, math.radians(float(lng2) - float(lng1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def stations_near(queryset, *, latitude: float, longitude: float, radius_m: int = 1000):
    """Stations within ``radius_m`` of the point, nearest first, each with ``distance_m``. A
    bounding box narrows the query (served by the location index); the exact distance is
    computed for the few candidates, so no database extension or map tiles are needed."""
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180) or radius_m <= 0 or radius_m > 50_000:
        raise ValidationError(_("Give a point (latitude, longitude) and a radius of up to 50 km."))
    dlat = radius_m / 111_320
    dlng = radius_m / (111_320 * max(math.cos(math.radians(latitude)), 0.01))
    box = queryset.filter(
        latitude__range=(latitude - dlat, latitude + dlat),
        longitude__range=(longitude - dlng, longitude + dlng),
    )
    found = []
    for station in box:
        station.distance_m = round(distance_m(latitude, longitude, station.latitude, station.longitude))
        if station.distance_m <= radius_m:
            found.append(station)
    found.sort(key=lambda s: (s.distance_m, s.pk))
    return found
