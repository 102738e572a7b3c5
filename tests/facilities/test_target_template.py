"""The guidance table's template: 004 附件's layout with its 填写说明 sheet, served by the API and
the admin beside the upload, and read back by the import once filled in."""

import io

from django.test import Client
from openpyxl import load_workbook
from rest_framework.test import APIClient

from facilities.models import GuidanceTarget
from regions.models import Level, Region
from tests.conftest import api_client_for
from tests.factories import PASSWORD

URL = "/api/v1/guidance-targets/import/template/"


def _book(response):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    return load_workbook(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    )


def test_the_template_is_laid_out_like_the_annex(nanan):
    book = _book(api_client_for(nanan.bureau_officer).get(URL, {"county": "350583"}))
    assert book.sheetnames == ["指导数", "填写说明"]
    sheet = book["指导数"]
    assert sheet["A1"].value == "附件" and sheet["A2"].value == "新建住宅小区养老服务用房投入运营指导数"
    assert [c.value for c in sheet[3]] == [
        "乡镇（街道）",
        "已建数",
        "已移交数",
        "未移交数",
        "指导数",
        None,
        None,
        None,
        "备注",
    ]
    assert [c.value for c in sheet[4]][4:8] == ["小计", "2025", "2026", "2027"]
    assert "E3:H3" in {str(r) for r in sheet.merged_cells.ranges}  # 指导数 over 小计 and the years
    towns = Region.objects.filter(code__startswith="350583", level=Level.STREET).count()
    assert sheet.cell(row=5, column=1).value == "溪美街道"
    assert sheet.cell(row=5 + towns, column=1).value == "合计"
    instructions = "\n".join(str(row[0].value) for row in book["填写说明"].iter_rows())
    assert "溪美" in instructions and "合计" in instructions


def test_download_fill_import(nanan):
    client = api_client_for(nanan.bureau_officer)
    book = _book(client.get(URL, {"county": "350583"}))
    sheet = book.active
    rows = {sheet.cell(row=r, column=1).value: r for r in range(5, sheet.max_row + 1)}
    for column, value in zip(range(2, 9), [6, 4, 2, 4, 1, 2, 1], strict=True):
        sheet.cell(row=rows["溪美街道"], column=column).value = value
    for column, value in zip(range(2, 9), [3, 3, "—", 3, 1, 1, 1], strict=True):
        sheet.cell(row=rows["梅山镇"], column=column).value = value
    for column, value in zip(range(2, 9), [9, 7, 2, 7, 2, 3, 2], strict=True):
        sheet.cell(row=rows["合计"], column=column).value = value
    filled = io.BytesIO()
    book.save(filled)
    filled.seek(0)
    filled.name = "指导数.xlsx"
    made = client.post(
        "/api/v1/guidance-targets/import/", {"county": "350583", "file": filled}, format="multipart"
    )
    assert made.status_code == 201, made.content
    ximei = GuidanceTarget.objects.get(town=nanan.ximei)
    assert (ximei.built, ximei.handed_over, ximei.subtotal, ximei.per_year) == (
        6,
        4,
        4,
        {"2025": 1, "2026": 2, "2027": 1},
    )
    assert GuidanceTarget.objects.get(town__name="梅山镇").not_handed_over == 0
    # the towns filled in; the template's other towns, left empty, are not in the table (not zeros)
    assert set(GuidanceTarget.objects.values_list("town__name", flat=True)) == {"溪美街道", "梅山镇"}


def test_without_a_county_the_template_has_room_for_the_towns(nanan):
    sheet = _book(api_client_for(nanan.bureau_officer).get(URL)).active
    assert (
        sheet.cell(row=5, column=1).value is None and sheet.cell(row=sheet.max_row, column=1).value == "合计"
    )


def test_the_template_needs_a_login_and_a_known_county(nanan):
    assert api_client_for(nanan.bureau_officer).get(URL, {"county": "999999"}).status_code == 404
    assert APIClient().get(URL).status_code in (401, 403)


def test_the_admin_import_page_links_the_template(nanan):
    client = Client()
    assert client.login(username="na_officer", password=PASSWORD)
    page = client.get("/admin/facilities/guidancetarget/import/").content.decode()
    assert 'href="/admin/facilities/guidancetarget/import/template/"' in page
    refused = client.post("/admin/facilities/guidancetarget/import/", {"county": "350583"}).content.decode()
    assert "/admin/facilities/guidancetarget/import/template/?county=350583" in refused
    assert _book(client.get("/admin/facilities/guidancetarget/import/template/", {"county": "350583"}))


def test_the_import_page_offers_only_the_users_counties_and_refuses_others_on_opening(nanan, world):
    bureau = Client()
    assert bureau.login(username="na_officer", password=PASSWORD)
    page = bureau.get("/admin/facilities/guidancetarget/import/").content.decode()
    assert 'value="350583"' in page and 'value="310105"' not in page
    # another county's template (its towns) is not theirs to download
    changning = Client()
    assert changning.login(username=world.changning_officer.username, password=PASSWORD)
    assert (
        changning.get("/admin/facilities/guidancetarget/import/template/", {"county": "350583"}).status_code
        == 404
    )
    # a town's officer is refused when opening the page, not after an upload
    town = Client()
    assert town.login(username="ximei_officer", password=PASSWORD)
    assert town.get("/admin/facilities/guidancetarget/import/").status_code == 403
