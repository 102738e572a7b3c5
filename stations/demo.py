"""Demo stations for `load_demo`: each demo pilot gets a station (``load_stations``) and, once its
five lists are published with their prices, residents, orders in every state, records, a
publicity event and survey responses (``load_activity``). Idempotent."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from stdnum.cn import ric

from accounts.models import User
from pilots.models import Pilot
from staff.models import StaffMember

from . import services
from .models import Floor, Resident, ServiceOrder, Station, Survey

# (name, birth date, living situation, basic-care categories, man?); identity numbers are
# fictional but valid (checksum computed), their 17th digit odd for a man and even for a woman.
PEOPLE = [
    ("李阿婆", "19380215", "alone", ["disabled"], False),
    ("王老伯", "19420710", "empty_nest", [], True),
    ("张阿姨", "19501103", "with_family", ["poor"], False),
    ("赵老师", "19360928", "alone", [], True),
]


def _id(region6: str, birth8: str, n: int) -> str:
    body = f"{region6}{birth8}{n:03d}"
    return body + ric.calc_check_digit(body + "0")


def load_stations() -> list[Station]:
    """The stations of the demo pilots, operating for three months. Their posted prices come
    from their published five lists (``checklists.demo``), before any order is taken."""
    admin = User.objects.get(username="company_admin")
    made = []
    for pilot in Pilot.objects.select_related("organization", "site_region").filter(
        organization__memberships__user=admin
    ):
        if Station.objects.filter(pilot=pilot).exists():
            continue
        station = services.save_station(
            None,
            by=admin,
            operator=pilot.organization,
            pilot=pilot,
            region=pilot.site_region,
            name=f"{pilot.site_region.name}物业为老服务站",
            address=pilot.site_address or pilot.site_region.name,
            phone="021-62000001",
            latitude=31.2201,
            longitude=121.4302,
            floor=Floor.GROUND,
            area=Decimal("120"),
            capacity=30,
            services=["meals", "cleaning", "bathing", "repair", "care_visit", "emergency", "day_care"],
            opening_hours=dict.fromkeys(("mon", "tue", "wed", "thu", "fri"), "08:30-17:30")
            | {"sat": "09:00-12:00"},
            hours_note="法定节假日休息，紧急求助 24 小时",
        )
        services.change_station_status(
            station, "operating", by=admin, on=timezone.localdate() - dt.timedelta(days=90)
        )
        made.append(station)
    return made


def load_activity(stations) -> int:
    """Residents, orders in every state, records, a publicity event and survey responses of the
    stations ``load_stations`` made (at the prices their published lists posted)."""
    staff = StaffMember.objects.get(user__username="company_staff")  # trained by staff.demo
    admin = User.objects.get(username="company_admin")
    for station in stations:
        pilot = station.pilot
        residents = []
        for n, (name, birth, living, care, man) in enumerate(PEOPLE, start=1):
            person = services.register_resident(
                by=admin,
                station=station,
                name=name,
                id_number=_id(pilot.site_region.code[:6], birth, 100 + 2 * n + man),
                phone=f"1380000{1000 + n}",
                community=pilot.site_region,
                living_situation=living,
                basic_care=care,
                emergency_contact="家属",
                emergency_phone="13900000000",
                consent_on=timezone.localdate(),
            ).resident
            residents.append(person)
        now = timezone.now()
        for day in range(1, 29, 3):
            start = now - dt.timedelta(days=day, hours=3)
            services.log_service(
                by=admin,
                resident=residents[day % 4],
                station=station,
                category=("meals", "care_visit", "cleaning")[day % 3],
                staff=staff,
                started_at=start,
                ended_at=start + dt.timedelta(minutes=40),
            )
        done = services.create_order(by=admin, resident=residents[0], station=station, category="bathing")
        # taken by phone in the morning, served two hours ago
        ServiceOrder.objects.filter(pk=done.pk).update(created_at=now - dt.timedelta(hours=3))
        done.refresh_from_db()
        services.transition_order(done, "assign", by=admin, staff=staff)
        services.transition_order(
            done,
            "complete",
            by=admin,
            started_at=now - dt.timedelta(hours=2),
            ended_at=now - dt.timedelta(hours=1),
            notes="上门助浴",
        )
        services.transition_order(
            services.create_order(
                by=admin, resident=residents[1], station=station, category="repair", note="水龙头漏水"
            ),
            "assign",
            by=admin,
            staff=staff,
        )
        services.create_order(
            by=admin, resident=residents[2], station=station, category="meals", channel="walk_in"
        )
        services.transition_order(
            services.create_order(by=admin, resident=residents[3], station=station, category="cleaning"),
            "cancel",
            by=admin,
            reason="家属已安排",
        )
        services.record_publicity(
            by=admin,
            station=station,
            held_on=timezone.localdate() - dt.timedelta(days=10),
            form="talk",
            topic="防范养老诈骗讲座",
            participants=35,
            officers=StaffMember.objects.publicity_officers(station),
        )
        this_month = timezone.localdate().replace(day=1)
        for month, amount in (
            ((this_month - dt.timedelta(days=1)).replace(day=1), "1800.00"),
            (this_month, "950.00"),
        ):
            services.record_expenditure(
                by=admin, station=station, month=month, amount=Decimal(amount), note="助餐食材、保洁耗材"
            )
        survey, _created = Survey.objects.get_or_create(
            title="物业+养老服务满意度调查（演示）",
            region=pilot.site_region.parent or pilot.site_region,
            defaults={
                "period_start": timezone.localdate() - dt.timedelta(days=30),
                "period_end": timezone.localdate() + dt.timedelta(days=30),
                "questions": ["服务态度", "服务及时", "服务质量", "收费合理"],
            },
        )
        for scores in ([5, 5, 4, 5], [4, 4, 4, 3], [5, 4, 5, 5]):
            services.add_survey_response(
                by=admin, survey=survey, station=station, scores=scores, resident=residents[0], comment=""
            )
    return Resident.objects.count()
