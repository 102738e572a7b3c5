"""Place names in 004's table: a short name without an ending (溪美) is read; a name with the
wrong ending (溪美镇 for 溪美街道) is refused naming the place it probably means, as is the
beginning of names (洪); a short name that fits two places names both."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from facilities.models import GuidanceTarget
from regions.models import Level, Region
from regions.services import PlaceNames
from reports.spreadsheets.fields import RowError

from .test_targets_as_written import TOTAL, TOWNS, _import, _refusal


def _messages(nanan, written, *, language="en"):
    with translation.override(language), pytest.raises(ValidationError) as refused:
        PlaceNames(nanan.county, levels=(Level.STREET,)).resolve(written)
    return refused.value.messages


def test_a_wrong_ending_is_refused_naming_the_place_meant(nanan):
    assert _messages(nanan, "溪美镇") == ["溪美镇 is not a town (street) of 南安市; did you mean 溪美街道?"]
    assert _messages(nanan, "梅山乡") == ["梅山乡 is not a town (street) of 南安市; did you mean 梅山镇?"]
    assert _messages(nanan, "省新街道") == ["省新街道 is not a town (street) of 南安市; did you mean 省新镇?"]


@pytest.mark.parametrize(
    "written,meant",
    [
        ("溪美", "溪美街道"),
        ("溪美街道", "溪美街道"),
        ("溪美街道办事处", "溪美街道"),
        ("溪美办事处", "溪美街道"),
        ("梅山", "梅山镇"),
        ("雪峰开发区", "雪峰华侨经济开发区"),
        ("雪峰管委会", "雪峰华侨经济开发区"),
        ("眉山", "眉山乡"),
    ],
)
def test_a_short_name_or_an_ending_of_the_same_kind_is_read(nanan, written, meant):
    assert PlaceNames(nanan.county, levels=(Level.STREET,)).resolve(written).name == meant


def test_a_wrong_ending_in_the_table_is_listed_with_the_other_errors(nanan):
    rows = [list(row) for row in TOWNS]
    rows[0][1] = "溪美镇"
    rows[2][1] = "梅山乡"
    rows[1][2] = "三"  # an unreadable cell on 省新's row
    with translation.override("en"):
        failed = _refusal(nanan, [*rows, TOTAL])
    assert [(e.row, e.column) for e in failed.errors] == [(5, "B"), (6, "C"), (7, "B")]
    assert failed.errors[0].message == "溪美镇 is not a town (street) of 南安市; did you mean 溪美街道?"
    assert failed.errors[2].message == "梅山乡 is not a town (street) of 南安市; did you mean 梅山镇?"
    assert not GuidanceTarget.objects.exists()


def test_a_wrong_ending_on_a_table_read_whole_is_refused_too(nanan):
    rows = [list(row) for row in TOWNS]
    rows[0][1] = "溪美镇"
    with translation.override("en"):
        failed = _refusal(nanan, [*rows, TOTAL])
    assert [(e.row, e.column, e.message) for e in failed.errors] == [
        (5, "B", "溪美镇 is not a town (street) of 南安市; did you mean 溪美街道?")
    ]


def test_a_short_name_of_two_places_names_both(nanan):
    # 南安市 with a 溪美镇 beside 溪美街道 (built here): 溪美 alone fits both
    Region.objects.create(code="350583121", name="溪美镇", parent=nanan.county, level=Level.STREET)
    Region.objects.create(code="350583122", name="溪美乡", parent=nanan.county, level=Level.STREET)
    assert _messages(nanan, "溪美") == [
        "溪美 may be any of 溪美街道, 溪美镇, 溪美乡 in 南安市; write the full name."
    ]
    assert "溪美街道、溪美镇、溪美乡" in _messages(nanan, "溪美", language="zh-hans")[0]
    # with both present, each full name is still read, and a wrong ending names all three
    assert PlaceNames(nanan.county).resolve("溪美镇").code == "350583121"
    assert PlaceNames(nanan.county).resolve("溪美民族乡").code == "350583122"
    assert _messages(nanan, "溪美村") == [
        "溪美村 is not a town (street) of 南安市; did you mean 溪美街道, 溪美镇, 溪美乡?"
    ]
    with translation.override("en"):
        failed = _refusal(nanan, [*TOWNS, TOTAL])
    assert [(e.row, e.column) for e in failed.errors] == [(5, "B")]
    assert "溪美街道, 溪美镇, 溪美乡" in failed.messages[0]


def test_the_beginning_of_names_suggests_them(nanan):
    assert _messages(nanan, "洪") == ["洪 is not a town (street) of 南安市; did you mean 洪濑镇, 洪梅镇?"]
    assert _messages(nanan, "洪镇") == ["洪镇 is not a town (street) of 南安市; did you mean 洪濑镇, 洪梅镇?"]
    # nothing begins with 洛阳: the county is named with what to do
    [message] = _messages(nanan, "洛阳")
    assert message.startswith("洛阳 is not a town (street) of 南安市. Check the name")
    assert "did you mean" not in message


def test_a_suggestion_in_chinese(nanan):
    [message] = _messages(nanan, "洪", language="zh-hans")
    assert "洪濑镇" in message and "洪梅镇" in message and "南安市" in message


def test_the_short_names_still_import(nanan):
    assert len(_import(nanan, [*TOWNS, TOTAL])) == 3


def test_english_lists_use_commas_and_chinese_the_enumeration_comma(nanan):
    meishan = [3, "梅山", 4, "无", 4, 3, 1, 1, "-", None]  # years 2 ≠ 3
    total = [None, "合计", 13, 7, 6, 9, 2, 3, 3, None]
    with translation.override("en"):
        failed = _refusal(nanan, [TOWNS[0], TOWNS[1], meishan, total])
    assert failed.errors[0].message == "梅山镇: the years 2025, 2026, 2027 add up to 2, but 小计 is 3."
    failed = _refusal(nanan, [TOWNS[0], TOWNS[1], meishan, total])
    assert "2025、2026、2027" in failed.errors[0].message


def test_a_header_is_named_as_typed(nanan):
    rows = [list(row) for row in TOWNS]
    rows[0][1] = "洛阳"
    failed = _refusal(nanan, [*rows, TOTAL])
    assert failed.errors[0].header == "乡镇（街道）"  # full-width brackets as typed, not folded
    assert "（乡镇（街道））" in str(failed.errors[0])


def test_a_header_spaced_before_its_unit_is_named_without_the_gap():
    error = RowError("Sheet1", 3, "C", "收费标准 （元）", "x")
    with translation.override("en"):
        assert str(error) == 'Sheet "Sheet1", row 3, column C (收费标准（元）): x'
