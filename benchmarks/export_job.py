"""A background export job (reports.jobs) of service records at two sizes: rows per second and
peak memory, each size in a fresh process, to show that memory stays flat as the rows grow.

    DATABASE_URL=postgres://… .venv/bin/python benchmarks/export_job.py [SMALL] [LARGE]

Defaults: 100,000 and 1,000,000 rows (seed with ``manage.py seed_scale`` first). Each size runs
the job the way a worker does (claim, scope check, count, stream, write, rename) in a child
process; the child reports the peak resident memory of the whole process (``ru_maxrss``) and,
with ``--tracemalloc``, the peak of Python's own allocations during the job (slower).
"""

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from _setup import bench_officer, require_seeded_postgres
from django.conf import settings

from reports import jobs
from reports.models import ExportJob
from stations.exports import SERVICE_RECORDS
from stations.models import ServiceRecord


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def one(rows: int, trace: bool) -> dict:
    """Run one job of ``rows`` service records in this process."""
    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="export-job-bench-")
    jobs.enqueue = lambda job_id: False  # recorded only: this process runs it, as the worker would
    user = bench_officer()
    queryset = ServiceRecord.objects.visible_to(user).order_by("-started_at", "-id")[:rows]
    job = jobs.submit_export(SERVICE_RECORDS, queryset, user=user, channel="portal", filters={"rows": rows})
    before = _rss_mib()
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    state = jobs.run_export_job(job.pk)
    seconds = time.perf_counter() - started
    traced = tracemalloc.get_traced_memory()[1] / 2**20 if trace else None
    job.refresh_from_db()
    size = Path(job.file.path).stat().st_size if job.file else 0
    if job.file:
        job.file.delete(save=False)
    ExportJob.objects.filter(pk=job.pk).delete()
    return {
        "rows": job.rows_written,
        "state": state,
        "error": job.error,
        "seconds": seconds,
        "rss_before_mib": before,
        "rss_peak_mib": _rss_mib(),
        "traced_peak_mib": traced,
        "file_mib": size / 2**20,
    }


def main():
    args = [arg for arg in sys.argv[1:] if not arg.startswith("--")]
    trace = "--tracemalloc" in sys.argv
    if "--one" in sys.argv:
        print(json.dumps(one(int(args[0]), trace)))
        return
    total = require_seeded_postgres()
    sizes = [int(arg) for arg in args] or [100_000, 1_000_000]
    print(f"service records in the database: {total:,}")
    print(
        f"{'rows':>10}{'seconds':>9}{'rows/s':>9}{'RSS before':>12}{'RSS peak':>10}"
        f"{'Python peak':>13}{'file MiB':>10}"
    )
    for size in sizes:
        command = [sys.executable, __file__, str(size), "--one", *(["--tracemalloc"] if trace else [])]
        output = subprocess.run(command, check=True, capture_output=True, text=True, env=os.environ).stdout
        result = json.loads(output.strip().splitlines()[-1])
        if result["state"] != "done":
            sys.exit(f"the job {result['state']}: {result['error']}")
        traced = f"{result['traced_peak_mib']:.1f}" if result["traced_peak_mib"] is not None else "-"
        print(
            f"{result['rows']:>10,}{result['seconds']:>9.1f}{result['rows'] / result['seconds']:>9,.0f}"
            f"{result['rss_before_mib']:>12.0f}{result['rss_peak_mib']:>10.0f}{traced:>13}"
            f"{result['file_mib']:>10.1f}"
        )
    print("(MiB; RSS: the whole worker process, Python peak: tracemalloc during the job)")


if __name__ == "__main__":
    main()
