"""The complaint channels posted with every price: each unit keeps its own hotline."""

import pytest

from stations import services as station_services

pytestmark = pytest.mark.django_db


def test_a_street_office_keeps_its_hotline_and_it_is_posted_with_the_prices(world, client, published):
    client.force_login(world.street_officer)
    response = client.post(
        f"/organizations/{world.huayang_office.pk}/",
        {
            "address": "华阳路 1 号",
            "contact_person": "王",
            "contact_phone": "021-62001111",
            "hotline": "021-62001234",
        },
    )
    assert response.status_code == 302
    channels = station_services.complaint_channels([published.station])[published.station.pk]
    assert [(c["name"], c["phone"]) for c in channels] == [
        (published.station.name, "021-62000001"),
        ("华阳路街道办事处", "021-62001234"),
    ]
    page = client.get(f"/lists/stations/{published.station.pk}/").content.decode()
    assert "021-62001234" in page and "021-62000001" in page
    api = client.get(f"/api/v1/posted-prices/?station={published.station.pk}").json()
    rows = api.get("results", api)
    assert rows and all("021-62001234" in str(row["complaint_channels"]) for row in rows)
