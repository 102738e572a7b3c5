"""Issue 15, item 6 (points ledger): reversing an entry asks first — a page (no script needed)
saying what the reversing entry will do — and only its confirmation appends the entry; the
reason is required and kept on a refusal; other companies' entries are not found."""

import re

from django.conf import settings
from django.test import Client
from django.utils import timezone

from tests.factories import PASSWORD
from volunteers import services
from volunteers.models import PointsEntry, Reward


def _client(username, language="en"):
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _spent(world, team, volunteer):
    services.record_activity(
        by=world.company_a_admin,
        team=team,
        held_on=timezone.localdate(),
        category="care_visit",
        title="寻访",
        hours={volunteer: 5},
    )
    rice = services.save_reward(
        by=world.company_a_admin, organization=world.company_a, name="大米", points=30, stock=5
    )
    return services.spend_points(by=world.company_a_admin, volunteer=volunteer, reward=rice, quantity=1)


def test_the_ledger_links_to_a_page_that_says_what_the_reversal_does(world, team, volunteer):
    spent = _spent(world, team, volunteer)
    client = _client("a_admin")
    ledger = client.get("/staff/volunteers/").content.decode()
    assert f'href="/staff/volunteers/ledger/{spent.pk}/reverse/"' in ledger
    assert 'name="what" value="reverse"' not in ledger  # no one-click reversal left
    page = client.get(f"/staff/volunteers/ledger/{spent.pk}/reverse/").content.decode()
    assert "A reversing entry of 30 points is appended: the balance goes from 20 to 50." in page
    assert "1 × 大米 go back into stock." in page and 'name="confirmed"' in page
    assert PointsEntry.objects.count() == 2


def test_only_the_confirmation_with_a_reason_reverses(world, team, volunteer):
    spent = _spent(world, team, volunteer)
    client = _client("a_admin")
    url = f"/staff/volunteers/ledger/{spent.pk}/reverse/"
    refused = client.post(url, {"reason": "   ", "confirmed": "1"})
    assert refused.status_code == 400 and "field-errors" in refused.content.decode()
    assert PointsEntry.objects.count() == 2
    done = client.post(url, {"reason": "未领取", "confirmed": "1"})
    assert done.status_code == 302
    reversal = PointsEntry.objects.get(kind="reversal")
    assert (reversal.points, reversal.balance_after, reversal.note) == (30, 50, "未领取")
    assert Reward.objects.get().stock == 5
    again = client.get(url).content.decode()
    assert "already been reversed" in again and 'name="confirmed"' not in again
    twice = client.post(url, {"reason": "再次", "confirmed": "1"})
    assert twice.status_code == 400 and PointsEntry.objects.count() == 3


def test_a_reversal_that_would_go_below_zero_is_refused_before_asking(world, team, volunteer):
    services.record_activity(
        by=world.company_a_admin,
        team=team,
        held_on=timezone.localdate(),
        category="care_visit",
        title="寻访",
        hours={volunteer: 3},
    )
    earned = PointsEntry.objects.get()
    rice = services.save_reward(by=world.company_a_admin, organization=world.company_a, name="米", points=30)
    services.spend_points(by=world.company_a_admin, volunteer=volunteer, reward=rice)
    page = _client("a_admin").get(f"/staff/volunteers/ledger/{earned.pk}/reverse/").content.decode()
    assert re.search(r'id="refusal">[^<]*Not enough points', page) and 'name="confirmed"' not in page


def test_other_companies_cannot_open_or_confirm_a_reversal(world, team, volunteer):
    spent = _spent(world, team, volunteer)
    other = _client("b_admin")
    url = f"/staff/volunteers/ledger/{spent.pk}/reverse/"
    assert other.get(url).status_code == 404
    assert other.post(url, {"reason": "x", "confirmed": "1"}).status_code == 404
    assert PointsEntry.objects.count() == 2
