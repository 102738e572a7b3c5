"""Date filters of the service-record API list (100 per page, district officer): ``started_before``
alone, and with ``started_after`` and ``category`` (three filters). A date filter is a whole local
day: it must reach the ``started_at`` index, not cast every row to a date.

    DATABASE_URL=postgres://… .venv/bin/python benchmarks/records_filters.py [RUNS]
"""

import datetime as dt
import sys

from _lists import median_ms
from _setup import bench_officer, client_for, getter, load_note, query_count, require_seeded_postgres

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 15


def main():
    total = require_seeded_postgres()
    client = client_for(bench_officer())
    today = dt.date.today()
    cases = {
        "started_before": {"started_before": str(today - dt.timedelta(days=30))},
        "three filters": {
            "started_after": str(today - dt.timedelta(days=200)),
            "started_before": str(today - dt.timedelta(days=30)),
            "category": "cleaning",
        },
    }
    print(f"service records: {total:,}; 100 per page; runs: {RUNS}; {load_note()}")
    print(f"{'district officer':24}{'median ms':>10}{'queries':>9}")
    for label, params in cases.items():
        get = getter(client, "/api/v1/service-records/", {**params, "page_size": 100})
        assert len(get().json()["results"]) == 100
        print(f"{label:24}{median_ms(get, RUNS):>10.1f}{query_count(get):>9}   {params}")


if __name__ == "__main__":
    main()
