"""Group subtotals inside 004's table (街道小计, 镇小计, 小计 between the towns) are no towns: not
stored, checked against the towns of their group when each closes the towns above it, skipped
when the layout is not that simple. The 合计 row is still the table's total."""

import pytest
from django.utils import translation

from facilities.models import GuidanceTarget

from .test_targets_as_written import _import, _refusal

XIMEI = [1, "溪美", 6, 4, 2, 4, 1, 2, 1, None]
LIUCHENG = [2, "柳城", 2, 1, 1, 2, 0, 1, 1, None]
SHENGXIN = [3, "省新", 3, 3, None, 2, "-", "—", 2, None]
MEISHAN = [4, "梅山", "４", "无", "４", "３", "１", "１", "１", None]
STREETS = [None, "街道小计", 8, 5, 3, 6, 1, 3, 2, None]
TOWNS = [None, "镇小计", 7, 3, 4, 5, 1, 1, 3, None]
TOTAL = [None, "合计", 15, 8, 7, 11, 2, 4, 5, None]


def stored():
    return set(GuidanceTarget.objects.values_list("town__name", flat=True))


@pytest.mark.parametrize(
    "streets,towns",
    [
        (STREETS, TOWNS),
        ([None, "溪美街道小计", *STREETS[2:]], [None, "乡镇合计", *TOWNS[2:]]),
        ([None, "小计", *STREETS[2:]], [None, "小 计", *TOWNS[2:]]),
        (["街道小计", None, *STREETS[2:]], ["镇小计：", None, *TOWNS[2:]]),  # in the 序号 column
    ],
    ids=["named", "place-and-合计", "bare", "in-the-number-column"],
)
def test_group_subtotals_are_no_towns(nanan, streets, towns):
    saved = _import(nanan, [XIMEI, LIUCHENG, streets, SHENGXIN, MEISHAN, towns, TOTAL])
    assert len(saved) == 4
    assert stored() == {"溪美街道", "柳城街道", "省新镇", "梅山镇"}


def test_a_wrong_subtotal_is_named_with_its_group(nanan):
    streets = [None, "街道小计", 8, 5, 3, 6, 1, 2, 2, None]  # 2026: 2 + 1 = 3, written 2
    with translation.override("en"):
        failed = _refusal(nanan, [XIMEI, LIUCHENG, streets, SHENGXIN, MEISHAN, TOWNS, TOTAL])
    assert [(e.row, e.column) for e in failed.errors] == [(7, "H")]
    assert failed.errors[0].message == (
        "The 街道小计 row's 2026 is 2, but the towns of its group (rows 5–6) add up to 3."
    )


def test_a_subtotal_above_its_group_is_not_checked(nanan):
    # subtotals standing above their towns: which rows they sum is not clear, so they are skipped
    streets = [None, "街道小计", 99, 0, 99, 0, 0, 0, 0, None]
    towns = [None, "镇小计", 7, 3, 4, 5, 1, 1, 3, None]
    saved = _import(nanan, [streets, XIMEI, LIUCHENG, towns, SHENGXIN, MEISHAN, TOTAL])
    assert len(saved) == 4


def test_the_total_is_still_checked_against_the_towns_only(nanan):
    total = [None, "合计", 30, 16, 14, 22, 4, 8, 10, None]  # towns and subtotals counted twice
    with translation.override("en"):
        failed = _refusal(nanan, [XIMEI, LIUCHENG, STREETS, SHENGXIN, MEISHAN, TOWNS, total])
    assert {e.row for e in failed.errors} == {11}
    assert "the towns above add up to 15" in failed.errors[0].message


def test_a_lone_subtotal_row_is_the_tables_total(nanan):
    lone = [None, "小计", 15, 8, 7, 11, 2, 4, 5, None]
    assert len(_import(nanan, [XIMEI, LIUCHENG, SHENGXIN, MEISHAN, lone])) == 4


def test_a_town_named_like_a_subtotal_elsewhere_is_kept(nanan):
    # only the name column (and left of it) is read for 小计: a remark ending so is a remark
    ximei = [*XIMEI[:9], "含商业小计"]
    total = [None, "合计", 6, 4, 2, 4, 1, 2, 1, None]
    _import(nanan, [ximei, total])
    assert GuidanceTarget.objects.get().remarks == "含商业小计"


def test_the_errors_of_a_table_read_whole_come_in_the_tables_order(nanan):
    ximei = [1, "溪美镇", *XIMEI[2:]]  # row 5: a wrong ending
    streets = [None, "街道小计", 8, 5, 3, 6, 1, 2, 2, None]  # row 7: 2026 is 2, its group 3
    shengxin = [3, "洪", *SHENGXIN[2:]]  # row 8: the beginning of 洪濑镇, 洪梅镇
    failed = _refusal(nanan, [ximei, LIUCHENG, streets, shengxin, MEISHAN, TOWNS, TOTAL])
    assert [(e.row, e.column) for e in failed.errors] == [(5, "B"), (7, "H"), (8, "B")]
