"""Town officers' portal pages, the API lists with fixed query counts at 10 and 100 rows, and
the admin change lists."""

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from facilities import services
from facilities.models import (
    Alteration,
    ApplicationStep,
    CareRoom,
    Compound,
    EntrustmentAgreement,
    Inspection,
    UseApplication,
    Violation,
)
from tests.conftest import api_client_for
from tests.copies import copy_rows
from tests.factories import PASSWORD, make_user

from .conftest import make_room


def _client(username):
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def _queries(client, url, params=None):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200, response.content[:300]
    return len(ctx.captured_queries)


def _png():
    return SimpleUploadedFile("现场.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, content_type="image/png")


def test_town_page_shows_deadlines_days_left_and_overdue_rooms(nanan):
    today = timezone.localdate()
    late = make_room(nanan, handed_over_on=today - dt.timedelta(days=400))
    make_room(nanan, compound=nanan.other_compound, handed_over_on=today - dt.timedelta(days=400))
    page = _client("ximei_officer").get("/facilities/").content.decode()
    assert "溪美花园" in page and "柳城新村" not in page
    assert f"逾期 {(today - late.deadline).days} 天" in page and "1 处用房已逾期未投入运营" in page
    sheet = _client("ximei_officer").get("/facilities/", {"export": "xlsx"})
    assert sheet["Content-Type"].startswith("application/vnd.openxmlformats")


def test_town_records_an_inspection_with_a_photo_and_closes_the_violation_later(nanan):
    room = make_room(nanan, handed_over_on=dt.date(2024, 3, 1))
    client = _client("ximei_officer")
    client.post(
        f"/facilities/rooms/{room.pk}/",
        {
            "what": "inspection",
            "inspected_on": "2025-09-01",
            "findings": "一层出租给商户",
            "kind": "illegally_let",
            "description": "出租",
            "rectify_by": "2025-10-31",
            "photos": [_png()],
            "confirmed": "1",
        },
    )
    violation = Violation.objects.get()
    photo = Inspection.objects.get().photos.get()
    assert client.get(f"/facilities/photos/{photo.pk}/").status_code == 200
    assert _client("liucheng_officer").get(f"/facilities/photos/{photo.pk}/").status_code == 404
    client.post(
        f"/facilities/rooms/{room.pk}/",
        {"what": "inspection", "inspected_on": "2025-11-03", "findings": "已收回", "confirmed": "1"},
    )
    later = Inspection.objects.get(inspected_on=dt.date(2025, 11, 3))
    client.post(
        f"/facilities/violations/{violation.pk}/close/",
        {"inspection": later.pk, "action_taken": "收回", "confirmed": "1"},
    )
    assert Violation.objects.get().state == "closed"


def test_application_page_offers_each_side_only_its_steps(nanan):
    room = make_room(nanan, handed_over_on=dt.date(2024, 3, 1))
    town = _client("ximei_officer")
    town.post(f"/facilities/rooms/{room.pk}/", {"what": "start", "text": "初步对接"})
    application = UseApplication.objects.get()
    page = town.get(f"/facilities/applications/{application.pk}/").content.decode()
    assert 'value="apply"' in page and 'value="survey"' not in page
    bureau = _client("na_officer")
    assert 'value="apply"' not in bureau.get(f"/facilities/applications/{application.pk}/").content.decode()
    town.post(
        f"/facilities/applications/{application.pk}/",
        {"action": "apply", "operating_mode": "property_care", "services": "助餐", "residents": 2400},
    )
    assert 'value="survey"' in bureau.get(f"/facilities/applications/{application.pk}/").content.decode()
    refused = town.post(
        f"/facilities/applications/{application.pk}/", {"action": "survey", "text": "x"}, follow=True
    )
    assert "此环节只能由民政局办理" in refused.content.decode()
    assert UseApplication.objects.get().status == "applied"
    assert _client("liucheng_officer").get(f"/facilities/applications/{application.pk}/").status_code == 404


def _numbered(copy, n):
    """The numbers the workflow would have given row n (names unique within their region)."""
    if isinstance(copy, Compound):
        copy.name = f"小区{n}"
    elif isinstance(copy, Alteration):
        copy.approval_number = f"A{n}"
    elif isinstance(copy, EntrustmentAgreement):
        copy.number = f"W{n}"


def test_api_lists_and_admin_pages_cost_the_same_queries_at_10_and_100(nanan):
    bureau = api_client_for(nanan.bureau_officer)
    lists = [
        "/api/v1/compounds/",
        "/api/v1/care-rooms/",
        "/api/v1/room-inspections/",
        "/api/v1/room-violations/",
        "/api/v1/room-applications/",
        "/api/v1/entrustment-agreements/",
        "/api/v1/room-alterations/",
        "/api/v1/guidance-targets/",
    ]

    def one(i):
        """A room with an inspection, a violation, an alteration and a signed agreement, written
        by the workflows."""
        compound = services.save_compound(
            None,
            by=nanan.bureau_officer,
            name=f"小区{i}",
            region=nanan.ximei,
            residents=100,
            elderly_residents=20,
        )
        room = make_room(nanan, compound=compound, handed_over_on=dt.date(2024, 1, 1))
        services.record_inspection(
            by=nanan.bureau_officer,
            room=room,
            inspected_on=dt.date(2025, 9, 1),
            findings="x",
            violations=[{"kind": "sold", "rectify_by": dt.date(2025, 12, 1)}],
        )
        services.record_alteration(
            by=nanan.bureau_officer,
            room=room,
            kind="rebuild",
            description="x",
            approval_number=f"A{i}",
            approved_by="局",
            approved_on=dt.date(2025, 1, 1),
        )
        application = services.start_application(by=nanan.bureau_officer, room=room)
        services.act_on_application(
            application, "apply", by=nanan.ximei_officer, operating_mode="day_care", services="x"
        )
        services.act_on_application(application, "survey", by=nanan.bureau_officer, text="同意")
        services.act_on_application(
            application,
            "approve",
            by=nanan.bureau_officer,
            city_approval_number="N",
            city_approved_on=dt.date(2025, 1, 2),
        )
        services.act_on_application(application, "sign", by=nanan.bureau_officer, number=f"W{i}")
        return room

    template = []

    def add(n, offset):
        """The workflows write the first row; the others are copies of its rows (tests/copies.py)."""
        if not template:
            template.append(one(offset))
            n, offset = n - 1, offset + 1
        room = template[0]
        copy_rows(
            [
                (Compound, [room.compound]),
                (CareRoom, [room]),
                (Inspection, room.inspections.all()),
                (Violation, room.violations.all()),
                (Alteration, room.alterations.all()),
                (UseApplication, room.applications.all()),
                (ApplicationStep, ApplicationStep.objects.filter(application__room=room)),
                (EntrustmentAgreement, room.agreements.all()),
            ],
            times=n,
            start=offset,
            vary=_numbered,
        )

    add(10, 0)
    bureau.get(lists[0])  # the scope is computed once per user, on the first request
    small = [_queries(bureau, url, {"page_size": 10}) for url in lists]
    add(90, 100)
    assert [_queries(bureau, url, {"page_size": 100}) for url in lists] == small

    admin = _client("na_officer")
    pages = [
        "/admin/facilities/compound/",
        "/admin/facilities/careroom/",
        "/admin/facilities/inspection/",
        "/admin/facilities/violation/",
        "/admin/facilities/useapplication/",
        "/admin/facilities/entrustmentagreement/",
        "/admin/facilities/alteration/",
    ]
    before = [_queries(admin, page) for page in pages]
    add(20, 300)
    assert [_queries(admin, page) for page in pages] == before


def test_officer_records_an_inspection_in_the_admin_and_closes_violations_in_batch(nanan):
    room = make_room(nanan, handed_over_on=dt.date(2024, 3, 1))
    other = make_room(nanan, handed_over_on=dt.date(2024, 3, 1), location="b")
    for target in (room, other):
        services.record_inspection(
            by=nanan.bureau_officer,
            room=target,
            inspected_on=dt.date(2025, 9, 1),
            findings="x",
            violations=[{"kind": "diverted", "rectify_by": dt.date(2025, 10, 1)}],
        )
    admin = _client("na_officer")
    response = admin.post(
        "/admin/facilities/inspection/add/",
        {"room": room.pk, "inspected_on": "2025-10-02", "findings": "已整改"},
    )
    assert response.status_code == 302
    assert Inspection.objects.get(inspected_on=dt.date(2025, 10, 2)).inspector == nanan.bureau_officer
    selected = {
        "action": "close_by_latest_inspection",
        "_selected_action": list(Violation.objects.values_list("pk", flat=True)),
    }
    asked = admin.post("/admin/facilities/violation/", selected).content.decode()
    assert 'name="confirmed"' in asked and Violation.objects.filter(state="closed").count() == 0
    page = admin.post("/admin/facilities/violation/", {**selected, "confirmed": "yes"}, follow=True)
    assert Violation.objects.get(room=room).state == "closed"
    assert Violation.objects.get(room=other).state == "open"  # no later inspection of that room
    assert "没有" in page.content.decode() or "No inspection" in page.content.decode()


def test_photos_are_added_to_an_inspection_through_the_api_checked_by_content(nanan):
    room = make_room(nanan, handed_over_on=dt.date(2024, 3, 1))
    client = api_client_for(nanan.ximei_officer)
    made = client.post(
        "/api/v1/room-inspections/",
        {
            "room": room.pk,
            "inspected_on": "2025-09-01",
            "findings": "挪作仓库",
            "violations": [{"kind": "diverted", "rectify_by": "2025-10-01"}],
        },
        format="json",
    )
    assert made.status_code == 201 and made.json()["found"][0]["kind"] == "diverted"
    url = f"/api/v1/room-inspections/{made.json()['id']}/photos/"
    fake = SimpleUploadedFile("现场.png", b"MZ\x90\x00" + b"\0" * 64, content_type="image/png")
    assert client.post(url, {"photos": [fake]}, format="multipart").status_code == 400
    assert client.post(url, {"photos": [_png()]}, format="multipart").status_code == 201
    assert Inspection.objects.get().photos.count() == 1
    other = api_client_for(nanan.liucheng_officer)
    assert other.post(url, {"photos": [_png()]}, format="multipart").status_code == 404


def test_violation_buttons_are_the_steps_the_workflow_offers(nanan):
    room = make_room(nanan, handed_over_on=dt.date(2024, 3, 1))
    officer = _client("ximei_officer")
    officer.post(
        f"/facilities/rooms/{room.pk}/",
        {
            "what": "inspection",
            "inspected_on": "2025-09-01",
            "findings": "出租",
            "kind": "illegally_let",
            "description": "出租",
            "rectify_by": "2025-10-31",
            "confirmed": "1",
        },
    )
    violation = Violation.objects.get()
    page = officer.get(f"/facilities/rooms/{room.pk}/").content.decode()
    assert f"/facilities/violations/{violation.pk}/rectify/" in page
    assert f"/facilities/violations/{violation.pk}/close/" not in page  # no later inspection yet
    later = services.record_inspection(
        by=nanan.ximei_officer, room=room, inspected_on=dt.date(2025, 11, 3), findings="已收回"
    )
    page = officer.get(f"/facilities/rooms/{room.pk}/").content.decode()
    assert f"/facilities/violations/{violation.pk}/close/" in page
    make_user("ximei_viewer", nanan.ximei_office, "viewer")  # sees the room, may not act
    viewer_page = _client("ximei_viewer").get(f"/facilities/rooms/{room.pk}/").content.decode()
    assert "出租" in viewer_page and f"/facilities/violations/{violation.pk}/" not in viewer_page
    services.VIOLATIONS.perform(
        violation,
        "close",
        by=nanan.ximei_officer,
        inspection=later,
    )
    closed_page = officer.get(f"/facilities/rooms/{room.pk}/").content.decode()
    assert f"/facilities/violations/{violation.pk}/" not in closed_page
