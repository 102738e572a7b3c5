"""The review's scenario: 004 附件 typed by a town office from the notice (附件 mark and title
above, 指导数 merged over 小计 and the years, 已移\n交数 broken over two lines, towns by their short
names, empty cells for zero, numbers typed as text or as 12.0, a 合计 row and a notes row below)
imports; the same table with one wrong sum is refused with exactly that inconsistency, naming the
town and the columns, and nothing is saved. The notice also writes to 雪峰开发区: the division
data of 南安市 holds it, and a place it does not hold is refused naming the row and what to do."""

import io

import pytest
from openpyxl import Workbook

from facilities import imports
from facilities.models import GuidanceTarget
from regions.models import Level, Region
from reports.spreadsheets import ImportFailed

HEADER_TOP = ["乡镇（街道）", "已建数", "已移\n交数", "未移\n交数", "指导数", None, None, None, "备注"]
HEADER_BOTTOM = [None, None, None, None, "小 计", "2025", "2026年", "２０２７", None]
# 溪美 with its cells as text and floats, 省新 with empty cells for zero, 眉山 a township,
# 雪峰开发区 the development zone the notice addresses.
TOWNS = [
    ["溪美", "6 ", 4.0, "２", 4, 1, 2, 1, None],
    ["柳城", 3, 3, None, 3, None, "—", 3, None],
    ["省新", 2, None, 2, 2, "－", 1, 1, "含 1 处在建"],
    ["眉山", None, None, None, None, "/", "无", "／", None],
    ["雪峰开发区", 1, 1, "-", 1, 1, None, None, None],
]
TOTAL = ["合计", 12, 8, 4, 10, 2, 3, 5, None]


def town_office_table(rows, total=TOTAL):
    book = Workbook()
    sheet = book.active
    sheet.append(["附件"])
    sheet.append(["南安市新建住宅小区养老服务用房投入运营指导数"])
    sheet.merge_cells("A2:I2")
    sheet.append(HEADER_TOP)
    sheet.append(HEADER_BOTTOM)
    sheet.merge_cells("E3:H3")
    for column in "ABCDI":
        sheet.merge_cells(f"{column}3:{column}4")
    for row in rows:
        sheet.append(row)
    sheet.append(total)
    sheet.append(["注：空格表示 0；数字以各乡镇（街道）上报为准。"])
    sheet.append(["填表人：林晓", None, None, None, "联系电话：0595-86300000"])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def test_the_division_data_holds_every_place_the_notice_addresses(seed_regions):
    places = Region.objects.filter(code__startswith="350583", level=Level.STREET)
    names = set(places.values_list("name", flat=True))
    assert {"溪美街道", "柳城街道", "美林街道", "眉山乡", "向阳乡", "雪峰华侨经济开发区"} <= names
    assert places.count() == 27  # 3 streets, 21 towns, 2 townships and the development zone


def test_the_town_offices_table_imports(nanan):
    saved = imports.import_targets(
        town_office_table(TOWNS), county=nanan.county, by=nanan.bureau_officer, filename="附件.xlsx"
    )
    found = {t.town.name: (t.built, t.handed_over, t.not_handed_over, t.subtotal, t.per_year) for t in saved}
    assert found == {
        "溪美街道": (6, 4, 2, 4, {"2025": 1, "2026": 2, "2027": 1}),
        "柳城街道": (3, 3, 0, 3, {"2025": 0, "2026": 0, "2027": 3}),
        "省新镇": (2, 0, 2, 2, {"2025": 0, "2026": 1, "2027": 1}),
        "眉山乡": (0, 0, 0, 0, {"2025": 0, "2026": 0, "2027": 0}),
        "雪峰华侨经济开发区": (1, 1, 0, 1, {"2025": 1, "2026": 0, "2027": 0}),
    }


def test_one_wrong_sum_gives_exactly_that_inconsistency(nanan):
    rows = [list(row) for row in TOWNS]
    rows[1][4] = 4  # 柳城: 小计 typed 4, its years add up to 3
    total = [*TOTAL[:4], 11, *TOTAL[5:]]  # the 合计 row sums the column as typed
    with pytest.raises(ImportFailed) as failed:
        imports.import_targets(
            town_office_table(rows, total), county=nanan.county, by=nanan.bureau_officer, filename="附件.xlsx"
        )
    assert [(e.row, e.column, e.header) for e in failed.value.errors] == [(6, "E", "小 计")]
    assert failed.value.messages == [
        "工作表“Sheet”第 6 行 E 列（小计）：柳城街道：2025、2026、2027 各年合计为 3，但小计为 4。"
    ]
    assert not GuidanceTarget.objects.exists()


def test_a_place_missing_from_the_division_data_names_the_row_and_what_to_do(nanan):
    rows = [*TOWNS, ["滨江开发区", None, None, None, None, None, None, None, None]]
    with pytest.raises(ImportFailed) as failed:
        imports.import_targets(
            town_office_table(rows), county=nanan.county, by=nanan.bureau_officer, filename="附件.xlsx"
        )
    [error] = failed.value.errors
    assert (error.row, error.column) == (10, "A")
    assert error.message.startswith("滨江开发区 不是南安市的乡镇（街道）。")
    assert "滨江开发区" in str(error) and "第 10 行" in str(error)
    assert not GuidanceTarget.objects.exists()


@pytest.mark.parametrize("written", ["雪峰", "雪峰开发区", "雪峰开发区管委会", "雪峰华侨经济开发区"])
def test_the_development_zone_by_any_of_its_names(nanan, written):
    rows = [*TOWNS[:4], [written, *TOWNS[4][1:]]]
    saved = imports.import_targets(
        town_office_table(rows), county=nanan.county, by=nanan.bureau_officer, filename="附件.xlsx"
    )
    assert "雪峰华侨经济开发区" in {t.town.name for t in saved}


def test_an_unreadable_cell_and_an_unknown_place_are_listed_together(nanan):
    rows = [list(row) for row in TOWNS]
    rows[0][1] = "六"  # 溪美's 已建数 in words
    rows[2][0] = "省心"  # a typo for 省新
    rows.append(["滨江开发区", "x", None, None, None, None, None, None, None])
    with pytest.raises(ImportFailed) as failed:
        imports.import_targets(
            town_office_table(rows), county=nanan.county, by=nanan.bureau_officer, filename="附件.xlsx"
        )
    assert [(e.row, e.column) for e in failed.value.errors] == [
        (5, "B"),
        (7, "A"),
        (10, "A"),
        (10, "B"),
    ]
    assert not any("小计" in message for message in failed.value.messages)  # no sums on a table half read
    assert not GuidanceTarget.objects.exists()
