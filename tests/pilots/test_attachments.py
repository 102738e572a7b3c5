"""Attachments are checked by content, not by name, with a size cap."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from pilots import services

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
EXE = b"MZ\x90\x00\x03" + b"\0" * 200


def docx_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.parametrize(("name", "content"), [("申报表.pdf", PDF), ("现场.png", PNG), ("方案.docx", None)])
def test_accepted_files_are_kept_with_their_detected_type(world, draft, name, content):
    upload = SimpleUploadedFile(name, content or docx_bytes())
    attachment = services.add_attachment(draft, by=world.company_a_admin, upload=upload)
    assert attachment.size == len(content or docx_bytes())
    assert attachment.content_type in {
        "application/pdf",
        "image/png",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    }


def test_exe_renamed_pdf_is_refused(world, draft):
    with pytest.raises(ValidationError) as caught:
        services.add_attachment(draft, by=world.company_a_admin, upload=SimpleUploadedFile("申报表.pdf", EXE))
    assert "申报表.pdf" in caught.value.messages[0]
    assert draft.attachments.count() == 0


def test_pdf_named_docx_is_refused(world, draft):
    with pytest.raises(ValidationError) as caught:
        services.add_attachment(draft, by=world.company_a_admin, upload=SimpleUploadedFile("方案.docx", PDF))
    assert "PDF" in caught.value.messages[0]


def test_oversized_file_is_refused(world, draft, settings):
    settings.UPLOAD_MAX_BYTES = 100
    with pytest.raises(ValidationError):
        services.add_attachment(draft, by=world.company_a_admin, upload=SimpleUploadedFile("a.pdf", PDF * 10))


def test_attachments_only_while_editable(world, draft):
    services.transition(draft, "submit", by=world.company_a_admin)
    with pytest.raises(ValidationError):
        services.add_attachment(draft, by=world.company_a_admin, upload=SimpleUploadedFile("a.pdf", PDF))
