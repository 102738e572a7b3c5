"""Page 1 and page 1000 of a long API list, whatever its pagination: a page number where the
list counts (``count`` in the answer), else the cursor the list would have handed out at that
depth (ordered by ``-id``)."""

import base64
import statistics
import sys
import time
from urllib.parse import urlencode

from _setup import bench_officer, client_for, getter, load_note, query_count, require_seeded_postgres

PAGE_SIZE = 20
DEEP_PAGE = 1000


def median_ms(function, runs):
    function()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def cursor_at(queryset, page: int) -> str:
    """The cursor of ``page`` (1-based) of ``queryset`` ordered by ``-id``: the position is the
    id of the last row of the page before."""
    position = queryset.order_by("-id").values_list("id", flat=True)[(page - 1) * PAGE_SIZE - 1]
    return base64.b64encode(urlencode({"p": str(position)}).encode()).decode()


def run(title, url, model, runs=None):
    runs = runs or (int(sys.argv[1]) if len(sys.argv) > 1 else 15)
    require_seeded_postgres()
    officer = bench_officer()
    client = client_for(officer)
    first = getter(client, url, {"page_size": PAGE_SIZE})
    answer = first().json()
    if "count" in answer:
        mode = f"page numbers ({answer['count']:,} counted)"
        deep = getter(client, url, {"page_size": PAGE_SIZE, "page": DEEP_PAGE})
    else:
        mode = "cursor"
        deep = getter(
            client,
            url,
            {"page_size": PAGE_SIZE, "cursor": cursor_at(model.objects.visible_to(officer), DEEP_PAGE)},
        )
    assert len(first().json()["results"]) == PAGE_SIZE
    assert len(deep().json()["results"]) == PAGE_SIZE
    print(
        f"{title}: {model.objects.count():,} rows; {mode}; {PAGE_SIZE} per page; runs: {runs}; {load_note()}"
    )
    print(f"{'district officer':24}{'median ms':>10}{'queries':>9}")
    for label, function in (("page 1", first), (f"page {DEEP_PAGE}", deep)):
        print(f"{label:24}{median_ms(function, runs):>10.1f}{query_count(function):>9}")
