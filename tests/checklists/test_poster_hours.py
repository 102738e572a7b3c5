"""The printed poster names the station's opening hours as people read them."""

from django.test import Client

from tests.checklists.test_portal import operating


def test_the_poster_carries_the_grouped_opening_hours(world, published):
    operating(world, published.station)
    html = Client().get(f"/lists/stations/{published.station_id}/poster/?size=A4").content.decode()
    # station A is open on Monday and Tuesday (tests/stations/conftest.py)
    assert "周一、周二 08:30–17:30；周三至周日休息" in html
    assert "（节假日休息）" in html
    assert "mon 08:30" not in html
