"""The daily reminders: each kind fires on its own data, not before its lead time, once per object
and due date, again when the due date changes, to the people who answer for it only, with a fixed
number of queries whatever the number of objects."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django_celery_beat.models import PeriodicTask

from accounts.models import Notification
from reports import reminders
from reports.models import ReminderSent
from reports.tasks import send_daily_reminders
from tests.factories import make_user

from .reminder_cases import CASES, DAY, build_recommended, build_rooms, move_room

DUE = dt.date(2026, 6, 20)  # a 20th: the publicity reminder's day

pytestmark = pytest.mark.django_db


def run(case, today):
    return reminders.send_due_reminders(today=today, kinds=[case.kind])[case.kind]


def received(world, name):
    return Notification.objects.filter(recipient=getattr(world, name)).count()


@pytest.mark.parametrize("case", CASES, ids=str)
def test_reminder_waits_for_its_lead_time_then_goes_once_to_those_who_answer(world, case):
    case.build(world, 1, DUE)

    assert run(case, case.quiet(DUE)) == 0
    assert Notification.objects.count() == 0

    assert run(case, case.fires(DUE)) == 1
    for name in case.to:
        assert received(world, name) == 1, name
    for name in case.not_to:
        assert received(world, name) == 0, name

    # the next day's run, and the same day's again: nothing new
    assert run(case, case.fires(DUE)) == 0
    assert run(case, case.fires(DUE) + DAY) == 0
    assert Notification.objects.count() == len(case.to)
    assert ReminderSent.objects.get(kind=case.kind).due_on == DUE


@pytest.mark.parametrize("case", CASES, ids=str)
def test_reminder_goes_again_when_the_due_date_changes(world, case):
    [obj] = case.build(world, 1, DUE)
    run(case, case.fires(DUE))
    later = DUE + 30 * DAY  # for the publicity reminder, the next month's 20th

    case.move(obj, later)
    assert run(case, case.fires(later)) == 1
    for name in case.to:
        assert received(world, name) == 2, name
    assert sorted(ReminderSent.objects.filter(kind=case.kind).values_list("due_on", flat=True)) == [
        DUE,
        later,
    ]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_reminder_costs_the_same_queries_for_3_and_for_30_objects(world, case):
    case.build(world, 3, DUE)
    with CaptureQueriesContext(connection) as three:
        assert run(case, case.fires(DUE)) == 3

    case.build(world, 30, DUE)
    with CaptureQueriesContext(connection) as thirty:
        assert run(case, case.fires(DUE)) == 30

    assert len(thirty) == len(three), [q["sql"] for q in thirty.captured_queries]
    for name in case.to:
        assert received(world, name) == 33, name


def test_a_recommended_application_waits_on_the_issuing_bureau_not_the_street(world):
    build_recommended(world, 1, DUE)
    reminders.send_due_reminders(today=DUE + DAY, kinds=["application_waiting"])
    assert received(world, "changning_officer") == 1
    assert received(world, "street_officer") == 0


def test_a_room_already_operating_is_not_reminded_of(world):
    [room] = build_rooms(world, 1, DUE)
    type(room).objects.filter(pk=room.pk).update(operating_state="operating")
    assert reminders.send_due_reminders(today=DUE, kinds=["care_room_deadline"])["care_room_deadline"] == 0


def test_a_room_past_its_deadline_says_so(world):
    build_rooms(world, 1, DUE)
    reminders.send_due_reminders(today=DUE + 3 * DAY, kinds=["care_room_deadline"])
    notice = Notification.objects.get(recipient=world.changning_officer)
    assert "past its deadline" in notice.title or "已超过运营期限" in notice.title
    assert notice.link.startswith("/facilities/rooms/")


def test_a_room_without_an_owner_goes_to_the_county_bureau(world):
    [room] = build_rooms(world, 1, DUE)
    move_room(room, DUE)
    type(room).objects.filter(pk=room.pk).update(owner=None)
    reminders.send_due_reminders(today=DUE, kinds=["care_room_deadline"])
    assert received(world, "changning_officer") == 1
    assert received(world, "nanan_officer") == 0


def test_a_company_tells_its_administrators_not_its_staff(world):
    staff = make_user("a_worker", world.company_a, "staff")
    [case] = [case for case in CASES if case.kind == "milestone_overdue"]
    case.build(world, 1, DUE)
    run(case, case.fires(DUE))
    assert received(world, "company_a_admin") == 1
    assert Notification.objects.filter(recipient=staff).count() == 0


def test_inactive_members_and_viewers_are_not_told(world):
    leaver = make_user("leaver", world.huayang_office, "officer")
    leaver.memberships.update(is_active=False)
    build_rooms(world, 1, DUE)
    reminders.send_due_reminders(today=DUE, kinds=["care_room_deadline"])
    assert Notification.objects.filter(recipient=leaver).count() == 0
    assert received(world, "changning_viewer") == 0


def test_lead_times_come_from_the_settings(world, settings):
    settings.REMINDER_CARE_ROOM_DAYS = 10
    build_rooms(world, 1, DUE)
    assert (
        reminders.send_due_reminders(today=DUE - 11 * DAY, kinds=["care_room_deadline"])["care_room_deadline"]
        == 0
    )
    assert (
        reminders.send_due_reminders(today=DUE - 10 * DAY, kinds=["care_room_deadline"])["care_room_deadline"]
        == 1
    )


def test_the_task_runs_every_kind_and_is_scheduled_daily(world):
    counts = send_daily_reminders.apply().get()
    assert set(counts) == {str(kind) for kind in reminders.KINDS}
    task = PeriodicTask.objects.get(task="reports.send_daily_reminders")
    assert task.enabled and task.crontab.hour == "7"


def test_the_log_refuses_a_second_row_for_the_same_object_and_due_date(world):
    ReminderSent.objects.create(kind="care_room_deadline", object_id=1, due_on=DUE)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReminderSent.objects.create(kind="care_room_deadline", object_id=1, due_on=DUE)
    ReminderSent.objects.create(kind="care_room_deadline", object_id=1, due_on=DUE + DAY)
