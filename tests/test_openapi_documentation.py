"""The OpenAPI schema documents what integrators need (issue 15) and is built once, not per
request (issue 16, item 7): a summary for every operation, the error format with an example
for every 4xx, request and answer examples of the main operations, ``nearby/`` as what it
returns, every area in the description."""

import pytest
from django.utils import translation
from drf_spectacular.generators import SchemaGenerator

from config.urls import router
from core import openapi

HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def schema():
    with translation.override("en"):
        return SchemaGenerator().get_schema(request=None, public=True)


def _operations(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method in HTTP_METHODS:
                yield f"{method.upper()} {path}", operation


def test_every_operation_has_a_short_summary(schema):
    summaries = {name: operation.get("summary") for name, operation in _operations(schema)}
    assert [name for name, summary in summaries.items() if not summary] == []
    assert [name for name, summary in summaries.items() if len(summary) > 100] == []
    # a summary says what the operation does, not what its viewset is
    assert summaries["POST /api/v1/orders/{id}/assign/"] == "Assign an order to a staff member"
    assert summaries["GET /api/v1/orders/export/"] == "Export the filtered service orders to Excel"


def test_summaries_are_in_the_language_of_the_request():
    with translation.override("zh-hans"):
        schema = SchemaGenerator().get_schema(request=None, public=True)
    assert schema["paths"]["/api/v1/orders/{id}/assign/"]["post"]["summary"] == "将工单派给服务人员"


def test_every_4xx_answer_has_the_error_format_and_an_example(schema):
    missing = [
        f"{name} {status}"
        for name, operation in _operations(schema)
        for status in ("400", "401", "403", "404")
        if not operation["responses"][status]["content"]["application/json"].get("examples")
    ]
    assert missing == []
    examples = schema["components"]["examples"]
    assert examples["Error400_invalid"]["value"]["error"]["fields"]["staff"]
    assert examples["Error400_unknown_parameter"]["value"]["error"]["code"] == "invalid"
    assert examples["Error404_not_found"]["value"] == {
        "error": {"code": "not_found", "message": "Not found."}
    }


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/api/v1/orders/", "post"),
        ("/api/v1/orders/{id}/assign/", "post"),
        ("/api/v1/orders/{id}/complete/", "post"),
        ("/api/v1/service-records/", "post"),
    ],
)
def test_the_main_operations_have_request_and_answer_examples(schema, path, method):
    operation = schema["paths"][path][method]
    request = operation["requestBody"]["content"]["application/json"]["examples"]["example"]["value"]
    assert request
    answered = [code for code in ("200", "201") if code in operation["responses"]]
    answer = operation["responses"][answered[0]]["content"]["application/json"]["examples"]
    assert answer["example"]["value"]["staff_name"] is not None or path == "/api/v1/orders/"


def test_staff_in_the_examples_is_a_staff_member_id(schema):
    body = schema["paths"]["/api/v1/orders/{id}/assign/"]["post"]["requestBody"]["content"][
        "application/json"
    ]
    assert isinstance(body["examples"]["example"]["value"]["staff"], int)


def test_nearby_is_documented_as_the_bare_array_it_returns(schema):
    operation = schema["paths"]["/api/v1/stations/nearby/"]["get"]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"]["type"] == "array"
    assert "distance_m" in operation["description"] and "not paged" in operation["description"]
    assert operation["responses"]["200"]["content"]["application/json"]["examples"]["example"]["value"][0][
        "distance_m"
    ]
    assert {parameter["name"] for parameter in operation["parameters"]} >= {"lat", "lng", "radius"}


def test_the_description_lists_every_area_of_the_api(schema):
    description = schema["info"]["description"]
    prefixes = {prefix for prefix, _viewset, _basename in router.registry}
    assert [prefix for prefix in sorted(prefixes) if f"`{prefix}/" not in description] == []
    for convention in ("`staff`", "export/", "cursor", "Accept-Language"):
        assert convention in description


@pytest.fixture
def fresh_cache():
    openapi.clear_schema_cache()
    yield
    openapi.clear_schema_cache()


@pytest.mark.django_db
def test_the_schema_is_generated_once_and_then_served_from_the_cache(
    client, fresh_cache, monkeypatch, django_assert_num_queries
):
    calls = []
    generate = SchemaGenerator.get_schema

    def counted(self, *args, **kwargs):
        calls.append(1)
        return generate(self, *args, **kwargs)

    monkeypatch.setattr(SchemaGenerator, "get_schema", counted)
    first = client.get("/api/v1/schema/")
    assert first.status_code == 200 and len(calls) == 1
    with django_assert_num_queries(0):
        second = client.get("/api/v1/schema/")
    assert len(calls) == 1  # not generated again
    assert second.status_code == 200
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    assert second["Content-Disposition"] == first["Content-Disposition"]


@pytest.mark.django_db
def test_each_language_and_format_is_cached_apart(client, fresh_cache):
    chinese = client.get("/api/v1/schema/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    english = client.get("/api/v1/schema/", HTTP_ACCEPT_LANGUAGE="en")
    as_json = client.get(
        "/api/v1/schema/", HTTP_ACCEPT_LANGUAGE="en", HTTP_ACCEPT="application/vnd.oai.openapi+json"
    )
    assert "将工单派给服务人员" in chinese.content.decode()
    assert "Assign an order to a staff member" in english.content.decode()
    assert as_json.json()["paths"]["/api/v1/orders/{id}/assign/"]["post"]["summary"] == (
        "Assign an order to a staff member"
    )
    assert client.get("/api/v1/schema/", HTTP_ACCEPT_LANGUAGE="zh-hans").content == chinese.content
