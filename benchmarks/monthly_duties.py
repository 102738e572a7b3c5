"""One monthly duties run (“三员”履职月报) over every seeded station and 120,000 staff members:
the number of queries and the seconds, before (the previous code, read from git) and after.

The report is set-based: the people are read as plain values (nothing decrypted), each count is
one GROUP BY restricted to the people by a subquery, the full-time staff are counted per station
and once in the total, so the number of queries does not grow with the people or the stations.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/wuye_bench
    .venv/bin/python manage.py seed_scale
    .venv/bin/python benchmarks/monthly_duties.py [--staff 120000] [--no-before] [--before-ref REF]

The first run adds staff members to the seeded operator until it has ``--staff`` of them (each
with a phone and an identity number encrypted as the portal stores them, roles of the three
kinds, most listed at one or two stations, some at none), one publicity event this month at
half of the stations with two officers, and spreads this month's service records over the
service officers. “before” is the same call on the module as it was at ``--before-ref``
(default: the commit before the set-based rewrite), loaded from git into memory.
"""

import argparse
import io
import subprocess
import sys
import time
import types
from pathlib import Path

import _setup
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Organization
from accounts.pii import encrypt
from regions.models import Region
from reports import duties
from staff.models import StaffMember
from stations.management.commands.seed_scale import OPERATOR
from stations.models import PublicityEvent, Station

ROOT = Path(__file__).resolve().parent.parent
BEFORE_REF = "8c3d500"  # the last commit with the per-person id lists and model instances
PREFIX = "基准人员"
ROLES = ('["service"]', '["publicity"]', '["information"]', '["service", "publicity"]')


def _seed_staff(target: int) -> None:
    operator_id, streets = _operator_and_streets()
    have = StaffMember.objects.filter(employer_id=operator_id).count()
    missing = target - have
    if missing <= 0:
        return
    started = time.perf_counter()
    # 500 distinct ciphertexts, cycled: each row is decrypted like a real one when read as a model
    phones = [encrypt(f"139{n:08d}") for n in range(500)]
    numbers = [encrypt(f"31010519800101{n:04d}") for n in range(500)]
    today, now = timezone.localdate().isoformat(), timezone.now().isoformat()
    buffer = io.StringIO()
    for n in range(have, have + missing):
        kind = "part_time" if n % 10 == 9 else "full_time"
        row = [
            f"{PREFIX}{n:06d}",
            phones[n % 500],
            "",
            numbers[n % 500],
            "",
            ROLES[n % len(ROLES)],
            kind,
            "active",
            today,
            now,
            str(operator_id),
            str(streets[n % len(streets)]),
        ]
        buffer.write("\t".join(row) + "\n")
    buffer.seek(0)
    station_ids = list(
        Station.objects.filter(operator_id=operator_id).order_by("id").values_list("id", flat=True)
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.copy_expert(
            "COPY staff_staffmember (name, phone, phone_hash, id_number, id_number_hash, roles, kind, "
            "status, joined_on, created_at, employer_id, region_id) FROM STDIN",
            buffer,
        )
        # person n: at station n mod S (two in three), also at station n+1 mod S (one in six),
        # at none (so at all the operator's stations) otherwise
        cursor.execute(
            """
            INSERT INTO staff_staffmember_stations (staffmember_id, station_id)
            SELECT m.id, s.ids[1 + mod(m.id + k, %(ns)s)]
            FROM staff_staffmember m, (SELECT %(sids)s::bigint[] AS ids) s, generate_series(0, 1) k
            WHERE m.employer_id = %(op)s AND m.name LIKE %(prefix)s AND m.id > %(after)s
              AND mod(m.id, 6) < 4 AND (k = 0 OR mod(m.id, 6) = 0)
            """,
            {
                "ns": len(station_ids),
                "sids": station_ids,
                "op": operator_id,
                "prefix": f"{PREFIX}%",
                "after": _max_id_before(operator_id, have),
            },
        )
    _seed_month(operator_id, station_ids)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"added {missing:,} staff members in {time.perf_counter() - started:.1f} s")


def _max_id_before(operator_id, have):
    ids = StaffMember.objects.filter(employer_id=operator_id).order_by("id").values_list("id", flat=True)
    return ids[have - 1] if have else 0


def _seed_month(operator_id, station_ids):
    """This month: one publicity event at every other station (two publicity officers each),
    and the month's service records spread over the service officers."""
    first = timezone.localdate().replace(day=1)
    if PublicityEvent.objects.filter(station__operator_id=operator_id, held_on__gte=first).exists():
        return
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO stations_publicityevent (station_id, held_on, form, topic, participants, photo,
                created_at)
            SELECT s.id, %(day)s, 'talk', '防诈骗讲座', 30, '', now()
            FROM stations_station s WHERE s.operator_id = %(op)s AND mod(s.id, 2) = 0
            """,
            {"day": first, "op": operator_id},
        )
        cursor.execute(
            """
            WITH officers AS (
                SELECT array_agg(id ORDER BY id) AS ids FROM staff_staffmember
                WHERE employer_id = %(op)s AND roles @> '["publicity"]'
            )
            INSERT INTO stations_publicityevent_officers (publicityevent_id, staffmember_id)
            SELECT DISTINCT e.id, o.ids[1 + mod(e.id * 2 + k, cardinality(o.ids))]
            FROM stations_publicityevent e, officers o, generate_series(0, 1) k
            WHERE e.held_on >= %(day)s
              AND e.station_id IN (SELECT id FROM stations_station WHERE operator_id = %(op)s)
            """,
            {"day": first, "op": operator_id},
        )
        cursor.execute(
            """
            WITH servers AS (
                SELECT array_agg(id ORDER BY id) AS ids FROM staff_staffmember
                WHERE employer_id = %(op)s AND roles @> '["service"]'
            )
            UPDATE stations_servicerecord r SET staff_id = s.ids[1 + mod(r.id, cardinality(s.ids))]
            FROM servers s WHERE r.started_at >= %(day)s
            """,
            {"day": first, "op": operator_id},
        )


def _operator_and_streets():
    operator = Organization.objects.get(name=OPERATOR)
    streets = list(Region.objects.filter(code__startswith="310105", level=4).values_list("id", flat=True))
    return operator.pk, streets


def _clear() -> None:
    """Remove what this script added (so ``seed_scale --clear`` can remove the rest)."""
    operator_id, _ = _operator_and_streets()
    added = "SELECT id FROM staff_staffmember WHERE employer_id = %(op)s AND name LIKE %(prefix)s"
    params = {"op": operator_id, "prefix": f"{PREFIX}%"}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE stations_servicerecord SET staff_id = (SELECT id FROM staff_staffmember WHERE employer_id"
            f" = %(op)s AND name NOT LIKE %(prefix)s ORDER BY id LIMIT 1) WHERE staff_id IN ({added})",
            params,
        )
        events = (
            "SELECT id FROM stations_publicityevent WHERE station_id IN (SELECT id FROM stations_station"
            " WHERE operator_id = %(op)s)"
        )
        cursor.execute(
            f"DELETE FROM stations_publicityevent_officers WHERE publicityevent_id IN ({events})", params
        )
        cursor.execute(f"DELETE FROM stations_publicityevent WHERE id IN ({events})", params)
        cursor.execute(f"DELETE FROM staff_staffmember_stations WHERE staffmember_id IN ({added})", params)
        cursor.execute(f"DELETE FROM staff_staffmember WHERE id IN ({added})", params)
    print("staff members, publicity events and assignments added by this script removed")


def _previous_module(ref: str):
    """reports/duties.py as it was at ``ref``, as a module of its own (nothing on disk changes)."""
    source = subprocess.run(
        ["git", "show", f"{ref}:reports/duties.py"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    module = types.ModuleType("duties_before")
    module.__file__ = f"{ref}:reports/duties.py"
    sys.modules[module.__name__] = module  # dataclasses look their module up
    exec(compile(source, module.__file__, "exec"), module.__dict__)
    return module


def _run(label, function):
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = function()
        seconds = time.perf_counter() - started
    print(f"{label:<34} {len(queries.captured_queries):>5} queries {seconds:8.2f} s  {result}")
    return seconds, len(queries.captured_queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, default=120_000)
    parser.add_argument("--no-before", action="store_true", help="skip the previous code (minutes at 120k)")
    parser.add_argument("--before-ref", default=BEFORE_REF)
    parser.add_argument("--month", default=timezone.localdate().strftime("%Y-%m"))
    parser.add_argument("--clear", action="store_true", help="remove what this script added, then stop")
    options = parser.parse_args()
    if options.clear:
        return _clear()

    _setup.require_seeded_postgres()
    officer = _setup.bench_officer()
    _seed_staff(options.staff)
    month = options.month

    # What the API (``staff/duties/``) and the page's export read: every active person and every
    # station (not closed) in the officer's scope.
    def staff():
        return StaffMember.objects.visible_to(officer).filter(status="active")

    def stations():
        return Station.objects.visible_to(officer).select_related("operator").exclude(status="closed")

    print(
        f"staff members in scope: {staff().count():,}  stations: {stations().count():,}  month: {month}"
        f"  (database {connection.settings_dict['NAME']})"
    )

    def after():
        people, rows = duties.monthly_duties(staff(), stations(), month)
        full = rows.total.full_time_staff
        return f"{len(people):,} people, {len(rows):,} stations, {full:,} full-time (once each)"

    def page():
        people, rows = duties.monthly_duties(staff(), stations()[:500], month, people_limit=500)
        return f"{len(people):,} people shown, {len(rows):,} stations"

    def export():
        people, rows = duties.monthly_duties(staff(), stations(), month)
        response = duties.duties_response(people, rows, month)
        size = sum(len(chunk) for chunk in response.streaming_content)
        return f"{size / 1e6:.1f} MB workbook"

    results = {}
    for label, function in (("after: full run (API, export)", after), ("after: page (500 people)", page)):
        _run(label, function)  # warm-up
        results[label] = _run(label, function)
    _run("after: full run + workbook", export)
    if not options.no_before:
        before = _previous_module(options.before_ref)

        def previous():
            people, rows = before.monthly_duties(staff(), stations(), month)
            full = sum(row.full_time_staff for row in rows)
            return f"{len(people):,} people, {len(rows):,} stations, {full:,} full-time (summed per station)"

        seconds, count = _run(f"before ({options.before_ref}): full run", previous)
        after_seconds = results["after: full run (API, export)"][0]
        print(f"speed-up of the full run: {seconds / after_seconds:.1f}×")


if __name__ == "__main__":
    sys.exit(main())
