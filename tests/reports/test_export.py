"""The export engine: declared columns, official headings, formats, frozen header, auto-filter,
sheet rollover, Chinese file name."""

import datetime as dt
import io
from decimal import Decimal
from urllib.parse import quote

from django.utils import timezone
from openpyxl import load_workbook

from reports.spreadsheets import Column, SheetSpec, export_response, write_workbook

COLUMNS = [
    Column("序号", "n", width=6),
    Column("单位名称", "name", width=30),
    Column("场地面积（m²）", "area", number_format="0.00", group="服务情况"),
    Column("专职人员数（人）", "staff", group="服务情况"),
    Column("从业时间", "since", number_format="yyyy-mm-dd"),
    Column("是否示范", lambda row: row["demo"]),
]


def rows(count):
    for n in range(1, count + 1):
        yield {
            "n": n,
            "name": f"物业{n}",
            "area": Decimal("12.5") * n,
            "staff": n % 7,
            "since": dt.date(2020, 1, 1),
            "demo": n % 2 == 0,
        }


def read(buffer):
    buffer.seek(0)
    return load_workbook(buffer)


def test_official_table_layout():
    buffer = io.BytesIO()
    spec = SheetSpec(
        "示范项目",
        COLUMNS,
        title_rows=["物业服务+养老服务示范项目统计表"],
        footer_rows=[["填报单位：", None, "填报时间：", None, "审核人：", "填报人："]],
    )
    assert write_workbook(buffer, [(spec, rows(3))]) == 3
    ws = read(buffer)["示范项目"]
    assert ws["A1"].value == "物业服务+养老服务示范项目统计表"
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A1:F1", "C2:D2", "A2:A3", "B2:B3"} <= merged
    assert [ws.cell(2, c).value for c in range(1, 7)] == [
        "序号",
        "单位名称",
        "服务情况",
        None,
        "从业时间",
        "是否示范",
    ]
    assert [ws.cell(3, c).value for c in (3, 4)] == ["场地面积（m²）", "专职人员数（人）"]
    assert ws.freeze_panes == "A4"
    assert ws.auto_filter.ref == "A3:F6"
    assert ws["C4"].value == 12.5 and ws["C4"].number_format == "0.00"
    assert ws["E4"].number_format == "yyyy-mm-dd"
    assert ws["F5"].value == "是" and ws["F4"].value == "否"
    assert ws["A7"].value == "填报单位："


def test_rows_past_the_sheet_limit_continue_on_a_new_sheet():
    buffer = io.BytesIO()
    spec = SheetSpec("名单", COLUMNS[:2])
    assert write_workbook(buffer, [(spec, rows(25))], max_rows=11) == 25
    wb = read(buffer)
    assert wb.sheetnames == ["名单", "名单（2）", "名单（3）"]
    assert [wb[name].max_row for name in wb.sheetnames] == [11, 11, 6]
    assert wb["名单（2）"]["A1"].value == "序号" and wb["名单（2）"]["A2"].value == 11


def test_aware_datetimes_are_written_in_local_time():
    buffer = io.BytesIO()
    moment = dt.datetime(2025, 4, 20, 1, 30, tzinfo=dt.UTC)
    write_workbook(buffer, [(SheetSpec("s", [Column("时间", "t")]), [{"t": moment}])])
    assert read(buffer)["s"]["A2"].value == timezone.localtime(moment).replace(tzinfo=None)


def test_download_has_chinese_file_name():
    response = export_response("申报汇总表", [(SheetSpec("s", COLUMNS[:2]), rows(2))])
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=utf-8''{quote('申报汇总表.xlsx')}" in disposition
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    body = b"".join(response.streaming_content)
    ws = load_workbook(io.BytesIO(body))["s"]
    assert ws["B3"].value == "物业2"
