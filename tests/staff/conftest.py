import datetime as dt
from decimal import Decimal

import pytest

from staff import services
from tests.factories import make_staff, make_user
from tests.stations.conftest import resident, staff_a, station_a, station_b  # noqa: F401 - shared fixtures
from tests.volunteers.conftest import team, volunteer  # noqa: F401 - shared fixtures


@pytest.fixture
def pre_job(world):
    """长宁区民政局's pre-job session: pass marks 60 (theory) and 70 (practical)."""
    return services.save_session(
        None,
        by=world.changning_officer,
        organiser=world.changning_bureau,
        region=world.regions["310105"],
        title="三员岗前培训",
        kind="pre_job",
        starts_on=dt.date(2025, 5, 10),
        ends_on=dt.date(2025, 5, 11),
        hours=Decimal("8"),
        capacity=30,
        theory_pass_mark=Decimal("60"),
        practical_pass_mark=Decimal("70"),
    )


@pytest.fixture
def special(world):
    return services.save_session(
        None,
        by=world.changning_officer,
        organiser=world.changning_bureau,
        region=world.regions["310105"],
        title="防诈骗专项培训",
        kind="special",
        starts_on=dt.date(2025, 6, 1),
        ends_on=dt.date(2025, 6, 1),
    )


@pytest.fixture
def server(world):
    """A service officer of 甲物业 with a login account, not yet trained."""
    user = make_user("a_server", world.company_a, "staff")
    return make_staff(world.company_a, "张服务", roles=["service"], user=user, phone="13911110001")
