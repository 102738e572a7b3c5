"""004 附件 as a town office types it from the notice: towns by their short names (溪美, 省新,
梅山), empty cells and dashes for nothing, 已移\n交数 broken over two lines, headers grouped under
merged cells, the 合计 row at the bottom or at the top. The table is either imported or refused
with the exact inconsistency naming the town and the columns."""

import io

import pytest
from django.utils import translation
from openpyxl import Workbook

from facilities import imports
from facilities.models import GuidanceTarget
from regions.models import Region
from regions.services import PlaceNames, resolve_short_name
from reports.spreadsheets import ImportFailed

# 附件 新建住宅小区养老服务用房投入运营指导数: 序号, 乡镇（街道）, 已建数, then 移交情况 over
# 已移交数 / 未移交数, then 指导数 over 小计 and the three years, then 备注.
TOP = ["序号", "乡镇（街道）", "已建数", "移交情况", None, "指导数", None, None, None, "备注"]
BOTTOM = [None, None, None, "已移\n交数", "未移\n交数", "小计", 2025, 2026, 2027, None]
FLAT = ["序号", "乡镇\n（街道）", "已建数", "已移\n交数", "未移交数", "小 计"]
FLAT += ["2025年", "2026年", "2027年", "备注"]

# 溪美 and 省新 with empty cells, dashes and 无 where the figure is zero; 梅山 in full-width digits.
TOWNS = [
    [1, "溪美", 6, 4, 2, 4, 1, 2, 1, None],
    [2, "省新", 3, 3, None, 2, "-", "—", 2, "含 1 处在建"],
    [3, "梅山", "４", "无", "４", "３", "１", "１", "１", None],
]
TOTAL = [None, "合计", 13, 7, 6, 9, 2, 3, 4, None]


def notice_table(rows, *, merged=True, mark=True):
    """The annex as typed: 附件 mark and title above, then the header (two rows with merged
    group cells, or one row with line breaks), then ``rows``."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    if mark:
        sheet.append(["附件"])
        sheet.append(["新建住宅小区养老服务用房投入运营指导数"])
        sheet.merge_cells("A2:J2")
    top = sheet.max_row + 1
    if merged:
        sheet.append(TOP)
        sheet.append(BOTTOM)
        sheet.merge_cells(start_row=top, start_column=4, end_row=top, end_column=5)  # 移交情况
        sheet.merge_cells(start_row=top, start_column=6, end_row=top, end_column=9)  # 指导数
        for column in (1, 2, 3, 10):
            sheet.merge_cells(start_row=top, start_column=column, end_row=top + 1, end_column=column)
    else:
        sheet.append(FLAT)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def _import(nanan, rows, **layout):
    return imports.import_targets(
        notice_table(rows, **layout), county=nanan.county, by=nanan.bureau_officer, filename="附件.xlsx"
    )


def _refusal(nanan, rows, **layout):
    with pytest.raises(ImportFailed) as failed:
        _import(nanan, rows, **layout)
    assert not GuidanceTarget.objects.exists()
    return failed.value


@pytest.mark.parametrize("merged", [True, False], ids=["merged-header", "line-breaks"])
@pytest.mark.parametrize("where", ["bottom", "top"])
def test_the_notices_own_table_imports(nanan, merged, where):
    rows = [*TOWNS, TOTAL] if where == "bottom" else [TOTAL, *TOWNS]
    saved = _import(nanan, rows, merged=merged)
    found = {
        t.town.name: (t.built, t.handed_over, t.not_handed_over, t.subtotal, t.per_year, t.remarks)
        for t in saved
    }
    assert found == {
        "溪美街道": (6, 4, 2, 4, {"2025": 1, "2026": 2, "2027": 1}, ""),
        "省新镇": (3, 3, 0, 2, {"2025": 0, "2026": 0, "2027": 2}, "含 1 处在建"),
        "梅山镇": (4, 0, 4, 3, {"2025": 1, "2026": 1, "2027": 1}, ""),
    }
    assert GuidanceTarget.objects.count() == 3  # the 合计 row is no town


def test_a_totals_row_in_the_middle_and_a_signed_closing_line(nanan):
    rows = [TOWNS[0], TOTAL, TOWNS[1], TOWNS[2], ["填表人：林晓", None, "联系电话：0595-86300000"]]
    assert len(_import(nanan, rows)) == 3


def test_total_written_across_the_number_column_and_blank_town(nanan):
    total = ["合 计", None, 13, 7, 6, 9, 2, 3, 4, None]  # 合 计 in the 序号 column, town cell empty
    assert len(_import(nanan, [*TOWNS, total])) == 3


def test_an_inconsistent_town_is_named_with_its_columns(nanan):
    meishan = [3, "梅山", 4, "无", 3, 3, 1, 1, "-", None]  # 0 + 3 ≠ 4, years 2 ≠ 3
    total = [None, "合计", 13, 7, 5, 9, 2, 3, 3, None]
    failed = _refusal(nanan, [TOWNS[0], TOWNS[1], meishan, total])
    text = "\n".join(failed.messages)
    assert "梅山镇：已移交数 + 未移交数（0 + 3）≠ 已建数（4）。" in text, text
    assert "梅山镇：2025、2026、2027 各年合计为 2，但小计为 3。" in text, text
    by_cell = {(e.row, e.column) for e in failed.errors}
    assert by_cell == {(7, "C"), (7, "F")}  # 附件, title, two header rows, then 溪美, 省新, 梅山
    assert all(e.row == 7 for e in failed.errors)


@pytest.mark.parametrize("where", ["bottom", "top"])
def test_a_wrong_total_names_the_column(nanan, where):
    total = [None, "合计", 13, 7, 6, 9, 2, 3, 5, None]
    rows = [*TOWNS, total] if where == "bottom" else [total, *TOWNS]
    with translation.override("en"):
        failed = _refusal(nanan, rows)
    assert [(e.row, e.column, e.header) for e in failed.errors] == [
        (8 if where == "bottom" else 5, "I", "2027")
    ]
    if where == "bottom":
        assert failed.errors[0].message == "The 合计 row's 2027 is 5, but the towns above add up to 4."
    else:  # no "above" for a 合计 row standing above the towns
        assert "上方" not in failed.errors[0].message and "above" not in failed.errors[0].message


def test_two_totals_rows_are_refused(nanan):
    failed = _refusal(nanan, [TOTAL, *TOWNS, TOTAL])
    assert [e.row for e in failed.errors] == [9]


def test_a_town_written_twice_short_and_full_is_a_repeat(nanan):
    again = [4, "溪美街道", 0, None, None, None, None, None, None, None]
    failed = _refusal(nanan, [*TOWNS, again, TOTAL])
    assert "溪美街道 重复出现" in "\n".join(failed.messages)


def test_an_unknown_short_name_names_the_county(nanan):
    failed = _refusal(nanan, [[1, "洛阳", 1, 1, 0, 1, 1, 0, 0, None], [None, "合计", 1, 1, 0, 1, 1, 0, 0]])
    assert [(e.row, e.column) for e in failed.errors] == [(5, "B")]
    assert "洛阳 不是南安市的乡镇（街道）" in failed.messages[0]


def test_an_ambiguous_short_name_names_the_candidates(nanan):
    Region.objects.create(code="350583121", name="溪美镇", parent=nanan.county)
    failed = _refusal(nanan, [*TOWNS, TOTAL])
    assert [(e.row, e.column) for e in failed.errors] == [(5, "B")]
    assert "溪美街道、溪美镇" in failed.messages[0] and "南安市" in failed.messages[0]


def test_short_names_resolve_once_per_county(nanan, django_assert_num_queries):
    with django_assert_num_queries(1):
        places = PlaceNames(nanan.county)
        found = [places.resolve(name).name for name in ("溪美", "省新", "梅山", "梅山镇", " 柳 城 ", "洪梅")]
    assert found == ["溪美街道", "省新镇", "梅山镇", "梅山镇", "柳城街道", "洪梅镇"]
    assert resolve_short_name(nanan.county, "溪美街道办事处") == nanan.ximei


def test_a_place_of_another_county_is_unknown(nanan, world):
    with pytest.raises(Exception) as refused:
        resolve_short_name(nanan.county, "华阳路")
    assert "南安市" in str(refused.value)
    assert resolve_short_name(world.regions["310105"], "华阳路").code == "310105001"


def test_a_header_typed_over_two_lines_is_named_on_one(nanan):
    xinxin = [2, "省新", 3, -1, 4, 2, "-", "—", 2, None]  # a negative 已移交数
    total = [None, "合计", 13, 3, 10, 9, 2, 3, 4, None]
    failed = _refusal(nanan, [TOWNS[0], xinxin, TOWNS[2], total], merged=False)
    [negative] = [e for e in failed.errors if e.column == "D"]
    assert negative.header == "已移\n交数"  # as written
    assert "第 5 行 D 列（已移交数）：省新镇" in str(negative)
