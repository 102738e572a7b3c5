"""The five lists' workbooks through the portal and the API: templates for everyone, exports
within the scope (posted versions for the public), imports into a draft all or nothing with every
problem listed beside the upload."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from checklists.models import ListKind
from tests.checklists.test_excel import book, real_services_table, stored
from tests.conftest import api_client_for

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _workbook(response):
    return load_workbook(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    )


def _upload(buffer, name="服务项目清单.xlsx"):
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=XLSX)


def test_the_templates_download_with_their_instructions(client):
    five = _workbook(client.get("/lists/templates/"))
    assert [name for name in five.sheetnames if "清单" in name] == [
        "服务项目清单",
        "服务设施清单",
        "政策支持清单",
        "资源对接清单",
        "责任分工清单",
    ]
    assert "填写说明" in five.sheetnames
    one = _workbook(client.get("/lists/templates/services/"))
    assert "服务项目清单" in one.sheetnames and "政策支持清单" not in one.sheetnames
    assert client.get("/lists/templates/nonsense/").status_code == 404


def test_a_company_imports_its_draft_from_the_station_page(world, client, draft):
    client.force_login(world.company_a_admin)
    page = client.get(f"/lists/manage/stations/{draft.station.pk}/")
    assert (
        'id="import-lists"' in page.content.decode() and "/lists/templates/services/" in page.content.decode()
    )
    response = client.post(
        f"/lists/manage/stations/{draft.station.pk}/",
        {"what": "import", "kind": "services", "file": _upload(real_services_table())},
    )
    assert response.status_code == 302
    names = list(draft.items.filter(kind=ListKind.SERVICES).values_list("name", flat=True))
    assert "社区助餐（午餐，两荤一素）" in names and "日间托养（全日）" in names


def test_a_bad_row_changes_nothing_and_is_listed_beside_the_upload(world, client, draft):
    before = stored(draft)
    bad = book(
        (
            "服务项目清单",
            [
                ["服务项目", "服务类别", "收费标准（元）", "单位", "收费性质"],
                ["社区助餐", "助餐", "12", "餐", "低偿"],
                ["上门助浴", "助浴", "-60", "次", "市场价"],
            ],
        )
    )
    client.force_login(world.company_a_admin)
    response = client.post(
        f"/lists/manage/stations/{draft.station.pk}/",
        {"what": "import", "kind": "services", "file": _upload(bad)},
    )
    assert response.status_code == 200
    errors = response.content.decode().split('id="import-errors"')[1].split("</ul>")[0]
    assert "服务项目清单" in errors and "3" in errors and "收费标准" in errors
    assert 'value="services" selected' in response.content.decode()  # the choice is kept
    assert stored(draft) == before


def test_exports_follow_the_scope(world, client, draft, sample):
    client.force_login(world.company_b_admin)
    assert client.get(f"/lists/versions/{draft.pk}/workbook/").status_code == 404
    client.logout()
    assert client.get(f"/lists/versions/{draft.pk}/workbook/").status_code == 404
    posted = _workbook(client.get(f"/lists/versions/{sample.pk}/workbook/"))
    assert posted["服务项目清单"].max_row > 3
    client.force_login(world.company_a_admin)
    own = _workbook(client.get(f"/lists/versions/{draft.pk}/workbook/duties/"))
    assert own.sheetnames == ["责任分工清单"]


def test_the_api_serves_templates_exports_and_imports(world, draft):
    api = api_client_for(world.company_a_admin)
    template = api.get("/api/v1/checklist-versions/template/?kind=policies")
    assert template.status_code == 200 and "政策支持清单" in _workbook(template).sheetnames
    assert api.get("/api/v1/checklist-versions/template/?kind=bogus").status_code == 400
    exported = _workbook(api.get(f"/api/v1/checklist-versions/{draft.pk}/workbook/"))
    assert len([name for name in exported.sheetnames if name.endswith("清单")]) == 5
    listed = _workbook(api.get(f"/api/v1/checklist-items/export/?version={draft.pk}&kind=duties"))
    assert listed.active.max_row >= 2
    imported = api.post(
        f"/api/v1/checklist-versions/{draft.pk}/import/",
        {"kind": "services", "file": _upload(real_services_table())},
        format="multipart",
    )
    assert imported.status_code == 200, imported.content
    assert imported.json()["items"]["services"] == draft.items.filter(kind=ListKind.SERVICES).count() >= 4
    before = stored(draft)
    refused = api.post(
        f"/api/v1/checklist-versions/{draft.pk}/import/",
        {
            "file": _upload(
                book(
                    (
                        "服务项目清单",
                        [
                            ["服务项目", "服务类别", "收费标准", "单位", "收费性质"],
                            ["助浴", "助浴", "60", "", "市场价"],
                        ],
                    )
                )
            )
        },
        format="multipart",
    )
    assert refused.status_code == 400
    rows = refused.json()["error"]["rows"]
    assert rows and rows[0]["sheet"] == "服务项目清单" and rows[0]["row"] == 2
    assert stored(draft) == before
    other = api_client_for(world.company_b_admin).post(
        f"/api/v1/checklist-versions/{draft.pk}/import/",
        {"kind": "services", "file": _upload(real_services_table())},
        format="multipart",
    )
    assert other.status_code == 404
