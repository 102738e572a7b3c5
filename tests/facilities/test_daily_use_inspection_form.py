"""Issue 15, item 5 and field staff (care rooms): a refused inspection comes back with everything
typed and each error beside its field; recording asks first on a page that says what the record
does and takes the photos (the phone's camera through the file input, several at once, each
checked by content, size and type); closing a violation asks first too."""

import datetime as dt
import re

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from facilities.models import Inspection, InspectionPhoto, Violation
from tests.factories import PASSWORD, make_user

from .conftest import make_room

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\0" * 64


def _client(username, language="en"):
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _form(**changes):
    data = {
        "what": "inspection",
        "inspected_on": "2025-09-01",
        "findings": "一层出租给商户",
        "kind": "illegally_let",
        "description": "出租给便利店",
        "rectify_by": "2025-10-31",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _error_beside(html, field):
    return re.search(rf'id="id_{field}-error">([^<]+)<', html)


def test_refused_inspection_keeps_every_field_and_puts_errors_beside_them(nanan):
    room = make_room(nanan, handed_over_on=dt.date(2024, 3, 1))
    page = _client("ximei_officer").post(f"/facilities/rooms/{room.pk}/", _form(findings="", rectify_by=""))
    html = page.content.decode()
    assert page.status_code == 400
    assert _error_beside(html, "findings") and _error_beside(html, "rectify_by")
    assert "A violation needs a rectification deadline." in _error_beside(html, "rectify_by").group(1)
    assert 'value="2025-09-01"' in html and 'value="出租给便利店"' in html
    assert re.search(r'<option value="illegally_let" selected>', html)
    assert not Inspection.objects.exists()


def test_a_rule_of_the_service_is_refused_in_the_first_step_beside_its_field(nanan):
    room = make_room(nanan, handed_over_on=dt.date(2024, 3, 1))
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    html = _client("ximei_officer").post(f"/facilities/rooms/{room.pk}/", _form(inspected_on=future)).content
    html = html.decode()
    assert "cannot be recorded before it happens" in _error_beside(html, "inspected_on").group(1)
    assert 'value="出租给便利店"' in html and not Inspection.objects.exists()


def test_recording_asks_first_with_the_camera_input_and_saves_nothing_yet(nanan):
    room = make_room(nanan, handed_over_on=dt.date(2024, 3, 1))
    page = _client("ximei_officer").post(f"/facilities/rooms/{room.pk}/", _form())
    html = page.content.decode()
    assert page.status_code == 200 and 'name="confirmed"' in html
    assert "cannot be changed or deleted afterwards" in html and "to be rectified by 2025-10-31" in html
    camera = re.search(r'<input type="file" name="photos"[^>]*>', html).group(0)
    assert 'accept="image/*"' in camera and 'capture="environment"' in camera and "multiple" in camera
    assert 'type="hidden" name="findings" value="一层出租给商户"' in html
    assert not Inspection.objects.exists() and not Violation.objects.exists()


def test_confirmed_inspection_is_saved_with_several_photos_and_its_violation(nanan):
    room = make_room(nanan, handed_over_on=dt.date(2024, 3, 1))
    photos = [
        SimpleUploadedFile("门口.png", PNG, content_type="image/png"),
        SimpleUploadedFile("室内.jpg", JPEG, content_type="image/jpeg"),
    ]
    response = _client("ximei_officer").post(
        f"/facilities/rooms/{room.pk}/", {**_form(), "confirmed": "1", "photos": photos}
    )
    assert response.status_code == 302 and response["Location"].endswith("#inspections")
    inspection = Inspection.objects.get()
    assert inspection.photos.count() == 2 and inspection.inspector == nanan.ximei_officer
    assert Violation.objects.get().kind == "illegally_let"


def test_a_photo_refused_by_content_comes_back_on_the_confirmation_with_the_record_kept(nanan):
    room = make_room(nanan, handed_over_on=dt.date(2024, 3, 1))
    fake = SimpleUploadedFile("现场.jpg", b"MZ not a photo at all", content_type="image/jpeg")
    page = _client("ximei_officer").post(
        f"/facilities/rooms/{room.pk}/", {**_form(), "confirmed": "1", "photos": [fake]}
    )
    html = page.content.decode()
    assert page.status_code == 400 and "is not an accepted file" in _error_beside(html, "photos").group(1)
    assert 'type="hidden" name="description" value="出租给便利店"' in html and 'name="confirmed"' in html
    assert not Inspection.objects.exists()


def test_a_photo_over_the_size_limit_is_refused(nanan, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    room = make_room(nanan, handed_over_on=dt.date(2024, 3, 1))
    big = SimpleUploadedFile("大图.png", PNG + b"\0" * 4096, content_type="image/png")
    html = (
        _client("ximei_officer")
        .post(f"/facilities/rooms/{room.pk}/", {**_form(), "confirmed": "1", "photos": [big]})
        .content.decode()
    )
    assert "the limit is" in _error_beside(html, "photos").group(1) and not Inspection.objects.exists()


def test_back_to_change_returns_the_first_step_with_the_input(nanan):
    room = make_room(nanan, handed_over_on=dt.date(2024, 3, 1))
    html = (
        _client("ximei_officer")
        .post(f"/facilities/rooms/{room.pk}/", {**_form(), "change": "1"})
        .content.decode()
    )
    assert 'id="inspection-form"' in html and "一层出租给商户</textarea>" in html
    assert not Inspection.objects.exists()


def test_who_may_not_record_cannot_reach_either_step(nanan):
    room = make_room(nanan, handed_over_on=dt.date(2024, 3, 1))
    make_user("ximei_viewer", nanan.ximei_office, "viewer")
    assert _client("ximei_viewer").post(f"/facilities/rooms/{room.pk}/", _form()).status_code == 403
    assert (
        _client("liucheng_officer")
        .post(f"/facilities/rooms/{room.pk}/", {**_form(), "confirmed": "1"})
        .status_code
        == 404
    )
    assert not Inspection.objects.exists()


def test_photos_can_be_added_to_a_recorded_inspection(nanan):
    room = make_room(nanan, handed_over_on=dt.date(2024, 3, 1))
    client = _client("ximei_officer")
    client.post(f"/facilities/rooms/{room.pk}/", {**_form(kind="", rectify_by=""), "confirmed": "1"})
    inspection = Inspection.objects.get()
    client.post(
        f"/facilities/rooms/{room.pk}/",
        {"what": "photos", "inspection": inspection.pk, "photos": [SimpleUploadedFile("补拍.png", PNG)]},
    )
    assert InspectionPhoto.objects.filter(inspection=inspection).count() == 1
    other = make_room(nanan, compound=nanan.other_compound, handed_over_on=dt.date(2024, 3, 1))
    refused = client.post(
        f"/facilities/rooms/{other.pk}/",
        {"what": "photos", "inspection": inspection.pk, "photos": [SimpleUploadedFile("x.png", PNG)]},
    )
    assert refused.status_code == 404 and InspectionPhoto.objects.count() == 1


def test_closing_a_violation_asks_first(nanan):
    room = make_room(nanan, handed_over_on=dt.date(2024, 3, 1))
    client = _client("ximei_officer")
    client.post(f"/facilities/rooms/{room.pk}/", {**_form(), "confirmed": "1"})
    client.post(
        f"/facilities/rooms/{room.pk}/",
        {**_form(inspected_on="2025-11-03", findings="已收回", kind="", rectify_by=""), "confirmed": "1"},
    )
    violation = Violation.objects.get()
    later = Inspection.objects.get(inspected_on=dt.date(2025, 11, 3))
    url = f"/facilities/violations/{violation.pk}/close/"
    asked = client.post(url, {"inspection": later.pk, "action_taken": "收回"}).content.decode()
    assert "A closed violation cannot be reopened" in asked and 'value="收回"' in asked
    assert Violation.objects.get().state == "open"
    client.post(url, {"inspection": later.pk, "action_taken": "收回", "confirmed": "1"})
    assert Violation.objects.get().state == "closed"
    assert _client("liucheng_officer").post(url, {"inspection": later.pk}).status_code == 404
