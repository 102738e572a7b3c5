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


def bench_superuser():
    user, created = User.objects.get_or_create(
        username="bench_admin", defaults={"name": "基准管理员", "is_superuser": True, "is_staff": True}
    )
    return user


def client_for(user):
    from django.test import Client  # noqa: PLC0415

    client = Client()
    client.force_login(user)
    return client


def getter(client, url, params=None):
    """A function fetching ``url`` (status 200 asserted), for the timers."""

    def get():
        response = client.get(url, params or {})
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
        return response

    return get


def query_count(function) -> int:
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415

    with CaptureQueriesContext(connection) as queries:
        function()
    return len(queries)


def paired(first, second, runs: int):
    """Interleaved A/B calls (A then B, then B then A, ...) after a warm-up of each: the medians
    of each side (ms) and the median of the per-pair ratios A/B, which a noisy shared machine
    disturbs much less than the ratio of two medians."""
    first()
    second()
    a_samples, b_samples = [], []
    for run in range(runs):
        order = ((first, a_samples), (second, b_samples))
        for function, samples in order if run % 2 == 0 else reversed(order):
            started = time.perf_counter()
            function()
            samples.append((time.perf_counter() - started) * 1000)
    ratios = [a / b for a, b in zip(a_samples, b_samples, strict=True)]
    return statistics.median(a_samples), statistics.median(b_samples), statistics.median(ratios)


def load_note() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} CPUs"
