"""What integrators run into (issue 15): one meaning for ``staff``; unknown addresses, malformed
cursors and unknown filters answered as errors in the one format; bodies that are not JSON
refused in the user's language; ``export/`` on every list, with exactly the list's rows.

The list checks are generated from the API router: a new list is checked without a line here.
"""

from __future__ import annotations

import base64
import io
import tempfile

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from drf_spectacular.generators import SchemaGenerator
from rest_framework.pagination import CursorPagination
from rest_framework.test import APIClient

from accounts import services as account_services
from accounts.exports import ORGANIZATIONS
from accounts.models import Organization, User
from config.urls import router
from reports import jobs as export_jobs
from reports.exporting import ExportDefinition
from tests.conftest import api_client_for
from tests.demo_rows import add_rows_the_demo_leaves_empty

pytestmark = pytest.mark.django_db

PAGING = {"page", "page_size", "cursor", "ordering", "format"}


def list_routes():
    """(prefix, viewset) of every list the router serves."""
    for prefix, viewset, _basename in router.registry:
        if hasattr(viewset, "list"):
            yield prefix, viewset


LISTS = sorted(dict(list_routes()).items())
CURSOR_LISTS = [
    prefix for prefix, viewset in LISTS if issubclass(viewset.pagination_class or object, CursorPagination)
]


@pytest.fixture(scope="module")
def list_parameters():
    """The query parameters the published schema documents for each list."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        path.removeprefix("/api/v1/").rstrip("/"): [
            parameter["name"]
            for parameter in operations["get"].get("parameters", [])
            if parameter["in"] == "query"
        ]
        for path, operations in schema["paths"].items()
        if "get" in operations and operations["get"]["operationId"].endswith("_list")
    }


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo data, with a row in the lists the demo leaves empty, loaded once for the module
    and rolled back at its end. Answers the platform administrator, who sees every row."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", stdout=io.StringIO())
        admin = User.objects.get(username="admin")
        with tempfile.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media):
            _fill_empty_lists(admin)
            yield admin
        transaction.set_rollback(True)


def _fill_empty_lists(admin):
    """A token, a finished export, a link request, a care-room alteration and a supervision check."""
    account_services.issue_token(admin, name="集成测试", by=admin)
    export_jobs.submit_export(
        ORGANIZATIONS, Organization.objects.all(), user=admin, channel="api", filters={}
    )
    add_rows_the_demo_leaves_empty("integrator")


def _client(user, language="en"):
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    client.force_authenticate(user)
    return client


# --- unknown addresses and malformed cursors ---------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/api/v1/nothing/", "/api/v1/nothing", "/api/v1/orders/1/nothing/", "/api/v2/"]
)
def test_an_unknown_api_address_is_a_json_404_in_the_error_format(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "not_found"
    assert "/api/v1/" in response.json()["error"]["message"]


def test_an_unknown_portal_address_is_still_the_portal_page(client):
    response = client.get("/nothing-here/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


BAD_CURSORS = ["zzz", "!!", "cD1hYmM=", base64.b64encode(b"x=1").decode(), base64.b64encode(b"o=-5").decode()]


@pytest.mark.parametrize("cursor", BAD_CURSORS)
@pytest.mark.parametrize("prefix", CURSOR_LISTS)
def test_a_malformed_cursor_is_a_400_naming_cursor(world, prefix, cursor):
    response = api_client_for(world.changning_officer).get(f"/api/v1/{prefix}/", {"cursor": cursor})
    assert response.status_code == 400, response.content[:300]
    assert list(response.json()["error"]["fields"]) == ["cursor"]


def test_cursor_lists_are_found():
    assert {"orders", "service-records"} <= set(CURSOR_LISTS)


# --- unknown query parameters ------------------------------------------------------------------


@pytest.mark.parametrize("action", ["", "export/"])
@pytest.mark.parametrize(("prefix", "viewset"), LISTS)
def test_every_list_refuses_an_unknown_parameter_naming_it(demo, prefix, viewset, action, list_parameters):
    response = _client(demo).get(f"/api/v1/{prefix}/{action}", {"staus": "open"})
    assert response.status_code == 400, (prefix, response.status_code, response.content[:300])
    message = response.json()["error"]["fields"]["staus"][0]
    assert message.startswith("Unknown parameter “staus”. This list accepts: ")
    accepted = set(
        message.removeprefix("Unknown parameter “staus”. This list accepts: ").rstrip(".").split(", ")
    )
    # every filter the documentation gives is among the accepted ones
    assert set(list_parameters[prefix]) - accepted == set()


@pytest.mark.parametrize(("prefix", "viewset"), LISTS)
def test_no_documented_list_parameter_is_refused_as_unknown(demo, prefix, viewset, list_parameters):
    query = {name: "1" for name in list_parameters[prefix] if name not in PAGING}
    response = _client(demo).get(f"/api/v1/{prefix}/", query)
    if response.status_code == 400:
        fields = response.json()["error"]["fields"]
        assert [name for name, errors in fields.items() if "Unknown parameter" in errors[0]] == []
    else:
        assert response.status_code == 200, (prefix, response.content[:300])


def test_a_known_filter_still_filters(world):
    client = api_client_for(world.changning_officer)
    everything = client.get("/api/v1/organizations/").json()["count"]
    companies = client.get("/api/v1/organizations/", {"kind": "property_company"}).json()["count"]
    assert 0 < companies < everything


# --- staff: a staff member's id everywhere -----------------------------------------------------


@pytest.mark.parametrize("prefix", ["orders", "service-records", "qualifications", "training-records"])
def test_a_login_name_as_the_staff_filter_is_refused_saying_what_staff_is(world, prefix):
    response = _client(world.changning_officer).get(f"/api/v1/{prefix}/", {"staff": "company_staff"})
    assert response.status_code == 400
    message = response.json()["error"]["fields"]["staff"][0]
    assert "/api/v1/staff/" in message and "login name" in message


def test_the_old_assigned_to_field_of_an_order_body_is_refused_naming_staff(world):
    response = _client(world.company_a_admin).post("/api/v1/orders/", {"assigned_to": "wang"}, format="json")
    assert response.status_code == 400
    assert "“staff”" in response.json()["error"]["fields"]["assigned_to"][0]


# --- bodies that are not JSON, values of the wrong type ----------------------------------------


def test_a_body_that_is_not_json_is_refused_in_chinese_by_default(world):
    client = api_client_for(world.changning_officer)
    response = client.post("/api/v1/organizations/", data="{bad", content_type="application/json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "parse_error"
    assert error["message"].startswith("请求正文不是有效的 JSON：第 1 行第 2 列")


def test_a_body_that_is_not_json_is_refused_in_english_when_asked(world):
    client = _client(world.changning_officer)
    response = client.post("/api/v1/organizations/", data='{"name": }', content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith(
        "The request body is not valid JSON: line 1, column 10."
    )


@pytest.mark.parametrize(("language", "expected"), [("zh-hans", "类型错误"), ("en", "Incorrect type")])
def test_a_value_of_the_wrong_type_is_named_in_the_users_language(world, language, expected):
    client = _client(world.company_a_admin, language)
    response = client.post("/api/v1/orders/", {"resident": "王阿姨", "station": [1]}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["station"][0].startswith(expected)


def test_a_list_where_an_object_is_expected_is_refused_in_chinese(world):
    response = api_client_for(world.changning_officer).post("/api/v1/organizations/", [1, 2], format="json")
    assert response.status_code == 400
    assert "字典" in response.json()["error"]["fields"]["non_field_errors"][0]


# --- export/ on every list: exactly the list's rows --------------------------------------------


def test_every_list_has_an_export():
    assert [prefix for prefix, viewset in LISTS if not hasattr(viewset, "export")] == []
    assert [prefix for prefix, viewset in LISTS if getattr(viewset, "export_definition", None) is None] == []


def _key(viewset):
    return "id" if viewset.lookup_field == "pk" else viewset.lookup_field


def _listed(client, viewset, url, query):
    """The lookup values of every row of the list, following its pages."""
    key = _key(viewset)
    found, response = [], client.get(url, {**query, "page_size": 200})
    while True:
        assert response.status_code == 200, (url, response.content[:300])
        body = response.json()
        found += [row[key] for row in body["results"]]
        if not body.get("next"):
            return found, body["results"]
        response = client.get(body["next"])


@pytest.fixture
def exported(monkeypatch):
    """The lookup values of the rows each export wrote, read from the queryset it was given."""
    rows = []
    original = ExportDefinition.sheets

    def sheets(definition, queryset):
        rows.append(queryset)
        return original(definition, queryset)

    monkeypatch.setattr(ExportDefinition, "sheets", sheets)
    return rows


def _filter_from(first_row, parameters):
    for name in parameters:
        value = first_row.get(name)
        if name not in PAGING and isinstance(value, bool | int | str) and value != "":
            return {name: str(value).lower() if isinstance(value, bool) else value}
    return {}


@pytest.mark.parametrize(("prefix", "viewset"), LISTS)
def test_every_export_writes_exactly_the_filtered_rows_of_its_list(
    demo, prefix, viewset, exported, list_parameters
):
    client = _client(demo)
    url = f"/api/v1/{prefix}/"
    listed, first_page = _listed(client, viewset, url, {})
    queries = [{}]
    if first_page:
        queries.append(_filter_from(first_page[0], list_parameters[prefix]))
    for query in queries:
        listed, _page = _listed(client, viewset, url, query)
        response = client.get(f"{url}export/", query)
        assert response.status_code == 200, (prefix, query, response.content[:300])
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        # every sheet's rows (a list may be written as a sheet per kind, e.g. the scorecards)
        written = [
            value for queryset in exported for value in queryset.values_list(viewset.lookup_field, flat=True)
        ]
        exported.clear()
        assert written, (prefix, query, "the demo has rows of every list")
        assert sorted(map(str, written)) == sorted(map(str, listed)), (prefix, query)
        b"".join(response.streaming_content)


def test_a_filter_narrows_an_export_to_the_filtered_rows(demo, exported):
    client = _client(demo)
    all_orders = client.get("/api/v1/orders/export/")
    assert all_orders.status_code == 200
    everything = set(exported.pop().values_list("pk", flat=True))
    response = client.get("/api/v1/orders/export/", {"status": "completed"})
    assert response.status_code == 200
    completed = set(exported.pop().values_list("pk", flat=True))
    assert completed < everything
    listed = {row["id"] for row in client.get("/api/v1/orders/", {"status": "completed"}).json()["results"]}
    assert completed == listed
