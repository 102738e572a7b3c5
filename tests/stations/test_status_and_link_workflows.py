"""Station status and link requests as declared workflows: the steps a page offers, a double
click changes nothing, the refusal notice goes out once and only after the commit."""

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from accounts.models import AuditEntry, Notification
from stations import services
from tests.stations.conftest import CHANGNING_ID

pytestmark = pytest.mark.django_db


def test_the_status_steps_are_declared_with_who_may_take_them(world, station_a):
    flow = services.STATIONS
    assert flow.allowed_names(station_a, world.company_a_admin) == ["renovate", "open", "close"]
    assert flow.available(station_a, world.company_b_admin) == []
    close = next(a for a in flow.available(station_a, world.company_a_admin) if a.name == "close")
    assert close.confirm  # closing for good is confirmed
    operating = services.change_station_status(station_a, "operating", by=world.company_a_admin)
    assert flow.allowed_names(operating, world.company_a_admin) == ["suspend", "close"]
    suspended = services.change_station_status(operating, "suspended", by=world.company_a_admin)
    resumed = services.change_station_status(suspended, "operating", by=world.company_a_admin)
    assert resumed.status == "operating"
    assert list(
        AuditEntry.objects.filter(action__startswith="transition:", object_id=str(station_a.pk))
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["transition:open", "transition:suspend", "transition:resume"]


def test_a_double_click_on_a_status_changes_nothing(world, station_a):
    first = services.change_station_status(station_a, "closed", by=world.company_a_admin)
    again = services.change_station_status(station_a, "closed", by=world.company_a_admin)
    assert again.closed_on == first.closed_on
    assert AuditEntry.objects.filter(action="transition:close", object_id=str(station_a.pk)).count() == 1
    with pytest.raises(PermissionDenied):
        services.change_station_status(station_a, "closed", by=world.company_b_admin)
    with pytest.raises(ValidationError):
        services.STATIONS.perform(first, "open", by=world.company_a_admin)


def test_a_double_click_on_a_refusal_tells_the_requester_once(world, resident, station_b):
    link = services.register_resident(
        by=world.company_b_admin,
        station=station_b,
        name="某某",
        id_number=CHANGNING_ID,
        community=world.regions["310105008"],
    ).link_request
    assert services.LINK_REQUESTS.allowed_names(link, world.company_b_admin) == ["record_consent", "withdraw"]
    assert services.LINK_REQUESTS.allowed_names(link, world.changning_officer) == ["record_consent", "refuse"]
    services.act_on_link_request(link, "refuse", by=world.changning_officer, reason="无本人到场")
    again = services.act_on_link_request(link, "refuse", by=world.changning_officer, reason="无本人到场")
    assert again.state == "refused"
    assert Notification.objects.filter(recipient=world.company_b_admin, body="无本人到场").count() == 1
    assert services.LINK_REQUESTS.available(again, world.changning_officer) == []


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_clicks_refuse_once(postgres, world, resident, station_b):
    link = services.register_resident(
        by=world.company_b_admin,
        station=station_b,
        name="某某",
        id_number=CHANGNING_ID,
        community=world.regions["310105008"],
    ).link_request
    barrier = threading.Barrier(2)
    outcomes = []

    def refuse():
        try:
            barrier.wait()
            done = services.act_on_link_request(
                link, "refuse", by=world.changning_officer, reason="无本人到场"
            )
            outcomes.append(done.state)
        finally:
            connection.close()

    threads = [threading.Thread(target=refuse) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == ["refused", "refused"]
    assert AuditEntry.objects.filter(action="transition:refuse", object_id=str(link.pk)).count() == 1
    assert Notification.objects.filter(recipient=world.company_b_admin, body="无本人到场").count() == 1
