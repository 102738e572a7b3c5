"""Import a division list of a province's size (default 200,000 rows) and print the time, the
queries and the peak memory of the process. The rows are imported inside a transaction that is
rolled back at the end, so the database is left as it was.

    DATABASE_URL=postgres://… .venv/bin/python benchmarks/import_divisions.py [ROWS] [csv|xlsx]
"""

import io
import resource
import sys
import tempfile
import time

from _setup import require_seeded_postgres  # noqa: F401 - sets Django up
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook

from regions.imports import import_division_file

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
KIND = sys.argv[2] if len(sys.argv) > 2 else "xlsx"


def divisions(total: int):
    """Province 99: 10 cities, 10 counties each, 20 towns each, communities to reach ``total``
    rows; listed children first, as a list sorted by name would be."""
    per_town = max(1, (total - 2_111) // 2_000)
    rows = [("99", "基准省")]
    for city in range(1, 11):
        city_code = f"99{city:02d}"
        rows.append((city_code, f"第{city}市"))
        for county in range(1, 11):
            county_code = f"{city_code}{county:02d}"
            rows.append((county_code, f"第{county}区"))
            for town in range(1, 21):
                town_code = f"{county_code}{town:03d}"
                rows.append((town_code, f"第{town}街道"))
                rows.extend((f"{town_code}{c:03d}", f"第{c}社区居委会") for c in range(1, per_town + 1))
    rows.reverse()
    return rows[:total]


def as_file(rows):
    if KIND == "csv":
        return io.BytesIO(("区划代码,名称\n" + "\n".join(f"{c},{n}" for c, n in rows)).encode()), "d.csv"
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("区划")
    sheet.append(["区划代码", "名称"])
    for row in rows:
        sheet.append(row)
    target = tempfile.TemporaryFile()  # noqa: SIM115 - read by the import, closed at exit
    workbook.save(target)
    target.seek(0)
    return target, "d.xlsx"


def main():
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database (a scratch one: nothing is kept).")
    rows = divisions(ROWS)
    count = len(rows)
    fp, name = as_file(rows)
    del rows  # the file is what is imported
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        importer = import_division_file(fp, filename=name)
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    logged = len(queries.captured_queries)  # Django keeps at most 9,000
    print(f"rows: {count:,} ({KIND}); created or changed: {importer.changed:,}")
    print(f"seconds: {elapsed:.1f}; rows/s: {count / elapsed:,.0f}")
    print(f"queries: {logged:,}{'+' if logged >= 9000 else ''}")
    print(f"peak memory of the process: {peak:.0f} MiB (before the import: {before:.0f} MiB); rolled back")


if __name__ == "__main__":
    main()
