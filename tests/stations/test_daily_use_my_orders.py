"""Issue 15, "Service staff": 我的工单 lists the orders assigned to the signed-in service
officer, who hears of each one in the portal's notices and completes it from the list."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts.models import Notification
from stations import services
from stations.models import OrderStatus, ServiceOrder
from tests.factories import PASSWORD, make_service_officer

pytestmark = pytest.mark.django_db


def logged_in(username):
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def _order(world, station, resident, staff, category="meals"):
    order = services.create_order(
        by=world.company_a_admin, resident=resident, station=station, category=category
    )
    return services.transition_order(order, "assign", by=world.company_a_admin, staff=staff)


def test_assigning_an_order_sends_a_notice_to_the_person_given_it(world, station_a, resident, staff_a):
    order = _order(world, station_a, resident, staff_a)
    (notice,) = Notification.objects.filter(recipient=staff_a.user)
    assert f"#{order.pk}" in notice.title and "李阿婆" in notice.title
    assert notice.link == "/stations/orders/mine/"
    assert not Notification.objects.filter(recipient=world.company_a_admin).exists()


def test_my_orders_lists_only_what_is_assigned_to_me(world, station_a, resident, staff_a):
    colleague = make_service_officer("a_colleague", world.company_a, name="冯护")
    mine = _order(world, station_a, resident, staff_a)
    theirs = _order(world, station_a, resident, colleague)
    response = logged_in("a_staff").get("/stations/orders/mine/")
    assert [o.pk for o in response.context["orders"]] == [mine.pk]
    assert f'id="order-{theirs.pk}"' not in response.content.decode()
    assert [o.pk for o in logged_in("a_colleague").get("/stations/orders/mine/").context["orders"]] == [
        theirs.pk
    ]


def test_another_companys_officer_sees_none_of_them(world, station_a, resident, staff_a):
    _order(world, station_a, resident, staff_a)
    make_service_officer("b_staff", world.company_b)
    assert logged_in("b_staff").get("/stations/orders/mine/").context["orders"] == []


def test_a_service_officer_completes_an_order_from_my_orders(world, station_a, resident, staff_a):
    order = _order(world, station_a, resident, staff_a)
    client = logged_in("a_staff")
    page = client.get("/stations/orders/mine/").content.decode()
    link = f"/stations/orders/{order.pk}/complete/?next=/stations/orders/mine/"
    assert link in page
    start = timezone.localtime() - dt.timedelta(minutes=40)
    response = client.post(
        link,
        {
            "started_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ended_at": (start + dt.timedelta(minutes=25)).strftime("%Y-%m-%dT%H:%M"),
            "quantity": "1",
            "next": "/stations/orders/mine/",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/stations/orders/mine/"
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED and order.record.duration_minutes == 25


def test_completing_never_sends_the_person_to_another_site(world, station_a, resident, staff_a):
    order = _order(world, station_a, resident, staff_a)
    response = logged_in("a_staff").get(f"/stations/orders/{order.pk}/complete/?next=https://example.com/")
    assert "example.com" not in response.context["back"]


def test_my_orders_costs_the_same_queries_at_5_and_25_orders(
    world, station_a, resident, staff_a, django_assert_num_queries
):
    client = logged_in("a_staff")
    for _ in range(5):
        _order(world, station_a, resident, staff_a)
    client.get("/stations/orders/mine/")
    connection.queries_log.clear()  # the set-up's queries: the log keeps only the last 9,000
    with django_assert_num_queries(6) as small:  # the scope comes from the cache
        client.get("/stations/orders/mine/")
    expected = len(small.captured_queries)
    for _ in range(20):
        _order(world, station_a, resident, staff_a)
    client.get("/stations/orders/mine/")  # the new orders' notices may have renewed the scope
    connection.queries_log.clear()
    with django_assert_num_queries(expected):
        response = client.get("/stations/orders/mine/")
    assert len(response.context["orders"]) == ServiceOrder.objects.count() == 25
