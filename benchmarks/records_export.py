"""The Excel export of service records (the engine, from the scoped queryset) against openpyxl
fed straight from a database cursor, for the same rows, in interleaved pairs (the machine is
shared and noisy: the median of the per-pair ratios holds where absolute times do not).

    DATABASE_URL=postgres://… .venv/bin/python benchmarks/records_export.py [ROWS] [PAIRS]
"""

import statistics
import sys
import tempfile
import time
import tracemalloc

from _setup import bench_officer, require_seeded_postgres
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook

from stations.exports import SERVICE_RECORDS
from stations.models import ServiceRecord

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
PAIRS = int(sys.argv[2]) if len(sys.argv) > 2 else 3

SQL = """
SELECT r.id, s.name, p.name, r.category, r.started_at, r.duration_minutes, r.unit_price, r.fee_unit,
       r.quantity, r.fee, m.name,
       r.is_emergency, r.response_minutes, r.rating, r.notes
FROM stations_servicerecord r
JOIN stations_station s ON s.id = r.station_id
JOIN stations_resident p ON p.id = r.resident_id
LEFT JOIN staff_staffmember m ON m.id = r.staff_id
ORDER BY r.started_at DESC, r.id DESC
LIMIT %s
"""


def engine(user):
    queryset = ServiceRecord.objects.visible_to(user).order_by("-started_at", "-id")[:ROWS]
    response = SERVICE_RECORDS.response(queryset)
    return sum(len(chunk) for chunk in response.streaming_content)


def raw_openpyxl():
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("服务记录")
    sheet.append([column.header for column in SERVICE_RECORDS.columns])
    with connection.cursor() as cursor:
        cursor.execute(SQL, [ROWS])
        while True:
            rows = cursor.fetchmany(5000)
            if not rows:
                break
            for row in rows:
                sheet.append([*row[:4], row[4].replace(tzinfo=None), *row[5:]])
    with tempfile.TemporaryFile() as target:
        workbook.save(target)
        return target.tell()


def measure(function, *args):
    started = time.perf_counter()
    size = function(*args)
    return time.perf_counter() - started, size


def main():
    total = require_seeded_postgres()
    user = bench_officer()
    with CaptureQueriesContext(connection) as queries:
        engine(user)
    tracemalloc.start()
    engine(user)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"service records in the database: {total:,}; rows exported: {ROWS:,}; pairs: {PAIRS}")
    print(f"engine: {len(queries.captured_queries)} queries, peak Python memory {peak / 2**20:.1f} MiB")
    print(f"{'pair':>4} {'engine s':>9} {'rows/s':>9} {'baseline s':>11} {'rows/s':>9} {'speed ratio':>12}")
    ratios = []
    for pair in range(1, PAIRS + 1):
        engine_seconds, engine_bytes = measure(engine, user)
        raw_seconds, raw_bytes = measure(raw_openpyxl)
        ratios.append(raw_seconds / engine_seconds)
        print(
            f"{pair:>4} {engine_seconds:>9.2f} {ROWS / engine_seconds:>9,.0f} {raw_seconds:>11.2f}"
            f" {ROWS / raw_seconds:>9,.0f} {ratios[-1]:>11.2f}×"
        )
    print(f"files: engine {engine_bytes / 2**20:.1f} MiB, baseline {raw_bytes / 2**20:.1f} MiB")
    print(f"engine rows/s ÷ bare openpyxl rows/s (median of pairs): {statistics.median(ratios):.2f}×")


if __name__ == "__main__":
    main()
