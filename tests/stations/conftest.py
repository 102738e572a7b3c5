import datetime as dt

import pytest
from stdnum.cn import ric

from stations import services
from stations.models import Floor
from tests.factories import make_service_officer, post_test_prices


def id_number(body17: str) -> str:
    return body17 + ric.calc_check_digit(body17 + "0")


OLD_NANAN_ID = id_number("35058319500101123")  # valid checksum; county 350583 created after 1950
CHANGNING_ID = id_number("31010519400315202")


@pytest.fixture
def station_a(world):
    station = services.save_station(
        None,
        by=world.company_a_admin,
        operator=world.company_a,
        region=world.regions["310105001"],
        name="华阳路为老服务站",
        address="华阳路 388 弄 1 号",
        phone="021-62000001",
        latitude=31.2200,
        longitude=121.4300,
        floor=Floor.GROUND,
        services=["meals", "cleaning", "care_visit", "emergency", "day_care"],
        opening_hours={"mon": "08:30-17:30", "tue": "08:30-17:30"},
        hours_note="节假日休息",
    )
    post_test_prices(station, world.company_a_admin)
    return station


@pytest.fixture
def station_b(world):
    station = services.save_station(
        None,
        by=world.company_b_admin,
        operator=world.company_b,
        region=world.regions["310105008"],
        name="仙霞新村服务站",
        address="仙霞路 99 号",
        latitude=31.2100,
        longitude=121.3900,
        services=["meals", "care_visit"],
    )
    post_test_prices(station, world.company_b_admin)
    return station


@pytest.fixture
def resident(world, station_a):
    return services.register_resident(
        by=world.company_a_admin,
        station=station_a,
        name="李阿婆",
        id_number=CHANGNING_ID,
        phone="13812345678",
        community=world.regions["310105001"],
        living_situation="alone",
        consent_on=dt.date(2025, 4, 1),
    ).resident


@pytest.fixture
def staff_a(world):
    """A service officer of 甲物业 who passed a pre-job training (the rule of 000)."""
    return make_service_officer("a_staff", world.company_a)
