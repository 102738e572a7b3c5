"""The progress page's export in the annex's layout imported again leaves the official table as it
was: a town the table never listed (its official cells blank in the export, the registry's counts
beside) is not stored as a row of zeros. A row of the table with some cells empty and some
figures keeps its empty cells as 0, as the notice does."""

import datetime as dt
import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from facilities import imports
from facilities.models import GuidanceTarget
from reports.spreadsheets import ImportFailed
from tests.factories import PASSWORD

from .conftest import make_room
from .test_targets import _import, table

XIMEI_ONLY = [
    ["溪美街道", 6, 4, 2, 4, 1, 2, 1, "未移交，待开发商整改"],
    ["合计", 6, 4, 2, 4, 1, 2, 1, ""],
]


def stored():
    return {
        t.town.name: (t.built, t.handed_over, t.not_handed_over, t.subtotal, t.per_year, t.remarks)
        for t in GuidanceTarget.objects.select_related("town")
    }


def export(client):
    response = client.get("/facilities/progress/", {"county": "350583", "export": "xlsx"})
    assert response.status_code == 200
    return io.BytesIO(response.getvalue())


def test_the_export_imported_again_changes_nothing(nanan):
    _import(nanan, XIMEI_ONLY)
    # rooms in 柳城街道, which the table does not list: the export names 柳城 with the registry's counts
    make_room(nanan, compound=nanan.other_compound, handed_over_on=dt.date(2025, 1, 1), location="a")
    make_room(nanan, compound=nanan.other_compound, location="b")
    before = stored()
    client = Client()
    assert client.login(username="na_officer", password=PASSWORD)
    exported = export(client)
    rows = [list(row) for row in load_workbook(exported).active.iter_rows(values_only=True)]
    [liucheng] = [row for row in rows if row[0] == "柳城街道"]
    assert liucheng[1:9] == [None] * 8  # no official figure written for a town the table lacks
    exported.seek(0)
    saved = imports.import_targets(
        exported, county=nanan.county, by=nanan.bureau_officer, filename="导出.xlsx"
    )
    assert [t.town.name for t in saved] == ["溪美街道"]
    assert (
        stored()
        == before
        == {"溪美街道": (6, 4, 2, 4, {"2025": 1, "2026": 2, "2027": 1}, "未移交，待开发商整改")}
    )
    # and once more: the second export is the first
    assert [list(r) for r in load_workbook(export(client)).active.iter_rows(values_only=True)] == rows


def test_a_row_with_some_figures_keeps_its_empty_cells_as_zero(nanan):
    rows = [
        ["溪美街道", 6, 4, 2, 4, 1, 2, 1, ""],
        ["柳城街道", 3, 3, None, 2, None, None, 2, ""],  # 未移交数, 2025 and 2026 left empty: 0
        ["合计", 9, 7, 2, 6, 1, 2, 3, ""],
    ]
    _import(nanan, rows)
    assert stored()["柳城街道"] == (3, 3, 0, 2, {"2025": 0, "2026": 0, "2027": 2}, "")


def test_a_row_left_empty_is_not_in_the_table_unless_it_has_a_remark(nanan):
    rows = [
        ["溪美街道", 6, 4, 2, 4, 1, 2, 1, ""],
        ["柳城街道", None, None, None, None, None, None, None, "  "],
        ["美林街道", None, None, None, None, None, None, None, "暂无新建小区"],
        ["省新镇", "—", "—", "—", "—", "—", "—", "—", None],  # dashes are typed: zeros, listed
        ["合计", 6, 4, 2, 4, 1, 2, 1, ""],
    ]
    _import(nanan, rows)
    assert set(stored()) == {"溪美街道", "美林街道", "省新镇"}
    assert stored()["美林街道"] == (0, 0, 0, 0, {"2025": 0, "2026": 0, "2027": 0}, "暂无新建小区")


def test_a_row_left_empty_still_has_its_name_checked(nanan):
    rows = [
        ["溪美街道", 6, 4, 2, 4, 1, 2, 1, ""],
        ["柳成街道", None, None, None, None, None, None, None, None],  # a typo for 柳城
        ["合计", 6, 4, 2, 4, 1, 2, 1, ""],
    ]
    with pytest.raises(ImportFailed) as failed:
        imports.import_targets(table(rows), county=nanan.county, by=nanan.bureau_officer, filename="x.xlsx")
    assert [(e.row, e.column) for e in failed.value.errors] == [(5, "A")]
    assert not GuidanceTarget.objects.exists()
