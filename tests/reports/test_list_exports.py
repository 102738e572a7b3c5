"""Every list exports exactly its filtered, scoped rows: admin change list, admin action, API."""

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from tests.conftest import api_client_for
from tests.factories import PASSWORD, OrganizationFactory

pytestmark = pytest.mark.django_db


def sheet_rows(response):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    ws = load_workbook(io.BytesIO(body)).worksheets[0]
    return list(ws.iter_rows(values_only=True))


def test_api_export_has_the_same_filtered_scoped_rows_as_the_list(world):
    client = api_client_for(world.changning_officer)
    listed = {
        row["name"]
        for row in client.get("/api/v1/organizations/", {"kind": "property_company"}).json()["results"]
    }
    response = client.get("/api/v1/organizations/export/", {"kind": "property_company"})
    assert response.status_code == 200
    assert "filename*=utf-8''" in response["Content-Disposition"]
    rows = sheet_rows(response)
    assert rows[0][:3] == ("单位名称", "单位类型", "统一社会信用代码")
    assert {row[0] for row in rows[1:]} == listed == {"甲物业", "乙物业"}
    assert rows[1][1] == "物业服务企业"


def test_api_export_queries_do_not_grow_with_rows(world, django_assert_num_queries):
    client = api_client_for(world.changning_officer)
    world.changning_officer.__dict__.pop("_scope_cache", None)
    # the scope, the bounded count against EXPORT_ASYNC_THRESHOLD, one streamed select with its region
    with django_assert_num_queries(3):
        client.get("/api/v1/organizations/export/")
    for n in range(50):
        OrganizationFactory(name=f"导出物业{n}", region=world.regions["310105004"])
    world.changning_officer.__dict__.pop("_scope_cache", None)
    with django_assert_num_queries(3):
        assert len(sheet_rows(client.get("/api/v1/organizations/export/"))) == 1 + 4 + 50


def test_company_export_contains_only_itself(world):
    rows = sheet_rows(api_client_for(world.company_a_admin).get("/api/v1/organizations/export/"))
    assert [row[0] for row in rows[1:]] == ["甲物业"]


def test_admin_export_follows_the_change_list_filters_and_scope(world):
    client = Client()
    client.login(username="cn_officer", password=PASSWORD)
    page = client.get("/admin/accounts/organization/", {"kind__exact": "street_office"}).content.decode()
    assert "/admin/accounts/organization/export/?kind__exact=street_office" in page
    rows = sheet_rows(client.get("/admin/accounts/organization/export/", {"kind__exact": "street_office"}))
    assert [row[0] for row in rows[1:]] == ["华阳路街道办事处"]
    everything = {row[0] for row in sheet_rows(client.get("/admin/accounts/organization/export/"))[1:]}
    assert "南安丙物业" not in everything and "甲物业" in everything


def test_admin_action_exports_the_selected_rows(world):
    client = Client()
    client.login(username="cn_officer", password=PASSWORD)
    response = client.post(
        "/admin/accounts/organization/",
        {
            "action": "export_selected",
            "_selected_action": [world.company_a.pk, world.company_b.pk],
        },
    )
    assert {row[0] for row in sheet_rows(response)[1:]} == {"甲物业", "乙物业"}


def test_region_export_is_public_and_filtered(seed_regions, api):
    rows = sheet_rows(api.get("/api/v1/regions/export/", {"parent": "310105"}))
    assert len(rows) == 1 + 10 and rows[1][3] == "310105"
