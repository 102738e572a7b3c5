"""Migration 0007: the units people typed (次, 小时, 餐…) become the unit codes a price now names,
a zero price is a free service, and a record charged before quantities were kept keeps its fee
as one unit at that price."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("stations", "0006_orders_and_records_refer_to_staff")]
AFTER = [("stations", "0007_posted_prices_units_and_quantities")]

pytestmark = pytest.mark.django_db(transaction=True)


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def test_typed_units_become_codes_and_old_records_keep_their_fee(world):
    apps = _migrate(BEFORE)
    try:
        Station = apps.get_model("stations", "Station")
        StationPrice = apps.get_model("stations", "StationPrice")
        Resident = apps.get_model("stations", "Resident")
        ServiceRecord = apps.get_model("stations", "ServiceRecord")
        station = Station.objects.create(
            operator_id=world.company_a.pk, region_id=world.regions["310105001"].pk, name="旧站", address="x"
        )
        for category, price, unit in (
            ("meals", "12", "餐"),
            ("cleaning", "45", "小时"),
            ("care_visit", "0", "次"),
            ("repair", "50", "件"),
            # written as people write them: longer than the new column, and not a bare unit
            ("bathing", "60", "元/小时（含上门交通费）"),
            ("day_care", "900", "每月"),
        ):
            StationPrice.objects.create(station=station, category=category, price=Decimal(price), unit=unit)
        resident = Resident.objects.create(
            name="旧档", birth_date=dt.date(1940, 1, 1), community_id=world.regions["310105001"].pk
        )
        ServiceOrder = apps.get_model("stations", "ServiceOrder")
        order = ServiceOrder.objects.create(station=station, resident=resident, category="bathing")
        now = timezone.now()
        ServiceRecord.objects.create(
            resident=resident,
            station=station,
            category="cleaning",
            started_at=now,
            ended_at=now,
            duration_minutes=90,
            fee=Decimal("45.00"),
            fee_unit="小时",
        )
        apps = _migrate(AFTER)
        StationPrice = apps.get_model("stations", "StationPrice")
        ServiceRecord = apps.get_model("stations", "ServiceRecord")
        assert {(p.category, p.unit, p.level) for p in StationPrice.objects.all()} == {
            ("meals", "meal", "market"),
            ("cleaning", "hour", "market"),
            ("care_visit", "time", "free"),
            ("repair", "time", "market"),
            ("bathing", "hour", "market"),
            ("day_care", "month", "market"),
        }
        # an order placed before orders kept their price has the price of its service then
        order = apps.get_model("stations", "ServiceOrder").objects.get(pk=order.pk)
        assert (order.unit_price, order.price_unit) == (Decimal("60.00"), "hour")
        record = ServiceRecord.objects.get()
        assert (record.fee_unit, record.unit_price, record.quantity, record.fee) == (
            "hour",
            Decimal("45.00"),
            Decimal("1.00"),
            Decimal("45.00"),
        )
    finally:
        _migrate(_latest())
