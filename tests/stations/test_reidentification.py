"""Issue 10, item 2: the masked identity number hides exactly the birth date, so no surface a
user without the reveal permission reaches may show the date next to it: API list, detail,
overdue list and search, the export, the portal pages and the admin show the birth year and the
age reached this year only. The full values come from the audited reveal."""

import io
import re

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import AuditEntry
from stations import services
from stations.models import Resident
from tests.conftest import api_client_for
from tests.factories import PASSWORD
from tests.stations.conftest import CHANGNING_ID, id_number

pytestmark = pytest.mark.django_db

# CHANGNING_ID = 310105 19400315 202x: born 15 March 1940
BIRTH_DATE_FORMS = ("1940-03-15", "19400315", "1940/03/15", "1940年3月15日", "03-15", "3月15日")
FULL_ID = re.compile(r"\d{17}[\dXx]")


def assert_not_completable(text: str) -> None:
    assert CHANGNING_ID not in text
    assert not FULL_ID.search(text), FULL_ID.search(text)
    for form in BIRTH_DATE_FORMS:
        assert form not in text, form


def logged_in(username):
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


@pytest.mark.parametrize("who", ["company_a_admin", "changning_viewer"])
def test_api_answers_show_the_birth_year_never_the_date(world, resident, who):
    client = api_client_for(getattr(world, who))
    listed = client.get("/api/v1/residents/")
    detail = client.get(f"/api/v1/residents/{resident.pk}/")
    overdue = client.get("/api/v1/residents/overdue_visits/")
    found = client.post("/api/v1/residents/search/", {"id_number": CHANGNING_ID}, format="json")
    assert [r.status_code for r in (listed, detail, overdue, found)] == [200, 200, 200, 200]
    assert listed.json()["results"][0]["id"] == resident.pk and overdue.json()[0]["id"] == resident.pk
    body = detail.json()
    assert "birth_date" not in body and body["id_number_masked"] == resident.id_number_masked
    assert body["birth_year"] == 1940 and body["age"] == timezone.localdate().year - 1940
    for response in (listed, detail, overdue, found):
        assert_not_completable(response.content.decode())


def test_registering_answers_without_the_birth_date(world, station_a):
    response = api_client_for(world.company_a_admin).post(
        "/api/v1/residents/",
        {
            "name": "李阿婆",
            "id_number": CHANGNING_ID,
            "community": "310105001",
            "station": station_a.pk,
        },
        format="json",
    )
    assert response.status_code == 201
    assert_not_completable(response.content.decode())


def test_ordering_by_the_birth_date_is_not_offered(world, resident, station_a):
    # Sorting by the hidden date would let anyone bisect it against people whose date is known.
    services.register_resident(
        by=world.company_a_admin,
        station=station_a,
        name="王老伯",
        id_number=id_number("31010519301201301"),
        community=world.regions["310105001"],
    )
    client = api_client_for(world.company_a_admin)
    default = [r["name"] for r in client.get("/api/v1/residents/").json()["results"]]
    assert default == ["王老伯", "李阿婆"]  # newest first
    for ordering in ("birth_date", "-birth_date", "age", "birth_year", "id_number_masked"):
        response = client.get("/api/v1/residents/", {"ordering": ordering})
        assert response.status_code == 200 and [r["name"] for r in response.json()["results"]] == default


@pytest.mark.parametrize("who", ["company_a_admin", "changning_viewer"])
def test_export_carries_the_birth_year_not_the_date(world, resident, who):
    response = api_client_for(getattr(world, who)).get("/api/v1/residents/export/")
    rows = list(
        load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
        .worksheets[0]
        .iter_rows(values_only=True)
    )
    header = rows[0]
    assert "出生日期" not in header and "出生年份" in header
    assert rows[1][header.index("出生年份")] == 1940
    assert_not_completable(str(rows))


def test_portal_pages_show_the_birth_year_not_the_date(world, resident, station_a):
    company = logged_in("a_admin")
    pages = [
        company.get("/stations/residents/"),
        company.get(f"/stations/residents/{resident.pk}/"),
        company.post("/stations/residents/", {"q": CHANGNING_ID}),
        company.get(f"/stations/manage/{station_a.pk}/"),
        logged_in("cn_viewer").get(f"/stations/residents/{resident.pk}/"),
    ]
    assert [page.status_code for page in pages] == [200] * 5
    assert "1940" in pages[1].content.decode()
    for page in pages:
        assert_not_completable(page.content.decode())


@pytest.mark.parametrize("username", ["cn_officer", "cn_viewer"])
def test_admin_list_detail_and_search_show_no_birth_date(world, resident, username):
    client = logged_in(username)
    pages = [
        client.get("/admin/stations/resident/"),
        client.get(f"/admin/stations/resident/{resident.pk}/change/"),
        client.get("/admin/stations/resident/", {"q": "李"}),
    ]
    assert [page.status_code for page in pages] == [200, 200, 200]
    assert resident.id_number_masked in pages[1].content.decode()
    for page in pages:
        assert_not_completable(page.content.decode())


def test_reveal_gives_the_birth_date_to_holders_of_the_permission_and_is_audited(world, resident):
    client = api_client_for(world.company_a_admin)
    assert client.get(f"/api/v1/residents/{resident.pk}/reveal/").status_code == 403
    world.company_a_admin.user_permissions.add(Permission.objects.get(codename="view_personal_data_resident"))
    user = type(world.company_a_admin).objects.get(pk=world.company_a_admin.pk)
    shown = api_client_for(user).get(f"/api/v1/residents/{resident.pk}/reveal/").json()
    assert shown["birth_date"] == "1940-03-15" and shown["id_number"] == CHANGNING_ID
    entry = AuditEntry.objects.get(action="pii_read", actor=user)
    assert "birth_date" in entry.note and entry.object_id == str(resident.pk)
    page = logged_in("a_admin")
    page.force_login(user)
    revealed = page.post(f"/stations/residents/{resident.pk}/", {"reveal": "1"}).content.decode()
    assert "1940-03-15" in revealed and AuditEntry.objects.filter(action="pii_read").count() == 2


def test_the_audit_log_keeps_the_birth_date_secret(world, resident):
    created = AuditEntry.objects.get(
        action="create", object_id=str(resident.pk), content_type__model="resident"
    )
    assert created.changes["birth_date"] == ["***", "***"]
    assert_not_completable(str(created.changes) + created.object_repr)
    assert Resident.objects.get(pk=resident.pk).birth_year == 1940
