"""The import engine: header matching, parsing, errors naming sheet/row/column in Chinese, and
all-or-nothing; bad workbooks refused before they are opened."""

import datetime as dt
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook

from accounts.models import Organization
from regions.imports import import_division_file
from regions.models import Region
from reports.spreadsheets import Field, ImportFailed, SpreadsheetImport, run_import

pytestmark = pytest.mark.django_db


def workbook_bytes(rows, title="Sheet1", merges=()):
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    for merge in merges:
        ws.merge_cells(merge)
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return buffer


class OrganizationImport(SpreadsheetImport):
    """A test import that creates organisations through the model's validation."""

    fields = [
        Field("name", "单位名称", aliases=("name",)),
        Field("credit_code", "统一社会信用代码", aliases=("credit code",), required=False),
        Field("region", "区划代码", aliases=("region",)),
        Field("founded", "成立日期", kind="date", required=False),
        Field("staff", "专职人员数（人）", kind="int", required=False),
    ]

    def save_row(self, row):
        region = Region.objects.filter(code=row.values["region"]).first()
        if region is None:
            raise ValidationError({"region": "区划代码不存在"})
        kind = "property_company" if row.values["credit_code"] else "other"
        org = Organization(
            kind=kind, name=row.values["name"], credit_code=row.values["credit_code"] or "", region=region
        )
        org.full_clean()
        org.save()
        return org


def test_bad_rows_are_reported_by_row_and_column_and_nothing_is_written(world):
    before = Organization.objects.count()
    fp = workbook_bytes(
        [
            ["单位名称", "统一社会信用代码", "区划代码", "成立日期"],
            ["好物业", "", "310105001", "2020-01-01"],
            ["坏代码物业", "91310105MA1FL00000", "310105001", "2020-01-01"],
            ["坏日期物业", "", "310105001", "去年"],
            [None, None, None, None],
            ["无区划物业", "", "999999", None],
        ],
        title="名单",
    )
    with pytest.raises(ImportFailed) as caught:
        run_import(fp, OrganizationImport())
    messages = caught.value.messages
    assert Organization.objects.count() == before
    assert any(
        m.startswith("工作表“名单”第 3 行 B 列（统一社会信用代码）：") and "统一社会信用代码" in m
        for m in messages
    )
    assert any(m.startswith("工作表“名单”第 4 行 D 列（成立日期）：") for m in messages)
    assert any(m.startswith("工作表“名单”第 6 行 C 列（区划代码）：区划代码不存在") for m in messages)
    assert not any("第 2 行" in m for m in messages)


def test_required_column_missing_names_the_column(world):
    fp = workbook_bytes([["名称"], ["x"]])
    with pytest.raises(ImportFailed) as caught:
        run_import(fp, OrganizationImport())
    assert "单位名称" in caught.value.messages[0] and "区划代码" in caught.value.messages[0]


def test_aliases_blank_rows_full_width_digits_and_dates(world):
    fp = workbook_bytes(
        [
            ["某市物业企业名单"],
            [],
            ["Name", "Region", "成 立 日 期", "专职人员数(人)"],
            ["全角物业", "３１０１０５００１", dt.datetime(2021, 3, 4), "１２"],
            [None, None, None, None],
            ["字符串日期物业", 310105002, "2022年5月6日", 3.0],
            ["序列号日期物业", "310105004", 44927, None],
        ]
    )
    importer = OrganizationImport()
    result = run_import(fp, importer)
    assert result.rows == 3
    assert set(
        Organization.objects.filter(
            name__endswith="物业", region__code__in=["310105001", "310105002", "310105004"]
        ).values_list("name", flat=True)
    ) >= {"全角物业", "字符串日期物业", "序列号日期物业"}


def test_two_row_merged_header(world):
    rows_seen = []

    class GroupedImport(SpreadsheetImport):
        fields = [
            Field("name", "单位名称"),
            Field("area", "场地面积", kind="decimal"),
            Field("staff", "专职人员数", kind="int"),
        ]

        def save_row(self, row):
            rows_seen.append(row.values)

    fp = workbook_bytes(
        [
            ["单位名称", "服务情况", None],
            [None, "场地面积", "专职人员数"],
            ["甲", "120.5", "６"],
        ],
        merges=["A1:A2", "B1:C1"],
    )
    run_import(fp, GroupedImport())
    assert rows_seen == [{"name": "甲", "area": __import__("decimal").Decimal("120.5"), "staff": 6}]


def test_not_a_workbook_is_refused(world):
    with pytest.raises(ImportFailed) as caught:
        run_import(io.BytesIO(b"name,code\n1,2\n"), OrganizationImport())
    assert "xlsx" in caught.value.messages[0]
    with pytest.raises(ImportFailed) as caught:
        run_import(io.BytesIO(b"\xd0\xcf\x11\xe0" + b"\0" * 100), OrganizationImport())
    assert ".xls" in caught.value.messages[0] and "另存为" in caught.value.messages[0]


def test_oversized_file_is_refused(world, settings):
    settings.SPREADSHEET_MAX_UPLOAD_BYTES = 1000
    fp = workbook_bytes([["单位名称", "区划代码"]] + [[f"物业{i}", "310105001"] for i in range(200)])
    with pytest.raises(ImportFailed) as caught:
        run_import(fp, OrganizationImport())
    assert "MB" in caught.value.messages[0] and "上限" in caught.value.messages[0]


def test_zip_bomb_is_refused_before_opening(world, settings):
    settings.SPREADSHEET_MAX_EXPANDED_BYTES = 1024 * 1024
    settings.SPREADSHEET_MAX_COMPRESSION_RATIO = 10_000  # the total, not the ratio, refuses here
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", "0" * (20 * 1024 * 1024))
    buffer.seek(0)
    assert len(buffer.getvalue()) < 200 * 1024
    with pytest.raises(ImportFailed) as caught:
        run_import(buffer, OrganizationImport())
    assert "解压" in caught.value.messages[0]


def test_division_import_from_excel_with_statistical_codes_is_idempotent(db):
    fp = workbook_bytes(
        [
            ["统计用区划代码", "名称"],
            ["310105001000", "华阳路街道"],  # child before its parents: loaded in code order
            ["310000000000", "上海市"],
            ["310100000000", "市辖区"],
            ["310105000000", "长宁区"],
        ]
    )
    first = import_division_file(fp, filename="divisions.xlsx")
    assert (first.changed, first.unchanged) == (4, 0)
    assert Region.objects.get(code="310105001").parent.code == "310105"
    assert Region.objects.get(code="310105").parent.code == "3101"
    fp.seek(0)
    again = import_division_file(fp, filename="divisions.xlsx")
    assert (again.changed, again.unchanged) == (0, 4)


def test_division_import_refuses_bad_codes_and_writes_nothing(db):
    fp = io.BytesIO("代码,名称\n31,上海市\n3101x,坏\n,空\n".encode())
    with pytest.raises(ImportFailed) as caught:
        import_division_file(fp, filename="d.csv")
    messages = caught.value.messages
    assert any(m.startswith("工作表“CSV”第 3 行 A 列（代码）") for m in messages)
    assert any(m.startswith("工作表“CSV”第 4 行 A 列（代码）") and "必填" in m for m in messages)
    assert not Region.objects.filter(code="31").exists()


def test_gb18030_csv_is_read(db):
    fp = io.BytesIO("代码,名称\n61,陕西省\n6101,西安市\n".encode("gb18030"))
    import_division_file(fp, filename="d.csv")
    assert Region.objects.get(code="6101").parent.name == "陕西省"
