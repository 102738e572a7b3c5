"""The dashboard's charts and their downloads show the same figures as the workbooks: the
district overview (区级统计总表) for stations, services, training and care rooms, the evaluations'
scorecard and findings lists for the two evaluation charts. Each side is read from the file a
person downloads, so a chart that drifted from its workbook fails here."""

import datetime as dt
import io
from collections import Counter

import pytest
from django.test import Client
from openpyxl import load_workbook

from facilities.models import CareRoom, Compound, GuidanceTarget, OperatingState
from reports.evaluation.services import run_evaluation
from reports.models import Scorecard
from staff.models import TrainingRecord, TrainingSession, TrainingTarget
from tests.factories import PASSWORD, make_staff
from tests.reports.evaluation_data import make_resident, make_station, publicity, scheme_for
from tests.reports.test_statistics_figures import at, record

pytestmark = pytest.mark.django_db
HUAYANG, XIANXIA = "310105001", "310105008"
QUERY = "region=310105&from=2026-08&to=2026-10"


def _client(user):
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _book(response):
    assert response.status_code == 200, response.status_code
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def _table(sheet, header_row):
    """(header, body rows as dicts, footer rows) of a sheet whose header is on ``header_row``
    (1-based) and whose body ends at its 合计 row."""
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[header_row - 1]
    body, footer = [], []
    for row in rows[header_row:]:
        if footer or row[0] == "合计":
            footer.append(row)
        elif any(value is not None for value in row):
            body.append(dict(zip(header, row, strict=False)))
    return header, body, footer


@pytest.fixture
def region_with_figures(world):
    """Two streets of 长宁 with stations in three states, services in two months, training
    against a target, care rooms against a guidance target and two monthly evaluations."""
    regions = world.regions
    quiet = make_station(world.company_a, regions[HUAYANG], "华阳甲站")
    busy = make_station(world.company_b, regions[XIANXIA], "仙霞乙站")
    make_station(world.company_a, regions[HUAYANG], "华阳规划站", status="planned")
    make_station(world.company_b, regions[XIANXIA], "仙霞停运站", status="suspended")
    resident = make_resident(quiet)
    record(quiet, resident, at(2026, 8, 3))
    record(quiet, resident, at(2026, 9, 4), category="cleaning")
    record(busy, resident, at(2026, 9, 5))
    record(busy, resident, at(2026, 10, 6))
    record(busy, resident, at(2026, 7, 6))  # before the period
    session = TrainingSession.objects.create(
        organiser=world.changning_bureau,
        region=regions["310105"],
        title="岗前培训",
        kind="pre_job",
        starts_on=dt.date(2026, 9, 1),
        ends_on=dt.date(2026, 9, 2),
    )
    for company, name in ((world.company_a, "甲"), (world.company_a, "乙"), (world.company_b, "丙")):
        TrainingRecord.objects.create(session=session, staff=make_staff(company, name), attended=True)
    TrainingTarget.objects.create(region=regions["310105"], year=2026, person_times=120)
    GuidanceTarget.objects.create(
        county=regions["310105"],
        town=regions[HUAYANG],
        built=5,
        handed_over=3,
        not_handed_over=2,
        subtotal=4,
        per_year={"2026": 2, "2027": 2},
    )
    compound = Compound.objects.create(name="华阳小区", region=regions[HUAYANG])
    for location, since in (("1 号楼", dt.date(2026, 9, 1)), ("2 号楼", dt.date(2025, 3, 1))):
        CareRoom.objects.create(
            compound=compound,
            location=location,
            area=80,
            operating_state=OperatingState.OPERATING,
            operating_since=since,
        )
    scheme = scheme_for(world, [("publicity_events", 100, 1, "at_least")])
    publicity(busy, dt.date(2026, 9, 5))
    run_evaluation(scheme, dt.date(2026, 9, 1))
    publicity(quiet, dt.date(2026, 10, 5))
    run_evaluation(scheme, dt.date(2026, 10, 1))
    return world


def _dashboard(client):
    response = client.get(f"/api/v1/statistics/dashboard/?{QUERY}")
    assert response.status_code == 200
    return {chart["key"]: chart for chart in response.json()["charts"]}


def _series(chart):
    return {series["name"]: series["data"] for series in chart["series"]}


def test_the_statistics_charts_are_the_district_workbooks_figures(region_with_figures):
    world = region_with_figures
    client = _client(world.changning_viewer)  # statistics staff of 长宁
    charts = _dashboard(client)
    book = _book(client.get(f"/api/v1/statistics/workbooks/district/?{QUERY}"))

    # stations by status per street: the overview sheet's status columns
    _, overview, _ = _table(book["试点与站点"], 3)
    stations = charts["stations"]
    assert stations["categories"] == [row["街道（镇）"] for row in overview]
    for name, data in _series(stations).items():
        assert data == [row[f"{name}（个，现状）"] for row in overview], name
    assert sum(map(sum, _series(stations).values())) == 4

    # services per month: the services sheet's 合计 column, added over the streets
    _, services, _ = _table(book["服务分类按月"], 3)
    per_month = Counter()
    for row in services:
        per_month[row["月份"]] += row["合计（次）"]
    assert charts["services"]["categories"] == ["2026-08", "2026-09", "2026-10"]
    assert charts["services"]["series"][0]["data"] == [per_month[m] for m in charts["services"]["categories"]]
    assert charts["services"]["series"][0]["data"] == [1, 2, 1]

    # training: person-times per street and the district's target
    _, training, footer = _table(book["培训"], 3)
    done = charts["training"]["series"][0]["data"]
    streets = [row["街道（镇）"] for row in training]
    assert charts["training"]["categories"][: len(streets)] == streets
    assert done[: len(streets)] == [row["培训人次"] for row in training]
    assert done[-1] == footer[0][1] == 3  # the district's total is the 合计 row
    target_row = next(row for row in footer if str(row[0]).startswith("目标人次"))
    assert charts["training"]["target"] == target_row[1] == 120

    # care rooms: the target of the period, started in the period and operating, per street
    _, rooms, _ = _table(book["配建养老用房"], 3)
    care = _series(charts["care_rooms"])
    columns = ("统计期年度指导数（个）", "统计期内投入运营（个）", "已运营（个）")
    for data, column in zip(care.values(), columns, strict=True):
        assert data == [row[column] for row in rooms], column
    huayang = charts["care_rooms"]["categories"].index("华阳路街道")
    assert [data[huayang] for data in care.values()] == [2, 1, 2]


def test_the_evaluation_charts_are_the_scorecard_and_findings_lists(region_with_figures):
    world = region_with_figures
    client = _client(world.changning_officer)
    charts = _dashboard(client)

    # the score bands of the latest month: the scorecards list of that month, banded
    assert "2026-10" in charts["scorecards"]["note"]
    book = _book(client.get("/evaluations/", {"month": "2026-10", "export": "xlsx"}))
    banded = {"station": [0] * 5, "pilot": [0] * 5}
    cards = []
    for kind, sheet in zip(("station", "pilot"), book.worksheets, strict=True):  # a sheet per kind
        _, rows, _ = _table(sheet, 2)
        for card in (row for row in rows if row["月份"] == "2026-10"):
            score = card["得分"]
            band = 0 if score < 60 else 4 if score >= 90 else int(score // 10) - 5
            banded[kind][band] += 1
            cards.append(card)
    assert len(cards) == Scorecard.objects.filter(month=dt.date(2026, 10, 1)).count() > 0
    stations, pilots = (series["data"] for series in charts["scorecards"]["series"])
    assert (stations, pilots) == (banded["station"], banded["pilot"])
    assert sum(stations) + sum(pilots) == len(cards)

    # findings opened and closed per month and open at each month's end: the findings list
    _, findings, _ = _table(_book(client.get("/evaluations/findings/", {"export": "xlsx"})).active, 2)
    months = charts["findings"]["categories"]
    opened, closed, still_open = _series(charts["findings"]).values()
    assert opened == [sum(1 for f in findings if f["发现于"] == month) for month in months]
    assert closed == [sum(1 for f in findings if f["达标于"] == month) for month in months]
    assert still_open[-1] == sum(1 for f in findings if f["状态"] == "未销号")
    assert opened[1] > 0 and closed == [0, 0, 1]  # the quiet station's finding closes in October


@pytest.mark.parametrize("key", ["stations", "services", "training", "care_rooms", "scorecards", "findings"])
def test_each_charts_download_is_the_charts_figures(region_with_figures, key):
    client = _client(region_with_figures.changning_officer)
    chart = _dashboard(client)[key]
    sheet = _book(client.get(f"/api/v1/statistics/charts/export/?chart={key}&{QUERY}")).active
    header, body, footer = _table(sheet, 3)
    assert list(header[1:]) == [series["name"] for series in chart["series"]]
    categories = chart["categories"][:-1] if key == "training" else chart["categories"]
    assert [row[header[0]] for row in body] == categories
    for series in chart["series"]:
        data = series["data"][: len(categories)]
        assert [row[series["name"]] for row in body] == data, series["name"]
