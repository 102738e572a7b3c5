"""Celery wiring: a real worker, fed through Redis, runs the platform's tasks against the
database; the beat schedule is in the database where the admin edits it."""

import os
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from accounts import services
from accounts.tasks import clear_expired_sessions
from tests.conftest import need


def make_sessions(expired: int, live: int):
    for n in range(expired + live):
        store = SessionStore()
        store["n"] = n
        store.create()
        if n < expired:
            Session.objects.filter(session_key=store.session_key).update(
                expire_date=timezone.now() - timedelta(minutes=1)
            )


@pytest.mark.django_db
def test_clear_expired_sessions_keeps_live_ones():
    make_sessions(expired=3, live=2)
    assert services.clear_expired_sessions() == 3
    assert Session.objects.count() == 2


@pytest.mark.django_db
def test_housekeeping_schedule_is_in_the_database():
    task = PeriodicTask.objects.get(task="accounts.clear_expired_sessions")
    assert task.enabled and task.crontab.hour == "3"


def database_url_for_worker() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_task_through_redis():
    need(bool(settings.REDIS_URL), "REDIS_URL is not set: no broker for a real worker")
    need(connection.vendor == "postgresql", "the worker must share the test database (PostgreSQL)")
    make_sessions(expired=4, live=1)
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "DATABASE_URL": database_url_for_worker(), "REDIS_URL": settings.REDIS_URL}
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
        result = clear_expired_sessions.apply_async(queue=queue)
        assert result.get(timeout=60) == 4
        assert Session.objects.count() == 1
    finally:
        worker.terminate()
        worker.wait(timeout=20)
