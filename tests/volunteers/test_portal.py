"""The volunteers page: hours earn points, goods are exchanged, entries reversed; statements."""

from django.test import Client
from django.utils import timezone

from tests.factories import PASSWORD
from volunteers.models import PointsEntry, Reward


def _client(username):
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def test_volunteer_page_records_hours_exchanges_and_reverses(world, team, volunteer):
    client = _client("a_admin")
    today = timezone.localdate().isoformat()
    bad = client.post(
        "/staff/volunteers/",
        {
            "what": "activity",
            "team": team.pk,
            "held_on": today,
            "category": "care_visit",
            "title": "寻访",
            "hours": "路人 2",
        },
        follow=True,
    )
    assert "路人 不是本队成员" in bad.content.decode() and not PointsEntry.objects.exists()
    client.post(
        "/staff/volunteers/",
        {
            "what": "activity",
            "team": team.pk,
            "held_on": today,
            "category": "care_visit",
            "title": "寻访",
            "hours": "王阿姨 3",
        },
    )
    client.post(
        "/staff/volunteers/",
        {"what": "reward", "organization": world.company_a.pk, "name": "毛巾", "points": 20},
    )
    reward = Reward.objects.get(name="毛巾")
    client.post(
        "/staff/volunteers/", {"what": "spend", "volunteer": volunteer.pk, "reward": reward.pk, "quantity": 1}
    )
    too_much = client.post(
        "/staff/volunteers/",
        {"what": "spend", "volunteer": volunteer.pk, "reward": reward.pk, "quantity": 1},
        follow=True,
    )
    assert "积分不足" in too_much.content.decode()
    spent = PointsEntry.objects.get(kind="spend")
    asked = client.get(f"/staff/volunteers/ledger/{spent.pk}/reverse/").content.decode()
    assert 'name="confirmed"' in asked and PointsEntry.objects.count() == 2  # asks, changes nothing
    client.post(f"/staff/volunteers/ledger/{spent.pk}/reverse/", {"reason": "未领取", "confirmed": "1"})
    assert list(PointsEntry.objects.order_by("id").values_list("kind", "balance_after")) == [
        ("earn", 30),
        ("spend", 10),
        ("reversal", 30),
    ]
    statement = client.get(f"/staff/volunteers/{volunteer.pk}/statement/").content.decode()
    assert "期末余额" in statement and "未领取" in statement
    assert _client("b_admin").get(f"/staff/volunteers/{volunteer.pk}/statement/").status_code == 404
