"""A list's free-text columns (name, provider, note) are kept as typed: full-width ，and （）
stay, only the spaces around them are trimmed; the figure beside them is still read."""

from decimal import Decimal

from checklists import imports as checklist_imports
from checklists.models import ListKind

from .test_excel import SERVICE_HEADER, book


def test_a_lists_free_text_columns_are_kept_as_typed(world, draft):
    fp = book(
        (
            "服务项目清单",
            [
                SERVICE_HEADER,
                [
                    "  日间托养（全日）  ",
                    "日托",
                    "８０元",
                    "天",
                    "低偿",
                    "颐康服务社（长宁）",
                    "含午餐，需预约",
                ],
            ],
        )
    )
    checklist_imports.import_list(
        draft, ListKind.SERVICES, fp, by=world.company_a_admin, filename="清单.xlsx"
    )
    item = draft.items.get(kind=ListKind.SERVICES)
    assert (item.name, item.provider, item.note) == (
        "日间托养（全日）",
        "颐康服务社（长宁）",
        "含午餐，需预约",
    )
    assert item.price == Decimal("80")  # the figure is read as a number all the same
