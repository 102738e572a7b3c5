"""The sweeper and a real Celery worker fed through Redis: a job whose worker died, and a job
asked for while the broker was down, are both written once the sweeper hands them again."""

import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
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

    env = {
        **os.environ,
        "DATABASE_URL": database_url_for_worker(),
        "REDIS_URL": settings.REDIS_URL,
        "MEDIA_ROOT": str(tmp_path),
    }
    worker = subprocess.Popen(
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
            f"{queue}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=WARNING",
        ],
        cwd=Path(settings.BASE_DIR),
        env=env,
    )
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
