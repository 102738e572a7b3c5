"""The score sheet's template: served beside the import (API and admin), read back when filled."""

import io

from django.test import Client
from openpyxl import load_workbook

from staff.models import TrainingRecord
from tests.conftest import api_client_for
from tests.factories import PASSWORD

from .test_score_import import people  # noqa: F401 (fixture)


def _book(response):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content))


def test_download_fill_import(world, pre_job, people):  # noqa: F811
    client = api_client_for(world.changning_officer)
    url = f"/api/v1/training-sessions/{pre_job.pk}/import-scores/"
    book = _book(client.get(url + "template/"))
    assert book.sheetnames == ["考核成绩", "填写说明"]
    sheet = book.active
    assert sheet["A1"].value == f"{pre_job.title}考核成绩登记表"
    assert [c.value for c in sheet[2]] == [
        "序号",
        "姓名",
        "手机号",
        "是否出勤",
        "理论成绩",
        "实操成绩",
        "证书编号",
    ]
    for row, values in (
        (3, [1, "张三", None, "是", 88, 92]),
        (4, [2, "王五", "13900000004", "否", "—", "无"]),
    ):
        for column, value in enumerate(values, start=1):
            sheet.cell(row=row, column=column).value = value
    filled = io.BytesIO()
    book.save(filled)
    filled.seek(0)
    filled.name = "成绩.xlsx"
    assert client.post(url, {"file": filled}, format="multipart").json() == {"rows": 2}
    zhang = TrainingRecord.objects.get(staff=people["zhang"])
    assert zhang.passed and zhang.theory_score == 88
    assert not TrainingRecord.objects.get(staff=people["wang_b"]).attended


def test_another_regions_officer_gets_no_template(world, pre_job):
    url = f"/api/v1/training-sessions/{pre_job.pk}/import-scores/template/"
    assert api_client_for(world.nanan_officer).get(url).status_code in (403, 404)
    assert api_client_for(world.company_a_admin).get(url).status_code in (403, 404)


def test_the_admin_import_page_links_the_template(world, pre_job):
    client = Client()
    assert client.login(username="cn_officer", password=PASSWORD)
    page = client.get(f"/admin/staff/trainingsession/{pre_job.pk}/import-scores/").content.decode()
    link = f"/admin/staff/trainingsession/{pre_job.pk}/import-scores/template/"
    assert f'href="{link}"' in page
    assert _book(client.get(link)).sheetnames == ["考核成绩", "填写说明"]
    other = Client()
    assert other.login(username="na_officer", password=PASSWORD)
    assert other.get(link).status_code in (302, 403, 404)
