"""Personal data protected by construction (DESIGN principle 5; issue 10), checked from the
outside: a data set of residents and staff with known identity numbers and mobiles, then, as
users WITHOUT the reveal permission (a company admin, the read-only statistician, a company
that asked to link a resident it does not serve), every API list and detail, every export
(read cell by cell), the portal pages and the admin pages; then the database tables and the
captured logs. No plain identity number or mobile may appear anywhere, and no answer may hold
both a person's masked number and her birth date — the digits the mask hides.

The API part walks the router, so a new endpoint is crawled without being listed here."""

import datetime as dt
import io
import logging
import re

import pytest
from django.contrib import admin
from django.db import connection
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import AuditEntry, Notification
from accounts.pii import blind_index, mask_id_number
from config.urls import router
from staff.models import StaffMember
from stations import services
from stations.models import Resident, ResidentLinkRequest, ServiceOrder, ServiceRecord
from tests.conftest import api_client_for
from tests.factories import make_staff
from tests.stations.conftest import id_number, staff_a, station_a, station_b  # noqa: F401 - shared fixtures

pytestmark = pytest.mark.django_db

# (name, identity number, mobile, emergency mobile, operator) — birthdays chosen away from any
# date the data set itself writes (records are dated today and the days before).
RESIDENTS = [
    ("李阿婆", id_number("31010519400315202"), "13812345678", "13611112222", "a"),
    ("赵阿公", id_number("31010519360618113"), "13522223333", "", "a"),
    ("周老伯", id_number("31010519380707101"), "13700007777", "13655556666", "b"),
]
STAFF = [
    ("张服务", id_number("31010519750918112"), "13912345678", "a"),
    ("钱志愿", id_number("31010519820423224"), "13987654321", "b"),
]
FULL_ID = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")


def birth_date_forms(number: str) -> tuple[str, ...]:
    y, m, d = number[6:10], number[10:12], number[12:14]
    return (
        f"{y}-{m}-{d}",
        f"{y}{m}{d}",
        f"{y}/{m}/{d}",
        f"{m}-{d}",
        f"{m}/{d}",
        f"{int(m)}月{int(d)}日",
    )


@pytest.fixture
def data_set(world, station_a, station_b, staff_a):  # noqa: F811 - pytest fixtures
    stations = {"a": (station_a, world.company_a_admin), "b": (station_b, world.company_b_admin)}
    residents = []
    for name, number, mobile, emergency, operator in RESIDENTS:
        station, by = stations[operator]
        residents.append(
            services.register_resident(
                by=by,
                station=station,
                name=name,
                id_number=number,
                phone=mobile,
                emergency_phone=emergency,
                emergency_contact="家属",
                community=station.region,
                living_situation="alone",
                consent_on=dt.date(2025, 4, 1),
            ).resident
        )
    companies = {"a": world.company_a, "b": world.company_b}
    for name, number, mobile, operator in STAFF:
        make_staff(
            companies[operator], name, phone=mobile, id_number=number, id_number_hash=blind_index(number)
        )
    order = services.create_order(
        by=world.company_a_admin, resident=residents[0], station=station_a, category="meals"
    )
    services.transition_order(order, "assign", by=world.company_a_admin, staff=staff_a)
    services.create_order(
        by=world.company_a_admin, resident=residents[1], station=station_a, category="cleaning"
    )
    start = timezone.now() - dt.timedelta(hours=5)
    services.log_service(
        by=world.company_a_admin,
        resident=residents[1],
        station=station_a,
        category="care_visit",
        staff=staff_a,
        started_at=start,
        ended_at=start + dt.timedelta(minutes=30),
    )
    # company B knows 李阿婆's number: a link request, nothing of her file
    services.register_resident(
        by=world.company_b_admin,
        station=station_b,
        name="李阿婆",
        id_number=RESIDENTS[0][1],
        community=station_b.region,
    )
    assert ResidentLinkRequest.objects.count() == 1 and ServiceRecord.objects.count() == 1
    return residents


def plain_values():
    numbers = [r[1] for r in RESIDENTS] + [s[1] for s in STAFF]
    mobiles = [m for r in RESIDENTS for m in r[2:4] if m] + [s[2] for s in STAFF]
    return numbers, mobiles


def check(where: str, text: str) -> None:
    numbers, mobiles = plain_values()
    for value in numbers + mobiles:
        assert value not in text, f"{where}: plain {value}"
    match = FULL_ID.search(text)
    assert match is None, f"{where}: an 18-digit number {match and match.group()}"
    for number in numbers:
        if mask_id_number(number) in text:
            for form in birth_date_forms(number):
                assert form not in text, f"{where}: masked {mask_id_number(number)} beside {form}"


def text_of(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if "spreadsheetml" in response.get("Content-Type", ""):
        workbook = load_workbook(io.BytesIO(content), read_only=True)
        return "\n".join(
            str(cell)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
            if cell is not None
        )
    return content.decode("utf-8", "replace")


def _rows(response):
    if response.status_code != 200 or "json" not in response.get("Content-Type", ""):
        return []
    body = response.json()
    if isinstance(body, dict):
        body = body.get("results", [])
    return [row for row in body if isinstance(row, dict) and "id" in row] if isinstance(body, list) else []


def crawl_api(user) -> dict:
    client = api_client_for(type(user).objects.get(pk=user.pk))
    answers = {}
    for prefix, viewset, _basename in router.registry:
        url = f"/api/v1/{prefix}/"
        answers[url] = client.get(url)
        for row in _rows(answers[url])[:5]:
            answers[f"{url}{row['id']}/"] = client.get(f"{url}{row['id']}/")
        if hasattr(viewset, "export"):
            answers[f"{url}export/"] = client.get(f"{url}export/")
    for url in ("/api/v1/residents/overdue_visits/", "/api/v1/staff/duties/", "/api/v1/me/"):
        answers[url] = client.get(url)
    for prefix, field, value in [
        ("residents", "id_number", RESIDENTS[0][1]),
        ("residents", "phone", RESIDENTS[2][2]),
        ("staff", "phone", STAFF[0][2]),
    ]:
        answers[f"POST /api/v1/{prefix}/search/ {field}"] = client.post(
            f"/api/v1/{prefix}/search/", {field: value}, format="json"
        )
    return answers


def crawl_portal(user, residents) -> dict:
    client = Client()
    client.force_login(user)
    urls = [
        "/",
        "/accounts/notifications/",
        "/stations/manage/",
        "/stations/residents/",
        "/stations/link-requests/",
        "/stations/revenue/",
        "/staff/",
        "/staff/?export=xlsx",
        "/staff/duties/",
        "/staff/volunteers/",
        "/staff/resources/",
        *[f"/stations/residents/{r.pk}/" for r in residents],
        *[f"/stations/{pk}/" for pk in ServiceOrder.objects.values_list("station_id", flat=True).distinct()],
        *[
            f"/stations/manage/{pk}/"
            for pk in ServiceOrder.objects.values_list("station_id", flat=True).distinct()
        ],
        *[f"/staff/{pk}/" for pk in StaffMember.objects.values_list("pk", flat=True)],
    ]
    answers = {url: client.get(url) for url in urls}
    answers["POST /stations/residents/"] = client.post("/stations/residents/", {"q": RESIDENTS[0][1]})
    answers["POST /staff/ search"] = client.post("/staff/", {"what": "search", "term": STAFF[0][2]})
    return answers


def crawl_admin(user) -> dict:
    client = Client()
    client.force_login(user)
    answers = {}
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        if opts.app_label not in ("stations", "staff", "accounts"):
            continue
        name = f"admin:{opts.app_label}_{opts.model_name}"
        url = reverse(f"{name}_changelist")
        answers[url] = client.get(url)
        manager = model._default_manager
        visible = manager.visible_to(user) if hasattr(manager.all(), "visible_to") else manager.none()
        for pk in visible.values_list("pk", flat=True)[:3]:
            change = reverse(f"{name}_change", args=[pk])
            answers[change] = client.get(change)
        try:
            export = reverse(f"{name}_export")
        except NoReverseMatch:
            continue
        answers[export] = client.get(export)
    answers["admin resident search"] = client.get(reverse("admin:stations_resident_changelist"), {"q": "李"})
    return answers


@pytest.mark.parametrize("who", ["company_a_admin", "changning_viewer", "company_b_admin"])
def test_no_answer_to_a_user_without_the_reveal_permission_leaks(world, data_set, who, caplog):
    caplog.set_level(logging.DEBUG)
    user = getattr(world, who)
    assert not user.has_perm("stations.view_personal_data_resident")
    assert not user.has_perm("staff.view_personal_data_staffmember")
    answers = {**crawl_api(user), **crawl_portal(user, data_set)}
    if who == "changning_viewer":  # government users reach the admin
        answers.update(crawl_admin(user))
    for where, response in answers.items():
        assert response.status_code < 500, f"{where}: {response.status_code}"
        check(f"{who} {where}", text_of(response))
    # the crawl reached the people: lists, details and exports with rows in them
    reached = {where for where, response in answers.items() if response.status_code == 200}
    expected = {"/api/v1/residents/", "/api/v1/staff/", "/api/v1/orders/", "/api/v1/service-records/"}
    expected |= {"/api/v1/residents/export/", "/api/v1/staff/export/", "/stations/residents/", "/staff/"}
    assert expected <= reached
    listed = {name for row in _rows(answers["/api/v1/residents/"]) for name in [row["name"]]}
    expected_names = {
        "company_a_admin": {"李阿婆", "赵阿公"},
        "changning_viewer": {"李阿婆", "赵阿公", "周老伯"},
        "company_b_admin": {"周老伯"},
    }[who]
    assert listed == expected_names
    # the masked number is there to be checked against (so the check above could fail)
    shown = mask_id_number(RESIDENTS[0][1] if who != "company_b_admin" else RESIDENTS[2][1])
    assert shown in text_of(answers["/api/v1/residents/"]) and shown in text_of(
        answers["/stations/residents/"]
    )
    assert any(f"/api/v1/residents/{r.pk}/" in reached for r in data_set)
    if who == "changning_viewer":
        assert "/admin/stations/resident/export/" in reached and "/admin/staff/staffmember/" in reached
    check(f"{who} logs", "\n".join(record.getMessage() for record in caplog.records))


def test_the_database_and_the_audit_log_hold_no_plain_value(data_set):
    tables = [
        Resident._meta.db_table,
        StaffMember._meta.db_table,
        AuditEntry._meta.db_table,
        ResidentLinkRequest._meta.db_table,
        Notification._meta.db_table,
        ServiceOrder._meta.db_table,
        ServiceRecord._meta.db_table,
    ]
    numbers, mobiles = plain_values()
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - our table names
            dump = "\n".join(str(row) for row in cursor.fetchall())
            assert dump, table
            for value in numbers + mobiles:
                assert value not in dump, f"{table}: plain {value}"
            if table != Resident._meta.db_table:  # the file itself keeps the date, encrypted number beside it
                check(table, dump)
    assert AuditEntry.objects.filter(content_type__model="resident", action="create").count() == len(
        RESIDENTS
    )
