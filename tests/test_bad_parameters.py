"""Bad query parameters are a 400 naming the parameter (API) or a form error (portal), never a
server error: years outside 1900-2100 or not numbers, months like 0-1 or 2026-13, dates at the
calendar's ends, ids that are not numbers or too large for the database, and step fields sent
to the wrong step of a room application (issue 10, item 7)."""

import datetime as dt

import pytest
from django.test import Client

from facilities import services as facilities_services
from tests.conftest import api_client_for
from tests.facilities.conftest import make_room, nanan  # noqa: F401 - fixture
from tests.factories import PASSWORD, make_staff

BAD_YEARS = ["0", "10000", "99999999999999999999", "abc", "-1", "2026.5"]
BAD_MONTHS = ["0-1", "2026-13", "2026-00", "9999-12", "0000-01", "abc", "99999999999999999999-1"]
BAD_DATES = ["0001-01-01", "9999-12-31", "2026-02-30", "abc", "20260101"]
BAD_IDS = ["abc", "99999999999999999999", "-1", "1.5"]


@pytest.fixture
def officer(world):
    return api_client_for(world.changning_officer)


@pytest.fixture
def volunteer(world):
    return make_staff(world.company_a, "王阿姨", roles=[], kind="volunteer", phone="13911110009")


def _assert_names(response, parameter):
    assert response.status_code == 400, (response.status_code, response.content[:300])
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert parameter in error["fields"], error


YEAR_ENDPOINTS = [
    ("/api/v1/training-sessions/progress/", {"region": "310105"}),
    ("/api/v1/training-sessions/", {}),
    ("/api/v1/training-records/", {}),
]


@pytest.mark.parametrize("value", BAD_YEARS)
@pytest.mark.parametrize(("url", "extra"), YEAR_ENDPOINTS)
def test_a_year_outside_the_calendar_is_a_400_naming_year(officer, url, extra, value):
    _assert_names(officer.get(url, {**extra, "year": value}), "year")


def test_a_year_inside_the_calendar_is_answered(officer):
    response = officer.get("/api/v1/training-sessions/progress/", {"region": "310105", "year": "2026"})
    assert response.status_code == 200 and response.json()["year"] == 2026


MONTH_ENDPOINTS = ["/api/v1/stations/revenue/", "/api/v1/stations/revenue/export/", "/api/v1/staff/duties/"]


@pytest.mark.parametrize("value", BAD_MONTHS)
@pytest.mark.parametrize("url", MONTH_ENDPOINTS)
def test_a_month_that_does_not_exist_is_a_400_naming_month(officer, url, value):
    _assert_names(officer.get(url, {"month": value}), "month")


def test_a_real_month_is_answered(officer):
    assert officer.get("/api/v1/stations/revenue/", {"month": "2026-04"}).status_code == 200
    assert officer.get("/api/v1/staff/duties/", {"month": "2026-04"}).json()["month"] == "2026-04"


@pytest.mark.parametrize("value", BAD_DATES)
@pytest.mark.parametrize("parameter", ["start", "end"])
def test_statement_dates_outside_the_calendar_are_a_400_naming_the_date(officer, volunteer, parameter, value):
    response = officer.get("/api/v1/points-ledger/statement/", {"volunteer": volunteer.pk, parameter: value})
    _assert_names(response, parameter)


def test_a_statement_period_ending_before_it_starts_is_refused(officer, volunteer):
    response = officer.get(
        "/api/v1/points-ledger/statement/",
        {"volunteer": volunteer.pk, "start": "2026-05-01", "end": "2026-04-01"},
    )
    _assert_names(response, "end")


ID_PARAMETERS = [
    ("/api/v1/points-ledger/statement/", "volunteer"),
    ("/api/v1/stations/revenue/", "station"),
    ("/api/v1/applications/", "programme"),
    ("/api/v1/applications/", "organization"),
    ("/api/v1/staff/", "employer"),
    ("/api/v1/training-records/", "session"),
    ("/api/v1/care-rooms/", "compound"),
    ("/api/v1/stations/", "operator"),
]


@pytest.mark.parametrize("value", BAD_IDS)
@pytest.mark.parametrize(("url", "parameter"), ID_PARAMETERS)
def test_an_id_that_is_not_a_record_id_is_a_400_naming_the_parameter(officer, url, parameter, value):
    _assert_names(officer.get(url, {parameter: value}), parameter)


@pytest.mark.parametrize("value", BAD_IDS)
def test_eligibility_names_the_station_parameter(world, officer, value):
    member = make_staff(world.company_a, "张服务", roles=["service"])
    _assert_names(officer.get(f"/api/v1/staff/{member.pk}/eligibility/", {"station": value}), "station")


# --- room applications: the id in the path and the fields of each step -------------------------


def _approved_application(nanan):  # noqa: F811 - the fixture's value
    room = make_room(nanan, handed_over_on=dt.date(2024, 3, 1))
    act = facilities_services.act_on_application
    application = facilities_services.start_application(by=nanan.ximei_officer, room=room)
    act(application, "apply", by=nanan.ximei_officer, operating_mode="day_care", services="日间照料")
    act(application, "survey", by=nanan.bureau_officer, text="同意")
    act(
        application,
        "approve",
        by=nanan.bureau_officer,
        city_approval_number="N-1",
        city_approved_on=dt.date(2026, 1, 5),
    )
    return application


@pytest.mark.parametrize("pk", ["abc", "1x", "99999999999999999999"])
def test_a_room_application_id_that_is_not_a_number_is_a_404_in_the_error_format(nanan, pk):  # noqa: F811
    response = api_client_for(nanan.bureau_officer).post(
        f"/api/v1/room-applications/{pk}/act/", {"action": "survey"}, format="json"
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_fields_of_another_step_are_a_400_naming_them(nanan):  # noqa: F811
    application = _approved_application(nanan)
    client = api_client_for(nanan.bureau_officer)
    response = client.post(
        f"/api/v1/room-applications/{application.pk}/act/",
        {"action": "sign", "number": "WT-1", "operating_since": "2026-03-01", "residents": 12},
        format="json",
    )
    _assert_names(response, "operating_since")
    assert "residents" in response.json()["error"]["fields"]
    application.refresh_from_db()
    assert application.status == "approved"  # nothing happened
    signed = client.post(
        f"/api/v1/room-applications/{application.pk}/act/",
        {"action": "sign", "number": "WT-1"},
        format="json",
    )
    assert signed.status_code == 200 and signed.json()["status"] == "signed"


@pytest.mark.parametrize("field", ["starts_on", "signed_on", "ends_on"])
def test_agreement_dates_at_the_calendars_end_are_a_400_naming_the_date(nanan, field):  # noqa: F811
    application = _approved_application(nanan)
    response = api_client_for(nanan.bureau_officer).post(
        f"/api/v1/room-applications/{application.pk}/act/",
        {"action": "sign", "number": "WT-1", field: "9999-12-31"},
        format="json",
    )
    _assert_names(response, field)


# --- portal pages: a form error, not a server error ----------------------------------------------


@pytest.fixture
def portal(world):
    client = Client()
    assert client.login(username="cn_officer", password=PASSWORD)
    return client


@pytest.mark.parametrize("value", BAD_MONTHS)
def test_portal_duties_page_shows_a_month_error(portal, value):
    assert "YYYY-MM" not in portal.get("/staff/duties/").content.decode()
    response = portal.get("/staff/duties/", {"month": value})
    assert response.status_code == 200
    assert "YYYY-MM" in response.content.decode()


@pytest.mark.parametrize("value", BAD_DATES)
@pytest.mark.parametrize("parameter", ["start", "end"])
def test_portal_statement_page_shows_a_date_error(portal, world, volunteer, parameter, value):
    assert "YYYY-MM-DD" not in portal.get(f"/staff/volunteers/{volunteer.pk}/statement/").content.decode()
    response = portal.get(f"/staff/volunteers/{volunteer.pk}/statement/", {parameter: value})
    assert response.status_code == 200
    assert "YYYY-MM-DD" in response.content.decode()


@pytest.mark.parametrize("value", BAD_YEARS)
def test_portal_progress_page_shows_a_year_error(portal, value):
    response = portal.get("/staff/training/progress/", {"region": "310105", "year": value})
    assert response.status_code == 200
    assert '<ul class="messages"><li class="error">年度' in response.content.decode()


@pytest.mark.parametrize("value", BAD_IDS)
def test_portal_posted_ids_that_are_not_numbers_are_a_404(world, value):
    client = Client()
    assert client.login(username="a_admin", password=PASSWORD)
    response = client.post("/staff/volunteers/", {"what": "reverse", "entry": value, "reason": "x"})
    assert response.status_code == 404


def test_a_handover_date_at_the_calendars_end_is_a_400_naming_it(nanan):  # noqa: F811
    room = make_room(nanan, handed_over_on=dt.date(2025, 9, 1))
    response = api_client_for(nanan.ximei_officer).patch(
        f"/api/v1/care-rooms/{room.pk}/", {"handed_over_on": "9999-12-31"}, format="json"
    )
    _assert_names(response, "handed_over_on")


@pytest.mark.parametrize(
    ("field", "value"), [("residents", 99999999999999999999), ("operating_mode", "nonsense")]
)
def test_application_details_outside_the_models_range_are_a_400_naming_them(nanan, field, value):  # noqa: F811
    room = make_room(nanan, handed_over_on=dt.date(2024, 3, 1))
    application = facilities_services.start_application(by=nanan.ximei_officer, room=room)
    body = {"action": "apply", "operating_mode": "day_care", "services": "日间照料", field: value}
    response = api_client_for(nanan.ximei_officer).post(
        f"/api/v1/room-applications/{application.pk}/act/", body, format="json"
    )
    _assert_names(response, field)


def test_me_answers_a_user_signed_in_to_the_portal(world):
    client = Client()
    assert client.login(username="cn_officer", password=PASSWORD)
    response = client.get("/api/v1/me/")
    assert response.status_code == 200 and response.json()["username"] == "cn_officer"
