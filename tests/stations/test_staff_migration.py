"""Migrations 0004-0006: orders and service records that named a login account now name that
account's staff record; a login account without one stops the migration, naming it."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests.factories import make_staff, make_user

BEFORE = [("stations", "0003_resident_link_requests")]
AFTER = [("stations", "0006_orders_and_records_refer_to_staff")]

pytestmark = pytest.mark.django_db(transaction=True)


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def before(world):
    """The database as it was before: orders and records point at login accounts."""
    apps = _migrate(BEFORE)
    yield apps
    _migrate(_latest())


def _latest():
    executor = MigrationExecutor(connection)
    return [key for key in executor.loader.graph.leaf_nodes() if key[0] == "stations"]


def _order_and_record(apps, world, user):
    Station = apps.get_model("stations", "Station")
    Resident = apps.get_model("stations", "Resident")
    ServiceOrder = apps.get_model("stations", "ServiceOrder")
    ServiceRecord = apps.get_model("stations", "ServiceRecord")
    station = Station.objects.create(
        operator_id=world.company_a.pk, region_id=world.regions["310105001"].pk, name="旧站", address="x"
    )
    resident = Resident.objects.create(
        name="旧档", birth_date=dt.date(1940, 1, 1), community_id=world.regions["310105001"].pk
    )
    now = timezone.now()
    order = ServiceOrder.objects.create(
        resident=resident, station=station, category="meals", status="completed", assigned_to_id=user.pk
    )
    record = ServiceRecord.objects.create(
        order=order,
        resident=resident,
        station=station,
        category="meals",
        staff_id=user.pk,
        started_at=now,
        ended_at=now,
        duration_minutes=0,
    )
    return order.pk, record.pk


def test_each_login_account_is_replaced_by_its_staff_record(world, before):
    server = make_user("old_server", world.company_a, "staff")
    member = make_staff(world.company_a, "老服务员", user=server)
    decoy = make_staff(world.company_a, "同公司另一人")  # no login: must not be picked
    order_id, record_id = _order_and_record(before, world, server)
    unassigned = before.get_model("stations", "ServiceOrder").objects.create(
        resident_id=before.get_model("stations", "Resident").objects.get().pk,
        station_id=before.get_model("stations", "Station").objects.get().pk,
        category="meals",
    )

    apps = _migrate(AFTER)

    order = apps.get_model("stations", "ServiceOrder").objects.get(pk=order_id)
    record = apps.get_model("stations", "ServiceRecord").objects.get(pk=record_id)
    assert (order.assigned_to_id, record.staff_id) == (member.pk, member.pk)
    assert decoy.pk != member.pk
    assert apps.get_model("stations", "ServiceOrder").objects.get(pk=unassigned.pk).assigned_to_id is None


def test_a_login_account_without_a_staff_record_stops_the_migration_and_is_named(world, before):
    named = make_user("no_record", world.company_a, "staff")
    order_id, _record_id = _order_and_record(before, world, named)

    with pytest.raises(RuntimeError) as refused:
        _migrate(AFTER)
    assert "no_record" in str(refused.value) and "no staff record" in str(refused.value)
    # nothing was mapped: the rows still name the login account
    ServiceOrder = (
        MigrationExecutor(connection)
        .loader.project_state([("stations", "0004_staff_member_columns")])
        .apps.get_model("stations", "ServiceOrder")
    )
    order = ServiceOrder.objects.get(pk=order_id)
    assert (order.assigned_to_id, order.assigned_member_id) == (named.pk, None)

    # once the person has a staff record, the migration goes through
    member = make_staff(world.company_a, "补建的记录", user=named)
    apps = _migrate(AFTER)
    assert apps.get_model("stations", "ServiceOrder").objects.get(pk=order_id).assigned_to_id == member.pk
