"""What a walk through the portal found after the daily-use changes: a cancel page offered for a
completed order (the empty pilot list: tests/pilots; the demo residents' sex: tests/accounts)."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from stations import services
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _assigned(world, station, resident, staff, category="meals"):
    order = services.create_order(
        by=world.company_a_admin, resident=resident, station=station, category=category
    )
    return services.transition_order(order, "assign", by=world.company_a_admin, staff=staff)


def test_a_completed_order_has_no_cancel_page(world, station_a, resident, staff_a):
    order = _assigned(world, station_a, resident, staff_a)
    now = timezone.now()
    services.transition_order(
        order,
        "complete",
        by=world.company_a_admin,
        started_at=now - dt.timedelta(minutes=30),
        ended_at=now,
    )
    client = Client()
    assert client.login(username="a_admin", password=PASSWORD)
    response = client.get(f"/stations/orders/{order.pk}/cancel/", follow=True)
    assert response.redirect_chain and b'name="reason"' not in response.content
    assert (
        "不能再取消" in response.content.decode() or "can no longer be cancelled" in response.content.decode()
    )
    posted = client.post(f"/stations/orders/{order.pk}/cancel/", {"reason": "误点"})
    assert posted.status_code == 302
    order.refresh_from_db()
    assert order.status == "completed"
