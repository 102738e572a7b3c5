"""A score sheet as a bureau types it: full-width digits, a dash or 无 for a score not given, a
two-character name padded with a space, a merged title and a 合计 line that is no person."""

from decimal import Decimal

from staff import imports
from staff.models import TrainingRecord
from tests.reports.test_import import workbook_bytes

from .test_score_import import HEADER, people  # noqa: F401 (fixture)


def test_dashes_full_width_digits_and_padded_names(world, pre_job, people):  # noqa: F811
    sheet = workbook_bytes(
        [
            ["长宁区三员岗前培训考核成绩登记表"],
            HEADER,
            ["张　三", "", "是", "８８", "９２．５", ""],
            ["李四", "", "否", "—", "无", ""],
            ["合计", None, None, None, None, None],
            ["填表人：王芳", None, "联系电话：021-62000001", None, None, None],
        ]
    )
    result = imports.import_scores(pre_job, sheet, by=world.changning_officer, filename="成绩.xlsx")
    assert result.rows == 2
    zhang = TrainingRecord.objects.get(staff=people["zhang"])
    assert (zhang.theory_score, zhang.practical_score, zhang.attended) == (Decimal(88), Decimal("92.5"), True)
    li = TrainingRecord.objects.get(staff=people["li"])
    assert (li.theory_score, li.practical_score, li.attended, li.passed) == (None, None, False, False)
