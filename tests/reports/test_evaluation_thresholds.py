"""Every indicator of the catalogue, through a whole run with its own threshold and direction:
one station (or pilot) that meets it and one that misses it. The one that meets scores 100 and
raises no finding; the one that misses is below 100, counted as failed, and gets a finding with
the raw figure, addressed to its organisation. A new indicator without a case here fails the
first test."""

import datetime as dt
from decimal import Decimal

import pytest

from reports.evaluation import services
from reports.evaluation.catalogue import CATALOGUE
from reports.models import Finding, Scorecard
from tests.factories import make_staff, pass_pre_job

from .evaluation_data import (
    MONTH,
    at,
    care_room,
    check,
    make_pilot,
    make_resident,
    make_station,
    milestone,
    price,
    publicity,
    published_lists,
    record,
    scheme_for,
    survey_answer,
    violation,
)

pytestmark = pytest.mark.django_db

HUAYANG, XIANXIA = "310105001", "310105008"


def two_stations(world, **fields):
    """甲物业's station in 华阳路 (to meet) and 乙物业's in 仙霞 (to miss)."""
    meets = make_station(world.company_a, world.regions[HUAYANG], "达标站", **fields)
    misses = make_station(world.company_b, world.regions[XIANXIA], "未达标站", **fields)
    return meets, misses


def two_pilots(world):
    meets = make_pilot(world, world.company_a, world.regions[HUAYANG])
    misses = make_pilot(world, world.company_b, world.regions[XIANXIA])
    return meets, misses


def publicity_events(world):
    meets, misses = two_stations(world)
    publicity(meets, dt.date(2026, 10, 12))
    publicity(misses, dt.date(2026, 9, 30))  # last month's
    return meets, misses, Decimal(1), Decimal(0)


def care_visits_on_time(world):
    meets, misses = two_stations(world)
    record(meets, make_resident(meets, interval=7), at(dt.date(2026, 10, 28)))
    record(misses, make_resident(misses, interval=7), at(dt.date(2026, 10, 1)))  # 30 days before the end
    return meets, misses, Decimal("100.00"), Decimal("0.00")


def satisfaction_average(world):
    meets, misses = two_stations(world)
    survey_answer(meets, make_resident(meets), "4.50", dt.date(2026, 10, 10))
    survey_answer(misses, make_resident(misses), "3.00", dt.date(2026, 10, 10))
    return meets, misses, Decimal("4.50"), Decimal("3.00")


def emergency_response(world):
    meets, misses = two_stations(world)
    for station, minutes in ((meets, 12), (misses, 25)):
        resident = make_resident(station)
        record(
            station,
            resident,
            at(dt.date(2026, 10, 6)),
            category="emergency",
            emergency=True,
            response=minutes,
        )
    return meets, misses, Decimal("12.0"), Decimal("25.0")


def trained_service_officers(world):
    meets, misses = two_stations(world)
    trained = make_staff(world.company_a, "张服务", joined_on=dt.date(2026, 1, 5))
    trained.stations.add(meets)
    pass_pre_job(trained)
    untrained = make_staff(world.company_b, "李服务", joined_on=dt.date(2026, 1, 5))
    untrained.stations.add(misses)
    return meets, misses, Decimal("100.00"), Decimal("0.00")


def prices_complete(world):
    meets, misses = two_stations(world, services=["meals", "cleaning"])
    for category in ("meals", "cleaning"):
        price(meets, category)
    price(misses, "meals")
    return meets, misses, Decimal("100.00"), Decimal("50.00")


def five_lists_checked(world):
    meets, misses = two_stations(world)
    check(meets, published_lists(meets, dt.date(2026, 5, 1)), dt.date(2026, 9, 15))
    published_lists(misses, dt.date(2026, 5, 1))  # published, never checked
    return meets, misses, Decimal(100), Decimal(50)


def resources_reviewed(world):
    meets, misses = two_stations(world)
    published_lists(meets, dt.date(2026, 1, 1), reviewed_on=dt.date(2026, 10, 1))
    published_lists(misses, dt.date(2026, 1, 1), reviewed_on=dt.date(2026, 6, 1))
    return meets, misses, Decimal(30), Decimal(152)


def care_rooms_overdue(world):
    meets, misses = two_pilots(world)
    care_room(world.regions[HUAYANG], deadline=dt.date(2026, 10, 10), operating=True)
    care_room(world.regions[XIANXIA], deadline=dt.date(2026, 10, 10))
    return meets, misses, Decimal(0), Decimal(1)


def violations_open(world):
    meets, misses = two_pilots(world)
    for code, state in ((HUAYANG, "closed"), (XIANXIA, "open")):
        room = care_room(world.regions[code], deadline=dt.date(2027, 1, 1), operating=True)
        violation(room, world.street_officer, rectify_by=dt.date(2026, 10, 15), state=state)
    return meets, misses, Decimal(0), Decimal(1)


def milestones_overdue(world):
    meets, misses = two_pilots(world)
    milestone(meets, dt.date(2026, 10, 20), done_on=dt.date(2026, 10, 18))
    milestone(misses, dt.date(2026, 10, 20))
    return meets, misses, Decimal(0), Decimal(1)


CASES = {
    "publicity_events": publicity_events,
    "care_visits_on_time": care_visits_on_time,
    "satisfaction_average": satisfaction_average,
    "emergency_response": emergency_response,
    "trained_service_officers": trained_service_officers,
    "prices_complete": prices_complete,
    "five_lists_checked": five_lists_checked,
    "resources_reviewed": resources_reviewed,
    "care_rooms_overdue": care_rooms_overdue,
    "violations_open": violations_open,
    "milestones_overdue": milestones_overdue,
}


def test_every_indicator_of_the_catalogue_has_a_case():
    assert set(CASES) == set(CATALOGUE)


def test_the_catalogue_holds_the_issues_indicators_with_their_defaults():
    expected = {
        "publicity_events": ("at_least", 1),  # 000: at least one a month
        "care_visits_on_time": ("at_least", 90),
        "satisfaction_average": ("at_least", 4),
        "emergency_response": ("at_most", 15),
        "trained_service_officers": ("at_least", 100),
        "prices_complete": ("at_least", 100),
        "five_lists_checked": ("at_least", 100),
        "resources_reviewed": ("at_most", 90),
        "care_rooms_overdue": ("at_most", 0),
        "violations_open": ("at_most", 0),
        "milestones_overdue": ("at_most", 0),
    }
    assert {code: (i.direction, i.threshold) for code, i in CATALOGUE.items()} == expected


def _card(subject):
    field = "pilot" if type(subject).__name__ == "Pilot" else "station"
    return Scorecard.objects.get(**{field: subject})


@pytest.mark.parametrize("code", list(CASES))
def test_one_subject_meets_the_threshold_and_one_misses_it(world, code):
    indicator = CATALOGUE[code]
    meets, misses, raw_met, raw_missed = CASES[code](world)
    scheme = scheme_for(world, [(code, 100, indicator.threshold, indicator.direction)])
    run = services.run_evaluation(scheme, MONTH)

    good, bad = _card(meets), _card(misses)
    [good_line], [bad_line] = good.lines, bad.lines
    assert (good_line["raw"], good_line["met"], good.score) == (str(raw_met), True, 100)
    assert (bad_line["raw"], bad_line["met"], bad.indicators_failed) == (str(raw_missed), False, 1)
    assert bad.score < 100 and good.indicators_failed == 0
    assert (good.organization, bad.organization) == (world.company_a, world.company_b)

    finding = Finding.objects.get()  # the one that misses only
    subject = finding.pilot if indicator.subject == "pilot" else finding.station
    assert (subject, finding.code, finding.raw) == (misses, code, raw_missed)
    assert (finding.organization, finding.state, finding.opened_month) == (world.company_b, "open", MONTH)
    assert run.findings_opened == 1
