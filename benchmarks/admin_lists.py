"""The admin change lists of service records and residents, as the platform administrator
(superuser) and as a district officer: median time and query count of the first page, and of
the records list filtered by rating.

    DATABASE_URL=postgres://… .venv/bin/python benchmarks/admin_lists.py [RUNS]
"""

import sys

from _lists import median_ms
from _setup import (
    bench_officer,
    bench_superuser,
    client_for,
    getter,
    load_note,
    query_count,
    require_seeded_postgres,
)

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 5
PAGES = {
    "records": ("/admin/stations/servicerecord/", {}),
    "records, rating=5": ("/admin/stations/servicerecord/", {"rating__exact": "5"}),
    "residents": ("/admin/stations/resident/", {}),
    "residents, search": ("/admin/stations/resident/", {"q": "老人0012"}),
}


def main():
    total = require_seeded_postgres()
    users = {"superuser": bench_superuser(), "district officer": bench_officer()}
    print(f"service records: {total:,}; runs: {RUNS}; {load_note()}")
    print(f"{'':24}" + "".join(f"{name:>22}" for name in users))
    print(f"{'':24}" + "".join(f"{'ms':>12}{'queries':>10}" for _ in users))
    clients = {name: client_for(user) for name, user in users.items()}
    for label, (url, params) in PAGES.items():
        cells = ""
        for name in users:
            get = getter(clients[name], url, params)
            cells += f"{median_ms(get, RUNS):>12.0f}{query_count(get):>10}"
        print(f"{label:24}{cells}")


if __name__ == "__main__":
    main()
