"""The statistics workbooks: 002 附件2 cell for cell against the notice, the district overview's
totals, headers kept when there are no rows, and the number of queries a build takes."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from openpyxl import load_workbook

from reports import figures
from reports.spreadsheets.writer import write_workbook
from reports.workbooks import annex2, district
from stations import services as station_services
from stations.models import ServiceCategory, Station, StationStatus
from tests.factories import OrganizationFactory, make_staff
from tests.reports.test_statistics_figures import _demonstration_pilot, at, record

QUERY = {"region": "310105", "from": "2026-01", "to": "2026-03"}


def workbook(sheets):
    buffer = io.BytesIO()
    write_workbook(buffer, sheets)
    buffer.seek(0)
    return load_workbook(buffer)


def values(sheet):
    return [list(row) for row in sheet.iter_rows(values_only=True)]


# 002 附件2 as the notice prints it (/work/shared/seeds/002, from "附件 2" to the end), the place
# and the date filled in: the brackets are the notice's own (ASCII), m² its superscript.
NOTICE_HEADER = [
    "项目名",
    "服务企业名称",
    "场地面积(m²)",
    "专职人员数(人)",
    "设施配置情况(件)",
    "从业时间",
    "现服务数量(人)",
]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_annex2_has_the_notices_layout_cell_for_cell(world, station_a, resident, language):
    _demonstration_pilot(world, station_a)
    Station.objects.filter(pk=station_a.pk).update(area=Decimal("150"))
    world.company_a.elderly_care_since = dt.date(2019, 6, 1)
    world.company_a.save()
    OrganizationFactory(kind="housing", name="长宁区房屋管理局", region=world.regions["310105"])
    make_staff(world.company_a, "专职", kind="full_time").stations.set([station_a])
    record(station_a, resident, at(2026, 2, 5))
    with translation.override(language):  # asked from an English page: still the Chinese table
        sheet = workbook(annex2.build(world.changning_viewer, QUERY)).worksheets[0]
    today = timezone.localdate()
    rows = values(sheet)
    assert rows == [
        ["长宁区示范项目基本情况统计表", *[None] * 8],
        ["填报单位：长宁区民政局", *[None] * 8],
        [f"填报时间：{today.year} 年 {today.month} 月 {today.day} 日", *[None] * 8],
        ["序号", "单位名称", "企业基本情况", *[None] * 6],
        [None, None, *NOTICE_HEADER],
        [
            1,
            "长宁区房屋管理局",  # the reporting housing bureau, the notice's ××市住建局
            "华阳路街道“物业服务+养老服务”试点",
            "甲物业",
            150,
            1,
            None,  # no published facility list: for the person to fill
            "2019年6月",
            1,
        ],
        ["审核人：", *[None] * 8],
        ["填报人：", *[None] * 8],
    ]
    assert sheet.title == "示范项目基本情况统计表"
    assert {str(r) for r in sheet.merged_cells.ranges} == {
        "A1:I1",
        "A2:I2",
        "A3:I3",
        "A4:A5",
        "B4:B5",
        "C4:I4",
    }
    assert sheet.freeze_panes == "A6"
    # a form, not a list: no filter buttons on the header; the table ruled, the foot not
    assert sheet.auto_filter.ref is None
    assert all(sheet.cell(6, column).border.left.style == "thin" for column in range(1, 10))
    assert sheet["G6"].border.left.style == "thin"  # the empty cell too
    assert sheet["A7"].border.left.style is None
    assert sheet["A1"].font.b and sheet["A1"].alignment.horizontal == "center"
    assert sheet["A2"].alignment.horizontal == "left" and not sheet["A2"].font.b
    definitions = dict(
        r[:2] for r in values(workbook(annex2.build(world.changning_viewer, QUERY)).worksheets[-1])[2:]
    )
    assert set(NOTICE_HEADER) <= set(definitions)  # every figure says how it is computed
    assert definitions["统计期"].startswith("2026-01 – 2026-03")
    assert "每人只计入一行" in definitions["专职人员数(人)"]
    assert "每个站点都已公示清单" in definitions["设施配置情况(件)"]


def test_an_annex2_without_projects_keeps_its_header(world):
    book = workbook(annex2.build(world.nanan_officer, {"from": "2026-01", "to": "2026-03"}))
    rows = values(book.worksheets[0])
    assert rows[0][0] == "南安市示范项目基本情况统计表"
    assert rows[3][:3] == ["序号", "单位名称", "企业基本情况"]
    assert rows[4][2:] == NOTICE_HEADER
    assert rows[5][0] == "审核人：" and rows[6][0] == "填报人：" and len(rows) == 7
    assert book.worksheets[-1].title == "指标说明"


@pytest.fixture
def busy_district(world, station_a, station_b, resident):
    """Records, events, expenditures and surveys in two streets of 长宁."""
    Station.objects.filter(pk=station_a.pk).update(status="operating")
    for day, category, fee in ((5, "meals", "12"), (6, "cleaning", "45"), (7, "care_visit", "0")):
        record(station_a, resident, at(2026, 1, day), category, fee=fee)
    record(station_a, resident, at(2026, 2, 8), "emergency", emergency=True, response=12)
    record(station_a, resident, at(2026, 3, 8), "emergency", emergency=True, response=30)
    station_services.record_publicity(
        by=world.company_a_admin, station=station_a, held_on=dt.date(2026, 1, 9), form="talk", topic="讲座"
    )
    station_services.record_publicity(
        by=world.company_b_admin, station=station_b, held_on=dt.date(2026, 2, 9), form="board", topic="展板"
    )
    station_services.record_expenditure(
        by=world.company_a_admin, station=station_a, month=dt.date(2026, 1, 1), amount=Decimal("40")
    )
    station_services.record_expenditure(
        by=world.company_b_admin, station=station_b, month=dt.date(2026, 2, 1), amount=Decimal("15")
    )
    return world


NOT_SUMMED = ("平均", "最长", "服务老年人")  # averages, maxima and distinct people are recomputed


def test_every_district_total_adds_up_its_rows(busy_district):
    book = workbook(district.build(busy_district.changning_viewer, QUERY))
    assert book.sheetnames[-1] == "指标说明"
    checked = 0
    for sheet in book.worksheets[:-1]:
        rows = values(sheet)
        header = rows[2]
        assert sheet.freeze_panes == "A4"
        assert rows[1][0].startswith("填报单位：长宁区民政局")
        total_index = next(i for i, row in enumerate(rows) if row[0] == "合计")
        data = rows[3:total_index]
        total = rows[total_index]
        for column, label in enumerate(header):
            if column == 0 or total[column] is None or any(word in label for word in NOT_SUMMED):
                continue
            if not isinstance(total[column], int | float):
                continue
            assert total[column] == pytest.approx(sum(row[column] or 0 for row in data)), (sheet.title, label)
            checked += 1
    assert checked > 35


def test_district_figures_land_in_their_sheets(busy_district):
    book = workbook(district.build(busy_district.changning_viewer, QUERY))
    overview = values(book["试点与站点"])
    huayang = next(row for row in overview if row[0] == "华阳路街道")
    header = overview[2]
    assert huayang[header.index("站点合计（个，现状）")] == 1
    operating = str(StationStatus.OPERATING.label)
    assert huayang[header.index(f"{operating}（个，现状）")] == 1
    assert huayang[header.index("服务老年人（人）")] == 1
    total = next(row for row in overview if row[0] == "合计")
    assert overview.index(total) == 3 + 10  # title, unit, header; the 10 streets of 长宁
    # only station a operates: a planned station does not cover its street
    assert total[header.index("已覆盖街镇（个）")] == 1
    assert overview[-1][0] == "覆盖：1/10 个街镇（000 目标：全区 10 个街镇全覆盖）"
    assert any(str(row[0]).startswith("站点数为现状（截至填报日") for row in overview)

    emergencies = values(book["紧急响应"])
    assert emergencies[-1][1:] == [2, 2, 42, 21, 30]

    accounts = values(book["站点收支"])
    header = accounts[2]
    rows = {row[1]: row for row in accounts[3:-1]}
    a = rows["华阳路为老服务站"]
    assert a[header.index("养老服务收入（元）")] == 57
    assert a[header.index("养老服务支出（元）")] == 40
    # January's expenditure only of three months: the months are shown, the balance is not
    assert a[header.index("已填报支出的月份（个）")] == "1/3"
    assert a[header.index("收支差额（元）")] is None
    b = rows["仙霞新村服务站"]
    assert b[header.index("养老服务收入（元）")] == 0 and b[header.index("收支差额（元）")] is None
    assert b[header.index("已填报支出的月份（个）")] == "1/3"
    quiet = Station.objects.create(
        operator=busy_district.company_a,
        region=busy_district.regions["310105001"],
        name="无记录站",
        address="路",
    )
    accounts = values(workbook(district.build(busy_district.changning_viewer, QUERY))["站点收支"])
    row = next(r for r in accounts if r[1] == quiet.name)
    assert row[header.index("已填报支出的月份（个）")] == "0/3"  # no records, no entries: of 3 months

    publicity = values(book["宣传活动"])
    header = publicity[2]
    row = next(r for r in publicity if r[1] == "华阳路为老服务站")
    assert row[header.index("2026-01（次）")] == 1
    # the station has no opening date but operates: its months count from its creation month
    # (this test's creation month is after March 2026 or not, so compare with the rule itself)
    station = Station.objects.get(name="华阳路为老服务站")
    open_months = [
        m
        for m in (dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 1))
        if figures.month_finished(m) and figures.operating_in(station, m)
    ]
    assert row[header.index("已过运营月份（个）")] == len(open_months)
    assert row[header.index("无活动的月份（个）")] == len([m for m in open_months if m.month != 1])
    planned = next(r for r in publicity if r[1] == "仙霞新村服务站")
    assert planned[header.index("无活动的月份（个）")] == 0  # a planned station is not open

    services = values(book["服务分类按月"])
    # every street and every month of the period, with 0 where nothing was recorded
    assert len([r for r in services[3:] if r[0] not in ("合计",)]) == 10 * 3
    quiet = next(r for r in services if r[0] != "华阳路街道" and r[1] == "2026-01")
    assert quiet[-1] == 0


def test_the_balance_total_is_income_less_expenditure_of_the_same_stations(
    busy_district, station_a, station_b
):
    world = busy_district
    for station, by in ((station_a, world.company_a_admin), (station_b, world.company_b_admin)):
        for month in (1, 2, 3):
            station_services.record_expenditure(
                by=by, station=station, month=dt.date(2026, month, 1), amount=Decimal("10")
            )
    accounts = values(workbook(district.build(world.changning_viewer, QUERY))["站点收支"])
    header = accounts[2]
    total = next(row for row in accounts if row[0] == "合计")
    income, spent = header.index("养老服务收入（元）"), header.index("养老服务支出（元）")
    balance = header.index("收支差额（元）")
    assert total[balance] == total[income] - total[spent] == 57 - 60


def test_the_served_total_counts_a_person_served_in_two_streets_once(busy_district, station_b, resident):
    record(station_b, resident, at(2026, 1, 20))
    overview = values(workbook(district.build(busy_district.changning_viewer, QUERY))["试点与站点"])
    header = overview[2]
    column = header.index("服务老年人（人）")
    streets = [row[column] for row in overview[3:13]]
    total = next(row for row in overview if row[0] == "合计")
    assert sum(streets) == 2 and total[column] == 1


def test_changnings_coverage_goal_is_not_printed_for_other_regions(world):
    overview = values(workbook(district.build(world.nanan_officer, {"region": "350583"}))["试点与站点"])
    assert not any("000" in str(row[0]) for row in overview)
    definitions = values(workbook(district.build(world.nanan_officer, {"region": "350583"})).worksheets[-1])
    assert not any("000" in str(row[1]) or "长宁" in str(row[1]) for row in definitions)
    changning = workbook(district.build(world.changning_viewer, {"region": "310105"})).worksheets[-1]
    assert any("000 的目标为全区 10 个街镇全覆盖" in str(row[1]) for row in values(changning))


def test_a_district_workbook_without_rows_keeps_every_header(world):
    book = workbook(
        district.build(world.nanan_officer, {"region": "350583001", "from": "2026-01", "to": "2026-01"})
    )
    for sheet in book.worksheets[:-1]:
        rows = values(sheet)
        assert rows[2][0] == "街道（镇）", sheet.title
    publicity = values(book["宣传活动"])
    assert publicity[2][:2] == ["街道（镇）", "站点"] and publicity[3][0] == "合计"


def _queries(build, user, query):
    with CaptureQueriesContext(connection) as captured:
        build(user, query)
    return len(captured.captured_queries)


@pytest.mark.parametrize("builder", [annex2.build, district.build], ids=["annex2", "district"])
def test_a_workbook_takes_the_same_queries_whatever_the_number_of_stations(busy_district, station_a, builder):
    world = busy_district
    pilot = _demonstration_pilot(world, station_a)
    user = world.changning_viewer
    builder(user, QUERY)  # the user's scope is read once, then kept
    before = _queries(builder, user, QUERY)
    for n in range(3):
        extra = Station.objects.create(
            operator=world.company_a,
            pilot=pilot,
            region=world.regions["310105001"],
            name=f"新站{n}",
            address="路",
        )
        record(extra, station_a.residents.first(), at(2026, 1, 10 + n))
    user = type(user).objects.get(pk=user.pk)  # a fresh user: the scope is read again
    assert _queries(builder, user, QUERY) == before


def test_statuses_and_categories_carry_the_models_labels(world):
    with translation.override("zh-hans"):
        book = workbook(district.build(world.changning_viewer, QUERY))
        statuses = [f"{label}（个，现状）" for label in StationStatus.labels]
        categories = [f"{label}（次）" for label in ServiceCategory.labels]
    overview_header = values(book["试点与站点"])[2]
    services_header = values(book["服务分类按月"])[2]
    assert all(header in overview_header for header in statuses)
    assert all(header in services_header for header in categories)
    assert "筹建（个）" not in overview_header


def test_a_district_workbook_asked_in_english_is_the_chinese_table(world):
    with translation.override("en"):
        book = workbook(district.build(world.changning_viewer, QUERY))
    with translation.override("zh-hans"):
        statuses = [f"{label}（个，现状）" for label in StationStatus.labels]
        categories = [f"{label}（次）" for label in ServiceCategory.labels]
    assert values(book["试点与站点"])[2][3 : 3 + len(statuses)] == statuses
    assert values(book["服务分类按月"])[2][2 : 2 + len(categories)] == categories
    assert "Operating" not in str(values(book["指标说明"]))
