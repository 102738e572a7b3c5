"""004's 备注 is free text: kept as typed (full-width ，and （） stay), only the spaces around it
trimmed."""

from facilities.models import GuidanceTarget

from .test_targets_as_written import TOTAL, TOWNS, _import


def test_the_guidance_tables_remarks_are_kept_as_typed(nanan):
    rows = [list(row) for row in TOWNS]
    rows[0][9] = "  未移交，待开发商整改  "
    rows[1][9] = "含 1 处在建（２０２６年交付）"
    rows[2][9] = "—"  # a dash in a text column is text, not zero
    _import(nanan, [*rows, TOTAL])
    remarks = dict(GuidanceTarget.objects.values_list("town__name", "remarks"))
    assert remarks == {
        "溪美街道": "未移交，待开发商整改",
        "省新镇": "含 1 处在建（２０２６年交付）",
        "梅山镇": "—",
    }
