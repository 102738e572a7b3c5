"""A score sheet as offices keep it: 缺考, 缺席 or 请假 in a score cell is an absence with no
score (not "enter a number"); 平均分, 最高分 and 最低分 rows below the people are summaries, no
person; every error of a row names the person beside the row number."""

from decimal import Decimal

import pytest
from django.utils import translation

from reports.spreadsheets import ImportFailed
from staff import imports
from staff.models import TrainingRecord
from tests.reports.test_import import workbook_bytes

from .test_score_import import people  # noqa: F401 (fixture)

HEADER = ["序号", "姓名", "手机号", "是否出勤", "理论成绩", "实操成绩"]


def _import(world, pre_job, rows):
    sheet = workbook_bytes([["考核成绩登记表"], HEADER, *rows])
    return imports.import_scores(pre_job, sheet, by=world.changning_officer, filename="成绩.xlsx")


def test_absence_words_in_the_score_cells(world, pre_job, people):  # noqa: F811
    result = _import(
        world,
        pre_job,
        [
            [1, "张三", None, None, 88, 92],
            [2, "李四", None, None, "缺考", " 缺考 "],  # no 是否出勤: absent
            [3, "王五", "13900000004", "是", 80, "请假"],  # attended, missed the practical
            [4, "王五", "13900000003", None, "缺席", "缺席"],
            [None, "平均分", None, None, 84, 92],
            [None, "最高分", None, None, 88, 92],
            [None, "最 低 分", None, None, 80, 92],
            ["平均", None, None, None, 84, 92],
        ],
    )
    assert result.rows == 4  # the four people; the summary rows are no one
    by_person = {r.staff_id: r for r in TrainingRecord.objects.all()}
    li = by_person[people["li"].pk]
    assert (li.attended, li.theory_score, li.practical_score, li.passed) == (False, None, None, False)
    wang_b = by_person[people["wang_b"].pk]
    assert (wang_b.attended, wang_b.theory_score, wang_b.practical_score) == (True, Decimal(80), None)
    wang_a = by_person[people["wang_a"].pk]
    assert (wang_a.attended, wang_a.theory_score) == (False, None)
    assert TrainingRecord.objects.count() == 4


def test_a_word_that_is_no_absence_is_still_refused_naming_the_person(world, pre_job, people):  # noqa: F811
    with translation.override("en"), pytest.raises(ImportFailed) as failed:
        _import(world, pre_job, [[1, "张三", None, None, "优秀", 92], [2, "李四", None, None, 70, 70]])
    [error] = failed.value.errors
    assert (error.row, error.column, error.name) == (3, "E", "张三")
    with translation.override("en"):
        assert str(error) == 'Sheet "Sheet1", row 3 (张三), column E (理论成绩): Enter a number.'
    assert not TrainingRecord.objects.exists()


def test_an_unknown_person_is_named_with_the_row(world, pre_job, people):  # noqa: F811
    with translation.override("en"), pytest.raises(ImportFailed) as failed:
        _import(world, pre_job, [[1, "张三", None, None, 88, 92], [2, "赵 六", None, None, 70, 70]])
    [error] = failed.value.errors
    assert (error.row, error.name) == (4, "赵六")
    with translation.override("en"):
        assert str(error).startswith('Sheet "Sheet1", row 4 (赵六), column B (姓名): ')


def test_the_chinese_error_names_the_person(world, pre_job, people):  # noqa: F811
    with pytest.raises(ImportFailed) as failed:
        _import(world, pre_job, [[1, "张三", None, None, "优秀", 92]])
    assert "张三" in failed.value.messages[0] and "3" in failed.value.messages[0]
