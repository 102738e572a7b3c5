"""Rows that a service writes are not deleted around it in the admin, not even by a superuser."""

import pytest

from stations.models import Station
from tests.admin_pages import admin_client, superuser

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["superuser", "district_officer"])
def test_a_station_is_closed_through_its_status_not_deleted(world, station_a, who):
    client = admin_client(superuser() if who == "superuser" else world.changning_officer)
    assert client.post(f"/admin/stations/station/{station_a.pk}/delete/", {"post": "yes"}).status_code == 403
    client.post(
        "/admin/stations/station/",
        {"action": "delete_selected", "_selected_action": [station_a.pk], "post": "yes"},
    )
    assert Station.objects.filter(pk=station_a.pk).exists()
