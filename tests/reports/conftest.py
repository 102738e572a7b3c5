from tests.stations.conftest import resident, staff_a, station_a, station_b  # noqa: F401 - shared fixtures
