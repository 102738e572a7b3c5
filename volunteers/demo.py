"""Demo volunteers for ``load_demo``: each demo company's volunteers (made by staff.demo) form
a team with hours, goods, an exchange and a correction in its ledger."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from accounts.models import Membership, Organization, OrganizationKind, Role, User
from staff.models import EmploymentKind, StaffMember

from . import services
from .models import PointsEntry, PointsRule, VolunteerTeam


def load() -> int:
    today = timezone.localdate()
    companies = Organization.objects.filter(
        kind=OrganizationKind.PROPERTY_COMPANY, name__endswith="（演示）"
    ).order_by("pk")
    for company in companies:
        volunteers = list(
            StaffMember.objects.filter(employer=company, kind=EmploymentKind.VOLUNTEER).order_by("pk")
        )
        if not volunteers:
            continue
        admin = (
            Membership.objects.filter(organization=company, role=Role.ORG_ADMIN)
            .select_related("user")
            .first()
        )
        by = admin.user if admin else User.objects.get(username="admin")
        _volunteer(company, by, volunteers, today)
    return PointsEntry.objects.count()


def _volunteer(company, by, volunteers, today):
    team = VolunteerTeam.objects.filter(organization=company).first()
    if team is not None:
        return
    team = services.save_team(
        None,
        by=by,
        members=volunteers,
        organization=company,
        community=company.region,
        name=f"{company.region.name}爱心志愿者队",
        leader=volunteers[0],
        founded_on=today - dt.timedelta(days=100),
    )
    PointsRule.objects.get_or_create(
        organization=company,
        effective_from=today.replace(month=1, day=1),
        defaults={"points_per_hour": 10, "max_hours_per_activity": Decimal(4)},
    )
    for days, category, title, hours in (
        (30, "care_visit", "独居老人上门寻访", 2),
        (15, "companionship", "重阳节陪伴聊天", 3),
        (5, "mutual_help", "邻里互助代购", Decimal("1.5")),
    ):
        services.record_activity(
            by=by,
            team=team,
            held_on=today - dt.timedelta(days=days),
            category=category,
            title=title,
            hours=dict.fromkeys(volunteers, hours),
        )
    rice = services.save_reward(by=by, organization=company, name="大米 5 斤", points=30, stock=20)
    services.save_reward(by=by, organization=company, name="洗衣液", points=20, stock=None)
    services.spend_points(by=by, volunteer=volunteers[0], reward=rice, quantity=1)
    mistaken = services.spend_points(by=by, volunteer=volunteers[1], reward=rice, quantity=1)
    services.reverse_entry(mistaken, by=by, reason="登记错误，实际未领取")
    return PointsEntry.objects.filter(account__volunteer__employer=company).count()
