"""Staff through the API and the admin: masking, scoping between companies, fixed query
counts at 10 and 100 rows, and exports of exactly the filtered rows."""

import datetime as dt
import io

from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import AuditEntry
from accounts.pii import blind_index
from staff import services
from staff.models import (
    Qualification,
    StaffMember,
    StationResource,
    TrainingRecord,
    TrainingSession,
    TrainingTarget,
)
from tests.conftest import api_client_for
from tests.copies import copy_rows
from tests.factories import PASSWORD, make_staff
from tests.stations.conftest import CHANGNING_ID
from volunteers import services as volunteer_services
from volunteers.models import PointsAccount, PointsEntry, VolunteerActivity, VolunteerHours, VolunteerTeam


def _queries(client, url, params=None):
    client.get(url, params or {})  # warm: the scope kept across requests, the session's refresh stamp
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200, response.content[:300]
    return len(ctx.captured_queries)


def test_phones_are_masked_in_the_api_list_and_export_and_revealed_only_with_permission(world):
    make_staff(world.company_a, "张三", phone="13912345678", id_number="", roles=["service", "publicity"])
    client = api_client_for(world.company_a_admin)
    row = client.get("/api/v1/staff/").json()["results"][0]
    assert row["phone_masked"] == "139****5678" and "phone" not in row
    assert "13912345678" not in client.get("/api/v1/staff/").content.decode()
    sheet = load_workbook(io.BytesIO(client.get("/api/v1/staff/export/").getvalue())).active
    assert "139****5678" in [c.value for c in sheet[2]]
    assert all(c.value != "13912345678" for r in sheet.iter_rows() for c in r)

    member = StaffMember.objects.get()
    assert client.get(f"/api/v1/staff/{member.pk}/reveal/").status_code == 403
    world.company_a_admin.user_permissions.add(
        Permission.objects.get(codename="view_personal_data_staffmember")
    )
    world.company_a_admin = type(world.company_a_admin).objects.get(pk=world.company_a_admin.pk)
    shown = api_client_for(world.company_a_admin).get(f"/api/v1/staff/{member.pk}/reveal/").json()
    assert shown["phone"] == "13912345678"
    assert AuditEntry.objects.filter(action="pii_read", object_id=str(member.pk)).exists()
    # the audit log never stores the number itself
    assert not AuditEntry.objects.filter(changes__icontains="13912345678").exists()


def test_companies_never_reach_each_others_staff(world):
    a = make_staff(world.company_a, "甲的人")
    make_staff(world.company_b, "乙的人")
    b_client = api_client_for(world.company_b_admin)
    names = [r["name"] for r in b_client.get("/api/v1/staff/").json()["results"]]
    assert names == ["乙的人"]
    assert b_client.get(f"/api/v1/staff/{a.pk}/").status_code == 404
    assert b_client.patch(f"/api/v1/staff/{a.pk}/", {"name": "改"}, format="json").status_code == 404
    created = b_client.post(
        "/api/v1/staff/",
        {"name": "冒名", "employer": world.company_a.pk, "region": "310105001", "roles": ["service"]},
        format="json",
    )
    assert created.status_code == 400  # 甲物业 is not among the employers 乙 may choose
    # the district's officer sees both, a viewer cannot change them
    officer = api_client_for(world.changning_officer)
    assert {r["name"] for r in officer.get("/api/v1/staff/").json()["results"]} == {"甲的人", "乙的人"}
    viewer = api_client_for(world.changning_viewer)
    assert viewer.patch(f"/api/v1/staff/{a.pk}/", {"name": "改"}, format="json").status_code == 403
    assert len(api_client_for(world.nanan_officer).get("/api/v1/staff/").json()["results"]) == 0


def test_company_adds_staff_through_the_api_with_a_checked_identity_number(world, station_a):
    client = api_client_for(world.company_a_admin)
    body = {
        "name": "新员工",
        "phone": "13800001111",
        "id_number": CHANGNING_ID,
        "employer": world.company_a.pk,
        "region": "310105001",
        "stations": [station_a.pk],
        "roles": ["service", "information"],
        "kind": "full_time",
    }
    bad = client.post(
        "/api/v1/staff/",
        {**body, "id_number": CHANGNING_ID[:-1] + ("0" if CHANGNING_ID[-1] != "0" else "1")},
        format="json",
    )
    assert bad.status_code == 400 and "id_number" in bad.json()["error"]["fields"]
    made = client.post("/api/v1/staff/", body, format="json")
    assert made.status_code == 201, made.json()
    assert made.json()["id_number_masked"] == CHANGNING_ID[:6] + "********" + CHANGNING_ID[-4:]
    member = StaffMember.objects.get(pk=made.json()["id"])
    assert member.roles == ["information", "service"] and list(member.stations.all()) == [station_a]
    assert services.find_staff(StaffMember.objects.all(), phone="13800001111").get() == member


def _numbered(copy, n):
    """The names and phone the workflow would have given volunteer n."""
    if isinstance(copy, StaffMember):
        copy.name, copy.phone = f"人{n}", f"1390000{n:04d}"
        copy.phone_hash = blind_index(copy.phone)
    elif isinstance(copy, TrainingSession):
        copy.title = f"培训{n}"
    elif isinstance(copy, StationResource):
        copy.name = f"资源{n}"
    elif isinstance(copy, VolunteerTeam):
        copy.name = f"队{n}"
    elif isinstance(copy, VolunteerActivity):
        copy.title = f"活动人{n}"


def test_list_endpoints_and_admin_pages_cost_the_same_queries_at_10_and_100(world, pre_job, station_a, team):
    officer = api_client_for(world.changning_officer)
    company = api_client_for(world.company_a_admin)
    lists = [
        (officer, "/api/v1/staff/"),
        (officer, "/api/v1/qualifications/"),
        (officer, "/api/v1/training-records/"),
        (officer, "/api/v1/training-sessions/"),
        (company, "/api/v1/points-ledger/"),
        (company, "/api/v1/volunteer-activities/"),
        (company, "/api/v1/volunteer-teams/"),
        (company, "/api/v1/station-resources/"),
    ]
    info_user = __import__("tests.factories", fromlist=["make_user"]).make_user(
        "a_info", world.company_a, "staff"
    )
    make_staff(world.company_a, "信息员", roles=["information"], user=info_user)

    def one(i):
        """A volunteer with a qualification, a passed pre-job training, a session, a resource,
        a team of their own and an activity with hours and points in ``team``, written by the
        workflows."""
        member = make_staff(world.company_a, f"人{i}", phone=f"1390000{i:04d}", kind="volunteer")
        services.save_qualification(
            None,
            by=world.company_a_admin,
            staff=member,
            name="养老护理员",
            expires_on=dt.date(2030, 1, 1),
        )
        services.record_result(
            pre_job, member, by=world.changning_officer, theory_score=80, practical_score=80
        )
        services.save_session(
            None,
            by=world.changning_officer,
            organiser=world.changning_bureau,
            region=world.regions["310105"],
            title=f"培训{i}",
            kind="periodic",
            starts_on=dt.date(2025, 7, 1),
            ends_on=dt.date(2025, 7, 1),
        )
        services.save_resource(None, by=info_user, station=station_a, kind="charity", name=f"资源{i}")
        volunteer_services.save_team(
            None,
            by=world.company_a_admin,
            members=[member],
            organization=world.company_a,
            community=world.regions["310105001"],
            name=f"队{i}",
        )
        team.members.add(member)
        volunteer_services.record_activity(
            by=world.company_a_admin,
            team=team,
            held_on=timezone.localdate(),
            category="errands",
            title=f"活动{member.name}",
            hours={member: 1},
        )
        return i, member

    template = []

    def add(n, offset):
        """The workflows write the first volunteer; the others are copies of its rows
        (tests/copies.py)."""
        if not template:
            template.append(one(offset))
            n, offset = n - 1, offset + 1
        i, member = template[0]
        copies = copy_rows(
            [
                (StaffMember, [member]),
                (Qualification, Qualification.objects.filter(staff=member)),
                (TrainingSession, TrainingSession.objects.filter(title=f"培训{i}")),
                (TrainingRecord, TrainingRecord.objects.filter(staff=member)),
                (StationResource, StationResource.objects.filter(name=f"资源{i}")),
                (VolunteerTeam, VolunteerTeam.objects.filter(name=f"队{i}")),
                (VolunteerActivity, VolunteerActivity.objects.filter(title=f"活动{member.name}")),
                (VolunteerHours, VolunteerHours.objects.filter(volunteer=member)),
                (PointsAccount, PointsAccount.objects.filter(volunteer=member)),
                (PointsEntry, PointsEntry.objects.filter(account__volunteer=member)),
            ],
            times=n,
            start=offset,
            vary=_numbered,
        )
        team.members.add(*(copy[StaffMember][member.pk] for copy in copies))

    services.save_session(pre_job, by=world.changning_officer, capacity=None)
    add(10, 0)
    small = [_queries(client, url, {"page_size": 10}) for client, url in lists]
    add(90, 100)
    large = [_queries(client, url, {"page_size": 100}) for client, url in lists]
    assert small == large

    admin = Client()
    assert admin.login(username="cn_officer", password=PASSWORD)
    pages = [
        "/admin/staff/staffmember/",
        "/admin/staff/trainingsession/",
        "/admin/staff/trainingrecord/",
        "/admin/volunteers/pointsentry/",
        "/admin/volunteers/volunteeractivity/",
        "/admin/staff/stationresource/",
        "/admin/volunteers/volunteerteam/",
    ]
    before = [_queries(admin, page) for page in pages]
    add(20, 300)
    assert [_queries(admin, page) for page in pages] == before


def test_exports_hold_exactly_the_filtered_rows(world):
    make_staff(world.company_a, "服务甲", roles=["service"])
    make_staff(world.company_a, "宣传甲", roles=["publicity"])
    make_staff(
        world.company_a,
        "离职甲",
        roles=["service"],
        status="left",
        joined_on=dt.date(2024, 1, 1),
        left_on=dt.date(2025, 9, 1),
    )
    client = api_client_for(world.company_a_admin)
    listed = [
        r["name"]
        for r in client.get("/api/v1/staff/", {"role": "service", "status": "active"}).json()["results"]
    ]
    sheet = load_workbook(
        io.BytesIO(client.get("/api/v1/staff/export/", {"role": "service", "status": "active"}).getvalue())
    ).active
    exported = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert listed == exported == ["服务甲"]
    portal = Client()
    assert portal.login(username="a_admin", password=PASSWORD)
    sheet = load_workbook(
        io.BytesIO(portal.get("/staff/", {"role": "publicity", "export": "xlsx"}).getvalue())
    ).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["宣传甲"]


def test_officer_suspends_selected_people_in_batch_and_they_can_no_longer_serve(world, station_a, staff_a):
    other = make_staff(world.company_b, "乙的人")
    assert staff_a.serve_refusal(station_a) is None
    admin = Client()
    assert admin.login(username="cn_officer", password=PASSWORD)
    response = admin.post(
        "/admin/staff/staffmember/",
        {"action": "suspend", "_selected_action": [staff_a.pk, other.pk]},
        follow=True,
    )
    assert "已更新 2 人" in response.content.decode()
    assert set(StaffMember.objects.values_list("status", flat=True)) == {"suspended"}
    assert "暂停" in staff_a.serve_refusal(station_a)
    nanan = Client()
    nanan.login(username="na_officer", password=PASSWORD)
    nanan.post("/admin/staff/staffmember/", {"action": "reinstate", "_selected_action": [other.pk]})
    assert StaffMember.objects.get(pk=other.pk).status == "suspended"  # outside 南安's region


def test_training_targets_are_read_only_within_their_district(world, django_assert_num_queries):
    changning = TrainingTarget.objects.create(region=world.regions["310105"], year=2026, person_times=200)
    nanan = TrainingTarget.objects.create(region=world.regions["350583"], year=2026, person_times=120)

    def ids(user):
        return {row["id"] for row in api_client_for(user).get("/api/v1/training-targets/").json()["results"]}

    # the district's bureau, its street offices and the companies located in it read its plan
    assert ids(world.changning_officer) == {changning.pk}
    assert ids(world.street_officer) == {changning.pk}
    assert ids(world.company_a_admin) == {changning.pk}
    # another city's users see neither the list entry nor the record
    assert ids(world.nanan_officer) == {nanan.pk}
    url = "/api/v1/training-targets/{}/"
    assert api_client_for(world.nanan_officer).get(url.format(changning.pk)).status_code == 404
    assert api_client_for(world.company_a_admin).get(url.format(nanan.pk)).status_code == 404
    # nor through the progress report of the other district
    progress = api_client_for(world.company_a_admin).get(
        "/api/v1/training-sessions/progress/", {"region": "350583", "year": "2026"}
    )
    assert progress.status_code == 200 and progress.json()["target"] is None
    # a company reads but does not change its district's plan
    assert (
        api_client_for(world.company_a_admin)
        .patch(f"/api/v1/training-targets/{changning.pk}/", {"person_times": 1}, format="json")
        .status_code
        == 403
    )
    with django_assert_num_queries(3):  # scope, count, page (the organisations' test is a subquery)
        api_client_for(world.company_b_admin).get("/api/v1/training-targets/")
