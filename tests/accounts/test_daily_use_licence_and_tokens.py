"""A company uploads its business-licence scan and sees who confirms it (issue 15, companies);
revoking a token asks first, saying what will happen (item 6)."""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts import services
from accounts.models import ApiToken, AuditEntry, LicenceState, Notification, Organization
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def client_for(user, language="zh-hans"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def upload(client, org, name="营业执照.pdf", content=PDF):
    return client.post(
        f"/organizations/{org.pk}/licence/upload/", {"scan": SimpleUploadedFile(name, content)}
    )


def test_company_uploads_its_licence_and_sees_it_awaits_the_district_bureau(world):
    client = client_for(world.company_b_admin)
    page = client.get(f"/organizations/{world.company_b.pk}/").content.decode()
    assert "长宁区民政局" in page  # who confirms, before anything is uploaded
    response = upload(client, world.company_b)
    assert response.status_code == 302
    world.company_b.refresh_from_db()
    assert world.company_b.licence_state == LicenceState.AWAITING
    assert AuditEntry.objects.filter(action="licence_uploaded", object_id=str(world.company_b.pk)).exists()
    # The bureau's officer is told; the street office (not a confirming office) is not.
    assert Notification.objects.filter(
        recipient=world.changning_officer, link__contains="organizations"
    ).exists()
    assert not Notification.objects.filter(recipient=world.street_officer).exists()
    page = client.get(f"/organizations/{world.company_b.pk}/").content.decode()
    assert "长宁区民政局" in page and f"/organizations/{world.company_b.pk}/licence/" in page


@pytest.mark.parametrize(
    ("name", "content"),
    [("营业执照.pdf", b"MZ\x90\x00" + b"\0" * 50), ("营业执照.exe", PDF), ("营业执照.pdf", b"")],
)
def test_a_file_that_is_not_a_scan_is_refused_beside_the_field(world, name, content):
    client = client_for(world.company_b_admin)
    response = upload(client, world.company_b, name, content)
    assert response.status_code == 200
    assert response.context["licence_form"].errors["scan"]
    world.company_b.refresh_from_db()
    assert not world.company_b.licence_scan


def test_another_company_cannot_upload_or_download(world):
    upload(client_for(world.company_b_admin), world.company_b)
    other = client_for(world.company_a_admin)
    assert upload(other, world.company_b).status_code == 404
    assert other.get(f"/organizations/{world.company_b.pk}/licence/").status_code == 404
    # The bureau confirms the scan; it does not replace it.
    assert upload(client_for(world.changning_officer), world.company_b, "别的.pdf").status_code == 403
    world.company_b.refresh_from_db()
    assert world.company_b.licence_scan.name.endswith("营业执照.pdf")


def test_only_the_district_bureau_confirms_and_a_new_scan_needs_a_new_confirmation(world):
    upload(client_for(world.company_b_admin), world.company_b)
    refused = client_for(world.street_officer).post(f"/organizations/{world.company_b.pk}/licence/confirm/")
    assert refused.status_code in (403, 404)
    nanan = client_for(world.nanan_officer).post(f"/organizations/{world.company_b.pk}/licence/confirm/")
    assert nanan.status_code == 404
    officer = client_for(world.changning_officer)
    assert officer.get(f"/organizations/{world.company_b.pk}/licence/").status_code == 200
    assert officer.post(f"/organizations/{world.company_b.pk}/licence/confirm/").status_code == 302
    org = Organization.objects.get(pk=world.company_b.pk)
    assert org.licence_state == LicenceState.CONFIRMED and org.licence_confirmed_by == world.changning_officer
    assert Notification.objects.filter(recipient=world.company_b_admin, title__contains="乙物业").exists()
    upload(client_for(world.company_b_admin), world.company_b)
    org.refresh_from_db()
    assert org.licence_state == LicenceState.AWAITING


def test_confirming_offices_are_the_bureaus_above_the_unit_nearest_first(world):
    assert [o.name for o in services.confirming_offices(world.company_b)] == ["长宁区民政局"]
    assert [o.name for o in services.confirming_offices(world.nanan_company)] == ["南安市民政局"]


def test_revoking_a_token_first_says_what_will_happen(world):
    token, _secret = services.issue_token(world.company_a_admin, name="呼叫中心", by=world.company_a_admin)
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.login(username="a_admin", password=PASSWORD)
    listing = client.get("/accounts/tokens/").content.decode()
    assert f'href="/accounts/tokens/{token.pk}/revoke/"' in listing
    page = client.get(f"/accounts/tokens/{token.pk}/revoke/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "呼叫中心" in text and "cannot be undone" in text and "401" in text
    token.refresh_from_db()
    assert token.revoked_at is None  # looking at the question revokes nothing
    assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_someone_elses_token_has_no_revoke_page(world):
    token, _secret = services.issue_token(world.company_a_admin, name="x", by=world.company_a_admin)
    client = client_for(world.company_b_admin)
    assert client.get(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404
    assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None
