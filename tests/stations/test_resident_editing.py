"""A station's operator edits a person's phone, address and consent and uploads the signed
consent form: the phone stays encrypted and masked, every change and every download of the form
is audit-logged, refused input comes back beside its field."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client

from accounts.models import AuditEntry, Role
from accounts.pii import blind_index
from stations.models import Resident
from tests.factories import PASSWORD, make_user

PDF = b"%PDF-1.4\n" + b"0" * 64


def client_for(user, language="zh-hans"):
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    return client


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def data(world, **overrides):
    return {
        "phone": "",
        "community": world.regions["310105001"].pk,
        "address": "华阳路 388 弄 2 号 301 室",
        "consent_on": "2025-04-01",
    } | overrides


def test_the_operator_changes_phone_address_and_consent_with_the_signed_form(world, resident, media):
    client = client_for(world.company_a_admin)
    page = client.get(f"/stations/residents/{resident.pk}/edit/").content.decode()
    assert "138****5678" in page and "13812345678" not in page  # the phone is never shown in full
    response = client.post(
        f"/stations/residents/{resident.pk}/edit/",
        data(world, phone="139 0000 1111", consent_on="2026-01-05")
        | {"consent_form": SimpleUploadedFile("同意书 李阿婆.pdf", PDF)},
    )
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.phone == "13900001111" and resident.phone_hash == blind_index("13900001111")
    assert resident.address == "华阳路 388 弄 2 号 301 室"
    assert (
        resident.consent_on == dt.date(2026, 1, 5) and resident.consent_recorded_by == world.company_a_admin
    )
    assert resident.consent_form.name.startswith("consents/") and "李阿婆" not in resident.consent_form.name
    # the ciphertext is stored, not the number
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM stations_resident WHERE id = %s", [resident.pk])
        assert "13900001111" not in cursor.fetchone()[0]
    entry = AuditEntry.objects.filter(object_id=str(resident.pk), action="update").latest("at")
    assert entry.actor == world.company_a_admin and entry.channel == "portal"
    assert entry.changes["phone"] == ["***", "***"]
    assert "13900001111" not in str(entry.changes) and "consent_form" in entry.changes
    # lists and the file show it masked
    assert "139****1111" in client.get("/stations/residents/").content.decode()
    detail = client.get(f"/stations/residents/{resident.pk}/").content.decode()
    assert "139****1111" in detail and "13900001111" not in detail
    assert f"/stations/residents/{resident.pk}/consent-form/" in detail


def test_downloading_the_signed_form_is_logged(world, resident, media):
    client = client_for(world.company_a_admin)
    client.post(
        f"/stations/residents/{resident.pk}/edit/",
        data(world) | {"consent_form": SimpleUploadedFile("a.pdf", PDF)},
    )
    before = AuditEntry.objects.filter(action="pii_read", object_id=str(resident.pk)).count()
    response = client.get(f"/stations/residents/{resident.pk}/consent-form/")
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    read = AuditEntry.objects.filter(action="pii_read", object_id=str(resident.pk))
    assert read.count() == before + 1 and read.latest("at").note == "consent_form"


def test_removing_the_phone_and_keeping_it(world, resident):
    client = client_for(world.company_a_admin)
    client.post(f"/stations/residents/{resident.pk}/edit/", data(world))
    resident.refresh_from_db()
    assert resident.phone == "13812345678"  # an empty field keeps it
    client.post(f"/stations/residents/{resident.pk}/edit/", data(world, remove_phone="on"))
    resident.refresh_from_db()
    assert resident.phone == "" and resident.phone_hash == ""


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"phone": "abc"}, "phone", "7 to 20 digits"),
        ({"phone": "13900001111", "remove_phone": "on"}, "phone", "not both"),
        ({"consent_on": "2999-01-01"}, "consent_on", "future"),
        (
            {"consent_form": SimpleUploadedFile("form.pdf", b"MZ\x90\x00" + b"0" * 64)},
            "consent_form",
            "not an accepted file",
        ),
        (
            {"consent_form": SimpleUploadedFile("form.pdf", b"\x89PNG\r\n\x1a\n" + b"0" * 64)},
            "consent_form",
            "does not contain",
        ),
        (
            {"consent_on": "", "consent_form": SimpleUploadedFile("form.pdf", PDF)},
            "consent_on",
            "date the person signed",
        ),
    ],
)
def test_refused_input_comes_back_beside_its_field(world, resident, media, changes, field, message):
    Resident.objects.filter(pk=resident.pk).update(consent_on=None)
    client = client_for(world.company_a_admin, "en")
    response = client.post(
        f"/stations/residents/{resident.pk}/edit/", data(world, address="新地址 1 号", **changes)
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert message in " ".join(form.errors[field])
    assert 'value="新地址 1 号"' in response.content.decode()  # what was typed is kept
    resident.refresh_from_db()
    assert resident.address != "新地址 1 号" and not resident.consent_form
    assert not any(media.rglob("*.*"))


def test_others_do_not_reach_the_edit_page_or_the_form(world, resident, media):
    Resident.objects.filter(pk=resident.pk).update(consent_form="consents/x.pdf")
    for user in (world.company_b_admin, world.changning_viewer, world.nanan_officer):
        client = client_for(user)
        assert client.get(f"/stations/residents/{resident.pk}/edit/").status_code == 404, user
        assert (
            client.post(f"/stations/residents/{resident.pk}/edit/", data(world, address="x")).status_code
            == 404
        )
        assert client.get(f"/stations/residents/{resident.pk}/consent-form/").status_code == 404
    anonymous = Client()
    assert anonymous.get(f"/stations/residents/{resident.pk}/edit/")["Location"].startswith(
        "/accounts/login/"
    )
    assert anonymous.get(f"/stations/residents/{resident.pk}/consent-form/").status_code == 302
    resident.refresh_from_db()
    assert resident.address != "x"
    assert not AuditEntry.objects.filter(action="pii_read", object_id=str(resident.pk)).exists()


def test_company_staff_keep_the_files_they_register_as_today(world, resident):
    """The project's rule for residents: the operator's staff register and update them (the
    station's particulars, by contrast, are the administrator's)."""
    clerk = make_user("a_clerk", world.company_a, Role.STAFF)
    response = client_for(clerk).post(
        f"/stations/residents/{resident.pk}/edit/", data(world, address="新地址")
    )
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.address == "新地址"
