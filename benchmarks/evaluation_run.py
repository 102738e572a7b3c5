"""One monthly evaluation run over every seeded station: the number of queries and the seconds.

The run is set-based (each indicator grouped by station, the scorecards and findings written in
bulk), so the number of queries does not grow with the stations. Run against PostgreSQL seeded
with ``manage.py seed_scale`` (10,000 stations by default); the scheme of 长宁区 is made (or
reused) with every indicator of the catalogue, and the run is made twice: the first opens the
findings, the second (a re-run of the same month) updates the scorecards in place and keeps the
findings; the script checks that the re-run kept every scorecard's id.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/wuye_bench
    .venv/bin/python manage.py seed_scale && .venv/bin/python benchmarks/evaluation_run.py [YYYY-MM]
"""

import datetime as dt
import sys
import time

import _setup
from django.db import connection
from django.test.utils import CaptureQueriesContext

from regions.models import Region
from reports.evaluation import services
from reports.evaluation.services import stations_of
from reports.models import EvaluationScheme, Finding, Scorecard


def main(month: dt.date) -> None:
    _setup.require_seeded_postgres()
    officer = _setup.bench_officer()
    district = Region.objects.get(code="310105")
    scheme = EvaluationScheme.objects.filter(region=district).first() or services.save_scheme(
        None, by=officer, region=district, name="基准考核", indicators=services.default_indicators()
    )
    print(f"stations evaluated: {stations_of(scheme, month).count():,}  month: {month:%Y-%m}")
    ids = []
    for label in ("first run", "re-run"):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            run = services.run_evaluation(scheme, month, by=officer)
            seconds = time.perf_counter() - started
        print(
            f"{label:<10} {len(queries.captured_queries):>4} queries {seconds:7.2f} s  "
            f"{run.scorecards_count:,} scorecards, {run.findings_opened:,} findings opened, "
            f"{run.findings_closed:,} closed"
        )
        ids.append(set(Scorecard.objects.filter(run=run).values_list("pk", flat=True)))
    kept = len(ids[0] & ids[1])
    print(f"scorecard ids kept by the re-run: {kept:,} of {len(ids[1]):,}  ", end="")
    print(f"open findings: {Finding.objects.open().count():,}")


if __name__ == "__main__":
    given = sys.argv[1] if len(sys.argv) > 1 else None
    today = dt.date.today()
    # seed_scale opens its stations today: by default this month (so far) is evaluated
    main(dt.datetime.strptime(given, "%Y-%m").date() if given else today.replace(day=1))
