"""The stations API: masking and reveal, scoping between operators, integrators' orders with a
token, cursor pages, the finder, and fixed query counts (residents, records, admin lists)."""

import datetime as dt
import io

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from accounts import services as account_services
from accounts.models import AuditEntry
from accounts.pii import blind_index
from stations import services
from stations.models import Resident, ResidentStation, ServiceOrder, ServiceRecord, Survey
from tests.conftest import api_client_for
from tests.copies import copy_rows
from tests.factories import PASSWORD, post_test_prices
from tests.stations.conftest import CHANGNING_ID, OLD_NANAN_ID, id_number

pytestmark = pytest.mark.django_db


def test_resident_is_registered_through_the_api_and_read_masked(world, station_a):
    client = api_client_for(world.company_a_admin)
    response = client.post(
        "/api/v1/residents/",
        {
            "name": "陈伯",
            "id_number": OLD_NANAN_ID,
            "phone": "13900001234",
            "community": "310105001",
            "station": station_a.pk,
            "living_situation": "alone",
            "basic_care": ["disabled"],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["id_number_masked"] == OLD_NANAN_ID[:6] + "********" + OLD_NANAN_ID[-4:]
    assert body["phone_masked"] == "139****1234" and body["birth_year"] == 1950 and "birth_date" not in body
    assert body["warnings"] and "id_number" not in body and "phone" not in body
    listed = client.get("/api/v1/residents/").json()["results"][0]
    assert OLD_NANAN_ID not in str(listed) and "13900001234" not in str(listed)
    assert len(client.post("/api/v1/residents/search/", {"id_number": OLD_NANAN_ID}).json()) == 1
    assert client.post("/api/v1/residents/search/", {"phone": "13900009999"}).json() == []


def test_reveal_needs_the_permission_and_is_audited(world, resident):
    client = api_client_for(world.company_a_admin)
    assert client.get(f"/api/v1/residents/{resident.pk}/reveal/").status_code == 403
    world.company_a_admin.user_permissions.add(Permission.objects.get(codename="view_personal_data_resident"))
    user = type(world.company_a_admin).objects.get(pk=world.company_a_admin.pk)
    response = api_client_for(user).get(f"/api/v1/residents/{resident.pk}/reveal/")
    assert response.json()["id_number"] == CHANGNING_ID
    assert AuditEntry.objects.filter(action="pii_read", actor=user, channel="api").count() == 1


def test_exports_carry_masked_values_only(world, resident):
    response = api_client_for(world.company_a_admin).get("/api/v1/residents/export/")
    rows = list(
        load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        .worksheets[0]
        .iter_rows(values_only=True)
    )
    assert rows[1][1] == resident.id_number_masked and CHANGNING_ID not in str(rows)


def test_one_operator_never_reaches_anothers_residents_or_orders(world, resident, station_b, staff_a):
    client = api_client_for(world.company_b_admin)
    assert len(client.get("/api/v1/residents/").json()["results"]) == 0
    assert client.get(f"/api/v1/residents/{resident.pk}/").status_code == 404
    order = services.create_order(
        by=world.company_a_admin, resident=resident, station=resident.stations.get(), category="meals"
    )
    assert client.get(f"/api/v1/orders/{order.pk}/").status_code == 404
    assert client.post(f"/api/v1/orders/{order.pk}/cancel/", {"reason": "x"}).status_code == 404
    response = client.post(
        "/api/v1/orders/",
        {"resident": resident.pk, "station": station_b.pk, "category": "meals"},
        format="json",
    )
    assert response.status_code == 400 and "resident" in response.json()["error"]["fields"]


def test_integrator_creates_and_completes_an_order_with_a_token(world, station_a, resident, staff_a):
    # station_a posts meals at 12.00 a meal (its published service list, tests/factories.py)
    _token, secret = account_services.issue_token(world.company_a_admin, name="呼叫中心")
    client = api_client_for(None)
    client.force_authenticate(None)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    order = client.post(
        "/api/v1/orders/",
        {"resident": resident.pk, "station": station_a.pk, "category": "meals", "channel": "api"},
        format="json",
    ).json()
    client.post(f"/api/v1/orders/{order['id']}/assign/", {"staff": staff_a.pk}, format="json")
    done = client.post(f"/api/v1/orders/{order['id']}/complete/", {"notes": "送餐到家"}, format="json")
    assert done.json()["status"] == "completed"
    records = client.get("/api/v1/service-records/", {"station": station_a.pk}).json()
    assert records["results"][0]["fee"] == "12.00" and "count" not in records and "next" in records


def test_record_pages_follow_the_cursor(world, station_a, resident, staff_a):
    start = timezone.now() - dt.timedelta(days=30)
    for n in range(7):
        moment = start + dt.timedelta(hours=n)
        services.log_service(
            by=world.company_a_admin,
            resident=resident,
            station=station_a,
            category="care_visit",
            staff=staff_a,
            started_at=moment,
            ended_at=moment + dt.timedelta(minutes=20),
        )
    client = api_client_for(world.company_a_admin)
    first = client.get("/api/v1/service-records/", {"page_size": 4}).json()
    second = client.get(first["next"]).json()
    ids = [r["id"] for r in first["results"]] + [r["id"] for r in second["results"]]
    assert len(ids) == 7 and len(set(ids)) == 7 and second["next"] is None


def test_nearby_finds_operating_stations_nearest_first_for_anyone(world, station_a, station_b, api):
    for station, by in ((station_a, world.company_a_admin), (station_b, world.company_b_admin)):
        services.change_station_status(station, "operating", by=by)
    body = api.get("/api/v1/stations/nearby/", {"lat": 31.2150, "lng": 121.3950, "radius": 5000}).json()
    assert [s["name"] for s in body] == ["仙霞新村服务站", "华阳路为老服务站"]
    assert body[0]["distance_m"] < body[1]["distance_m"]
    assert api.get("/api/v1/stations/nearby/", {"lat": "x", "lng": 1}).status_code == 400
    assert (
        len(api.get("/api/v1/stations/nearby/", {"lat": 31.2150, "lng": 121.3950}).json()) == 1
    )  # default 1 km


def _queries(client, url, params=None):
    client.get(url, params or {})  # warm: the scope kept across requests, the session's refresh stamp
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _numbered_id(n):
    return id_number(f"310105194{n % 10}0101{n:03d}"[:17])


def _numbered_resident(copy, n):
    """What the workflow would have written for resident n and the meal served to them."""
    if isinstance(copy, Resident):
        copy.name, copy.id_number = f"老人{n}", _numbered_id(n)
        copy.id_number_hash = blind_index(copy.id_number)
        copy.birth_date = dt.date(int(copy.id_number[6:10]), 1, 1)
        copy.sex = "M" if int(copy.id_number[16]) % 2 else "F"
    elif isinstance(copy, ServiceRecord):
        copy.started_at = timezone.now() - dt.timedelta(hours=n + 1)
        copy.ended_at = copy.started_at + dt.timedelta(minutes=10)


def test_resident_and_record_lists_cost_the_same_queries_at_10_and_100(world, station_a, staff_a):
    client = api_client_for(world.company_a_admin)

    def one(i):
        """A resident of station_a with one meal served, written by the workflows."""
        person = services.register_resident(
            by=world.company_a_admin,
            station=station_a,
            name=f"老人{i}",
            id_number=_numbered_id(i),
            community=world.regions["310105001"],
        ).resident
        moment = timezone.now() - dt.timedelta(hours=i + 1)
        services.log_service(
            by=world.company_a_admin,
            resident=person,
            station=station_a,
            category="meals",
            staff=staff_a,
            started_at=moment,
            ended_at=moment + dt.timedelta(minutes=10),
        )
        return person

    template = []

    def add(n, offset):
        """The workflows write the first resident; the others are copies of its rows
        (tests/copies.py)."""
        if not template:
            template.append(one(offset))
            n, offset = n - 1, offset + 1
        person = template[0]
        copy_rows(
            [
                (Resident, [person]),
                (ResidentStation, ResidentStation.objects.filter(resident=person)),
                (ServiceOrder, ServiceOrder.objects.filter(resident=person)),
                (ServiceRecord, ServiceRecord.objects.filter(resident=person)),
            ],
            times=n,
            start=offset,
            vary=_numbered_resident,
        )

    add(10, 0)
    counts_10 = [
        _queries(client, "/api/v1/residents/", {"page_size": 10}),
        _queries(client, "/api/v1/service-records/", {"page_size": 10}),
    ]
    add(90, 100)
    counts_100 = [
        _queries(client, "/api/v1/residents/", {"page_size": 100}),
        _queries(client, "/api/v1/service-records/", {"page_size": 100}),
    ]
    assert counts_10 == counts_100
    admin = Client()
    admin.login(username="cn_officer", password=PASSWORD)
    assert _queries(admin, "/admin/stations/resident/") == _queries(
        admin, "/admin/stations/resident/", {"p": 0}
    )
    small = (_queries(admin, "/admin/stations/servicerecord/"), _queries(admin, "/admin/stations/resident/"))
    add(20, 300)
    assert (
        _queries(admin, "/admin/stations/servicerecord/"),
        _queries(admin, "/admin/stations/resident/"),
    ) == small


def test_revenue_endpoint_and_export(world, station_a, resident, staff_a):
    services.post_prices(
        station_a,
        [{"category": "meals", "content": "午餐", "price": "10.00", "unit": "meal", "level": "low_cost"}],
        by=world.company_a_admin,
        source="test",
    )
    moment = timezone.make_aware(dt.datetime(2025, 8, 5, 11))
    services.log_service(
        by=world.company_a_admin,
        resident=resident,
        station=station_a,
        category="meals",
        staff=staff_a,
        started_at=moment,
        ended_at=moment + dt.timedelta(minutes=20),
    )
    client = api_client_for(world.company_a_admin)
    rows = client.get("/api/v1/stations/revenue/", {"month": "2025-08"}).json()
    assert [(r["station__name"], r["revenue"]) for r in rows] == [("华阳路为老服务站", "10.00")]
    assert api_client_for(world.company_b_admin).get("/api/v1/stations/revenue/").json() == []
    sheet = load_workbook(
        io.BytesIO(
            b"".join(client.get("/api/v1/stations/revenue/export/", {"month": "2025-08"}).streaming_content)
        )
    ).worksheets[0]
    assert sheet["A1"].value.startswith("养老服务收入分账表") and sheet["E3"].value == 10


def test_station_and_order_lists_cost_fixed_queries_and_survey_averages(
    world, station_a, resident, staff_a, api
):
    client = api_client_for(world.company_a_admin)

    def add(n, offset):
        for i in range(n):
            station = services.save_station(
                None,
                by=world.company_a_admin,
                operator=world.company_a,
                region=world.regions["310105001"],
                name=f"站{offset + i}",
                address="x",
                services=["meals"],
            )
            post_test_prices(station, world.company_a_admin, ["meals"])
            services.create_order(
                by=world.company_a_admin, resident=resident, station=station_a, category="meals"
            )

    add(2, 0)
    small = (_queries(client, "/api/v1/stations/"), _queries(client, "/api/v1/orders/"))
    add(12, 100)
    assert (_queries(client, "/api/v1/stations/"), _queries(client, "/api/v1/orders/")) == small
    survey = Survey.objects.create(
        title="满意度",
        region=world.regions["310105"],
        period_start=dt.date(2020, 1, 1),
        period_end=dt.date(2099, 1, 1),
        questions=["态度", "质量"],
    )
    services.add_survey_response(by=world.company_a_admin, survey=survey, station=station_a, scores=[5, 4])
    rows = client.get(f"/api/v1/surveys/{survey.pk}/averages/").json()
    assert [(r["station__name"], r["average"], r["responses"]) for r in rows] == [
        ("华阳路为老服务站", "4.50", 1)
    ]
    assert api_client_for(world.company_b_admin).get(f"/api/v1/surveys/{survey.pk}/averages/").json() == []
