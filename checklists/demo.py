"""Demo five lists for `load_demo`: 长宁区's district sample (样张) with items of all five kinds,
and stations whose customised lists stand in different states — the demo pilots' stations
published (their service-item list is their posted prices, printable as a poster), one station
submitted and awaiting the street's approval, one still a draft. Idempotent.

The policies are the kinds of support Shanghai offers (long-term care insurance, home-care
subsidies…), described in plain words for the demo; no document number is given, so none can be
mistaken for an official one.
"""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from accounts.models import Organization, User
from regions.models import Region
from stations import services as station_services
from stations.models import Floor, Station, StationStatus

from . import services
from .models import ChecklistVersion, ListKind, VersionState

DEMO = "（演示）"

SERVICES = [
    # name, category, price, unit, level, provider
    ("社区助餐（午餐，两荤一素）", "meals", "12.00", "meal", "low_cost", ""),
    ("上门助洁（居室保洁）", "cleaning", "45.00", "hour", "market", ""),
    ("上门助浴", "bathing", "60.00", "time", "low_cost", "长宁区颐康居家养老服务社（演示）"),
    ("家电小修", "repair", "50.00", "time", "market", ""),
    ("关爱探访", "care_visit", "0", "time", "free", ""),
    ("紧急求助响应（24 小时）", "emergency", "0", "time", "free", ""),
]
FACILITIES = [
    # name, place, area, capacity, opening hours, run by
    (
        "为老服务站活动室",
        "小区会所一楼",
        "80",
        30,
        "周一至周五 08:30–17:30，周六 09:00–12:00",
        "物业服务企业",
    ),
    ("长者助餐点", "小区会所一楼", "40", 20, "每日 11:00–12:30", "物业服务企业"),
    ("社区综合为老服务中心", "街道社区事务受理中心旁", "600", 60, "周一至周日 08:00–20:00", "街道"),
]
POLICIES = [
    # name, issuer, who qualifies, what they get, where to apply
    (
        "长期护理保险（演示说明）",
        "上海市医疗保障部门",
        "参加本市职工医保或居民医保、60 周岁及以上、经评估失能等级为二至六级的老年人",
        "社区居家照护、养老机构照护等护理服务费用按规定比例由长护险基金支付",
        "街道社区事务受理服务中心",
    ),
    (
        "居家养老服务补贴（演示说明）",
        "区民政局",
        "经评估有照护需求且符合经济困难条件的本区户籍老年人",
        "按评估等级给予居家养老服务补贴，用于购买居家照护服务",
        "街道社区事务受理服务中心",
    ),
    (
        "老年综合津贴（演示说明）",
        "上海市民政部门",
        "65 周岁及以上本市户籍老年人",
        "按年龄段按月发放老年综合津贴",
        "街道社区事务受理服务中心",
    ),
    (
        "适老化改造补贴（演示说明）",
        "区民政局",
        "有改造需求的本区户籍老年人家庭，低保、低收入等困难家庭优先",
        "居家环境适老化改造按规定给予补贴",
        "居委会或街道社区事务受理服务中心",
    ),
]
RESOURCES = [
    # name, kind, contact person, phone, what they offer
    ("长宁区颐康居家养老服务社" + DEMO, "elderly_service", "王老师", "021-60000011", "上门助浴、居家照护"),
    ("华阳社区卫生服务中心" + DEMO, "medical", "家庭医生团队", "021-60000012", "家庭医生签约、健康咨询"),
    ("小区睦邻志愿服务队" + DEMO, "volunteer_team", "李队长", "13800000013", "结对关爱、代购代办、陪伴聊天"),
    ("长宁区慈善基金会社区分会" + DEMO, "charity", "陈女士", "021-60000014", "困难老人帮扶"),
]
DUTIES = [
    # name, party, department, duties
    ("区民政局", "department", "养老服务科", "制定五张清单样张，指导、督导清单落实，统筹政策支持"),
    ("区房屋管理局", "department", "物业管理科", "指导物业服务企业开展物业+养老服务，监督明码标价"),
    ("街道办事处", "street", "", "审核本街道站点的定制化清单，定期督导检查清单落实情况"),
    ("居委会", "residents_committee", "", "摸排老年人需求，协助建立一人一档，对接社区资源"),
    ("物业服务企业", "property_company", "", "按清单提供服务、公示价格，信息员及时更新资源信息"),
    ("业主委员会", "owners_committee", "", "协调公共空间用于为老服务，监督服务质量"),
]


def _sample_items():
    for name, category, price, unit, level, provider in SERVICES:
        yield (
            ListKind.SERVICES,
            {
                "name": name,
                "category": category,
                "price": price,
                "unit": unit,
                "level": level,
                "provider": provider,
            },
        )
    for name, place, area, capacity, hours, run_by in FACILITIES:
        yield (
            ListKind.FACILITIES,
            {
                "name": name,
                "place": place,
                "area": area,
                "capacity": capacity,
                "opening_hours": hours,
                "run_by": run_by,
            },
        )
    for name, issuer, eligibility, benefit, where in POLICIES:
        yield (
            ListKind.POLICIES,
            {
                "name": name,
                "issuer": issuer,
                "eligibility": eligibility,
                "benefit": benefit,
                "where_to_apply": where,
                "note": "演示数据，以官方发布为准",
            },
        )
    for name, kind, person, phone, offer in RESOURCES:
        yield (
            ListKind.RESOURCES,
            {
                "name": name,
                "resource_kind": kind,
                "contact_person": person,
                "contact_phone": phone,
                "offer": offer,
            },
        )
    for name, party, department, duties in DUTIES:
        yield ListKind.DUTIES, {"name": name, "party": party, "department": department, "duties": duties}


def load():
    district = Region.objects.get(code="310105")
    civil = User.objects.get(username="cn_civil")
    street = User.objects.get(username="cn_street")
    company = User.objects.get(username="company_admin")
    if not ChecklistVersion.objects.templates().filter(region=district).exists():
        sample = services.start_template(district, by=civil, note="长宁区五张清单样张（演示）")
        for kind, values in _sample_items():
            services.add_item(sample, by=civil, kind=kind, **values)
        services.perform(sample, "publish_template", by=civil)
    ours = list(
        Station.objects.filter(operator__memberships__user=company, region__code__startswith=district.code)
        .select_related("region", "operator")
        .order_by("pk")
    )
    for station in ours:  # the demo pilots' stations: published, with a local touch
        if station.checklists.exists():
            continue
        version = services.start_station_list(station, by=company)
        services.add_item(
            version,
            by=company,
            kind=ListKind.SERVICES,
            name="陪同就医（两小时内）",
            category="medical_escort",
            price="40.00",
            unit="time",
            level="low_cost",
        )
        meals = version.items.get(kind=ListKind.SERVICES, category="meals")
        services.change_item(meals, by=company, price=Decimal("10.00"))
        for action in ("submit", "approve", "publish"):
            services.perform(version, action, by=street if action == "approve" else company)
    _other_stations(district, street)


def _other_stations(district, street):
    """A second demo company's two stations in 华阳路街道: one's lists await approval, the
    other's are a draft."""
    operator = Organization.objects.filter(name__startswith="上海仙霞颐居").first()
    region = Region.objects.filter(code="310105001").first()
    if operator is None or region is None:
        return
    admin = User.objects.filter(memberships__organization=operator).first() or street
    for name, state in (
        ("华阳路街道颐居长者驿站" + DEMO, VersionState.SUBMITTED),
        ("颐居睦邻点" + DEMO, VersionState.DRAFT),
    ):
        station = Station.objects.filter(name=name).first()
        if station is None:
            station = station_services.save_station(
                None,
                by=street,
                operator=operator,
                region=region,
                name=name,
                address="长宁区华阳路街道（演示地址）",
                phone="021-60000021",
                floor=Floor.GROUND,
                area=Decimal("90"),
                capacity=20,
                services=["meals", "cleaning", "care_visit", "emergency"],
                opening_hours=dict.fromkeys(("mon", "tue", "wed", "thu", "fri"), "09:00-17:00"),
            )
            station_services.change_station_status(
                station, StationStatus.OPERATING, by=street, on=timezone.localdate() - dt.timedelta(days=30)
            )
        if station.checklists.exists():
            continue
        version = services.start_station_list(station, by=admin)
        bathing = version.items.get(kind=ListKind.SERVICES, category="bathing")
        services.remove_item(bathing, by=admin)
        if state == VersionState.SUBMITTED:
            services.perform(version, "submit", by=admin)
