"""Demo care rooms for ``load_demo``: 南安市's towns get compounds and rooms in every state
(not handed over; handed over before the campaign; handed over later and overdue; operating;
suspended), inspections with open, rectifying and closed violations, a use application at each
step of 004's procedure, and the guidance table imported through the same import as the admin."""

import datetime as dt
import io
from decimal import Decimal

from django.utils import timezone
from openpyxl import Workbook
from stdnum.cn import uscc

from accounts.models import Membership, Organization, OrganizationKind, Role, User
from regions.models import Region

from . import imports, services
from .models import Campaign, CareRoom, Compound, GuidanceTarget, UseApplication

COUNTY = "350583"
# (town code, compound, households, residents, elderly, developer)
COMPOUNDS = [
    ("350583001", "溪美·滨江花园", 960, 2900, 420, "南安滨江置业有限公司"),
    ("350583001", "溪美·成功新城", 640, 1900, 260, "成功房地产开发有限公司"),
    ("350583002", "柳城·中骏四季阳光", 1200, 3600, 510, "中骏置业（南安）有限公司"),
    ("350583003", "美林·世茂御龙湾", 880, 2500, 300, "世茂房地产（南安）有限公司"),
    ("350583100", "省新·书香苑", 420, 1260, 210, "省新镇建设开发公司"),
    ("350583102", "东田·山水华府", 300, 900, 160, "东田置业有限公司"),
]


def _officer(office: Organization, username: str) -> User:
    membership = (
        Membership.objects.filter(organization=office, role=Role.OFFICER).select_related("user").first()
    )
    if membership:
        return membership.user
    user, created = User.objects.get_or_create(
        username=username, defaults={"name": f"{office.region.name}干部"}
    )
    if created:
        user.set_unusable_password()  # stands in for the town's officer; cannot log in
        user.save()
    Membership.objects.get_or_create(user=user, organization=office, defaults={"role": Role.OFFICER})
    return user


def _particulars(organizations) -> None:
    """The bureau's and the towns' own particulars (address, contact, credit code), which the
    entrustment agreement prints for both parties; a government body's credit code starts with
    11 and the county's code. Only what is missing is filled in."""
    for number, org in enumerate(organizations, 1):
        if not org.credit_code:
            body = f"11{COUNTY}{number:08d}0"
            org.credit_code = body + uscc.calc_check_digit(body)
        org.address = org.address or f"福建省南安市{org.region.name}人民路 {number} 号"
        org.contact_person = org.contact_person or "综合办公室"
        org.contact_phone = org.contact_phone or f"0595-8638{number:04d}"
        org.full_clean()
        org.save(update_fields=["credit_code", "address", "contact_person", "contact_phone"])


def load() -> int:
    county = Region.objects.get(code=COUNTY)
    if Compound.objects.filter(region__code__startswith=COUNTY).exists():
        return CareRoom.objects.count()
    bureau_user = User.objects.get(username="na_civil")
    today = timezone.localdate()
    campaign, _ = Campaign.objects.get_or_create(
        region=county,
        defaults={
            "title": "新建住宅小区养老服务用房运营管理",
            "document_number": "南政办〔2025〕34号",
            "starts_on": dt.date(2025, 6, 1),
            "existing_deadline": dt.date(2027, 12, 31),
            "new_handover_months": 12,
        },
    )
    offices = {
        office.region.code: office
        for office in Organization.objects.filter(
            kind=OrganizationKind.STREET_OFFICE, region__code__startswith=COUNTY
        ).select_related("region")
    }
    officers = {code: _officer(office, f"na_town_{code[-3:]}") for code, office in offices.items()}
    _particulars(
        [*Organization.objects.filter(kind=OrganizationKind.CIVIL_AFFAIRS, region=county), *offices.values()]
    )
    operator = Organization.objects.filter(name__startswith="南安市溪美和园物业").first()
    rooms = []
    for index, (code, name, households, residents, elderly, developer) in enumerate(COMPOUNDS):
        town_user = officers[code]
        compound = services.save_compound(
            None,
            by=town_user,
            name=name,
            region=Region.objects.get(code=code),
            address=f"{Region.objects.get(code=code).name}{name.split('·')[1]}",
            households=households,
            residents=residents,
            elderly_residents=elderly,
            developer=developer,
            property_company=operator if code == "350583001" else None,
        )
        base = {"area": Decimal(150 + index * 20), "built_on": dt.date(2022, 6, 1), "floor": "ground"}
        # the town is responsible for a room handed over to it, the developer for one not yet
        town_government = f"{compound.region.name}{'办事处' if code < '350583100' else '人民政府'}"
        rooms.append(
            services.save_room(
                None,
                by=bureau_user,
                compound=compound,
                location="1 号楼一层",
                handover_state="handed_over",
                handed_over_on=dt.date(2024, 3, 1) + dt.timedelta(days=index * 30),
                handover_number=f"南民移〔2024〕{index + 1:02d}号",
                responsible_party=town_government,
                management_mode="委托乡镇（街道）日常管理",
                equipment="桌椅、助浴设施、紧急呼叫",
                staffing="专职 1 人、志愿者若干",
                funding="乡镇（街道）运营经费",
                function="居家养老服务站",
                opening_hours="周一至周六 8:30-17:30",
                **base,
            )
        )
        if index % 2 == 0:  # a second room: handed over after the campaign began, overdue
            rooms.append(
                services.save_room(
                    None,
                    by=bureau_user,
                    compound=compound,
                    location="会所二层",
                    handover_state="handed_over",
                    handed_over_on=min(today - dt.timedelta(days=400), dt.date(2025, 8, 1)),
                    handover_number=f"南民移〔2025〕{index + 1:02d}号",
                    responsible_party=town_government,
                    **{**base, "floor": "upper"},
                )
            )
        else:  # or one not yet handed over
            rooms.append(
                services.save_room(
                    None,
                    by=bureau_user,
                    compound=compound,
                    location="5 号楼架空层",
                    responsible_party=developer,
                    **base,
                )
            )
    # operating and suspended rooms (溪美's first room through the whole procedure below)
    services.save_room(
        rooms[2],
        by=bureau_user,
        operating_state="operating",
        operating_since=dt.date(2025, 9, 1),
        operating_mode="day_care",
        operator=operator,
    )
    services.save_room(
        rooms[4],
        by=bureau_user,
        operating_state="suspended",
        operating_since=dt.date(2025, 3, 1),
        operating_mode="party_building",
    )
    _inspections(rooms, officers, today)
    _applications(rooms, officers, bureau_user, today)
    _targets(county, bureau_user)
    return CareRoom.objects.count()


def _inspections(rooms, officers, today):
    room = rooms[1]  # 溪美's overdue room
    town_user = officers[room.compound.region.code]
    first = services.record_inspection(
        by=town_user,
        room=room,
        inspected_on=today - dt.timedelta(days=60),
        findings="用房空置，堆放杂物；一层临街部分出租给商户。",
        violations=[
            {
                "kind": "built_unused",
                "description": "建成后一直空置",
                "rectify_by": today + dt.timedelta(days=30),
            },
            {
                "kind": "illegally_let",
                "description": "临街部分出租给便利店",
                "rectify_by": today - dt.timedelta(days=15),
            },
        ],
    )
    let, unused = first.violations.get(kind="illegally_let"), first.violations.get(kind="built_unused")
    services.update_violation(unused, by=town_user, action_taken="已清理杂物，正在洽谈运营方")
    later = services.record_inspection(
        by=town_user,
        room=room,
        inspected_on=today - dt.timedelta(days=10),
        findings="商户已搬离，租赁合同已解除。",
    )
    services.close_violation(let, by=town_user, inspection=later, action_taken="收回出租部分")
    other = rooms[6]
    services.record_inspection(
        by=officers[other.compound.region.code],
        room=other,
        inspected_on=today - dt.timedelta(days=20),
        findings="用房被改作物业仓库。",
        violations=[
            {"kind": "diverted", "description": "挪作物业仓库", "rectify_by": today + dt.timedelta(days=45)}
        ],
    )


def _applications(rooms, officers, bureau_user, today):
    """One application stopped at each step of 004 三 (the last one operates)."""
    steps = ["apply", "survey", "approve", "sign", "operate"]
    handed = list(
        CareRoom.objects.filter(pk__in=[r.pk for r in rooms], handover_state="handed_over")
        .exclude(operating_state__in=["operating", "suspended"])
        .select_related("compound__region")
    )
    for depth, room in enumerate(handed[:6]):
        town_user = officers[room.compound.region.code]
        application = services.start_application(
            by=town_user, room=room, text="已与市民政局初步对接，拟引入专业机构运营。"
        )
        for action in steps[:depth]:
            kwargs = {}
            by = bureau_user
            if action == "apply":
                by, kwargs = (
                    town_user,
                    {"operating_mode": "property_care", "services": "助餐、日间照料、文体活动"},
                )
            elif action == "survey":
                kwargs = {"text": "现场踏勘：位于一层，通风采光良好，同意“物业+养老”模式。"}
            elif action == "approve":
                kwargs = {
                    "city_approval_number": f"南政文〔2025〕{80 + depth}号",
                    "city_approved_on": today - dt.timedelta(days=90),
                }
            elif action == "sign":
                kwargs = {
                    "number": f"南民委〔2025〕{depth:02d}号",
                    "signed_on": today - dt.timedelta(days=80),
                }
            elif action == "operate":
                by, kwargs = town_user, {"operating_since": today - dt.timedelta(days=30)}
            services.act_on_application(application, action, by=by, **kwargs)
    return UseApplication.objects.count()


def _targets(county, bureau_user):
    """The guidance table for the demo towns, imported through the import itself."""
    towns = {}
    for room in CareRoom.objects.filter(compound__region__code__startswith=county.code).select_related(
        "compound__region"
    ):
        figures = towns.setdefault(room.compound.region.code[:9], [room.compound.region.name, 0, 0])
        figures[1] += 1
        figures[2] += room.handover_state == "handed_over"
    book = Workbook()
    sheet = book.active
    sheet.append(["南安市新建住宅小区养老服务用房投入运营指导数"])
    sheet.append(["乡镇（街道）", "已建数", "已移交数", "未移交数", "指导数", None, None, None, "备注"])
    sheet.append([None, None, None, None, "小计", 2025, 2026, 2027, None])
    sheet.merge_cells("E2:H2")
    totals = [0] * 7
    for code in sorted(towns):
        name, built, handed = towns[code]
        split = [handed // 3, handed // 3, handed - 2 * (handed // 3)]
        row = [built, handed, built - handed, handed, *split]
        totals = [a + b for a, b in zip(totals, row, strict=True)]
        sheet.append([name, *row, ""])
    sheet.append(["合计", *totals, ""])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    imports.import_targets(buffer, county=county, by=bureau_user, filename="指导数.xlsx")
    return GuidanceTarget.objects.count()
