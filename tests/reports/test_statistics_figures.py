"""The statistics' figures (reports.figures) on hand-made data with known answers, and who may
read them."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from checklists.models import ChecklistItem, ChecklistVersion, ListKind, VersionState
from facilities.models import CareRoom, Compound, GuidanceTarget, OperatingState
from pilots import services as pilot_services
from pilots.models import Mode, Programme
from regions.models import Level, Region
from reports import figures
from staff.models import TrainingRecord, TrainingSession, TrainingTarget
from stations import services as station_services
from stations.models import ServiceRecord, Station, Survey, SurveyResponse
from tests.factories import OrganizationFactory, make_staff

SHANGHAI = ZoneInfo("Asia/Shanghai")
HUAYANG, XIANXIA = "310105001", "310105008"


def at(year, month, day, hour=10, minute=0):
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def record(station, resident, when, category="meals", *, fee="0", emergency=False, response=None):
    return ServiceRecord.objects.create(
        station=station,
        resident=resident,
        category=category,
        started_at=when,
        ended_at=when + dt.timedelta(minutes=30),
        duration_minutes=30,
        fee=Decimal(fee),
        is_emergency=emergency,
        response_minutes=response,
    )


def selection(user, region_code, first=(2026, 1), last=(2026, 3), regions=None):
    region = regions[region_code]
    return figures.Selection(user, region, figures.Period.of_months(dt.date(*first, 1), dt.date(*last, 1)))


@pytest.fixture
def q1(world):
    """长宁 for the district's officer, January to March 2026."""
    return selection(world.changning_officer, "310105", regions=world.regions)


def test_stations_are_counted_per_street_and_status(world, station_a, station_b, q1):
    Station.objects.filter(pk=station_a.pk).update(status="operating")
    assert figures.stations_by_status(q1) == {HUAYANG: {"operating": 1}, XIANXIA: {"planned": 1}}


def test_a_street_officer_counts_only_the_stations_of_the_street(world, station_a, station_b):
    street = selection(world.street_officer, HUAYANG, regions=world.regions)
    assert figures.stations_by_status(street) == {HUAYANG: {"planned": 1}}
    assert [s.code for s in street.streets()] == [HUAYANG]


def test_residents_served_count_each_person_once_per_street(world, station_a, resident, q1):
    record(station_a, resident, at(2026, 1, 5))
    record(station_a, resident, at(2026, 2, 5))
    record(station_a, resident, at(2025, 12, 31))  # before the period
    assert figures.residents_served_per_street(q1) == {HUAYANG: 1}


def test_services_are_grouped_by_local_month_and_category(world, station_a, resident, q1):
    record(station_a, resident, at(2026, 1, 31, 23, 30))  # 15:30 UTC: still January in Shanghai
    record(station_a, resident, at(2026, 2, 1, 0, 30))  # 16:30 UTC on 31 January: February here
    record(station_a, resident, at(2026, 2, 3), "care_visit")
    record(station_a, resident, at(2026, 4, 1, 0, 5))  # after the period
    counts = figures.services_by_category_and_month(q1)
    assert counts == {
        (HUAYANG, dt.date(2026, 1, 1)): {"meals": 1},
        (HUAYANG, dt.date(2026, 2, 1)): {"meals": 1, "care_visit": 1},
    }
    assert figures.services_per_month(q1) == {
        dt.date(2026, 1, 1): 1,
        dt.date(2026, 2, 1): 2,
        dt.date(2026, 3, 1): 0,
    }


def test_emergency_response_averages_only_the_timed_services(world, station_a, resident, q1):
    record(station_a, resident, at(2026, 1, 5), "emergency", emergency=True, response=10)
    record(station_a, resident, at(2026, 1, 6), "emergency", emergency=True, response=25)
    record(station_a, resident, at(2026, 1, 7), "emergency", emergency=True)
    record(station_a, resident, at(2026, 1, 8), "meals", response=99)  # not an emergency
    entry = figures.emergency_response_per_street(q1)[HUAYANG]
    assert (entry.emergencies, entry.timed, entry.total_minutes, entry.longest_minutes) == (3, 2, 35, 25)
    assert entry.average_minutes == Decimal("17.5")


def test_satisfaction_is_the_mean_of_the_responses_of_the_period(world, station_a, station_b, q1):
    survey = Survey.objects.create(
        title="满意度",
        region=world.regions["310105"],
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
        questions=["a"],
    )
    for station, score, day in (
        (station_a, 4, 10),
        (station_a, 5, 11),
        (station_b, 3, 12),
        (station_a, 1, 1),
    ):
        month = 1 if day != 1 else 4  # the last one is after the period
        SurveyResponse.objects.create(
            survey=survey,
            station=station,
            scores=[score],
            average=Decimal(score),
            submitted_on=dt.date(2026, month, day),
        )
    result = figures.satisfaction_per_street(q1)
    assert (result[HUAYANG].responses, result[HUAYANG].average) == (2, Decimal("4.50"))
    assert (result[XIANXIA].responses, result[XIANXIA].average) == (1, Decimal("3.00"))


def test_training_person_times_count_attendances_of_sessions_in_the_period(world, q1):
    first = make_staff(world.company_a, "甲员工", kind="full_time")
    second = make_staff(world.company_b, "乙员工", kind="full_time")
    session = TrainingSession.objects.create(
        organiser=world.changning_bureau,
        region=world.regions["310105"],
        title="岗前",
        kind="pre_job",
        starts_on=dt.date(2026, 2, 1),
        ends_on=dt.date(2026, 2, 2),
    )
    earlier = TrainingSession.objects.create(
        organiser=world.changning_bureau,
        region=world.regions["310105"],
        title="旧",
        kind="pre_job",
        starts_on=dt.date(2025, 2, 1),
        ends_on=dt.date(2025, 2, 2),
    )
    TrainingRecord.objects.create(session=session, staff=first, attended=True)
    TrainingRecord.objects.create(session=session, staff=second, attended=True)
    TrainingRecord.objects.create(session=earlier, staff=first, attended=True)
    absent = make_staff(world.company_a, "缺席", kind="full_time")
    TrainingRecord.objects.create(session=session, staff=absent, attended=False)
    assert figures.training_per_street(q1) == {HUAYANG: 1, XIANXIA: 1}
    assert figures.training_target(q1).total is None
    TrainingTarget.objects.create(region=world.regions["310105"], year=2026, person_times=200)
    assert figures.training_target(q1).total == 200


def test_a_streets_training_is_not_compared_with_the_districts_target(world):
    TrainingTarget.objects.create(region=world.regions["310105"], year=2026, person_times=200)
    street = selection(world.street_officer, HUAYANG, regions=world.regions)
    target = figures.training_target(street)
    assert target.region.code == "310105" and not target.applies
    assert target.total is None  # the district's 200 is not drawn as the street's line
    assert "街道不设目标" in target.note()


def test_a_city_without_districts_finds_its_target_through_the_ancestors(world):
    zhongshan = world.regions["4420"]
    a_street = next(code for code in world.regions if code.startswith("442000") and len(code) == 9)
    TrainingTarget.objects.create(region=zhongshan, year=2026, person_times=150)
    admin = type(world.changning_officer).objects.create_superuser("root_zs", "r@example.com", "x")
    city = figures.Selection(
        admin, zhongshan, figures.Period.of_months(dt.date(2026, 1, 1), dt.date(2026, 3, 1))
    )
    assert figures.training_target(city).total == 150
    street = figures.Selection(
        admin, world.regions[a_street], figures.Period.of_months(dt.date(2026, 1, 1), dt.date(2026, 3, 1))
    )
    assert figures.training_target(street).region == zhongshan
    assert figures.training_target(street).total is None


def test_a_target_over_years_is_compared_only_when_every_year_has_one(world):
    TrainingTarget.objects.create(region=world.regions["310105"], year=2026, person_times=200)
    two_years = selection(world.changning_officer, "310105", (2026, 11), (2027, 2), regions=world.regions)
    target = figures.training_target(two_years)
    assert target.per_year == {2026: 200} and target.missing_years == [2027]
    assert target.total is None and "2027 年未设目标" in target.note()
    TrainingTarget.objects.create(region=world.regions["310105"], year=2027, person_times=300)
    assert figures.training_target(two_years).total == 500


def test_publicity_is_counted_per_station_and_month(world, station_a, q1):
    for day in (dt.date(2026, 1, 3), dt.date(2026, 1, 20), dt.date(2026, 3, 9), dt.date(2026, 5, 1)):
        station_services.record_publicity(
            by=world.company_a_admin, station=station_a, held_on=day, form="talk", topic="讲座"
        )
    assert figures.publicity_per_station_month(q1) == {
        (station_a.pk, dt.date(2026, 1, 1)): 2,
        (station_a.pk, dt.date(2026, 3, 1)): 1,
    }


def test_income_minus_the_expenditure_the_operator_entered(world, station_a, station_b, resident, q1):
    record(station_a, resident, at(2026, 1, 5), fee="45.00")
    record(station_a, resident, at(2026, 2, 5), fee="12.50")
    record(station_a, resident, at(2026, 4, 5), fee="1000")  # after the period
    station_services.record_expenditure(
        by=world.company_a_admin, station=station_a, month=dt.date(2026, 1, 1), amount=Decimal("30")
    )
    # entering the month again corrects it
    station_services.record_expenditure(
        by=world.company_a_admin, station=station_a, month=dt.date(2026, 1, 1), amount=Decimal("20")
    )
    station_services.record_expenditure(
        by=world.company_a_admin, station=station_a, month=dt.date(2026, 3, 1), amount=Decimal("10")
    )
    accounts = figures.accounts_per_station(q1)
    entry = accounts[station_a.pk]
    assert (entry.services, entry.income, entry.expenditure, entry.months_entered) == (
        2,
        Decimal("57.50"),
        Decimal("30"),
        2,
    )
    # February has no entry: no balance over a period with a month missing
    assert entry.balance is None
    station_services.record_expenditure(
        by=world.company_a_admin, station=station_a, month=dt.date(2026, 2, 1), amount=Decimal("7.50")
    )
    entry = figures.accounts_per_station(q1)[station_a.pk]
    assert (entry.months_entered, entry.balance) == (3, Decimal("20.00"))
    assert station_b.pk not in accounts  # nothing recorded, nothing invented


def test_an_operator_cannot_enter_another_operators_expenditure(world, station_b):
    with pytest.raises(PermissionDenied):
        station_services.record_expenditure(
            by=world.company_a_admin, station=station_b, month=dt.date(2026, 1, 1), amount=Decimal("5")
        )
    with pytest.raises(ValidationError):
        station_services.record_expenditure(
            by=world.company_b_admin, station=station_b, month=dt.date(2026, 1, 1), amount=Decimal("-5")
        )


def test_care_rooms_against_the_guidance_targets(world, q1):
    GuidanceTarget.objects.create(
        county=world.regions["310105"],
        town=world.regions[HUAYANG],
        built=5,
        handed_over=3,
        not_handed_over=2,
        subtotal=4,
        per_year={"2025": 1, "2026": 2, "2027": 1},
    )
    compound = Compound.objects.create(name="小区", region=world.regions[HUAYANG])
    CareRoom.objects.create(
        compound=compound,
        location="1 号楼",
        area=80,
        operating_state=OperatingState.OPERATING,
        operating_since=dt.date(2026, 2, 1),
    )
    CareRoom.objects.create(
        compound=compound,
        location="2 号楼",
        area=80,
        operating_state=OperatingState.OPERATING,
        operating_since=dt.date(2025, 2, 1),
    )
    CareRoom.objects.create(compound=compound, location="3 号楼", area=60)
    entry = figures.care_rooms_per_street(q1)[HUAYANG]
    assert (entry.built, entry.target_subtotal, entry.target_in_period) == (5, 4, 2)
    assert (entry.rooms, entry.operating, entry.started_in_period) == (3, 2, 1)


def test_a_street_is_covered_by_an_operating_station_only(world, station_a, station_b, q1):
    Station.objects.filter(pk=station_a.pk).update(status="operating")
    Station.objects.filter(pk=station_b.pk).update(status="planned")  # planned: does not cover
    coverage = figures.coverage_per_street(q1)
    assert coverage[HUAYANG].covered and not coverage[XIANXIA].covered
    assert len(coverage) == len(q1.streets())


def test_communities_stay_unknown_where_no_community_divisions_are_loaded(world, station_a, q1):
    Region.objects.filter(level=Level.COMMUNITY, code__startswith=HUAYANG).delete()
    coverage = figures.coverage_per_street(q1)
    assert coverage[HUAYANG].communities is None and coverage[HUAYANG].covered_communities is None


def test_residents_served_in_two_streets_are_one_person_of_the_district(
    world, station_a, station_b, resident, q1
):
    record(station_a, resident, at(2026, 1, 5))
    record(station_b, resident, at(2026, 1, 6))
    assert figures.residents_served_per_street(q1) == {HUAYANG: 1, XIANXIA: 1}
    assert figures.residents_served_total(q1) == 1


def test_months_without_publicity_count_only_finished_months_the_station_was_open():
    today = dt.date(2026, 5, 15)
    station = SimpleNamespace(
        opened_on=dt.date(2026, 2, 10), closed_on=None, status="operating", created_at=None
    )
    assert not figures.month_finished(dt.date(2026, 5, 1), today)  # this month is not over
    assert not figures.month_finished(dt.date(2026, 6, 1), today)
    assert figures.month_finished(dt.date(2026, 4, 1), today)
    assert not figures.operating_in(station, dt.date(2026, 1, 1))  # before it opened
    assert figures.operating_in(station, dt.date(2026, 2, 1))
    planned = SimpleNamespace(opened_on=None, closed_on=None, status="planned", created_at=None)
    assert not figures.operating_in(planned, dt.date(2026, 2, 1))
    closed = SimpleNamespace(opened_on=dt.date(2025, 1, 1), closed_on=dt.date(2026, 2, 28), status="closed")
    assert figures.operating_in(closed, dt.date(2026, 2, 1)) and not figures.operating_in(
        closed, dt.date(2026, 3, 1)
    )


def _demonstration_pilot(world, station):
    programme = Programme.objects.create(
        title="长宁区试点", mode=Mode.DESIGNATED, region=world.regions["310105"]
    )
    programme.issuers.add(world.changning_bureau)
    pilot = pilot_services.designate_pilot(
        programme,
        by=world.changning_officer,
        organization=world.company_a,
        pilot_type="property_care",
        site_region=world.regions[HUAYANG],
    )
    pilot_services.set_demonstration(pilot, by=world.changning_officer, value=True)
    Station.objects.filter(pk=station.pk).update(pilot=pilot)
    return pilot


def test_a_demonstration_project_row_comes_from_the_records(world, station_a, resident, q1):
    pilot = _demonstration_pilot(world, station_a)
    Station.objects.filter(pk=station_a.pk).update(area=Decimal("120.5"))
    listed = make_staff(world.company_a, "专职一", kind="full_time")
    listed.stations.set([station_a])
    second = make_staff(world.company_a, "专职二", kind="full_time")
    second.stations.set([station_a])
    # at no station and working in another street than the project's: in no project's row
    make_staff(world.company_a, "专职三", kind="full_time", region=world.regions[XIANXIA])
    make_staff(world.company_a, "兼职", kind="part_time")
    version = ChecklistVersion.objects.create(
        station=station_a, region=world.regions[HUAYANG], number=1, state=VersionState.PUBLISHED
    )
    for name in ("助浴椅", "呼叫器", "轮椅"):
        ChecklistItem.objects.create(version=version, kind=ListKind.FACILITIES, name=name)
    ChecklistItem.objects.create(version=version, kind=ListKind.SERVICES, name="助餐")
    record(station_a, resident, at(2026, 1, 5))
    record(station_a, resident, at(2026, 2, 5))

    (row,) = figures.demonstration_projects(q1)
    assert row.pilot_id == pilot.pk
    assert (row.unit, row.company) == ("长宁区民政局", "甲物业")
    assert row.project == "华阳路街道" + str(pilot.get_pilot_type_display())
    assert (row.area, row.full_time_staff, row.facilities, row.residents_served) == (
        Decimal("120.5"),
        2,
        3,
        1,
    )
    assert row.since is None  # the company has not said: left for the person filling the table

    world.company_a.elderly_care_since = dt.date(2018, 3, 1)
    world.company_a.save()
    assert figures.demonstration_projects(q1)[0].since == dt.date(2018, 3, 1)


def test_figures_the_records_cannot_give_stay_empty(world, station_a, q1):
    _demonstration_pilot(world, station_a)  # the station has no area, no published lists
    (row,) = figures.demonstration_projects(q1)
    assert row.area is None and row.facilities is None
    Station.objects.filter(pk=station_a.pk).update(pilot=None)
    (row,) = figures.demonstration_projects(q1)
    assert (row.area, row.full_time_staff, row.facilities, row.residents_served) == (None, None, None, None)


def test_only_government_users_read_statistics(world):
    assert figures.may_read_statistics(world.changning_viewer)
    assert figures.may_read_statistics(world.street_officer)
    assert not figures.may_read_statistics(world.company_a_admin)
    with pytest.raises(PermissionDenied):
        figures.resolve_region(world.company_a_admin, "310105")


def test_a_region_outside_the_scope_is_refused(world):
    with pytest.raises(PermissionDenied):
        figures.resolve_region(world.street_officer, "310105")
    with pytest.raises(PermissionDenied):
        figures.resolve_region(world.nanan_officer, "310105")
    with pytest.raises(PermissionDenied):
        figures.resolve_region(world.street_officer, XIANXIA)
    assert figures.resolve_region(world.street_officer, None).code == HUAYANG
    assert figures.resolve_region(world.changning_viewer, XIANXIA).code == XIANXIA


def test_a_bad_period_is_refused(world):
    with pytest.raises(ValidationError):
        figures.Period.from_params({"from": "2026-05", "to": "2026-01"})
    with pytest.raises(ValidationError):
        figures.Period.from_params({"from": "2026-13"})
    with pytest.raises(ValidationError):
        figures.Period.from_params({"from": "2020-01", "to": "2026-01"})
    period = figures.Period.from_params({"from": "2026-11", "to": "2027-02"})
    assert [m.month for m in period.months()] == [11, 12, 1, 2] and period.years() == [2026, 2027]


def test_each_full_time_person_counts_in_one_project_only(world, station_a, station_b, q1):
    first = _demonstration_pilot(world, station_a)
    second = pilot_services.designate_pilot(
        first.programme,
        by=world.changning_officer,
        organization=world.company_b,
        pilot_type="property_care",
        site_region=world.regions[XIANXIA],
    )
    pilot_services.set_demonstration(second, by=world.changning_officer, value=True)
    Station.objects.filter(pk=station_b.pk).update(pilot=second)
    both = make_staff(world.company_a, "两站", kind="full_time")
    both.stations.set([station_a, station_b])
    only_b = make_staff(world.company_b, "乙站", kind="full_time")
    only_b.stations.set([station_b])
    make_staff(world.company_a, "未登记站点", kind="full_time", region=world.regions[XIANXIA])
    rows = {row.pilot_id: row.full_time_staff for row in figures.demonstration_projects(q1)}
    assert rows == {first.pk: 1, second.pk: 1}
    # three full-time people; the one at no station works for company a in 仙霞, where company a
    # has no project: two counted, once each
    assert sum(rows.values()) == 2


def test_full_time_staff_at_no_station_count_for_their_employers_project_in_their_street(
    world, station_a, station_b, q1
):
    pilot = _demonstration_pilot(world, station_a)
    at_station = make_staff(world.company_a, "登记站点", kind="full_time")
    at_station.stations.set([station_a])
    make_staff(world.company_a, "未登记一", kind="full_time")  # works in 华阳路, the project's street
    make_staff(world.company_a, "未登记二", kind="full_time", region=world.regions[XIANXIA])
    make_staff(world.company_b, "他单位", kind="full_time", region=world.regions[HUAYANG])
    make_staff(world.company_a, "兼职", kind="part_time")
    make_staff(world.company_a, "离岗", kind="full_time", status="left")
    elsewhere = make_staff(world.company_a, "在别站", kind="full_time")
    elsewhere.stations.set([station_b])  # listed at a station of no project: not this project's
    (row,) = figures.demonstration_projects(q1)
    assert (row.pilot_id, row.full_time_staff) == (pilot.pk, 2)
    # without a station the project's staff are still those of its company in its street
    Station.objects.filter(pk=station_a.pk).update(pilot=None)
    (row,) = figures.demonstration_projects(q1)
    assert row.full_time_staff == 1 and row.area is None and row.residents_served is None


def test_the_reporting_unit_is_the_housing_bureau_of_the_projects_district(world, station_a, q1):
    pilot = _demonstration_pilot(world, station_a)
    (row,) = figures.demonstration_projects(q1)
    assert row.unit == "长宁区民政局"  # no housing bureau on the platform: the programme's issuer
    OrganizationFactory(kind="housing", name="南安市住房和城乡建设局", region=world.regions["350583"])
    OrganizationFactory(kind="housing", name="长宁区房屋管理局", region=world.regions["310105"])
    (row,) = figures.demonstration_projects(q1)
    assert row.unit == "长宁区房屋管理局"  # the district's housing bureau, as the notice's ××市住建局
    issuer = OrganizationFactory(kind="housing", name="长宁区住房保障局", region=world.regions["310105"])
    pilot.programme.issuers.add(issuer)
    (row,) = figures.demonstration_projects(q1)
    assert row.unit == "长宁区住房保障局"  # the programme's own housing bureau comes first


def test_facilities_stay_empty_unless_every_station_of_the_project_has_published_lists(
    world, station_a, station_b, q1
):
    pilot = _demonstration_pilot(world, station_a)
    Station.objects.filter(pk=station_b.pk).update(pilot=pilot)
    version = ChecklistVersion.objects.create(
        station=station_a, region=world.regions[HUAYANG], number=1, state=VersionState.PUBLISHED
    )
    ChecklistItem.objects.create(version=version, kind=ListKind.FACILITIES, name="轮椅")
    (row,) = figures.demonstration_projects(q1)
    assert row.facilities is None  # station b has no published lists: not a partial count
    other = ChecklistVersion.objects.create(
        station=station_b, region=world.regions[XIANXIA], number=1, state=VersionState.PUBLISHED
    )
    ChecklistItem.objects.create(version=other, kind=ListKind.FACILITIES, name="呼叫器")
    (row,) = figures.demonstration_projects(q1)
    assert row.facilities == 2
