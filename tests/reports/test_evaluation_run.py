"""The scheme's rules and the monthly run: weights add to 100, versions kept on old scorecards,
scores and ranks, findings opened / notified / kept / closed, fixed query counts."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from accounts.models import Notification
from config.celery import app as celery_app
from reports.evaluation import services
from reports.models import EvaluationRun, Finding, SchemeVersion, Scorecard
from tests.factories import make_user

from .evaluation_data import (
    MONTH,
    at,
    make_pilot,
    make_resident,
    make_station,
    milestone,
    publicity,
    record,
    scheme_for,
)

pytestmark = pytest.mark.django_db

NOVEMBER = dt.date(2026, 11, 1)
PUBLICITY_AND_RESPONSE = [
    ("publicity_events", 60, 1, "at_least"),
    ("emergency_response", 40, 15, "at_most"),
]


# --- the scheme --------------------------------------------------------------------------------


def test_weights_must_add_to_100(world):
    with pytest.raises(ValidationError) as caught:
        scheme_for(
            world, [("publicity_events", 60, 1, "at_least"), ("emergency_response", 30, 15, "at_most")]
        )
    assert "indicators" in caught.value.message_dict
    assert "90" in caught.value.message_dict["indicators"][0]
    scheme = scheme_for(world, PUBLICITY_AND_RESPONSE)
    with pytest.raises(ValidationError):
        services.save_scheme(
            scheme,
            by=world.changning_officer,
            name=scheme.name,
            indicators=[{"code": "publicity_events", "weight": 101, "threshold": 1, "direction": "at_least"}],
        )
    assert scheme.versions.count() == 1  # nothing changed


@pytest.mark.parametrize(
    "indicators",
    [
        [],
        [{"code": "no_such_thing", "weight": 100}],
        [{"code": "publicity_events", "weight": 50}, {"code": "publicity_events", "weight": 50}],
        [{"code": "publicity_events", "weight": 100, "threshold": -1}],
        [{"code": "publicity_events", "weight": 100, "direction": "sideways"}],
        [{"code": "publicity_events", "weight": "x"}],
    ],
)
def test_bad_indicators_are_refused_under_the_field(world, indicators):
    with pytest.raises(ValidationError) as caught:
        services.save_scheme(
            None, by=world.changning_officer, region=world.regions["310105"], name="x", indicators=indicators
        )
    assert list(caught.value.message_dict) == ["indicators"]


def test_scheme_is_set_by_a_bureau_for_a_district_or_city(world):
    indicators = [{"code": "publicity_events", "weight": 100}]
    with pytest.raises(ValidationError):
        services.save_scheme(
            None,
            by=world.changning_officer,
            region=world.regions["310105001"],
            name="x",
            indicators=indicators,
        )
    for outsider in (
        world.nanan_officer,
        world.company_a_admin,
        world.changning_viewer,
        world.street_officer,
    ):
        with pytest.raises(PermissionDenied):
            services.save_scheme(
                None, by=outsider, region=world.regions["310105"], name="x", indicators=indicators
            )


def test_a_street_inherits_its_districts_scheme(world):
    scheme = scheme_for(world, PUBLICITY_AND_RESPONSE)
    assert services.scheme_for_region(world.regions["310105001"]) == scheme
    assert services.scheme_for_region(world.regions["350583001"]) is None


def test_editing_makes_a_new_version_and_old_scorecards_keep_theirs(world):
    station = make_station(world.company_a, world.regions["310105001"])
    publicity(station, dt.date(2026, 10, 5))
    scheme = scheme_for(world, PUBLICITY_AND_RESPONSE)
    october = services.run_evaluation(scheme, MONTH)
    services.save_scheme(
        scheme,
        by=world.changning_officer,
        name=scheme.name,
        indicators=[{"code": "publicity_events", "weight": 100, "threshold": 2, "direction": "at_least"}],
        note="每月两次",
    )
    scheme.refresh_from_db()
    assert scheme.current.number == 2 and SchemeVersion.objects.filter(scheme=scheme).count() == 2
    # saving the same indicators again makes no version
    services.save_scheme(
        scheme,
        by=world.changning_officer,
        name="新名称",
        indicators=[{"code": "publicity_events", "weight": 100, "threshold": 2, "direction": "at_least"}],
    )
    assert SchemeVersion.objects.filter(scheme=scheme).count() == 2
    november = services.run_evaluation(scheme, NOVEMBER)
    october.refresh_from_db()
    assert october.version.number == 1 and november.version.number == 2
    old = Scorecard.objects.get(run=october)
    assert [line["code"] for line in old.lines] == ["publicity_events", "emergency_response"]
    assert old.lines[0]["threshold"] == "1.00" and old.lines[0]["met"] is True


# --- the run -----------------------------------------------------------------------------------


def test_scores_ranks_and_raw_figures(world):
    street, other_street = world.regions["310105001"], world.regions["310105008"]
    best = make_station(world.company_a, street, "最好站")
    slow = make_station(world.company_a, street, "响应慢站")
    tie = make_station(world.company_b, other_street, "并列站")
    silent = make_station(world.company_b, other_street, "无宣传站")
    for station in (best, slow, tie):
        publicity(station, dt.date(2026, 10, 10))
    resident = make_resident(best)
    record(best, resident, at(dt.date(2026, 10, 3)), category="emergency", emergency=True, response=10)
    record(slow, resident, at(dt.date(2026, 10, 3)), category="emergency", emergency=True, response=30)
    scheme = scheme_for(world, PUBLICITY_AND_RESPONSE)
    run = services.run_evaluation(scheme, MONTH)
    cards = {card.station_id: card for card in Scorecard.objects.filter(run=run)}
    assert cards[best.pk].score == 100
    assert cards[slow.pk].score == Decimal("80.0")  # 60 × 100 + 40 × 50, over 100
    assert cards[tie.pk].score == 100  # no emergency: that indicator is left out of the total
    assert cards[silent.pk].score == 0
    assert cards[slow.pk].lines[1] == {
        "code": "emergency_response",
        "raw": "30.0",
        "score": "50.0",
        "weight": 40,
        "threshold": "15.00",
        "direction": "at_most",
        "met": False,
    }
    assert cards[tie.pk].lines[1]["raw"] is None and cards[tie.pk].lines[1]["met"] is None
    assert [cards[s.pk].rank_in_street for s in (best, slow, tie, silent)] == [1, 2, 1, 2]
    assert [cards[s.pk].rank_in_district for s in (best, slow, tie, silent)] == [1, 3, 1, 4]
    assert cards[best.pk].street == street and cards[best.pk].district == world.regions["310105"]
    assert run.scorecards_count == 4


def test_findings_opened_notified_kept_and_closed(world, django_capture_on_commit_callbacks):
    company_user = make_user("a_staff_user", world.company_a, "staff")
    station = make_station(world.company_a, world.regions["310105001"], "甲站")
    scheme = scheme_for(world, PUBLICITY_AND_RESPONSE)
    with django_capture_on_commit_callbacks(execute=True):
        run = services.run_evaluation(scheme, dt.date(2026, 9, 1))
    finding = Finding.objects.get()
    assert (finding.station, finding.code, finding.state) == (station, "publicity_events", "open")
    assert finding.raw == 0 and finding.organization == world.company_a and run.findings_opened == 1
    notices = Notification.objects.filter(recipient__in=[world.company_a_admin, company_user])
    assert notices.count() == 2 and "2026-09" in notices.first().title
    assert not Notification.objects.filter(recipient=world.company_b_admin).exists()

    # re-running the month, and failing again next month, keep the one finding (no new notice)
    with django_capture_on_commit_callbacks(execute=True):
        services.run_evaluation(scheme, dt.date(2026, 9, 1))
        services.run_evaluation(scheme, MONTH)
    assert Finding.objects.count() == 1 and notices.count() == 2
    finding.refresh_from_db()
    assert finding.last_month == MONTH and finding.opened_month == dt.date(2026, 9, 1)

    # a later run meeting the threshold closes it
    publicity(station, dt.date(2026, 11, 2))
    run = services.run_evaluation(scheme, NOVEMBER)
    finding.refresh_from_db()
    assert finding.state == "closed" and finding.closed_month == NOVEMBER and run.findings_closed == 1
    assert not Finding.objects.open_for(world.changning_officer).exists()


def test_rerunning_a_month_updates_its_scorecards_in_place(world):
    """A re-run keeps each subject's scorecard row (links to it stay valid), rewrites its figures,
    drops the card of a station no longer evaluated, and adds one for a new station."""
    street = world.regions["310105001"]
    station = make_station(world.company_a, street)
    closing = make_station(world.company_a, street, "将停业站")
    pilot = make_pilot(world, world.company_a, street)
    scheme = scheme_for(
        world, [("publicity_events", 50, 1, "at_least"), ("milestones_overdue", 50, 0, "at_most")]
    )
    first = services.run_evaluation(scheme, MONTH)
    card = Scorecard.objects.get(run=first, station=station)
    pilot_card = Scorecard.objects.get(run=first, pilot=pilot)
    assert card.score == 0 and pilot_card.score == 100

    publicity(station, dt.date(2026, 10, 9))
    milestone(pilot, dt.date(2026, 10, 20))
    type(closing).objects.filter(pk=closing.pk).update(status="closed")
    newcomer = make_station(world.company_b, world.regions["310105008"], "新站")
    second = services.run_evaluation(scheme, MONTH)

    assert second.pk == first.pk and EvaluationRun.objects.count() == 1
    card.refresh_from_db()  # the same row, rewritten
    pilot_card.refresh_from_db()
    assert card.score == 100 and card.lines[0]["raw"] == "1" and card.rank_in_district == 1
    assert card.evaluated_at == second.started_at
    assert pilot_card.score == 0 and pilot_card.lines[0]["met"] is False
    assert not Scorecard.objects.filter(station=closing).exists()
    assert Scorecard.objects.get(station=newcomer).score == 0
    assert Scorecard.objects.count() == second.scorecards_count == 3


def test_rerunning_a_month_is_idempotent_for_ids_counts_and_findings(world):
    """The same figures run twice give the same rows and counts: findings are kept, not opened
    again (and nobody is told twice)."""
    make_station(world.company_a, world.regions["310105001"])
    make_station(world.company_b, world.regions["310105008"])
    scheme = scheme_for(world, PUBLICITY_AND_RESPONSE)
    first = services.run_evaluation(scheme, MONTH)
    cards = sorted(Scorecard.objects.values_list("pk", "station_id", "score", "rank_in_district"))
    findings = sorted(Finding.objects.values_list("pk", "station_id", "state"))
    counts = (first.scorecards_count, first.findings_opened, first.findings_closed)
    assert counts == (2, 2, 0)
    again = services.run_evaluation(scheme, MONTH)
    assert sorted(Scorecard.objects.values_list("pk", "station_id", "score", "rank_in_district")) == cards
    assert sorted(Finding.objects.values_list("pk", "station_id", "state")) == findings
    assert (again.scorecards_count, again.findings_opened, again.findings_closed) == counts


def test_a_rerun_reopens_the_finding_its_month_closed_not_a_new_one(world):
    station = make_station(world.company_a, world.regions["310105001"])
    scheme = scheme_for(world, PUBLICITY_AND_RESPONSE)
    services.run_evaluation(scheme, dt.date(2026, 9, 1))
    finding = Finding.objects.get()
    event = publicity(station, dt.date(2026, 10, 9))
    october = services.run_evaluation(scheme, MONTH)
    finding.refresh_from_db()
    assert (finding.state, finding.closed_month, october.findings_closed) == ("closed", MONTH, 1)

    event.delete()  # the event was recorded by mistake: October is evaluated again and fails
    october = services.run_evaluation(scheme, MONTH)
    finding.refresh_from_db()
    assert Finding.objects.count() == 1  # the same finding, open again, seen in October
    assert (finding.state, finding.closed_month, finding.last_month) == ("open", None, MONTH)
    assert (october.findings_opened, october.findings_closed) == (0, 0)  # opened in September

    # re-running September (still failing) after October closed it leaves it closed
    publicity(station, dt.date(2026, 10, 9))
    services.run_evaluation(scheme, MONTH)
    september = services.run_evaluation(scheme, dt.date(2026, 9, 1))
    finding.refresh_from_db()
    assert finding.state == "closed" and Finding.objects.count() == 1
    assert (september.findings_opened, september.findings_closed) == (1, 0)


def test_rerunning_an_earlier_month_that_meets_leaves_a_later_months_finding_open(world):
    station = make_station(world.company_a, world.regions["310105001"])
    scheme = scheme_for(world, PUBLICITY_AND_RESPONSE)
    services.run_evaluation(scheme, dt.date(2026, 9, 1))
    services.run_evaluation(scheme, MONTH)  # still failing in October
    publicity(station, dt.date(2026, 9, 9))  # September's event entered late
    services.run_evaluation(scheme, dt.date(2026, 9, 1))
    finding = Finding.objects.get()
    assert finding.state == "open" and finding.last_month == MONTH


def test_pilot_scorecards(world):
    pilot = make_pilot(world, world.company_a, world.regions["310105001"])
    milestone(pilot, dt.date(2026, 10, 20))
    scheme = scheme_for(
        world, [("publicity_events", 50, 1, "at_least"), ("milestones_overdue", 50, 0, "at_most")]
    )
    run = services.run_evaluation(scheme, MONTH)
    card = Scorecard.objects.get(run=run, kind="pilot")
    assert card.pilot == pilot and card.score == 0 and card.lines[0]["raw"] == "1"
    assert card.organization == world.company_a and "甲物业" in card.name
    assert Finding.objects.get().pilot == pilot


def test_a_future_month_and_an_outsider_are_refused(world):
    scheme = scheme_for(world, PUBLICITY_AND_RESPONSE)
    with pytest.raises(ValidationError):
        services.run_evaluation(scheme, dt.date(2099, 1, 1))
    with pytest.raises(PermissionDenied):
        services.run_evaluation(scheme, MONTH, by=world.nanan_officer)


def test_the_run_takes_the_same_queries_for_3_and_30_stations(postgres, world, django_assert_num_queries):
    """On PostgreSQL (SQLite splits a bulk insert by its parameter limit, so there the count
    grows by a batch now and then; each indicator's own count is checked on both)."""
    full = [
        ("publicity_events", 10, 1, "at_least"),
        ("care_visits_on_time", 10, 90, "at_least"),
        ("satisfaction_average", 10, 4, "at_least"),
        ("emergency_response", 10, 15, "at_most"),
        ("trained_service_officers", 10, 100, "at_least"),
        ("prices_complete", 10, 100, "at_least"),
        ("five_lists_checked", 10, 100, "at_least"),
        ("resources_reviewed", 10, 90, "at_most"),
        ("care_rooms_overdue", 5, 0, "at_most"),
        ("violations_open", 5, 0, "at_most"),
        ("milestones_overdue", 10, 0, "at_most"),
    ]
    scheme = scheme_for(world, full)
    streets = [world.regions["310105001"], world.regions["310105008"]]

    def add(count):
        for n in range(count):
            station = make_station(
                (world.company_a, world.company_b)[n % 2], streets[n % 2], services=["meals"]
            )
            resident = make_resident(station)
            record(station, resident, at(dt.date(2026, 10, 20)))
            make_pilot(world, (world.company_a, world.company_b)[n % 2], streets[n % 2])

    add(3)
    # twice before measuring: the month's run row exists from then on, and whatever a run caches
    # (content types, after a test that cleared them) is cached
    for _ in range(2):
        services.run_evaluation(scheme, MONTH)
        Finding.objects.all().delete()  # each measured run opens every finding anew
    with CaptureQueriesContext(connection) as few:
        services.run_evaluation(scheme, MONTH)
    assert Scorecard.objects.count() == 6 and Finding.objects.exists()
    Finding.objects.all().delete()
    add(27)
    with django_assert_num_queries(len(few.captured_queries)):
        services.run_evaluation(scheme, MONTH)
    assert Scorecard.objects.count() == 60


@pytest.mark.parametrize(
    ("task", "day_of_month", "hour"),
    [("reports.run_monthly_evaluations", "1", "2"), ("reports.send_daily_reminders", "*", "7")],
)
def test_the_schedules_are_made_by_the_migrations_and_edited_in_the_admin(
    world, admin_client, task, day_of_month, hour
):
    """The monthly run (the 1st, 02:00) and the daily reminders (07:00) are django-celery-beat
    periodic tasks in the database: made by migrations 0002 and 0006, known to the worker, and
    changed in the admin like any other periodic task (the beat scheduler reads them there)."""
    periodic = PeriodicTask.objects.get(task=task)
    assert periodic.enabled and periodic.crontab.timezone.key == "Asia/Shanghai"
    assert (periodic.crontab.day_of_month, periodic.crontab.hour, periodic.crontab.minute) == (
        day_of_month,
        hour,
        "0",
    )
    celery_app.loader.import_default_modules()  # the tasks modules, as a worker imports them
    assert task in celery_app.tasks
    page = admin_client.get(reverse("admin:django_celery_beat_periodictask_change", args=[periodic.pk]))
    assert page.status_code == 200 and f'value="{task}"' in page.content.decode()
    # an officer's change (here: disabling it) is what beat reads next
    PeriodicTask.objects.filter(pk=periodic.pk).update(enabled=False)
    assert not PeriodicTask.objects.enabled().filter(task=task).exists()


def test_monthly_task_runs_last_month(world):
    scheme = scheme_for(world, PUBLICITY_AND_RESPONSE)
    make_station(world.company_a, world.regions["310105001"])
    runs = services.run_monthly(today=dt.date(2026, 11, 3))
    assert [(run.scheme, run.month) for run in runs] == [(scheme, MONTH)]
