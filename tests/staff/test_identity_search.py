"""Issue 10, item 5 for staff: no ``?phone=`` in URLs or access logs; an exact search on phone or
identity number is posted (API ``staff/search/``, the portal's search form) and answers the
scoped matches only, masked."""

import pytest
from django.test import Client

from accounts.pii import blind_index
from tests.conftest import api_client_for
from tests.factories import PASSWORD, make_staff
from tests.stations.conftest import CHANGNING_ID, id_number

pytestmark = pytest.mark.django_db

B_ID = id_number("31010519800101202")


@pytest.fixture
def people(world):
    mine = make_staff(
        world.company_a,
        "张三",
        phone="13912345678",
        id_number=CHANGNING_ID,
        id_number_hash=blind_index(CHANGNING_ID),
    )
    theirs = make_staff(
        world.company_b, "李四", phone="13987654321", id_number=B_ID, id_number_hash=blind_index(B_ID)
    )
    return mine, theirs


def test_the_phone_query_filter_is_gone(world, people):
    client = api_client_for(world.changning_officer)
    everyone = len(client.get("/api/v1/staff/").json()["results"])
    assert everyone == 2
    refused = client.get("/api/v1/staff/", {"phone": "13912345678"})  # an unknown parameter
    assert refused.status_code == 400 and list(refused.json()["error"]["fields"]) == ["phone"]
    assert "13912345678" not in refused.content.decode()
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    assert "phone" not in [p["name"] for p in schema["paths"]["/api/v1/staff/"]["get"]["parameters"]]


def test_the_posted_search_finds_exactly_the_scoped_match(world, people):
    mine, theirs = people
    client = api_client_for(world.company_a_admin)
    by_phone = client.post("/api/v1/staff/search/", {"phone": "139 1234 5678"}, format="json")
    assert by_phone.status_code == 200 and [m["id"] for m in by_phone.json()] == [mine.pk]
    assert "13912345678" not in by_phone.content.decode()
    by_id = client.post("/api/v1/staff/search/", {"id_number": CHANGNING_ID}, format="json")
    assert [m["id"] for m in by_id.json()] == [mine.pk] and CHANGNING_ID not in by_id.content.decode()
    assert client.post("/api/v1/staff/search/", {"phone": "13987654321"}, format="json").json() == []
    assert client.post("/api/v1/staff/search/", {"id_number": B_ID}, format="json").json() == []
    officer = api_client_for(world.changning_officer)
    assert [m["id"] for m in officer.post("/api/v1/staff/search/", {"id_number": B_ID}).json()] == [theirs.pk]
    bad = client.post("/api/v1/staff/search/", {}, format="json")
    assert bad.status_code == 400 and "id_number" in bad.json()["error"]["fields"]


def test_the_portal_search_is_posted_and_scoped(world, people):
    mine, _theirs = people
    client = Client()
    assert client.login(username="a_admin", password=PASSWORD)
    found = client.post("/staff/", {"what": "search", "term": "13912345678"})
    assert [m.pk for m in found.context["members"]] == [mine.pk]
    page = found.content.decode()
    assert "13912345678" not in page and 'name="phone"' not in page.split('id="staff-search"')[0]
    assert list(client.post("/staff/", {"what": "search", "term": "13987654321"}).context["members"]) == []
    assert list(client.post("/staff/", {"what": "search", "term": ""}).context["members"]) == []
