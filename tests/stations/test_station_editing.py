"""A company sets up and edits its stations in the portal: particulars, weekday hours, photos
and the position (estimated from the address, or clicked on the district plan). Only the
company's administrator (or an officer of the region) may; every write goes through
``stations.services``."""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from accounts.models import AuditEntry, Role
from stations import services
from stations.editing import district_plan
from stations.models import Station, StationPhoto
from tests.factories import PASSWORD, make_user

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\0" * 64


def client_for(user):
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


def form_data(world, **overrides):
    """What the details form sends for a new station of company A in 华阳路 open Mon–Fri."""
    data = {
        "operator": world.company_a.pk,
        "name": "新华路睦邻点",
        "region": world.regions["310105001"].pk,
        "address": "华阳路 120 号",
        "phone": "021-62001234",
        "floor": "ground",
        "area": "85.5",
        "capacity": "20",
        "services": ["meals", "care_visit"],
        "hours_note": "节假日休息",
        "latitude": "",
        "longitude": "",
    }
    for day in ("mon", "tue", "wed", "thu", "fri"):
        data[f"{day}_opens"], data[f"{day}_closes"] = "08:30", "11:30"
        data[f"{day}_opens2"], data[f"{day}_closes2"] = "13:30", "17:00"
    data.update(overrides)
    return data


@pytest.fixture
def clerk(world):
    """An ordinary member of company A's staff (工作人员), not its administrator."""
    return make_user("a_clerk", world.company_a, Role.STAFF)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


# --- setting up and editing ---------------------------------------------------------------------


def test_the_administrator_sets_up_a_station_with_its_weekday_hours(world):
    client = client_for(world.company_a_admin)
    assert client.get("/stations/manage/").content.decode().count("/stations/manage/new/") == 1
    response = client.post("/stations/manage/new/", form_data(world))
    station = Station.objects.get(name="新华路睦邻点")
    assert response.status_code == 302 and response["Location"] == f"/stations/manage/{station.pk}/details/"
    assert station.operator == world.company_a and station.status == "planned"
    assert station.opening_hours == dict.fromkeys(
        ("mon", "tue", "wed", "thu", "fri"), "08:30-11:30,13:30-17:00"
    )
    assert station.services == ["meals", "care_visit"] and str(station.area) == "85.5"
    page = client.get(f"/stations/manage/{station.pk}/details/").content.decode()
    assert 'value="13:30"' in page and 'value="新华路睦邻点"' in page


def test_the_administrator_edits_the_details_and_the_change_is_audited(world, station_a):
    client = client_for(world.company_a_admin)
    data = form_data(world, name="华阳路为老服务站（新址）", latitude="31.221000", longitude="121.431000")
    del data["operator"]
    response = client.post(f"/stations/manage/{station_a.pk}/details/", data)
    assert response.status_code == 302
    station_a.refresh_from_db()
    assert station_a.name == "华阳路为老服务站（新址）"
    assert str(station_a.latitude) == "31.221000" and station_a.operator == world.company_a
    assert station_a.opening_hours_display() == "周一至周五 08:30–11:30、13:30–17:00；周六、周日休息"
    entry = AuditEntry.objects.filter(object_id=str(station_a.pk), action="update").latest("at")
    assert entry.actor == world.company_a_admin and "name" in entry.changes


def test_an_officer_of_the_region_may_edit_as_today(world, station_a):
    data = form_data(world, name="改名")
    del data["operator"]
    assert (
        client_for(world.street_officer).post(f"/stations/manage/{station_a.pk}/details/", data).status_code
        == 302
    )
    station_a.refresh_from_db()
    assert station_a.name == "改名"


def test_company_staff_are_refused_the_details_with_the_reason(world, station_a, clerk):
    client = english(client_for(clerk))
    refused = client.get(f"/stations/manage/{station_a.pk}/details/")
    assert refused.status_code == 403
    assert "company&#x27;s administrator" in refused.content.decode()
    data = form_data(world, name="员工改名")
    del data["operator"]
    assert client.post(f"/stations/manage/{station_a.pk}/details/", data).status_code == 403
    assert client.get("/stations/manage/new/").status_code == 403
    assert client.post("/stations/manage/new/", form_data(world)).status_code == 403
    assert not Station.objects.filter(name__in=["员工改名", "新华路睦邻点"]).exists()
    # the manage page still works for them, without the details link
    page = client.get("/stations/manage/").content.decode()
    assert f"/stations/manage/{station_a.pk}/details/" not in page and "/stations/manage/new/" not in page
    # the same rule holds on every road: the service refuses them
    with pytest.raises(PermissionDenied):
        services.save_station(station_a, by=clerk, name="员工改名")
    with pytest.raises(PermissionDenied):
        services.save_station(
            None, by=clerk, operator=world.company_a, region=world.regions["310105001"], name="x", address="y"
        )


def test_another_company_and_anonymous_do_not_reach_the_station(world, station_a, media):
    other = client_for(world.company_b_admin)
    assert other.get(f"/stations/manage/{station_a.pk}/details/").status_code == 404
    assert other.post(f"/stations/manage/{station_a.pk}/photos/", {"caption": "x"}).status_code == 404
    # company B cannot set up a station for company A either
    response = other.post("/stations/manage/new/", form_data(world))
    assert response.status_code == 200 and "operator" in response.context["form"].errors
    anonymous = Client()
    for path in (f"/stations/manage/{station_a.pk}/details/", "/stations/manage/new/"):
        response = anonymous.get(path)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = anonymous.post(
        f"/stations/manage/{station_a.pk}/photos/", {"photo": SimpleUploadedFile("a.png", PNG)}
    )
    assert response.status_code == 302 and not StationPhoto.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"mon_opens": "17:30", "mon_closes": "08:30", "mon_opens2": "", "mon_closes2": ""}, "is not after"),
        ({"tue_opens": "08:30", "tue_closes": "", "tue_opens2": "", "tue_closes2": ""}, "or neither"),
        ({"wed_opens2": "11:00", "wed_closes2": "12:00"}, "second period must begin after"),
        ({"thu_closes": "25:00"}, "valid time"),
    ],
)
def test_bad_hours_come_back_with_the_input_and_the_error(world, station_a, changes, message):
    client = english(client_for(world.company_a_admin))
    data = form_data(world, name="改了名字", **changes)
    del data["operator"]
    response = client.post(f"/stations/manage/{station_a.pk}/details/", data)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert 'value="改了名字"' in page  # what was typed is kept
    station_a.refresh_from_db()
    assert station_a.name == "华阳路为老服务站"


def test_the_basement_rule_is_shown_beside_the_services(world, station_a):
    client = english(client_for(world.company_a_admin))
    data = form_data(world, floor="basement", services=["day_care"])
    del data["operator"]
    response = client.post(f"/stations/manage/{station_a.pk}/details/", data)
    assert response.status_code == 200
    assert response.context["form"].errors["services"]


# --- photos -------------------------------------------------------------------------------------


def test_a_photo_is_added_shown_publicly_once_operating_and_removed(
    world, station_a, media, django_capture_on_commit_callbacks
):
    client = client_for(world.company_a_admin)
    response = client.post(
        f"/stations/manage/{station_a.pk}/photos/",
        {"photo": SimpleUploadedFile("门口 照片.PNG", PNG, content_type="image/png"), "caption": "入口"},
    )
    assert response.status_code == 302
    photo = StationPhoto.objects.get()
    assert photo.caption == "入口" and photo.photo.name.startswith("stations/photos/")
    anonymous = Client()
    assert anonymous.get(f"/stations/photos/{photo.pk}/").status_code == 404  # a planned station
    services.change_station_status(station_a, "operating", by=world.company_a_admin)
    assert anonymous.get(f"/stations/photos/{photo.pk}/").status_code == 200
    assert f"/stations/photos/{photo.pk}/" in anonymous.get(f"/stations/{station_a.pk}/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # the file goes once the row is gone
        assert (
            client.post(f"/stations/manage/{station_a.pk}/photos/", {"remove": photo.pk}).status_code == 302
        )
    assert not StationPhoto.objects.exists()
    assert not (media / photo.photo.name).exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("setup.png", b"MZ\x90\x00" + b"\0" * 64, "not an accepted file"),
        ("scan.pdf", b"%PDF-1.4 " + b"\0" * 64, "not an accepted file"),
        ("photo.png", JPEG, "does not contain what its name says"),
        ("empty.png", b"", "empty"),
    ],
)
def test_bad_photo_uploads_are_refused_beside_the_field(world, station_a, media, name, content, message):
    client = english(client_for(world.company_a_admin))
    response = client.post(
        f"/stations/manage/{station_a.pk}/photos/",
        {"photo": SimpleUploadedFile(name, content), "caption": "入口"},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not StationPhoto.objects.exists()
    assert not any(media.rglob("*.*"))


def test_a_photo_over_the_size_limit_is_refused(world, station_a, media, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    with translation.override("en"), pytest.raises(ValidationError, match="limit is") as caught:
        services.add_station_photo(
            station_a, by=world.company_a_admin, photo=SimpleUploadedFile("big.png", PNG + b"\0" * 2048)
        )
    assert "photo" in caught.value.error_dict
    assert not StationPhoto.objects.exists()


def test_staff_cannot_add_photos(world, station_a, clerk, media):
    response = client_for(clerk).post(
        f"/stations/manage/{station_a.pk}/photos/", {"photo": SimpleUploadedFile("a.png", PNG)}
    )
    assert response.status_code == 403 and not StationPhoto.objects.exists()


def test_photos_are_capped(world, station_a, media, monkeypatch):
    monkeypatch.setattr("stations.services.details.MAX_PHOTOS", 1)
    services.add_station_photo(station_a, by=world.company_a_admin, photo=SimpleUploadedFile("a.png", PNG))
    with pytest.raises(ValidationError, match="at most 1"), translation.override("en"):
        services.add_station_photo(
            station_a, by=world.company_a_admin, photo=SimpleUploadedFile("b.png", PNG)
        )
    assert StationPhoto.objects.count() == 1


# --- the position ------------------------------------------------------------------------------


def test_the_position_is_estimated_from_the_road_then_the_street_then_the_district(
    world, station_a, station_b
):
    admin = world.company_a_admin
    services.change_station_status(station_b, "operating", by=world.company_b_admin)  # public: its point too
    huayang, xianxia, jiangsu = (world.regions[c] for c in ("310105001", "310105008", "310105002"))
    on_road = services.estimate_location(region=xianxia, address="华阳路 12 号", user=admin)
    assert (on_road.latitude, on_road.longitude, on_road.count) == (
        station_a.latitude,
        station_a.longitude,
        1,
    )
    in_street = services.estimate_location(region=xianxia, address="茅台路 5 号", user=admin)
    assert (in_street.latitude, in_street.longitude) == (station_b.latitude, station_b.longitude)
    in_district = services.estimate_location(region=jiangsu, address="愚园路 1 号", user=admin)
    assert in_district.count == 2
    assert float(in_district.latitude) == pytest.approx((31.22 + 31.21) / 2)
    assert services.estimate_location(region=world.regions["350583001"], address="", user=admin) is None


def test_estimating_fills_the_form_and_keeps_what_was_typed(world, station_a):
    client = client_for(world.company_a_admin)
    data = form_data(world, locate="1", name="还没保存")
    response = client.post("/stations/manage/new/", data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form["latitude"].value() == "31.220000" and form["name"].value() == "还没保存"
    assert not form.errors
    assert not Station.objects.filter(name="还没保存").exists()


def test_a_click_on_the_plan_maps_back_to_the_point(world, station_a, station_b):
    plan = district_plan(world.company_a_admin, "310105", station_a)
    a = next(p for p in plan["points"] if p["pk"] == station_a.pk)
    # what static/js/station_form.js computes from a click at the point
    lng = plan["west"] + a["x"] / plan["width"] * (plan["east"] - plan["west"])
    lat = plan["north"] - a["y"] / plan["height"] * (plan["north"] - plan["south"])
    assert lng == pytest.approx(121.43, abs=1e-4) and lat == pytest.approx(31.22, abs=1e-4)
    assert plan["marker"] == {"x": a["x"], "y": a["y"]}
    assert district_plan(world.company_a_admin, "350583") is None


# --- query counts --------------------------------------------------------------------------------


def _queries(client, path):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def test_the_details_page_and_my_stations_cost_the_same_for_more_photos_and_stations(world, station_a, media):
    client = client_for(world.company_a_admin)
    path = f"/stations/manage/{station_a.pk}/details/"
    services.add_station_photo(station_a, by=world.company_a_admin, photo=SimpleUploadedFile("a.png", PNG))
    few_details, few_mine = _queries(client, path), _queries(client, "/stations/manage/")
    for n in range(4):
        services.add_station_photo(
            station_a, by=world.company_a_admin, photo=SimpleUploadedFile(f"{n}.png", PNG)
        )
        services.save_station(
            None,
            by=world.company_a_admin,
            operator=world.company_a,
            region=world.regions["310105001"],
            name=f"站点{n}",
            address=f"华阳路 {n} 号",
            latitude=31.2 + n / 100,
            longitude=121.4,
        )
    assert _queries(client, path) == few_details
    assert _queries(client, "/stations/manage/") == few_mine


def test_the_public_page_and_finder_cost_the_same_for_more_photos_and_stations(world, station_a, media):
    services.change_station_status(station_a, "operating", by=world.company_a_admin)
    anonymous = Client()
    services.add_station_photo(station_a, by=world.company_a_admin, photo=SimpleUploadedFile("a.png", PNG))
    few_public, few_finder = (
        _queries(anonymous, f"/stations/{station_a.pk}/"),
        _queries(anonymous, "/stations/?service="),
    )
    for n in range(3):
        services.add_station_photo(
            station_a, by=world.company_a_admin, photo=SimpleUploadedFile(f"{n}.png", PNG)
        )
        other = services.save_station(
            None,
            by=world.company_a_admin,
            operator=world.company_a,
            region=world.regions["310105001"],
            name=f"站点{n}",
            address="华阳路",
            opening_hours={"mon": "08:00-12:00"},
        )
        services.change_station_status(other, "operating", by=world.company_a_admin, on=dt.date(2026, 1, 1))
    assert _queries(anonymous, f"/stations/{station_a.pk}/") == few_public
    assert _queries(anonymous, "/stations/?service=") == few_finder


def test_png_bytes_are_accepted_by_the_project_check():
    from accounts.uploads import sniff  # noqa: PLC0415 - a sanity check of the test data

    assert sniff(io.BytesIO(PNG)) == "png" and sniff(io.BytesIO(JPEG)) == "jpeg"
