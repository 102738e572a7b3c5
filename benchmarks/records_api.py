"""The API list of service records (filters, 100 per page, cursor pagination, scoped to a
district officer, session-authenticated as a browser would be) against a raw SQL + JSON baseline
for the same page, in the same run: interleaved A/B pairs, the median of the per-pair ratios,
and the API's query count.

    DATABASE_URL=postgres://… .venv/bin/python benchmarks/records_api.py [RUNS]
"""

import json
import sys

from _setup import bench_officer, client_for, getter, load_note, paired, query_count, require_seeded_postgres
from django.db import connection

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 60
PARAMS = {"category": "meals", "started_after": "2000-01-01", "page_size": 100}

BASELINE_SQL = """
SELECT r.id, r.order_id, r.resident_id, r.station_id, r.category, r.staff_id, m.name, r.started_at,
       r.ended_at, r.duration_minutes, r.unit_price, r.quantity, r.fee, r.fee_unit, r.fee_unit,
       r.is_emergency, r.response_minutes, r.notes,
       r.rating
FROM stations_servicerecord r
JOIN stations_station s ON s.id = r.station_id
JOIN regions_region g ON g.id = s.region_id
LEFT JOIN staff_staffmember m ON m.id = r.staff_id
WHERE g.code LIKE '310105%%' AND r.category = 'meals' AND r.started_at >= '2000-01-01'
ORDER BY r.started_at DESC, r.id DESC
LIMIT 101
"""
COLUMNS = [
    "id",
    "order",
    "resident",
    "station",
    "category",
    "staff",
    "staff_name",
    "started_at",
    "ended_at",
    "duration_minutes",
    "unit_price",
    "quantity",
    "fee",
    "fee_unit",
    "fee_unit_display",
    "is_emergency",
    "response_minutes",
    "notes",
    "rating",
]


def baseline():
    with connection.cursor() as cursor:
        cursor.execute(BASELINE_SQL)
        rows = cursor.fetchall()[:100]
    return json.dumps({"results": [dict(zip(COLUMNS, row, strict=True)) for row in rows]}, default=str)


def main():
    total = require_seeded_postgres()
    api = getter(client_for(bench_officer()), "/api/v1/service-records/", PARAMS)
    assert len(api().json()["results"]) == 100
    assert len(json.loads(baseline())["results"]) == 100
    api_median, raw_median, ratio = paired(api, baseline, RUNS)
    queries = query_count(api)
    print(f"service records in the database: {total:,}; page: {PARAMS}; pairs: {RUNS}; {load_note()}")
    print(f"{'':24}{'median ms':>10}{'queries':>9}")
    print(f"{'API (DRF, scoped)':24}{api_median:>10.1f}{queries:>9}")
    print(f"{'raw SQL + json.dumps':24}{raw_median:>10.1f}{1:>9}")
    print(f"ratio API / baseline (median of per-pair ratios): {ratio:.2f}×")


if __name__ == "__main__":
    main()
