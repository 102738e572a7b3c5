"""API wiring: one error format, page-size cap, OpenAPI schema, health check."""

import pytest
import redis
from django.core.management import call_command

from tests.conftest import api_client_for, need

pytestmark = pytest.mark.django_db


def test_validation_errors_name_the_field_in_one_format(world):
    response = api_client_for(world.changning_officer).post(
        "/api/v1/organizations/",
        {
            "kind": "property_company",
            "name": "坏代码物业",
            "region": "310105001",
            "credit_code": "91310105MA1FL00000",
        },
        format="json",
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert list(error["fields"]) == ["credit_code"]
    assert "统一社会信用代码" in error["fields"]["credit_code"][0]


def test_company_without_credit_code_is_refused(world):
    response = api_client_for(world.changning_officer).post(
        "/api/v1/organizations/",
        {
            "kind": "property_company",
            "name": "无代码物业",
            "region": "310105001",
            "credit_code": "",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "credit_code" in response.json()["error"]["fields"]


def test_unknown_region_is_named(world):
    response = api_client_for(world.changning_officer).post(
        "/api/v1/organizations/", {"kind": "other", "name": "x", "region": "999999"}, format="json"
    )
    assert response.status_code == 400
    assert "region" in response.json()["error"]["fields"]


def test_page_size_is_capped(seed_regions, api):
    body = api.get("/api/v1/regions/", {"page_size": 100000}).json()
    assert len(body["results"]) == min(200, body["count"])
    assert body["count"] == len(seed_regions)


def test_openapi_schema_validates_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    text = target.read_text()
    assert "/api/v1/organizations/" in text and "bearerAuth" in text


def test_swagger_ui_is_served_without_a_cdn(client):
    page = client.get("/api/v1/docs/").content.decode()
    assert "swagger-ui" in page
    assert "cdn" not in page.lower()


def test_health_check_reports_database_and_redis(client, settings):
    body = client.get("/healthz").json()
    assert body["database"] == "ok"
    if settings.REDIS_URL:
        assert body["redis"] == "ok"
    else:
        assert body["redis"] == "not configured"


def test_health_check_fails_when_redis_is_unreachable(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["redis"].startswith("error")


def test_redis_is_reachable_when_required(settings):
    need(bool(settings.REDIS_URL), "REDIS_URL is not set")

    assert redis.Redis.from_url(settings.REDIS_URL).ping()
