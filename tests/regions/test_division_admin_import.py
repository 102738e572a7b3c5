"""The division list's upload in the admin (the administrator's road beside ``import_regions``):
the template linked beside the control, every problem listed at once, nothing written on a bad
file, and no upload for anyone but a system administrator."""

import io

from django.contrib.auth import get_user_model
from django.test import Client
from openpyxl import Workbook, load_workbook

from regions.models import Region
from tests.factories import PASSWORD

PAGE = "/admin/regions/region/import/"
TEMPLATE = "/admin/regions/region/import/template/"


def _root():
    get_user_model().objects.create_superuser("root_regions", "root@example.com", PASSWORD)
    client = Client()
    assert client.login(username="root_regions", password=PASSWORD)
    return client


def _sheet(rows):
    book = Workbook()
    sheet = book.active
    sheet.append(["行政区划代码表"])
    sheet.append(["区划代码", "名称"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "区划.xlsx"
    return buffer


def test_the_page_links_the_template_and_imports(seed_regions):
    client = _root()
    page = client.get(PAGE).content.decode()
    assert f'href="{TEMPLATE}"' in page
    assert f'href="{PAGE}"' in client.get("/admin/regions/region/").content.decode()
    book = load_workbook(io.BytesIO(client.get(TEMPLATE).content))
    assert book.sheetnames == ["区划", "填写说明"]
    response = client.post(PAGE, {"file": _sheet([["３５０５８３２０２", "试 点 乡"]])})
    assert response.status_code == 302
    assert Region.objects.get(code="350583202").name == "试点乡"


def test_every_problem_at_once_and_nothing_written(seed_regions):
    client = _root()
    before = Region.objects.count()
    rows = [["350583202", "试点乡"], ["12345", "坏代码"], ["350583203", None], ["350583202", "另一个名字"]]
    page = client.post(PAGE, {"file": _sheet(rows)}).content.decode()
    assert "个问题" in page or "problems" in page
    assert page.count("<li>工作表") + page.count("<li>Sheet") == 3, page
    assert "第 4 行" in page and "第 5 行" in page and "第 6 行" in page
    assert Region.objects.count() == before


def test_only_a_system_administrator_uploads(world):
    client = Client()
    assert client.login(username=world.changning_officer.username, password=PASSWORD)
    assert client.get(PAGE).status_code in (302, 403)
    assert client.get(TEMPLATE).status_code in (302, 403)
