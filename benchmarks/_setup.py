"""Shared set-up for the benchmarks: Django on the configured database (PostgreSQL seeded with
``manage.py seed_scale``), an in-process client and the officer whose scope is measured."""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

from accounts.models import Membership, Organization, User  # noqa: E402
from regions.models import Region  # noqa: E402
from stations.models import ServiceRecord  # noqa: E402

settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
settings.SECURE_SSL_REDIRECT = False


def require_seeded_postgres():
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database seeded with `manage.py seed_scale`.")
    count = ServiceRecord.objects.count()
    if count < 100_000:
        sys.exit(f"Only {count:,} service records: run `manage.py seed_scale` first.")
    return count


def bench_officer():
    """An officer of 长宁区民政局: the region scope (310105…) covers every seeded station."""
    bureau, _ = Organization.objects.get_or_create(
        name="长宁区民政局", defaults={"kind": "civil_affairs", "region": Region.objects.get(code="310105")}
    )
    user, _ = User.objects.get_or_create(username="bench_officer", defaults={"name": "基准经办人"})
    Membership.objects.get_or_create(user=user, organization=bureau, defaults={"role": "officer"})
    return user


def timed(function, runs: int):
    """Median and best wall time (ms) of ``runs`` calls, after one warm-up call."""
    function()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), min(samples)
