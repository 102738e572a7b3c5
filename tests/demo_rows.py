"""Rows the demo leaves empty, added on top of it by the tests that walk every API list: a second
长宁 company with its own station and a link request for one of the demo company's residents, an
alteration of a 南安 care room, and a supervision check of a published station list."""

import datetime as dt

from accounts.models import Membership, Organization, Role, User
from checklists import services as checklist_services
from checklists.models import ChecklistVersion
from facilities import services as facilities_services
from facilities.models import AlterationKind, CareRoom
from stations import services as station_services
from stations.models import Resident


def add_rows_the_demo_leaves_empty(label: str) -> dict:
    """``label`` tells the rows of one test module from another's (a username, a station name)."""
    own_company = User.objects.get(username="company_admin").memberships.get().organization
    other_company = (
        Organization.objects.filter(kind="property_company", region__code__startswith="310105")
        .exclude(pk=own_company.pk)
        .order_by("pk")
        .first()
    )
    other = User.objects.create(username=f"{label}_other_company", name="其他物业管理员")
    Membership.objects.create(user=other, organization=other_company, role=Role.ORG_ADMIN)
    # The demo has one station; the other company gets its own (not yet operating, so not public).
    other_station = station_services.save_station(
        None,
        by=other,
        operator=other_company,
        region=other_company.region,
        name=f"仙霞新村为老服务站（{label}）",
        address="仙霞路 99 号",
        latitude=31.2100,
        longitude=121.3900,
        services=["meals"],
    )
    # The other company asks to serve one of the demo company's residents: a link request.
    resident = Resident.objects.filter(stations__operator=own_company).order_by("pk").first()
    station_services.register_resident(
        by=other,
        station=other_station,
        name=resident.name,
        id_number=resident.id_number,
        community=resident.community,
    )
    # The demo records no alteration of a care room: one in 南安, recorded by its bureau.
    room = CareRoom.objects.filter(compound__region__code__startswith="350583").order_by("pk").first()
    facilities_services.record_alteration(
        by=User.objects.get(username="na_civil"),
        room=room,
        kind=AlterationKind.values[0],
        description=f"{label} 测试",
        approval_number="南民〔2026〕1号",
        approved_by="南安市民政局",
        approved_on=dt.date(2026, 1, 5),
    )
    # The demo records no supervision check: one of a published station list, by its street.
    version = ChecklistVersion.objects.filter(state="published", station__isnull=False).order_by("pk").first()
    checklist_services.record_check(
        version.station,
        by=User.objects.get(username="cn_street"),
        checked_on=dt.date(2026, 1, 6),
        results=[{"item": item, "result": "done"} for item in version.items.all()[:2]],
    )
    return {"own_company": own_company, "other_company": other_company, "other_station": other_station}
