"""Issue 15, item 5 (volunteers page): a refused form comes back with what was typed and the
errors beside the fields, not as a message over an emptied form."""

import re

from django.test import Client
from django.utils import timezone

from tests.factories import PASSWORD
from volunteers import services
from volunteers.models import PointsEntry, VolunteerActivity


def _client():
    client = Client()
    assert client.login(username="a_admin", password=PASSWORD)
    return client


def test_refused_activity_keeps_the_input_and_names_the_line(world, team, volunteer):
    page = _client().post(
        "/staff/volunteers/",
        {
            "what": "activity",
            "team": team.pk,
            "held_on": timezone.localdate().isoformat(),
            "category": "care_visit",
            "title": "重阳节探访",
            "hours": "王阿姨 2\n路人 3",
        },
    )
    html = page.content.decode()
    assert page.status_code == 400
    error = re.search(r'id="id_activity_hours-error">([^<]+)<', html).group(1)
    assert "路人" in error
    assert 'value="重阳节探访"' in html and "王阿姨 2\n路人 3</textarea>" in html
    assert re.search(rf'<option value="{team.pk}" selected>', html)
    assert not VolunteerActivity.objects.exists() and not PointsEntry.objects.exists()


def test_an_exchange_refused_by_the_ledger_keeps_the_choice_beside_the_quantity(world, team, volunteer):
    towel = services.save_reward(
        by=world.company_a_admin, organization=world.company_a, name="毛巾", points=20
    )
    page = _client().post(
        "/staff/volunteers/", {"what": "spend", "volunteer": volunteer.pk, "reward": towel.pk, "quantity": 2}
    )
    html = page.content.decode()
    assert page.status_code == 400
    assert "积分不足" in re.search(r'id="id_spend_quantity-error">([^<]+)<', html).group(1)
    assert re.search(rf'<option value="{towel.pk}" selected>', html) and 'value="2"' in html
    assert not PointsEntry.objects.exists()


def test_an_unknown_form_is_refused_and_a_reversal_is_only_asked(world, team, volunteer):
    client = _client()
    assert client.post("/staff/volunteers/", {"what": "delete", "entry": 1}).status_code == 403
    services.record_activity(
        by=world.company_a_admin,
        team=team,
        held_on=timezone.localdate(),
        category="care_visit",
        title="寻访",
        hours={volunteer: 1},
    )
    entry = PointsEntry.objects.get()
    response = client.post("/staff/volunteers/", {"what": "reverse", "entry": entry.pk, "reason": "x"})
    assert response["Location"] == f"/staff/volunteers/ledger/{entry.pk}/reverse/"
    assert PointsEntry.objects.count() == 1
