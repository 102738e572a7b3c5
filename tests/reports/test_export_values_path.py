"""List exports of querysets fetch their rows with values_list when every column says what to
fetch: the same cells as reading model instances, a fixed number of queries, choice labels and
local time converted once per column, and the instance path kept where a column needs one."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from reports.exporting import ExportDefinition
from reports.spreadsheets.writer import Column, ConvertedRows, choice_label, write_workbook
from stations.exports import SERVICE_RECORDS
from stations.models import PriceUnit, ServiceCategory, ServiceRecord

pytestmark = pytest.mark.django_db

CATEGORY = choice_label(ServiceCategory)
UNIT = choice_label(PriceUnit)

# The same export written the old way: every cell read from a model instance by a callable.
BY_INSTANCE = ExportDefinition(
    filename="服务记录（实例）",
    sheet_name="服务记录",
    key="test-records-by-instance",
    select_related=("station", "resident", "staff"),
    columns=[
        Column("记录编号", lambda r: r.pk),
        Column("站点", lambda r: r.station.name),
        Column("老年人", lambda r: r.resident.name),
        Column("服务项目", lambda r: CATEGORY(r.category)),
        Column("开始时间", lambda r: timezone.localtime(r.started_at), number_format="yyyy-mm-dd hh:mm"),
        Column("时长（分钟）", lambda r: r.duration_minutes),
        Column("单价（元）", lambda r: r.unit_price, number_format="0.00"),
        Column("计价单位", lambda r: UNIT(r.fee_unit) if r.fee_unit else ""),
        Column("数量", lambda r: r.quantity, number_format="0.##"),
        Column("收费（元）", lambda r: r.fee, number_format="0.00"),
        Column("服务人员", lambda r: r.staff.name if r.staff_id else None),
        Column("紧急", lambda r: r.is_emergency),
        Column("响应（分钟）", lambda r: r.response_minutes),
        Column("评价", lambda r: r.rating),
        Column("备注", lambda r: r.notes),
    ],
)


@pytest.fixture
def records(world, station_a, resident, staff_a):
    start = timezone.make_aware(dt.datetime(2026, 11, 30, 23, 30), dt.UTC)  # 07:30 on 1 Dec in Shanghai
    made = []
    for n, category in enumerate(["meals", "cleaning", "meals"]):
        made.append(
            ServiceRecord.objects.create(
                resident=resident,
                station=station_a,
                category=category,
                staff=staff_a if n != 1 else None,
                started_at=start + dt.timedelta(hours=n),
                ended_at=start + dt.timedelta(hours=n, minutes=45),
                duration_minutes=45,
                unit_price=Decimal("12.50"),
                fee_unit="meal" if category == "meals" else "",
                quantity=Decimal("2"),
                fee=Decimal("25.00"),
                is_emergency=n == 2,
                response_minutes=9 if n == 2 else None,
                rating=5 if n == 0 else None,
                notes='=HYPERLINK("x")' if n == 0 else "午餐\r\n少盐",
            )
        )
    return made


def cells(definition, queryset):
    buffer = io.BytesIO()
    write_workbook(buffer, definition.sheets(queryset))
    sheet = load_workbook(buffer).worksheets[0]
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_the_values_path_writes_the_same_cells_as_reading_instances(records):
    queryset = ServiceRecord.objects.order_by("started_at")
    assert isinstance(SERVICE_RECORDS.sheets(queryset)[0][1], ConvertedRows)
    assert not isinstance(BY_INSTANCE.sheets(queryset)[0][1], ConvertedRows)
    fetched = cells(SERVICE_RECORDS, queryset)
    assert fetched == cells(BY_INSTANCE, queryset)
    first, second, third = fetched[1:]
    assert first[3] == str(ServiceCategory("meals").label) and second[3] != "cleaning"  # labels, not codes
    assert first[4] == dt.datetime(2026, 12, 1, 7, 30)  # local time, no zone
    assert first[7] == str(PriceUnit("meal").label) and second[7] is None
    assert second[10] is None and third[11] == "是" and first[11] == "否"
    assert first[14] == '\'=HYPERLINK("x")'  # text, never a formula
    assert second[14] == "午餐\n少盐"


def test_the_values_path_runs_one_query_whatever_the_number_of_rows(records, world, station_a, resident):
    queryset = ServiceRecord.objects.order_by("pk")
    with CaptureQueriesContext(connection) as few:
        cells(SERVICE_RECORDS, queryset)
    for n in range(20):
        ServiceRecord.objects.create(
            resident=resident,
            station=station_a,
            category="meals",
            started_at=timezone.now(),
            ended_at=timezone.now(),
            duration_minutes=0,
            notes=str(n),
        )
    with CaptureQueriesContext(connection) as many:
        assert len(cells(SERVICE_RECORDS, queryset)) == 1 + 23
    assert len(few.captured_queries) == len(many.captured_queries) == 1


def test_a_column_that_only_an_instance_has_keeps_the_instance_path(records):
    needs_instance = ExportDefinition(
        filename="x",
        sheet_name="x",
        key="test-records-property",
        columns=[Column("站点", "station.name"), Column("站点本身", "station")],
    )
    rows = needs_instance.sheets(ServiceRecord.objects.all())[0][1]
    assert not isinstance(rows, ConvertedRows)
    assert cells(needs_instance, ServiceRecord.objects.order_by("pk"))[1][1] == str(records[0].station)


def test_a_distinct_queryset_is_not_fetched_by_values(records):
    # DISTINCT over just the exported columns would merge two records that print the same.
    queryset = ServiceRecord.objects.distinct().order_by("pk")
    assert not isinstance(SERVICE_RECORDS.sheets(queryset)[0][1], ConvertedRows)
    assert len(cells(SERVICE_RECORDS, queryset)) == 1 + len(records)


def test_a_column_with_an_expression_and_its_own_converter(records):
    definition = ExportDefinition(
        filename="y",
        sheet_name="y",
        key="test-records-expression",
        columns=[
            Column("编号", "pk"),
            Column("收费×2", lambda r: None, source=F("fee") * 2, convert=lambda v: f"{v:.2f} 元"),
        ],
    )
    fetched = cells(definition, ServiceRecord.objects.order_by("pk"))
    assert [row[1] for row in fetched[1:]] == ["50.00 元"] * 3
