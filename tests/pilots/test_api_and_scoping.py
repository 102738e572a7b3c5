"""The pilots API: actions call the same services; a company never sees another's application
anywhere (API, export, admin, portal); list endpoints cost a fixed number of queries."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from pilots import services
from pilots.models import Mode, Programme
from tests.conftest import api_client_for
from tests.factories import PASSWORD, OrganizationFactory, make_user
from tests.pilots.conftest import FULL_FORM

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_applicant_creates_uploads_and_submits_through_the_api(world, call):
    client = api_client_for(world.company_a_admin)
    response = client.post(
        "/api/v1/applications/",
        {
            "programme": call.pk,
            "organization": world.company_a.pk,
            "pilot_type": "property_care",
            "site_region": "310105001",
            **FULL_FORM,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    upload = SimpleUploadedFile("申报表.pdf", b"%PDF-1.4\n%%EOF\n")
    assert (
        client.post(
            f"/api/v1/applications/{pk}/attachments/", {"file": upload}, format="multipart"
        ).status_code
        == 201
    )
    spoof = SimpleUploadedFile("病毒.pdf", b"MZ\x90\x00" + b"\0" * 50)
    refused = client.post(f"/api/v1/applications/{pk}/attachments/", {"file": spoof}, format="multipart")
    assert (
        refused.status_code == 400 and "病毒.pdf" in refused.json()["error"]["fields"]["non_field_errors"][0]
    )
    submitted = client.post(f"/api/v1/applications/{pk}/submit/", {}, format="json")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    assert submitted.json()["versions"][0]["data"]["attachments"] == ["申报表.pdf"]


def test_review_actions_through_the_api_follow_the_rules(world, draft):
    services.transition(draft, "submit", by=world.company_a_admin)
    forbidden = api_client_for(world.changning_officer).post(
        f"/api/v1/applications/{draft.pk}/recommend/", {}
    )
    assert forbidden.status_code == 403
    returned = api_client_for(world.street_officer).post(
        f"/api/v1/applications/{draft.pk}/return/", {"text": ""}
    )
    assert returned.status_code == 400 and "text" in returned.json()["error"]["fields"]
    ok = api_client_for(world.street_officer).post(
        f"/api/v1/applications/{draft.pk}/recommend/", {"text": "推荐"}
    )
    assert ok.status_code == 200 and ok.json()["opinions"][0]["decision"] == "recommend"
    approved = api_client_for(world.changning_officer).post(f"/api/v1/applications/{draft.pk}/approve/", {})
    assert approved.json()["status"] == "approved"
    pilots = api_client_for(world.company_a_admin).get("/api/v1/pilots/").json()
    assert [p["organization_name"] for p in pilots["results"]] == ["甲物业"]


def test_a_company_never_sees_another_companys_application(world, call, draft):
    other = services.create_application(
        by=world.company_b_admin,
        programme=call,
        organization=world.company_b,
        pilot_type="mutual_aid",
        site_region=world.regions["310105008"],
        **FULL_FORM,
    )
    client = api_client_for(world.company_b_admin)
    assert [a["id"] for a in client.get("/api/v1/applications/").json()["results"]] == [other.pk]
    assert client.get(f"/api/v1/applications/{draft.pk}/").status_code == 404
    assert client.post(f"/api/v1/applications/{draft.pk}/submit/").status_code == 404
    assert client.get("/api/v1/opinions/", {"application": draft.pk}).json()["count"] == 0
    rows = list(
        load_workbook(io.BytesIO(b"".join(client.get("/api/v1/applications/export/").streaming_content)))
        .worksheets[0]
        .iter_rows(values_only=True)
    )
    assert [row[3] for row in rows[3:]] == ["乙物业"]  # title row and a two-row header
    portal = Client()
    portal.login(username="b_admin", password=PASSWORD)
    assert portal.get(f"/pilots/applications/{draft.pk}/").status_code == 404
    assert "甲物业" not in portal.get("/pilots/applications/").content.decode()


def test_street_office_sees_only_its_streets_applications(world, call, draft, other_street_officer):
    # a draft is the unit's unsent work: not listed to the street until it is submitted
    assert api_client_for(world.street_officer).get("/api/v1/applications/").json()["count"] == 0
    services.transition(draft, "submit", by=world.company_a_admin)
    assert api_client_for(world.street_officer).get("/api/v1/applications/").json()["count"] == 1
    assert api_client_for(other_street_officer).get("/api/v1/applications/").json()["count"] == 0
    assert api_client_for(world.nanan_officer).get("/api/v1/applications/").json()["count"] == 0


def test_pilot_list_is_public_only_once_published(world, draft, api):
    services.transition(draft, "submit", by=world.company_a_admin)
    services.transition(draft, "recommend", by=world.street_officer)
    services.transition(draft, "approve", by=world.changning_officer)
    assert api.get("/api/v1/pilots/").json()["count"] == 0
    assert Client().get(f"/pilots/programmes/{draft.programme_id}/pilots/").status_code == 404
    services.publish_pilot_list(draft.programme, by=world.changning_officer)
    assert api.get("/api/v1/pilots/").json()["count"] == 1
    page = Client().get(f"/pilots/programmes/{draft.programme_id}/pilots/").content.decode()
    assert "甲物业" in page and "物业服务+养老服务" in page


def _count(client, url):
    client.get(url)  # warm: the scope kept across requests
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_application_list_queries_do_not_grow_with_rows(world, call):
    def add(n):
        for i in range(n):
            company = OrganizationFactory(name=f"量物业{i}-{n}", region=world.regions["310105001"])
            user = make_user(f"q{i}-{n}", company, "org_admin")
            app = services.create_application(
                by=user,
                programme=call,
                organization=company,
                pilot_type="mutual_aid",
                site_region=world.regions["310105001"],
                **FULL_FORM,
            )
            services.transition(app, "submit", by=user)
            services.transition(app, "recommend", by=world.street_officer, text="推荐")

    client = api_client_for(world.changning_officer)
    add(3)
    world.changning_officer.__dict__.pop("_scope_cache", None)
    small = _count(client, "/api/v1/applications/")
    add(12)
    world.changning_officer.__dict__.pop("_scope_cache", None)
    large = _count(client, "/api/v1/applications/")
    assert small == large
    admin = Client()
    admin.login(username="cn_officer", password=PASSWORD)
    before = _count(admin, "/admin/pilots/application/")
    add(5)
    assert _count(admin, "/admin/pilots/application/") == before


def test_bureau_designates_a_pilot_through_the_api(world):
    programme = Programme.objects.create(
        title="直接确定", mode=Mode.DESIGNATED, region=world.regions["310105"]
    )
    programme.issuers.add(world.changning_bureau)
    data = {"organization": world.company_b.pk, "pilot_type": "property_care", "site_region": "310105008"}
    assert (
        api_client_for(world.street_officer)
        .post(f"/api/v1/programmes/{programme.pk}/designate/", data, format="json")
        .status_code
        == 404
    )  # not announced: not visible
    response = api_client_for(world.changning_officer).post(
        f"/api/v1/programmes/{programme.pk}/designate/", data, format="json"
    )
    assert response.status_code == 201 and response.json()["organization_name"] == "乙物业"


def test_programme_and_pilot_lists_cost_fixed_queries(world, api):

    def add(n):
        for i in range(n):
            programme = Programme.objects.create(
                title=f"方案{i}-{n}",
                mode=Mode.DESIGNATED,
                region=world.regions["310105"],
                announced_at=timezone.now(),
                list_published_at=timezone.now(),
            )
            programme.issuers.add(world.changning_bureau)
            company = OrganizationFactory(name=f"名单物业{i}-{n}", region=world.regions["310105002"])
            services.designate_pilot(
                programme,
                by=world.changning_officer,
                organization=company,
                pilot_type="property_care",
                site_region=world.regions["310105002"],
            )

    add(2)
    small = (_count(api, "/api/v1/programmes/"), _count(api, "/api/v1/pilots/"))
    add(10)
    assert (_count(api, "/api/v1/programmes/"), _count(api, "/api/v1/pilots/")) == small
