"""Uploads are capped before Django reads them (413 on the declared length, the stream cut at
the cap), and any file name is stored safely: never a 500, never a stray file."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError
from django.test import Client

from accounts.uploads import MAX_NAME_BYTES, MAX_NAME_CHARS, remove_unreferenced, upload_name
from facilities.models import InspectionPhoto
from pilots import services
from pilots.models import Attachment
from tests.conftest import api_client_for
from tests.facilities.conftest import make_room, nanan  # noqa: F401 - fixture
from tests.factories import PASSWORD
from tests.pilots.conftest import call, draft  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(root):
    return sorted(path for path in root.rglob("*") if path.is_file())


class UnreadableBody(io.RawIOBase):
    """A request body that fails the test if anything reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


def test_a_huge_declared_body_gets_413_in_the_api_error_format_without_being_read(world, draft):  # noqa: F811
    client = api_client_for(world.company_a_admin)
    response = client.generic(
        "POST",
        f"/api/v1/applications/{draft.pk}/attachments/",
        CONTENT_TYPE="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(300 * MB),
        **{"wsgi.input": UnreadableBody()},
    )
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "request_too_large" and "20 MB" in error["message"]
    assert not Attachment.objects.exists()


def test_a_huge_declared_body_on_a_portal_page_gets_a_413_page(world, draft):  # noqa: F811
    client = Client()
    assert client.login(username="a_admin", password=PASSWORD)
    response = client.generic(
        "POST",
        f"/pilots/applications/{draft.pk}/attachments/",
        CONTENT_TYPE="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(300 * MB),
        **{"wsgi.input": UnreadableBody()},
    )
    assert response.status_code == 413
    page = response.content.decode()
    # The page of the portal (header and a way back), stating the file limit people know: 20 MB,
    # not the request cap with its margin for the rest of the form.
    assert response["Content-Type"].startswith("text/html")
    main = page[page.index("<main") : page.index("</main>")]  # not the tokens in the header's forms
    assert "20 MB" in main and "21 MB" not in main and "21" not in main
    assert 'href="/"' in page and '<header class="site-header">' in page


def test_a_stream_past_the_cap_is_cut_off_by_the_upload_handler(world, draft, settings, media):  # noqa: F811
    # The declared length passes the request cap; the file in it does not pass the file cap.
    settings.UPLOAD_MAX_BYTES = settings.SPREADSHEET_MAX_UPLOAD_BYTES = 64 * 1024
    settings.REQUEST_MAX_BYTES = 1 * MB
    big = SimpleUploadedFile("申报书.pdf", PDF + b"0" * (300 * 1024), content_type="application/pdf")
    response = api_client_for(world.company_a_admin).post(
        f"/api/v1/applications/{draft.pk}/attachments/", {"file": big}, format="multipart"
    )
    assert response.status_code == 413 and response.json()["error"]["code"] == "request_too_large"
    assert not Attachment.objects.exists() and stored_files(media) == []
    client = Client()
    assert client.login(username="a_admin", password=PASSWORD)
    big.seek(0)
    assert client.post(f"/pilots/applications/{draft.pk}/attachments/", {"file": big}).status_code == 413
    assert not Attachment.objects.exists()


def test_an_upload_under_the_caps_still_goes_through(world, draft, media):  # noqa: F811
    upload = SimpleUploadedFile("申报书.pdf", PDF, content_type="application/pdf")
    response = api_client_for(world.company_a_admin).post(
        f"/api/v1/applications/{draft.pk}/attachments/", {"file": upload}, format="multipart"
    )
    assert response.status_code == 201
    assert len(stored_files(media)) == 1


@pytest.mark.parametrize("stem", ["a" * 300, "申报材料" * 75, "x" * 240 + "申" * 60])
def test_a_300_character_file_name_is_stored_shortened_with_its_extension(world, draft, media, stem):  # noqa: F811
    upload = SimpleUploadedFile(f"{stem}.pdf", PDF, content_type="application/pdf")
    response = api_client_for(world.company_a_admin).post(
        f"/api/v1/applications/{draft.pk}/attachments/", {"file": upload}, format="multipart"
    )
    assert response.status_code == 201, response.content
    attachment = Attachment.objects.get()
    assert attachment.name.endswith(".pdf") and len(attachment.name) <= MAX_NAME_CHARS
    [stored] = stored_files(media)
    assert stored.suffix == ".pdf" and len(stored.name.encode()) <= 255
    assert str(stored).endswith(attachment.file.name)


def test_a_long_photo_name_through_the_inspection_api_is_kept_and_captioned(nanan):  # noqa: F811

    room = make_room(nanan)
    client = api_client_for(nanan.ximei_officer)
    made = client.post(
        "/api/v1/room-inspections/",
        {"room": room.pk, "inspected_on": "2025-09-01", "findings": "正常"},
        format="json",
    )
    assert made.status_code == 201, made.content
    photo = SimpleUploadedFile(
        "现场照片" * 80 + ".png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, content_type="image/png"
    )
    response = client.post(
        f"/api/v1/room-inspections/{made.json()['id']}/photos/", {"photos": [photo]}, format="multipart"
    )
    assert response.status_code == 201, response.content
    saved = InspectionPhoto.objects.get()
    assert saved.caption.endswith(".png") and len(saved.caption) <= MAX_NAME_CHARS


def test_upload_name_keeps_the_extension_and_fits_every_limit():
    assert upload_name("../../etc/passwd.pdf") == "passwd.pdf"
    assert upload_name("C:\\Users\\张三\\申报书.PDF") == "申报书.pdf"
    assert upload_name('a\x00b\x0bc<>:"|?*.png') == "abc.png"
    assert upload_name("  ..  ") == "file" and upload_name(" 申报书 .pdf ") == "申报书.pdf"
    assert upload_name("") == "file" and upload_name(".pdf") == "file.pdf"
    assert upload_name("name.with.dots.tar.gz") == "name.with.dots.tar.gz"
    assert upload_name("报告." + "x" * 40) == "报告." + "x" * 40  # not an extension: part of the name
    long = upload_name("申" * 300 + ".docx")
    assert long.endswith(".docx") and len(long.encode()) <= MAX_NAME_BYTES and len(long) <= MAX_NAME_CHARS


def test_a_save_that_fails_after_the_file_was_written_leaves_no_file(world, draft, media, monkeypatch):  # noqa: F811

    def failing_save(self, *args, **kwargs):
        assert self.file.name and (media / self.file.name).exists()  # written before the row
        raise DatabaseError("value too long for type character varying(200)")

    monkeypatch.setattr(Attachment, "save", failing_save)
    client = api_client_for(world.company_a_admin)
    client.raise_request_exception = False
    upload = SimpleUploadedFile("申报书.pdf", PDF, content_type="application/pdf")
    response = client.post(
        f"/api/v1/applications/{draft.pk}/attachments/", {"file": upload}, format="multipart"
    )
    assert response.status_code == 500
    assert stored_files(media) == []


def test_a_file_a_row_refers_to_is_never_removed(world, draft, media):  # noqa: F811

    attachment = services.add_attachment(
        draft, by=world.company_a_admin, upload=SimpleUploadedFile("申报书.pdf", PDF)
    )
    (media / "stray.pdf").write_bytes(PDF)
    assert remove_unreferenced([attachment.file.name, "stray.pdf"]) == ["stray.pdf"]
    assert stored_files(media) == [media / attachment.file.name]
