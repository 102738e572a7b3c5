"""The admin records a publicity event through ``record_publicity``: run by the operator's
publicity officers, with a photo whose content is an image (000)."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import AuditEntry
from stations import services
from stations.models import PublicityEvent
from tests.admin_pages import admin_client, superuser
from tests.factories import make_staff

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15"
    b"\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def event_post(station, officers, photo=None):
    data = {
        "station": station.pk,
        "held_on": "2025-08-15",
        "form": "talk",
        "topic": "防诈骗讲座",
        "participants": "30",
        "officers": [member.pk for member in officers],
    }
    if photo is not None:
        data["photo"] = photo
    return data


@pytest.fixture(params=["superuser", "district_officer"])
def client(request, world):
    return admin_client(superuser() if request.param == "superuser" else world.changning_officer)


def test_an_event_run_by_someone_who_is_not_a_publicity_officer_is_refused_beside_the_field(
    world, station_a, client
):
    server = make_staff(world.company_a, "服务员小李", roles=["service"])
    page = client.post("/admin/stations/publicityevent/add/", event_post(station_a, [server]))
    assert page.status_code == 200
    assert "officers" in page.context["adminform"].form.errors
    assert "服务员小李" in page.content.decode()
    assert not PublicityEvent.objects.exists()


def test_a_photo_that_is_not_an_image_is_refused_beside_the_field(world, station_a, client):
    publicist = make_staff(world.company_a, "宣传员小王", roles=["publicity"])
    fake = SimpleUploadedFile("poster.png", b"%PDF-1.4 not an image at all", content_type="image/png")
    page = client.post("/admin/stations/publicityevent/add/", event_post(station_a, [publicist], fake))
    assert page.status_code == 200
    assert "photo" in page.context["adminform"].form.errors
    assert "poster.png" in page.content.decode()
    assert not PublicityEvent.objects.exists()


def test_an_event_of_the_operators_publicity_officer_is_recorded_through_the_service(
    world, station_a, client, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    publicist = make_staff(world.company_a, "宣传员小王", roles=["publicity"])
    photo = SimpleUploadedFile("talk.png", PNG, content_type="image/png")
    page = client.post("/admin/stations/publicityevent/add/", event_post(station_a, [publicist], photo))
    assert page.status_code == 302, page.context["adminform"].form.errors
    event = PublicityEvent.objects.get()
    assert list(event.officers.all()) == [publicist] and event.held_on == dt.date(2025, 8, 15)
    assert event.photo.name.endswith(".png")
    assert AuditEntry.objects.filter(object_id=str(event.pk), action="create").exists()


def test_a_recorded_event_is_not_changed_or_deleted_in_the_admin(world, station_a, client):
    publicist = make_staff(world.company_a, "宣传员小王", roles=["publicity"])
    event = services.record_publicity(
        by=world.company_a_admin,
        station=station_a,
        held_on=dt.date(2025, 8, 15),
        form="talk",
        topic="防诈骗讲座",
        officers=[publicist],
    )
    client.post(
        f"/admin/stations/publicityevent/{event.pk}/change/", {**event_post(station_a, []), "topic": "改"}
    )
    assert (
        client.post(f"/admin/stations/publicityevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    event.refresh_from_db()
    assert event.topic == "防诈骗讲座" and list(event.officers.all()) == [publicist]


def test_both_refusals_show_at_once(world, station_a, client):
    server = make_staff(world.company_a, "服务员小李", roles=["service"])
    fake = SimpleUploadedFile("poster.png", b"%PDF-1.4 not an image at all", content_type="image/png")
    page = client.post("/admin/stations/publicityevent/add/", event_post(station_a, [server], fake))
    assert {"officers", "photo"} <= set(page.context["adminform"].form.errors)
    assert not PublicityEvent.objects.exists()
