"""Portal pages of stations: the public finder, an operator's station page, masked residents."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone

from accounts.models import AuditEntry
from stations import services
from stations.models import ServiceOrder, ServiceRecord
from tests.factories import PASSWORD
from tests.stations.conftest import CHANGNING_ID, id_number

pytestmark = pytest.mark.django_db


def logged_in(username):
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def test_finder_lists_operating_stations_by_street_and_by_distance(world, station_a, station_b):
    services.change_station_status(station_a, "operating", by=world.company_a_admin)
    services.change_station_status(station_b, "operating", by=world.company_b_admin)
    anonymous = Client()
    by_street = anonymous.get("/stations/", {"region": world.regions["310105008"].pk})
    assert [s.name for s in by_street.context["results"]] == ["仙霞新村服务站"]
    near = anonymous.get("/stations/", {"lat": "31.2245", "lng": "121.4300", "radius": "6000"})
    assert [s.name for s in near.context["results"]] == ["华阳路为老服务站", "仙霞新村服务站"]
    assert re.search(r'class="distance">\d+ m<', near.content.decode())
    page = anonymous.get(f"/stations/{station_a.pk}/").content.decode()
    assert "华阳路 388 弄" in page and "周一、周二 08:30–17:30" in page


def test_operator_takes_assigns_and_completes_an_order_in_the_portal(world, station_a, resident, staff_a):
    client = logged_in("a_admin")
    client.post(
        f"/stations/manage/{station_a.pk}/",
        {"what": "order", "resident": resident.pk, "category": "meals", "channel": "phone"},
    )
    order = ServiceOrder.objects.get()
    client.post(f"/stations/orders/{order.pk}/assign/", {"staff": staff_a.pk})
    start = timezone.localtime() - dt.timedelta(hours=1)
    client.post(
        f"/stations/orders/{order.pk}/complete/",
        {
            "started_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ended_at": (start + dt.timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M"),
            "quantity": "1",
            "notes": "送到家",
        },
    )
    record = ServiceRecord.objects.get(order=order)
    assert (record.fee, record.quantity, record.staff, record.notes) == (12, 1, staff_a, "送到家")


def test_completing_an_order_asks_the_times_and_the_quantity(world, station_a, resident, staff_a):
    services.post_prices(
        station_a,
        [
            {"category": "cleaning", "content": "日常保洁", "price": "45", "unit": "hour", "level": "market"},
            {"category": "cleaning", "content": "深度保洁", "price": "60", "unit": "hour", "level": "market"},
        ],
        by=world.company_a_admin,
    )
    client = logged_in("a_admin")
    page = f"/stations/manage/{station_a.pk}/"
    refused = client.post(
        page,
        {"what": "order", "resident": resident.pk, "category": "cleaning", "channel": "phone"},
        follow=True,
    )
    assert not ServiceOrder.objects.exists() and "深度保洁" in refused.content.decode()
    deep = station_a.prices.get(content="深度保洁")
    client.post(
        page,
        {
            "what": "order",
            "resident": resident.pk,
            "category": "cleaning",
            "price": deep.pk,
            "channel": "phone",
        },
    )
    order = ServiceOrder.objects.get()
    assert (order.price_content, order.unit_price) == ("深度保洁", 60)
    client.post(f"/stations/orders/{order.pk}/assign/", {"staff": staff_a.pk})
    html = client.get(f"/stations/orders/{order.pk}/complete/").content.decode()
    assert f'id="id_complete{order.pk}_started_at"' in html and f'id="id_complete{order.pk}_quantity"' in html
    start = timezone.localtime() - dt.timedelta(hours=2)
    client.post(
        f"/stations/orders/{order.pk}/complete/",
        {
            "started_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ended_at": (start + dt.timedelta(minutes=90)).strftime("%Y-%m-%dT%H:%M"),
            "quantity": "1.5",
        },
    )
    record = ServiceRecord.objects.get(order=order)
    assert (record.duration_minutes, record.quantity, record.fee) == (90, Decimal("1.5"), Decimal("90.00"))

    # the quantity as the form first offers it (empty) follows the times the user enters
    client.post(
        page,
        {
            "what": "order",
            "resident": resident.pk,
            "category": "cleaning",
            "price": deep.pk,
            "channel": "phone",
        },
    )
    second = ServiceOrder.objects.exclude(pk=order.pk).get()
    client.post(f"/stations/orders/{second.pk}/assign/", {"staff": staff_a.pk})
    field = re.search(
        rf'<input[^>]*id="id_complete{second.pk}_quantity"[^>]*>',
        client.get(f"/stations/orders/{second.pk}/complete/").content.decode(),
    )
    assert field and "value=" not in field.group(0)
    client.post(
        f"/stations/orders/{second.pk}/complete/",
        {
            "started_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ended_at": (start + dt.timedelta(minutes=80)).strftime("%Y-%m-%dT%H:%M"),
            "quantity": "",
        },
    )
    record = ServiceRecord.objects.get(order=second)
    assert (record.duration_minutes, record.quantity, record.fee) == (80, Decimal("1.5"), Decimal("90.00"))


def test_refusals_in_the_portal_say_why(world, station_a, resident):
    client = logged_in("a_admin")
    response = client.post(
        f"/stations/manage/{station_a.pk}/",
        {"what": "order", "resident": resident.pk, "category": "bathing", "channel": "phone"},
        follow=True,
    )
    assert "未提供" in response.content.decode()
    response = client.post(
        f"/stations/manage/{station_a.pk}/",
        {
            "what": "resident",
            "name": "x",
            "id_number": CHANGNING_ID[:-1] + "0",
            "community": world.regions["310105001"].pk,
            "living_situation": "alone",
        },
        follow=True,
    )
    assert "校验码" in response.content.decode()


def test_other_operator_cannot_open_the_station_or_its_residents(world, station_a, resident):
    client = logged_in("b_admin")
    assert client.get(f"/stations/manage/{station_a.pk}/").status_code == 404
    assert client.get(f"/stations/residents/{resident.pk}/").status_code == 404
    assert resident.name not in client.get("/stations/residents/").content.decode()


def test_residents_page_is_masked_and_reveal_is_logged(world, resident):
    client = logged_in("a_admin")
    page = client.post("/stations/residents/", {"q": CHANGNING_ID}).content.decode()
    assert resident.name in page
    assert resident.id_number_masked in page and CHANGNING_ID not in page and "13812345678" not in page
    assert (
        "完整" not in client.get(f"/stations/residents/{resident.pk}/").content.decode()
    )  # no reveal button
    world.company_a_admin.user_permissions.add(Permission.objects.get(codename="view_personal_data_resident"))
    client = logged_in("a_admin")
    shown = client.post(f"/stations/residents/{resident.pk}/", {"reveal": "1"}).content.decode()
    assert (
        CHANGNING_ID in shown and AuditEntry.objects.filter(action="pii_read", channel="portal").count() == 1
    )


def test_revenue_page_and_log_service(world, station_a, resident, staff_a):
    client = logged_in("a_admin")
    start = (timezone.localtime() - dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    end = (timezone.localtime() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    client.post(
        f"/stations/manage/{station_a.pk}/",
        {
            "what": "log",
            "resident": resident.pk,
            "category": "care_visit",
            "staff": staff_a.pk,
            "started_at": start,
            "ended_at": end,
        },
    )
    assert ServiceRecord.objects.filter(category="care_visit").count() == 1
    page = client.get("/stations/revenue/").content.decode()
    assert "华阳路为老服务站" in page


def test_register_a_resident_in_the_portal_shows_the_county_warning(world, station_a):
    client = logged_in("a_admin")
    response = client.post(
        f"/stations/manage/{station_a.pk}/",
        {
            "what": "resident",
            "name": "陈伯",
            "id_number": id_number("35058319500101123"),
            "phone": "",
            "community": world.regions["310105001"].pk,
            "living_situation": "alone",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "陈伯" in page and "350583" in page


def test_status_choices_are_the_steps_the_workflow_offers_and_closing_asks_first(world, station_a):
    client = logged_in("a_admin")
    services.change_station_status(station_a, "operating", by=world.company_a_admin)
    form = client.get(f"/stations/manage/{station_a.pk}/station/").context["forms"]["status"]
    # the status as it stands first (and preselected), then the steps that lead on
    assert [value for value, _label in form.fields["status"].choices] == ["operating", "suspended", "closed"]
    page = client.get(f"/stations/manage/{station_a.pk}/station/").content.decode()
    assert 'value="closed"' in page
    assert 'value="planned"' not in page  # no going back to "planned" from an operating station
    refused = client.post(f"/stations/manage/{station_a.pk}/", {"what": "status", "status": "planned"})
    assert (
        'class="field has-errors"' in refused.content.decode()
    )  # the form comes back, the error beside the field
    station_a.refresh_from_db()
    assert station_a.status == "operating"
    client.post(
        f"/stations/manage/{station_a.pk}/", {"what": "status", "status": "closed", "confirmed": "yes"}
    )
    station_a.refresh_from_db()
    assert station_a.status == "closed"
    closed = client.get(f"/stations/manage/{station_a.pk}/station/")
    assert closed.context["forms"]["status"].fields["status"].choices == []
    assert 'name="what" value="status"' not in closed.content.decode()
