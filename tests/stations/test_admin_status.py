"""The admin moves a station's status only by the workflow's steps, and asks before closing."""

import pytest

from accounts.models import AuditEntry
from stations import services
from stations.models import Station
from tests.admin_pages import admin_client, form_data, superuser

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["superuser", "district_officer"])
def test_the_change_form_cannot_type_a_status(world, station_a, who):
    services.change_station_status(station_a, "operating", by=world.company_a_admin)
    client = admin_client(superuser() if who == "superuser" else world.changning_officer)
    url = f"/admin/stations/station/{station_a.pk}/change/"
    data = form_data(client.get(url))
    assert "status" not in data  # read-only on the page
    data.update(status="planned", name="华阳路为老服务站（改名）")
    assert client.post(url, data).status_code == 302
    station_a.refresh_from_db()
    assert (station_a.name, station_a.status) == ("华阳路为老服务站（改名）", "operating")


@pytest.mark.parametrize("who", ["superuser", "district_officer"])
def test_closing_asks_first_then_goes_through_the_workflow(world, station_a, station_b, who):
    services.change_station_status(station_a, "operating", by=world.company_a_admin)
    client = admin_client(superuser() if who == "superuser" else world.changning_officer)
    selected = {"action": "close", "_selected_action": [station_a.pk]}
    page = client.post("/admin/stations/station/", selected)
    assert page.status_code == 200 and "不能重新启用" in page.content.decode()
    station_a.refresh_from_db()
    assert station_a.status == "operating"  # nothing happens before the confirmation
    client.post("/admin/stations/station/", {**selected, "confirmed": "yes"})
    station_a.refresh_from_db()
    assert station_a.status == "closed" and station_a.closed_on is not None
    assert AuditEntry.objects.filter(action="transition:close", object_id=str(station_a.pk)).count() == 1
    # A closed station cannot be opened again: the page says why and offers no confirmation.
    again = client.post("/admin/stations/station/", {"action": "open", "_selected_action": [station_a.pk]})
    body = again.content.decode()
    assert "不可" in body or "不能" in body
    assert 'name="confirmed"' in body and 'type="submit"' not in body.split("<form")[-1]
    client.post(
        "/admin/stations/station/", {"action": "open", "_selected_action": [station_a.pk], "confirmed": "yes"}
    )
    station_a.refresh_from_db()
    assert station_a.status == "closed"


def test_a_repeated_step_is_reported_as_already_done(world, station_a):
    services.change_station_status(station_a, "operating", by=world.company_a_admin)
    client = admin_client(world.changning_officer)
    response = client.post(
        "/admin/stations/station/",
        {"action": "open", "_selected_action": [station_a.pk], "confirmed": "yes"},
        follow=True,
    )
    text = response.content.decode()
    assert "nothing changed" in text or "没有变化" in text or "未作改变" in text or "已经" in text
    assert Station.objects.get(pk=station_a.pk).status == "operating"
