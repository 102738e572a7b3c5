"""Demo data for a first run: the bureaus and street offices of the seed localities, a few
property companies, and one account per role. Idempotent: running it again changes nothing."""

import datetime as dt
import os

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Q
from stdnum.cn import uscc

from accounts.audit import audit_context
from accounts.models import Membership, Organization, OrganizationKind, Role, User
from checklists import demo as checklists_demo
from facilities import demo as facilities_demo
from pilots import demo as pilots_demo
from regions.models import Level, Region
from reports import demo as reports_demo
from staff import demo as staff_demo
from stations import demo as stations_demo
from stations.models import Station
from volunteers import demo as volunteers_demo


def credit_code(body: str) -> str:
    """A syntactically valid unified social credit code for a fictional demo company."""
    return body + uscc.calc_check_digit(body)


COMPANIES = [
    # (name, region code, credit-code body, licensed)
    ("上海虹馨物业服务有限公司（演示）", "310105001", "91310105MA1HX0001", True),
    ("上海仙霞颐居物业管理有限公司（演示）", "310105008", "91310105MA1XX0002", True),
    ("南安市溪美和园物业服务有限公司（演示）", "350583001", "91350583MA2HY0003", True),
    ("中山市石岐安居物业有限公司（演示）", "442000001", "91442000MA5TQ0004", False),
]

# (username, name, organisation name, role, what the account is for)
ACCOUNTS = [
    ("cn_civil", "长宁民政科员", "长宁区民政局", Role.OFFICER, "区民政局：征集试点、终审、样张、统计"),
    (
        "cn_housing",
        "长宁房管科员",
        "长宁区房屋管理局",
        Role.OFFICER,
        "区房管局：指导物业企业、会审、价格监督",
    ),
    ("cn_street", "华阳路街道干部", "华阳路街道办事处", Role.OFFICER, "街道：镇街意见、站点设置、用房巡查"),
    ("cn_stats", "长宁统计员", "长宁区民政局", Role.VIEWER, "区统计人员：只读，下载统计表"),
    ("na_civil", "南安民政科员", "南安市民政局", Role.OFFICER, "南安市民政局：配建养老用房"),
    ("na_town", "溪美街道干部", "溪美街道办事处", Role.OFFICER, "乡镇（街道）：养老用房巡查、使用申请"),
    ("zs_civil", "中山民政科员", "中山市民政局", Role.OFFICER, "中山市民政局"),
    (
        "company_admin",
        "虹馨物业管理员",
        COMPANIES[0][0],
        Role.ORG_ADMIN,
        "物业企业管理员：在线申报、站点、人员、清单",
    ),
    ("company_staff", "虹馨物业员工", COMPANIES[0][0], Role.STAFF, "物业企业员工：服务记录"),
    (
        "integrator",
        "系统集成方",
        COMPANIES[0][0],
        Role.STAFF,
        "系统集成方：调用 REST API（用 issue_token 签发令牌）",
    ),
]


class Command(BaseCommand):
    help = "Load the demo organisations and one account per role (password: DEMO_PASSWORD or demo12345)."

    def handle(self, *args, **options):
        password = os.environ.get("DEMO_PASSWORD") or "demo12345"
        call_command("import_regions", stdout=self.stdout)
        with audit_context(channel="system"), transaction.atomic():
            organizations = self._organizations()
            rows = [
                self._user("admin", "平台管理员", password, superuser=True)
                + ("—", "平台管理员：全部数据、用户、计划任务")
            ]
            for username, name, org_name, role, purpose in ACCOUNTS:
                user = self._user(username, name, password)[0]
                membership, _created = Membership.objects.get_or_create(
                    user=user, organization=organizations[org_name], defaults={"role": role}
                )
                if membership.role != role:
                    membership.role = role
                    membership.save()
                rows.append((user, f"{org_name} · {membership.get_role_display()}", purpose))
            # Programmes, a call and applications in several states (pilots app), then the
            # stations of the demo pilots with residents, orders and records (stations app).
            # Staff in the three roles with their training first: only a trained service
            # officer may be given orders (000).
            pilots_demo.load()
            staff_demo.load_people()
            volunteers_demo.load()
            stations = stations_demo.load_stations()
            checklists_demo.load()  # the district sample and the stations' lists, with their prices
            stations_demo.load_activity(stations)
            staff_demo.load_after_stations(
                Station.objects.filter(operator__name__endswith="（演示）").select_related("operator")
            )
            facilities_demo.load()
            reports_demo.load()  # an evaluation scheme of 长宁区 and its last two months
        self.stdout.write(
            "\n演示账号 Demo accounts (password: %s)"
            % ("$DEMO_PASSWORD" if os.environ.get("DEMO_PASSWORD") else password)
        )
        for user, where, purpose in rows:
            self.stdout.write(f"  {user.username:<14} {where:<36} {purpose}")

    def _organization(self, kind, name, region_code, **extra):
        region = Region.objects.get(code=region_code)
        organization, created = Organization.objects.get_or_create(
            name=name, defaults={"kind": kind, "region": region, **extra}
        )
        if created:
            organization.full_clean()
        return organization

    def _organizations(self):
        made = {}

        def add(kind, name, code, **extra):
            made[name] = self._organization(kind, name, code, **extra)

        add(
            OrganizationKind.CIVIL_AFFAIRS,
            "长宁区民政局",
            "310105",
            address="上海市长宁区",
            hotline="021-60000000",
        )
        add(OrganizationKind.HOUSING, "长宁区房屋管理局", "310105", address="上海市长宁区")
        add(OrganizationKind.CIVIL_AFFAIRS, "南安市民政局", "350583", address="福建省南安市")
        add(OrganizationKind.CIVIL_AFFAIRS, "中山市民政局", "4420", address="广东省中山市")
        add(OrganizationKind.HOUSING, "中山市住房和城乡建设局", "4420", address="广东省中山市")
        towns = Region.objects.filter(level=Level.STREET).filter(
            Q(code__startswith="310105") | Q(code__startswith="350583") | Q(code__startswith="442000")
        )
        for town in towns:
            suffix = "办事处" if town.name.endswith("街道") else "人民政府"
            # 华阳路's office keeps a complaint hotline (posted with its stations' prices)
            hotline = {"hotline": "021-60000002"} if town.code == "310105001" else {}
            add(OrganizationKind.STREET_OFFICE, f"{town.name}{suffix}", town.code, **hotline)
        for name, code, body, licensed in COMPANIES:
            add(
                OrganizationKind.PROPERTY_COMPANY,
                name,
                code,
                credit_code=credit_code(body),
                has_property_licence=licensed,
                contact_person="张经理",
                contact_phone="021-00000000",
                hotline="021-62000000",
                elderly_care_since=dt.date(2019, 6, 1),
            )
        return made

    def _user(self, username, name, password, superuser=False):
        user, created = User.objects.get_or_create(username=username, defaults={"name": name})
        changed = created
        if not user.check_password(password):
            user.set_password(password)
            changed = True
        if superuser and not (user.is_superuser and user.is_staff):
            user.is_superuser = user.is_staff = True
            changed = True
        if changed:
            user.save()
        return (user,)
