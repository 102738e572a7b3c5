"""The score sheet as a training office types it: a title row, headers spaced out or broken over
two lines, full-width digits, numbers as text ('88 ') or as floats (92.0), a dash, a slash or 无
for a score not given, a 合计 line and a notes line below; a person nobody knows is refused
naming the row."""

from decimal import Decimal

import pytest

from reports.spreadsheets import ImportFailed
from staff import imports
from staff.models import TrainingRecord
from tests.reports.test_import import workbook_bytes

from .test_score_import import people  # noqa: F401 (fixture)

HEADER = ["序号", "姓  名", "手机号", "是否\n出勤", "理论\n成绩", "实操 成绩"]


def test_a_typed_sheet_imports(world, pre_job, people):  # noqa: F811
    sheet = workbook_bytes(
        [
            ["“物业+养老”三员岗前培训考核成绩登记表"],
            HEADER,
            [1, "张 三", None, "是", "８８ ", 92.0],
            [2, "李四", None, "是", "75", "／"],
            [3, "王五", "139 0000 0004", "否", "—", "无"],
            ["合计", None, None, None, None, None],
            ["注：满分 100 分，理论、实操均达合格线为合格。"],
        ]
    )
    assert imports.import_scores(pre_job, sheet, by=world.changning_officer, filename="成绩.xlsx").rows == 3
    zhang = TrainingRecord.objects.get(staff=people["zhang"])
    assert (zhang.theory_score, zhang.practical_score, zhang.passed) == (Decimal(88), Decimal(92), True)
    li = TrainingRecord.objects.get(staff=people["li"])
    assert (li.theory_score, li.practical_score, li.passed) == (Decimal(75), None, False)
    wang = TrainingRecord.objects.get(staff=people["wang_b"])
    assert (wang.attended, wang.theory_score, wang.practical_score) == (False, None, None)


def test_an_unknown_person_is_refused_naming_the_row_and_nothing_is_saved(world, pre_job, people):  # noqa: F811
    sheet = workbook_bytes(
        [["成绩登记表"], HEADER, [1, "张三", None, "是", 88, 92], [2, "赵六", None, "是", 80, 80]]
    )
    with pytest.raises(ImportFailed) as failed:
        imports.import_scores(pre_job, sheet, by=world.changning_officer, filename="成绩.xlsx")
    assert [(e.row, e.column) for e in failed.value.errors] == [(4, "B")]
    assert "赵六" in failed.value.messages[0]
    assert not TrainingRecord.objects.exists()
