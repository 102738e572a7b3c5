"""The monthly duties report: what each person in the three roles and each station did."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from reports.duties import monthly_duties
from staff import services as staff_services
from staff.models import StaffMember
from stations import services as station_services
from stations.models import Station
from tests.factories import PASSWORD, make_staff


def _client(username):
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def test_duties_summary_counts_what_each_role_did_in_the_month(world, station_a, resident, staff_a):
    publicist = make_staff(world.company_a, "宣传员小周", roles=["publicity"], kind="full_time")
    informer = make_staff(world.company_a, "信息员小吴", roles=["information"], user=world.company_a_admin)
    today = timezone.localdate()
    station_services.record_publicity(
        by=world.company_a_admin,
        station=station_a,
        held_on=today,
        form="talk",
        topic="讲座",
        officers=[publicist],
    )
    staff_services.save_resource(
        None, by=world.company_a_admin, station=station_a, kind="charity", name="慈善超市"
    )
    for category in ("care_visit", "care_visit", "meals"):
        start = timezone.now() - dt.timedelta(hours=3)
        station_services.log_service(
            by=world.company_a_admin,
            resident=resident,
            station=station_a,
            category=category,
            staff=staff_a,
            started_at=start,
            ended_at=start + dt.timedelta(minutes=20),
        )
    people, stations = monthly_duties(
        StaffMember.objects.filter(employer=world.company_a), [station_a], today.strftime("%Y-%m")
    )
    rows = {row.name: row for row in people}
    assert rows["宣传员小周"].publicity_events == 1
    assert rows["信息员小吴"].resource_updates == 1
    server = rows[staff_a.name]
    assert (server.services, server.care_visits) == (1, 2)
    assert (stations[0].publicity_events, stations[0].services, stations[0].care_visits) == (1, 1, 2)
    assert (
        stations[0].full_time_staff
        == StaffMember.objects.filter(employer=world.company_a, kind="full_time").count()
    )
    assert rows["信息员小吴"].key == informer.pk
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    # the station was operating last month: an event was due (a station not yet open is not asked)
    Station.objects.filter(pk=station_a.pk).update(status="operating", opened_on=dt.date(2025, 1, 1))
    page = _client("a_admin").get("/staff/duties/", {"month": last_month}).content.decode()
    assert "本月没有（每月至少 1 次）" in page


@pytest.mark.parametrize("month", ["2025-13", "abc"])
def test_a_bad_month_is_explained_not_a_crash(world, month):
    page = _client("a_admin").get("/staff/duties/", {"month": month}, follow=True)
    assert page.status_code == 200 and "YYYY-MM" in page.content.decode()
