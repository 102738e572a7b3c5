"""004 附件: the guidance table imported whole or not at all, with errors naming the town and
the columns; progress per town and year; the same import from the command, admin and API."""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.test import Client
from openpyxl import Workbook, load_workbook

from accounts.models import Membership
from facilities import imports, targets
from facilities.models import GuidanceTarget
from reports.spreadsheets import ImportFailed
from tests.conftest import api_client_for
from tests.factories import PASSWORD

from .conftest import make_room

HEAD_1 = ["乡镇（街道）", "已建数", "已移交数", "未移交数", "指导数", None, None, None, "备注"]
HEAD_2 = [None, None, None, None, "小计", 2025, 2026, 2027, None]
GOOD = [
    ["溪美街道", 6, 4, 2, 4, 1, 2, 1, ""],
    ["柳城街道", 3, 3, 0, 3, 1, 1, 1, "含 1 处在建"],
    ["合计", 9, 7, 2, 7, 2, 3, 2, ""],
]


def table(rows, *, title=True):
    book = Workbook()
    sheet = book.active
    sheet.title = "指导数"
    if title:
        sheet.append(["新建住宅小区养老服务用房投入运营指导数"])
    sheet.append(HEAD_1)
    sheet.append(HEAD_2)
    top = 2 if title else 1
    sheet.merge_cells(start_row=top, start_column=5, end_row=top, end_column=8)  # 指导数 over 小计 + years
    for column in (1, 2, 3, 4, 9):
        sheet.merge_cells(start_row=top, start_column=column, end_row=top + 1, end_column=column)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "指导数.xlsx"
    return buffer


def _import(nanan, rows):
    return imports.import_targets(
        table(rows), county=nanan.county, by=nanan.bureau_officer, filename="指导数.xlsx"
    )


def test_a_consistent_table_imports_every_town(nanan):
    saved = _import(nanan, GOOD)
    assert [(t.town.name, t.subtotal, t.per_year) for t in saved] == [
        ("溪美街道", 4, {"2025": 1, "2026": 2, "2027": 1}),
        ("柳城街道", 3, {"2025": 1, "2026": 1, "2027": 1}),
    ]
    assert GuidanceTarget.objects.get(town=nanan.liucheng).remarks == "含 1 处在建"


@pytest.mark.parametrize(
    ("rows", "says"),
    [
        (
            [["溪美街道", 6, 4, 1, 4, 1, 2, 1, ""], GOOD[1], ["合计", 8, 7, 1, 7, 2, 3, 2, ""]],
            ["溪美街道", "已移交数 + 未移交数", "B"],
        ),
        (
            [["溪美街道", 6, 4, 2, 5, 1, 2, 1, ""], GOOD[1], ["合计", 9, 7, 2, 8, 2, 3, 2, ""]],
            ["溪美街道", "小计为 5", "E"],
        ),
        (
            [GOOD[0], GOOD[1], ["合计", 9, 7, 2, 7, 2, 3, 3, ""]],
            ["合计", "2027", "3", "2"],  # the exact wording: test_targets_as_written
        ),
        (
            [["洛阳镇", 1, 1, 0, 1, 1, 0, 0, ""], GOOD[1], ["合计", 4, 4, 0, 4, 2, 1, 1, ""]],
            ["洛阳镇 不是南安市的乡镇（街道）"],
        ),
        ([GOOD[0], GOOD[1]], ["没有合计行"]),
        ([GOOD[0], GOOD[0], ["合计", 12, 8, 4, 8, 2, 4, 2, ""]], ["溪美街道 重复出现"]),
        ([["溪美街道", 6, 4, 2, "四", 1, 2, 1, ""], GOOD[1], GOOD[2]], ["小计", "整数"]),
    ],
)
def test_any_inconsistency_rejects_the_file_naming_town_and_columns(nanan, rows, says):
    _import(nanan, GOOD)  # an earlier table stays untouched
    before = list(GuidanceTarget.objects.values_list("town__name", "subtotal"))
    with pytest.raises(ImportFailed) as failed:
        _import(nanan, rows)
    text = "\n".join(failed.value.messages)
    for fragment in says:
        assert fragment in text, text
    assert list(GuidanceTarget.objects.values_list("town__name", "subtotal")) == before


def test_only_the_countys_bureau_imports(world, nanan):
    for outsider in (nanan.ximei_officer, world.changning_officer):
        with pytest.raises(PermissionDenied):
            imports.import_targets(table(GOOD), county=nanan.county, by=outsider, filename="x.xlsx")


def test_progress_counts_the_registry_against_the_targets_and_exports_in_the_official_layout(nanan):
    _import(nanan, GOOD)
    make_room(nanan, handed_over_on=dt.date(2024, 1, 1), operating_since=dt.date(2025, 10, 1))
    make_room(nanan, handed_over_on=dt.date(2024, 1, 1), operating_since=dt.date(2026, 3, 1), location="b")
    make_room(nanan, handed_over_on=dt.date(2024, 1, 1), location="c")
    make_room(nanan, location="d")  # built, not handed over
    make_room(
        nanan,
        compound=nanan.other_compound,
        handed_over_on=dt.date(2025, 1, 1),
        operating_since=dt.date(2025, 8, 1),
    )
    years, rows, total = targets.target_progress(nanan.county)
    assert years == [2025, 2026, 2027]
    ximei = next(r for r in rows if r.name == "溪美街道")
    assert (ximei.built, ximei.handed_over, ximei.not_handed_over, ximei.operating) == (4, 3, 1, 2)
    assert ximei.per_year == {2025: (1, 1), 2026: (2, 1), 2027: (1, 0)}
    assert (total.built, total.target, total.operating) == (5, 7, 3)

    client = Client()
    assert client.login(username="na_officer", password=PASSWORD)
    response = client.get("/facilities/progress/", {"county": "350583", "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.getvalue())).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert "投入运营指导数" in values[0][0]
    assert values[1][:5] == ["乡镇（街道）", "已建数", "已移交数", "未移交数", "指导数"]
    assert values[2][4:8] == ["小计", "2025", "2026", "2027"]
    assert "已投入运营数" in values[1]
    # the annex's figures as imported (合计 9 built); the registry's own count (5) in its added group
    assert values[-1][0] == "合计" and values[-1][1] == 9
    registry = values[1].index("台账登记数")
    assert values[2][registry : registry + 3] == ["已建数", "已移交数", "未移交数"]
    assert values[-1][registry] == 5
    assert any(
        rng.min_col == 5 and rng.max_col == 8 for rng in sheet.merged_cells.ranges
    )  # 指导数 spans four


def test_command_exits_non_zero_on_refusal_and_imports_a_good_table(nanan, tmp_path, world):
    bad, good = tmp_path / "bad.xlsx", tmp_path / "good.xlsx"
    bad.write_bytes(table([GOOD[0], GOOD[1], ["合计", 1, 1, 0, 1, 1, 0, 0, ""]]).getvalue())
    good.write_bytes(table(GOOD).getvalue())
    assert Membership.objects.filter(user=nanan.bureau_officer).exists()
    with pytest.raises(CommandError):
        call_command("import_targets", str(bad), "--county", "350583", "--user", "na_officer")
    assert not GuidanceTarget.objects.exists()
    with pytest.raises(CommandError):
        call_command("import_targets", str(good), "--county", "999999", "--user", "na_officer")
    out = io.StringIO()
    call_command("import_targets", str(good), "--county", "350583", "--user", "na_officer", stdout=out)
    assert "2 个乡镇（街道）" in out.getvalue() and GuidanceTarget.objects.count() == 2


def test_api_and_admin_import_the_same_way(nanan):
    client = api_client_for(nanan.bureau_officer)
    refused = client.post(
        "/api/v1/guidance-targets/import/",
        {"county": "350583", "file": table([GOOD[0], GOOD[1]])},
        format="multipart",
    )
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "import_failed"
    made = client.post(
        "/api/v1/guidance-targets/import/", {"county": "350583", "file": table(GOOD)}, format="multipart"
    )
    assert made.status_code == 201 and len(made.json()) == 2
    progress = client.get("/api/v1/guidance-targets/progress/", {"county": "350583"}).json()
    assert progress["total"]["target"] == 7 and progress["years"] == [2025, 2026, 2027]
    admin = Client()
    assert admin.login(username="na_officer", password=PASSWORD)
    page = admin.post(
        "/admin/facilities/guidancetarget/import/", {"county": "350583", "file": table([GOOD[0], GOOD[2]])}
    )
    assert "合计" in page.content.decode() and "未导入任何数据" in page.content.decode()
    assert GuidanceTarget.objects.count() == 2
