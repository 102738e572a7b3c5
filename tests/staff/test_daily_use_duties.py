"""The monthly duties (“三员”履职月报) in daily use: the missing-publicity flag only for stations
that were operating that month; 专职人员数 per station and, in the total, each person once; a
fixed number of queries whatever the number of people and stations."""

import datetime as dt
import io

import lxml.html
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from reports import jobs, views
from reports.duties import monthly_duties
from reports.models import ExportJob
from staff.models import StaffMember
from stations.models import Station
from tests.factories import PASSWORD, make_staff

LAST_MONTH = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def _client(username):
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def _station(world, name, **fields):
    defaults = {"operator": world.company_a, "region": world.regions["310105001"], "address": "华阳路 1 号"}
    return Station.objects.create(name=name, **{**defaults, **fields})


@pytest.fixture
def stations(world, station_a):
    """Four stations of 甲物业 and their state last month."""
    Station.objects.filter(pk=station_a.pk).update(status="operating", opened_on=dt.date(2025, 1, 1))
    return {
        "operating": Station.objects.get(pk=station_a.pk),
        "planned": _station(world, "规划中的站", status="planned"),
        "opens_this_month": _station(
            world, "本月开业的站", status="operating", opened_on=timezone.localdate().replace(day=1)
        ),
        "suspended_before": _station(
            world,
            "上上月起暂停的站",
            status="suspended",
            opened_on=dt.date(2025, 1, 1),
            status_changed_on=LAST_MONTH - dt.timedelta(days=20),
        ),
    }


def _rows(world, stations, month=LAST_MONTH):
    listed = list(Station.objects.filter(pk__in=[s.pk for s in stations.values()]).select_related("operator"))
    people, rows = monthly_duties(StaffMember.objects.filter(employer=world.company_a), listed, month)
    return people, {row.name: row for row in rows}, rows.total


def test_only_stations_operating_that_month_are_asked_for_publicity(world, stations):
    _, rows, _ = _rows(world, stations)
    assert rows["华阳路为老服务站"].operating and rows["华阳路为老服务站"].publicity_missing
    for name in ("规划中的站", "本月开业的站", "上上月起暂停的站"):
        assert rows[name].operating is False and not rows[name].publicity_missing, name
    # this month the station that opened is operating, and is asked
    _, rows, _ = _rows(world, stations, timezone.localdate().replace(day=1))
    assert rows["本月开业的站"].publicity_missing

    page = _client("a_admin").get("/staff/duties/", {"month": LAST_MONTH.strftime("%Y-%m")})
    document = lxml.html.fromstring(page.content.decode())
    flagged = [
        row.xpath("./td")[0].text.strip()
        for row in document.xpath('//table[@id="per-station"]/tbody/tr')
        if row.xpath('.//span[@class="warning"]')
    ]
    assert flagged == ["华阳路为老服务站"]
    planned = document.xpath('//table[@id="per-station"]/tbody/tr[contains(., "规划中的站")]')[0]
    assert "本月未运营" in planned.text_content() and planned.get("class") == "muted"

    exported = _client("a_admin").get(
        "/staff/duties/", {"month": LAST_MONTH.strftime("%Y-%m"), "export": "xlsx"}
    )
    body = b"".join(exported.streaming_content) if exported.streaming else exported.content
    sheet = load_workbook(io.BytesIO(body))["按站点"]
    remarks = {row[0]: row[-1] for row in sheet.iter_rows(values_only=True) if row[0]}
    assert remarks["华阳路为老服务站"] == "本月没有宣传活动（每月至少 1 次）"
    assert remarks["规划中的站"] == "本月未运营"


def test_a_person_at_every_station_counts_at_each_but_once_in_the_total(world, stations):
    operating, opening = stations["operating"], stations["opens_this_month"]
    StaffMember.objects.filter(employer=world.company_a).update(kind="part_time")  # only the people below
    everywhere = make_staff(world.company_a, "全站专职", kind="full_time")  # listed at no station: all
    both = make_staff(world.company_a, "两站专职", kind="full_time")
    both.stations.set([operating, opening])
    one = make_staff(world.company_a, "一站专职", kind="full_time")
    one.stations.set([operating])
    make_staff(world.company_a, "暂停的专职", kind="full_time", status="suspended")
    make_staff(world.company_b, "乙的专职", kind="full_time")  # another operator
    _, rows, total = _rows(world, stations)
    assert rows["华阳路为老服务站"].full_time_staff == 3  # everywhere, both, one
    assert rows["本月开业的站"].full_time_staff == 2  # everywhere, both
    assert rows["规划中的站"].full_time_staff == 1  # everywhere
    assert sum(row.full_time_staff for row in rows.values()) == 7  # what a column sum would say
    assert total.full_time_staff == 3
    assert everywhere.pk and both.pk and one.pk

    page = _client("a_admin").get("/staff/duties/", {"month": LAST_MONTH.strftime("%Y-%m")}).content.decode()
    document = lxml.html.fromstring(page)
    total = document.get_element_by_id("stations-total").xpath("./td")
    assert total[1].text_content() == "3"
    assert "合计中每人只计一次" in document.get_element_by_id("full-time-note").text_content()


def _queries(function):
    with CaptureQueriesContext(connection) as queries:
        function()
    return len(queries.captured_queries)


def test_the_number_of_queries_does_not_grow_with_people_or_stations(world, stations, staff_a):
    def run():
        listed = Station.objects.filter(operator=world.company_a)
        return monthly_duties(StaffMember.objects.all(), listed, LAST_MONTH)

    small = _queries(run)
    for n in range(30):
        station = _station(world, f"加站{n}", status="operating", opened_on=dt.date(2025, 1, 1))
        member = make_staff(world.company_a, f"加人{n}", roles=["service", "publicity"], kind="full_time")
        member.stations.set([station])
        make_staff(world.company_b, f"乙加人{n}", roles=["information"])
    people, rows = run()
    assert len(rows) >= 34 and len(people) >= 60
    assert _queries(run) == small <= 13

    client = _client("cn_officer")
    month = {"month": LAST_MONTH.strftime("%Y-%m")}
    page_queries = _queries(lambda: client.get("/staff/duties/", month))
    for n in range(20):
        make_staff(world.company_b, f"再加{n}")
        _station(
            world, f"再加站{n}", operator=world.company_b, status="operating", opened_on=dt.date(2025, 1, 1)
        )
    assert _queries(lambda: client.get("/staff/duties/", month)) == page_queries


def test_the_page_shows_the_first_people_and_says_the_export_has_everyone(world, stations, monkeypatch):
    monkeypatch.setattr(views, "DUTIES_PAGE_PEOPLE", 3)
    for n in range(5):
        make_staff(world.company_a, f"人员{n}")
    client = _client("a_admin")
    document = lxml.html.fromstring(client.get("/staff/duties/").content.decode())
    assert len(document.xpath('//table[@id="per-person"]/tbody/tr')) == 3
    total = StaffMember.objects.filter(employer=world.company_a, status="active").count()
    assert f"共 {total} 人" in document.get_element_by_id("people-shown").text_content()
    exported = client.get("/staff/duties/", {"export": "xlsx"})
    body = b"".join(exported.streaming_content) if exported.streaming else exported.content
    sheet = load_workbook(io.BytesIO(body))["按人员"]
    assert sum(1 for row in sheet.iter_rows(min_row=3, values_only=True) if row[0]) == total


def test_a_long_duties_export_is_written_in_the_background_with_everyone(world, stations, settings):
    settings.EXPORT_ASYNC_THRESHOLD = 2
    for n in range(4):
        make_staff(world.company_a, f"后台{n}")
    client = _client("a_admin")
    month = LAST_MONTH.strftime("%Y-%m")
    response = client.get("/staff/duties/", {"month": month, "export": "xlsx"})
    assert response.status_code == 302 and "#job-" in response["Location"]
    job = ExportJob.objects.get(user=world.company_a_admin)
    assert (job.key, job.params, job.filename) == ("duties", {"month": month}, f"三员履职-{month}")
    assert dict(job.filter_items) == {"月份": month}  # as the person reads it on 我的导出
    assert jobs.run_export_job(job.pk) == "done"
    job.refresh_from_db()
    book = load_workbook(job.file.path)
    names = {row[0] for row in book["按人员"].iter_rows(min_row=3, values_only=True) if row[0]}
    active = StaffMember.objects.filter(employer=world.company_a, status="active")
    assert len(names) > 2 and names == set(active.values_list("name", flat=True))
    assert any(row[0] == "合计" for row in book["按站点"].iter_rows(values_only=True))
