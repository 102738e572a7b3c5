"""Pilots are followed through their phases: milestones with evidence, showcase cases with
photos, summary report, demonstration flag; notices reach people by e-mail too."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase

from pilots import services
from pilots.models import MilestoneStatus, Pilot
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def pilot(world, draft):
    services.transition(draft, "submit", by=world.company_a_admin)
    services.transition(draft, "recommend", by=world.street_officer)
    services.transition(draft, "approve", by=world.changning_officer)
    return Pilot.objects.get(application=draft)


def test_milestone_needs_evidence_and_records_completion(world, pilot):
    milestone = pilot.milestones.get()
    with pytest.raises(ValidationError) as caught:
        services.complete_milestone(milestone, by=world.company_a_admin, evidence=" ")
    assert "站点照片" in caught.value.messages[0]
    done = services.complete_milestone(milestone, by=world.company_a_admin, evidence="8 月 20 日开站")
    assert done.status == MilestoneStatus.DONE and done.completed_on is not None
    with pytest.raises(PermissionDenied):
        services.complete_milestone(milestone, by=world.company_b_admin, evidence="x")


def test_showcase_case_photo_is_checked_by_content(world, pilot):
    case = services.add_showcase_case(
        pilot,
        by=world.company_a_admin,
        title="助浴上门",
        text="为失能老人助浴",
        photo=SimpleUploadedFile("助浴.png", PNG),
    )
    assert case.photo
    with pytest.raises(ValidationError):
        services.add_showcase_case(
            pilot,
            by=world.company_a_admin,
            title="假照片",
            text="x",
            photo=SimpleUploadedFile("照片.png", b"%PDF-1.4\n"),
        )


def test_a_case_photo_outside_the_scope_answers_404(world, pilot):
    case = services.add_showcase_case(
        pilot, by=world.company_a_admin, title="助浴上门", text="x", photo=SimpleUploadedFile("助浴.png", PNG)
    )

    def status(user):
        client = Client()
        assert client.login(username=user.username, password=PASSWORD)
        return client.get(f"/pilots/cases/{case.pk}/photo/").status_code

    assert status(world.company_a_admin) == 200
    assert status(world.company_b_admin) == 404  # the pilot list is not published
    assert status(world.nanan_officer) == 404


def test_an_attachment_outside_the_scope_answers_404(world, draft):
    attachment = services.add_attachment(
        draft, by=world.company_a_admin, upload=SimpleUploadedFile("方案.pdf", b"%PDF-1.4\n%%EOF\n")
    )

    def status(user):
        client = Client()
        assert client.login(username=user.username, password=PASSWORD)
        return client.get(f"/pilots/attachments/{attachment.pk}/").status_code

    assert status(world.company_a_admin) == 200
    assert status(world.company_b_admin) == 404
    assert status(world.nanan_officer) == 404


def test_only_the_issuing_bureau_marks_a_demonstration_project(world, pilot):
    with pytest.raises(PermissionDenied):
        services.set_demonstration(pilot, by=world.company_a_admin, value=True)
    with pytest.raises(PermissionDenied):
        services.set_demonstration(pilot, by=world.street_officer, value=True)
    assert services.set_demonstration(pilot, by=world.changning_officer, value=True).is_demonstration


def test_pilot_page_lets_the_unit_report_and_hides_forms_from_others(world, pilot):
    unit = Client()
    unit.login(username="a_admin", password=PASSWORD)
    milestone = pilot.milestones.get()
    unit.post(
        f"/pilots/pilots/{pilot.pk}/", {"what": "milestone", "milestone": milestone.pk, "evidence": "已开站"}
    )
    unit.post(f"/pilots/pilots/{pilot.pk}/", {"what": "summary", "summary_report": "试点总结"})
    pilot.refresh_from_db()
    milestone.refresh_from_db()
    assert (milestone.status, pilot.summary_report) == ("done", "试点总结")
    other = Client()
    other.login(username="b_admin", password=PASSWORD)
    assert other.get(f"/pilots/pilots/{pilot.pk}/").status_code == 404  # list not published yet
    services.publish_pilot_list(pilot.programme, by=world.changning_officer)
    page = other.get(f"/pilots/pilots/{pilot.pk}/")
    assert page.status_code == 200 and page.context["editable"] is False
    other.post(f"/pilots/pilots/{pilot.pk}/", {"what": "summary", "summary_report": "篡改"})
    pilot.refresh_from_db()
    assert pilot.summary_report == "试点总结"


def test_decisions_are_e_mailed_when_the_recipient_has_an_address(world, draft, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    world.street_officer.email = "street@example.gov.cn"
    world.street_officer.save()
    world.company_a_admin.email = "company@example.com"
    world.company_a_admin.save()

    with TestCase.captureOnCommitCallbacks(execute=True):
        services.transition(draft, "submit", by=world.company_a_admin)
    assert [m.to for m in mail.outbox] == [["street@example.gov.cn"]]
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.transition(draft, "return", by=world.street_officer, text="请补充")
    assert mail.outbox[-1].to == ["company@example.com"] and "退回修改" in mail.outbox[-1].subject
