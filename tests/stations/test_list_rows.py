"""The read path of the large lists (service records, residents, staff): the JSON of a page built
from ``.values()`` rows is exactly the serializer's for the same rows (keys, order, formats), the
lists never decrypt, and they page with a cursor by ``-id``."""

import datetime as dt
import json
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection
from django.db.models import F
from django.utils import timezone, translation
from rest_framework.renderers import JSONRenderer

from accounts.pii import fill_masks, mask_id_number, open_mask_noting_key
from accounts.pii_rotation import encrypted_models, rotate
from staff.api import rows as staff_rows
from staff.api.serializers import StaffSerializer
from staff.models import Qualification, StaffMember
from stations import services
from stations.api import rows
from stations.api.serializers import RecordSerializer, ResidentSerializer
from stations.models import Resident, ResidentStation, ServiceRecord
from tests.conftest import api_client_for
from tests.factories import make_staff

from .conftest import OLD_NANAN_ID, id_number

pytestmark = pytest.mark.django_db


def as_json(data):
    """What the client receives (types as JSON has them, keys in their order)."""
    return json.loads(JSONRenderer().render(data))


def same(left, right):
    assert as_json(left) == as_json(right)
    for a, b in zip(as_json(left), as_json(right), strict=True):
        assert list(a) == list(b)  # the same keys in the same order


@pytest.fixture
def records(world, station_a, resident, staff_a):
    start = timezone.make_aware(dt.datetime(2026, 3, 1, 23, 30))  # late evening: the date differs in UTC
    base = {"resident": resident, "station": station_a, "category": "meals", "staff": staff_a}
    made = [
        ServiceRecord.objects.create(
            **base,
            started_at=start,
            ended_at=start + dt.timedelta(minutes=40),
            duration_minutes=40,
            unit_price=Decimal("12"),
            quantity=Decimal("1.5"),
            fee=Decimal("18"),
            fee_unit="hour",
            is_emergency=True,
            response_minutes=7,
            notes="送餐上门",
            rating=5,
        ),
        ServiceRecord.objects.create(
            **{**base, "staff": None, "category": "care_visit"},
            started_at=start - dt.timedelta(days=40),
            ended_at=start - dt.timedelta(days=40),
            duration_minutes=0,
            unit_price=None,
            fee_unit="",
        ),
        ServiceRecord.objects.create(
            **base,
            started_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
            ended_at=dt.datetime(2026, 1, 1, 0, 30, tzinfo=dt.UTC),
            duration_minutes=30,
            unit_price=Decimal("0.5"),
            fee=Decimal("123456.78"),
            fee_unit="meal",
        ),
    ]
    return made


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_record_rows_are_the_serializers_json(records, language):
    queryset = ServiceRecord.objects.annotate(staff_name=F("staff__name")).order_by("-started_at", "-id")
    with translation.override(language):
        expected = RecordSerializer(list(queryset), many=True, context={"request": None}).data
        got = rows.record_rows(queryset.values(*rows.RECORD_VALUES))
    same(got, expected)
    assert got[0]["fee_unit_display"] != "hour" or language == "en"
    assert got[0]["started_at"].endswith("+08:00") and got[0]["quantity"] == "1.50"


def test_record_api_page_is_the_serializers_json(world, records):
    response = api_client_for(world.company_a_admin).get("/api/v1/service-records/")
    assert response.status_code == 200
    body = response.json()
    ids = [row["id"] for row in body["results"]]
    instances = ServiceRecord.objects.annotate(staff_name=F("staff__name")).in_bulk(ids)
    expected = RecordSerializer([instances[pk] for pk in ids], many=True, context={"request": None}).data
    assert body["results"] == as_json(expected)
    assert len(ids) == 3


def test_record_date_filters_are_whole_local_days(world, records):
    client = api_client_for(world.company_a_admin)
    # 2026-03-01 23:30 in Shanghai is 15:30 UTC: it belongs to the 1st, not the 2nd
    found = client.get(
        "/api/v1/service-records/", {"started_after": "2026-03-01", "started_before": "2026-03-01"}
    )
    assert [row["id"] for row in found.json()["results"]] == [records[0].pk]
    assert client.get("/api/v1/service-records/", {"started_after": "2026-03-02"}).json()["results"] == []
    before = client.get("/api/v1/service-records/", {"started_before": "2026-02-28"}).json()["results"]
    assert {row["id"] for row in before} == {records[1].pk, records[2].pk}
    assert client.get("/api/v1/service-records/", {"started_before": "1-01-01"}).status_code == 400
    assert client.get("/api/v1/service-records/", {"started_after": "9999-01-01"}).status_code == 400


def test_record_id_filters_are_plain_ids(world, records, station_a):
    client = api_client_for(world.company_a_admin)
    assert len(client.get("/api/v1/service-records/", {"station": station_a.pk}).json()["results"]) == 3
    assert client.get("/api/v1/service-records/", {"station": 10**9}).json()["results"] == []
    assert client.get("/api/v1/service-records/", {"resident": "abc"}).status_code == 400


@pytest.fixture
def residents(world, station_a, station_b, resident):
    other = services.register_resident(
        by=world.company_b_admin,
        station=station_b,
        name="王老伯",
        id_number=id_number("31010519300101101"),
        community=world.regions["310105008"],
        living_situation="with_family",
        basic_care=["poor", "disabled"],
        emergency_contact="王小明",
        emergency_phone="13900001111",
    ).resident
    # the first is also served by 乙's station (two stations, one row)
    ResidentStation.objects.create(resident=resident, station=station_b)
    return [resident, other]


def test_resident_rows_are_the_serializers_json(residents):
    queryset = Resident.objects.select_related("community").prefetch_related("stations").order_by("-id")
    expected = ResidentSerializer(list(queryset), many=True, context={"request": None}).data
    got = rows.resident_rows(rows.resident_values(Resident.objects.order_by("-id")))
    same(got, expected)
    assert got[1]["id_number_masked"].startswith("310105") and "*" in got[1]["id_number_masked"]
    assert len(got[1]["stations"]) == 2


def test_resident_list_never_decrypts_and_pages_by_cursor(world, residents):
    client = api_client_for(world.changning_officer)
    with mock.patch("accounts.pii.decrypt", side_effect=AssertionError("decrypted")):
        first = client.get("/api/v1/residents/", {"page_size": 1})
        assert first.status_code == 200
        body = first.json()
        assert "count" not in body and [row["id"] for row in body["results"]] == [residents[1].pk]
        second = client.get(body["next"]).json()
    assert [row["id"] for row in second["results"]] == [residents[0].pk]
    assert second["next"] is None


def test_resident_scope_without_distinct(world, residents, station_b):
    # 乙物业 serves both (one of them through a second station): each once, and no DISTINCT
    queryset = Resident.objects.visible_to(world.company_b_admin)
    assert sorted(queryset.values_list("id", flat=True)) == sorted(r.pk for r in residents)
    assert "DISTINCT" not in str(queryset.query)
    assert not Resident.objects.visible_to(world.nanan_officer).exists()
    assert list(Resident.objects.editable_by(world.company_a_admin)) == [residents[0]]


def test_masks_are_kept_in_step_on_every_write(world, residents):
    resident = residents[0]
    assert resident.phone_masked == "138****5678"
    services.update_resident(
        Resident.objects.get(pk=resident.pk), by=world.company_a_admin, phone="13700002222"
    )
    assert Resident.objects.values_list("phone_masked", flat=True).get(pk=resident.pk) == "137****2222"
    resident.refresh_from_db()
    resident.phone = ""
    resident.save(update_fields=["phone"])
    assert Resident.objects.values_list("phone_masked", flat=True).get(pk=resident.pk) == ""
    with mock.patch("accounts.pii.decrypt", side_effect=AssertionError("decrypted")):
        listed = Resident.objects.defer("id_number", "phone", "emergency_phone").get(pk=resident.pk)
        assert str(listed) == f"李阿婆（{listed.id_number_masked}）"


def test_other_key_masks_are_refreshed_by_rotation(world, residents):
    Resident.objects.filter(pk=residents[1].pk).update(id_number_masked="stale")
    spec = next(spec for spec in encrypted_models() if spec.model is Resident)
    list(rotate(spec))
    refreshed = Resident.objects.get(pk=residents[1].pk)
    assert refreshed.id_number_masked == mask_id_number(refreshed.id_number) != "stale"


@pytest.fixture
def members(world, station_a):
    first = make_staff(world.company_a, "张护理", phone="13811112222", id_number=OLD_NANAN_ID)
    first.stations.set([station_a])
    Qualification.objects.create(staff=first, name="养老护理员", level="4", expires_on=dt.date(2027, 1, 1))
    Qualification.objects.create(staff=first, name="健康管理师", issued_on=dt.date(2020, 5, 1))
    second = make_staff(world.company_b, "李保洁", roles=("service", "publicity"))
    return [first, second]


def test_staff_rows_are_the_serializers_json(members):
    queryset = (
        StaffMember.objects.select_related("employer", "region", "user")
        .prefetch_related("stations", "qualifications")
        .order_by("-id")
    )
    expected = StaffSerializer(list(queryset), many=True, context={"request": None}).data
    got = staff_rows.staff_rows(staff_rows.staff_values(StaffMember.objects.order_by("-id")))
    same(got, expected)
    first = next(row for row in got if row["name"] == "张护理")
    assert first["phone_masked"] == "138****2222" and len(first["qualifications"]) == 2


def test_staff_list_never_decrypts_and_pages_by_cursor(world, members):
    client = api_client_for(world.changning_officer)
    with mock.patch("accounts.pii.decrypt", side_effect=AssertionError("decrypted")):
        body = client.get("/api/v1/staff/", {"page_size": 1}).json()
        assert "count" not in body and body["next"]
        rest = client.get(body["next"]).json()["results"]
    assert body["results"][0]["id"] > rest[0]["id"]


def test_fill_masks_repairs_every_stale_mask(world, residents, members):
    Resident.objects.update(id_number_masked="", phone_masked="x")
    StaffMember.objects.update(phone_masked="")
    assert fill_masks(Resident, batch_size=1) == 2
    assert fill_masks(StaffMember) == 1  # 李保洁 has no phone: her empty mask was right
    assert fill_masks(Resident) == 0
    for person in [*Resident.objects.all(), *StaffMember.objects.all()]:
        assert person.id_number_masked == mask_id_number(person.id_number)
        assert person.phone_masked == (person.phone[:3] + "****" + person.phone[-4:] if person.phone else "")


def _stored_masks(resident):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id_number_masked, phone_masked FROM stations_resident WHERE id = %s", [resident.pk]
        )
        return cursor.fetchone()


def test_the_stored_masks_are_sealed_with_the_pii_key_and_rotated(residents, settings):
    resident = residents[0]
    sealed_id, sealed_phone = _stored_masks(resident)
    # a dump of the table shows neither mask (the birth date beside them would complete the number)
    assert sealed_id.startswith("~") and resident.id_number_masked not in sealed_id
    assert sealed_phone.startswith("~") and resident.phone_masked not in sealed_phone
    assert open_mask_noting_key(sealed_id) == (resident.id_number_masked, True)
    settings.PII_KEY = f"a-new-key,{settings.SECRET_KEY}"  # the new key in front of the old one
    assert open_mask_noting_key(sealed_id) == (resident.id_number_masked, False)
    spec = next(spec for spec in encrypted_models() if spec.model is Resident)
    list(rotate(spec))
    resealed, _phone = _stored_masks(resident)
    assert resealed != sealed_id and open_mask_noting_key(resealed) == (resident.id_number_masked, True)
    assert Resident.objects.get(pk=resident.pk).id_number_masked == resident.id_number_masked
    settings.PII_KEY = "a-new-key"  # the old key dropped: the masks still open
    assert (
        Resident.objects.values_list("id_number_masked", flat=True).get(pk=resident.pk)
        == resident.id_number_masked
    )
