"""The published OpenAPI schema says what the API answers: the error format on every operation,
null where a value can be null, bare arrays where a collection action returns one. (The whole
contract is fuzzed by tests/test_schemathesis.py; these pin each rule on its own.)"""

import pytest
from drf_spectacular.generators import SchemaGenerator

from tests.conftest import api_client_for
from tests.factories import make_user

HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _component(schema, name):
    return schema["components"]["schemas"][name]


def _response_schema(schema, path, method="get", status="200"):
    return schema["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]


def test_every_operation_declares_the_error_format_for_400_401_403_404(schema):
    error = _component(schema, "Error")
    assert error["required"] == ["error"]
    assert set(error["properties"]["error"]["required"]) == {"code", "message"}
    missing = [
        f"{method.upper()} {path} {status}"
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if method in HTTP_METHODS
        for status in ("400", "401", "403", "404")
        if status not in operation["responses"]
    ]
    assert missing == []
    assert _response_schema(schema, "/api/v1/residents/{id}/", status="404") == {
        "$ref": "#/components/schemas/Error"
    }


@pytest.mark.parametrize(
    ("component", "field"),
    [("Order", "staff"), ("Order", "staff_name"), ("Region", "parent"), ("PointsEntry", "reward_name")],
)
def test_read_only_fields_that_can_be_null_are_nullable(schema, component, field):
    assert _component(schema, component)["properties"][field].get("nullable") is True


def test_staff_is_a_staff_member_id_wherever_it_appears(schema):
    """One meaning for ``staff``: the id of a staff member (``/api/v1/staff/{id}/``), with
    ``staff_name`` beside it in answers; never a login name."""
    found = {
        name: component["properties"]["staff"]
        for name, component in schema["components"]["schemas"].items()
        if "staff" in component.get("properties", {})
    }
    assert {
        "Order",
        "OrderActionRequest",
        "Record",
        "RecordRequest",
        "Qualification",
        "TrainingRecord",
    } <= set(found)
    assert {name: field["type"] for name, field in found.items()} == dict.fromkeys(found, "integer")
    answers = [name for name in found if not name.endswith("Request")]
    assert [name for name in answers if "staff_name" not in _component(schema, name)["properties"]] == []
    assert "assigned_to" not in _component(schema, "Order")["properties"]


def test_fields_that_are_not_always_present_are_not_required(schema):
    assert "warnings" not in _component(schema, "Resident").get("required", [])
    assert "distance_m" not in _component(schema, "Station").get("required", [])
    assert "name" in _component(schema, "Resident")["required"]  # the rest stays required


@pytest.mark.parametrize(
    ("path", "item"),
    [
        ("/api/v1/entrustment-agreements/expiring/", "Agreement"),
        ("/api/v1/qualifications/expiring/", "Qualification"),
        ("/api/v1/residents/overdue_visits/", "Resident"),
        ("/api/v1/stations/nearby/", "Station"),
        ("/api/v1/stations/revenue/", "Revenue"),
    ],
)
def test_collection_actions_are_documented_as_the_bare_arrays_they_return(schema, path, item):
    assert _response_schema(schema, path) == {
        "type": "array",
        "items": {"$ref": f"#/components/schemas/{item}"},
    }


def test_lists_stay_paginated(schema):
    assert _response_schema(schema, "/api/v1/residents/") == {
        "$ref": "#/components/schemas/PaginatedResidentList"
    }


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/staff/?station=-2.18e105", "station"),
        ("/api/v1/residents/?station=99999999999999999999", "station"),
        ("/api/v1/volunteer-activities/?team=-2.1e24", "team"),
    ],
)
def test_a_number_filter_beyond_any_database_integer_is_a_400_naming_the_field(world, url, field):
    response = api_client_for(make_user("filter_probe", world.company_a, "org_admin")).get(url)
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
