"""The OpenAPI schema request (``GET /api/v1/schema/``): generated on every request (before)
against served from the process's cache (after), interleaved, with the SQL queries of each.
Needs no seeded data (the schema does not read the database):

    .venv/bin/python benchmarks/openapi_schema.py [runs]
"""

import statistics
import sys
import time

import _setup  # noqa: F401 - sets Django up
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core import openapi


def request(client: Client, *, cached: bool):
    if not cached:
        openapi.clear_schema_cache()  # what every request cost before: a fresh generation
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get("/api/v1/schema/", HTTP_ACCEPT_LANGUAGE="zh-hans")
        elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, response.status_code
    return elapsed, len(queries), len(response.content)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    client = Client()
    request(client, cached=False)  # warm-up: imports, URL resolver, translations
    before, after, ratios = [], [], []
    for _ in range(runs):
        generated = request(client, cached=False)
        served = request(client, cached=True)
        before.append(generated)
        after.append(served)
        ratios.append(generated[0] / served[0])
    print(f"schema request, {runs} interleaved pairs, {before[0][2]:,} bytes")
    print(
        f"  before (generated per request): median {statistics.median(t for t, _q, _b in before):8.1f} ms, "
        f"{before[0][1]} queries"
    )
    print(
        f"  after (served from the cache):  median {statistics.median(t for t, _q, _b in after):8.1f} ms, "
        f"{after[0][1]} queries"
    )
    print(f"  median ratio before/after: {statistics.median(ratios):.0f}×")


if __name__ == "__main__":
    main()
