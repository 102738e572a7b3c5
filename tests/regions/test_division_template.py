"""The division list's template (API) read back by the import; codes and names as people type
them (full-width digits, spaces)."""

import io

from openpyxl import load_workbook
from rest_framework.test import APIClient

from regions.imports import import_division_file
from regions.models import Region


def test_download_fill_import(seed_regions):
    response = APIClient().get("/api/v1/regions/import/template/")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["区划", "填写说明"]
    sheet = book.active
    assert [c.value for c in sheet[2]] == ["区划代码", "名称"]
    sheet["A3"], sheet["B3"] = "３５０５８３１２１", "雪 峰"
    sheet["A4"], sheet["B4"] = "350583 122 000", "试点镇"
    sheet["A5"], sheet["B5"] = "合计", None
    filled = io.BytesIO()
    book.save(filled)
    filled.seek(0)
    result = import_division_file(filled, filename="区划.xlsx")
    assert result.changed == 2
    assert Region.objects.get(code="350583121").name == "雪峰"
    assert Region.objects.get(code="350583122").parent.code == "350583"
