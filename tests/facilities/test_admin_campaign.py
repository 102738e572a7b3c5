"""A campaign is saved through ``save_campaign``: only the county's civil-affairs bureau may, and
the deadlines of the rooms it covers follow at once (004), on every surface."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from accounts.models import AuditEntry
from facilities import services
from facilities.models import Campaign
from tests.admin_pages import admin_client, form_data, superuser
from tests.facilities.conftest import make_room

pytestmark = pytest.mark.django_db


def post_deadline(client, campaign, deadline):
    url = f"/admin/facilities/campaign/{campaign.pk}/change/"
    page = client.get(url)
    if page.status_code != 200:
        return client.post(url, {"existing_deadline": deadline})
    return client.post(url, {**form_data(page), "existing_deadline": deadline})


@pytest.mark.parametrize("who", ["superuser", "district_officer"])
def test_the_bureau_moves_the_deadline_and_the_rooms_follow(nanan, who):
    room = make_room(nanan, handed_over_on=dt.date(2024, 3, 1))
    assert room.deadline == dt.date(2027, 12, 31)
    user = superuser() if who == "superuser" else nanan.bureau_officer
    assert post_deadline(admin_client(user), nanan.campaign, "2028-06-30").status_code == 302
    room.refresh_from_db()
    assert room.deadline == dt.date(2028, 6, 30)
    assert AuditEntry.objects.filter(object_id=str(nanan.campaign.pk), action="update", actor=user).exists()


@pytest.mark.parametrize("who", ["town_officer", "other_district_officer"])
def test_others_cannot_change_a_campaign_in_the_admin(nanan, world, who):
    room = make_room(nanan, handed_over_on=dt.date(2024, 3, 1))
    user = nanan.ximei_officer if who == "town_officer" else world.changning_officer
    page = post_deadline(admin_client(user), nanan.campaign, "2028-06-30")
    # Refused: a 403 for someone who may not open it, or the form again with the refusal.
    assert page.status_code in (403, 302, 200)  # 302: a campaign one cannot see is "not found"
    nanan.campaign.refresh_from_db()
    room.refresh_from_db()
    assert nanan.campaign.existing_deadline == dt.date(2027, 12, 31) == room.deadline


def test_save_campaign_is_the_one_road(nanan):
    room = make_room(nanan, handed_over_on=dt.date(2024, 3, 1))
    with pytest.raises(PermissionDenied):
        services.save_campaign(nanan.campaign, by=nanan.ximei_officer, existing_deadline=dt.date(2030, 1, 1))
    campaign, changed = services.save_campaign(
        nanan.campaign, by=nanan.bureau_officer, existing_deadline=dt.date(2028, 6, 30)
    )
    room.refresh_from_db()
    assert changed == 1 and room.deadline == dt.date(2028, 6, 30)


def test_adding_a_campaign_outside_ones_county_is_refused_beside_the_county_with_the_input_kept(nanan, world):
    client = admin_client(world.changning_officer)  # 长宁 is not 南安's bureau
    page = client.post(
        "/admin/facilities/campaign/add/",
        {
            "region": nanan.county.pk,
            "title": "另一份运营管理方案",
            "document_number": "长民〔2026〕1号",
            "starts_on": "2026-01-01",
            "existing_deadline": "2027-12-31",
            "new_handover_months": "12",
        },
    )
    assert page.status_code == 200  # the form again, not a bare 403
    form = page.context["adminform"].form
    assert form.errors["region"] and form["title"].value() == "另一份运营管理方案"
    assert not Campaign.objects.filter(title="另一份运营管理方案").exists()
