"""Demo staff for ``load_demo``: every demo company gets people in all three roles and two
volunteers, and the district bureaus run a pre-job and a special session with scores.

``load_people`` runs before the stations demo (its service officer must be trained before
orders are assigned); ``load_after_stations`` adds what needs a station."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from accounts.models import Membership, Organization, OrganizationKind, Role, User

from . import services
from .models import StaffMember, StationResource, TrainingSession, TrainingTarget

# (name, phone, roles, kind, theory, practical) — the last fails the practical assessment
PEOPLE = [
    ("周宣", "13700001001", ["publicity"], "full_time", 88, 90),
    ("吴信", "13700001002", ["information", "publicity"], "full_time", 92, 86),
    ("郑服", "13700001003", ["service"], "full_time", 81, 78),
    ("冯护", "13700001004", ["service"], "part_time", 75, 52),
]
VOLUNTEERS = [("王阿姨", "13700002001"), ("李大伯", "13700002002")]


def _bureau_of(company: Organization) -> Organization | None:
    """The civil-affairs bureau over the company's street (district, or city without districts)."""
    code = company.region.code
    for length in (6, 4):
        bureau = Organization.objects.filter(
            kind=OrganizationKind.CIVIL_AFFAIRS, region__code=code[:length]
        ).first()
        if bureau is not None:
            return bureau
    return None


def _officer_of(bureau: Organization) -> User:
    membership = (
        Membership.objects.filter(organization=bureau, role=Role.OFFICER, is_active=True)
        .select_related("user")
        .first()
    )
    return membership.user if membership else User.objects.get(username="admin")


def _phone(base: str, company_index: int) -> str:
    return base[:-4] + f"{company_index}{base[-3:]}"


def load_people() -> int:
    today = timezone.localdate()
    companies = list(
        Organization.objects.filter(kind=OrganizationKind.PROPERTY_COMPANY, name__endswith="（演示）")
        .select_related("region")
        .order_by("pk")
    )
    company_staff = User.objects.filter(username="company_staff").first()
    for index, company in enumerate(companies):
        if StaffMember.objects.filter(employer=company).exists():
            continue
        admin = (
            Membership.objects.filter(organization=company, role=Role.ORG_ADMIN)
            .select_related("user")
            .first()
        )
        by = admin.user if admin else User.objects.get(username="admin")
        people = []
        for name, phone, roles, kind, _t, _p in PEOPLE:
            login = company_staff if name == "郑服" and company_staff and admin else None
            member = services.save_staff(
                None,
                by=by,
                name=name if index == 0 else f"{name}{index + 1}",
                phone=_phone(phone, index),
                employer=company,
                region=company.region,
                roles=roles,
                kind=kind,
                joined_on=today - dt.timedelta(days=200),
                user=login
                if login and Membership.objects.filter(user=login, organization=company).exists()
                else None,
            )
            people.append(member)
        [  # their team, hours and points: volunteers.demo
            services.save_staff(
                None,
                by=by,
                name=name if index == 0 else f"{name}{index + 1}",
                phone=_phone(phone, index),
                employer=company,
                region=company.region,
                roles=[],
                kind="volunteer",
                joined_on=today - dt.timedelta(days=120),
            )
            for name, phone in VOLUNTEERS
        ]
        services.save_qualification(
            None,
            by=by,
            staff=people[2],
            name="养老护理员",
            level="4",
            certificate_number=f"YL-2023-{index:02d}0301",
            issued_on=today - dt.timedelta(days=3 * 365),
            expires_on=today + dt.timedelta(days=30),  # flagged: expires within the warning period
        )
        _train(company, people, today)
    return StaffMember.objects.count()


def _train(company, people, today):
    bureau = _bureau_of(company)
    if bureau is None:
        return
    officer = _officer_of(bureau)
    district = bureau.region
    year_start = today.replace(month=1, day=1)
    sessions = {}
    for kind, title, offset in (
        ("pre_job", "“物业+养老”三员岗前培训", 40),
        ("special", "老年人防诈骗与应急救护专项培训", 20),
    ):
        starts = max(today - dt.timedelta(days=offset), year_start)
        session = TrainingSession.objects.filter(organiser=bureau, kind=kind, title=title).first()
        if session is None:
            session = services.save_session(
                None,
                by=officer,
                organiser=bureau,
                region=district,
                title=title,
                kind=kind,
                starts_on=starts,
                ends_on=starts + dt.timedelta(days=1),
                hours=Decimal("8"),
                place=f"{district.name}养老服务指导中心",
                instructors="行业专家、资深护理员",
                capacity=60,
                theory_pass_mark=Decimal("60"),
                practical_pass_mark=Decimal("60"),
            )
        sessions[kind] = session
    for member, (_n, _ph, _r, _k, theory, practical) in zip(people, PEOPLE, strict=True):
        services.record_result(
            sessions["pre_job"],
            member,
            by=officer,
            attended=True,
            theory_score=Decimal(theory),
            practical_score=Decimal(practical),
            certificate_number=f"GQ-{today.year}-{member.pk:04d}" if practical >= 60 else "",
        )
    for member in people[:3]:
        services.record_result(
            sessions["special"],
            member,
            by=officer,
            attended=True,
            theory_score=Decimal(85),
            practical_score=Decimal(80),
        )
    TrainingTarget.objects.get_or_create(region=district, year=today.year, defaults={"person_times": 200})


def load_after_stations(stations) -> int:
    """Resource information for each demo station (``load_demo`` passes them in, operators
    selected), kept by its information officer."""
    for station in stations:
        if StationResource.objects.filter(station=station).exists():
            continue
        officer = StaffMember.objects.filter(
            employer=station.operator, roles__icontains='"information"', status="active"
        ).first()
        if officer is None:
            continue
        if officer.user_id is None:
            login = (
                Membership.objects.filter(organization=station.operator, role=Role.ORG_ADMIN)
                .select_related("user")
                .first()
            )
            if login is None or StaffMember.objects.filter(user=login.user).exists():
                continue
            officer = services.save_staff(officer, by=login.user, user=login.user)
        for kind, name, phone, offer in (
            ("medical", f"{station.region.name}社区卫生服务中心", "021-62001234", "家庭医生签约、上门护理"),
            ("elderly_service", "长者食堂", "021-62005678", "老年助餐、送餐上门"),
            ("volunteer_team", f"{station.region.name}爱心志愿者队", "", "寻访关爱、陪伴聊天"),
            ("charity", "区慈善超市", "021-62009999", "困难老人物资援助"),
        ):
            services.save_resource(
                None, by=officer.user, station=station, kind=kind, name=name, phone=phone, services=offer
            )
    return StationResource.objects.count()
