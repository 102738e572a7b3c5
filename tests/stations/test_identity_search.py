"""Issue 10, item 5: exact lookups by identity number or phone are posted, never put in a query
string (URLs land in access logs, proxies and browser history). The GET filters are gone; the
POST search answers the scoped matches only, masked."""

import pytest

from accounts import services as account_services
from stations import services
from tests.conftest import api_client_for
from tests.stations.conftest import CHANGNING_ID, id_number

pytestmark = pytest.mark.django_db

B_ID = id_number("31010519380707101")


@pytest.fixture
def resident_b(world, station_b):
    return services.register_resident(
        by=world.company_b_admin,
        station=station_b,
        name="周老伯",
        id_number=B_ID,
        phone="13700007777",
        community=world.regions["310105008"],
    ).resident


def test_the_query_string_filters_are_gone(world, resident, resident_b):
    client = api_client_for(world.changning_officer)  # sees both
    everyone = len(client.get("/api/v1/residents/").json()["results"])
    assert everyone == 2
    # refused as unknown parameters (the list is not narrowed, so no one builds a lookup on
    # it), and the answer does not repeat the number
    for name, value in (("id_number", CHANGNING_ID), ("phone", "13812345678")):
        refused = client.get("/api/v1/residents/", {name: value})
        assert refused.status_code == 400 and list(refused.json()["error"]["fields"]) == [name]
        assert value not in refused.content.decode()
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    parameters = [p["name"] for p in schema["paths"]["/api/v1/residents/"]["get"].get("parameters", [])]
    assert "id_number" not in parameters and "phone" not in parameters
    assert "post" in schema["paths"]["/api/v1/residents/search/"]


def test_the_posted_search_finds_exactly_the_scoped_match(world, resident, resident_b):
    client = api_client_for(world.company_a_admin)
    by_id = client.post("/api/v1/residents/search/", {"id_number": CHANGNING_ID.lower()}, format="json")
    assert by_id.status_code == 200 and [r["id"] for r in by_id.json()] == [resident.pk]
    assert by_id.json()[0]["id_number_masked"] == resident.id_number_masked
    assert CHANGNING_ID not in by_id.content.decode()
    by_phone = client.post("/api/v1/residents/search/", {"phone": "138 1234 5678"}, format="json")
    assert [r["id"] for r in by_phone.json()] == [resident.pk]
    # another operator's resident is not found by her number or phone
    assert client.post("/api/v1/residents/search/", {"id_number": B_ID}, format="json").json() == []
    assert client.post("/api/v1/residents/search/", {"phone": "13700007777"}, format="json").json() == []
    officer = api_client_for(world.changning_viewer)
    assert [r["id"] for r in officer.post("/api/v1/residents/search/", {"id_number": B_ID}).json()] == [
        resident_b.pk
    ]
    assert (
        api_client_for(world.nanan_officer).post("/api/v1/residents/search/", {"id_number": B_ID}).json()
        == []
    )


def test_the_search_needs_a_value_and_a_signed_in_user(world, resident, api):
    client = api_client_for(world.company_a_admin)
    empty = client.post("/api/v1/residents/search/", {"id_number": " ", "phone": ""}, format="json")
    assert empty.status_code == 400 and "id_number" in empty.json()["error"]["fields"]
    assert api.post("/api/v1/residents/search/", {"id_number": CHANGNING_ID}).status_code in (401, 403)


def test_a_read_only_token_may_search(world, resident):
    _token, secret = account_services.issue_token(world.company_a_admin, name="只读", read_only=True)
    client = api_client_for(None)
    client.force_authenticate(None)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    found = client.post("/api/v1/residents/search/", {"id_number": CHANGNING_ID}, format="json")
    assert found.status_code == 200 and [r["id"] for r in found.json()] == [resident.pk]


def test_the_admin_search_does_not_match_a_whole_identity_number(world, resident, client):
    """The admin searches with GET: a number typed there would sit in the address and the log, so
    the admin matches names only and points to the portal's posted search."""
    client.force_login(world.changning_officer)
    by_number = client.get("/admin/stations/resident/", {"q": CHANGNING_ID})
    assert by_number.status_code == 200
    assert by_number.context["cl"].result_count == 0
    by_name = client.get("/admin/stations/resident/", {"q": resident.name})
    assert by_name.context["cl"].result_count == 1
    assert "portal" in str(by_name.context["cl"].search_help_text) or "门户" in str(
        by_name.context["cl"].search_help_text
    )
