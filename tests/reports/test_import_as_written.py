"""The engine reads tables as people make them: number cells left empty or written -, —, －, ／,
/ or 无 (zero where a field says so, no value where it says so), full-width digits and spaces,
headers broken over lines or grouped under merged cells, and a totals row (合计 / 总计 / 小计)
wherever it stands, kept aside for the import's own sum check."""

import io

import pytest
from openpyxl import Workbook

from reports.spreadsheets import Field, ImportFailed, SpreadsheetImport, run_import
from reports.spreadsheets.fields import is_placeholder, is_total_label


class CountsImport(SpreadsheetImport):
    fields = [
        Field("town", "乡镇（街道）"),
        Field("built", "已建数", kind="int", blank_is_zero=True),
        Field("handed_over", "已移交数", aliases=("已移交",), kind="int", blank_is_zero=True),
        Field("area", "面积", kind="decimal", required=False, blank_is_zero=True),
        Field("score", "成绩", kind="decimal", required=False, dash_is_blank=True),
    ]

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.rows = []

    def save_row(self, row):
        self.rows.append((row.number, row.values))
        return row.values["town"]


def sheet(rows, merges=()):
    book = Workbook()
    ws = book.active
    for row in rows:
        ws.append(row)
    for merge in merges:
        ws.merge_cells(merge)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


HEADER = ["乡镇（街道）", "已建数", "已移\n交数", "面 积", "成绩"]


@pytest.mark.parametrize("mark", [None, "", " ", "-", "—", "－", "／", "/", "无", "——", " - "])
def test_empty_dashes_slashes_and_wu_read_as_zero_or_no_value(db, mark):
    importer = CountsImport()
    run_import(sheet([HEADER, ["溪美", mark, 2, mark, mark]]), importer)
    values = importer.rows[0][1]
    assert (values["built"], values["handed_over"], values["area"], values["score"]) == (0, 2, 0, None)


def test_without_the_flag_an_empty_number_is_still_required_and_a_dash_still_wrong(db):
    class Strict(CountsImport):
        fields = [Field("town", "乡镇（街道）"), Field("built", "已建数", kind="int")]

    with pytest.raises(ImportFailed) as failed:
        run_import(sheet([["乡镇（街道）", "已建数"], ["溪美", None], ["省新", "-"]]), Strict())
    assert [(e.row, e.column) for e in failed.value.errors] == [(2, "B"), (3, "B")]


def test_full_width_digits_and_spaces_in_numbers(db):
    importer = CountsImport()
    run_import(sheet([HEADER, ["梅山", "１２", "1 234", "１２．５", " ８８ "]]), importer)
    values = importer.rows[0][1]
    assert (values["built"], values["handed_over"], str(values["area"]), str(values["score"])) == (
        12,
        1234,
        "12.5",
        "88",
    )


def test_a_word_in_a_number_column_is_still_refused(db):
    with pytest.raises(ImportFailed) as failed:
        run_import(sheet([HEADER, ["梅山", "四", 1, None, None]]), CountsImport())
    assert [(e.row, e.column, e.header) for e in failed.value.errors] == [(2, "B", "已建数")]


def test_merged_group_headers_are_read_by_the_child_label(db):
    importer = CountsImport()
    rows = [
        ["乡镇（街道）", "已建数", "移交情况", "面积", "成绩"],
        [None, None, "已移交", None, None],
        ["溪美", 3, 2, 1, 90],
    ]
    run_import(sheet(rows, merges=["A1:A2", "B1:B2", "D1:D2", "E1:E2"]), importer)
    assert importer.rows == [(3, {"town": "溪美", "built": 3, "handed_over": 2, "area": 1, "score": 90})]


@pytest.mark.parametrize("where", [0, 1, 2])
@pytest.mark.parametrize("label", ["合计", "总计", "小计", "合 计", "全市合计", "合计：", "共 2 项"])
def test_a_totals_row_is_kept_aside_wherever_it_stands(db, where, label):
    towns = [["溪美", 3, 2, None, None], ["省新", 1, "—", None, None]]
    total = [label, 4, 2, None, None]
    importer = CountsImport()
    result = run_import(sheet([HEADER, *towns[:where], total, *towns[where:]]), importer)
    assert result.results == ["溪美", "省新"]
    assert [(row.number, row.values["built"], row.values["handed_over"]) for row in importer.totals] == [
        (where + 2, 4, 2)
    ]
    assert importer.totals[0].is_total


def test_the_totals_label_may_stand_in_any_cell_and_the_town_cell_be_empty(db):
    importer = CountsImport()
    run_import(sheet([["序号", *HEADER], [1, "溪美", 3, 2], ["合计", None, 3, 2]]), importer)
    assert len(importer.rows) == 1 and importer.totals[0].values["town"] is None


def test_closing_lines_below_the_table_are_no_rows(db):
    importer = CountsImport()
    rows = [HEADER, ["溪美", 3, 2], ["填表人：林晓", "联系电话：0595-86300000"], ["注：空格表示 0。"]]
    rows += [["备注：含在建项目。"], ["数据来源：各乡镇（街道）上报"], ["报送日期：2025年7月1日"]]
    result = run_import(sheet(rows), importer)
    assert result.results == ["溪美"]


def test_a_formula_without_its_result_is_not_taken_for_zero(db):
    book = Workbook()
    ws = book.active
    ws.append(HEADER)
    ws.append(["溪美", "=1+2", 2])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    with pytest.raises(ImportFailed) as failed:
        run_import(buffer, CountsImport())
    assert failed.value.errors[0].column == "B" and "=1+2" in failed.value.errors[0].message


def test_placeholder_and_total_words():
    assert all(map(is_placeholder, [None, "", "-", "—", "－", "／", "/", "无", " － "]))
    assert not any(map(is_placeholder, [0, "0", "无锡", "1-2", "n/a"]))
    assert all(map(is_total_label, ["合计", "总 计", "小计", "全县合计", "合计（个）", "共3项"]))
    assert not any(map(is_total_label, ["合计数", "溪美", "小计算器", None, 3]))


def test_csv_reads_the_same_way(db):
    importer = CountsImport()
    data = "乡镇（街道）,已建数,已移交数,面积,成绩\n溪美,,-,无,—\n合计,0,0,,\n".encode()
    result = run_import(io.BytesIO(data), importer, filename="x.csv")
    assert result.results == ["溪美"] and importer.rows[0][1]["built"] == 0 and len(importer.totals) == 1


def test_a_unit_after_a_heading_is_read(db):
    importer = CountsImport()
    run_import(
        sheet([["乡镇（街道）", "已建数（个）", "已移交数(个)", "面积（平方米）"], ["溪美", 3, 2, 80]]),
        importer,
    )
    assert importer.rows[0][1] == {
        "town": "溪美",
        "built": 3,
        "handed_over": 2,
        "area": 80,
        "score": None,
    }
