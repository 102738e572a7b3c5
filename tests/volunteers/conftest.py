import pytest

from tests.factories import make_staff
from volunteers import services


@pytest.fixture
def volunteer(world):
    return make_staff(world.company_a, "王阿姨", roles=[], kind="volunteer", phone="13911110009")


@pytest.fixture
def team(world, volunteer):
    return services.save_team(
        None,
        by=world.company_a_admin,
        members=[volunteer],
        organization=world.company_a,
        community=world.regions["310105001"],
        name="华阳爱心志愿者队",
    )
