"""The Excel export of service records (the engine, from the scoped queryset) against openpyxl
fed straight from a database cursor, for the same rows, in the same run.

    DATABASE_URL=postgres://… .venv/bin/python benchmarks/records_export.py [ROWS]
"""

import sys
import tempfile
import time

from _setup import bench_officer, require_seeded_postgres
from django.db import connection
from openpyxl import Workbook

from stations.exports import SERVICE_RECORDS
from stations.models import ServiceRecord

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000

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
    engine_seconds, engine_bytes = measure(engine, user)
    raw_seconds, raw_bytes = measure(raw_openpyxl)
    print(f"service records in the database: {total:,}; rows exported: {ROWS:,}")
    print(f"{'':32}{'seconds':>9}{'rows/s':>10}{'MiB':>7}")
    print(
        f"{'export engine (scoped queryset)':32}{engine_seconds:>9.2f}{ROWS / engine_seconds:>10,.0f}"
        f"{engine_bytes / 2**20:>7.1f}"
    )
    print(
        f"{'openpyxl from a raw cursor':32}{raw_seconds:>9.2f}{ROWS / raw_seconds:>10,.0f}"
        f"{raw_bytes / 2**20:>7.1f}"
    )
    print(f"ratio engine / baseline: {engine_seconds / raw_seconds:.2f}×")


if __name__ == "__main__":
    main()
