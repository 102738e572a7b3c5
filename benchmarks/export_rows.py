"""Export engine throughput and memory: writes N rows (default 100,000) through the spreadsheet
engine, twice at different sizes, and prints rows/s and peak memory. Peak memory should not grow
with the number of rows (write-only streaming).

    .venv/bin/python benchmarks/export_rows.py [ROWS]
"""

import datetime as dt
import os
import sys
import tempfile
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from reports.spreadsheets.writer import Column, SheetSpec, write_workbook  # noqa: E402

COLUMNS = [
    Column("序号", "n", width=8),
    Column("单位名称", "name", width=30),
    Column("服务对象", "resident", width=12),
    Column("服务项目", "item", width=16),
    Column("服务时长（分钟）", "minutes", number_format="0"),
    Column("收费（元）", "fee", number_format="#,##0.00"),
    Column("服务日期", "day", number_format="yyyy-mm-dd"),
    Column("备注", "note", width=30),
]


def rows(count):
    day = dt.date(2025, 4, 26)
    for n in range(1, count + 1):
        yield {
            "n": n,
            "name": f"上海虹馨物业服务有限公司第{n % 50}服务站",
            "resident": f"张**{n % 1000}",
            "item": ("助餐", "保洁", "助浴", "陪同就医", "寻访关爱")[n % 5],
            "minutes": 30 + n % 90,
            "fee": Decimal("45.00") + n % 20,
            "day": day + dt.timedelta(days=n % 150),
            "note": "按月套餐 260 元/人/月" if n % 7 == 0 else "",
        }


def export(path, count):
    return write_workbook(path, [(SheetSpec("服务记录", COLUMNS, title_rows=["服务记录明细"]), rows(count))])


def measure(count):
    """Time a plain run, then trace Python allocations in a second run (tracing slows it down
    several times, so it is not timed)."""
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as target:
        started = time.perf_counter()
        written = export(target.name, count)
        elapsed = time.perf_counter() - started
        size = Path(target.name).stat().st_size
        tracemalloc.start()
        export(target.name, count)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return written, elapsed, peak, size


def main():
    total = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    print(f"{'rows':>10} {'seconds':>8} {'rows/s':>10} {'peak MiB':>9} {'file MiB':>9}")
    for count in (total // 10, total):
        written, elapsed, peak, size = measure(count)
        rate = written / elapsed
        print(f"{written:>10,} {elapsed:>8.2f} {rate:>10,.0f} {peak / 2**20:>9.2f} {size / 2**20:>9.2f}")


if __name__ == "__main__":
    main()
