"""Issue 15, item 7 and item 6: completing an order asks the actual start and end (proposed
sensibly) and the quantity, so a completed order is never a 0-minute service; bad input is
refused beside the fields with what was typed kept; cancelling asks first."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from stations import services
from stations.models import OrderStatus, ServiceOrder, ServiceRecord
from stations.services.orders import completion_defaults
from tests.conftest import api_client_for
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def logged_in(username):
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def _assigned(world, station, resident, staff, category="cleaning", *, assigned_ago=None):
    order = services.create_order(
        by=world.company_a_admin, resident=resident, station=station, category=category
    )
    order = services.transition_order(order, "assign", by=world.company_a_admin, staff=staff)
    if assigned_ago is not None:
        moment = timezone.now() - assigned_ago
        ServiceOrder.objects.filter(pk=order.pk).update(assigned_at=moment, requested_at=moment)
        order.refresh_from_db()
    return order


def _local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_the_proposal_starts_at_the_assigned_time_and_ends_now(world, station_a, resident, staff_a):
    order = _assigned(world, station_a, resident, staff_a, assigned_ago=dt.timedelta(minutes=95))
    now = timezone.now()
    proposed = completion_defaults(order, now)
    assert proposed["ended_at"] == now.replace(second=0, microsecond=0)
    assert proposed["started_at"] == order.assigned_at.replace(second=0, microsecond=0)
    # 45 yuan per hour: the started half hours of 95 minutes are four, two hours
    assert proposed["quantity"] == Decimal("2")


def test_an_order_assigned_just_now_proposes_the_typical_duration_not_zero(
    world, station_a, resident, staff_a
):
    order = _assigned(world, station_a, resident, staff_a)  # assigned this second
    proposed = completion_defaults(order)
    assert proposed["ended_at"] - proposed["started_at"] == dt.timedelta(minutes=120)  # cleaning


def test_an_order_waiting_for_days_proposes_the_typical_duration(world, station_a, resident, staff_a):
    order = _assigned(world, station_a, resident, staff_a, "meals", assigned_ago=dt.timedelta(days=3))
    proposed = completion_defaults(order)
    assert proposed["ended_at"] - proposed["started_at"] == dt.timedelta(minutes=30)
    assert proposed["quantity"] == 1  # per meal


def test_the_completion_page_shows_the_proposal(world, station_a, resident, staff_a):
    order = _assigned(world, station_a, resident, staff_a, assigned_ago=dt.timedelta(minutes=60))
    html = logged_in("a_admin").get(f"/stations/orders/{order.pk}/complete/").content.decode()
    started = re.search(r'name="started_at"[^>]*value="([^"]+)"', html).group(1)
    assert started == _local(order.assigned_at)
    quantity = re.search(r'<input[^>]*name="quantity"[^>]*>', html).group(0)
    assert 'placeholder="1"' in quantity and "value=" not in quantity  # per hour: follows the times


def test_completing_through_the_api_without_times_is_never_zero_minutes(world, station_a, resident, staff_a):
    order = _assigned(world, station_a, resident, staff_a, "meals")
    response = api_client_for(world.company_a_admin).post(
        f"/api/v1/orders/{order.pk}/complete/", {}, format="json"
    )
    assert response.status_code == 200, response.content
    assert ServiceRecord.objects.get(order=order).duration_minutes == 30


@pytest.mark.parametrize(
    ("start", "end", "quantity", "field", "message"),
    [
        (-60, -90, "", "ended_at", "结束"),  # end before start
        (-60, 120, "", "ended_at", "晚于现在"),  # end in the future
        (-60, -30, "0", "quantity", "数量"),  # zero quantity
        (-60, -60, "", "ended_at", "时长为零"),  # no time at all
    ],
)
def test_bad_completion_input_comes_back_beside_the_field_with_what_was_typed(
    world, station_a, resident, staff_a, start, end, quantity, field, message
):
    order = _assigned(world, station_a, resident, staff_a)
    now = timezone.now()
    typed = {
        "started_at": _local(now + dt.timedelta(minutes=start)),
        "ended_at": _local(now + dt.timedelta(minutes=end)),
        "quantity": quantity,
        "notes": "擦窗三扇",
    }
    response = logged_in("a_admin").post(f"/stations/orders/{order.pk}/complete/", typed)
    html = response.content.decode()
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field])
    assert 'class="field has-errors"' in html and "擦窗三扇" in html and typed["started_at"] in html
    order.refresh_from_db()
    assert order.status == OrderStatus.ASSIGNED and not ServiceRecord.objects.exists()


def test_cancelling_asks_first_and_needs_a_reason(world, station_a, resident, staff_a):
    order = _assigned(world, station_a, resident, staff_a)
    client = logged_in("a_admin")
    page = client.get(f"/stations/orders/{order.pk}/cancel/").content.decode()
    assert "永久关闭" in page and 'name="reason"' in page
    refused = client.post(f"/stations/orders/{order.pk}/cancel/", {"reason": " "})
    assert "reason" in refused.context["form"].errors
    order.refresh_from_db()
    assert order.status == OrderStatus.ASSIGNED
    client.post(f"/stations/orders/{order.pk}/cancel/", {"reason": "老人住院"})
    order.refresh_from_db()
    assert (order.status, order.cancel_reason) == (OrderStatus.CANCELLED, "老人住院")


def test_another_company_cannot_open_the_completion_or_cancel_pages(world, station_a, resident, staff_a):
    order = _assigned(world, station_a, resident, staff_a)
    client = logged_in("b_admin")
    assert client.get(f"/stations/orders/{order.pk}/complete/").status_code == 404
    assert client.post(f"/stations/orders/{order.pk}/cancel/", {"reason": "x"}).status_code == 404


def test_every_mistake_of_a_completion_is_named_at_once(world, station_a, resident, staff_a):
    order = _assigned(world, station_a, resident, staff_a)
    now = timezone.now()
    response = logged_in("a_admin").post(
        f"/stations/orders/{order.pk}/complete/",
        {
            "started_at": _local(now - dt.timedelta(minutes=30)),
            "ended_at": _local(now + dt.timedelta(days=2)),
            "quantity": "0",
        },
    )
    assert {"ended_at", "quantity"} <= set(response.context["form"].errors)
