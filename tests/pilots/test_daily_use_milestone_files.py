"""Milestone evidence as files, checked by content, size and type; a refused completion keeps
what was typed; the files are for the pilot unit and the officers over it, not the public."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.models import AuditEntry
from pilots import services
from pilots.models import MilestoneEvidence
from tests.factories import PASSWORD
from tests.pilots.test_api_and_scoping import api_client_for

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
    b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def logged_in(username):
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


@pytest.fixture
def pilot(world, draft, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    services.transition(draft, "submit", by=world.company_a_admin)
    services.transition(draft, "recommend", by=world.street_officer, text="同意")
    services.transition(draft, "approve", by=world.changning_officer, text="同意")
    draft.refresh_from_db()
    return draft.pilot


def test_a_milestone_is_done_with_files_only(world, pilot):
    milestone = pilot.milestones.get()
    response = logged_in("a_admin").post(
        f"/pilots/pilots/{pilot.pk}/",
        {
            "what": "milestone",
            "milestone": milestone.pk,
            "files": [SimpleUploadedFile("站点照片.png", PNG), SimpleUploadedFile("开放时间公示.pdf", PDF)],
        },
    )
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert milestone.status == "done"
    kept = list(milestone.files.values_list("name", "content_type"))
    assert kept == [("站点照片.png", "image/png"), ("开放时间公示.pdf", "application/pdf")]
    assert "站点照片.png" in AuditEntry.objects.get(action="milestone_done").note


def test_a_renamed_program_is_refused_beside_the_field_and_the_text_is_kept(world, pilot):
    milestone = pilot.milestones.get()
    refused = logged_in("a_admin").post(
        f"/pilots/pilots/{pilot.pk}/",
        {
            "what": "milestone",
            "milestone": milestone.pk,
            "evidence": "站点已于 8 月 20 日开放",
            "files": [SimpleUploadedFile("照片.png", b"MZ\x90\x00" + b"\0" * 64)],
        },
    )
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "站点已于 8 月 20 日开放" in body  # what was typed is still there
    form = {m.pk: f for m, _overdue, f in refused.context["milestones"]}[milestone.pk]
    assert form.errors["files"]
    milestone.refresh_from_db()
    assert milestone.status == "pending" and not MilestoneEvidence.objects.exists()


def test_neither_text_nor_file_is_refused(world, pilot):
    milestone = pilot.milestones.get()
    refused = logged_in("a_admin").post(
        f"/pilots/pilots/{pilot.pk}/", {"what": "milestone", "milestone": milestone.pk}
    )
    assert refused.status_code == 400
    assert "evidence" in {m.pk: f for m, _o, f in refused.context["milestones"]}[milestone.pk].errors


def test_an_oversized_file_is_refused(world, pilot, settings):
    settings.UPLOAD_MAX_BYTES = 100
    milestone = pilot.milestones.get()
    big = SimpleUploadedFile("大.pdf", PDF + b"\0" * 200)
    with pytest.raises(ValidationError):
        services.complete_milestone(milestone, by=world.company_a_admin, files=[big])


def test_evidence_files_are_not_for_the_public_or_other_companies(world, pilot):
    milestone = pilot.milestones.get()
    services.complete_milestone(
        milestone, by=world.company_a_admin, files=[SimpleUploadedFile("照片.png", PNG)]
    )
    services.publish_pilot_list(pilot.programme, by=world.changning_officer)
    evidence = MilestoneEvidence.objects.get()
    url = f"/pilots/evidence/{evidence.pk}/"
    assert logged_in("a_admin").get(url).status_code == 200
    assert logged_in("cn_officer").get(url).status_code == 200
    assert logged_in("b_admin").get(url).status_code == 404
    assert Client().get(url).status_code == 302  # to the log-in page
    public = Client().get(f"/pilots/pilots/{pilot.pk}/").content.decode()
    assert url not in public and "佐证文件 1 个" in public


def test_the_api_takes_evidence_files_through_the_same_rule(world, pilot):
    milestone = pilot.milestones.get()
    client = api_client_for(world.company_a_admin)
    bad = client.post(
        f"/api/v1/pilot-milestones/{milestone.pk}/complete/",
        {"files": [SimpleUploadedFile("x.pdf", b"MZ" + b"\0" * 64)]},
        format="multipart",
    )
    assert bad.status_code == 400
    good = client.post(
        f"/api/v1/pilot-milestones/{milestone.pk}/complete/",
        {"evidence": "已开放", "files": [SimpleUploadedFile("公示.pdf", PDF)]},
        format="multipart",
    )
    assert good.status_code == 200 and good.json()["files"] == ["公示.pdf"]
