"""The sweeper and a real Celery worker fed through Redis: a job whose worker died, and a job
asked for while the broker was down, are both written once the sweeper hands them again."""

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

import psycopg2
import pytest
from django.db import connection, connections, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError
from openpyxl import load_workbook

from accounts.models import Organization
from reports import exporting, jobs, tasks
from reports.models import ExportJob
from tests.conftest import need
from tests.test_celery import database_url_for_worker


def _job(user):
    return jobs.submit_export(
        exporting.registered_definition("单位名录"),
        Organization.objects.visible_to(user).filter(kind="property_company"),
        user=user,
        channel="api",
        filters={"kind": "property_company"},
    )


def start_worker(queue, settings, media_root):
    """A Celery worker of its own (one process, solo pool) on ``queue``, on the test database."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url_for_worker(),
        "REDIS_URL": settings.REDIS_URL,
        "MEDIA_ROOT": str(media_root),
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "-n",
            f"{queue}-{uuid.uuid4().hex[:4]}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=WARNING",
        ],
        cwd=Path(settings.BASE_DIR),
        env=env,
    )


def wait_for(condition, seconds=180):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.3)
    return False


def _names(job):
    sheet = load_workbook(job.file.path).worksheets[0]
    return [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_jobs_the_sweeper_hands_again(world, settings, tmp_path, monkeypatch):
    need(bool(settings.REDIS_URL), "REDIS_URL is not set: no broker for a real worker")
    need(connection.vendor == "postgresql", "the worker must share the test database (PostgreSQL)")
    settings.MEDIA_ROOT = tmp_path
    queue = f"test-{uuid.uuid4().hex[:8]}"
    original = tasks.run_export_job.apply_async

    def broker_down(args, **options):
        raise OperationalError("Error 111 connecting to Redis. Connection refused.")

    monkeypatch.setattr(tasks.run_export_job, "apply_async", broker_down)
    # A job whose worker was killed half-way: running, no heartbeat for longer than STALE_AFTER.
    died = _job(world.changning_officer)
    long_ago = timezone.now() - jobs.STALE_AFTER - timedelta(minutes=1)
    ExportJob.objects.filter(pk=died.pk).update(
        state="running", started_at=long_ago, heartbeat_at=long_ago, attempts=1, run_token="killed"
    )
    # A job recorded while Redis was down: queued, never handed to a worker.
    never_handed = _job(world.company_a_admin)
    assert ExportJob.objects.get(pk=never_handed.pk).enqueued_at is None
    ExportJob.objects.filter(pk=never_handed.pk).update(created_at=timezone.now() - jobs.QUEUED_GRACE * 2)
    # The broker is back; this test's worker listens on a queue of its own.
    monkeypatch.setattr(
        tasks.run_export_job, "apply_async", lambda args, **options: original(args, queue=queue, **options)
    )

    worker = start_worker(queue, settings, tmp_path)
    try:
        assert jobs.sweep_export_jobs() == 2
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            states = set(ExportJob.objects.values_list("state", flat=True))
            if states <= {"done", "failed"}:
                break
            time.sleep(0.5)
    finally:
        worker.terminate()
        worker.wait(timeout=20)

    died.refresh_from_db()
    never_handed.refresh_from_db()
    assert (died.state, died.attempts, died.error) == ("done", 2, "")
    assert (never_handed.state, never_handed.attempts) == ("done", 1)
    assert sorted(_names(died)) == ["乙物业", "甲物业"]
    assert _names(never_handed) == ["甲物业"]
    assert not list(tmp_path.rglob("*.part"))


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_half_way_leaves_a_job_the_sweeper_gives_to_the_next_worker(
    world, settings, tmp_path, monkeypatch
):
    """A real worker takes the job, and is killed (SIGKILL) while it runs: the row stays
    "running". While its heartbeat is fresh the sweeper leaves it (the worker might be alive);
    once it is stale the sweeper hands it again and a new worker writes it, once."""
    need(bool(settings.REDIS_URL), "REDIS_URL is not set: no broker for a real worker")
    need(connection.vendor == "postgresql", "the worker must share the test database (PostgreSQL)")
    settings.MEDIA_ROOT = tmp_path
    queue = f"test-{uuid.uuid4().hex[:8]}"
    original = tasks.run_export_job.apply_async
    monkeypatch.setattr(tasks.run_export_job, "apply_async", lambda args, **options: None)
    job = _job(world.changning_officer)  # recorded (reading the person's scope), not handed yet
    monkeypatch.setattr(
        tasks.run_export_job, "apply_async", lambda args, **options: original(args, queue=queue, **options)
    )
    # Hold the worker in the middle of the job: the organisations' table is locked, so once the
    # job is claimed (and "running") its first read of them waits until the lock goes.
    blocker = psycopg2.connect(database_url_for_worker())
    blocker.cursor().execute("LOCK TABLE accounts_organization IN ACCESS EXCLUSIVE MODE")
    first = start_worker(queue, settings, tmp_path)
    second = None
    try:
        assert jobs.enqueue(job.pk)  # handed through Redis
        running = wait_for(lambda: ExportJob.objects.get(pk=job.pk).state == "running")
        assert running, ExportJob.objects.values("state", "error").get(pk=job.pk)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=20)
        blocker.rollback()  # the lock goes; the dead worker never reads the rows

        job.refresh_from_db()
        assert (job.state, job.attempts, job.file.name) == ("running", 1, "")
        assert jobs.sweep_export_jobs() == 0  # a fresh heartbeat: it may still be running
        later = timezone.now() + jobs.STALE_AFTER + timedelta(minutes=1)
        second = start_worker(queue, settings, tmp_path)
        assert jobs.sweep_export_jobs(now=later) == 1
        assert wait_for(lambda: ExportJob.objects.get(pk=job.pk).state in ("done", "failed"))
    finally:
        blocker.close()
        for worker in (first, second):
            if worker is not None and worker.poll() is None:
                worker.terminate()
                worker.wait(timeout=20)

    job.refresh_from_db()
    assert (job.state, job.attempts, job.error) == ("done", 2, "")
    assert sorted(_names(job)) == ["乙物业", "甲物业"]
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == [Path(job.file.path).name]


@pytest.mark.django_db(transaction=True)
def test_two_workers_given_the_same_job_at_once_run_it_once(world, monkeypatch):
    """Worker A holds the job's row while it claims it; worker B, given the same job (a second
    delivery, or the sweeper's), waits on the row lock and then finds it running: it does
    nothing. Without the lock B would read the job as queued and run it too."""
    need(connection.vendor == "postgresql", "row locks are PostgreSQL's (SQLite locks the whole file)")
    monkeypatch.setattr(tasks.run_export_job, "apply_async", lambda args, **options: None)
    job = _job(world.changning_officer)
    answers = {}

    def worker_b():
        try:
            answers["b"] = jobs.run_export_job(job.pk)
        finally:
            connections.close_all()

    second = threading.Thread(target=worker_b)
    with transaction.atomic():
        ExportJob.objects.select_for_update().get(pk=job.pk)  # A's claim has the row
        second.start()

        def b_waits_on_the_row():
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
                return cursor.fetchone()[0] > 0 or not second.is_alive()

        assert wait_for(b_waits_on_the_row, 60)
        assert second.is_alive(), answers  # B did not get past the lock
        now = timezone.now()
        ExportJob.objects.filter(pk=job.pk).update(
            state="running", run_token="worker-a", started_at=now, heartbeat_at=now, attempts=1
        )
    second.join(timeout=60)
    assert answers == {"b": "skipped"}
    job.refresh_from_db()
    assert (job.state, job.run_token, job.attempts) == ("running", "worker-a", 1)
