from tests.pilots.conftest import other_street_officer  # noqa: F401 - shared fixture
from tests.stations.conftest import resident, staff_a, station_a, station_b  # noqa: F401 - shared fixtures
