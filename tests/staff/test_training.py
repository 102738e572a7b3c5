"""Sessions, derived passes (000: 理论与实操考核), capacity and who may record results."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from staff import services
from staff.models import TrainingRecord, TrainingTarget
from tests.factories import make_staff


@pytest.mark.parametrize(
    ("attended", "theory", "practical", "passed"),
    [
        (True, 60, 70, True),  # both marks exactly reached
        (True, Decimal("59.5"), 90, False),  # theory short
        (True, 90, Decimal("69.9"), False),  # practical short
        (True, 90, None, False),  # practical not assessed
        (False, None, None, False),  # absent
    ],
)
def test_passed_is_derived_from_both_marks(world, pre_job, server, attended, theory, practical, passed):
    record = services.record_result(
        pre_job,
        server,
        by=world.changning_officer,
        attended=attended,
        theory_score=theory,
        practical_score=practical,
    )
    assert record.passed is passed
    assert TrainingRecord.objects.get(pk=record.pk).passed is passed


def test_passed_cannot_be_forced_and_follows_a_changed_pass_mark(world, pre_job, server):
    record = services.record_result(
        pre_job, server, by=world.changning_officer, theory_score=65, practical_score=72
    )
    record.passed = False
    record.save()
    assert TrainingRecord.objects.get(pk=record.pk).passed is True  # derived again on save
    services.save_session(pre_job, by=world.changning_officer, practical_pass_mark=Decimal("75"))
    assert TrainingRecord.objects.get(pk=record.pk).passed is False
    services.save_session(pre_job, by=world.changning_officer, practical_pass_mark=Decimal("70"))
    assert TrainingRecord.objects.get(pk=record.pk).passed is True


def test_scores_need_attendance_and_stay_within_0_to_100(world, pre_job, server):
    with pytest.raises(ValidationError):
        services.record_result(pre_job, server, by=world.changning_officer, attended=False, theory_score=80)
    with pytest.raises(ValidationError):
        services.record_result(
            pre_job, server, by=world.changning_officer, theory_score=101, practical_score=80
        )
    assert not TrainingRecord.objects.exists()


def test_a_full_session_takes_no_one_more(world, pre_job):
    services.save_session(pre_job, by=world.changning_officer, capacity=2)
    people = [make_staff(world.company_a, f"学员{i}") for i in range(3)]
    for person in people[:2]:
        services.record_result(
            pre_job, person, by=world.changning_officer, theory_score=80, practical_score=80
        )
    with pytest.raises(ValidationError) as full:
        services.record_result(
            pre_job, people[2], by=world.changning_officer, theory_score=80, practical_score=80
        )
    assert "已满" in str(full.value)
    # correcting someone already enrolled is not a new place
    services.record_result(
        pre_job, people[0], by=world.changning_officer, theory_score=50, practical_score=80
    )
    assert pre_job.records.count() == 2


def test_companies_and_other_districts_cannot_record_scores_or_run_sessions(world, pre_job, server):
    for outsider in (world.company_a_admin, world.nanan_officer, world.changning_viewer):
        with pytest.raises(PermissionDenied):
            services.record_result(pre_job, server, by=outsider, theory_score=99, practical_score=99)
    with pytest.raises(PermissionDenied):
        services.save_session(
            None,
            by=world.nanan_officer,
            organiser=world.nanan_bureau,
            region=world.regions["310105"],
            title="越界培训",
            kind="pre_job",
            starts_on=dt.date(2025, 5, 1),
            ends_on=dt.date(2025, 5, 1),
        )
    with pytest.raises(ValidationError):
        services.save_session(
            None,
            by=world.changning_officer,
            organiser=world.company_a,
            region=world.regions["310105"],
            title="公司自办",
            kind="pre_job",
            starts_on=dt.date(2025, 5, 1),
            ends_on=dt.date(2025, 5, 1),
        )
    assert not TrainingRecord.objects.exists()


def test_progress_counts_person_times_against_the_target_by_street_and_company(world, pre_job, special):
    TrainingTarget.objects.create(region=world.regions["310105"], year=2025, person_times=200)
    a1 = make_staff(world.company_a, "甲一")
    a2 = make_staff(world.company_a, "甲二")
    b1 = make_staff(world.company_b, "乙一")  # works in 仙霞新村街道
    nanan = make_staff(world.nanan_company, "南安一")  # another district: not counted
    officer = world.changning_officer
    services.record_result(pre_job, a1, by=officer, theory_score=80, practical_score=80)
    services.record_result(pre_job, a2, by=officer, theory_score=80, practical_score=50)
    services.record_result(pre_job, b1, by=officer, attended=False)  # absent: not a person-time
    services.record_result(special, a1, by=officer, theory_score=70, practical_score=70)
    services.record_result(special, b1, by=officer, theory_score=90, practical_score=90)
    assert nanan.training_records.count() == 0

    progress = services.training_progress(world.regions["310105"], 2025)
    assert (progress.target, progress.total.person_times, progress.total.passed) == (200, 4, 3)
    assert progress.percent == Decimal("2.0")
    streets = {row.name: (row.person_times, row.passed, row.pass_rate) for row in progress.streets}
    assert streets == {"华阳路街道": (3, 2, Decimal("66.7")), "仙霞新村街道": (1, 1, Decimal("100.0"))}
    companies = {row.name: (row.person_times, row.passed) for row in progress.companies}
    assert companies == {"甲物业": (3, 2), "乙物业": (1, 1)}
    assert services.training_progress(world.regions["310105"], 2024).total.person_times == 0
