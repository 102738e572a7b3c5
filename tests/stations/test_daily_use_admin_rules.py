"""Issue 15, item 9 and item 6: the status dropdown preselects the status as it stands; only
the company administrator (or an officer of the region) closes a station or changes its posted
prices, on every road (service, portal, API); closing asks first on a page that says what will
happen."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from accounts.models import Role
from checklists import services as checklist_services
from stations import services
from tests.checklists.conftest import draft, sample  # noqa: F401
from tests.conftest import api_client_for
from tests.factories import PASSWORD, make_user
from tests.stations.conftest import station_a  # noqa: F401

pytestmark = pytest.mark.django_db


def logged_in(user):
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def clerk(world):
    """An ordinary member of company A's staff (工作人员), not its administrator."""
    return make_user("a_clerk", world.company_a, Role.STAFF)


@pytest.fixture
def operating(world, station_a):  # noqa: F811
    return services.change_station_status(station_a, "operating", by=world.company_a_admin)


def test_the_status_dropdown_preselects_the_status_as_it_stands(world, operating):
    page = logged_in(world.company_a_admin).get(f"/stations/manage/{operating.pk}/station/").content.decode()
    assert '<option value="operating" selected>' in page
    assert '<option value="planned"' not in page


def test_staff_are_not_offered_closing_and_the_page_says_who_may(world, operating, clerk):
    response = logged_in(clerk).get(f"/stations/manage/{operating.pk}/station/")
    choices = [value for value, _label in response.context["forms"]["status"].fields["status"].choices]
    assert choices == ["operating", "suspended"]  # suspending stays theirs; closing does not
    assert "甲物业的管理员" in response.content.decode()


def test_staff_cannot_close_a_station_in_the_portal(world, operating, clerk):
    response = logged_in(clerk).post(
        f"/stations/manage/{operating.pk}/", {"what": "status", "status": "closed", "confirmed": "yes"}
    )
    operating.refresh_from_db()
    assert operating.status == "operating"
    assert 'class="field has-errors"' in response.content.decode()


def test_staff_cannot_close_a_station_through_the_api(world, operating, clerk):
    response = api_client_for(clerk).post(
        f"/api/v1/stations/{operating.pk}/status/", {"status": "closed"}, format="json"
    )
    assert response.status_code == 403
    operating.refresh_from_db()
    assert operating.status == "operating"


def test_staff_cannot_close_a_station_through_the_service(world, operating, clerk):
    with pytest.raises(PermissionDenied):
        services.change_station_status(operating, "closed", by=clerk)


def test_closing_asks_first_on_a_page_that_says_what_will_happen(world, operating):
    client = logged_in(world.company_a_admin)
    page = client.post(f"/stations/manage/{operating.pk}/", {"what": "status", "status": "closed"})
    html = page.content.decode()
    assert "不能重新开放" in html and 'name="confirmed" value="yes"' in html
    operating.refresh_from_db()
    assert operating.status == "operating"  # nothing happened yet
    client.post(
        f"/stations/manage/{operating.pk}/", {"what": "status", "status": "closed", "confirmed": "yes"}
    )
    operating.refresh_from_db()
    assert operating.status == "closed"


def test_a_regional_officer_may_still_close_a_station(world, operating):
    closed = services.change_station_status(operating, "closed", by=world.changning_officer)
    assert closed.status == "closed"


def test_staff_cannot_change_posted_prices_through_the_service(world, station_a, clerk):  # noqa: F811
    entry = {"category": "meals", "price": "99", "unit": "meal", "level": "market"}
    with pytest.raises(PermissionDenied):
        services.post_prices(station_a, [entry], by=clerk)
    assert station_a.prices.get(category="meals").price == 12


def _approved(world, version):
    checklist_services.perform(version, "submit", by=world.company_a_admin)
    return checklist_services.perform(version, "approve", by=world.street_officer)


def test_staff_cannot_publish_the_lists_that_post_prices_in_the_portal(world, draft, clerk):  # noqa: F811
    version = _approved(world, draft)
    client = logged_in(clerk)
    page = client.get(f"/lists/versions/{version.pk}/").content.decode()
    assert 'value="publish"' not in page  # the button is not offered
    client.post(f"/lists/versions/{version.pk}/", {"what": "act", "action": "publish"})
    version.refresh_from_db()
    assert version.state == "approved"


def test_staff_cannot_publish_the_lists_that_post_prices_through_the_api(world, draft, clerk):  # noqa: F811
    version = _approved(world, draft)
    response = api_client_for(clerk).post(f"/api/v1/checklist-versions/{version.pk}/publish/")
    assert response.status_code == 403
    version.refresh_from_db()
    assert version.state == "approved"
    allowed = api_client_for(world.company_a_admin).post(f"/api/v1/checklist-versions/{version.pk}/publish/")
    assert allowed.status_code == 200
