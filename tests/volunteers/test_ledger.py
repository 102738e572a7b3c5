"""001: volunteer hours earn points by the organisation's rule; points buy goods; the ledger
is append-only, corrections are reversals, and the balance never goes below zero."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from tests.conftest import api_client_for
from tests.factories import make_staff
from volunteers import services
from volunteers.models import PointsAccount, PointsEntry, PointsRule, Reward


def _earn(world, team, volunteer, hours, days_ago=3):
    return services.record_activity(
        by=world.company_a_admin,
        team=team,
        held_on=timezone.localdate() - dt.timedelta(days=days_ago),
        category="care_visit",
        title="独居老人寻访",
        hours={volunteer: hours},
    )


def _balance(volunteer):
    return PointsAccount.objects.get(volunteer=volunteer).balance


@pytest.fixture
def rice(world):
    return services.save_reward(
        by=world.company_a_admin, organization=world.company_a, name="大米", points=30, stock=5
    )


def test_hours_earn_points_by_the_rule_in_force_on_the_day(world, team, volunteer, settings):
    settings.VOLUNTEER_POINTS_PER_HOUR = 10
    _earn(world, team, volunteer, 2, days_ago=40)  # platform default: 10 per hour
    assert _balance(volunteer) == 20
    PointsRule.objects.create(
        organization=world.company_a,
        effective_from=timezone.localdate() - dt.timedelta(days=10),
        points_per_hour=15,
        max_hours_per_activity=Decimal(3),
    )
    _earn(world, team, volunteer, Decimal("1.5"), days_ago=5)  # 22.5 rounds to 23
    _earn(world, team, volunteer, 6, days_ago=2)  # capped at 3 hours
    assert _balance(volunteer) == 20 + 23 + 45
    assert list(PointsEntry.objects.values_list("balance_after", flat=True)) == [20, 43, 88]


def test_only_team_members_earn_and_not_for_the_future(world, team, volunteer):
    outsider = make_staff(world.company_a, "非队员", kind="volunteer")
    with pytest.raises(ValidationError):
        _earn(world, team, outsider, 2)
    with pytest.raises(ValidationError):
        _earn(world, team, volunteer, 2, days_ago=-1)
    assert not PointsEntry.objects.exists()


def test_spending_below_zero_is_refused_and_stock_is_kept(world, team, volunteer, rice):
    _earn(world, team, volunteer, 5)  # 50 points
    entry = services.spend_points(by=world.company_a_admin, volunteer=volunteer, reward=rice)
    assert (entry.points, entry.balance_after) == (-30, 20)
    with pytest.raises(ValidationError) as refused:
        services.spend_points(by=world.company_a_admin, volunteer=volunteer, reward=rice)
    assert "积分不足" in str(refused.value)
    assert _balance(volunteer) == 20
    assert Reward.objects.get(pk=rice.pk).stock == 4


def test_reversal_rules(world, team, volunteer, rice):
    activity = _earn(world, team, volunteer, 4)  # 40
    earned = PointsEntry.objects.get(hours__activity=activity)
    spent = services.spend_points(by=world.company_a_admin, volunteer=volunteer, reward=rice)  # 10 left
    with pytest.raises(ValidationError):  # taking back 40 earned points would leave -30
        services.reverse_entry(earned, by=world.company_a_admin, reason="时长登记错误")
    with pytest.raises(ValidationError):
        services.reverse_entry(spent, by=world.company_a_admin, reason="  ")
    back = services.reverse_entry(spent, by=world.company_a_admin, reason="未领取")
    assert (back.kind, back.points, back.balance_after, back.reverses_id) == ("reversal", 30, 40, spent.pk)
    assert Reward.objects.get(pk=rice.pk).stock == 5  # the goods came back
    with pytest.raises(ValidationError):
        services.reverse_entry(spent, by=world.company_a_admin, reason="again")
    with pytest.raises(ValidationError):
        services.reverse_entry(back, by=world.company_a_admin, reason="reverse the reversal")
    services.reverse_entry(earned, by=world.company_a_admin, reason="时长登记错误")
    assert _balance(volunteer) == 0
    assert PointsEntry.objects.count() == 4  # nothing was changed or removed, only appended


def test_entries_cannot_be_changed_or_deleted(world, team, volunteer):
    _earn(world, team, volunteer, 1)
    entry = PointsEntry.objects.get()
    entry.points = 1000
    with pytest.raises(ValidationError):
        entry.save()
    with pytest.raises(ValidationError):
        entry.delete()
    with pytest.raises(ValidationError):
        PointsEntry.objects.filter(pk=entry.pk).update(points=1000)
    with pytest.raises(ValidationError):
        PointsEntry.objects.all().delete()
    assert PointsEntry.objects.get().points == 10


def test_postgresql_refuses_changing_the_ledger_behind_the_models_back(postgres, world, team, volunteer):
    _earn(world, team, volunteer, 1)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE staff_pointsentry SET points = 1000")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM staff_pointsentry")
    assert PointsEntry.objects.get().points == 10


@pytest.mark.django_db(transaction=True)
def test_concurrent_spending_cannot_overdraw(postgres, world, team, volunteer):
    rice = services.save_reward(
        by=world.company_a_admin, organization=world.company_a, name="大米", points=70
    )
    _earn(world, team, volunteer, 8)  # 80 points: enough for one exchange of 70, not two
    barrier = threading.Barrier(4)
    outcomes = []

    def spend():
        try:
            barrier.wait()
            services.spend_points(by=world.company_a_admin, volunteer=volunteer, reward=rice)
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=spend) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok", "refused", "refused", "refused"]
    assert _balance(volunteer) == 10
    assert list(PointsEntry.objects.order_by("id").values_list("balance_after", flat=True)) == [80, 10]


def test_statement_has_opening_entries_and_closing(world, team, volunteer, rice):
    _earn(world, team, volunteer, 5)
    services.spend_points(by=world.company_a_admin, volunteer=volunteer, reward=rice)
    today = timezone.localdate()
    whole = services.statement(volunteer, start=today - dt.timedelta(days=30), end=today)
    assert (whole.opening, whole.earned, whole.spent, whole.closing) == (0, 50, 30, 20)
    assert whole.hours == Decimal(5)
    later = services.statement(
        volunteer, start=today + dt.timedelta(days=1), end=today + dt.timedelta(days=2)
    )
    assert (later.opening, later.entries, later.closing) == (20, [], 20)


def test_other_companies_cannot_spend_or_see_the_ledger(world, team, volunteer, rice):
    _earn(world, team, volunteer, 5)
    with pytest.raises(PermissionDenied):
        services.spend_points(by=world.company_b_admin, volunteer=volunteer, reward=rice)
    assert api_client_for(world.company_b_admin).get("/api/v1/points-ledger/").json()["count"] == 0
    own = api_client_for(world.company_a_admin)
    assert own.get("/api/v1/points-ledger/").json()["count"] == 1
    response = own.post(
        "/api/v1/points-ledger/spend/",
        {"volunteer": volunteer.pk, "reward": rice.pk, "quantity": 2},
        format="json",
    )
    assert response.status_code == 400 and "积分不足" in str(response.json())
    response = own.post(
        "/api/v1/points-ledger/spend/", {"volunteer": volunteer.pk, "reward": rice.pk}, format="json"
    )
    assert response.status_code == 201 and response.json()["balance_after"] == 20
    entry = response.json()["id"]
    denied = api_client_for(world.company_b_admin).post(
        f"/api/v1/points-ledger/{entry}/reverse/", {"reason": "x"}, format="json"
    )
    assert denied.status_code == 404
    statement = own.get("/api/v1/points-ledger/statement/", {"volunteer": volunteer.pk}).json()
    assert (statement["earned"], statement["spent"], statement["closing"]) == (50, 30, 20)
