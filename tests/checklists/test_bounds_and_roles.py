"""Figures too large for their columns are refused in words (never a server error), a formula's
saved result is read as the fee, a street office never approves lists it drew up itself, the
public reads a station's lists only while the station is public, and a service logged in the
portal names its price and quantity."""

import datetime as dt
import io
import re
import threading
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.utils import timezone
from openpyxl import Workbook

from accounts.models import Role
from checklists import imports, services
from checklists.models import ListKind, VersionState
from reports.spreadsheets import ImportFailed
from stations import services as station_services
from stations.models import (
    Floor,
    PriceUnit,
    ServiceRecord,
    Station,
    StationPrice,
    StationStatus,
    default_quantity,
)
from tests.checklists.conftest import publish
from tests.factories import PASSWORD, make_user
from tests.stations.conftest import resident, staff_a  # noqa: F401

pytestmark = pytest.mark.django_db


def sheet(title, rows, cached=None):
    book = Workbook()
    ws = book.active
    ws.title = title
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    if not cached:
        return buffer
    # as Excel saves a formula: with its result
    source, out = zipfile.ZipFile(buffer), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                for cell, result in cached.items():
                    text = re.sub(
                        rf'<c r="{cell}"><f>(.*?)</f><v></v></c>',
                        rf'<c r="{cell}"><f>\1</f><v>{result}</v></c>',
                        text,
                    )
                data = text.encode()
            target.writestr(info, data)
    out.seek(0)
    return out


SERVICES = ["服务内容", "服务类别", "收费标准（元）", "计价单位", "收费性质"]


@pytest.mark.parametrize("fee", ["1000000", "1e30", "99999999999"])
def test_a_fee_too_large_for_the_column_is_refused_in_words(world, draft, fee):
    before = draft.items.count()
    fp = sheet("服务项目清单", [SERVICES, ["上门助洁", "助洁", fee, "小时", "市场价"]])
    with pytest.raises(ImportFailed) as failed:
        imports.import_list(draft, ListKind.SERVICES, fp, by=world.company_a_admin)
    assert "million" in failed.value.messages[0]
    assert draft.items.count() == before
    with pytest.raises(ValidationError) as refused:
        station_services.check_price(None, category="cleaning", price=fee, unit="hour", level="market")
    assert "price" in refused.value.message_dict


def test_the_largest_fee_the_column_holds_is_accepted():
    assert station_services.check_price(
        None, category="cleaning", price="999999.99", unit="hour", level="market"
    ) == Decimal("999999.99")


@pytest.mark.parametrize(("column", "value"), [("面积（㎡）", "12345678"), ("容纳人数", "100000000000")])
def test_an_area_or_capacity_too_large_is_refused_in_words(world, draft, column, value):
    fp = sheet("服务设施清单", [["设施名称", "位置", column], ["活动室", "会所一楼", value]])
    with pytest.raises(ImportFailed) as failed:
        imports.import_list(draft, ListKind.FACILITIES, fp, by=world.company_a_admin)
    assert "check the figure" in failed.value.messages[0]


def test_a_fee_written_as_a_formula_is_read_as_its_saved_result(world, draft):
    fp = sheet(
        "服务项目清单",
        [SERVICES, ["上门助洁", "助洁", "=10+2", "小时", "市场价"], ["活动室", None, None, None, None]][:2],
        cached={"C2": "12"},
    )
    imports.import_list(draft, ListKind.SERVICES, fp, by=world.company_a_admin)
    [item] = draft.items.filter(kind=ListKind.SERVICES)
    assert (item.name, item.price) == ("上门助洁", Decimal("12.00"))
    fp = sheet(
        "服务设施清单",
        [["设施名称", "位置", "面积（㎡）", "容纳人数"], ["活动室", "会所一楼", "=40*2", "=10+20"]],
        {"C2": "80", "D2": "30"},
    )
    imports.import_list(draft, ListKind.FACILITIES, fp, by=world.company_a_admin)
    [room] = draft.items.filter(kind=ListKind.FACILITIES)
    assert (room.area, room.capacity) == (Decimal("80.0"), 30)


def test_a_street_officer_does_not_approve_lists_they_drew_up(world, sample, station_a):
    version = services.start_station_list(station_a, by=world.street_officer)
    services.perform(version, "submit", by=world.street_officer)
    with pytest.raises(ValidationError, match="another officer"):
        services.perform(version, "approve", by=world.street_officer)
    version.refresh_from_db()
    assert version.state == VersionState.SUBMITTED and version.submitted_by == world.street_officer
    colleague = make_user("hy_officer2", world.huayang_office, Role.OFFICER)
    services.perform(version, "approve", by=colleague)
    version.refresh_from_db()
    assert (version.state, version.approved_by) == (VersionState.APPROVED, colleague)


def test_the_company_that_submitted_cannot_approve_as_a_superuser_either(world, draft, django_user_model):
    services.perform(draft, "submit", by=world.company_a_admin)
    world.company_a_admin.is_superuser = True
    with pytest.raises(ValidationError):
        services.perform(draft, "approve", by=world.company_a_admin)


def test_anonymous_visitors_read_a_stations_lists_only_while_the_station_is_public(world, draft):
    publish(world, draft)
    station = draft.station
    anonymous = Client()
    listed = {row["id"] for row in anonymous.get("/api/v1/checklist-versions/").json()["results"]}
    assert draft.pk not in listed
    assert anonymous.get(f"/api/v1/checklist-versions/{draft.pk}/").status_code == 404
    items = anonymous.get("/api/v1/checklist-items/").json()["results"]
    assert all(row.get("version") != draft.pk for row in items)
    station_services.change_station_status(station, StationStatus.OPERATING, by=world.company_a_admin)
    station.refresh_from_db()
    listed = {row["id"] for row in anonymous.get("/api/v1/checklist-versions/").json()["results"]}
    assert draft.pk in listed
    # the operator still reads its own station's lists whatever the station's status
    station_services.change_station_status(station, StationStatus.SUSPENDED, by=world.company_a_admin)
    company = Client()
    company.login(username=world.company_a_admin.username, password=PASSWORD)
    assert company.get(f"/api/v1/checklist-versions/{draft.pk}/").status_code == 200


def test_the_started_half_hours_count_the_seconds():
    assert default_quantity(PriceUnit.HOUR, 30 * 60) == Decimal("0.5")
    assert default_quantity(PriceUnit.HOUR, 30 * 60 + 30) == Decimal("1")
    assert default_quantity(PriceUnit.HOUR, 1) == Decimal("0.5")
    assert default_quantity(PriceUnit.MEAL, 5 * 3600) == Decimal("1")


def test_a_quantity_that_would_overflow_the_fee_is_refused_in_words(world, station_a, resident, staff_a):  # noqa: F811
    start = timezone.now() - dt.timedelta(hours=1)
    for quantity in ("1000000", "9999999999"):
        with pytest.raises(ValidationError) as refused:
            station_services.log_service(
                by=world.company_a_admin,
                resident=resident,
                station=station_a,
                category="meals",
                staff=staff_a,
                started_at=start,
                ended_at=start + dt.timedelta(minutes=30),
                quantity=quantity,
            )
        assert "quantity" in refused.value.message_dict
    assert not ServiceRecord.objects.exists()


def test_the_portal_logs_a_service_at_a_chosen_price_and_quantity(world, station_a, resident, staff_a):  # noqa: F811
    station_services.post_prices(
        station_a,
        [
            {"category": "cleaning", "content": "日常保洁", "price": "45", "unit": "hour", "level": "market"},
            {"category": "cleaning", "content": "深度保洁", "price": "60", "unit": "hour", "level": "market"},
        ],
        by=world.company_a_admin,
    )
    client = Client()
    client.login(username=world.company_a_admin.username, password=PASSWORD)
    page = f"/stations/manage/{station_a.pk}/records/"
    html = client.get(page).content.decode()
    assert 'name="price"' in html and "深度保洁" in html and 'name="quantity"' in html
    start = timezone.localtime() - dt.timedelta(hours=3)
    form = {
        "what": "log",
        "resident": resident.pk,
        "category": "cleaning",
        "price": station_a.prices.get(content="深度保洁").pk,
        "staff": staff_a.pk,
        "started_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ended_at": (start + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "quantity": "2",
    }
    client.post(page, form)
    record = ServiceRecord.objects.get()
    assert (record.unit_price, record.quantity, record.fee) == (
        Decimal("60.00"),
        Decimal("2.00"),
        Decimal("120.00"),
    )
    # a quantity too large comes back as a message, not a server error
    response = client.post(page, form | {"quantity": "9999999"}, follow=True)
    assert response.status_code == 200 and ServiceRecord.objects.count() == 1


DAY_CARE = {"category": "day_care", "content": "日托", "price": "80", "unit": "day", "level": "low_cost"}


@pytest.mark.django_db(transaction=True)
def test_a_floor_and_a_day_care_price_written_at_once_never_both_stand(postgres, world, station_a):
    """save_station and post_prices take the station's row lock and read it again under it: a
    move below ground and a day-care price posted at the same moment cannot both be kept (003)."""

    barrier = threading.Barrier(2)
    outcomes = {}

    def move():
        try:
            barrier.wait()
            station_services.save_station(
                Station.objects.get(pk=station_a.pk),
                by=world.company_a_admin,
                floor=Floor.BASEMENT,
                services=["meals"],
            )
            outcomes["move"] = "saved"
        except ValidationError:
            outcomes["move"] = "refused"
        finally:
            connection.close()

    def post():
        try:
            barrier.wait()
            station_services.post_prices(
                Station.objects.get(pk=station_a.pk),
                [
                    {
                        "category": "day_care",
                        "content": "日托",
                        "price": "80",
                        "unit": "day",
                        "level": "low_cost",
                    }
                ],
                by=world.company_a_admin,
            )
            outcomes["post"] = "saved"
        except ValidationError:
            outcomes["post"] = "refused"
        finally:
            connection.close()

    threads = [threading.Thread(target=move), threading.Thread(target=post)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    station_a.refresh_from_db()
    below = station_a.floor == Floor.BASEMENT
    day_care = StationPrice.objects.filter(station=station_a, category="day_care").exists()
    assert not (below and day_care)
    assert sorted(outcomes.values()) == ["refused", "saved"]
