"""Issue 15, 12: a reversal is 冲正, not 获得 — it reduces the column of the entry it corrects —
and a statement's period is the day of the activity, not the time the hours were entered."""

import datetime as dt
import io

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from tests.factories import PASSWORD
from volunteers import services
from volunteers.models import PointsEntry


def _today():
    return timezone.localdate()


def _earn(world, team, volunteer, hours, held_on):
    activity = services.record_activity(
        by=world.company_a_admin,
        team=team,
        held_on=held_on,
        category="care_visit",
        title="独居老人寻访",
        hours={volunteer: hours},
    )
    return PointsEntry.objects.get(hours__activity=activity)


@pytest.fixture
def towel(world):
    return services.save_reward(
        by=world.company_a_admin, organization=world.company_a, name="毛巾", points=10, stock=5
    )


def test_reversal_of_an_exchange_gives_back_spent_points_not_earned(world, team, volunteer, towel):
    _earn(world, team, volunteer, 3, _today() - dt.timedelta(days=2))  # 30 points
    spent = services.spend_points(by=world.company_a_admin, volunteer=volunteer, reward=towel)
    services.reverse_entry(spent, by=world.company_a_admin, reason="未领取")
    result = services.statement(volunteer, start=_today() - dt.timedelta(days=10), end=_today())
    assert (result.opening, result.earned, result.spent, result.closing) == (0, 30, 0, 30)
    assert (result.earned_reversed, result.spent_reversed) == (0, 10)
    assert [row.balance for row in result.entries] == [30, 20, 30]


def test_reversal_of_earned_points_reduces_earned_not_spent(world, team, volunteer):
    wrong = _earn(world, team, volunteer, 2, _today() - dt.timedelta(days=1))
    _earn(world, team, volunteer, 1, _today())
    services.reverse_entry(wrong, by=world.company_a_admin, reason="登记错误")
    result = services.statement(volunteer, start=_today() - dt.timedelta(days=5), end=_today())
    assert (result.earned, result.spent, result.closing) == (10, 0, 10)
    assert result.earned_reversed == 20


def test_period_is_the_activity_date_not_the_entry_time(world, team, volunteer):
    last_month = _today().replace(day=1) - dt.timedelta(days=1)  # entered today, held last month
    _earn(world, team, volunteer, 2, last_month)
    this_month = services.statement(volunteer, start=_today().replace(day=1), end=_today())
    assert (this_month.opening, this_month.earned, this_month.entries) == (20, 0, [])
    held = services.statement(volunteer, start=last_month.replace(day=1), end=last_month)
    assert (held.opening, held.earned, held.closing) == (0, 20, 20)
    assert held.entries[0].booked_on == last_month


def test_a_reversal_counts_in_the_period_of_what_it_corrects(world, team, volunteer):
    last_month = _today().replace(day=1) - dt.timedelta(days=1)
    wrong = _earn(world, team, volunteer, 2, last_month)
    services.reverse_entry(wrong, by=world.company_a_admin, reason="登记错误")
    held = services.statement(volunteer, start=last_month.replace(day=1), end=last_month)
    assert (held.earned, held.earned_reversed, held.closing) == (0, 20, 0)
    this_month = services.statement(volunteer, start=_today().replace(day=1), end=_today())
    assert (this_month.opening, this_month.earned, this_month.entries) == (0, 0, [])


def test_statement_page_and_workbook_say_reversal(world, team, volunteer, towel):
    _earn(world, team, volunteer, 3, _today())
    spent = services.spend_points(by=world.company_a_admin, volunteer=volunteer, reward=towel)
    services.reverse_entry(spent, by=world.company_a_admin, reason="未领取")
    client = Client()
    assert client.login(username="a_admin", password=PASSWORD)
    page = client.get(f"/staff/volunteers/{volunteer.pk}/statement/").content.decode()
    assert "冲正（兑换 #" in page
    response = client.get(f"/staff/volunteers/{volunteer.pk}/statement/?export=xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    rows = list(sheet.values)
    assert "获得 30" in rows[0][0] and "兑换 0（已冲正 10）" in rows[0][0]
    kinds = [row[2] for row in rows[2:]]
    assert kinds[-1].startswith("冲正（兑换")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(f"/staff/volunteers/{volunteer.pk}/statement/").content.decode()
    assert "Reversal（Spent #" in english and "after 10 reversed" in english


def test_statement_of_another_companys_volunteer_is_not_found(world, team, volunteer):
    client = Client()
    assert client.login(username="b_admin", password=PASSWORD)
    assert client.get(f"/staff/volunteers/{volunteer.pk}/statement/").status_code == 404
