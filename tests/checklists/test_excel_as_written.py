"""The five lists read as people type them: a dash or 无 in a measure column is no figure, a
totals line and a closing line are no items, full-width figures are read."""

from decimal import Decimal

from checklists import imports
from checklists.models import ListKind

from .test_excel import book


def test_dashes_and_wu_in_measures_are_not_given(world, draft):
    fp = book(
        (
            "服务设施清单",
            [
                ["设施名称", "地点", "面积（㎡）", "容纳人数", "开放时间", "运营方"],
                ["活动室", "会所一楼", "—", "无", None, None],
                ["阅览室", "会所二楼", "８０㎡", "３０人", None, None],
                ["合计", None, 80, 30, None, None],
            ],
        )
    )
    result = imports.import_list(draft, ListKind.FACILITIES, fp, by=world.company_a_admin)
    assert result.rows == 2
    found = dict(draft.items.filter(kind=ListKind.FACILITIES).values_list("name", "area"))
    assert found == {"活动室": None, "阅览室": Decimal("80.0")}
    assert draft.items.get(name="活动室").capacity is None and draft.items.get(name="阅览室").capacity == 30
