"""Fill the database with a realistic load for benchmarks:

    manage.py seed_scale --stations 10000 --residents 200000 --records 2000000 \
        --orders 500000 --staff 120000

Everything seeded belongs to one organisation, 「规模测试物业（基准）」, so ``--clear`` removes it
again. On PostgreSQL the bulk goes through COPY and INSERT … SELECT generate_series (about a
minute for the default sizes); on SQLite it falls back to bulk_create (use small numbers).
"""

import io
import random
import time
from datetime import date, timedelta

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone
from stdnum.cn import ric, uscc

from accounts.audit import audit_context
from accounts.models import Membership, Organization, Role, User
from accounts.pii import blind_index, encrypt, mask_id_number, mask_phone, seal_mask
from regions.models import Region
from staff.models import StaffMember, StaffRole
from stations.models import (
    Resident,
    ResidentStation,
    ServiceCategory,
    ServiceOrder,
    ServiceRecord,
    Station,
    StationStatus,
)

OPERATOR = "规模测试物业（基准）"
CATEGORIES = [c for c in ServiceCategory.values if c != ServiceCategory.DAY_CARE]


class Command(BaseCommand):
    help = "Seed stations, residents and service records at scale (for benchmarks)."

    def add_arguments(self, parser):
        parser.add_argument("--stations", type=int, default=10_000)
        parser.add_argument("--residents", type=int, default=200_000)
        parser.add_argument("--records", type=int, default=2_000_000)
        parser.add_argument("--orders", type=int, default=500_000)
        parser.add_argument(
            "--staff", type=int, default=120_000, help="staff members besides the one serving"
        )
        parser.add_argument(
            "--clear", action="store_true", help="remove what an earlier run seeded, then stop"
        )

    def handle(self, *args, stations, residents, records, orders, staff, clear, **options):
        with audit_context(channel="system"):
            self._clear()
            if clear:
                self.stdout.write("seeded data removed")
                return
            started = time.perf_counter()
            operator, server, streets = self._setup()
            station_ids = self._stations(operator, streets, stations)
            self._step("stations", stations, started)
            resident_ids = self._residents(streets, station_ids, residents)
            self._step("residents", residents, started)
            self._records(station_ids, resident_ids, server, records)
            self._step("service records", records, started)
            self._orders(station_ids, resident_ids, server, orders)
            self._step("service orders", orders, started)
            self._staff(operator, streets, staff)
            self._step("staff members", staff, started)
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    # Fresh statistics for every table the scoped queries join (regions too).
                    cursor.execute("ANALYZE")

    def _step(self, what, count, started):
        self.stdout.write(f"{count:>10,} {what:<16} {time.perf_counter() - started:7.1f} s")

    def _clear(self):
        operator = Organization.objects.filter(name=OPERATOR).first()
        if operator is None:
            return
        with connection.cursor() as cursor:
            station_ids = list(Station.objects.filter(operator=operator).values_list("id", flat=True))
            if station_ids:
                cursor.execute(
                    "DELETE FROM stations_servicerecord WHERE station_id IN (SELECT id FROM stations_station"
                    " WHERE operator_id = %s)",
                    [operator.pk],
                )
                cursor.execute(
                    "DELETE FROM stations_serviceorder WHERE station_id IN (SELECT id FROM stations_station"
                    " WHERE operator_id = %s)",
                    [operator.pk],
                )
                resident_ids = (
                    "SELECT resident_id FROM stations_residentstation rs JOIN stations_station s ON "
                    "s.id = rs.station_id WHERE s.operator_id = %s"
                )
                cursor.execute(f"CREATE TEMP TABLE seeded_residents AS {resident_ids}", [operator.pk])
                cursor.execute(
                    "DELETE FROM stations_residentstation WHERE station_id IN (SELECT id FROM "
                    "stations_station WHERE operator_id = %s)",
                    [operator.pk],
                )
                cursor.execute(
                    "DELETE FROM stations_resident WHERE id IN (SELECT resident_id FROM seeded_residents)"
                )
                cursor.execute("DROP TABLE seeded_residents")
                cursor.execute("DELETE FROM stations_station WHERE operator_id = %s", [operator.pk])
            # the bulk of the staff has no login, no station and no training: one statement
            cursor.execute(
                "DELETE FROM staff_staffmember WHERE employer_id = %s AND user_id IS NULL AND NOT EXISTS "
                "(SELECT 1 FROM staff_staffmember_stations l WHERE l.staffmember_id = staff_staffmember.id)",
                [operator.pk],
            )
        StaffMember.objects.filter(employer=operator).delete()
        Membership.objects.filter(organization=operator).delete()
        User.objects.filter(username="scale_staff").delete()
        operator.delete()

    def _setup(self):
        streets = list(Region.objects.filter(code__startswith="310105", level=4))
        if not streets:
            call_command("import_regions", stdout=io.StringIO())
            streets = list(Region.objects.filter(code__startswith="310105", level=4))
        body = "91310105MA1TC0000"
        operator = Organization.objects.create(
            kind="property_company",
            name=OPERATOR,
            region=streets[0],
            credit_code=body + uscc.calc_check_digit(body),
            has_property_licence=True,
        )
        login = User.objects.create(username="scale_staff", name="基准服务员")
        Membership.objects.create(user=login, organization=operator, role=Role.STAFF)
        # records name the staff member who serves (not the login account)
        staff = StaffMember.objects.create(
            name="基准服务员", employer=operator, region=streets[0], roles=[StaffRole.SERVICE], user=login
        )
        return operator, staff, streets

    def _stations(self, operator, streets, count):
        rng = random.Random(7)
        today = timezone.localdate()
        batch = [
            Station(
                operator=operator,
                region=streets[n % len(streets)],
                name=f"基准站点{n:05d}",
                address=f"长宁区测试路 {n} 号",
                latitude=round(31.19 + rng.random() * 0.06, 6),
                longitude=round(121.37 + rng.random() * 0.08, 6),
                services=["meals", "cleaning", "care_visit"],
                status=StationStatus.OPERATING,
                status_changed_on=today,
                opened_on=today,
                opening_hours={"mon": "08:30-17:30"},
            )
            for n in range(count)
        ]
        Station.objects.bulk_create(batch, batch_size=5000)
        return list(Station.objects.filter(operator=operator).order_by("id").values_list("id", flat=True))

    def _residents(self, streets, station_ids, count):
        rng = random.Random(11)
        rows = []
        first_birthday = date(1930, 1, 1)
        for n in range(count):
            # (birth date, sequence) is unique per n: a thousand people per birth date.
            birth = (first_birthday + timedelta(days=(n // 1000) * 50 % 12_000)).strftime("%Y%m%d")
            body = f"310105{birth}{n % 1000:03d}"
            number = body + ric.calc_check_digit(body + "0")
            phone = f"139{n:08d}"
            rows.append(
                (
                    f"老人{n:06d}",
                    number,
                    phone,
                    birth,
                    streets[n % len(streets)].pk,
                    rng.choice(["alone", "empty_nest", "with_family"]),
                )
            )
        now = timezone.now()
        if connection.vendor == "postgresql":
            self._copy_residents(rows, now)
        else:
            Resident.objects.bulk_create(
                [
                    Resident(
                        name=name,
                        id_number=number,
                        id_number_hash=blind_index(number),
                        birth_date=f"{birth[:4]}-{birth[4:6]}-{birth[6:]}",
                        sex="M" if int(number[16]) % 2 else "F",
                        phone=phone,
                        phone_hash=blind_index(phone),
                        community_id=community,
                        living_situation=living,
                    )
                    for i, (name, number, phone, birth, community, living) in enumerate(rows)
                ],
                batch_size=2000,
            )
        ids = list(
            Resident.objects.filter(name__startswith="老人").order_by("id").values_list("id", flat=True)
        )[-count:]
        links = [
            ResidentStation(resident_id=rid, station_id=station_ids[i % len(station_ids)])
            for i, rid in enumerate(ids)
        ]
        ResidentStation.objects.bulk_create(links, batch_size=10_000)
        return ids

    def _copy_residents(self, rows, now):
        buffer = io.StringIO()
        for name, number, phone, birth, community, living in rows:
            sex = "M" if int(number[16]) % 2 else "F"
            fields = [
                name,
                encrypt(number),
                blind_index(number),
                seal_mask(mask_id_number(number)),
                f"{birth[:4]}-{birth[4:6]}-{birth[6:]}",
                sex,
                encrypt(phone),
                blind_index(phone),
                seal_mask(mask_phone(phone)),
                "",
                str(community),
                living,
                "[]",
                "",
                "",
                "7",
                now.isoformat(),
                "",  # no signed consent form uploaded
            ]
            buffer.write("\t".join(fields) + "\n")
        buffer.seek(0)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.copy_expert(
                "COPY stations_resident (name, id_number, id_number_hash, id_number_masked, birth_date, sex, "
                "phone, phone_hash, phone_masked, address, community_id, living_situation, basic_care, "
                "emergency_contact, emergency_phone, care_visit_interval_days, created_at, consent_form) "
                "FROM STDIN",
                buffer,
            )

    def _records(self, station_ids, resident_ids, staff, count):
        if connection.vendor == "postgresql":
            # Resident i is served by station i mod S; record g belongs to resident g mod R.
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    """
                    INSERT INTO stations_servicerecord (resident_id, station_id, category, staff_id,
                        started_at, ended_at, duration_minutes, unit_price, quantity, fee, fee_unit,
                        is_emergency, notes, created_at)
                    SELECT r.ids[1 + mod(g, %(nr)s)],
                           s.ids[1 + mod(mod(g, %(nr)s), %(ns)s)],
                           (%(cats)s)[1 + mod(g, %(nc)s)], %(staff)s,
                           now() - mod(g, 525600) * interval '1 minute',
                           now() - mod(g, 525600) * interval '1 minute' + interval '30 minutes', 30,
                           mod(g, 60)::numeric, 1, mod(g, 60)::numeric, 'time', mod(g, 97) = 0, '', now()
                    FROM generate_series(0, %(n)s - 1) AS g,
                         (SELECT %(rids)s::bigint[] AS ids) r, (SELECT %(sids)s::bigint[] AS ids) s
                    """,
                    {
                        "nr": len(resident_ids),
                        "ns": len(station_ids),
                        "cats": CATEGORIES,
                        "nc": len(CATEGORIES),
                        "staff": staff.pk,
                        "n": count,
                        "rids": resident_ids,
                        "sids": station_ids,
                    },
                )
            return
        now = timezone.now()
        batch = []
        for g in range(count):
            start = now - timedelta(minutes=g % 525_600)
            rid = resident_ids[g % len(resident_ids)]
            batch.append(
                ServiceRecord(
                    resident_id=rid,
                    station_id=station_ids[(g % len(resident_ids)) % len(station_ids)],
                    category=CATEGORIES[g % len(CATEGORIES)],
                    staff=staff,
                    started_at=start,
                    ended_at=start + timedelta(minutes=30),
                    duration_minutes=30,
                    unit_price=g % 60,
                    quantity=1,
                    fee=g % 60,
                    fee_unit="time",
                    is_emergency=g % 97 == 0,
                )
            )
            if len(batch) == 5000:
                ServiceRecord.objects.bulk_create(batch)
                batch = []
        ServiceRecord.objects.bulk_create(batch)

    def _orders(self, station_ids, resident_ids, server, count):
        """Orders of the last year, most completed, some assigned or open (resident g mod R, her
        station as for the records)."""
        if not count:
            return
        statuses = ["completed"] * 7 + ["assigned", "requested", "cancelled"]
        if connection.vendor == "postgresql":
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    """
                    INSERT INTO stations_serviceorder (resident_id, station_id, category, channel,
                        requested_at, is_emergency, note, status, assigned_to_id, assigned_at,
                        cancel_reason, price_content, unit_price, price_unit, created_at)
                    SELECT r.ids[1 + mod(g, %(nr)s)],
                           s.ids[1 + mod(mod(g, %(nr)s), %(ns)s)],
                           (%(cats)s)[1 + mod(g, %(nc)s)], 'phone',
                           now() - mod(g, 525600) * interval '1 minute', mod(g, 97) = 0, '',
                           (%(statuses)s)[1 + mod(g, 10)],
                           CASE WHEN mod(g, 10) = 8 THEN NULL ELSE %(staff)s END,
                           CASE WHEN mod(g, 10) = 8 THEN NULL
                                ELSE now() - mod(g, 525600) * interval '1 minute' END,
                           '', '', mod(g, 60)::numeric, 'time',
                           now() - mod(g, 525600) * interval '1 minute'
                    FROM generate_series(0, %(n)s - 1) AS g,
                         (SELECT %(rids)s::bigint[] AS ids) r, (SELECT %(sids)s::bigint[] AS ids) s
                    """,
                    {
                        "nr": len(resident_ids),
                        "ns": len(station_ids),
                        "cats": CATEGORIES,
                        "nc": len(CATEGORIES),
                        "statuses": statuses,
                        "staff": server.pk,
                        "n": count,
                        "rids": resident_ids,
                        "sids": station_ids,
                    },
                )
            return
        now = timezone.now()
        ServiceOrder.objects.bulk_create(
            [
                ServiceOrder(
                    resident_id=resident_ids[g % len(resident_ids)],
                    station_id=station_ids[(g % len(resident_ids)) % len(station_ids)],
                    category=CATEGORIES[g % len(CATEGORIES)],
                    requested_at=now - timedelta(minutes=g % 525_600),
                    is_emergency=g % 97 == 0,
                    status=statuses[g % 10],
                    assigned_to=None if g % 10 == 8 else server,
                    unit_price=g % 60,
                    price_unit="time",
                    created_at=now - timedelta(minutes=g % 525_600),
                )
                for g in range(count)
            ],
            batch_size=5000,
        )

    def _staff(self, operator, streets, count):
        """Service officers of the operator in every street, with (encrypted) phones and identity
        numbers, as the staff list and the monthly duties meet them."""
        if not count:
            return
        today = timezone.localdate()
        people = []
        for n in range(count):
            body = f"310105{1960 + n % 40}{1 + n % 12:02d}{1 + n % 28:02d}{n % 1000:03d}"
            people.append(
                (
                    f"员工{n:06d}",
                    f"137{n:08d}",
                    body + ric.calc_check_digit(body + "0"),
                    streets[n % len(streets)].pk,
                )
            )
        if connection.vendor == "postgresql":
            now = timezone.now().isoformat()
            buffer = io.StringIO()
            for name, phone, number, region in people:
                fields = [
                    name,
                    encrypt(phone),
                    blind_index(phone),
                    seal_mask(mask_phone(phone)),
                    encrypt(number),
                    blind_index(number),
                    seal_mask(mask_id_number(number)),
                    str(operator.pk),
                    str(region),
                    '["service"]',
                    "full_time",
                    "active",
                    today.isoformat(),
                    now,
                ]
                buffer.write("\t".join(fields) + "\n")
            buffer.seek(0)
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.copy_expert(
                    "COPY staff_staffmember (name, phone, phone_hash, phone_masked, id_number, "
                    "id_number_hash, id_number_masked, employer_id, region_id, roles, kind, status, "
                    "joined_on, created_at) FROM STDIN",
                    buffer,
                )
            return
        StaffMember.objects.bulk_create(
            [
                StaffMember(
                    name=name,
                    phone=phone,
                    phone_hash=blind_index(phone),
                    id_number=number,
                    id_number_hash=blind_index(number),
                    employer=operator,
                    region_id=region,
                    roles=[StaffRole.SERVICE],
                )
                for name, phone, number, region in people
            ],
            batch_size=2000,
        )
