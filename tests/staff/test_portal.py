"""The companies' and bureaus' portal pages for staff, training and resources."""

import datetime as dt
import io

from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import AuditEntry, Notification
from staff import services
from staff.models import StaffMember, StationResource, TrainingTarget
from tests.factories import PASSWORD, make_staff, make_user


def _client(username):
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def test_progress_page_shows_person_times_against_the_target_by_street_and_company(world, pre_job):
    TrainingTarget.objects.create(region=world.regions["310105"], year=2025, person_times=200)
    for i, company in enumerate((world.company_a, world.company_a, world.company_b)):
        person = make_staff(company, f"学员{i}")
        services.record_result(
            pre_job, person, by=world.changning_officer, theory_score=80, practical_score=60 + i * 10
        )
    page = _client("cn_officer").get("/staff/training/progress/", {"region": "310105", "year": 2025})
    text = page.content.decode()
    assert "已培训 3 人次，目标 200 人次" in text and "1.5%" in text
    assert "华阳路街道" in text and "仙霞新村街道" in text and "甲物业" in text and "乙物业" in text
    assert "合格 2 人次" in text  # 60 in the practical is under the 70 mark
    export = _client("cn_officer").get(
        "/staff/training/progress/", {"region": "310105", "year": 2025, "export": "xlsx"}
    )
    book = load_workbook(io.BytesIO(export.getvalue()))
    assert book.sheetnames == ["按街镇", "按单位"]
    rows = list(book["按单位"].iter_rows(min_row=3, values_only=True))
    assert ("甲物业", 2, 1, 50) in [tuple(r[:4]) for r in rows]
    # a company sees only its own people in the same page
    mine = (
        _client("a_admin")
        .get("/staff/training/progress/", {"region": "310105", "year": 2025})
        .content.decode()
    )
    assert "已培训 2 人次" in mine and "乙物业" not in mine


def test_company_adds_a_person_with_a_login_and_sees_what_is_missing(world, station_a):
    login = make_user("a_new", world.company_a, "staff")
    client = _client("a_admin")
    response = client.post(
        "/staff/",
        {
            "name": "新服务员",
            "phone": "13955556666",
            "employer": world.company_a.pk,
            "region": world.regions["310105001"].pk,
            "roles": ["service"],
            "kind": "full_time",
            "status": "active",
            "joined_on": "2025-05-01",
            "user": login.pk,
        },
    )
    member = StaffMember.objects.get(name="新服务员")
    assert response.status_code == 302 and member.user == login
    listing = client.get("/staff/").content.decode()
    assert "139****6666" in listing and "13955556666" not in listing
    detail = client.get(f"/staff/{member.pk}/").content.decode()
    assert "尚未通过岗前培训考核" in detail
    # another company cannot open the page
    assert _client("b_admin").get(f"/staff/{member.pk}/").status_code == 404
    # reveal without the permission is refused and shows nothing
    revealed = client.post(f"/staff/{member.pk}/reveal/", follow=True).content.decode()
    assert "13955556666" not in revealed


def test_only_information_officers_keep_resource_information(world, station_a):
    client = _client("a_admin")
    refused = client.post(
        "/staff/resources/",
        {"station": station_a.pk, "kind": "medical", "name": "社区卫生服务中心"},
        follow=True,
    )
    assert "由运营单位的信息员维护" in refused.content.decode() and not StationResource.objects.exists()
    make_staff(world.company_a, "信息员小吴", roles=["information"], user=world.company_a_admin)
    client.post("/staff/resources/", {"station": station_a.pk, "kind": "medical", "name": "社区卫生服务中心"})
    resource = StationResource.objects.get()
    assert resource.updated_by.name == "信息员小吴"

    assert AuditEntry.objects.filter(object_id=str(resource.pk), actor=world.company_a_admin).exists()


def test_expiring_qualifications_are_announced_once(world, server):
    services.save_qualification(
        None,
        by=world.company_a_admin,
        staff=server,
        name="养老护理员",
        level="4",
        certificate_number="YL-1",
        expires_on=timezone.localdate() + dt.timedelta(days=20),
    )
    services.save_qualification(
        None,
        by=world.company_a_admin,
        staff=server,
        name="健康管理师",
        expires_on=timezone.localdate() + dt.timedelta(days=400),
    )
    assert services.notify_expiring_qualifications() == 1
    notice = Notification.objects.get(recipient=world.company_a_admin)
    assert "YL-1" in notice.body and "健康管理师" not in notice.body
    assert services.notify_expiring_qualifications() == 0  # not again
    listing = _client("a_admin").get("/staff/", {"expiring": "true"}).content.decode()
    assert "张服务" in listing
