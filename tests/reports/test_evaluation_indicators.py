"""Every indicator of the catalogue on hand-made data with a known answer, including the
boundary at the threshold, and each computed for all stations in a fixed number of queries."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports.evaluation.catalogue import AT_LEAST, AT_MOST, CATALOGUE
from stations.models import Station
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
    survey_answer,
    violation,
)

pytestmark = pytest.mark.django_db


def figures(code, subjects):
    return CATALOGUE[code].compute(subjects, MONTH)


@pytest.fixture
def two(world):
    a = make_station(world.company_a, world.regions["310105001"], "甲站")
    b = make_station(world.company_b, world.regions["310105008"], "乙站")
    return a, b


def stations(*items):
    return Station.objects.filter(pk__in=[s.pk for s in items])


def test_publicity_events_count_the_month_only(two):
    a, b = two
    publicity(a, dt.date(2026, 10, 1))
    publicity(a, dt.date(2026, 10, 31))
    publicity(a, dt.date(2026, 11, 1))  # next month
    publicity(b, dt.date(2026, 9, 30))  # last month
    result = figures("publicity_events", stations(a, b))
    assert result == {a.pk: Decimal(2), b.pk: Decimal(0)}
    indicator = CATALOGUE["publicity_events"]
    assert indicator.met(Decimal(1), Decimal(1), AT_LEAST) is True  # 000: at least one
    assert indicator.met(Decimal(0), Decimal(1), AT_LEAST) is False
    assert indicator.score(Decimal(0), Decimal(1), AT_LEAST) == 0


def test_care_visits_on_time_within_each_residents_interval(two):
    a, b = two
    on_time = make_resident(a, interval=7)
    record(a, on_time, at(dt.date(2026, 10, 25)))  # 7 days before 1 November: just on time
    late = make_resident(a, interval=7)
    record(a, late, at(dt.date(2026, 10, 24), hour=23))  # a little more than 7 days before
    never = make_resident(a, interval=30)
    with_family = make_resident(a, alone=False)
    record(a, with_family, at(dt.date(2026, 9, 1)))
    record(a, never, at(dt.date(2026, 11, 2)))  # after the month: does not count
    result = figures("care_visits_on_time", stations(a, b))
    assert result == {a.pk: Decimal("33.33")}  # 1 of 3 living alone; b serves nobody: no figure
    assert b.pk not in result


def test_satisfaction_average_of_the_months_answers(two):
    a, b = two
    resident = make_resident(a)
    survey_answer(a, resident, "4.00", dt.date(2026, 10, 3))
    survey_answer(a, resident, "3.50", dt.date(2026, 10, 20))
    survey_answer(a, resident, "1.00", dt.date(2026, 11, 1))
    result = figures("satisfaction_average", stations(a, b))
    assert result == {a.pk: Decimal("3.75")}
    assert CATALOGUE["satisfaction_average"].met(Decimal("4.00"), Decimal(4), AT_LEAST) is True
    assert CATALOGUE["satisfaction_average"].score(Decimal("3.75"), Decimal(4), AT_LEAST) == Decimal("93.8")


def test_emergency_response_time_average_and_at_most(two):
    a, b = two
    resident = make_resident(a)
    record(a, resident, at(dt.date(2026, 10, 5)), category="emergency", emergency=True, response=10)
    record(a, resident, at(dt.date(2026, 10, 6)), category="emergency", emergency=True, response=20)
    record(a, resident, at(dt.date(2026, 10, 7)), category="meals", response=99)  # not an emergency
    result = figures("emergency_response", stations(a, b))
    assert result == {a.pk: Decimal("15.0")}
    indicator = CATALOGUE["emergency_response"]
    assert indicator.met(Decimal("15.0"), Decimal(15), AT_MOST) is True  # the boundary meets it
    assert indicator.met(Decimal("15.1"), Decimal(15), AT_MOST) is False
    assert indicator.score(Decimal(30), Decimal(15), AT_MOST) == Decimal(50)


JOINED = dt.date(2026, 1, 5)


def test_trained_service_officers_assigned_or_working_everywhere(world, two):
    a, b = two
    assigned = make_staff(world.company_a, "张服务", joined_on=JOINED)
    assigned.stations.add(a)
    pass_pre_job(assigned)
    everywhere = make_staff(
        world.company_a, "李服务", joined_on=JOINED
    )  # no station: works at all of 甲物业's
    make_staff(world.company_a, "王宣传", roles=("publicity",), joined_on=JOINED)  # not a service officer
    make_staff(world.company_a, "赵离职", status="left", joined_on=JOINED)
    elsewhere = make_staff(world.company_b, "钱服务", joined_on=JOINED)
    pass_pre_job(elsewhere, kind="special")  # not a pre-job training
    result = figures("trained_service_officers", stations(a, b))
    assert result == {a.pk: Decimal("50.00"), b.pk: Decimal("0.00")}
    make_staff(world.company_a, "孙新人")  # joined after the month: not counted
    pass_pre_job(everywhere)
    assert figures("trained_service_officers", stations(a))[a.pk] == Decimal("100.00")


def test_prices_complete_share_of_services_offered(world):
    a = make_station(
        world.company_a, world.regions["310105001"], services=["meals", "cleaning", "care_visit"]
    )
    b = make_station(world.company_a, world.regions["310105001"], services=[])
    price(a, "meals")
    price(a, "cleaning")
    price(a, "bathing")  # not offered: does not count
    result = figures("prices_complete", stations(a, b))
    assert result == {a.pk: Decimal("66.67")}


def test_five_lists_published_and_checked(world):
    region = world.regions["310105001"]
    both, only_published, nothing, old_check, draft = (
        make_station(world.company_a, region) for _ in range(5)
    )
    version = published_lists(both, dt.date(2026, 5, 1))
    check(both, version, dt.date(2026, 9, 1))
    published_lists(only_published, dt.date(2026, 10, 31))
    version = published_lists(old_check, dt.date(2025, 1, 1))
    check(old_check, version, dt.date(2026, 3, 1))  # more than half a year before the month's end
    published_lists(draft, dt.date(2026, 10, 1), state="draft")
    result = figures("five_lists_checked", stations(both, only_published, nothing, old_check, draft))
    assert result == {
        both.pk: Decimal(100),
        only_published.pk: Decimal(50),
        nothing.pk: Decimal(0),
        old_check.pk: Decimal(50),
        draft.pk: Decimal(0),
    }


def test_resources_reviewed_days_to_the_months_end(world):
    region = world.regions["310105001"]
    on_limit, over, never_reviewed, unpublished = (make_station(world.company_a, region) for _ in range(4))
    published_lists(on_limit, dt.date(2026, 1, 1), reviewed_on=dt.date(2026, 8, 2))  # 90 days to 31 Oct
    published_lists(over, dt.date(2026, 1, 1), reviewed_on=dt.date(2026, 8, 1))  # 91 days
    published_lists(never_reviewed, dt.date(2026, 10, 1))  # 30 days since publication
    result = figures("resources_reviewed", stations(on_limit, over, never_reviewed, unpublished))
    assert result == {on_limit.pk: Decimal(90), over.pk: Decimal(91), never_reviewed.pk: Decimal(30)}
    indicator = CATALOGUE["resources_reviewed"]
    assert indicator.threshold == 90
    assert indicator.met(Decimal(90), Decimal(90), AT_MOST) is True
    assert indicator.met(Decimal(91), Decimal(90), AT_MOST) is False


def test_care_rooms_and_violations_in_the_pilots_area(world):
    street, other = world.regions["310105001"], world.regions["310105008"]
    pilot = make_pilot(world, world.company_a, street)
    quiet = make_pilot(world, world.company_b, other, programme=pilot.programme)
    care_room(street, deadline=dt.date(2026, 10, 31))  # overdue at the month's end
    care_room(street, deadline=dt.date(2026, 11, 1))  # due after the month
    care_room(street, deadline=dt.date(2026, 9, 1), operating=True)  # operating: not overdue
    room = care_room(street, deadline=dt.date(2027, 1, 1), operating=True)
    violation(room, world.street_officer, rectify_by=dt.date(2026, 10, 15))
    violation(room, world.street_officer, rectify_by=dt.date(2026, 10, 15), state="closed")
    violation(room, world.street_officer, rectify_by=dt.date(2026, 11, 15))
    pilots = type(pilot).objects.filter(pk__in=[pilot.pk, quiet.pk])
    assert figures("care_rooms_overdue", pilots) == {pilot.pk: Decimal(1), quiet.pk: Decimal(0)}
    assert figures("violations_open", pilots) == {pilot.pk: Decimal(1), quiet.pk: Decimal(0)}
    assert CATALOGUE["care_rooms_overdue"].met(Decimal(0), Decimal(0), AT_MOST) is True
    assert CATALOGUE["care_rooms_overdue"].score(Decimal(1), Decimal(0), AT_MOST) == 0


def test_milestones_overdue(world):
    pilot = make_pilot(world, world.company_a, world.regions["310105001"])
    milestone(pilot, dt.date(2026, 10, 31))  # due, not done
    milestone(pilot, dt.date(2026, 10, 1), done_on=dt.date(2026, 10, 20))  # done in time
    milestone(pilot, dt.date(2026, 9, 1), done_on=dt.date(2026, 11, 3))  # done only after the month
    milestone(pilot, dt.date(2026, 11, 1))  # not yet due
    result = figures("milestones_overdue", type(pilot).objects.filter(pk=pilot.pk))
    assert result == {pilot.pk: Decimal(2)}


@pytest.mark.parametrize("code", [code for code, i in CATALOGUE.items() if i.subject == "station"])
def test_each_station_indicator_takes_the_same_queries_for_3_and_30_stations(
    world, code, django_assert_num_queries
):
    region = world.regions["310105001"]
    made = [make_station(world.company_a, region, services=["meals"]) for _ in range(30)]
    for station in made:
        resident = make_resident(station)
        record(station, resident, at(dt.date(2026, 10, 30)))
        publicity(station, dt.date(2026, 10, 9))
    small = Station.objects.filter(pk__in=[s.pk for s in made[:3]])
    large = Station.objects.filter(pk__in=[s.pk for s in made])
    with CaptureQueriesContext(connection) as few:
        figures(code, small)
    with django_assert_num_queries(len(few)):
        figures(code, large)
